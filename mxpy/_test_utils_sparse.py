"""The sparse parts of ``mx.test_utils``: random row_sparse and CSR arrays, as MXNet 1.9.1.

>>> from mxpy.test_utils import rand_ndarray
>>> rand_ndarray((4, 3), "row_sparse", density=1.0).stype
'row_sparse'
"""

from __future__ import annotations

import numpy as np

from .base import np_dtype

__all__ = ["rand_sparse_ndarray", "create_sparse_array", "create_sparse_array_zd", "shuffle_csr_column_indices"]


def _uniform_csr(rows: int, cols: int, density: float, dtype, data_init=None, shuffle=False):
    """(data, indices, indptr) with ``round(density * rows * cols)`` entries at random places."""
    nnz = int(round(density * rows * cols))
    flat = np.sort(np.random.choice(rows * cols, nnz, replace=False)) if nnz else np.zeros(0, np.int64)
    data = np.random.rand(nnz).astype(dtype) if data_init is None else np.full(nnz, data_init, dtype)
    r, c = np.divmod(flat, cols)
    indptr = np.zeros(rows + 1, np.int64)
    np.cumsum(np.bincount(r, minlength=rows), out=indptr[1:])
    if shuffle:
        for i in range(rows):
            np.random.shuffle(c[indptr[i] : indptr[i + 1]])
    return data, c.astype(np.int64), indptr


def _powerlaw_csr(rows: int, cols: int, density: float, dtype):
    """Row i holds twice as many entries as row i-1 (1 in the first) until ``density`` is reached."""
    left = int(round(density * rows * cols))
    dense = np.zeros((rows, cols), dtype)
    per_row = 1
    for i in range(rows):
        take = min(per_row, cols, left)
        dense[i, :take] = np.random.rand(take) + 0.1
        left -= take
        per_row *= 2
    return dense


def shuffle_csr_column_indices(csr) -> None:
    """Shuffle the column indices of each row of a scipy CSR matrix in place."""
    for i in range(csr.shape[0]):
        lo, hi = csr.indptr[i], csr.indptr[i + 1]
        np.random.shuffle(csr.indices[lo:hi])


def rand_sparse_ndarray(
    shape, stype, density=None, dtype=None, distribution=None, data_init=None, rsp_indices=None, modifier_func=None, shuffle_csr_indices=False, ctx=None
):
    """A random sparse array and its parts: ``(rsp, (values, indices))`` or ``(csr, (indptr, indices, data))``.

    >>> arr, (vals, idx) = rand_sparse_ndarray((5, 2), "row_sparse", density=1.0)
    >>> idx.tolist()
    [0, 1, 2, 3, 4]
    """
    from . import ndarray as nd
    from .test_utils import assign_each, default_context, default_dtype

    ctx = ctx if ctx else default_context()
    density = np.random.rand() if density is None else density
    dtype = np_dtype(default_dtype() if dtype is None else dtype, "rand_sparse_ndarray: dtype")
    distribution = distribution or "uniform"
    if stype == "row_sparse":
        if distribution != "uniform":
            raise AssertionError(f"Distribution {distribution} not supported for row_sparse")
        if rsp_indices is not None:
            indices = np.asarray(rsp_indices)
            assert len(indices) <= shape[0]
        else:
            indices = np.argwhere(np.random.rand(shape[0]) < density).flatten()
        if indices.shape[0] == 0:
            return nd.zeros(shape, stype="row_sparse", dtype=dtype, ctx=ctx), (np.array([], dtype=dtype), np.array([]))
        val = np.random.rand(indices.shape[0], *shape[1:]).astype(dtype)
        if data_init is not None:
            val.fill(data_init)
        if modifier_func is not None:
            val = assign_each(val, modifier_func)
        arr = nd.sparse.row_sparse_array((val, indices), shape=shape, dtype=dtype, ctx=ctx)
        return arr, (val, indices)
    if stype == "csr":
        assert len(shape) == 2, f"rand_sparse_ndarray: csr needs a 2-D shape, got {shape}"
        if distribution == "uniform":
            data, indices, indptr = _uniform_csr(shape[0], shape[1], density, dtype, data_init, shuffle_csr_indices)
            arr = nd.sparse.csr_matrix((data, indices, indptr), shape=tuple(shape), dtype=dtype, ctx=ctx)
        elif distribution == "powerlaw":
            arr = nd.sparse.csr_matrix(_powerlaw_csr(shape[0], shape[1], density, dtype), dtype=dtype, ctx=ctx)
        else:
            raise AssertionError(f"Distribution not supported: {distribution}")
        return arr, (arr.indptr, arr.indices, arr.data)
    raise AssertionError(f"unknown storage type {stype!r}")


def create_sparse_array(shape, stype, data_init=None, rsp_indices=None, dtype=None, modifier_func=None, density=0.5, shuffle_csr_indices=False):
    """A random sparse array of ``shape`` (row_sparse rows ``rsp_indices`` when given)."""
    if stype == "row_sparse":
        arr, _ = rand_sparse_ndarray(shape, stype, density=density, dtype=dtype, data_init=data_init, rsp_indices=rsp_indices, modifier_func=modifier_func)
    elif stype == "csr":
        arr, _ = rand_sparse_ndarray(
            shape, stype, density=density, dtype=dtype, data_init=data_init, modifier_func=modifier_func, shuffle_csr_indices=shuffle_csr_indices
        )
    else:
        raise AssertionError(f"Unknown storage type: {stype}")
    return arr


def create_sparse_array_zd(shape, stype, density, data_init=None, rsp_indices=None, dtype=None, modifier_func=None, shuffle_csr_indices=False):
    """:func:`create_sparse_array` that allows density 0 (row_sparse rows from ``rsp_indices``)."""
    if stype == "row_sparse":
        density = 0.0
        if rsp_indices is not None:
            assert len(rsp_indices) <= shape[0]
    return create_sparse_array(shape, stype, data_init, rsp_indices, dtype, modifier_func, density, shuffle_csr_indices)
