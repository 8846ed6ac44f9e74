"""Symbols built the same way under MXNet (golden maker) and mxpy (tests)."""


def tutorial(mx):
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    c = (a + b) / 10
    return c + 1


def scalars(mx):
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    return mx.sym.Group([2 - a, -a, a * b, a - 2, a / 2, a**2, 3 / a, a % 2, mx.sym.elemwise_add(a, b), mx.sym.broadcast_add(a, b)])


def variables(mx):
    x = mx.sym.Variable("x", shape=(2, 3), lr_mult=2.0, wd_mult=0.5, dtype="float16", __foo__="bar")
    return x * 2


def reshape_names(mx):
    a = mx.sym.Variable("data")
    r = mx.sym.Reshape(a, shape=(0, -1))
    return mx.sym.reshape(r, shape=(-1,), name="flat")


CASES = {"tutorial": tutorial, "scalars": scalars, "variables": variables, "reshape_names": reshape_names}
