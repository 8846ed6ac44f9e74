"""Battery cases for the sparse-storage operators' dense meaning (mxpy/ops/sparse_ops.py);
their sparse forms are checked against MXNet in tests/test_sparse.py."""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair

X = f32(4, 3, seed=41)


def _retain(x, idx):
    out = np.zeros_like(x)
    out[idx.astype(np.int64)] = x[idx.astype(np.int64)]
    return out


def _square_sum(x, axis=None, keepdims=False, exclude=False):
    return np.sum(np.asarray(x, np.float64) ** 2, axis=axis, keepdims=keepdims).astype(x.dtype)


def _adagrad(w, g, hist, lr, epsilon=1e-7, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0):
    gr = rescale_grad * g.astype(np.float64)
    if clip_gradient >= 0:
        gr = np.clip(gr, -clip_gradient, clip_gradient)
    h = hist + gr * gr
    return (w - lr * (gr / np.sqrt(h + epsilon) + wd * w)).astype(w.dtype)


add_pair("cast_storage", [X], {"stype": "default"}, ref=lambda x, stype: x)
add_pair("_sparse_retain", [X, np.array([0, 2], np.float32)], {}, ref=_retain, wrt=(0,), grad_wrt=(0,))
add_pair("_square_sum", [X], {"axis": 1}, ref=_square_sum, rtol=1e-5)
add_pair("_square_sum", [X], {"axis": 0, "keepdims": True}, ref=_square_sum, note="keepdims", rtol=1e-5)
add(
    "_sparse_adagrad_update",
    [X, f32(4, 3, seed=42), f32(4, 3, lo=0.1, hi=0.5, seed=43)],
    {"lr": 0.1, "epsilon": 1e-5, "rescale_grad": 0.5, "clip_gradient": 0.4},
    ref=_adagrad,
    rtol=1e-5,
)


def _nnz(x, axis=None):
    nz = x != 0
    return np.array([nz.sum()], np.int64) if axis is None else nz.sum(axis=axis).astype(np.int64)


_NZ = np.array([[0, 1.5, 0], [2.0, 0, -1.0]], np.float32)
add("_contrib_getnnz", [_NZ], {}, ref=_nnz, no_grad_reason="a count: integer output")
add("_contrib_getnnz", [_NZ], {"axis": 1}, ref=_nnz, note="rows", no_grad_reason="a count: integer output")
