"""``PrefetchingIter``: read the next batch in a background thread.

>>> import mxpy as mx
>>> it1 = mx.io.NDArrayIter({"data": mx.nd.ones((100, 10))}, batch_size=25)
>>> it2 = mx.io.NDArrayIter({"data": mx.nd.ones((100, 10))}, batch_size=25)
>>> p = mx.io.PrefetchingIter([it1, it2], rename_data=[{"data": "data_1"}, {"data": "data_2"}])
>>> [d.name for d in p.provide_data]
['data_1', 'data_2']
>>> p.close()
"""

from __future__ import annotations

import threading

from ..base import MXNetError
from .base import DataBatch, DataDesc, DataIter, HeldBatchIter

__all__ = ["PrefetchingIter"]


class _Slot:
    """What one worker thread shares with the iterator (never the iterator itself,
    so a dropped PrefetchingIter can be collected and its threads stopped)."""

    def __init__(self, data_iter: DataIter):
        self.iter = data_iter
        self.ready = threading.Event()  # set when batch/error holds the fetch result
        self.wanted = threading.Event()  # set to ask the worker for the next batch
        self.stop = False
        self.batch: DataBatch | None = None
        self.error: BaseException | None = None


def _worker(slot: _Slot) -> None:
    while True:
        slot.wanted.wait()
        slot.wanted.clear()
        if slot.stop:
            return
        try:
            slot.batch, slot.error = slot.iter.next(), None
        except StopIteration:
            slot.batch, slot.error = None, None
        except BaseException as e:  # handed to the consumer's next()
            slot.batch, slot.error = None, e
        slot.ready.set()


def _renamed(descs, mapping, arg: str, i: int) -> list[DataDesc]:
    out = []
    for d in descs:
        d = d if isinstance(d, DataDesc) else DataDesc(*d)
        if d.name not in mapping:
            raise ValueError(f"PrefetchingIter: {arg}[{i}] has no entry for {d.name!r}; given keys {sorted(mapping)}, expected {[x[0] for x in descs]}")
        out.append(DataDesc(mapping[d.name], d.shape, d.dtype))
    return out


class PrefetchingIter(HeldBatchIter):
    """Wrap one or more iterators; a thread per iterator loads the next batch
    while the current one is being used.

    The batches of the wrapped iterators are joined into one ``DataBatch``
    (data and labels concatenated in order); ``rename_data`` /
    ``rename_label`` give, per iterator, a ``{old_name: new_name}`` dict.  An
    exception raised by a wrapped iterator surfaces from ``next()`` (again on
    every call until ``reset()``).  ``close()`` (or leaving a ``with`` block)
    stops the threads; so does dropping the iterator.

    >>> import mxpy as mx
    >>> with mx.io.PrefetchingIter(mx.io.NDArrayIter(mx.nd.arange(4), batch_size=2)) as p:
    ...     [b.data[0].asnumpy().tolist() for b in p]
    [[0.0, 1.0], [2.0, 3.0]]
    """

    def __init__(self, iters, rename_data=None, rename_label=None):
        super().__init__()
        if not isinstance(iters, list):
            iters = [iters]
        if not iters:
            raise ValueError("PrefetchingIter: iters must hold at least one iterator, given an empty list")
        for arg, ren in (("rename_data", rename_data), ("rename_label", rename_label)):
            if ren is not None and (not isinstance(ren, (list, tuple)) or len(ren) != len(iters)):
                given = len(ren) if isinstance(ren, (list, tuple)) else type(ren).__name__
                raise ValueError(f"PrefetchingIter: {arg} must be a list of one dict per iterator, given {given}, expected {len(iters)}")
        self.n_iter = len(iters)
        self.iters = iters
        self.rename_data = rename_data
        self.rename_label = rename_label
        self.batch_size = self.provide_data[0].shape[0]  # validates the renames too
        self.current_batch: DataBatch | None = None
        self._closed = False
        self._slots = [_Slot(it) for it in iters]
        self._threads = [threading.Thread(target=_worker, args=(s,), name=f"PrefetchingIter-{i}", daemon=True) for i, s in enumerate(self._slots)]
        for t in self._threads:
            t.start()
        for s in self._slots:
            s.wanted.set()

    # -- descriptions -------------------------------------------------------
    @property
    def provide_data(self) -> list[DataDesc]:
        """The data descriptions of all wrapped iterators, renamed."""
        if self.rename_data is None:
            return sum((list(i.provide_data) for i in self.iters), [])
        return sum((_renamed(i.provide_data, r, "rename_data", k) for k, (r, i) in enumerate(zip(self.rename_data, self.iters))), [])

    @property
    def provide_label(self) -> list[DataDesc]:
        """The label descriptions of all wrapped iterators, renamed."""
        if self.rename_label is None:
            return sum((list(i.provide_label) for i in self.iters), [])
        return sum((_renamed(i.provide_label, r, "rename_label", k) for k, (r, i) in enumerate(zip(self.rename_label, self.iters))), [])

    # -- lifetime -----------------------------------------------------------
    def close(self) -> None:
        """Stop and join the worker threads (idempotent)."""
        if getattr(self, "_closed", True):
            return
        self._closed = True
        for s in self._slots:
            s.stop = True
            s.wanted.set()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join()

    def __enter__(self) -> PrefetchingIter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise MXNetError("PrefetchingIter: the iterator is closed")

    # -- iteration ----------------------------------------------------------
    def reset(self) -> None:
        """Wait for the batches in flight, reset every wrapped iterator, prefetch again."""
        self._check_open()
        for s in self._slots:
            s.ready.wait()
        for s in self._slots:
            s.iter.reset()
        for s in self._slots:
            s.ready.clear()
            s.wanted.set()

    def iter_next(self) -> bool:
        """Take the prefetched batches and start fetching the next ones."""
        self._check_open()
        for s in self._slots:
            s.ready.wait()
        for s in self._slots:
            if s.error is not None:
                raise s.error
        batches = [s.batch for s in self._slots]
        if batches[0] is None:
            if any(b is not None for b in batches):
                raise MXNetError("PrefetchingIter: number of entry mismatches between iterators: the first one ended before the others")
            return False
        if any(b is None or b.pad != batches[0].pad for b in batches):
            pads = [None if b is None else b.pad for b in batches]
            raise MXNetError(f"PrefetchingIter: number of entry mismatches between iterators: pads {pads}, expected all equal")
        self.current_batch = DataBatch(
            sum((list(b.data) for b in batches), []),
            sum((list(b.label or []) for b in batches), []),
            batches[0].pad,
            batches[0].index,
            provide_data=self.provide_data,
            provide_label=self.provide_label,
        )
        for s in self._slots:
            s.ready.clear()
            s.wanted.set()
        return True

    def next(self) -> DataBatch:
        """The next joined ``DataBatch``; ``StopIteration`` at the end of the epoch."""
        if self.iter_next():
            return self.current_batch
        raise StopIteration
