"""Operators MXNet defines for sparse storage, with their dense meaning:
``cast_storage``, ``_sparse_retain``, ``_square_sum`` and ``_sparse_adagrad_update``.

Every op here has a dense kernel (what a symbol graph, the battery and the
storage fallback run); ``mx.nd`` routes sparse inputs to the sparse forms in
``mxpy/ndarray/_sparse_impl.py``, which give the same values.
"""

from __future__ import annotations

import numpy as np

from ..registry import REQUIRED, OpDef, Param, ShapeError, forward_shape, register
from ._pair import register_pair
from ._util import quiet, store


def _doc(summary: str, params: str, example: str) -> str:
    return f"{summary}\n\nParameters: {params}\n\n>>> import mxpy as mx\n{example}"


# -- cast_storage: the identity on values ----------------------------------------------------

register_pair(
    "cast_storage",
    lambda p, xp, x: x.copy(),
    lambda p, xp, og, ins, outs: [og[0]],
    params={"stype": Param("str", REQUIRED, choices=("default", "row_sparse", "csr"), doc="the storage type of the result")},
    infer_shape=forward_shape(lambda p, x: x),
    doc=_doc(
        "The array in another storage type (values unchanged).",
        "data: the input; stype: 'default', 'row_sparse' or 'csr'.",
        ">>> mx.nd.cast_storage(mx.nd.array([[0, 1]]), stype='csr').stype\n'csr'",
    ),
)


# -- _sparse_retain: keep the listed rows ----------------------------------------------------


def _row_mask(xp, n: int, idx):
    mask = xp.zeros(n, dtype=bool)
    rows = idx.astype(np.int64).reshape(-1)
    mask[rows[(rows >= 0) & (rows < n)]] = True
    return mask


def _retain_fwd(p, xp, x, idx):
    mask = _row_mask(xp, x.shape[0], idx).reshape((-1,) + (1,) * (x.ndim - 1))
    return xp.where(mask, x, xp.zeros((), x.dtype))


def _retain_bwd(p, xp, og, ins, outs):
    x, idx = ins
    mask = _row_mask(xp, x.shape[0], idx).reshape((-1,) + (1,) * (x.ndim - 1))
    return [xp.where(mask, og[0], xp.zeros((), og[0].dtype)), None]


def _retain_shape(p, data, indices):
    if len(indices) != 1:
        raise ShapeError(f"indices must be 1-D, got shape {indices}")
    return data


register_pair(
    "_sparse_retain",
    _retain_fwd,
    _retain_bwd,
    inputs=("data", "indices"),
    no_grad_inputs=("indices",),
    infer_shape=forward_shape(_retain_shape),
    infer_type=lambda p, t: (list(t), [t[0]]),
    doc=_doc(
        "Keep the rows of data listed in indices, the others become zero (mx.nd.sparse.retain).",
        "data: a row_sparse (or dense) array; indices: the row ids to keep.",
        ">>> x = mx.nd.sparse.row_sparse_array(([[1.0], [2.0]], [0, 2]), shape=(3, 1))\n"
        ">>> mx.nd.sparse.retain(x, mx.nd.array([2])).asnumpy().ravel().tolist()\n[0.0, 0.0, 2.0]",
    ),
)


# -- _square_sum -----------------------------------------------------------------------------


def _ss_axes(p, ndim: int) -> tuple:
    given = (p.axis,) if isinstance(p.axis, int) else p.axis
    axes = tuple(range(ndim)) if not given else tuple(a + ndim if a < 0 else a for a in given)
    for a in axes:
        if not 0 <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for {ndim} dims")
    if p.exclude:
        axes = tuple(a for a in range(ndim) if a not in axes)
    return axes


def _ss_shape(p, data):
    axes = _ss_axes(p, len(data))
    if p.keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(data))
    out = tuple(d for i, d in enumerate(data) if i not in axes)
    return out or (1,)


def _ss_fwd(p, xp, x):
    axes = _ss_axes(p, x.ndim)
    return xp.sum(x * x, axis=axes, keepdims=True).reshape(_ss_shape(p, x.shape))


def _ss_bwd(p, xp, og, ins, outs):
    x = ins[0]
    keep = tuple(1 if i in _ss_axes(p, x.ndim) else d for i, d in enumerate(x.shape))
    return [2 * x * og[0].reshape(keep)]


register_pair(
    "_square_sum",
    _ss_fwd,
    _ss_bwd,
    params={
        "axis": Param("axis", None, doc="the axis or axes to reduce (None: all)"),
        "keepdims": Param("bool", False, doc="keep reduced axes with size 1"),
        "exclude": Param("bool", False, doc="reduce the axes not listed"),
    },
    infer_shape=forward_shape(_ss_shape),
    doc=_doc(
        "Sum of squares over axis (MXNet's sparse-aware ``square(x).sum(axis)``).",
        "data: the input; axis; keepdims; exclude.",
        ">>> mx.nd._internal._square_sum(mx.nd.array([[1, 2], [3, 4]]), axis=1).asnumpy().tolist()\n[5.0, 25.0]",
    ),
)


# -- _sparse_adagrad_update ------------------------------------------------------------------


def _k_adagrad(p, ins, outs, req, rt):
    w, g, hist = ins
    dt = w.dtype.type
    gr = dt(p.rescale_grad) * g.astype(w.dtype, copy=False)
    if p.clip_gradient >= 0:
        gr = rt.xp.clip(gr, dt(-p.clip_gradient), dt(p.clip_gradient))
    hist += gr * gr
    store(outs[0], req[0], w - dt(p.lr) * (gr / rt.xp.sqrt(hist + dt(p.epsilon)) + dt(p.wd) * w))


def _same_shapes(p, in_shapes):
    known = next((tuple(s) for s in in_shapes if s is not None), None)
    for s in in_shapes:
        if s is not None and tuple(s) != known:
            raise ShapeError(f"all inputs must have the weight's shape {known}, got {tuple(s)}")
    return [known] * len(in_shapes), [known]


register(
    OpDef(
        "_sparse_adagrad_update",
        quiet(_k_adagrad),
        params={
            "lr": Param("float", REQUIRED, doc="learning rate"),
            "epsilon": Param("float", 1e-7, doc="added to the history under the square root"),
            "wd": Param("float", 0.0, doc="weight decay"),
            "rescale_grad": Param("float", 1.0, doc="gradient scale, applied first"),
            "clip_gradient": Param("float", -1.0, doc="clip the rescaled gradient to [-c, c]; negative means no clipping"),
        },
        inputs=("weight", "grad"),
        aux=("history",),
        outputs=("output",),
        infer_shape=_same_shapes,
        inplace=((0, 0),),
        doc=_doc(
            "AdaGrad step: ``history += g*g``, ``weight -= lr*g/sqrt(history + epsilon)`` with "
            "``g = clip(rescale_grad*grad)``; a row_sparse grad updates only its rows (mx.nd.sparse.adagrad_update).",
            "weight; grad; history (updated in place); lr; epsilon; wd; rescale_grad; clip_gradient.",
            ">>> w, h = mx.nd.ones((2,)), mx.nd.zeros((2,))\n"
            ">>> mx.nd.sparse.adagrad_update(w, mx.nd.ones((2,)), h, lr=0.1, epsilon=0.0, out=w).asnumpy().tolist()\n"
            "[0.8999999761581421, 0.8999999761581421]",
        ),
    )
)


# -- _contrib_getnnz ---------------------------------------------------------------------------


def _nnz_shape(p, data):
    if len(data) != 2:
        raise ShapeError(f"data must be 2-D, got {data}")
    if p.axis is None:
        return (1,)
    if p.axis not in (0, 1):
        raise ShapeError(f"axis must be None, 0 or 1, got {p.axis}")
    return (data[1 - p.axis],)


def _nnz_fwd(p, xp, x):
    nz = x != 0
    return nz.sum().astype(np.int64).reshape(1) if p.axis is None else nz.sum(axis=p.axis).astype(np.int64)


register_pair(
    "_contrib_getnnz",
    _nnz_fwd,
    None,
    params={"axis": Param("int", None, doc="count along this axis (None: the whole matrix)")},
    infer_shape=forward_shape(_nnz_shape),
    infer_type=lambda p, t: (list(t), [np.dtype(np.int64)]),
    doc=_doc(
        "The number of stored (non-zero) values of a CSR matrix, in total or per row/column.",
        "data: a 2-D (csr) array; axis: None, 0 or 1.",
        ">>> x = mx.nd.array([[0, 1], [2, 3]]).tostype('csr')\n>>> mx.nd.contrib.getnnz(x, axis=1).asnumpy().tolist()\n[1, 2]",
    ),
)
