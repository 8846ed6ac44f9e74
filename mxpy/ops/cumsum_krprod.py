"""``cumsum`` (MXNet's ``_np_cumsum``) and ``khatri_rao`` (column-wise Kronecker product)."""

from __future__ import annotations

import numpy as np

from ..registry import Param, ShapeError
from ._pair import register_pair

# -- cumsum ------------------------------------------------------------------------------

_CUMSUM_DTYPES = ("float16", "float32", "float64", "int32", "int64", "int8")


def _axis(p, ndim: int) -> int | None:
    if p.axis is None:
        return None
    if not -ndim <= p.axis < ndim:
        raise ShapeError(f"axis {p.axis} out of range for data with {ndim} dims")
    return p.axis % ndim


def _cumsum_shape(p, in_shapes):
    s = in_shapes[0]
    if s is None:
        return list(in_shapes), [None]
    if _axis(p, len(s)) is None:
        return list(in_shapes), [(int(np.prod(s, dtype=np.int64)),)]
    return list(in_shapes), [tuple(s)]


def _cumsum_type(p, in_types):
    t = in_types[0]
    if p.dtype is not None:
        return list(in_types), [np.dtype(p.dtype)]
    if t is None:
        return list(in_types), [None]
    return list(in_types), [np.dtype(np.int64) if np.dtype(t) == np.bool_ else np.dtype(t)]


def _cumsum_out_dtype(p, a):
    return _cumsum_type(p, [a.dtype])[1][0]


def _cumsum_forward(p, xp, a):
    axis = _axis(p, a.ndim)
    dt = _cumsum_out_dtype(p, a)
    # sums accumulate in the output dtype (MXNet's kernel adds in it too)
    return xp.cumsum(a.reshape(-1) if axis is None else a, axis=0 if axis is None else axis, dtype=dt)


def _cumsum_backward(p, xp, og, ins, outs):
    a = ins[0]
    axis = _axis(p, a.ndim)
    g = og[0]
    ax = 0 if axis is None else axis
    # d out[j] / d a[i] = 1 for j >= i: the reversed cumulative sum of the head gradient
    rev = xp.flip(xp.cumsum(xp.flip(g, axis=ax), axis=ax), axis=ax)
    return [rev.reshape(a.shape)]


register_pair(
    "_np_cumsum",
    _cumsum_forward,
    _cumsum_backward,
    params={
        "axis": Param("int", None, doc="axis to sum along; None sums the flattened array (the output is 1-D)"),
        "dtype": Param("dtype", None, doc="output and accumulator dtype (None: the input's; bool becomes int64)", choices=_CUMSUM_DTYPES),
    },
    inputs=("a",),
    infer_shape=_cumsum_shape,
    infer_type=_cumsum_type,
    aliases=("cumsum",),
    doc=(
        "Cumulative sum of the elements of a along axis (over the flattened array when axis is None).\n\n"
        "Parameters: a; axis (int or None, None); dtype (None or one of float16/32/64, int32, int64, int8).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.cumsum(mx.nd.array([[1, 2], [3, 4]]), axis=0).asnumpy().tolist()\n[[1.0, 2.0], [4.0, 6.0]]"
    ),
)

# -- khatri_rao ----------------------------------------------------------------------------


def _kr_shape(p, in_shapes):
    if any(s is None for s in in_shapes):
        return list(in_shapes), [None]
    for i, s in enumerate(in_shapes):
        if len(s) != 2:
            raise ShapeError(f"input {i} must be a matrix; given shape {tuple(s)}", slot=i)
    cols = in_shapes[0][1]
    for i, s in enumerate(in_shapes):
        if s[1] != cols:
            raise ShapeError(f"input {i}: every matrix needs {cols} columns (from arg0); given shape {tuple(s)}", slot=i)
    rows = int(np.prod([s[0] for s in in_shapes], dtype=np.int64))
    return list(in_shapes), [(rows, cols)]


def _kr_product(xp, mats):
    out = mats[0]
    for m in mats[1:]:
        # column k of the result is kron(column k of out, column k of m)
        out = (out[:, None, :] * m[None, :, :]).reshape(-1, out.shape[1])
    return out


def _kr_forward(p, xp, *mats):
    return _kr_product(xp, list(mats)).astype(mats[0].dtype, copy=False)


def _kr_backward(p, xp, og, ins, outs):
    # mxpy's addition: MXNet 1.9.1 registers no gradient for khatri_rao. Output element
    # [r_1, ..., r_n, k] is prod_j A_j[r_j, k], so A_i's gradient sums the head gradient
    # times the other factors over every axis but r_i and k.
    n = len(ins)
    rows = [m.shape[0] for m in ins]
    g = og[0].reshape(*rows, og[0].shape[1])
    grads = []
    for i in range(n):
        t = g
        for j in range(n):
            if j != i:
                shape = [1] * n + [g.shape[-1]]
                shape[j] = rows[j]
                t = t * ins[j].reshape(shape)
        grads.append(t.sum(axis=tuple(j for j in range(n) if j != i)) if n > 1 else t)
    return grads


register_pair(
    "khatri_rao",
    _kr_forward,
    _kr_backward,
    params={"num_args": Param("int", doc="number of input matrices", low=1)},
    inputs=lambda p: [f"arg{i}" for i in range(p.num_args)],
    variadic="args",
    infer_shape=_kr_shape,
    doc=(
        "Column-wise Khatri-Rao product of matrices A_i of shapes (M_i, N): an (M_1 * ... * M_n, N) matrix whose "
        "column k is the Kronecker product of the k-th columns. (mxpy also gives it a gradient, which MXNet 1.9.1 lacks.)\n\n"
        "Parameters: args (the matrices, one column count N); num_args (int, set from the number of matrices).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.khatri_rao(mx.nd.array([[1, -1], [2, -3]]), mx.nd.array([[1, 4], [2, 5]])).asnumpy().tolist()\n"
        "[[1.0, -4.0], [2.0, -5.0], [2.0, -12.0], [4.0, -15.0]]"
    ),
)
