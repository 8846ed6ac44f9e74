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

from ..registry import OpDef, Param, ShapeError, broadcast_shapes, forward_shape, register, same_type
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

    def compute(xp, a, b, out):
        try:
            getattr(xp, name)(a, b, out=out)
        except _WARN:
            pass

    compute.__name__ = name
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
            compute(rt.xp, x, y, outs[0])
        elif r == "add":
            tmp = rt.xp.empty_like(outs[0])
            compute(rt.xp, x, y, tmp)
            outs[0] += tmp

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
        kernel = binary_kernel(compute)
        doc = f"Elementwise {fam}."
        register(
            OpDef(
                ew[0],
                kernel,
                inputs=("lhs", "rhs"),
                infer_shape=_elemwise_rule,
                aliases=ew[1:],
                inplace=((0, 0), (1, 0)),
                doc=doc + f" Inputs must have the same shape.\n\n>>> y = mx.nd.{ew[0]}(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))",
            )
        )
        register(
            OpDef(
                bc[0],
                kernel,
                inputs=("lhs", "rhs"),
                infer_shape=forward_shape(_broadcast_rule),
                aliases=bc[1:],
                doc=doc + f" Inputs broadcast as in NumPy.\n\n>>> y = mx.nd.{bc[0]}(mx.nd.ones((2, 3)), mx.nd.ones((1, 3)))",
            )
        )
        sdoc = f"\n\n>>> y = mx.nd.{sc[0]}(mx.nd.ones((2, 3)), scalar=2.0)"
        register(
            OpDef(sc[0], scalar_kernel(compute, False), params=_SCALAR, aliases=sc[1:], inplace=((0, 0),), doc=doc + " With a scalar on the right." + sdoc)
        )
        if rsc is not None:
            rcompute = _rdiv if fam == "div" else compute
            register(OpDef(rsc[0], scalar_kernel(rcompute, True), params=_SCALAR, aliases=rsc[1:], inplace=((0, 0),), doc=doc + " With a scalar on the left."))


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


def _add_n_shape(p, in_shapes):
    if len(in_shapes) != p.num_args:
        raise ShapeError(f"num_args is {p.num_args} but {len(in_shapes)} input(s) were given")
    known = None
    for i, s in enumerate(in_shapes):
        if s is not None:
            if known is not None and s != known:
                raise ShapeError(f"input {i} has shape {s}, expected {known} (same as the other inputs)")
            known = s
    return [known] * len(in_shapes), [known]


_register_all()
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
        doc="Sum of all inputs, elementwise; they must share shape and dtype.\n\n>>> y = mx.nd.add_n(mx.nd.ones((2,)), mx.nd.ones((2,)), mx.nd.ones((2,)))",
    )
)
