"""Embedding: look up rows of ``weight`` (input_dim, output_dim) by the indices in ``data``.

Indices may be any numeric dtype; as in MXNet they are truncated toward zero
and clipped to ``[0, input_dim - 1]``. The gradient goes to ``weight`` only
(a scatter-add of the head gradient rows); MXNet gives no gradient to the
indices. With ``sparse_grad`` a row_sparse gradient buffer gets the looked-up
rows (autograd and executors convert the dense result, see docs/sparse.md).
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, merge_shape, partial_rule, register
from .._util import store

_PARAMS = {
    "input_dim": Param("int", low=1, doc="vocabulary size"),
    "output_dim": Param("int", low=1, doc="embedding vector size"),
    "dtype": Param("dtype", np.dtype("float32"), doc="dtype of weight (and output)"),
    "sparse_grad": Param("bool", False, doc="a row_sparse weight gradient (the rows looked up)"),
}


@partial_rule
def _infer_shape(p, in_shapes, out_shapes=None):
    # data's unknown dims (a batch of 0) stay unknown in the output, as MXNet's
    data, weight = in_shapes
    want = (p.input_dim, p.output_dim)
    out = None if data is None else tuple(data) + (p.output_dim,)
    return [data, merge_shape(weight, want, "weight", f"from input_dim={p.input_dim} and output_dim={p.output_dim}")], [out]


def _infer_type(p, in_types):
    data, weight = in_types
    weight = weight if weight is not None else np.dtype(p.dtype)
    return [data if data is not None else weight, weight], [weight]


def _indices(p, xp, data):
    return xp.clip(data.astype(np.int64), 0, p.input_dim - 1)


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    idx = _indices(p, xp, ins[0])
    if req[0] in ("write", "inplace"):
        xp.take(ins[1], idx, axis=0, out=outs[0])
    else:
        store(outs[0], req[0], xp.take(ins[1], idx, axis=0))


def scatter_add_rows(xp, target, idx, rows) -> None:
    """``target[idx[k]] += rows[k]`` for every k, repeated indices accumulating."""
    if xp is np:
        np.add.at(target, idx, rows)
    elif hasattr(xp.add, "at"):  # CuPy >= 13 has ufunc.at
        xp.add.at(target, idx, rows)
    else:  # older CuPy
        import cupyx

        cupyx.scatter_add(target, idx, rows)


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, data = ins
    if req[0] == "null":
        return
    idx = _indices(p, xp, data).reshape(-1)
    rows = og.reshape(-1, p.output_dim)
    if req[0] == "add":
        scatter_add_rows(xp, outs[0], idx, rows)
        return
    outs[0][...] = 0
    scatter_add_rows(xp, outs[0], idx, rows)


def _gradient(g, ograds):
    dw = g.op1("_backward_Embedding", [ograds[0], g.inputs[0]], g.attrs)
    return [None, dw]


register(
    OpDef(
        "Embedding",
        _forward,
        params=_PARAMS,
        inputs=("data", "weight"),
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_gradient,
        cost=lambda p, ins, outs: int(outs[0].size),
        doc=(
            "Map integer indices to dense vectors (rows of weight).\n\n"
            ">>> import mxpy as mx\n>>> w = mx.nd.arange(6).reshape((3, 2))\n"
            ">>> mx.nd.Embedding(mx.nd.array([2, 0]), w, input_dim=3, output_dim=2).asnumpy().tolist()\n"
            "[[4.0, 5.0], [0.0, 1.0]]"
        ),
    )
)


def _bwd_shape(p, in_shapes):
    og, data = in_shapes
    if og is not None and data is not None and tuple(og) != tuple(data) + (p.output_dim,):
        raise ShapeError(f"ograd shape given {og}, expected {tuple(data) + (p.output_dim,)}")
    return list(in_shapes), [(p.input_dim, p.output_dim)]


register(
    OpDef(
        "_backward_Embedding",
        _backward,
        params=_PARAMS,
        inputs=("ograd", "data"),
        outputs=("weight",),
        infer_shape=_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[0]]),
        cost=lambda p, ins, outs: int(ins[0].size),
        doc="Gradient of Embedding with respect to weight (scatter-add of the head gradient rows).",
    )
)


def _sparse_gradient(g, ograds):
    attrs = {k: v for k, v in g.attrs.items() if k != "deterministic"}
    return [None, g.op1("_backward_Embedding", [ograds[0], g.inputs[0]], attrs)]


register(
    OpDef(
        "_contrib_SparseEmbedding",
        _forward,
        params={**_PARAMS, "deterministic": Param("bool", False, doc="deterministic gradient (MXNet's GPU kernels); no effect")},
        inputs=("data", "weight"),
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_sparse_gradient,
        cost=lambda p, ins, outs: int(outs[0].size),
        doc=(
            "MXNet's deprecated Embedding for a row_sparse weight: the same rows as Embedding.\n\n"
            ">>> import mxpy as mx\n>>> w = mx.nd.arange(6).reshape((3, 2))\n"
            ">>> mx.nd.contrib.SparseEmbedding(mx.nd.array([1]), w, input_dim=3, output_dim=2).asnumpy().tolist()\n"
            "[[2.0, 3.0]]"
        ),
    )
)
