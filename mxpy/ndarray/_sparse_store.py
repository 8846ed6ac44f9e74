"""Host-side storage kernels of the sparse formats (no NDArray, no engine).

A row_sparse array of shape ``(N, ...)`` is ``data`` of shape ``(nnr, ...)``
and ``indices`` (int64, sorted, unique) naming the rows ``data`` holds. A CSR
matrix of shape ``(M, N)`` is ``data`` ``(nnz,)``, ``indptr`` ``(M + 1,)`` and
``indices`` ``(nnz,)``, both int64 (MXNet's aux order: indptr, then indices).
These functions convert between the formats and dense NumPy arrays; the
sparse NDArray classes call them inside engine pushes.

>>> import numpy as np
>>> data, idx = rsp_from_dense(np.array([[0, 0], [1, 2], [0, 0]], np.float32))
>>> idx.tolist(), data.tolist()
([1], [[1.0, 2.0]])
"""

from __future__ import annotations

import numpy as np

IDX = np.dtype(np.int64)


def rsp_from_dense(dense: np.ndarray, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """(data, indices) of ``dense`` keeping every row with a non-zero (and the rows in ``keep``)."""
    if dense.ndim == 0:
        raise ValueError("row_sparse storage needs at least one dimension")
    flat = dense.reshape(dense.shape[0], -1)
    rows = np.flatnonzero(np.any(flat != 0, axis=1)) if flat.shape[1] else np.zeros(0, IDX)
    if keep is not None and len(keep):
        rows = np.union1d(rows, np.asarray(keep, IDX))
    rows = rows.astype(IDX, copy=False)
    return np.ascontiguousarray(dense[rows]), rows


def rsp_to_dense(data: np.ndarray, indices: np.ndarray, shape: tuple, dtype) -> np.ndarray:
    out = np.zeros(shape, dtype)
    if len(indices):
        out[indices] = data
    return out


def csr_from_dense(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data, indptr, indices) of 2-D ``dense``: its non-zero entries, row by row."""
    if dense.ndim != 2:
        raise ValueError(f"csr storage needs a 2-D array, got {dense.ndim} dims")
    rows, cols = np.nonzero(dense)
    indptr = np.zeros(dense.shape[0] + 1, IDX)
    np.cumsum(np.bincount(rows, minlength=dense.shape[0]), out=indptr[1:])
    return np.ascontiguousarray(dense[rows, cols]), indptr, cols.astype(IDX)


def csr_to_dense(data: np.ndarray, indptr: np.ndarray, indices: np.ndarray, shape: tuple, dtype) -> np.ndarray:
    out = np.zeros(shape, dtype)
    if len(data):
        rows = np.repeat(np.arange(shape[0]), np.diff(indptr))
        np.add.at(out, (rows, indices), data)  # duplicates add, as scipy reads them
    return out


def csr_rows(data, indptr, indices, begin: int, end: int):
    """The CSR components of rows ``[begin, end)``."""
    lo, hi = int(indptr[begin]), int(indptr[end])
    return data[lo:hi].copy(), (indptr[begin : end + 1] - lo).astype(IDX), indices[lo:hi].copy()


def rsp_retain(data: np.ndarray, indices: np.ndarray, keep: np.ndarray):
    """A row_sparse array holding exactly the rows ``keep`` (absent ones stored as zeros, as MXNet)."""
    keep = np.asarray(keep, IDX).reshape(-1)
    out = np.zeros((len(keep),) + data.shape[1:], data.dtype)
    if len(indices):
        pos = np.clip(np.searchsorted(indices, keep), 0, len(indices) - 1)
        found = indices[pos] == keep
        out[found] = data[pos[found]]
    return out, keep


def check_rsp(data, indices, shape, full: bool) -> None:
    if indices.ndim != 1 or data.shape[:1] != indices.shape or tuple(data.shape[1:]) != tuple(shape[1:]):
        raise ValueError(f"row_sparse: data {data.shape} and indices {indices.shape} do not fit shape {shape}")
    if full and len(indices):
        if indices.min() < 0 or indices.max() >= shape[0]:
            raise ValueError(f"row_sparse: an index is outside [0, {shape[0]})")
        if np.any(np.diff(indices) <= 0):
            raise ValueError("row_sparse: indices must be sorted in ascending order and unique")


def check_csr(data, indptr, indices, shape, full: bool) -> None:
    if len(shape) != 2 or indptr.shape != (shape[0] + 1,) or data.shape != indices.shape:
        raise ValueError(f"csr: indptr {indptr.shape}, indices {indices.shape} and data {data.shape} do not fit shape {shape}")
    if full:
        if indptr[0] != 0 or indptr[-1] != len(indices) or np.any(np.diff(indptr) < 0):
            raise ValueError("csr: indptr must start at 0, never decrease and end at nnz")
        if len(indices) and (indices.min() < 0 or indices.max() >= shape[1]):
            raise ValueError(f"csr: a column index is outside [0, {shape[1]})")
        for r in range(shape[0]):
            if np.any(np.diff(indices[indptr[r] : indptr[r + 1]]) <= 0):
                raise ValueError(f"csr: the column indices of row {r} must be sorted and unique")
