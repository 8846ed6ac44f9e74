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
D = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]], np.float32)
for fam, fn in _CMP.items():
    add(f"_{fam}", [C, D], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype))
    add(f"broadcast_{fam}", [C, D[:1]], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype))
    add(f"_{fam}_scalar", [C], {"scalar": 1.0}, ref=lambda a, scalar, fn=fn: fn(a, scalar).astype(a.dtype))
for fam, fn in {"logical_and": np.logical_and, "logical_or": np.logical_or, "logical_xor": np.logical_xor}.items():
    add(f"_{fam}", [C, D], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype))
    add(f"broadcast_{fam}", [C, D[:1]], ref=lambda a, b, fn=fn: fn(a, b).astype(a.dtype))
    add(f"_{fam}_scalar", [C], {"scalar": 1.0}, ref=lambda a, scalar, fn=fn: fn(a, scalar).astype(a.dtype))

# integer semantics: scalar cast to the array dtype, truncating division
INTS = np.array([1, 2, 3, -7], np.int32)
add("_mul_scalar", [INTS], {"scalar": 1.5}, ref=lambda a, scalar: a * np.int32(1), note="int")
add("_div_scalar", [INTS], {"scalar": 2.0}, ref=lambda a, scalar: np.array([0, 1, 1, -3], np.int32), note="int")

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
add("Cast", [A], {"dtype": "float16"}, ref=lambda a, dtype: a.astype(dtype))
add("Cast", [A * 10], {"dtype": "int32"}, ref=lambda a, dtype: a.astype(dtype), note="trunc")
add("negative", [A], ref=np.negative)
add("abs", [A], ref=np.abs)
add("Reshape", [f32(2, 3, 4)], {"shape": (0, -1)}, ref=lambda a, shape: a.reshape(2, 12))
add("Reshape", [f32(2, 3, 4)], {"shape": (-4, 1, 2, -2)}, ref=lambda a, shape: a.reshape(1, 2, 3, 4), note="split")
add("Reshape", [f32(2, 3, 4)], {"shape": (-3, 0)}, ref=lambda a, shape: a.reshape(6, 4), note="merge")
add("Reshape", [f32(2, 3, 4)], {"shape": (-1, 0), "reverse": True}, ref=lambda a, shape, reverse: a.reshape(6, 4), note="reverse")
