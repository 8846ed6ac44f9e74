"""Shared base of the iterators MXNet implements in C++ (``MNISTIter``, ``CSVIter``).

They build whole batches in host memory and hand them out as NDArrays on
the CPU; ``index`` is a ``uint64`` NumPy array of example numbers.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..base import MXNetError
from ..ndarray import NDArray, array
from .base import DataBatch, DataDesc, DataIter

__all__ = ["NativeBatchIter"]


def check_batch_size(owner: str, batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"{owner}: batch_size must be a positive integer, given {batch_size!r}")
    return int(batch_size)


def check_prefetch_buffer(owner: str, prefetch_buffer) -> None:
    if isinstance(prefetch_buffer, bool) or not isinstance(prefetch_buffer, numbers.Integral) or prefetch_buffer < 0:
        raise ValueError(f"{owner}: prefetch_buffer must be a non-negative integer, given {prefetch_buffer!r}")


def output_dtype(owner: str, dtype, allowed: tuple[str, ...]) -> np.dtype:
    """The output dtype for MXNet's ``dtype`` iterator parameter (None means float32)."""
    if dtype is None or dtype == "None":
        return np.dtype(np.float32)
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in allowed:
        raise MXNetError(f"{owner}: dtype {dtype!r} is not supported; expected None or one of {list(allowed)}")
    return dt


class NativeBatchIter(DataIter):
    """Hands out host batches made by ``_load_next`` as CPU NDArrays.

    Subclasses set ``_data_desc``/``_label_desc`` and implement
    ``_load_next() -> (data, label, pad, index) | None`` and ``_rewind()``.
    """

    def __init__(self, batch_size: int, data_name: str, label_name: str, data_shape: tuple, label_shape: tuple, dtype: np.dtype):
        super().__init__(batch_size)
        self.provide_data = [DataDesc(data_name, (batch_size,) + tuple(data_shape), dtype.type)]
        self.provide_label = [DataDesc(label_name, (batch_size,) + tuple(label_shape), dtype.type)]
        self._current: tuple[NDArray, NDArray, int, np.ndarray] | None = None

    def _load_next(self):
        raise TypeError(f"{type(self).__name__} does not define _load_next")

    def _rewind(self) -> None:
        raise TypeError(f"{type(self).__name__} does not define _rewind")

    def reset(self) -> None:
        """Start the next epoch."""
        self._current = None
        self._rewind()

    def iter_next(self) -> bool:
        """Load the next batch; False at the end of the epoch."""
        got = self._load_next()
        if got is None:
            return False
        data, label, pad, index = got
        # Fresh NDArrays each batch: the host buffers are reused by the loader.
        self._current = (array(data, dtype=data.dtype), array(label, dtype=label.dtype), int(pad), np.array(index, dtype=np.uint64))
        return True

    def next(self) -> DataBatch:
        """The next ``DataBatch``; ``StopIteration`` at the end of the epoch."""
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=[self.getdata()], label=[self.getlabel()], pad=self.getpad(), index=self.getindex())

    def _batch(self):
        if self._current is None:
            raise MXNetError(f"{type(self).__name__}: no current batch; call next() or iter_next() first")
        return self._current

    # As in MXNet's wrapper of its C++ iterators, getdata/getlabel return the
    # NDArray itself; next() wraps each in a list.
    def getdata(self) -> NDArray:
        """Data NDArray of the current batch."""
        return self._batch()[0]

    def getlabel(self) -> NDArray:
        """Label NDArray of the current batch."""
        return self._batch()[1]

    def getpad(self) -> int:
        """Number of filler examples at the end of the current batch."""
        return self._batch()[2]

    def getindex(self) -> np.ndarray:
        """Example numbers of the current batch (``uint64``)."""
        return self._batch()[3]
