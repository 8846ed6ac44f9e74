"""``mx.nd.sparse``: MXNet's sparse-storage front end, present by name only.

mxpy stores every array densely (``stype='default'``). This module keeps
MXNet's public names so scripts and tests that import it load, but every entry
point raises :class:`~mxpy.base.MXNetError` saying so: no sparse array is ever
faked with a dense one. Use ``mx.nd.array`` / ``.tostype('default')`` data.

>>> import mxpy as mx
>>> try:
...     mx.nd.sparse.csr_matrix(([1.0], [0], [0, 1]), shape=(1, 2))
... except mx.base.MXNetError as e:
...     print(str(e).split(":")[0])
mx.nd.sparse.csr_matrix
"""

from __future__ import annotations

from ..base import MXNetError
from .ndarray import NDArray

__all__ = [
    "_ndarray_cls",
    "csr_matrix",
    "row_sparse_array",
    "BaseSparseNDArray",
    "CSRNDArray",
    "RowSparseNDArray",
    "add",
    "subtract",
    "multiply",
    "divide",
    "zeros",
    "empty",
    "array",
]


def _unsupported(api: str) -> MXNetError:
    return MXNetError(f"{api}: sparse storage is not supported by mxpy (dense arrays only); use mx.nd dense arrays")


class BaseSparseNDArray(NDArray):
    """MXNet's base class of sparse arrays; cannot be instantiated in mxpy."""

    def __new__(cls, *args, **kwargs):
        raise _unsupported(f"mx.nd.sparse.{cls.__name__}")


class CSRNDArray(BaseSparseNDArray):
    """MXNet's compressed-sparse-row array; cannot be instantiated in mxpy."""


class RowSparseNDArray(BaseSparseNDArray):
    """MXNet's row-sparse array; cannot be instantiated in mxpy."""


def _make(name: str, summary: str):
    def entry(*args, **kwargs):
        raise _unsupported(f"mx.nd.sparse.{name}")

    entry.__name__ = entry.__qualname__ = name
    entry.__doc__ = f"{summary} Always raises MXNetError: mxpy has dense storage only."
    return entry


csr_matrix = _make("csr_matrix", "MXNet: create a CSRNDArray.")
row_sparse_array = _make("row_sparse_array", "MXNet: create a RowSparseNDArray.")
add = _make("add", "MXNet: element-wise sum of sparse arrays.")
subtract = _make("subtract", "MXNet: element-wise difference of sparse arrays.")
multiply = _make("multiply", "MXNet: element-wise product of sparse arrays.")
divide = _make("divide", "MXNet: element-wise quotient of sparse arrays.")
zeros = _make("zeros", "MXNet: a sparse array of zeros with a given stype.")
empty = _make("empty", "MXNet: an uninitialised sparse array with a given stype.")
array = _make("array", "MXNet: a sparse array from scipy.sparse or sparse NDArray data.")
_ndarray_cls = _make("_ndarray_cls", "MXNet: wrap a handle in the NDArray class of its stype.")
