"""``ResizeIter``: make an iterator's epoch a fixed number of batches.

>>> import mxpy as mx
>>> it = mx.io.ResizeIter(mx.io.NDArrayIter(mx.nd.ones((100, 10)), batch_size=25), 6)
>>> len(list(it))
6
"""

from __future__ import annotations

import numbers

from .base import DataBatch, DataIter, HeldBatchIter

__all__ = ["ResizeIter"]


class ResizeIter(HeldBatchIter):
    """Serve exactly ``size`` batches of ``data_iter`` per epoch.

    When the wrapped iterator runs out first it is reset and read on; a
    shorter ``size`` stops early.  ``reset()`` resets the wrapped iterator too
    unless ``reset_internal=False`` (then the next epoch goes on where this
    one stopped).

    >>> import mxpy as mx
    >>> inner = mx.io.NDArrayIter(mx.nd.arange(4), batch_size=2)
    >>> [b.data[0].asnumpy().tolist() for b in mx.io.ResizeIter(inner, 3)]
    [[0.0, 1.0], [2.0, 3.0], [0.0, 1.0]]
    """

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True):
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 0:
            raise ValueError(f"ResizeIter: size must be a non-negative integer, given {size!r}")
        super().__init__()
        self.data_iter = data_iter
        self.size = int(size)
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch: DataBatch | None = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        self.batch_size = data_iter.batch_size
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        """Start a new epoch of ``size`` batches."""
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        """Fetch the next batch, wrapping the inner iterator; False after ``size`` batches."""
        if self.cur == self.size:
            return False
        try:
            batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            try:
                batch = self.data_iter.next()
            except StopIteration:
                raise ValueError("ResizeIter: data_iter yields no batch even right after reset(); expected at least one") from None
        self.current_batch = batch
        self.cur += 1
        return True
