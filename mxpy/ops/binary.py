"""Binary arithmetic: ``elemwise_*`` (same shape), ``broadcast_*``, ``_*_scalar`` and ``add_n``.

Semantics follow MXNet 1.9.1 (checked against it, see
``tests/golden/make_elemwise.py`` and ``tests/test_arith_semantics.py``):

- results keep the input dtype; comparisons and logical ops give 0/1 in it
  (float32 for float32 inputs); inputs must share one dtype;
- a scalar operand is first cast to the array's dtype the C way
  (``int32_array * 1.5`` multiplies by 1, ``int8_array + 300`` adds 44,
  ``float16_array * 1e-8`` multiplies by 0);
- integer ``+ - *`` wrap; integer division truncates toward zero (MXNet
  crashes on integer division by zero; here it gives 0); integer ``%``,
  ``**`` and ``hypot`` are computed in double and cast back, so ``2 ** -1``
  is 0 and ``0 ** -1`` is the most negative integer; ``scalar / int_array``
  is computed in floating point;
- ``%`` follows the divisor's sign (Python's convention) and ``x % 0`` is 0;
  float division by zero gives inf/nan; ``maximum``/``minimum`` propagate nan.
"""

from __future__ import annotations

import numpy as np

from ..registry import (
    UNKNOWN,
    OpDef,
    Param,
    ShapeError,
    broadcast_shapes,
    merge_dims,
    merge_shape,
    partial_rule,
    register,
    same_shape,
    same_type,
    shape_is_known,
)
from ._mathfn import c_cast, c_scalar

_WARN = (RuntimeWarning, FloatingPointError)
_F32MAX = float(np.finfo(np.float32).max)
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)


def _is_scalar(x) -> bool:
    return isinstance(x, (int, float, np.generic))


def _as_f64(x):
    return float(x) if _is_scalar(x) else x.astype(_F64)


def _guarded(name: str):
    """A plain ufunc that rarely warns: run it bare, drop the warning if warnings are errors.

    NumPy checks the floating-point flags after the loop, so when the warning is
    raised the output is already complete (and correct: inf/nan as MXNet).
    """

    np_fn = getattr(np, name)

    def compute(xp, a, b, out):
        try:
            (np_fn if xp is np else getattr(xp, name))(a, b, out=out)
        except _WARN:
            pass

    compute.__name__ = name
    compute.np_fn = np_fn  # binary_kernel calls it directly on CPU
    return compute


def _div(xp, a, b, out):
    if out.dtype.kind == "f":
        if type(b) is float and b != 0.0:
            try:  # a non-zero scalar divisor can only overflow
                xp.true_divide(a, b, out=out)
            except _WARN:
                pass
        else:
            with np.errstate(all="ignore"):
                xp.true_divide(a, b, out=out)
        return
    # integers: exact division truncated toward zero; by zero gives 0
    if _is_scalar(b) and b == 0:
        out[...] = 0
        return
    with np.errstate(all="ignore"):
        q = xp.floor_divide(a, b)
        if out.dtype.kind == "i":
            q += (q * b != a) & ((a < 0) != (b < 0))
        if not _is_scalar(b):
            q = xp.where(b == 0, 0, q)
    out[...] = q


def _rdiv(xp, a, b, out):
    """``scalar / array``: integer arrays are divided in floating point, then cast back."""
    if out.dtype.kind == "f":
        with np.errstate(all="ignore"):
            xp.true_divide(a, b, out=out)
        return
    with np.errstate(all="ignore"):  # MXNet divides in float32 here, even for int64
        c_cast(xp, xp.true_divide(_F32.type(a), b.astype(_F32)), out.dtype, out)


def _mod(xp, a, b, out):
    with np.errstate(all="ignore"):
        if out.dtype.kind == "f":
            xp.remainder(a, b, out=out)
            if _is_scalar(b):
                if b == 0:
                    out[...] = 0
            else:
                xp.copyto(out, 0, where=b == 0)
            return
        r = xp.remainder(_as_f64(a), _as_f64(b))
        if _is_scalar(b):
            if b == 0:
                r = xp.zeros_like(r)
        else:
            r = xp.where(b == 0, 0.0, r)
        c_cast(xp, r, out.dtype, out)


def _via_double(name: str, guarded: bool):
    """Float dtypes: the ufunc itself; integers: the ufunc in double, cast back."""
    square_fast = name == "power"

    def compute(xp, a, b, out):
        fn = getattr(xp, name)
        if out.dtype.kind == "f":
            if square_fast and type(b) is float and b == 2.0:
                try:  # x ** 2 is x * x exactly; only overflow can warn
                    xp.multiply(a, a, out=out)
                except _WARN:
                    pass
            elif guarded:
                try:
                    fn(a, b, out=out)
                except _WARN:
                    pass
            else:
                with np.errstate(all="ignore"):
                    fn(a, b, out=out)
            return
        with np.errstate(all="ignore"):
            c_cast(xp, fn(_as_f64(a), _as_f64(b)), out.dtype, out)

    compute.__name__ = name
    return compute


def _plain(name: str):
    """Ops that never raise floating-point flags (comparisons, logical ops)."""

    def compute(xp, a, b, out):
        getattr(xp, name)(a, b, out=out)

    compute.__name__ = name
    return compute


# family: (compute(xp, a, b, out), elemwise name + aliases, broadcast name + aliases, scalar names, reversed-scalar names)
_TABLE = {
    "add": (_guarded("add"), ("elemwise_add", "_add", "_plus", "_Plus"), ("broadcast_add", "broadcast_plus"), ("_plus_scalar", "_PlusScalar"), None),
    "sub": (
        _guarded("subtract"),
        ("elemwise_sub", "_sub", "_minus", "_Minus"),
        ("broadcast_sub", "broadcast_minus"),
        ("_minus_scalar", "_MinusScalar"),
        ("_rminus_scalar", "_RMinusScalar"),
    ),
    "mul": (_guarded("multiply"), ("elemwise_mul", "_mul", "_Mul"), ("broadcast_mul",), ("_mul_scalar", "_MulScalar"), None),
    "div": (_div, ("elemwise_div", "_div", "_Div"), ("broadcast_div",), ("_div_scalar", "_DivScalar"), ("_rdiv_scalar", "_RDivScalar")),
    "mod": (_mod, ("_mod", "_Mod"), ("broadcast_mod",), ("_mod_scalar", "_ModScalar"), ("_rmod_scalar", "_RModScalar")),
    "power": (_via_double("power", False), ("_power", "_Power"), ("broadcast_power",), ("_power_scalar", "_PowerScalar"), ("_rpower_scalar", "_RPowerScalar")),
    "maximum": (_guarded("maximum"), ("_maximum", "_Maximum"), ("broadcast_maximum",), ("_maximum_scalar", "_MaximumScalar"), None),
    "minimum": (_guarded("minimum"), ("_minimum", "_Minimum"), ("broadcast_minimum",), ("_minimum_scalar", "_MinimumScalar"), None),
    "hypot": (_via_double("hypot", True), ("_hypot",), ("broadcast_hypot",), ("_hypot_scalar", "_HypotScalar"), None),
    "equal": (_plain("equal"), ("_equal",), ("broadcast_equal",), ("_equal_scalar", "_EqualScalar"), None),
    "not_equal": (_plain("not_equal"), ("_not_equal",), ("broadcast_not_equal",), ("_not_equal_scalar", "_NotEqualScalar"), None),
    "greater": (_plain("greater"), ("_greater",), ("broadcast_greater",), ("_greater_scalar", "_GreaterScalar"), None),
    "greater_equal": (_plain("greater_equal"), ("_greater_equal",), ("broadcast_greater_equal",), ("_greater_equal_scalar", "_GreaterEqualScalar"), None),
    "lesser": (_plain("less"), ("_lesser",), ("broadcast_lesser",), ("_lesser_scalar", "_LesserScalar"), None),
    "lesser_equal": (_plain("less_equal"), ("_lesser_equal",), ("broadcast_lesser_equal",), ("_lesser_equal_scalar", "_LesserEqualScalar"), None),
    "logical_and": (_plain("logical_and"), ("_logical_and",), ("broadcast_logical_and",), ("_logical_and_scalar",), None),
    "logical_or": (_plain("logical_or"), ("_logical_or",), ("broadcast_logical_or",), ("_logical_or_scalar",), None),
    "logical_xor": (_plain("logical_xor"), ("_logical_xor",), ("broadcast_logical_xor",), ("_logical_xor_scalar",), None),
}


def binary_kernel(compute):
    """Kernel over two arrays from ``compute(xp, a, b, out)``."""
    np_fn = getattr(compute, "np_fn", None)
    if np_fn is not None:
        # plain ufuncs (add, subtract, multiply, maximum, minimum): on CPU call the
        # NumPy ufunc right here; this kernel runs for every `a + b` of a script
        def direct(p, ins, outs, req, rt):
            r = req[0]
            if rt.xp is np and (r == "write" or r == "inplace"):
                try:
                    np_fn(ins[0], ins[1], out=outs[0])
                except _WARN:
                    pass
            else:
                generic(p, ins, outs, req, rt)

        generic = _generic_binary_kernel(compute)
        return direct
    return _generic_binary_kernel(compute)


def _generic_binary_kernel(compute):
    def kernel(p, ins, outs, req, rt):
        r = req[0]
        if r == "write" or r == "inplace":
            compute(rt.xp, ins[0], ins[1], outs[0])
        elif r == "add":
            tmp = rt.xp.empty_like(outs[0])
            compute(rt.xp, ins[0], ins[1], tmp)
            outs[0] += tmp

    return kernel


def scalar_kernel(compute, reverse: bool):
    """Kernel of ``array op scalar`` (or ``scalar op array``); the scalar is cast to the array's dtype.

    float32/float64 arrays take the Python float as is (NumPy treats it as a
    weak scalar of the array's dtype), which keeps the common case cheap.
    """
    np_fn = getattr(compute, "np_fn", None)

    def kernel(p, ins, outs, req, rt):
        a = ins[0]
        s = p["scalar"]  # item access: Params attribute access goes through __getattr__
        dt = a.dtype
        if dt is _F32:
            if not -_F32MAX <= s <= _F32MAX:
                s = c_scalar(s, dt)
        elif dt is not _F64:
            s = c_scalar(s, dt)
        x, y = (s, a) if reverse else (a, s)
        r = req[0]
        if r == "write" or r == "inplace":
            if np_fn is not None and rt.xp is np:
                try:
                    np_fn(x, y, out=outs[0])
                except _WARN:
                    pass
            else:
                compute(rt.xp, x, y, outs[0])
        elif r == "add":
            tmp = rt.xp.empty_like(outs[0])
            compute(rt.xp, x, y, tmp)
            outs[0] += tmp

    return kernel


@partial_rule
def _broadcast_infer(p, in_shapes, out_shapes=None):
    """NumPy broadcasting; with partly known inputs, as MXNet's rule: an output dim
    is unknown where either input's is, and nothing flows back to the inputs."""
    lhs, rhs = in_shapes
    out = out_shapes[0] if out_shapes else None
    if lhs is None or rhs is None:
        return [lhs, rhs], [out]
    if shape_is_known(lhs) and shape_is_known(rhs):
        res = broadcast_shapes(lhs, rhs)
    else:
        n = max(len(lhs), len(rhs))
        pl = (1,) * (n - len(lhs)) + tuple(lhs)
        pr = (1,) * (n - len(rhs)) + tuple(rhs)
        dims = []
        for x, y in zip(pl, pr):
            if UNKNOWN in (x, y):
                dims.append(UNKNOWN)
            elif x != y and 1 not in (x, y):
                raise ShapeError(f"shapes {tuple(lhs)} and {tuple(rhs)} cannot be broadcast together")
            else:
                dims.append(y if x == 1 else x)
        res = tuple(dims)
    if out is not None:
        res = merge_shape(out, res, "output", f"from broadcasting {tuple(lhs)} and {tuple(rhs)}")
    return [lhs, rhs], [res]


@partial_rule
def _elemwise_rule(p, in_shapes, out_shapes=None):
    a, b = in_shapes
    if a is not None and b is not None and a != b:
        s = merge_dims(a, b)
        if s is None:
            raise ShapeError(f"lhs shape {a} and rhs shape {b} differ; elementwise ops need equal shapes (use broadcast_*)")
    else:
        s = a if a is not None else b
    if out_shapes and out_shapes[0] is not None and out_shapes[0] != s:
        s = merge_shape(out_shapes[0], s, "output", "from the inputs' shape")
    return [s, s], [s]


_SCALAR = {"scalar": Param("float", doc="the scalar operand")}


def _register_all() -> None:
    for fam, (compute, ew, bc, sc, rsc) in _TABLE.items():
        kernel = binary_kernel(compute)
        doc = f"Elementwise {fam}."
        nograd = fam in _NO_GRAD  # comparisons and logical ops: zero gradient, as MXNet
        ew_grad = _zero_gradient if nograd else _binary_gradient(None if fam == "add" else f"_backward_{fam}")
        bc_grad = _zero_gradient if nograd else _binary_gradient(f"_backward_broadcast_{fam}")
        register(
            OpDef(
                ew[0],
                kernel,
                inputs=("lhs", "rhs"),
                infer_shape=_elemwise_rule,
                aliases=ew[1:],
                inplace=((0, 0), (1, 0)),
                gradient=ew_grad,
                doc=doc + f" Inputs must have the same shape.\n\n>>> y = mx.nd.{ew[0]}(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))",
            )
        )
        register(
            OpDef(
                bc[0],
                kernel,
                inputs=("lhs", "rhs"),
                infer_shape=_broadcast_infer,
                aliases=bc[1:],
                gradient=bc_grad,
                doc=doc + f" Inputs broadcast as in NumPy.\n\n>>> y = mx.nd.{bc[0]}(mx.nd.ones((2, 3)), mx.nd.ones((1, 3)))",
            )
        )
        sdoc = f"\n\n>>> y = mx.nd.{sc[0]}(mx.nd.ones((2, 3)), scalar=2.0)"
        register(
            OpDef(
                sc[0],
                scalar_kernel(compute, False),
                params=_SCALAR,
                aliases=sc[1:],
                inplace=((0, 0),),
                gradient=_zero_gradient if nograd else _scalar_gradient(fam, False),
                doc=doc + " With a scalar on the right." + sdoc,
            )
        )
        if rsc is not None:
            rcompute = _rdiv if fam == "div" else compute
            register(
                OpDef(
                    rsc[0],
                    scalar_kernel(rcompute, True),
                    params=_SCALAR,
                    aliases=rsc[1:],
                    inplace=((0, 0),),
                    gradient=_scalar_gradient(fam, True),
                    doc=doc + " With a scalar on the left.",
                )
            )


# -- gradients ----------------------------------------------------------------------------
# elemwise_* and broadcast_* share one backward kernel per family: the gradient
# of each input at the output's shape, summed back to that input's shape (a
# no-op for elemwise_*). ``fn(xp, og, a, b, outl, outr) -> (gl, gr)`` may write
# into ``outl``/``outr`` (given when they can take the full-shape result).


def _g_add(xp, og, a, b, outl, outr):
    return og, og


def _g_sub(xp, og, a, b, outl, outr):
    return og, xp.negative(og, out=outr)


def _g_mul(xp, og, a, b, outl, outr):
    return xp.multiply(og, b, out=outl), xp.multiply(og, a, out=outr)


def _g_div(xp, og, a, b, outl, outr):
    gl = xp.divide(og, b, out=outl)
    return gl, -(gl * a) / b


def _g_mod(xp, og, a, b, outl, outr):
    if np.dtype(og.dtype).kind in "iub":
        # MXNet 1.9.1 gives integer mod zero gradients for both operands (what the head
        # gradient holds does not matter; test_broadcast_binary_op checks it)
        zero = xp.zeros_like(og)
        return zero, zero
    with np.errstate(all="ignore"):
        q = xp.floor(a / b)
    return og, -og * q


def _g_power(xp, og, a, b, outl, outr):
    # MXNet: d/da = b * a**(b-1), d/db = a**b * log(a) (nan for a <= 0 except where a**b is inf)
    return og * (b * xp.power(a, b - 1)), og * (xp.power(a, b) * xp.log(a))


def _g_maximum(xp, og, a, b, outl, outr):
    # ties go to lhs; where either is NaN neither gets the gradient (as MXNet)
    return og * (a >= b), og * (a < b)


def _g_minimum(xp, og, a, b, outl, outr):
    return og * (a <= b), og * (a > b)


def _g_hypot(xp, og, a, b, outl, outr):
    scale = og / xp.hypot(a, b)
    return a * scale, b * scale


_GRAD = {
    "add": _g_add,
    "sub": _g_sub,
    "mul": _g_mul,
    "div": _g_div,
    "mod": _g_mod,
    "power": _g_power,
    "maximum": _g_maximum,
    "minimum": _g_minimum,
    "hypot": _g_hypot,
}
_NO_GRAD = ("equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor")


def sum_to_shape(xp, g, shape: tuple):
    """Sum ``g`` over the axes that broadcasting stretched to reach it from ``shape``."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    acc = _F32 if g.dtype == np.float16 else None  # float16 sums accumulate in float32
    return g.sum(axis=axes, dtype=acc).reshape(shape)


def _store_grad(xp, out, req: str, g) -> None:
    if req == "null" or g is out:
        return
    g = sum_to_shape(xp, g, out.shape)
    if req == "add":
        out += g
    else:
        out[...] = g


def binary_backward_kernel(fn, bare: bool):
    """Kernel of ``_backward_<family>``/``_backward_broadcast_<family>``: (ograd, lhs, rhs) -> (lhs grad, rhs grad).

    ``bare``: the family only warns on inf/nan data, so it first runs without
    np.errstate (which slows every ufunc call); on a warning it runs again quietly.
    """

    def run(xp, og, a, b, outs, req):
        direct = [o if (r == "write" or r == "inplace") and o.shape == og.shape and o.dtype == og.dtype else None for o, r in zip(outs, req)]
        gl, gr = fn(xp, og, a, b, direct[0], direct[1])
        _store_grad(xp, outs[0], req[0], gl)
        _store_grad(xp, outs[1], req[1], gr)

    def kernel(p, ins, outs, req, rt):
        og, a, b = ins
        if bare and "add" not in req:  # with 'add' a second run would add twice
            try:
                run(rt.xp, og, a, b, outs, req)
                return
            except _WARN:
                pass
        with np.errstate(all="ignore"):  # x/0, log(0) and friends give inf/nan quietly, as MXNet
            run(rt.xp, og, a, b, outs, req)

    return kernel


def _binary_backward_shape(p, in_shapes):
    og, a, b = in_shapes
    if og is not None and a is not None and b is not None and broadcast_shapes(a, b) != tuple(og):
        raise ShapeError(f"ograd has shape {tuple(og)}, expected {broadcast_shapes(a, b)} (lhs {tuple(a)} broadcast with rhs {tuple(b)})")
    return list(in_shapes), [a, b]


def _binary_gradient(bname: str | None):
    """Rule of an elemwise_*/broadcast_* op; ``bname`` None: both gradients are the out-grad itself."""

    def rule(g, ograds):
        og = ograds[0]
        if og is None:
            return [None, None]
        if bname is None:
            return [og, og]
        return g.op(bname, [og, g.inputs[0], g.inputs[1]])

    return rule


def _zero_gradient(g, ograds):
    return [None] * len(g.inputs)


def _scalar_gradient(fam: str, reverse: bool):
    """Rule of ``_<fam>_scalar`` (or ``_r<fam>_scalar``): one op on the out-grad, or none."""
    if fam in ("add", "sub") and not reverse:
        reuse = None  # d/dx (x + s), (x - s) = 1
    elif fam == "sub":
        reuse = "negative"
    elif fam == "mul" or (fam == "div" and not reverse):
        reuse = f"_{fam}_scalar"  # og * s, og / s
    else:
        reuse = f"_backward_{'r' if reverse else ''}{fam}_scalar"
    uses_out = reuse == "_backward_rpower_scalar"

    def rule(g, ograds):
        og = ograds[0]
        if og is None:
            return [None]
        if reuse is None:
            return [og]
        if reuse == "negative":
            return [g.op1("negative", [og])]
        if reuse.startswith("_backward"):
            return [g.op1(reuse, [og, g.outputs[0] if uses_out else g.inputs[0]], g.attrs)]
        return [g.op1(reuse, [og], g.attrs)]

    return rule


# _backward_<name>_scalar: fn(xp, og, a, s) -> gradient; ``a`` is the forward input
# (the forward output for rpower: d/dx s**x = s**x * log(s))
_SCALAR_GRAD = {
    "rdiv": lambda xp, og, x, s: og * (-s / (x * x)),
    # d/dx (x % s) = 1; integer mod has zero gradients in MXNet (both directions)
    "mod": lambda xp, og, x, s: xp.zeros_like(og) if np.dtype(og.dtype).kind in "iub" else og,
    "rmod": lambda xp, og, x, s: xp.zeros_like(og) if np.dtype(og.dtype).kind in "iub" else -og * xp.floor(s / x),
    "power": lambda xp, og, x, s: og * (s * xp.power(x, s - 1)),
    # log(0) = -inf and log(<0) = nan make 0 * -inf = nan etc., as MXNet
    "rpower": lambda xp, og, y, s: og * (y * float(np.log(np.float64(s)))),
    "maximum": lambda xp, og, x, s: og * (x >= s),
    "minimum": lambda xp, og, x, s: og * (x <= s),
    "hypot": lambda xp, og, x, s: og * (x / xp.hypot(x, s)),
}


def _scalar_backward_kernel(fn):
    def kernel(p, ins, outs, req, rt):
        og, a = ins
        with np.errstate(all="ignore"):
            g = fn(rt.xp, og, a, p["scalar"])
            _store_grad(rt.xp, outs[0], req[0], g)

    return kernel


def _register_backward() -> None:
    for fam, fn in _GRAD.items():
        kernel = binary_backward_kernel(fn, fam in ("add", "sub", "mul", "maximum", "minimum"))
        for bname, rule in ((f"_backward_{fam}", _elemwise_rule), (f"_backward_broadcast_{fam}", None)):
            if fam == "add" and rule is not None:
                continue  # elemwise_add's gradient is the out-grad itself: no record needed
            register(
                OpDef(
                    bname,
                    kernel,
                    inputs=("ograd", "lhs", "rhs"),
                    outputs=("lhs", "rhs"),
                    infer_shape=_binary_backward_shape,
                    infer_type=lambda p, t: (list(t), [t[1], t[2]]),
                    doc=f"Gradients of {'broadcast_' if rule is None else 'elemwise '}{fam} with respect to lhs and rhs"
                    + (", each summed back to its input's shape." if rule is None else "."),
                )
            )
    for name, fn in _SCALAR_GRAD.items():
        register(
            OpDef(
                f"_backward_{name}_scalar",
                _scalar_backward_kernel(fn),
                params=_SCALAR,
                inputs=("ograd", "output" if name == "rpower" else "data"),
                infer_shape=same_shape,
                infer_type=lambda p, t: (list(t), [t[0]]),
                doc=f"Gradient of _{name}_scalar with respect to its array operand.",
            )
        )


_register_all()
_register_backward()


# -- add_n -------------------------------------------------------------------------------


def _add_n_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    out = outs[0]
    r = req[0]
    if r == "null":
        return
    # accumulate in ``out`` unless it is one of the later inputs (then it would be read after being overwritten)
    target = out if r != "add" and not any(x is out for x in ins[1:]) else xp.empty_like(out)
    with np.errstate(all="ignore"):
        if len(ins) == 1:
            target[...] = ins[0]
        else:
            xp.add(ins[0], ins[1], out=target)
            for x in ins[2:]:
                xp.add(target, x, out=target)
    if r == "add":
        out += target
    elif target is not out:
        out[...] = target


@partial_rule
def _add_n_shape(p, in_shapes, out_shapes=None):
    if len(in_shapes) != p.num_args:
        raise ShapeError(f"num_args is {p.num_args} but {len(in_shapes)} input(s) were given")
    return same_shape(p, in_shapes, out_shapes)


register(
    OpDef(
        "add_n",
        _add_n_kernel,
        params={"num_args": Param("int", doc="number of inputs to be summed", low=1)},
        variadic="data",
        infer_shape=_add_n_shape,
        infer_type=same_type,
        aliases=("ElementWiseSum",),
        inplace=((0, 0),),
        gradient=lambda g, ograds: [ograds[0]] * len(g.inputs),  # every input gets the out-grad
        doc="Sum of all inputs, elementwise; they must share shape and dtype.\n\n>>> y = mx.nd.add_n(mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.ones((2,)))",
    )
)
