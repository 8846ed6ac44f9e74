"""Datasets: indexable collections of samples, with lazy transforms, filters, shards and takes.

>>> import mxpy as mx
>>> ds = mx.gluon.data.SimpleDataset(list(range(10)))
>>> list(ds.transform(lambda x: x * 2).filter(lambda x: x % 4 == 0).take(3))
[0, 4, 8]
"""

from __future__ import annotations

import os

from ... import ndarray, recordio
from ...base import MXNetError

__all__ = ["Dataset", "SimpleDataset", "ArrayDataset", "RecordFileDataset"]


class Dataset:
    """Base class: define ``__getitem__`` and ``__len__``.

    >>> class Squares(mx.gluon.data.Dataset):
    ...     def __len__(self): return 4
    ...     def __getitem__(self, i): return i * i
    >>> list(Squares().shard(2, 1))
    [4, 9]
    """

    def __getitem__(self, idx):
        raise TypeError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self):
        raise TypeError(f"{type(self).__name__} does not define __len__")

    def filter(self, fn):
        """The samples for which ``fn(sample)`` is true (evaluated now, over the whole dataset)."""
        from .sampler import FilterSampler

        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards, index):
        """Shard ``index`` of ``num_shards`` contiguous shards (the first ``len % num_shards`` one longer).

        >>> [len(mx.gluon.data.SimpleDataset(range(9)).shard(4, i)) for i in range(4)]
        [3, 2, 2, 2]
        """
        if num_shards <= 0:
            raise ValueError(f"Dataset.shard: num_shards must be positive, given {num_shards}")
        if not 0 <= index < num_shards:
            raise ValueError(f"Dataset.shard: shard index out of bound: {index} out of {num_shards}")
        from .sampler import SequentialSampler

        per, rest = divmod(len(self), num_shards)
        start = per * index + min(index, rest)
        return _SampledDataset(self, SequentialSampler(per + (index < rest), start))

    def take(self, count):
        """The first ``count`` samples (all of them when ``count`` is None or too large)."""
        if count is None or count > len(self):
            count = len(self)
        from .sampler import SequentialSampler

        return _SampledDataset(self, SequentialSampler(count))

    def sample(self, sampler):
        """The samples at the indices ``sampler`` yields."""
        from .sampler import Sampler

        if not isinstance(sampler, Sampler):
            raise TypeError(f"Invalid sampler type: {type(sampler)}. Expected gluon.data.Sampler instead.")
        return _SampledDataset(self, sampler)

    def transform(self, fn, lazy=True):
        """Apply ``fn`` to each sample (a tuple sample is unpacked into arguments); ``lazy=False`` applies it now.

        >>> mx.gluon.data.ArrayDataset([1, 2], [3, 4]).transform(lambda x, y: x + y)[1]
        6
        """
        trans = _LazyTransformDataset(self, fn)
        return trans if lazy else SimpleDataset([x for x in trans])

    def transform_first(self, fn, lazy=True):
        """Apply ``fn`` to the first element of each sample only (the data, not the label).

        >>> mx.gluon.data.ArrayDataset([1, 2], [3, 4]).transform_first(lambda x: x * 10)[0]
        (10, 3)
        """
        return self.transform(_TransformFirstClosure(fn), lazy)


class SimpleDataset(Dataset):
    """A dataset over anything with ``len`` and indexing (a list, an array).

    >>> mx.gluon.data.SimpleDataset([5, 6, 7])[2]
    7
    """

    def __init__(self, data):
        self._data = data

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]


class _LazyTransformDataset(Dataset):
    def __init__(self, data, fn):
        self._data = data
        self._fn = fn

    def __len__(self):
        return len(self._data)

    def __getitem__(self, idx):
        item = self._data[idx]
        if isinstance(item, tuple):
            return self._fn(*item)
        return self._fn(item)


class _TransformFirstClosure:
    """Picklable wrapper applying a function to the first element (worker processes pickle it under spawn)."""

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, x, *args):
        if args:
            return (self._fn(x),) + args
        return self._fn(x)


class _SampledDataset(Dataset):
    def __init__(self, dataset, sampler):
        self._dataset = dataset
        self._sampler = sampler
        self._indices = list(iter(sampler))

    def __len__(self):
        return len(self._sampler)

    def __getitem__(self, idx):
        return self._dataset[self._indices[idx]]


class ArrayDataset(Dataset):
    """Zip of equally long arrays; a sample is the tuple of their items (or the item, for one array).

    A 1-D NDArray is kept as NumPy so that its items are scalars, as MXNet does.

    >>> import numpy as np
    >>> mx.gluon.data.ArrayDataset(np.zeros((3, 2)), [7, 8, 9])[1]
    (array([0., 0.]), 8)
    """

    def __init__(self, *args):
        if not args:
            raise ValueError("ArrayDataset: needs at least 1 array")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise ValueError(f"All arrays must have the same length; array[0] has length {self._length} while array[{i}] has {len(data)}.")
            if isinstance(data, ndarray.NDArray) and len(data.shape) == 1:
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx):
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __len__(self):
        return self._length


class RecordFileDataset(Dataset):
    """The raw records of a ``.rec`` file, by position, through its ``.idx`` (same name, ``.idx`` suffix).

    >>> ds = mx.gluon.data.RecordFileDataset("train.rec")              # doctest: +SKIP
    >>> header, img = mx.recordio.unpack(ds[0])                        # doctest: +SKIP
    """

    def __init__(self, filename):
        self.idx_file = os.path.splitext(filename)[0] + ".idx"
        self.filename = filename
        if not os.path.isfile(self.idx_file):
            raise MXNetError(f"RecordFileDataset: the index {self.idx_file!r} of {filename!r} does not exist; write the file with MXIndexedRecordIO or im2rec")
        self._record = recordio.MXIndexedRecordIO(self.idx_file, self.filename, "r")

    def __getitem__(self, idx):
        return self._record.read_idx(self._record.keys[idx])

    def __len__(self):
        return len(self._record.keys)


class _DownloadedDataset(Dataset):
    """Base of the vision datasets: ``(data[idx], label[idx])``, optionally through ``transform``."""

    def __init__(self, root, transform):
        super().__init__()
        self._transform = transform
        self._data = None
        self._label = None
        self._root = os.path.expanduser(root)
        self._get_data()

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)

    def _get_data(self):
        raise TypeError(f"{type(self).__name__} does not define _get_data")
