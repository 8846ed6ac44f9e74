"""Elementwise unary math (``exp``, ``log``, ``relu``, ``sigmoid``, ``erf``...).

One record per operator. Semantics follow MXNet 1.9.1 (checked against it,
see ``tests/golden/make_elemwise.py``):

- the result has the input's dtype;
- float16 math runs in float32 and rounds once at the end;
- integer inputs: ``abs``, ``negative``, ``square``, ``sign``, ``relu`` and
  ``logical_not`` work in the integer type (wrapping on overflow); the rounding
  ops return the input; everything else is computed in double and cast back
  the C way (``exp(int32 100)`` is ``-2147483648``, ``sqrt(int32 2)`` is 1);
- ``round`` rounds halves away from zero, ``rint`` toward -inf; ``fix`` and
  ``trunc`` truncate; ``sign(nan)`` is 0; ``relu(nan)`` is nan;
  ``gamma`` is inf at 0 and nan at negative integers, ``gammaln`` inf at both;
- domain errors give inf/nan silently (``log(0)`` is ``-inf``).

>>> import mxpy as mx
>>> mx.nd.round(mx.nd.array([-2.5, 0.5, 1.5])).asnumpy()
array([-3.,  1.,  2.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..registry import OpDef, Param, ShapeError, register, same_shape
from . import _mathfn

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)


def _ufunc(name: str) -> Callable:
    def compute(xp, a, out):
        getattr(xp, name)(a, out=out)

    compute.__name__ = name
    return compute


def _ufunc_rounded(name: str) -> Callable:
    # NumPy's float32 SIMD loops (exp) are up to 2 ulp off; MXNet's CPU kernels call
    # the C library, which is almost always correctly rounded. Running the ufunc's
    # float64 loop with a float32 output (buffered, no temporary array) matches it:
    # exp(float32 1) is 2.7182817, as MXNet, not NumPy's 2.718282.
    def compute(xp, a, out):
        if xp is np and a.dtype.itemsize == 4:
            getattr(xp, name)(a, out=out, dtype=_F64)
        else:
            getattr(xp, name)(a, out=out)

    compute.__name__ = name
    return compute


# -- float computations that are more than one ufunc ---------------------------------
# Each writes ``out``, which may be the input itself (inplace): read ``a`` fully
# before the first write to ``out``.


def _sign(xp, a, out):
    xp.sign(a, out=out)
    xp.copyto(out, 0, where=xp.isnan(out))  # MXNet's sign(nan) is 0


def _round(xp, a, out):
    t = xp.trunc(a)
    half = xp.abs(a - t) >= 0.5
    xp.add(t, xp.copysign(half, a).astype(out.dtype, copy=False), out=out)


def _rint(xp, a, out):
    # MXNet's rint picks the nearer of floor and ceil, and floor on a tie
    f = xp.floor(a)
    c = xp.ceil(a)
    xp.copyto(out, xp.where(a - f <= c - a, f, c))


def _rsqrt(xp, a, out):
    xp.sqrt(a, out=out)
    xp.reciprocal(out, out=out)


def _rcbrt(xp, a, out):
    xp.cbrt(a, out=out)
    xp.reciprocal(out, out=out)


def _sigmoid(xp, a, out):
    xp.negative(a, out=out)
    xp.exp(out, out=out)
    out += 1
    xp.reciprocal(out, out=out)


def _softsign(xp, a, out):
    d = xp.abs(a)
    d += 1
    xp.divide(a, d, out=out)


def _relu(xp, a, out):
    xp.maximum(a, 0, out=out)


def _logical_not(xp, a, out):
    xp.equal(a, 0, out=out)


def _special(fn: Callable) -> Callable:
    def compute(xp, a, out):
        out[...] = fn(xp, a)

    compute.__name__ = fn.__name__
    return compute


# -- the table ---------------------------------------------------------------------
# name: (float compute, warn, work, ints)
#   warn  "bare":  cannot raise floating-point flags; runs without np.errstate
#         "quiet": may (overflow, domain errors): runs under np.errstate, as MXNet is silent
#   work  "same":  compute in the input dtype (NumPy's float16 loops run in float32)
#         "f32":   float16 computed in float32, other floats in their own dtype
#         "f64":   computed in float64 for every dtype
#   ints  "native": the compute works on integers directly; "id": returns the input;
#         "double": float64 then a C-style cast back
_OPS: dict[str, tuple[Callable, str, str, str]] = {
    "exp": (_ufunc_rounded("exp"), "quiet", "same", "double"),
    "expm1": (_ufunc("expm1"), "quiet", "same", "double"),
    "log": (_ufunc("log"), "quiet", "same", "double"),
    "log2": (_ufunc("log2"), "quiet", "same", "double"),
    "log10": (_ufunc("log10"), "quiet", "same", "double"),
    "log1p": (_ufunc("log1p"), "quiet", "same", "double"),
    "sqrt": (_ufunc("sqrt"), "quiet", "same", "double"),
    "rsqrt": (_rsqrt, "quiet", "f32", "double"),
    "cbrt": (_ufunc("cbrt"), "bare", "same", "double"),
    "rcbrt": (_rcbrt, "quiet", "f32", "double"),
    "square": (_ufunc("square"), "quiet", "same", "native"),
    "reciprocal": (_ufunc("reciprocal"), "quiet", "same", "double"),
    "abs": (_ufunc("abs"), "bare", "same", "native"),
    "sign": (_sign, "bare", "same", "native"),
    "negative": (_ufunc("negative"), "bare", "same", "native"),
    "floor": (_ufunc("floor"), "bare", "same", "id"),
    "ceil": (_ufunc("ceil"), "bare", "same", "id"),
    "round": (_round, "quiet", "same", "id"),
    "rint": (_rint, "quiet", "same", "id"),
    "fix": (_ufunc("trunc"), "bare", "same", "id"),
    "trunc": (_ufunc("trunc"), "bare", "same", "id"),
    "sin": (_ufunc("sin"), "quiet", "same", "double"),
    "cos": (_ufunc("cos"), "quiet", "same", "double"),
    "tan": (_ufunc("tan"), "quiet", "same", "double"),
    "arcsin": (_ufunc("arcsin"), "quiet", "same", "double"),
    "arccos": (_ufunc("arccos"), "quiet", "same", "double"),
    "arctan": (_ufunc("arctan"), "bare", "same", "double"),
    "sinh": (_ufunc("sinh"), "quiet", "same", "double"),
    "cosh": (_ufunc("cosh"), "quiet", "same", "double"),
    "tanh": (_ufunc("tanh"), "bare", "same", "double"),
    "arcsinh": (_ufunc("arcsinh"), "bare", "same", "double"),
    "arccosh": (_ufunc("arccosh"), "quiet", "same", "double"),
    "arctanh": (_ufunc("arctanh"), "quiet", "same", "double"),
    "degrees": (_ufunc("degrees"), "quiet", "same", "double"),
    "radians": (_ufunc("radians"), "quiet", "same", "double"),
    "relu": (_relu, "bare", "same", "native"),
    "sigmoid": (_sigmoid, "quiet", "f32", "double"),
    "softsign": (_softsign, "quiet", "f32", "double"),
    "erf": (_special(_mathfn.erf), "quiet", "f64", "double"),
    "erfinv": (_special(_mathfn.erfinv), "quiet", "f64", "double"),
    "gamma": (_special(_mathfn.gamma), "quiet", "f64", "double"),
    "gammaln": (_special(_mathfn.gammaln), "quiet", "f64", "double"),
    "logical_not": (_logical_not, "bare", "same", "native"),
}

_DOCS = {
    "exp": "e ** x.",
    "expm1": "exp(x) - 1, accurate for small x.",
    "log": "Natural logarithm (log(0) is -inf, negative inputs give nan).",
    "log2": "Base-2 logarithm.",
    "log10": "Base-10 logarithm.",
    "log1p": "log(1 + x), accurate for small x.",
    "sqrt": "Square root.",
    "rsqrt": "1 / sqrt(x).",
    "cbrt": "Cube root.",
    "rcbrt": "1 / cbrt(x).",
    "square": "x * x.",
    "reciprocal": "1 / x.",
    "abs": "Absolute value.",
    "sign": "-1, 0 or 1 by the sign of x (0 for nan).",
    "negative": "-x.",
    "floor": "Largest integer <= x.",
    "ceil": "Smallest integer >= x.",
    "round": "Nearest integer, halves away from zero (round(-2.5) is -3).",
    "rint": "Nearest integer, halves toward -inf (rint(2.5) is 2, rint(-2.5) is -3).",
    "fix": "Round toward zero.",
    "trunc": "Round toward zero.",
    "relu": "max(x, 0); nan stays nan.",
    "sigmoid": "1 / (1 + exp(-x)).",
    "softsign": "x / (1 + |x|).",
    "erf": "The Gauss error function.",
    "erfinv": "Inverse of erf: +-inf at +-1, nan outside [-1, 1].",
    "gamma": "The gamma function: inf at 0, nan at negative integers.",
    "gammaln": "log |gamma(x)|: inf at 0 and negative integers.",
    "logical_not": "1 where x == 0, else 0 (nan counts as true, so gives 0).",
    "degrees": "Radians to degrees.",
    "radians": "Degrees to radians.",
}


def _c_cast_into(xp, v, out) -> None:
    _mathfn.c_cast(xp, v, out.dtype, out)


def unary_kernel(compute: Callable, warn: str, work: str, ints: str) -> Callable:
    """The kernel of one unary op from its float ``compute(xp, a, out)`` (see the table above)."""
    bare = warn == "bare"

    def run(xp, a, out):
        if a.dtype.kind == "f":
            if work == "same" or (work == "f32" and a.dtype.itemsize >= 4) or (work == "f64" and a.dtype.itemsize == 8):
                if bare:
                    compute(xp, a, out)
                else:
                    with np.errstate(all="ignore"):
                        compute(xp, a, out)
                return
            wdt = _F64 if work == "f64" else _F32
            tmp = xp.empty(a.shape, wdt)
            with np.errstate(all="ignore"):
                compute(xp, a.astype(wdt), tmp)
                out[...] = tmp
        elif ints == "native":
            compute(xp, a, out)
        elif ints == "id":
            if out is not a:
                out[...] = a
        else:
            tmp = xp.empty(a.shape, _F64)
            with np.errstate(all="ignore"):
                compute(xp, a.astype(_F64), tmp)
                _c_cast_into(xp, tmp, out)

    def kernel(p, ins, outs, req, rt):
        r = req[0]
        if r == "write" or r == "inplace":
            run(rt.xp, ins[0], outs[0])
        elif r == "add":
            tmp = rt.xp.empty_like(outs[0])
            run(rt.xp, ins[0], tmp)
            outs[0] += tmp

    return kernel


def _numeric_type(p, in_types, n_out=1):
    """Same dtype in and out; bool has no math kernels in MXNet."""
    t = in_types[0] if in_types else None
    if t is not None and np.dtype(t).kind == "b":
        raise ShapeError("input 'data' has dtype bool; expected a float or integer dtype")
    return [t], [t] * n_out


def _register_all() -> None:
    for name, (compute, warn, work, ints) in _OPS.items():
        doc = f"Elementwise {name}: {_DOCS.get(name, name + '(x).')}\n\n>>> y = mx.nd.{name}(mx.nd.array([0.5, 2.0]))"
        register(OpDef(name, unary_kernel(compute, warn, work, ints), infer_type=_numeric_type, inplace=((0, 0),), gradient=gradient_of(name), doc=doc))


# -- gradients ---------------------------------------------------------------------
# One record, ``_backward_unary``, serves every differentiable op: its ``op`` param
# names the forward op and its second input is the forward *output* for the ops
# in _USE_OUT (cheaper: exp, tanh, sigmoid... reuse what forward computed) and
# the forward *input* otherwise, as MXNet's own backward kernels do.
# Each entry: fn(xp, og, a, out) -> gradient, written into ``out`` when it is not
# None (then ``out`` has og's dtype and aliases neither input).

_LN2 = float(np.log(2.0))
_LN10 = float(np.log(10.0))
_SQRT_PI = float(np.sqrt(np.pi))


def _g_sigmoid(xp, og, y, out):
    r = xp.subtract(1, y, out=out)  # og * y * (1 - y) with no temporary when out is given
    r *= y
    r *= og
    return r


def _g_tanh(xp, og, y, out):
    r = xp.multiply(y, y, out=out)
    xp.subtract(1, r, out=r)
    r *= og
    return r


def _g_relu(xp, og, y, out):
    r = xp.multiply(og, y > 0, out=out)
    if y.dtype.kind == "f":  # MXNet's relu_grad passes NaN through: d relu(nan) is nan
        xp.copyto(r, y, where=xp.isnan(y))
    return r


def _g_gamma(xp, og, x, out):
    x64 = x.astype(_F64)
    return xp.multiply(og, (_mathfn.gamma(xp, x64) * _mathfn.digamma(xp, x64)).astype(x.dtype), out=out)


_BACKWARD: dict[str, Callable] = {
    "exp": lambda xp, og, y, out: xp.multiply(og, y, out=out),
    "expm1": lambda xp, og, x, out: xp.multiply(og, xp.exp(x), out=out),
    "log": lambda xp, og, x, out: xp.divide(og, x, out=out),
    "log2": lambda xp, og, x, out: xp.divide(og, x * _LN2, out=out),
    "log10": lambda xp, og, x, out: xp.divide(og, x * _LN10, out=out),
    "log1p": lambda xp, og, x, out: xp.divide(og, 1 + x, out=out),
    "sqrt": lambda xp, og, y, out: xp.divide(og, 2 * y, out=out),
    "rsqrt": lambda xp, og, x, out: xp.multiply(og, (-0.5 / (x * xp.sqrt(x))), out=out),
    "cbrt": lambda xp, og, y, out: xp.divide(og, 3 * y * y, out=out),
    "rcbrt": lambda xp, og, x, out: xp.multiply(og, (-1.0 / (3 * x * xp.cbrt(x))), out=out),
    "square": lambda xp, og, x, out: xp.multiply(og, 2 * x, out=out),
    "reciprocal": lambda xp, og, x, out: xp.divide(og, -(x * x), out=out),
    "abs": lambda xp, og, x, out: xp.multiply(og, xp.sign(x), out=out),
    "sin": lambda xp, og, x, out: xp.multiply(og, xp.cos(x), out=out),
    "cos": lambda xp, og, x, out: xp.multiply(og, -xp.sin(x), out=out),
    "tan": lambda xp, og, y, out: xp.multiply(og, 1 + y * y, out=out),
    "arcsin": lambda xp, og, x, out: xp.divide(og, xp.sqrt(1 - x * x), out=out),
    "arccos": lambda xp, og, x, out: xp.divide(og, -xp.sqrt(1 - x * x), out=out),
    "arctan": lambda xp, og, x, out: xp.divide(og, 1 + x * x, out=out),
    "sinh": lambda xp, og, x, out: xp.multiply(og, xp.cosh(x), out=out),
    "cosh": lambda xp, og, x, out: xp.multiply(og, xp.sinh(x), out=out),
    "tanh": _g_tanh,
    "arcsinh": lambda xp, og, x, out: xp.divide(og, xp.sqrt(x * x + 1), out=out),
    "arccosh": lambda xp, og, x, out: xp.divide(og, xp.sqrt(x * x - 1), out=out),
    "arctanh": lambda xp, og, x, out: xp.divide(og, 1 - x * x, out=out),
    "degrees": lambda xp, og, x, out: xp.multiply(og, 180.0 / np.pi, out=out),
    "radians": lambda xp, og, x, out: xp.multiply(og, np.pi / 180.0, out=out),
    "relu": _g_relu,
    "sigmoid": _g_sigmoid,
    "softsign": lambda xp, og, x, out: xp.divide(og, xp.square(1 + xp.abs(x)), out=out),
    "erf": lambda xp, og, x, out: xp.multiply(og, ((2.0 / _SQRT_PI) * xp.exp(-(x * x))), out=out),
    "erfinv": lambda xp, og, y, out: xp.multiply(og, ((0.5 * _SQRT_PI) * xp.exp(y * y)), out=out),
    "gamma": _g_gamma,
    "gammaln": lambda xp, og, x, out: xp.multiply(og, _mathfn.digamma(xp, x.astype(_F64)).astype(x.dtype), out=out),
}
_USE_OUT = frozenset({"exp", "sqrt", "cbrt", "tan", "tanh", "relu", "sigmoid", "erfinv"})
_BARE = frozenset({"relu", "sigmoid", "tanh", "exp", "square", "abs", "sin", "cos", "degrees", "radians"})
_WARN = (RuntimeWarning, FloatingPointError)
# piecewise constant: MXNet gives them zero gradients
_ZERO_GRAD = ("sign", "floor", "ceil", "round", "rint", "fix", "trunc", "logical_not")


def _backward_unary_kernel(p, ins, outs, req, rt):
    r = req[0]
    if r == "null":
        return
    og, a = ins
    out = outs[0]
    if og.dtype == np.float16:  # float16 math in float32, one rounding at the end
        og, a = og.astype(_F32), a.astype(_F32)
    direct = out if r != "add" and out.dtype == og.dtype and og.dtype.kind == "f" else None
    fn = _BACKWARD[p["op"]]
    g = None
    if p["op"] in _BARE:
        # np.errstate slows every ufunc call down; these can only warn on inf/nan
        # out-grads, and NumPy warns after the loop, so the result is complete
        try:
            g = fn(rt.xp, og, a, direct)
        except _WARN:
            g = direct
    with np.errstate(all="ignore"):  # 1/0 -> inf, 0 * inf -> nan, as in MXNet
        if g is None:
            g = fn(rt.xp, og, a, direct)
        if g is out:
            return
        if r == "add":
            out += g.astype(out.dtype, copy=False)
        else:
            out[...] = g


def _unary_gradient(name: str) -> Callable:
    def rule(g, ograds):
        if ograds[0] is None:
            return [None]
        arg = g.outputs[0] if name in _USE_OUT else g.inputs[0]
        return [g.op1("_backward_unary", [ograds[0], arg], op=name)]

    return rule


def _negative_gradient(g, ograds):
    return [None if ograds[0] is None else g.op1("negative", [ograds[0]])]


def _zero_gradient(g, ograds):
    return [None] * len(g.inputs)


def gradient_of(name: str) -> Callable | None:
    """The gradient rule of unary op ``name`` (None for ops without one)."""
    if name in _BACKWARD:
        return _unary_gradient(name)
    if name == "negative":
        return _negative_gradient
    if name in _ZERO_GRAD:
        return _zero_gradient
    return None


register(
    OpDef(
        "_backward_unary",
        _backward_unary_kernel,
        params={"op": Param("str", doc="the forward unary op", choices=tuple(sorted(_BACKWARD)))},
        inputs=("ograd", "arg"),
        infer_shape=same_shape,
        infer_type=lambda p, t: (list(t), [t[0]]),
        doc="Gradient of a unary math op: ``ograd * op'(x)``. ``arg`` is the forward output for "
        "exp, sqrt, cbrt, tan, tanh, relu, sigmoid and erfinv, the forward input otherwise.\n\n"
        ">>> g = mx.nd._internal._backward_unary(mx.nd.ones((2,)), mx.nd.array([1.0, 2.0]), op='exp')",
    )
)


_register_all()
