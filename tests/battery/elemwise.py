"""Battery cases for the unary math family (mxpy/ops/elemwise.py).

References are computed independently in float64 with NumPy or the standard
library's ``math`` and cast to the input dtype; MXNet-specific edge cases
(integer casts, nan handling) are checked against MXNet's own output in
tests/test_arith_semantics.py.
"""

from __future__ import annotations

import math

import numpy as np

from . import add, f32

X = f32(3, 4, lo=-3.0, hi=3.0, seed=11)
POS = f32(3, 4, lo=0.1, hi=4.0, seed=12)
UNIT = f32(3, 4, lo=-0.95, hi=0.95, seed=13)
GE1 = f32(3, 4, lo=1.0, hi=5.0, seed=14)
HALVES = np.array([[-2.5, -1.5, -0.5, 0.5], [1.5, 2.5, -0.7, 0.7], [3.2, -3.2, 0.0, 4.5]], np.float32)


def _vec(fn):
    return np.vectorize(fn, otypes=[np.float64])


def _f64(fn):
    """Reference: ``fn`` on float64, cast back to the input dtype."""
    return lambda a: np.asarray(fn(a.astype(np.float64))).astype(a.dtype)


def _round_half_away(x):
    return np.trunc(x) + np.where(np.abs(x - np.trunc(x)) >= 0.5, np.sign(x), 0.0)


_FLOAT = {
    "exp": (X, np.exp),
    "expm1": (X, np.expm1),
    "log": (POS, np.log),
    "log2": (POS, np.log2),
    "log10": (POS, np.log10),
    "log1p": (POS, np.log1p),
    "sqrt": (POS, np.sqrt),
    "rsqrt": (POS, lambda x: 1.0 / np.sqrt(x)),
    "cbrt": (X, np.cbrt),
    "rcbrt": (POS, lambda x: 1.0 / np.cbrt(x)),
    "square": (X, np.square),
    "reciprocal": (POS, lambda x: 1.0 / x),
    "abs": (X, np.abs),
    "sign": (X, np.sign),
    "negative": (X, np.negative),
    "floor": (X, np.floor),
    "ceil": (X, np.ceil),
    "round": (HALVES, _round_half_away),
    "rint": (HALVES, lambda x: np.where(x - np.floor(x) <= np.ceil(x) - x, np.floor(x), np.ceil(x))),
    "fix": (HALVES, np.trunc),
    "trunc": (HALVES, np.trunc),
    "sin": (X, np.sin),
    "cos": (X, np.cos),
    "tan": (UNIT, np.tan),
    "arcsin": (UNIT, np.arcsin),
    "arccos": (UNIT, np.arccos),
    "arctan": (X, np.arctan),
    "sinh": (X, np.sinh),
    "cosh": (X, np.cosh),
    "tanh": (X, np.tanh),
    "arcsinh": (X, np.arcsinh),
    "arccosh": (GE1, np.arccosh),
    "arctanh": (UNIT, np.arctanh),
    "degrees": (X, np.degrees),
    "radians": (X, np.radians),
    "relu": (X, lambda x: np.maximum(x, 0.0)),
    "sigmoid": (X, lambda x: 1.0 / (1.0 + np.exp(-x))),
    "softsign": (X, lambda x: x / (1.0 + np.abs(x))),
    "erf": (X, _vec(math.erf)),
    "erfinv": (UNIT, None),  # checked through erf below
    "gamma": (X, _vec(math.gamma)),
    "gammaln": (POS, _vec(math.lgamma)),
    "logical_not": (np.array([[0.0, 1.0, -2.0], [0.0, 0.5, 0.0]], np.float32), lambda x: (x == 0).astype(np.float64)),
}

for _name, (_x, _fn) in _FLOAT.items():
    if _fn is not None:
        # gradient checks: round/rint jump at the halves HALVES sits on
        add(_name, [_x], ref=_f64(_fn), grad_inputs=[X] if _name in ("round", "rint") else None)


def _check_erfinv(outs, ins, params):
    y = outs[0].astype(np.float64)
    back = _vec(math.erf)(y)
    np.testing.assert_allclose(back, ins[0].astype(np.float64), rtol=1e-6, atol=1e-7)


add("erfinv", [UNIT], check=_check_erfinv)
add(
    "erfinv",
    [np.array([0.0, 0.5, -0.9, 0.999], np.float64)],
    ref=lambda a: np.array([0.0, 0.4769362762044699, -1.1630871536766743, 2.326753765513525]),
    note="f64",
)

# the special functions in float64 (about 1e-13 relative)
_G = np.array([-2.5, -0.5, 0.5, 1.0, 3.7, 10.0, 50.5], np.float64)
# gradient check without gamma(50.5) ~ 1e64, which swamps the other elements' differences
add("gamma", [_G], ref=_vec(math.gamma), rtol=1e-12, note="f64", grad_inputs=[_G[:6]])
add("gammaln", [_G], ref=_vec(lambda v: math.lgamma(v)), rtol=1e-12, atol=1e-13, note="f64")
add("erf", [np.array([-3.0, -0.3, 0.0, 1e-5, 0.9, 2.5], np.float64)], ref=_vec(math.erf), rtol=1e-13, note="f64")

# float16: computed in float32, rounded once
H = X.astype(np.float16)
for _name in ("exp", "sigmoid", "tanh", "sqrt", "erf", "round", "sign", "rsqrt", "gammaln"):
    _x = POS.astype(np.float16) if _name in ("sqrt", "rsqrt", "gammaln") else H
    add(_name, [_x], ref=_f64(_FLOAT[_name][1]), rtol=2e-3, atol=1e-3, note="f16")

# integers: some ops stay in the integer type, the rounding ops return the input,
# the rest compute in double and truncate back (all values here stay in range)
IX = np.array([[-3, -1, 0], [2, 5, 7]], np.int32)
IPOS = np.array([[1, 2, 3], [5, 10, 20]], np.int32)
add("abs", [IX], ref=np.abs, note="int")
add("negative", [IX], ref=np.negative, note="int")
add("square", [IX], ref=np.square, note="int")
add("sign", [IX], ref=np.sign, note="int")
add("relu", [IX], ref=lambda a: np.maximum(a, 0), note="int")
add("logical_not", [IX], ref=lambda a: (a == 0).astype(a.dtype), note="int")
for _name in ("floor", "ceil", "round", "rint", "fix", "trunc"):
    add(_name, [IX], ref=lambda a: a.copy(), note="int")
for _name, _fn in {"exp": np.exp, "sqrt": np.sqrt, "log": np.log, "cbrt": np.cbrt, "degrees": np.degrees, "sigmoid": _FLOAT["sigmoid"][1]}.items():
    add(_name, [IPOS], ref=lambda a, fn=_fn: np.trunc(fn(a.astype(np.float64))).astype(a.dtype), note="int")
add("gamma", [IPOS[:, :2]], ref=lambda a: np.array([[1, 1], [24, 362880]], a.dtype), note="int")
add("negative", [np.array([0, 3, 200], np.uint8)], ref=lambda a: np.array([0, 253, 56], np.uint8), note="uint8")
add("square", [np.array([-100, 5, 11], np.int8)], ref=lambda a: np.array([16, 25, 121], np.int8), note="int8")
add("exp", [np.array([0, 1, 6], np.uint8)], ref=lambda a: np.array([1, 2, 147], np.uint8), note="uint8")
