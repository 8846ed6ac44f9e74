"""``NDArrayIter``: batches over in-memory arrays (NDArray, NumPy, lists of them, dicts).

>>> import numpy as np, mxpy as mx
>>> it = mx.io.NDArrayIter(np.arange(5), np.arange(5) * 10, batch_size=2)
>>> [(b.data[0].asnumpy().tolist(), b.pad) for b in it]
[([0.0, 1.0], 0), ([2.0, 3.0], 0), ([4.0, 0.0], 1)]
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import ndarray as nd
from ..base import MXNetError
from ..ndarray import NDArray
from .base import DataBatch, DataDesc, DataIter

__all__ = ["NDArrayIter"]

_LAST_BATCH_HANDLES = ("pad", "discard", "roll_over")


def _init_data(data, allow_empty: bool, default_name: str, arg: str) -> list[tuple[str, NDArray]]:
    """Canonical ``[(name, NDArray)]`` sorted by name, as MXNet orders its inputs."""
    if data is None:
        if not allow_empty:
            raise ValueError(f"NDArrayIter: {arg} is required, given None")
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not data and not allow_empty:
            raise ValueError(f"NDArrayIter: {arg} must hold at least one array, given an empty {type(data).__name__}")
        if len(data) == 1:
            data = {default_name: data[0]}
        else:
            # MXNet names several unnamed inputs _0_data, _1_data... and then sorts
            # them as strings, so _10_data comes before _2_data.
            data = {f"_{i}_{default_name}": d for i, d in enumerate(data)}
    if not isinstance(data, dict):
        raise TypeError(f"NDArrayIter: {arg} must be an NDArray, numpy.ndarray, a list of them or a dict of them, given {type(data).__name__}")
    out = []
    for name, value in data.items():
        if not isinstance(value, NDArray):
            try:
                value = nd.array(value)
            except Exception as e:
                raise TypeError(f"NDArrayIter: invalid type {type(value).__name__} for {arg} {name!r}; expected NDArray or numpy.ndarray") from e
        if len(value.shape) == 0:
            raise ValueError(f"NDArrayIter: {arg} {name!r} must have a batch axis, given a 0-d array")
        out.append((name, value))
    return sorted(out, key=lambda kv: kv[0])


class NDArrayIter(DataIter):
    """Iterate over arrays in batches of ``batch_size`` along the first axis.

    ``last_batch_handle`` decides what happens to the final short batch:
    ``'pad'`` fills it up with examples from the start (``pad`` tells how
    many), ``'discard'`` drops it, ``'roll_over'`` keeps it and serves it,
    completed by the first examples, as the first batch of the next epoch.
    ``shuffle=True`` permutes the data with ``numpy.random`` at construction
    and at every ``reset`` (seed it with ``np.random.seed``).

    >>> import numpy as np, mxpy as mx
    >>> it = mx.io.NDArrayIter(np.arange(5), batch_size=2, last_batch_handle="roll_over")
    >>> [b.data[0].asnumpy().tolist() for b in it]
    [[0.0, 1.0], [2.0, 3.0]]
    >>> it.reset(); it.next().data[0].asnumpy().tolist()
    [4.0, 0.0]
    """

    def __init__(
        self,
        data,
        label=None,
        batch_size: int = 1,
        shuffle: bool = False,
        last_batch_handle: str = "pad",
        data_name: str = "data",
        label_name: str = "softmax_label",
        layout: str = "NCHW",
    ):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"NDArrayIter: batch_size must be a positive integer, given {batch_size!r}")
        if last_batch_handle not in _LAST_BATCH_HANDLES:
            raise ValueError(f"NDArrayIter: last_batch_handle must be one of {list(_LAST_BATCH_HANDLES)}, given {last_batch_handle!r}")
        if not isinstance(layout, str) or "N" not in layout:
            raise ValueError(f"NDArrayIter: layout must name the batch axis 'N', given {layout!r}")
        batch_size = int(batch_size)
        data = _init_data(data, allow_empty=False, default_name=data_name, arg="data")
        label = _init_data(label, allow_empty=True, default_name=label_name, arg="label")
        num_data = data[0][1].shape[0]
        for arg, source in (("data", data), ("label", label)):
            for name, value in source:
                # MXNet counts examples by the first data array and reads only that many rows
                # of the others, so longer arrays are accepted (their extra rows unused)
                if value.shape[0] < num_data:
                    raise ValueError(f"NDArrayIter: {arg} {name!r} has {value.shape[0]} examples, expected {num_data} (the length of data {data[0][0]!r})")
        if last_batch_handle == "discard" and batch_size > num_data:
            raise ValueError(
                f"NDArrayIter: batch_size {batch_size} is larger than the {num_data} examples, so last_batch_handle='discard' would yield no batch"
            )
        super().__init__(batch_size)
        self.data = data
        self.label = label
        self.idx = np.arange(num_data)
        self.shuffle = bool(shuffle)
        self.last_batch_handle = last_batch_handle
        self.num_data = num_data
        self.layout = layout
        self.cursor = -batch_size
        self._cache_data = None
        self._cache_label = None
        self._ended = False
        self.reset()
        self.data_list = [v for _, v in self.data] + [v for _, v in self.label]
        self.num_source = len(self.data_list)

    # -- descriptions -------------------------------------------------------
    def _descs(self, source) -> list[DataDesc]:
        axis = self.layout.find("N")
        return [DataDesc(k, tuple(v.shape[:axis]) + (self.batch_size,) + tuple(v.shape[axis + 1 :]), v.dtype, layout=self.layout) for k, v in source]

    @property
    def provide_data(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each data input."""
        return self._descs(self.data)

    @property
    def provide_label(self) -> list[DataDesc]:
        """Name, batch shape, dtype and layout of each label input."""
        return self._descs(self.label)

    # -- epoch control ------------------------------------------------------
    def hard_reset(self) -> None:
        """Start over from the first example, dropping any rolled-over rest."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None
        self._ended = False

    def reset(self) -> None:
        """Start the next epoch; with ``'roll_over'`` the short rest leads it."""
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and self.num_data - self.batch_size < self.cursor < self.num_data:
            # The cursor goes negative by the number of carried examples; the
            # next iter_next lands it at -carried, which _batchify reads.
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size
        self._ended = False

    def iter_next(self) -> bool:
        """Move the cursor one batch on; False when the epoch is over."""
        if self.cursor >= self.num_data or self._ended:
            # The epoch is over: stay put, so asking again does not push the
            # cursor past the carried rest that reset() rolls over.
            return False
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self) -> DataBatch:
        """The next ``DataBatch``; ``StopIteration`` at the end of the epoch."""
        if not self.iter_next():
            raise StopIteration
        data = self.getdata()
        label = self.getlabel()
        if data[0].shape[self.layout.find("N")] != self.batch_size:
            # A short last batch ('discard' / 'roll_over'): keep it for roll_over
            # and end the epoch.
            self._cache_data = data
            self._cache_label = label
            self._ended = True
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    # -- batch assembly -----------------------------------------------------
    def _getdata(self, source, start=None, end=None) -> list[NDArray]:
        start = 0 if start is None else start
        end = self.num_data if end is None else end
        axis = self.layout.find("N")
        if axis == 0:
            # the same copy slice_axis makes, taken from a view of the rows: this runs
            # for every array of every batch, and needs no parsing or inference
            return [v[start:end].copy() for _, v in source]
        return [nd.slice_axis(v, axis=axis, begin=start, end=end) for _, v in source]

    def _concat(self, first, second) -> list[NDArray]:
        if not first or not second:
            return first if first else second
        axis = self.layout.find("N")
        return [nd.concat(a, b, dim=axis) for a, b in zip(first, second)]

    def _tile(self, data, repeats: int) -> list[NDArray]:
        return [nd.tile(d, reps=(repeats,) + (1,) * (len(d.shape) - 1)) for d in data]

    def _batchify(self, source) -> list[NDArray]:
        if not self.cursor < self.num_data:
            raise MXNetError(f"NDArrayIter: no current batch (cursor {self.cursor}, {self.num_data} examples); call reset() and next() first")
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            # First batch of an epoch after a roll-over: the carried rest of the
            # previous epoch followed by the first examples of this one.
            if self._cache_data is not None:
                cached, self._cache_data = self._cache_data, None
            else:
                cached, self._cache_label = self._cache_label, None
            return self._concat(cached, self._getdata(source, end=self.cursor + self.batch_size))
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            pad = self.batch_size - self.num_data + self.cursor
            first = self._getdata(source, start=self.cursor)
            if pad > self.num_data:
                second = self._tile(self._getdata(source, end=self.num_data), pad // self.num_data)
                if pad % self.num_data:
                    second = self._concat(second, self._getdata(source, end=pad % self.num_data))
            else:
                second = self._getdata(source, end=pad)
            return self._concat(first, second)
        end = min(self.cursor + self.batch_size, self.num_data)
        return self._getdata(source, self.cursor, end)

    def getdata(self) -> list[NDArray]:
        """Data NDArrays of the current batch."""
        return self._batchify(self.data)

    def getlabel(self) -> list[NDArray]:
        """Label NDArrays of the current batch."""
        return self._batchify(self.label)

    def getpad(self) -> int:
        """Filler examples in the current batch (carried ones for 'roll_over')."""
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self) -> None:
        # MXNet permutes with the global NumPy RNG and rebuilds each array with
        # mx.nd.array (so it comes back float32), compounding permutations.
        np.random.shuffle(self.idx)
        self.data = [(k, nd.array(v.asnumpy()[self.idx], v.context)) for k, v in self.data]
        self.label = [(k, nd.array(v.asnumpy()[self.idx], v.context)) for k, v in self.label]
