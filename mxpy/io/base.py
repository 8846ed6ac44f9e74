"""The data-iterator protocol: ``DataDesc``, ``DataBatch`` and ``DataIter``.

>>> import mxpy as mx
>>> d = mx.io.DataDesc("data", (32, 3, 8, 8))
>>> d.name, d.shape, d.layout
('data', (32, 3, 8, 8), 'NCHW')
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

__all__ = ["DataDesc", "DataBatch", "DataIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name, shape, dtype and layout of one data or label input.

    It is a ``(name, shape)`` tuple (so code that unpacks pairs keeps working)
    with ``dtype`` and ``layout`` attached as attributes.

    >>> d = DataDesc("softmax_label", (4,), "int32", layout="N")
    >>> tuple(d), d.dtype, DataDesc.get_batch_axis(d.layout)
    (('softmax_label', (4,)), 'int32', 0)
    """

    def __new__(cls, name, shape, dtype=np.float32, layout="NCHW"):
        ret = super().__new__(cls, name, shape)
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout: str | None) -> int:
        """Axis of ``N`` in ``layout`` (0 when ``layout`` is None, -1 when absent).

        >>> DataDesc.get_batch_axis("TNC")
        1
        """
        if layout is None:
            return 0
        return layout.find("N")

    @staticmethod
    def get_list(shapes, types=None) -> list[DataDesc]:
        """``DataDesc`` list from ``[(name, shape)]`` and optional ``[(name, dtype)]``.

        >>> DataDesc.get_list([("a", (2,))], [("a", "int32")])
        [DataDesc[a,(2,),int32,NCHW]]
        """
        if types is None:
            return [DataDesc(name, shape) for name, shape in shapes]
        type_of = dict(types)
        missing = [name for name, _ in shapes if name not in type_of]
        if missing:
            raise ValueError(f"DataDesc.get_list: types has no entry for {missing}; given type names {sorted(type_of)}")
        return [DataDesc(name, shape, type_of[name]) for name, shape in shapes]


class DataBatch:
    """One batch: lists of data and label NDArrays plus bookkeeping.

    ``pad`` counts the examples at the end of the batch that only fill it up
    (prediction should drop them); ``index`` holds example indices when the
    iterator knows them.

    >>> import mxpy as mx
    >>> b = DataBatch([mx.nd.zeros((2, 3))], [mx.nd.zeros((2,))], pad=0)
    >>> str(b)
    'DataBatch: data shapes: [(2, 3)] label shapes: [(2,)]'
    """

    def __init__(self, data, label=None, pad=None, index=None, bucket_key=None, provide_data=None, provide_label=None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise TypeError(f"DataBatch: data must be a list of NDArrays, given {type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise TypeError(f"DataBatch: label must be a list of NDArrays, given {type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data_shapes = [d.shape for d in self.data]
        label_shapes = [lab.shape for lab in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data_shapes} label shapes: {label_shapes}"


class DataIter:
    """Base class of every data iterator.

    Subclasses implement ``iter_next`` (advance; False at the end of the
    epoch), ``getdata``, ``getlabel``, ``getpad`` and optionally ``getindex``;
    ``next`` then builds the ``DataBatch``.  Iterating yields batches until the
    epoch ends; ``reset`` starts the next epoch.

    >>> import mxpy as mx
    >>> it = mx.io.NDArrayIter(mx.nd.ones((4, 2)), batch_size=2)
    >>> [b.data[0].shape for b in it]
    [(2, 2), (2, 2)]
    """

    def __init__(self, batch_size: int = 0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self) -> None:
        """Go back to the start of the data (a no-op for the base class)."""

    def next(self) -> DataBatch:
        """Return the next batch; raise ``StopIteration`` at the end of the epoch."""
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        """Advance to the next batch; return whether there was one."""
        return False

    def getdata(self):
        """Data NDArrays of the current batch."""
        return None

    def getlabel(self):
        """Label NDArrays of the current batch."""
        return None

    def getindex(self):
        """Example indices of the current batch (None when unknown)."""
        return None

    def getpad(self):
        """Number of filler examples at the end of the current batch."""
        return None


class HeldBatchIter(DataIter):
    """A DataIter whose ``iter_next`` stores the batch in ``self.current_batch``
    (the wrapping iterators: PrefetchingIter, ResizeIter); the getters read it."""

    current_batch: DataBatch | None = None

    def getdata(self):
        """Data of the current batch."""
        return self.current_batch.data

    def getlabel(self):
        """Label of the current batch."""
        return self.current_batch.label

    def getindex(self):
        """Index of the current batch."""
        return self.current_batch.index

    def getpad(self):
        """Pad of the current batch."""
        return self.current_batch.pad
