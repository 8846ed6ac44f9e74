"""Row_sparse values in the single-process stores: sums of pushed values, assignment
between storage types, and ``row_sparse_pull`` (the rows asked for, as a row_sparse array).

>>> import mxpy as mx
>>> from mxpy import kvstore
>>> kv = kvstore.create()
>>> kv.init("e", mx.nd.ones((4, 2)).tostype("row_sparse"))
>>> out = mx.nd.sparse.zeros("row_sparse", (4, 2))
>>> kv.row_sparse_pull("e", out=out, row_ids=mx.nd.array([3, 1]))
>>> out.indices.asnumpy().tolist()
[1, 3]
"""

from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ..context import Context
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import NDArray
from ..ndarray.register import call
from ..ndarray.sparse import BaseSparseNDArray, RowSparseNDArray, _host, _write_sparse, cast_storage


def sparse_sum(values: list, ctx: Context) -> NDArray:
    """The sum of ``values`` on ``ctx``: row_sparse when all are, else dense."""
    moved = [v if v._ctx == ctx else v.copyto(ctx) for v in values]
    if len(moved) == 1:
        return moved[0].copy() if moved[0] is values[0] else moved[0]
    if all(isinstance(v, RowSparseNDArray) for v in moved):
        return call("add_n", *moved)
    return call("add_n", *[cast_storage(v, "default") if v.stype != "default" else v for v in moved])


def assign(src: NDArray, dst: NDArray) -> None:
    """``dst[:] = src`` across contexts and storage types."""
    if src.stype == "default" and dst.stype == "default":
        copy_into(src, dst)
    elif src.stype == dst.stype or dst.stype == "default":
        src.copyto(dst)
    else:
        cast_storage(src.copyto(dst._ctx) if src._ctx != dst._ctx else src, dst.stype).copyto(dst)


def pull_rows(stored: NDArray, out: NDArray, row_ids: NDArray) -> None:
    """``out`` (row_sparse) = the rows ``row_ids`` of ``stored`` (sorted, unique)."""
    if not isinstance(out, RowSparseNDArray):
        raise MXNetError(f"KVStore.row_sparse_pull: out must be a RowSparseNDArray, got stype {out.stype!r}")
    if not isinstance(row_ids, NDArray) or isinstance(row_ids, BaseSparseNDArray):
        raise MXNetError(f"KVStore.row_sparse_pull: row_ids must be dense NDArrays, got {type(row_ids).__name__}")

    def run():
        rows = np.unique(_host(row_ids._ctx, row_ids._data).astype(np.int64).reshape(-1))
        full = stored._dense_host() if isinstance(stored, BaseSparseNDArray) else _host(stored._ctx, stored._data)
        out._set_parts(np.ascontiguousarray(full[rows]), rows)

    _write_sparse(out, [stored, row_ids], run, "row_sparse_pull")
