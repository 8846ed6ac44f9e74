"""``mx.io``: data iterators feeding training and prediction.

>>> import numpy as np, mxpy as mx
>>> it = mx.io.NDArrayIter(np.zeros((10, 3)), np.arange(10), batch_size=4)
>>> [b.pad for b in it]
[0, 0, 2]
"""

from __future__ import annotations

from .base import DataBatch, DataDesc, DataIter
from .csv_iter import CSVIter
from .image_record import ImageRecordInt8Iter, ImageRecordIter, ImageRecordUInt8Iter
from .libsvm import LibSVMIter
from .mnist import MNISTIter
from .ndarray_iter import NDArrayIter
from .prefetch import PrefetchingIter
from .resize import ResizeIter

__all__ = [
    "DataDesc",
    "DataBatch",
    "DataIter",
    "NDArrayIter",
    "MNISTIter",
    "CSVIter",
    "PrefetchingIter",
    "ResizeIter",
    "ImageRecordIter",
    "ImageRecordUInt8Iter",
    "ImageRecordInt8Iter",
    "LibSVMIter",
]
