"""The dependency engine: ops run on per-device worker threads when their Vars allow.

Scheduling rule (per Var, FIFO): a write waits for every earlier read and
write; reads wait only for earlier writes, so reads of one Var run together.

Why tiny ops are cheap here: a thread handoff costs 7-14 us in CPython, far
more than a small NumPy kernel. An op that is ready at push time (no
unfinished op touches its Vars) and small (``cost`` under the inline limit)
runs right away in the pushing thread, with no lock and no handoff. Large
ready ops and ops that must wait go to the device's worker, and a worker
that finishes an op runs what that unblocks itself, so chains queued behind
a big op do not pay a handoff each. NumPy, BLAS and CuPy release the GIL, so
large ops on different devices overlap.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from ..backend.streams import RUNNERS
from .naive import EngineBase, sync_devices
from .var import Failure, Var, user_origin

# Threads that run every push at once when its Vars allow (see engine.synchronous): the
# thread running a custom operator's Python code, which may wait on what it pushes.
_sync = threading.local()


def in_synchronous() -> bool:
    return getattr(_sync, "depth", 0) > 0


class _Op:
    __slots__ = ("fn", "args", "reads", "writes", "key", "name", "origin", "wait", "event", "mode")

    def __init__(self, fn, args, reads, writes, key, name, origin, event=None, mode=0):
        self.fn = fn
        self.args = args
        self.reads = reads
        self.writes = writes
        self.key = key
        self.name = name
        self.origin = origin
        self.wait = 0
        self.event = event  # set for wait markers, which run no kernel
        self.mode = mode  # _CLAIMABLE, _DEFERRED (push_queued, push_deferred) or 0


# _Op.mode: a thread waiting on one of its Vars may run it instead of its worker (both);
# once ready, it waits unstarted until something needs it (deferred)
_CLAIMABLE, _DEFERRED = 1, 2
_TAKEN = object()
_WAKE = object()  # put on a worker's queue to make it re-read its settings (no op)
# How often the worker of a device with lazy ops (see run_now) looks for ones left too long: such
# an op starts within two ticks (one to three when the worker was busy) even if nothing asks for it.
_LAZY_TICK = 0.005
_LAZY_IDLE_TICKS = 200  # ticks without lazy ops before the worker stops looking (then it sleeps)


def _distinct(reads: Sequence[Var], writes: Sequence[Var]) -> tuple[tuple, tuple]:
    """Drop repeated Vars and reads of Vars also written: a write already orders
    the op against everything else on that Var, and a Var listed twice as a
    write would wait for itself."""
    w = tuple(dict.fromkeys(writes))
    return tuple(v for v in dict.fromkeys(reads) if v not in w), w


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class ThreadedEngine(EngineBase):
    """Per-device worker threads with inline execution of small ready ops."""

    name = "ThreadedEngine"

    def __init__(self, inline_max: int | None = None, max_inflight: int | None = None, nthreads: int | None = None) -> None:
        super().__init__()
        self.inline_max = inline_max if inline_max is not None else _env_int("MXPY_ENGINE_INLINE_MAX", 1 << 16)
        self.max_inflight = max_inflight if max_inflight is not None else _env_int("MXPY_ENGINE_MAX_INFLIGHT", 4096)
        self.nthreads = nthreads if nthreads is not None else max(1, _env_int("MXNET_CPU_WORKER_NTHREADS", 1))
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._idle_waiters = 0  # threads in _idle.wait(): completions notify only when there are any
        self._inflight = 0
        self._workers: dict[object, queue.SimpleQueue] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False
        # large ops go to workers only while several devices are busy (see _overlap)
        self.overlap_window = _env_float("MXPY_ENGINE_OVERLAP_WINDOW", 1.0)
        self._last_big_ctx: object = None
        self._overlap_until = 0.0
        # queued ops that a waiting thread may run instead of their worker (see push_queued);
        # whoever pops an op from here first runs it (dict.pop is atomic, no lock needed)
        self._claimable: dict[_Op, None] = {}
        # ready deferred ops that nothing needs yet (see push_deferred); guarded by _lock
        self._parked: dict[_Op, None] = {}
        # claimable ops not yet handed to their worker (see run_now) -> the tick they were made at
        self._lazy: dict[_Op, int] = {}
        self._tick = 0
        self._polling: dict[object, int] = {}  # devices whose worker looks for stale lazy ops -> last busy tick

    # -- pushing -------------------------------------------------------------
    def push(
        self,
        fn: Callable,
        args: tuple,
        reads: Sequence[Var],
        writes: Sequence[Var],
        ctx: object,
        name: str,
        cost: int = 0,
    ) -> None:
        """Schedule ``fn(*args)`` after earlier ops on ``reads``/``writes``.

        ``reads`` and ``writes`` must not share a Var (pass it as a write).
        """
        # a negative inline_max never runs inline (tests use it to force the queue)
        if cost <= self.inline_max or (self.inline_max >= 0 and not self._overlap(ctx)) or in_synchronous():
            for v in reads:
                if v.busy or v.failure is not None:
                    break
            else:
                for v in writes:
                    if v.busy:
                        break
                    # The write version (Var.version, see relaid) counts finished writes;
                    # an op run right here finishes before anything else touches the Var,
                    # so it counts now. A Var relaid() has never seen (derived None) can
                    # skip it (a first reader notes whatever version it finds), which
                    # keeps it off the fresh output of every small op.
                    if v.derived is not None:
                        v.version += 1
                else:
                    try:
                        runner = RUNNERS.get(ctx) if RUNNERS else None
                        if runner is None:
                            fn(*args)
                        else:  # a GPU op: launched on its device's compute stream
                            runner.run(fn, args, reads, writes, name, user_origin())
                    except Exception as e:
                        failure = Failure(name, user_origin(), e)
                        with self._lock:  # workers touch the failure list too
                            self._fail(writes, failure)
                    return
        if len(writes) > 1 or (reads and writes):
            reads, writes = _distinct(reads, writes)
        self._push_queued(_Op(fn, args, reads, writes, ctx, name, user_origin()))

    def push_queued(self, fn: Callable, args: tuple, reads: Sequence[Var], writes: Sequence[Var], ctx: object, name: str) -> None:
        """Like :meth:`push`, but never inline at push: ``fn`` runs on ``ctx``'s worker,
        or on a thread that waits for one of its ``writes`` first.

        For ops that block on something outside this process (the distributed
        KVStore's MPI transfers, keyed by their own ``ctx``): running them in
        the pushing thread would stall it for the whole transfer, while the
        worker lets the caller go on. But when a thread waits on what such an
        op writes before the worker has started it (``pushpull`` then
        ``wait_to_read``), the waiter runs it itself: it would sleep through
        the op anyway, and this saves the hand-off to the worker and the
        wake-up back (each 10-100 us on a loaded machine).
        """
        reads, writes = _distinct(reads, writes)
        self._push_queued(_Op(fn, args, reads, writes, ctx, name, user_origin(), None, _CLAIMABLE))

    def push_deferred(self, fn: Callable, args: tuple, reads: Sequence[Var], writes: Sequence[Var], ctx: object, name: str) -> object:
        """Like :meth:`push_queued`, but once ready ``fn`` waits, unstarted, until something needs it.

        It starts (on ``ctx``'s worker, or in the waiting thread) as soon as
        a later op has to wait for it, a thread waits on one of its Vars, or
        :meth:`wait_all` runs; until then it costs no thread and no CPU.
        Returns a handle for :meth:`cancel_deferred`. For work that is often
        superseded before anyone looks at it: the distributed KVStore's copy
        of each summed gradient, which the next step's copy overwrites.
        """
        if len(writes) > 1 or (reads and writes):
            reads, writes = _distinct(reads, writes)
        op = _Op(fn, args, reads, writes, ctx, name, user_origin(), None, _DEFERRED)
        self._push_queued(op)
        return op

    def run_now(
        self,
        fn: Callable,
        args: tuple,
        reads: Sequence[Var],
        writes: Sequence[Var],
        ctx: object,
        name: str,
        then: tuple | None = None,
        here: Callable[[], bool] | None = None,
        drop: object = None,
    ) -> object:
        """Run ``fn(*args)`` in this thread now if no unfinished op touches its Vars; else push nothing and return None.

        ``reads`` and ``writes`` are tuples of distinct Vars (so are those of ``then``).
        ``drop``, a :meth:`push_deferred` handle, is cancelled first if it has not started.

        The inline rule of :meth:`push` for an op of any size, with the op
        entered in the engine while it runs (a thread that waits on its
        ``writes`` meanwhile waits for it, ops pushed meanwhile queue behind
        it). ``then``, ``(fn, args, reads, writes, ctx, name)``, is a
        :meth:`push_deferred` op entered right behind it; its handle comes
        back (True without ``then``). ``here``, called once the op is
        entered, may say False: then this returns at once and the op waits,
        claimable, for a thread that waits on its ``writes`` (as with
        :meth:`push_queued`); it goes to ``ctx``'s worker only when a later op
        has to wait for anything, at :meth:`wait_all`, or within two ticks of
        ``_LAZY_TICK`` (5 ms) if nothing asks for it. A caller that waits
        right away thus runs it itself and wakes no thread (a wake costs
        10-100 us on a loaded machine, and the woken thread takes a core).

        For the distributed KVStore: a transfer runs here when every rank
        has arrived, else it waits as above while the caller goes on;
        entering the store's copy before the transfer keeps the work after
        it small (an MPI transfer leaves the caches cold).
        """
        # where the user pushed it: found only if an error needs it or the op leaves this thread
        op = _Op(fn, args, reads, writes, ctx, name, "", None, _CLAIMABLE)
        keep = None if then is None else _Op(*then, "", None, _DEFERRED)
        dropped: list[_Op] = []
        with self._lock:
            if drop is not None and self._parked.pop(drop, _TAKEN) is not _TAKEN:
                self._release(drop, None, dropped)
            ok = self._inflight + 2 <= self.max_inflight
            for v in reads:
                if v.busy or v.failure is not None:
                    ok = False
            for v in writes:
                if v.busy:
                    ok = False
            if ok:
                self._enter(op)
                if keep is not None:
                    self._enter(keep)  # waits for op, which writes what it reads
        if dropped:
            self._dispatch(dropped)
        if not ok:
            return None
        handle = True if keep is None else keep
        failure = None
        try:
            if here is not None and not here():
                op.origin = user_origin()
                if keep is not None:
                    keep.origin = op.origin
                self._make_lazy(op)
                return handle
            fn(*args)
        except BaseException as e:  # noqa: B036 - the op must complete, or its Vars stay busy
            failure = Failure(name, user_origin(), e)
        ready: list[_Op] = []
        with self._lock:
            self._release(op, failure, ready)
            if ready:
                ready = self._park_ready(ready)
        if ready:
            self._dispatch(ready)
        if failure is not None and not isinstance(failure.exc, Exception):
            raise failure.exc  # KeyboardInterrupt, SystemExit: not an op failure to report later
        return handle

    def cancel_deferred(self, handle: object) -> bool:
        """Drop deferred op ``handle`` if it has not started: it completes without running.

        Returns whether it was dropped. Only the pusher knows that what the op
        would write is dead (overwritten before anything reads it), so only it
        may cancel.
        """
        ready: list[_Op] = []
        with self._lock:
            if self._parked.pop(handle, _TAKEN) is _TAKEN:
                return False
            self._release(handle, None, ready)
        if ready:
            self._dispatch(ready)
        return True

    def _overlap(self, ctx: object) -> bool:
        """Should a large ready op on ``ctx`` go to a worker?

        Only when large ops on another device were pushed within the last
        ``overlap_window`` seconds: then the calling thread can queue work for
        that device while this one computes. With one device there is nothing
        to overlap, and handing each op to a worker only adds thread switches
        and GIL contention (a single-device training loop ran ~40% slower).
        """
        now = time.monotonic()
        if ctx is not self._last_big_ctx:
            if self._last_big_ctx is not None:
                self._overlap_until = now + self.overlap_window
            self._last_big_ctx = ctx
        return now < self._overlap_until

    def _push_queued(self, op: _Op) -> None:
        with self._lock:
            while self._inflight >= self.max_inflight:
                if self._parked or self._lazy:  # they count as in flight: start them, or this waits forever
                    self._lock.release()
                    try:
                        self._unpark(None)
                        self._hand_off()
                    finally:
                        self._lock.acquire()
                    continue
                self._idle_wait()
            wait = self._enter(op)
        if wait == 0:
            self._dispatch([op])
        else:
            if self._parked:
                self._unpark(op)
            if self._lazy:  # something waits: lazy ops may be what it waits for
                self._hand_off()

    def _enter(self, op: _Op) -> int:
        """Count ``op`` in flight and queue it on its Vars; returns how many grants it waits for (call with the lock held)."""
        self._inflight += 1
        wait = 0
        for v in op.reads:
            if v.queue is None:
                v.queue = deque()
                v.readers = 0
                v.writing = False
            v.busy += 1
            if not v.writing and not v.queue:
                v.readers += 1
            else:
                v.queue.append((op, False))
                wait += 1
        for v in op.writes:
            if v.queue is None:
                v.queue = deque()
                v.readers = 0
                v.writing = False
            v.busy += 1
            if not v.writing and not v.readers and not v.queue:
                v.writing = True
            else:
                v.queue.append((op, True))
                wait += 1
        op.wait = wait
        return wait

    def _make_lazy(self, op: _Op) -> None:
        """Leave ready ``op`` claimable without waking its worker (see run_now)."""
        self._claimable[op] = None
        with self._lock:  # (with the worker's check in _stale_lazy: it never sleeps past a lazy op)
            self._lazy[op] = self._tick
            wake = op.key not in self._polling
            self._polling[op.key] = self._tick
        if wake:
            self._queue_for(op.key).put(_WAKE)  # its worker starts looking for stale lazy ops

    def _hand_off(self) -> None:
        """Send every lazy op to its worker (they stay claimable until it starts them)."""
        for op in list(self._lazy):
            if self._lazy.pop(op, None) is not None:
                self._queue_for(op.key).put(op)

    def _stale_lazy(self, key: object, q: queue.SimpleQueue) -> None:
        """A tick of ``key``'s idle worker: start its lazy ops made two ticks ago or more."""
        self._tick += 1
        with self._lock:
            for op, made in list(self._lazy.items()):
                if op.key == key:
                    self._polling[key] = self._tick
                    if self._tick - made >= 2 and self._lazy.pop(op, None) is not None:
                        q.put(op)
            if self._tick - self._polling.get(key, self._tick) > _LAZY_IDLE_TICKS:
                del self._polling[key]  # none for a while: sleep until _make_lazy wakes it

    def _unpark(self, op: _Op | None) -> None:
        """Start the parked ops that ``op`` waits for (all of them for None) on their workers."""
        with self._lock:
            if op is None:
                found = list(self._parked)
            else:
                mine = set(op.reads) | set(op.writes)
                found = [p for p in self._parked if not mine.isdisjoint(p.reads) or not mine.isdisjoint(p.writes)]
            for p in found:
                del self._parked[p]
        for p in found:
            self._claimable[p] = None
            self._queue_for(p.key).put(p)

    # -- running ---------------------------------------------------------------
    def _dispatch(self, ops: list[_Op]) -> None:
        for op in ops:
            if op.event is not None:
                self._finish_marker(op)
            else:
                self._enqueue(op)

    def _enqueue(self, op: _Op) -> None:
        if op.mode:
            if op.mode == _DEFERRED and self._park(op):
                return
            self._claimable[op] = None
        self._queue_for(op.key).put(op)

    def _park(self, op: _Op) -> bool:
        """Keep ready deferred ``op`` unstarted, unless an op already waits behind it."""
        with self._lock:
            return self._park_locked(op)

    def _park_locked(self, op: _Op) -> bool:
        for v in op.reads:
            if v.queue:
                return False
        for v in op.writes:
            if v.queue:
                return False
        self._parked[op] = None
        if self._idle_waiters:
            self._idle.notify_all()  # a waiting wait_all must start it
        return True

    def _queue_for(self, key: object) -> queue.SimpleQueue:
        q = self._workers.get(key)
        if q is None:
            with self._lock:
                q = self._workers.get(key)
                if q is None:
                    q = queue.SimpleQueue()
                    n = 1 if getattr(key, "device_typeid", 1) == 2 else self.nthreads
                    for i in range(n):
                        t = threading.Thread(target=self._worker, args=(q, key), name=f"mxpy-{key}-{i}", daemon=True)
                        t.start()
                        self._threads.append(t)
                    self._workers[key] = q
        return q

    def _worker(self, q: queue.SimpleQueue, key: object) -> None:
        op = None
        while True:
            if op is None:
                if key in self._polling:
                    try:
                        op = q.get(timeout=_LAZY_TICK)
                    except queue.Empty:
                        self._stale_lazy(key, q)
                        continue
                else:
                    op = q.get()
                if op is None:
                    return
                if op is _WAKE:
                    op = None
                    continue
                if op.mode and self._claimable.pop(op, _TAKEN) is _TAKEN:
                    op = None  # a waiting thread runs it
                    continue
            ready = self._run(op)
            # Run the first op this one unblocked here, without a handoff, when it
            # belongs to this device; the rest go to their queues in order.
            key, op = op.key, None
            for nxt in ready:
                if nxt.event is not None:
                    self._finish_marker(nxt)
                elif op is None and nxt.key == key and nxt.mode != _DEFERRED:
                    op = nxt
                else:
                    self._enqueue(nxt)
            # an idle worker must not keep the ops it handed on (and their arrays) alive
            ready = nxt = None

    def _run(self, op: _Op) -> list[_Op]:
        failure = self._failed_input(op.reads)
        if failure is None:
            try:
                runner = RUNNERS.get(op.key) if RUNNERS else None
                if runner is None:
                    op.fn(*op.args)
                else:
                    runner.run(op.fn, op.args, op.reads, op.writes, op.name, op.origin)
            except BaseException as e:  # noqa: B036 - a worker must complete every op, or waiters hang
                failure = Failure(op.name, op.origin, e)
        return self._complete(op, failure)

    def _complete(self, op: _Op, failure: Failure | None) -> list[_Op]:
        ready: list[_Op] = []
        with self._lock:
            self._release(op, failure, ready)
            if ready:
                ready = self._park_ready(ready)
        return ready

    def _park_ready(self, ready: list[_Op]) -> list[_Op]:
        """``ready`` less the deferred ops parked here, in the lock already held (saves taking it again)."""
        for op in ready:
            if op.mode == _DEFERRED:
                return [op for op in ready if op.mode != _DEFERRED or not self._park_locked(op)]
        return ready

    def _release(self, op: _Op, failure: Failure | None, ready: list[_Op]) -> None:
        """Mark ``op`` finished on its Vars; what that unblocks goes to ``ready`` (call with the lock held)."""
        if failure is not None:
            self._fail(op.writes, failure)
        for v in op.reads:
            v.busy -= 1
            v.readers -= 1
            if v.queue:
                self._grant(v, ready)
        for v in op.writes:
            v.version += 1  # a finished write (not at push: readers queued before it must not see it)
            v.busy -= 1
            v.writing = False
            if v.queue:
                self._grant(v, ready)
        self._inflight -= 1
        if self._idle_waiters and self._inflight < self.max_inflight:
            self._idle.notify_all()

    @staticmethod
    def _grant(v: Var, ready: list[_Op]) -> None:
        q = v.queue
        while q:
            op, is_write = q[0]
            if is_write:
                if v.readers or v.writing:
                    return
                v.writing = True
                q.popleft()
                op.wait -= 1
                if op.wait == 0:
                    ready.append(op)
                return
            if v.writing:
                return
            v.readers += 1
            q.popleft()
            op.wait -= 1
            if op.wait == 0:
                ready.append(op)

    def _finish_marker(self, op: _Op) -> None:
        more = self._complete(op, None)
        op.event.set()
        if more:
            self._dispatch(more)

    # The failure list and records are shared with the workers.
    def _raise_var(self, var: Var) -> None:
        if var.failure is not None:
            with self._lock:
                failure = self._take_var(var)
            if failure is not None:
                raise failure.error()

    def _raise_all(self) -> None:
        if self._failures:
            with self._lock:
                failure = self._take_all()
            if failure is not None:
                raise failure.error()

    # -- waiting -----------------------------------------------------------------
    def _run_claimed(self, var: Var, write: bool) -> None:
        """Run here the queued, not yet started op that writes ``var`` (or, for ``write``, touches it), if any.

        Only an op that the worker has not taken: the first to pop it from
        ``_claimable`` runs it. It was ready when queued (every Var granted),
        so any thread may run it; what it unblocks goes to the workers as usual.
        """
        while var.busy and (write or var.writing or var.queue):
            for op in list(self._claimable):
                if var in op.writes or (write and var in op.reads):
                    if self._claimable.pop(op, _TAKEN) is _TAKEN:
                        return  # the worker was first
                    self._lazy.pop(op, None)
                    break
            else:
                op = self._unpark_for(var, write)
                if op is None:
                    return
            self._dispatch(self._run(op))

    def _unpark_for(self, var: Var, write: bool) -> _Op | None:
        if not self._parked:
            return None
        with self._lock:
            for op in self._parked:
                if var in op.writes or (write and var in op.reads):
                    del self._parked[op]
                    return op
        return None

    def _wait(self, var: Var, write: bool) -> None:
        # (a read waits for writes alone: with only reads in flight there is nothing to wait for)
        if var.busy and (write or var.writing or var.queue):
            if self._claimable or self._parked:
                self._run_claimed(var, write)
            if var.busy and (write or var.writing or var.queue):  # (unlocked: a marker queued after a finish returns at once)
                event = threading.Event()
                marker = _Op(None, (), () if write else (var,), (var,) if write else (), None, "WaitForVar", "", event)
                self._push_queued(marker)
                event.wait()
        self._raise_var(var)
        if var.event is not None:  # GPU memory: wait for the device, not only the launch
            var.event.synchronize()

    def wait_read(self, var: Var) -> None:
        """Block until every earlier write of ``var`` finished; raise its failure."""
        self._wait(var, False)

    def wait_write(self, var: Var) -> None:
        """Block until every earlier read and write of ``var`` finished."""
        self._wait(var, True)

    def _drain(self) -> None:
        """Block until nothing is in flight; parked deferred ops run in this thread."""
        with self._lock:
            while self._inflight:
                if self._lazy:
                    self._lock.release()
                    try:
                        self._hand_off()
                    finally:
                        self._lock.acquire()
                    continue
                if self._parked:
                    parked = list(self._parked)
                    self._parked.clear()
                    self._lock.release()
                    try:
                        for op in parked:
                            self._dispatch(self._run(op))
                    finally:
                        self._lock.acquire()
                    continue
                self._idle_wait()

    def _idle_wait(self) -> None:
        """``_idle.wait()``, counted (call with the lock held)."""
        self._idle_waiters += 1
        try:
            self._idle.wait()
        finally:
            self._idle_waiters -= 1

    def wait_all(self) -> None:
        """Block until nothing is in flight; raise the oldest unreported failure."""
        self._drain()
        self._raise_all()
        sync_devices()

    def pending(self) -> int:
        return self._inflight

    def shutdown(self) -> None:
        """Finish queued work and stop the workers (used at exit and by set_engine)."""
        self._drain()
        with self._lock:
            self._closed = True
            queues = list(self._workers.values())
            self._workers.clear()
        for q in queues:
            for _ in range(self.nthreads):
                q.put(None)
