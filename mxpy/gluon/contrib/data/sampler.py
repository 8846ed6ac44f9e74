"""IntervalSampler: indices of ``[0, length)`` taken every ``interval`` steps."""

from __future__ import annotations

from ...data.sampler import Sampler

__all__ = ["IntervalSampler"]


class IntervalSampler(Sampler):
    """Visit ``0, interval, 2*interval, ...``; with ``rollover`` then ``1, 1+interval, ...`` until all are seen.

    ``len()`` is ``length`` in both modes, as in MXNet 1.9.1 (even though
    ``rollover=False`` yields fewer indices).

    >>> import mxpy as mx
    >>> list(mx.gluon.contrib.data.IntervalSampler(7, interval=3))
    [0, 3, 6, 1, 4, 2, 5]
    >>> list(mx.gluon.contrib.data.IntervalSampler(7, interval=3, rollover=False))
    [0, 3, 6]
    """

    def __init__(self, length: int, interval: int, rollover: bool = True) -> None:
        if interval > length:
            raise ValueError(f"IntervalSampler: interval {interval} must be smaller than or equal to length {length}")
        self._length = length
        self._interval = interval
        self._rollover = rollover

    def __iter__(self):
        for start in range(self._interval if self._rollover else 1):
            yield from range(start, self._length, self._interval)

    def __len__(self) -> int:
        return self._length
