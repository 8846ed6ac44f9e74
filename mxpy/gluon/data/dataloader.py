"""``DataLoader``: batches from a dataset, built in the caller, in a thread pool or in worker processes.

Worker processes (``num_workers > 0``, ``thread_pool=False``) are started with
the loader and kept for its lifetime. Each batch index list goes to one worker
(round robin); the worker hands the finished batch back through shared memory
(see ``_worker``), so arrays are never pickled. ``prefetch`` batches are in
flight at once (default ``2 * num_workers``). A worker that dies raises an
MXNetError naming it; a batch that takes longer than ``timeout`` seconds
raises too, instead of hanging.

>>> import numpy as np, mxpy as mx
>>> loader = mx.gluon.data.DataLoader(np.arange(6.0), batch_size=4, last_batch="discard")
>>> [b.asnumpy().tolist() for b in loader]
[[0.0, 1.0, 2.0, 3.0]]
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import threading
import time
import warnings
from multiprocessing.pool import ThreadPool

import numpy as np

from ... import context
from ... import ndarray as nd
from ...base import MXNetError
from .._np_mode import as_np_if_active
from . import _worker
from . import sampler as _sampler

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]


def default_batchify_fn(data):
    """Stack a list of samples into a batch: NDArrays with ``nd.stack``, tuples field by field, anything else through NumPy.

    >>> default_batchify_fn([(1, 2.0), (3, 4.0)])[0].asnumpy()
    array([1, 3], dtype=int64)
    """
    if isinstance(data[0], nd.NDArray):
        return nd.stack(*data)
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(x)) for x in zip(*data)]
    arr = np.asarray(data)
    return nd.array(arr, dtype=arr.dtype)


def default_mp_batchify_fn(data):
    """``default_batchify_fn`` for workers: inside a worker process the batch is stacked straight into shared memory.

    >>> default_mp_batchify_fn([np.zeros(2), np.ones(2)]).shape
    (2, 2)
    """
    alloc = _worker._worker_alloc
    if isinstance(data[0], tuple):
        return [default_mp_batchify_fn(list(x)) for x in zip(*data)]
    if alloc is None:
        if isinstance(data[0], nd.NDArray):
            out = nd.empty((len(data),) + tuple(data[0].shape), dtype=data[0].dtype, ctx=context.Context("cpu_shared", 0))
            out[:] = nd.stack(*data)
            return out
        arr = np.asarray(data)
        return nd.array(arr, dtype=arr.dtype, ctx=context.Context("cpu_shared", 0))
    # np.asarray views an NDArray's memory (no copy); np.stack below is the one copy, into shared memory
    items = [np.asarray(x) for x in data]
    first = items[0]
    if first.dtype.hasobject or any(x.shape != first.shape for x in items):
        arr = np.asarray(items)
        return nd.array(arr, dtype=arr.dtype)
    # Stacked straight into a shared segment, which the parent maps as an NDArray without a copy.
    out = alloc((len(items),) + first.shape, first.dtype, nd=True)
    np.stack(items, out=out)
    return out


def _as_in_context(data, ctx):
    if isinstance(data, nd.NDArray):
        return data.as_in_context(ctx)
    if isinstance(data, (list, tuple)):
        return [_as_in_context(d, ctx) for d in data]
    return data


class _ProcessWorkers:
    """``num_workers`` processes, each with a task queue in and a pipe of results out.

    Results go through a pipe written synchronously by the worker, so a batch
    finished before a worker dies is never lost in a feeder thread.
    """

    def __init__(self, num_workers, dataset, batchify_fn):
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        self.task_qs = [ctx.SimpleQueue() for _ in range(num_workers)]
        pipes = [ctx.Pipe(duplex=False) for _ in range(num_workers)]
        self.conns = [r for r, _ in pipes]
        nd.waitall()  # nothing in flight while forking
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
        try:
            self.procs = []
            for wid in range(num_workers):
                p = ctx.Process(
                    target=_worker.worker_main, args=(wid, dataset, batchify_fn, self.task_qs[wid], pipes[wid][1]), daemon=True, name=f"mxpy-dataloader-{wid}"
                )
                with warnings.catch_warnings():
                    # Python 3.12+ warns about forking a threaded process; as MXNet, the workers are forked
                    # with nothing in flight (waitall above) and run their own engine.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    p.start()
                self.procs.append(p)
        finally:
            if old is not None:
                signal.signal(signal.SIGINT, old)
        for _, w in pipes:
            w.close()  # the parent keeps only the read ends: a dead worker shows as EOF
        self.dead: dict[int, bool] = {}
        self.closed = False

    def poll(self, timeout):
        """Results ready within ``timeout`` seconds: a list of (worker, message); EOF marks the worker dead."""
        out = []
        live = [c for i, c in enumerate(self.conns) if not self.dead.get(i)]
        for conn in multiprocessing.connection.wait(live, timeout):
            wid = self.conns.index(conn)
            try:
                out.append((wid, conn.recv()))
            except (EOFError, OSError):
                self.dead[wid] = True
        return out

    def shutdown(self):
        if self.closed:
            return
        self.closed = True
        for q in self.task_qs:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        # Results nobody will read: unlink their segments.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and any(p.is_alive() for p in self.procs):
            for _, (_, _, ok, payload) in self.poll(0.05):
                if ok:
                    _worker.unlink_quietly(payload)
        for p in self.procs:
            if p.is_alive():
                p.terminate()
            p.join(1.0)
        for _, (_, _, ok, payload) in self.poll(0):
            if ok:
                _worker.unlink_quietly(payload)
        for c in self.conns:
            c.close()
        for q in self.task_qs:
            q.close()


class _MultiWorkerIter:
    """One pass over the batch sampler with worker processes."""

    def __init__(self, loader, epoch):
        self._loader = loader  # keeps the workers alive while iterating
        self._workers = loader._workers
        self._epoch = epoch
        self._iter = iter(loader._batch_sampler)
        self._sent = 0
        self._rcvd = 0
        self._owner = {}
        self._buffer = {}
        self._timeout = loader._timeout
        self._pin = loader._pin_memory
        self._pin_id = loader._pin_device_id
        for _ in range(max(loader._prefetch, 1)):
            self._push_next()

    def __len__(self):
        return len(self._loader._batch_sampler)

    def _push_next(self):
        indices = next(self._iter, None)
        if indices is None:
            return
        wid = self._sent % len(self._workers.procs)
        self._workers.task_qs[wid].put((self._epoch, self._sent, list(indices)))
        self._owner[self._sent] = wid
        self._sent += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self._rcvd == self._sent:
            raise StopIteration
        k = self._rcvd
        start = time.monotonic()
        workers = self._workers
        while k not in self._buffer:
            for _, (epoch, j, ok, payload) in workers.poll(0.05):
                if epoch != self._epoch:
                    if ok:
                        _worker.unlink_quietly(payload)
                elif not ok:
                    self._loader._fail()
                    raise MXNetError(f"DataLoader worker {self._owner[j]} failed on batch {j}: {payload}")
                else:
                    self._buffer[j] = payload
            if k in self._buffer:
                break
            wid = self._owner[k]
            proc = workers.procs[wid]
            if workers.dead.get(wid) or not proc.is_alive():
                proc.join(0.5)
                self._loader._fail()
                raise MXNetError(f"DataLoader worker {wid} (pid {proc.pid}) died with exit code {proc.exitcode} while loading batch {k}")
            if time.monotonic() - start > self._timeout:
                self._loader._fail()
                raise MXNetError(
                    f"DataLoader: worker {wid} (pid {proc.pid}) timed out after {self._timeout} seconds on batch {k}; "
                    "the dataset's transform may be slow (raise timeout=) or shared memory may be short (fewer num_workers)"
                )
        payload = self._buffer.pop(k)
        self._rcvd += 1
        self._push_next()
        batch = _worker.import_batch(payload)
        if self._pin:
            batch = _as_in_context(batch, context.cpu_pinned(self._pin_id))
        return as_np_if_active(batch)

    next = __next__

    def __del__(self):
        # Unlink what was fetched but never handed out.
        for payload in getattr(self, "_buffer", {}).values():
            _worker.unlink_quietly(payload)


class _ThreadIter:
    """One pass with a thread pool (``thread_pool=True``)."""

    def __init__(self, loader):
        self._loader = loader
        self._iter = iter(loader._batch_sampler)
        self._pending = []
        for _ in range(max(loader._prefetch, 1)):
            self._push_next()

    def __len__(self):
        return len(self._loader._batch_sampler)

    def _push_next(self):
        indices = next(self._iter, None)
        if indices is not None:
            ds, fn = self._loader._dataset, self._loader._batchify_fn
            self._pending.append(self._loader._pool.apply_async(lambda idx: fn([ds[i] for i in idx]), (indices,)))

    def __iter__(self):
        return self

    def __next__(self):
        if not self._pending:
            raise StopIteration
        res = self._pending.pop(0)
        self._push_next()
        try:
            batch = res.get(self._loader._timeout)
        except multiprocessing.TimeoutError:
            raise MXNetError(f"DataLoader: a worker thread timed out after {self._loader._timeout} seconds") from None
        if self._loader._pin_memory:
            batch = _as_in_context(batch, context.cpu_pinned(self._loader._pin_device_id))
        return as_np_if_active(batch)

    next = __next__


class DataLoader:
    """Load ``dataset`` in mini-batches.

    Parameters follow MXNet 1.9.1: ``batch_size``; ``shuffle`` (a
    ``RandomSampler``); ``sampler``; ``last_batch`` ('keep', 'discard',
    'rollover'); ``batch_sampler`` (excludes the four before);
    ``batchify_fn`` (default ``default_batchify_fn``, or
    ``default_mp_batchify_fn`` with workers); ``num_workers`` (processes,
    or threads with ``thread_pool=True``); ``pin_memory`` / ``pin_device_id``
    (batches on ``cpu_pinned``); ``prefetch`` (batches in flight, default
    ``2 * num_workers``); ``timeout`` (seconds to wait for one batch);
    ``auto_reload`` (prepare the next pass as soon as one ends).

    >>> import numpy as np, mxpy as mx
    >>> ds = mx.gluon.data.ArrayDataset(np.ones((5, 3)), np.arange(5))
    >>> for x, y in mx.gluon.data.DataLoader(ds, batch_size=2, num_workers=2):  # doctest: +SKIP
    ...     print(x.shape, y.asnumpy())
    """

    def __init__(
        self,
        dataset,
        batch_size=None,
        shuffle=False,
        sampler=None,
        last_batch=None,
        batch_sampler=None,
        batchify_fn=None,
        num_workers=0,
        pin_memory=False,
        pin_device_id=0,
        prefetch=None,
        thread_pool=False,
        timeout=120,
        auto_reload=False,
    ):
        self._workers = None
        self._pool = None
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, given {timeout}")
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("batch_size must be specified unless batch_sampler is specified")
            if sampler is None:
                sampler = _sampler.RandomSampler(len(dataset)) if shuffle else _sampler.SequentialSampler(len(dataset))
            elif shuffle:
                raise ValueError("shuffle must not be specified if sampler is specified")
            batch_sampler = _sampler.BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError("batch_size, shuffle, sampler and last_batch must not be specified if batch_sampler is specified.")
        self._dataset = dataset
        self._pin_memory = pin_memory
        self._pin_device_id = pin_device_id
        self._thread_pool = thread_pool
        self._timeout = timeout
        self._batch_sampler = batch_sampler
        self._num_workers = num_workers if num_workers >= 0 else 0
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * self._num_workers)
        if batchify_fn is None:
            batchify_fn = default_mp_batchify_fn if self._num_workers > 0 else default_batchify_fn
        self._batchify_fn = batchify_fn
        self._epoch = 0
        if self._num_workers > 0:
            if thread_pool:
                self._pool = ThreadPool(self._num_workers)
            else:
                self._workers = _ProcessWorkers(self._num_workers, dataset, batchify_fn)
        self.auto_reload = auto_reload
        self._iter = None
        if auto_reload:
            self.refresh()

    def _same_process_iter(self):
        for indices in self._batch_sampler:
            ret = self._batchify_fn([self._dataset[i] for i in indices])
            if self._pin_memory:
                ret = _as_in_context(ret, context.cpu_pinned(self._pin_device_id))
            yield as_np_if_active(ret)

    def _prefetch_iter(self):
        if self._num_workers == 0:
            return self._same_process_iter()
        if self._thread_pool:
            return _ThreadIter(self)
        if self._workers is None or self._workers.closed:
            raise MXNetError("DataLoader: the worker processes were shut down after a failure; create a new DataLoader")
        self._epoch += 1
        return _MultiWorkerIter(self, self._epoch)

    def __iter__(self):
        if self._iter is None:
            self.refresh()
        it, self._iter = self._iter, None
        yield from it
        if self._iter is None and self.auto_reload:
            self.refresh()

    def __len__(self):
        return len(self._batch_sampler)

    def refresh(self):
        """Prepare the next pass now (its first batches start loading)."""
        self._iter = self._prefetch_iter()

    def clean(self):
        """Drop a prepared pass."""
        self._iter = None

    def _fail(self):
        if self._workers is not None:
            self._workers.shutdown()

    def __del__(self):
        try:
            if self._workers is not None:
                self._workers.shutdown()
            if self._pool is not None:
                self._pool.terminate()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass
