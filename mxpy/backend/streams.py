"""Device streams and events: GPU ops that complete without the host waiting.

Each GPU backend with streams gets a :class:`StreamRunner`, registered in
:data:`RUNNERS` under its context. The engine looks an op's context up there
and, when found, hands the op to ``runner.run`` instead of calling the kernel
itself. The runner

- launches the kernel with the device's *compute stream* current (CuPy puts
  every kernel on the current stream), so ``run`` returns as soon as the
  kernels are queued, not when they finish;
- records an event on that stream after the op and stores it on every Var the
  op touched (``Var.event``). The engine's ``wait_read``/``wait_write`` wait on
  that event, so ``wait_to_read`` blocks until the kernels that produced the
  array ran, not until the whole device is idle;
- keeps host->device copies on a separate *copy stream*, staged through pinned
  host buffers, so the copy of the next batch runs while the compute stream
  works on the current one. Ordering across the two streams follows the
  engine's read/write order through events: a copy into an array waits for
  the compute event of the last op that touched that array (it may still be
  queued on the device although the engine saw it "finish"), and a compute op
  that touches an array last written by a copy waits for the copy's event.

Ops on one device's compute stream need no events between them: a stream runs
its kernels in order. Device->host copies wait for the compute stream and
block the host (the caller wants the values now).

The engine only knows this module's :data:`RUNNERS`, ``run`` and
``synchronize``; everything CUDA-specific goes through the backend's stream
objects (CuPy's, or the fake backend's recording ones in tests).
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

from ..base import MXNetError

__all__ = ["RUNNERS", "DeviceEvent", "StreamRunner", "StreamedCopies", "current_op", "register", "unregister"]

#: context -> StreamRunner, for every GPU context whose backend has streams.
RUNNERS: dict = {}

# What the op running in this thread needs from the backend's copy helpers:
# the events of the Vars it writes (a copy into them must wait for those) and,
# when it copied on the copy stream, the event that ends the op.
_op = threading.local()


class DeviceEvent:
    """A recorded point on one stream, with the op that recorded it.

    ``synchronize()`` blocks the host until the device passed that point and
    turns a failure reported by the driver into an ``MXNetError`` naming the
    op and the line that pushed it, as a failing CPU kernel is reported.
    """

    __slots__ = ("raw", "stream", "op_name", "origin", "seq")

    def __init__(self, raw, stream, op_name: str, origin: str | None, seq: int = 0) -> None:
        self.raw = raw
        self.stream = stream
        self.op_name = op_name
        self.origin = origin
        self.seq = seq  # order of recording on this device (see StreamRunner.run)

    def synchronize(self) -> None:
        try:
            self.raw.synchronize()
        except Exception as e:  # CUDA errors are raised at the first sync after the failing kernel
            where = f" (pushed at {self.origin})" if self.origin else ""
            raise MXNetError(f"{self.op_name}{where} failed on the device: {type(e).__name__}: {e}") from e

    @property
    def done(self) -> bool:
        return bool(self.raw.done)


def current_op():
    """The thread-local record of the op a runner is running (None outside one)."""
    return getattr(_op, "state", None)


class _OpState:
    __slots__ = ("write_events", "end")

    def __init__(self, write_events: list) -> None:
        self.write_events = write_events
        self.end = None  # the copy stream's event when the op copied there


class StreamRunner:
    """Runs one GPU's ops on its compute stream and copies on its copy stream.

    ``backend`` provides ``device()`` (a context manager making the GPU
    current), ``new_stream()`` and, for its copy helpers, this runner's
    ``compute``/``copy`` streams. Streams offer ``record()`` (an event),
    ``wait_event(event)``, ``synchronize()`` and use as a context manager
    (current stream for the calling thread), as CuPy's do.
    """

    def __init__(self, backend) -> None:
        self.backend = backend
        self.device = backend.device()
        with self.device:
            self.compute = backend.new_stream()
            self.copy = backend.new_stream()
        # Two threads may launch on one device at once (the pushing thread runs small
        # ready ops inline while the device's worker runs queued ones; concurrent
        # readers of one Var are allowed). A Var must keep the event recorded last
        # among its users: that one is behind all their kernels on the stream. So
        # events are numbered as recorded (under this lock, never held while a
        # kernel is launched: a custom op's code launches ops from inside its own
        # run) and a Var only takes a newer one.
        self._lock = threading.Lock()
        self._seq = 0
        # pinned staging buffers of asynchronous host->device copies, kept alive
        # until the copy that reads them has finished
        self._in_flight: deque = deque()

    def run(self, fn, args, reads, writes, name: str, origin: str | None) -> None:
        """Launch ``fn(*args)`` on the compute stream; note its event on the Vars."""
        cs = self.compute
        with self.device, cs:
            write_events = []
            for v in writes:
                ev = v.event
                if ev is not None:
                    if ev.stream is not cs:
                        cs.wait_event(ev.raw)  # written (or last read) by a copy
                    write_events.append(ev)
            for v in reads:
                ev = v.event
                if ev is not None and ev.stream is not cs:
                    cs.wait_event(ev.raw)
            outer = getattr(_op, "state", None)
            state = _op.state = _OpState(write_events)
            try:
                fn(*args)
            finally:
                _op.state = outer
            with self._lock:
                self._seq += 1
                if state.end is not None:
                    event = DeviceEvent(state.end, self.copy, name, origin, self._seq)
                else:
                    event = DeviceEvent(cs.record(), cs, name, origin, self._seq)
                for v in reads:
                    if v.event is None or v.event.seq < event.seq:
                        v.event = event
                for v in writes:
                    if v.event is None or v.event.seq < event.seq:
                        v.event = event

    def copy_done(self, keep_alive, ends_op: bool) -> object:
        """Record the end of a copy on the copy stream; keep ``keep_alive`` until it finishes.

        ``keep_alive`` holds the pinned source and the destination: neither may
        be freed (and its memory handed to someone else) while the copy runs.
        With ``ends_op`` the running op completes with this event (it wrote
        its output on the copy stream).
        """
        raw = self.copy.record()
        state = current_op()
        if ends_op and state is not None:
            state.end = raw
        q = self._in_flight
        while q and q[0][0].done:
            q.popleft()
        q.append((raw, keep_alive))
        return raw

    def synchronize(self) -> None:
        """Block until both streams of this device are idle."""
        with self.device:
            self.compute.synchronize()
            self.copy.synchronize()
        self._in_flight.clear()


def register(ctx, runner: StreamRunner) -> None:
    RUNNERS[ctx] = runner


def unregister(ctx) -> None:
    RUNNERS.pop(ctx, None)


class StreamedCopies:
    """Host<->device copies of a backend with a :class:`StreamRunner` (``self.runner``).

    The backend supplies the raw primitives: ``_pinned_empty(shape, dtype)`` (a
    NumPy array in page-locked memory), ``_h2d_async(dst, pinned, stream)`` (an
    asynchronous copy into a C-contiguous device array), ``_d2h(arr, stream)``
    (a blocking copy to a new NumPy array), ``_is_c_contiguous(arr)`` and
    ``empty(shape, dtype)``.
    """

    runner: StreamRunner

    def _stage(self, host: np.ndarray, dtype) -> np.ndarray:
        pinned = self._pinned_empty(host.shape, dtype)
        np.copyto(pinned, host, casting="unsafe")
        return pinned

    def from_host(self, host: np.ndarray):
        """A new device array holding ``host``; later compute on this device sees the values.

        The copy runs on the copy stream after everything already queued on the
        compute stream: the new array's memory may have been freed there by
        kernels still queued (CuPy's pool reuses memory in stream order).
        """
        host = np.asarray(host)
        r = self.runner
        with r.device:
            with r.compute:
                dst = self.empty(host.shape, host.dtype)
            pinned = self._stage(host, host.dtype)
            r.copy.wait_event(r.compute.record())
            self._h2d_async(dst, pinned, r.copy)
            end = r.copy_done((pinned, dst), ends_op=False)
            r.compute.wait_event(end)
        return dst

    def copy_from_host(self, dst, host: np.ndarray) -> None:
        """Write ``host`` into the existing device array ``dst`` on the copy stream.

        Inside an engine op the copy waits only for the device events of the
        op's outputs (the last op that read or wrote ``dst``), so it overlaps
        with unrelated compute still queued, and the op completes with the
        copy's event. Outside one it waits for all queued compute.
        """
        r = self.runner
        host = np.asarray(host)
        if not self._is_c_contiguous(dst):
            # a strided region: copy to a fresh block, then assign on the compute stream
            with r.device, r.compute:
                dst[...] = self.from_host(np.ascontiguousarray(np.broadcast_to(host, dst.shape)))
            return
        with r.device:
            pinned = self._stage(np.broadcast_to(host, dst.shape), dst.dtype)
            state = current_op()
            if state is None:
                r.copy.wait_event(r.compute.record())
            else:
                for ev in state.write_events:
                    if ev.stream is not r.copy:
                        r.copy.wait_event(ev.raw)
            self._h2d_async(dst, pinned, r.copy)
            end = r.copy_done((pinned, dst), ends_op=True)
            if state is None:
                r.compute.wait_event(end)

    def to_host(self, arr) -> np.ndarray:
        """A NumPy copy of ``arr`` once every kernel queued on this device has run."""
        r = self.runner
        with r.device:
            if not self._is_c_contiguous(arr):
                with r.compute:
                    arr = self.xp.ascontiguousarray(arr)
            r.copy.wait_event(r.compute.record())
            return self._d2h(arr, r.copy)
