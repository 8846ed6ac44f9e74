"""Battery cases for take, pick, one_hot, where and clip (NumPy references)."""

from __future__ import annotations

import numpy as np

from . import add, f32

A = f32(3, 4, seed=11)
A3 = f32(2, 3, 4, seed=12)
IDX = np.array([-1, 0.7, 1.5, 2.9, 5, -4.2], np.float32)


def _mode(idx, n, mode):
    i = np.trunc(idx).astype(np.int64)
    return np.mod(i, n) if mode == "wrap" else np.clip(i, 0, n - 1)


def _take(a, indices, axis=0, mode="clip"):
    return np.take(a, _mode(indices, a.shape[axis], mode), axis=axis)


add("take", [A, IDX], ref=_take)
add("take", [A, IDX], {"mode": "wrap"}, ref=_take, grad_wrt=(0,))  # indices -1, 5 sit on wrap jumps
add("take", [A, np.array([2, 0, 1], np.int32)], {"mode": "raise"}, ref=_take)
add("take", [A3, np.array([[0, 3], [1, -1]], np.float32)], {"axis": -1, "mode": "wrap"}, ref=lambda a, i, axis, mode: _take(a, i, axis % 3, mode))
add("take", [A3.astype(np.float64), np.array([1, 7], np.int64)], {"axis": 1}, ref=_take, note="f64")
add("take", [np.arange(12, dtype=np.int32).reshape(3, 4), np.array([[2], [0]], np.float32)], ref=_take, note="int")


def _pick(data, index, axis=-1, keepdims=False, mode="clip"):
    ax = axis % data.ndim
    idx = _mode(index, data.shape[ax], mode).reshape(data.shape[:ax] + (1,) + data.shape[ax + 1 :])
    out = np.take_along_axis(data, idx, axis=ax)
    return out if keepdims else out.squeeze(ax)


add("pick", [A, np.array([0, 5, -1], np.float32)], ref=_pick)
add("pick", [A, np.array([0, 5, -1], np.float32)], {"mode": "wrap"}, ref=_pick)
add("pick", [A, np.array([0, 5, -1, 1.7], np.float32)], {"axis": 0, "keepdims": True}, ref=_pick)
add("pick", [A3, np.array([[0, 1, 2, 3], [1, 1, 1, 1]], np.int32)], {"axis": 1}, ref=_pick)
add("pick", [A, np.array([[1], [2], [3]], np.float32)], {"axis": 1}, ref=_pick, note="keepdims-index")


def _one_hot(indices, depth, on_value=1.0, off_value=0.0, dtype="float32"):
    i = np.trunc(indices).astype(np.int64)
    hit = i[..., None] == np.arange(depth)
    return np.where(hit, on_value, off_value).astype(dtype)


# gradient checks (zero): indices away from the integer jumps of the truncation
add("one_hot", [np.array([1, 0, -1, 3, 2.7], np.float32)], {"depth": 3}, ref=_one_hot, grad_inputs=[np.array([1.5, 0.5, -1.5, 3.5, 2.7])])
add("one_hot", [np.array([[1, 0], [2, 2]], np.int32)], {"depth": 4, "on_value": 5.0, "off_value": -2.0, "dtype": "int32"}, ref=_one_hot)
add("one_hot", [np.array([1, 0], np.float32)], {"depth": 3, "dtype": "float16"}, ref=_one_hot, grad_inputs=[np.array([1.5, 0.5])])
add(
    "one_hot",
    [np.array([1, 0], np.float32)],
    {"depth": 3, "on_value": 2.5, "dtype": "uint8"},
    ref=lambda i, depth, on_value, dtype: _one_hot(i, depth, 2.0, 0.0, dtype),
)

COND = np.array([[1, 0, 1], [0, np.nan, -0.0]], np.float32)
X, Y = f32(2, 3, seed=13), f32(2, 3, seed=14)
add("where", [COND, X, Y], ref=lambda c, x, y: np.where(c != 0, x, y))
add("where", [np.array([1, 0], np.int32), X, Y], ref=lambda c, x, y: np.where(c[:, None] != 0, x, y), note="rows")
add(
    "where",
    [np.array([1, 0, 2], np.float32), np.arange(3, dtype=np.int64), -np.arange(3, dtype=np.int64)],
    ref=lambda c, x, y: np.where(c != 0, x, y),
    note="int",
)


def _clip(data, a_min, a_max):
    lo, hi = np.float32(a_min), np.float32(a_max)
    d = data.astype(np.float64)
    return np.where(d > hi, hi, np.where(d < lo, lo, d)).astype(data.dtype)


CL = np.array([-3, 0.5, 4, np.nan, 1.0], np.float32)
CL_GRAD = [np.array([-3, 0.5, 4, -0.7, 1.0])]  # gradient checks: no NaN
add("clip", [CL], {"a_min": -1.0, "a_max": 2.0}, ref=_clip, grad_inputs=CL_GRAD)
add("clip", [CL], {"a_min": 2.0, "a_max": -1.0}, ref=_clip, note="inverted", grad_inputs=CL_GRAD)
add("clip", [np.array([-3, 0, 4], np.int32)], {"a_min": -1.5, "a_max": 2.5}, ref=lambda d, a_min, a_max: np.array([-1, 0, 2], np.int32))
add("clip", [np.array([0.05, 0.2], np.float64)], {"a_min": 0.1, "a_max": 0.15}, ref=_clip, note="f64")
add("clip", [f32(2, 3, seed=15).astype(np.float16)], {"a_min": -0.25, "a_max": 0.5}, ref=_clip, note="f16")


# -- backward ops ------------------------------------------------------------------------


def _take_back(og, indices, a, axis=0, mode="clip"):
    ax = axis % a.ndim
    idx = _mode(indices, a.shape[ax], mode).reshape(-1)
    ogm = np.moveaxis(og.reshape(a.shape[:ax] + (idx.size,) + a.shape[ax + 1 :]), ax, 0)
    g = np.zeros((a.shape[ax],) + a.shape[:ax] + a.shape[ax + 1 :], og.dtype)
    np.add.at(g, idx, ogm)
    return np.moveaxis(g, 0, ax)


add("_backward_take", [f32(6, 4, seed=16), IDX, A], ref=_take_back)
add("_backward_take", [f32(2, 2, 2, 4, seed=17), np.array([[0, 3], [1, -1]], np.float32), A3], {"axis": 1, "mode": "wrap"}, ref=_take_back)


def _pick_back(og, index, data, axis=-1, keepdims=False, mode="clip"):
    ax = axis % data.ndim
    kept = data.shape[:ax] + (1,) + data.shape[ax + 1 :]
    g = np.zeros_like(data)
    np.put_along_axis(g, _mode(index, data.shape[ax], mode).reshape(kept), og.reshape(kept), axis=ax)
    return g


add("_backward_pick", [f32(3, seed=18), np.array([0, 5, -1], np.float32), A], ref=_pick_back)
add("_backward_pick", [f32(1, 4, seed=19), np.array([0, 5, -1, 1.7], np.float32), A], {"axis": 0, "keepdims": True, "mode": "wrap"}, ref=_pick_back)
add("_backward_where", [X, COND], ref=lambda og, c: [np.where(c != 0, og, 0), np.where(c != 0, 0, og)])
add("_backward_where", [X, np.array([0, 3], np.int32)], ref=lambda og, c: [np.where(c[:, None] != 0, og, 0), np.where(c[:, None] != 0, 0, og)], note="rows")
add(
    "_backward_clip",
    [f32(5, seed=20), CL],
    {"a_min": -1.0, "a_max": 2.0},
    ref=lambda og, x, a_min, a_max: np.where((x > a_max) | (x < a_min), 0, og).astype(og.dtype),
)
