"""Battery cases for the core families written first (binary arithmetic, init, Reshape)."""

from __future__ import annotations

import numpy as np

from . import add, f32

A, B = f32(2, 3, seed=1), f32(2, 3, seed=2)
Bpos = f32(2, 3, lo=0.5, hi=2.0, seed=3)
ROW = f32(1, 3, seed=4)

_BIN = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "hypot": np.hypot,
}
for fam, fn in _BIN.items():
    ew = {"add": "elemwise_add", "sub": "elemwise_sub", "mul": "elemwise_mul"}.get(fam, f"_{fam}")
    add(ew, [A, B], ref=fn)
    add(f"broadcast_{fam}", [A, ROW], ref=fn)
    sc = {"add": "_plus_scalar", "sub": "_minus_scalar"}.get(fam, f"_{fam}_scalar")
    add(sc, [A], {"scalar": 0.5}, ref=lambda a, scalar, fn=fn: fn(a, np.float32(scalar)))
add("_rminus_scalar", [A], {"scalar": 2.0}, ref=lambda a, scalar: np.float32(scalar) - a)
add("elemwise_div", [A, Bpos], ref=np.divide)
add("broadcast_div", [A, Bpos[:1]], ref=np.divide)
add("_div_scalar", [A], {"scalar": 4.0}, ref=lambda a, scalar: a / np.float32(scalar))
add("_rdiv_scalar", [Bpos], {"scalar": 2.0}, ref=lambda a, scalar: np.float32(scalar) / a)
add("_mod", [A, Bpos], ref=np.mod, rtol=1e-4, atol=1e-5)
add("broadcast_mod", [A, Bpos[:1]], ref=np.mod, rtol=1e-4, atol=1e-5)
add("_mod_scalar", [A], {"scalar": 0.3}, ref=lambda a, scalar: np.mod(a, np.float32(scalar)), rtol=1e-4, atol=1e-5)
add("_rmod_scalar", [Bpos], {"scalar": 3.0}, ref=lambda a, scalar: np.mod(np.float32(scalar), a), rtol=1e-4, atol=1e-5)
add("_power", [Bpos, A], ref=np.power, rtol=1e-5)
add("broadcast_power", [Bpos, ROW], ref=np.power, rtol=1e-5)
add("_power_scalar", [Bpos], {"scalar": 2.0}, ref=lambda a, scalar: a ** np.float32(scalar))
add("_rpower_scalar", [A], {"scalar": 2.0}, ref=lambda a, scalar: np.float32(scalar) ** a)

_CMP = {
    "equal": np.equal,
    "not_equal": np.not_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
    "lesser": np.less,
    "lesser_equal": np.less_equal,
}
C = np.array([[0.0, 1.0, 2.0], [3.0, 1.0, 0.0]], np.float32)
# gradient checks: C and D sit on the comparisons' jumps (ties, zeros); A and B do not
_NO_TIES, _NO_TIES_ROW = [A, B], [A, ROW]
D = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]], np.float32)
for fam, fn in _CMP.items():
    add(f"_{fam}", [C, D], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype), grad_inputs=_NO_TIES)
    add(f"broadcast_{fam}", [C, D[:1]], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype), grad_inputs=_NO_TIES_ROW)
    add(f"_{fam}_scalar", [C], {"scalar": 1.0}, ref=lambda a, scalar, fn=fn: fn(a, scalar).astype(a.dtype), grad_inputs=_NO_TIES[:1])
for fam, fn in {"logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor}.items():
    add(f"_{fam}", [C, D], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype), grad_inputs=_NO_TIES)
    add(f"broadcast_{fam}", [C, D[:1]], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype), grad_inputs=_NO_TIES_ROW)
    add(f"_{fam}_scalar", [C], {"scalar": 1.0}, ref=lambda a, scalar, fn=fn: fn(a, scalar).astype(a.dtype), grad_inputs=_NO_TIES[:1])

# integer semantics: scalar cast to the array dtype, truncating division
INTS = np.array([1, 2, 3, -7], np.int32)
add("_mul_scalar", [INTS], {"scalar": 1.5}, ref=lambda a, scalar: a * np.int32(1), note="int")
add("_div_scalar", [INTS], {"scalar": 2.0}, ref=lambda a, scalar: np.array([0, 1, 1, -3], np.int32), note="int")

# more integer semantics: C-style scalar casts, double-computed %, ** and hypot
IA = np.array([[7, -7, 7], [-7, 5, 100]], np.int32)
IB = np.array([[2, 2, -2], [-2, 3, 3]], np.int32)
_I64 = np.float64
add("elemwise_div", [IA, IB], ref=lambda a, b: np.trunc(a.astype(_I64) / b).astype(a.dtype), note="int")
add("broadcast_div", [IA, IB[:1]], ref=lambda a, b: np.trunc(a.astype(_I64) / b).astype(a.dtype), note="int")
add("_mod", [IA, IB], ref=np.mod, note="int")
add("broadcast_mod", [IA, IB[:1]], ref=np.mod, note="int")
add("_mod_scalar", [IA], {"scalar": -3.0}, ref=lambda a, scalar: np.mod(a, np.int32(-3)), note="int")
add("_rmod_scalar", [IA], {"scalar": 2.5}, ref=lambda a, scalar: np.mod(np.int32(2), a), note="int")
add("_power", [IA, np.abs(IB)], ref=np.power, note="int")
add("broadcast_power", [IA, IB[:1]], ref=lambda a, b: np.trunc(np.power(a.astype(_I64), b)).astype(a.dtype), note="int")
add("_power_scalar", [IA], {"scalar": 2.5}, ref=lambda a, scalar: a * a, note="int")
add("_rpower_scalar", [np.array([0, 1, 3, 10], np.int32)], {"scalar": 2.0}, ref=lambda a, scalar: np.int32(2) ** a, note="int")
add("_hypot", [IA, IB], ref=lambda a, b: np.trunc(np.hypot(a.astype(_I64), b)).astype(a.dtype), note="int")
add("_hypot_scalar", [IA], {"scalar": 3.5}, ref=lambda a, scalar: np.trunc(np.hypot(a.astype(_I64), 3.0)).astype(a.dtype), note="int")
add("_rdiv_scalar", [IB], {"scalar": 7.9}, ref=lambda a, scalar: np.trunc(7.0 / a.astype(_I64)).astype(a.dtype), note="int")
add("_rminus_scalar", [IA], {"scalar": 2.9}, ref=lambda a, scalar: np.int32(2) - a, note="int")
add("_plus_scalar", [np.array([7, -7, 100], np.int8)], {"scalar": 300.0}, ref=lambda a, scalar: a + np.int8(44), note="int8 wraps")
add("_minus_scalar", [np.array([7, 250], np.uint8)], {"scalar": 10.0}, ref=lambda a, scalar: a - np.uint8(10), note="uint8 wraps")
add("_maximum_scalar", [IA], {"scalar": 2.5}, ref=lambda a, scalar: np.maximum(a, np.int32(2)), note="int")
add("_greater_scalar", [IA], {"scalar": 1.5}, ref=lambda a, scalar: (a > 1).astype(a.dtype), note="int")
add("broadcast_lesser", [IA, IB[:1]], ref=lambda a, b: (a < b).astype(a.dtype), note="int")
add("_logical_and_scalar", [IA], {"scalar": 0.5}, ref=lambda a, scalar: np.zeros_like(a), note="int")
add("broadcast_logical_xor", [IA, np.array([[0, 1, 0]], np.int32)], ref=lambda a, b: np.logical_xor(a, b).astype(a.dtype), note="int")
add("broadcast_mul", [np.array([2**62 + 1, 3], np.int64), np.array([1, -3], np.int64)], ref=np.multiply, note="int64 exact")
add(
    "elemwise_div",
    [np.array([2**62 + 1, -(2**53) - 1], np.int64), np.array([3, 1], np.int64)],
    ref=lambda a, b: np.array([(2**62 + 1) // 3, -(2**53) - 1], np.int64),
    note="int64 exact",
)

# float16: the scalar is cast to float16 before the arithmetic
F16 = np.array([5.5, -5.5, 1.0, 0.0], np.float16)
add("_mul_scalar", [F16], {"scalar": 1e-8}, ref=lambda a, scalar: a * np.float16(0), note="f16 underflow")
add("_plus_scalar", [F16], {"scalar": 0.1}, ref=lambda a, scalar: a + np.float16(0.1), note="f16")
add(
    "broadcast_mod",
    [F16, np.array([2.0, 2.0, -2.0, 3.0], np.float16)],
    ref=np.mod,
    note="f16",
    grad_inputs=[np.array([0.3, 1.7, -0.9, 2.2]), np.array([2.0, 2.0, -2.0, 3.0])],
)
add("_div_scalar", [F16], {"scalar": 2.0}, ref=lambda a, scalar: a / np.float16(2), note="f16")

# float mod: divisor's sign; x % 0 is 0
add("_mod_scalar", [A], {"scalar": -0.3}, ref=lambda a, scalar: np.mod(a, np.float32(-0.3)), rtol=1e-4, atol=1e-5, note="neg")
add(
    "_mod_scalar",
    [A],
    {"scalar": 0.0},
    ref=lambda a, scalar: np.zeros_like(a),
    note="zero",
    no_grad_reason="MXNet 1.9.1 gives x % 0 the gradient 1 though the forward is the constant 0 (mxnet-reference)",
)

# add_n / ElementWiseSum
add("add_n", [A, B, Bpos], {"num_args": 3}, ref=lambda a, b, c, num_args: a + b + c)
add("add_n", [A], {"num_args": 1}, ref=lambda a, num_args: a.copy(), note="one")
add("add_n", [INTS, INTS, INTS, INTS], {"num_args": 4}, ref=lambda *xs, num_args: sum(xs[1:], xs[0]), note="int")

add("_zeros", [], {"shape": (2, 3)}, ref=lambda shape: np.zeros(shape, np.float32))
add("_ones", [], {"shape": (2, 3), "dtype": "int32"}, ref=lambda shape, dtype: np.ones(shape, dtype))
add("_full", [], {"shape": (2,), "value": 7.0}, ref=lambda shape, value: np.full(shape, value, np.float32))
add(
    "_arange",
    [],
    {"start": 1.0, "stop": 7.0, "step": 2.0, "repeat": 2},
    ref=lambda start, stop, step, repeat: np.repeat(np.arange(start, stop, step, dtype=np.float32), repeat),
)
add("_eye", [], {"N": 3, "M": 4, "k": 1}, ref=lambda N, M, k: np.eye(N, M, k, dtype=np.float32))
add("_linspace", [], {"start": 0.0, "stop": 1.0, "num": 5}, ref=lambda start, stop, num: np.linspace(start, stop, num, dtype=np.float32))
add("zeros_like", [A], ref=np.zeros_like)
add("ones_like", [A], ref=np.ones_like)
add("_copy", [A], ref=lambda a: a)
# rhs's values are never read: its gradient is zero (wrt lhs only)
add("_identity_with_attr_like_rhs", [A, A * 3], ref=lambda a, b: a, grad_wrt=(0,))
add("Cast", [A], {"dtype": "float16"}, ref=lambda a, dtype: a.astype(dtype), no_grad_reason="float16 output: too coarse for central differences")
# MXNet passes the head gradient through Cast whatever the dtype (mxnet-reference: ones for int32)
add(
    "Cast",
    [A * 10],
    {"dtype": "int32"},
    ref=lambda a, dtype: a.astype(dtype),
    note="trunc",
    no_grad_reason="MXNet's Cast gradient passes the head gradient through to int32, the forward is piecewise constant",
)
add("negative", [A], ref=np.negative)
add("abs", [A], ref=np.abs)
add("Reshape", [f32(2, 3, 4)], {"shape": (0, -1)}, ref=lambda a, shape: a.reshape(2, 12))
add("Reshape", [f32(2, 3, 4)], {"shape": (-4, 1, 2, -2)}, ref=lambda a, shape: a.reshape(1, 2, 3, 4), note="split")
add("Reshape", [f32(2, 3, 4)], {"shape": (-3, 0)}, ref=lambda a, shape: a.reshape(6, 4), note="merge")
add("Reshape", [f32(2, 3, 4)], {"shape": (-1, 0), "reverse": True}, ref=lambda a, shape, reverse: a.reshape(6, 4), note="reverse")
