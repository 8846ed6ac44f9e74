"""Binary arithmetic: ``elemwise_*`` (same shape), ``broadcast_*`` and ``_*_scalar``.

Results keep the input dtype, as MXNet: comparisons give 0/1 in that dtype
(float32 for float32 inputs), and a scalar is cast to the array's dtype first
(``int32_array * 1.5`` multiplies by 1). Integer division truncates toward
zero and integer division by zero gives 0 as NumPy does, without a warning.
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, broadcast_shapes, forward_shape, register
from ._util import store


def _div(xp, a, b, out=None):
    if a.dtype.kind in "iub":
        with np.errstate(all="ignore"):
            q = xp.trunc(xp.true_divide(a, b))
            q = xp.where(b == 0, 0, q)
        if out is None:
            return q.astype(a.dtype)
        out[...] = q
        return out
    with np.errstate(all="ignore"):
        return xp.true_divide(a, b, out=out)


def _mod(xp, a, b, out=None):
    # MXNet's mod follows the divisor's sign (Python/NumPy semantics) and gives 0 for b == 0
    with np.errstate(all="ignore"):
        r = xp.mod(a, b)
        if a.dtype.kind == "f":
            r = xp.where(b == 0, 0, r)
    if out is None:
        return r.astype(a.dtype, copy=False)
    out[...] = r
    return out


def _power(xp, a, b, out=None):
    with np.errstate(all="ignore"):
        if a.dtype.kind in "iu":
            r = xp.power(a.astype(np.float64), b).astype(a.dtype)
            if out is None:
                return r
            out[...] = r
            return out
        return xp.power(a, b, out=out)


def _hypot(xp, a, b, out=None):
    if a.dtype.kind != "f":
        r = xp.hypot(a.astype(np.float64), b).astype(a.dtype)
        if out is None:
            return r
        out[...] = r
        return out
    return xp.hypot(a, b, out=out)


def _ufunc(name):
    def compute(xp, a, b, out=None):
        return getattr(xp, name)(a, b, out=out)

    compute.__name__ = name
    return compute


def _logical(name):
    def compute(xp, a, b, out=None):
        r = getattr(xp, name)(a != 0, b != 0)
        if out is None:
            return r.astype(a.dtype)
        out[...] = r
        return out

    compute.__name__ = name
    return compute


def _compare(name):
    def compute(xp, a, b, out=None):
        if out is None:
            return getattr(xp, name)(a, b).astype(a.dtype)
        return getattr(xp, name)(a, b, out=out, casting="unsafe")

    compute.__name__ = name
    return compute


# family name: (compute(xp, a, b, out), elemwise name + aliases, broadcast name + aliases, scalar, rscalar)
_TABLE = {
    "add": (_ufunc("add"), ("elemwise_add", "_add", "_plus", "_Plus"), ("broadcast_add", "broadcast_plus"), ("_plus_scalar", "_PlusScalar"), None),
    "sub": (
        _ufunc("subtract"),
        ("elemwise_sub", "_sub", "_minus", "_Minus"),
        ("broadcast_sub", "broadcast_minus"),
        ("_minus_scalar", "_MinusScalar"),
        ("_rminus_scalar", "_RMinusScalar"),
    ),
    "mul": (_ufunc("multiply"), ("elemwise_mul", "_mul", "_Mul"), ("broadcast_mul",), ("_mul_scalar", "_MulScalar"), None),
    "div": (_div, ("elemwise_div", "_div", "_Div"), ("broadcast_div",), ("_div_scalar", "_DivScalar"), ("_rdiv_scalar", "_RDivScalar")),
    "mod": (_mod, ("_mod", "_Mod"), ("broadcast_mod",), ("_mod_scalar", "_ModScalar"), ("_rmod_scalar", "_RModScalar")),
    "power": (_power, ("_power", "_Power"), ("broadcast_power",), ("_power_scalar", "_PowerScalar"), ("_rpower_scalar", "_RPowerScalar")),
    "maximum": (_ufunc("maximum"), ("_maximum", "_Maximum"), ("broadcast_maximum",), ("_maximum_scalar", "_MaximumScalar"), None),
    "minimum": (_ufunc("minimum"), ("_minimum", "_Minimum"), ("broadcast_minimum",), ("_minimum_scalar", "_MinimumScalar"), None),
    "hypot": (_hypot, ("_hypot",), ("broadcast_hypot",), ("_hypot_scalar", "_HypotScalar"), None),
    "equal": (_compare("equal"), ("_equal",), ("broadcast_equal",), ("_equal_scalar", "_EqualScalar"), None),
    "not_equal": (_compare("not_equal"), ("_not_equal",), ("broadcast_not_equal",), ("_not_equal_scalar", "_NotEqualScalar"), None),
    "greater": (_compare("greater"), ("_greater",), ("broadcast_greater",), ("_greater_scalar", "_GreaterScalar"), None),
    "greater_equal": (_compare("greater_equal"), ("_greater_equal",), ("broadcast_greater_equal",), ("_greater_equal_scalar", "_GreaterEqualScalar"), None),
    "lesser": (_compare("less"), ("_lesser",), ("broadcast_lesser",), ("_lesser_scalar", "_LesserScalar"), None),
    "lesser_equal": (_compare("less_equal"), ("_lesser_equal",), ("broadcast_lesser_equal",), ("_lesser_equal_scalar", "_LesserEqualScalar"), None),
    "logical_and": (_logical("logical_and"), ("_logical_and",), ("broadcast_logical_and",), ("_logical_and_scalar",), None),
    "logical_or": (_logical("logical_or"), ("_logical_or",), ("broadcast_logical_or",), ("_logical_or_scalar",), None),
    "logical_xor": (_logical("logical_xor"), ("_logical_xor",), ("broadcast_logical_xor",), ("_logical_xor_scalar",), None),
}

# the ops whose plain ufunc can write straight into ``out``
_DIRECT = {"add", "sub", "mul", "maximum", "minimum"}


def binary_kernel(compute, direct: bool):
    """Kernel over two arrays; ``direct`` computes can target ``out`` themselves."""

    def kernel(p, ins, outs, req, rt):
        r = req[0]
        if r == "write" or r == "inplace":
            if direct:
                compute(rt.xp, ins[0], ins[1], out=outs[0])
            else:
                compute(rt.xp, ins[0], ins[1], outs[0])
        else:
            store(outs[0], r, compute(rt.xp, ins[0], ins[1]))

    return kernel


def scalar_kernel(compute, reverse: bool):
    """Kernel of ``array op scalar`` (or ``scalar op array``); the scalar takes the array's dtype."""

    def kernel(p, ins, outs, req, rt):
        a = ins[0]
        s = p.scalar
        if reverse or a.dtype.kind != "f":
            # a Python float would promote an integer array; MXNet casts the scalar
            s = rt.xp.asarray(a.dtype.type(s) if a.dtype.kind != "b" else s, dtype=a.dtype)
        x, y = (s, a) if reverse else (a, s)
        r = req[0]
        if r == "write" or r == "inplace":
            compute(rt.xp, x, y, out=outs[0])
        else:
            store(outs[0], r, compute(rt.xp, x, y))

    return kernel


def _broadcast_rule(p, lhs, rhs):
    return broadcast_shapes(lhs, rhs)


def _elemwise_rule(p, in_shapes):
    a, b = in_shapes
    if a is not None and b is not None and a != b:
        raise ShapeError(f"lhs shape {a} and rhs shape {b} differ; elementwise ops need equal shapes (use broadcast_*)")
    s = a if a is not None else b
    return [s, s], [s]


_SCALAR = {"scalar": Param("float", doc="the scalar operand")}


def _register_all() -> None:
    for fam, (compute, ew, bc, sc, rsc) in _TABLE.items():
        kernel = binary_kernel(compute, fam in _DIRECT)
        doc = f"Elementwise {fam}."
        register(
            OpDef(
                ew[0],
                kernel,
                inputs=("lhs", "rhs"),
                infer_shape=_elemwise_rule,
                aliases=ew[1:],
                inplace=((0, 0), (1, 0)),
                doc=doc + " Inputs must have the same shape.",
            )
        )
        register(
            OpDef(bc[0], kernel, inputs=("lhs", "rhs"), infer_shape=forward_shape(_broadcast_rule), aliases=bc[1:], doc=doc + " Inputs broadcast as in NumPy.")
        )
        register(OpDef(sc[0], scalar_kernel(compute, False), params=_SCALAR, aliases=sc[1:], inplace=((0, 0),), doc=doc + " With a scalar on the right."))
        if rsc is not None:
            register(OpDef(rsc[0], scalar_kernel(compute, True), params=_SCALAR, aliases=rsc[1:], inplace=((0, 0),), doc=doc + " With a scalar on the left."))


_register_all()
