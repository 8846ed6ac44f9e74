"""Battery cases for the slice-assign and gather/scatter operators."""

from __future__ import annotations

import numpy as np

from . import add, f32

X = f32(3, 4, seed=11)
X3 = f32(2, 3, 4, seed=12)


def _assign(lhs, rhs, begin, end, step=()):
    out = lhs.copy()
    key = tuple(slice(b, e, step[i] if step else None) for i, (b, e) in enumerate(zip(begin, end)))
    out[key] = rhs
    return out


add("_slice_assign", [X, f32(2, 2, seed=13)], {"begin": (0, 1), "end": (2, 3)}, ref=_assign)
add("_slice_assign", [X, f32(2, 2, seed=14)], {"begin": (None, None), "end": (None, None), "step": (2, -2)}, ref=_assign, note="steps")
add("_slice_assign", [X3, f32(1, 3, 4, seed=15)], {"begin": (-1,), "end": (None,)}, ref=_assign, note="negative")


def _assign_scalar(data, scalar, begin, end, step=()):
    return _assign(data, np.asarray(scalar, data.dtype), begin, end, step)


add("_slice_assign_scalar", [X], {"scalar": 3.0, "begin": (1,), "end": (2,)}, ref=_assign_scalar)
add("_slice_assign_scalar", [X], {"scalar": -1.5, "begin": (None, 3), "end": (None, 0), "step": (1, -1)}, ref=_assign_scalar, note="reverse")
add(
    "_slice_assign_scalar",
    [np.arange(6, dtype=np.int32).reshape(2, 3)],
    {"scalar": 2.7, "begin": (0, 1), "end": (1, 3)},
    ref=lambda d, scalar, begin, end: _assign(d, 2, begin, end),
    note="int",
)

IDX = np.array([[0, 2, -1], [1, 3, 0]], np.float32)
add("gather_nd", [X, IDX], ref=lambda d, i: d[[0, 2, 2], [1, 3, 0]])
add("gather_nd", [X3, np.array([[1, 0]], np.int32)], ref=lambda d, i: d[[1, 0]], note="slices")
add("gather_nd", [X3, np.array([[[0, 1], [1, 1]], [[2, 0], [1, 1]]], np.int64)], ref=lambda d, i: d[tuple(i)], note="2d")


def _scatter(data, indices, shape):
    out = np.zeros(shape, data.dtype)
    out[tuple(indices.astype(np.int64))] = data
    return out


add("scatter_nd", [np.array([1.0, 2.0], np.float32), np.array([[0, 2], [1, 3]], np.float32)], {"shape": (3, 4)}, ref=_scatter)
add("scatter_nd", [f32(2, 4, seed=16), np.array([[2, 0]], np.int32)], {"shape": (3, 4)}, ref=_scatter, note="rows")


def _scatter_set(lhs, rhs, indices, shape):
    out = lhs.copy()
    out[tuple(indices.astype(np.int64))] = rhs
    return out


add("_scatter_set_nd", [X, np.array([7.0, 8.0], np.float32), np.array([[0, 2], [1, 3]], np.float32)], {"shape": (3, 4)}, ref=_scatter_set)
add("_scatter_set_nd", [X3, f32(2, 4, seed=17), np.array([[1, 0], [2, 0]], np.int32)], {"shape": (2, 3, 4)}, ref=_scatter_set, note="rows")
