"""Battery cases for sort, argsort and topk (stable tie order, NumPy references)."""

from __future__ import annotations

import numpy as np

from . import add, f32

TIES = np.array([[3, 1, 2, 1, 3, 2, 1], [0, 0, 5, -1, 0, 7, 2]], np.float32)
R = f32(3, 4, 5, seed=21)
# gradient checks: TIES has ties (the order jumps under a tiny change); this has none
NO_TIES = [f32(2, 7, seed=22)]


def _order(x, axis, ascend):
    if axis is None:
        x, axis = x.reshape(-1), 0
    if ascend:
        return x, axis, np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    rev = np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)
    return x, axis, n - 1 - rev


def _sort(data, axis=-1, is_ascend=True):
    x, ax, idx = _order(data, axis, is_ascend)
    return np.take_along_axis(x, idx, axis=ax)


def _argsort(data, axis=-1, is_ascend=True, dtype="float32"):
    return _order(data, axis, is_ascend)[2].astype(dtype)


def _topk(data, axis=-1, k=1, ret_typ="indices", is_ascend=False, dtype="float32"):
    x, ax, idx = _order(data, axis, is_ascend)
    n = x.shape[ax]
    k = k if k > 0 else n
    top = np.take(idx, np.arange(k), axis=ax)
    if ret_typ == "mask":
        mask = np.zeros(x.shape, data.dtype)
        np.put_along_axis(mask, top, 1, axis=ax)
        return mask.reshape(data.shape)
    vals = np.take_along_axis(x, top, axis=ax)
    return {"indices": top.astype(dtype), "value": vals, "both": [vals, top.astype(dtype)]}[ret_typ]


add("sort", [TIES], ref=_sort, grad_inputs=NO_TIES)
add("sort", [TIES], {"is_ascend": False}, ref=_sort, grad_inputs=NO_TIES)
add("sort", [R], {"axis": 1}, ref=_sort)
add("sort", [TIES], {"axis": None}, ref=_sort, grad_inputs=NO_TIES)
add("sort", [TIES.astype(np.int32)], {"is_ascend": False}, ref=_sort, note="int")

add("argsort", [TIES], ref=_argsort, grad_inputs=NO_TIES)
add("argsort", [TIES], {"is_ascend": False}, ref=_argsort, grad_inputs=NO_TIES)
add("argsort", [TIES], {"axis": 0, "dtype": "int32"}, ref=_argsort, grad_inputs=NO_TIES)
add("argsort", [TIES], {"axis": None, "dtype": "int64"}, ref=_argsort, grad_inputs=NO_TIES)
add("argsort", [R], {"axis": -2, "dtype": "float16"}, ref=_argsort)
add("argsort", [TIES.astype(np.float64)], {"dtype": "uint8", "is_ascend": False}, ref=_argsort, note="f64", grad_inputs=NO_TIES)

add("topk", [TIES], ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 3}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 3, "ret_typ": "value"}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 3, "ret_typ": "both", "is_ascend": True}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 3, "ret_typ": "mask"}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 4, "axis": None, "ret_typ": "both"}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 2, "axis": None, "ret_typ": "mask", "is_ascend": True}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [TIES], {"k": 0, "ret_typ": "indices", "dtype": "int32"}, ref=_topk, grad_inputs=NO_TIES)
add("topk", [R], {"k": 2, "axis": 1, "ret_typ": "both", "dtype": "int64"}, ref=_topk)
add("topk", [TIES.astype(np.int32)], {"k": 3, "ret_typ": "mask"}, ref=_topk, note="int")
