"""``dist_async``: rank 0 serves the weights and the optimizer; each push is applied as it arrives.

MXNet's asynchronous mode runs parameter servers that update a weight
whenever any worker's gradient arrives, with no step-wide synchronisation;
workers pull whatever the server holds then (possibly stale). mxpy serves
from a background thread of rank 0 instead of extra server processes, so the
launcher starts exactly the workers asked for and rank 0 still trains: the
server thread sleeps in short polls when idle, and the heavy work (the
optimizer update) is NumPy that releases the GIL. Workers talk to it with
point-to-point MPI messages on their own communicator, from the engine's
communication worker, so pushes and pulls are as lazy as in the other stores.

Only ``init``, ``set_optimizer`` and ``barrier`` are collective. The
optimizer state lives on rank 0; ``save_optimizer_states`` works there.

>>> import mxpy as mx
>>> kv = mx.kv.create("dist_async")
>>> kv.init("w", mx.nd.zeros((2,)))
>>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=1.0))
>>> kv.push("w", mx.nd.ones((2,)))
>>> out = mx.nd.zeros((2,)); kv.pull("w", out=out); out.asnumpy().tolist()
[-1.0, -1.0]
"""

from __future__ import annotations

import atexit
import threading
import time
from types import SimpleNamespace

import numpy as np

from .. import engine as _eng
from ..base import MXNetError
from ..context import cpu
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import _new
from ..ndarray.register import call
from .base import Grouped, KVStore
from .dist import _server_copy
from .dist_comm import Group, count_dead, world

__all__ = ["DistAsyncKVStore"]

_HDR, _DATA, _REPLY = 11, 12, 13


class _Server:
    """Rank 0's weights, updater and request loop (runs in a daemon thread)."""

    def __init__(self, comm, compressor_of) -> None:
        self.comm = comm
        self.store: dict = {}
        self.updater = None
        self.lock = threading.Lock()
        self.compressor_of = compressor_of  # the store's current compressor (set before the first push)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="mxpy-kvstore-server", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        from mpi4py import MPI

        status = MPI.Status()
        delay = 2e-5
        while True:
            if not self.comm.Iprobe(source=MPI.ANY_SOURCE, tag=_HDR, status=status):
                time.sleep(delay)
                delay = min(delay * 2, 1e-3)
                continue
            delay = 2e-5
            src = status.Get_source()
            msg = self.comm.recv(source=src, tag=_HDR)
            if msg[0] == "stop":
                return
            try:
                self._handle(src, msg)
            except BaseException as e:  # noqa: B036 - keep serving; the error is reported at the next collective
                self.error = e

    def _handle(self, src: int, msg: tuple) -> None:
        kind, key = msg[0], msg[1]
        if kind == "push":
            shape, dtype, packed = msg[2], np.dtype(msg[3]), msg[4]
            n = int(np.prod(shape))
            if packed:
                codes = np.empty(packed, np.uint8)
                self.comm.Recv(codes, source=src, tag=_DATA)
                grad = self.compressor_of().dequantize(codes, n).reshape(shape).astype(dtype, copy=False)
            else:
                grad = np.empty(shape, dtype)
                self.comm.Recv(grad, source=src, tag=_DATA)
            with self.lock:
                stored = self.store[key]
                if self.updater is None:
                    stored._data[...] = grad
                else:
                    g = _new(cpu(0), shape, dtype)
                    g._data[...] = grad
                    self.updater(key.encode() if isinstance(key, str) else key, g, stored)
                    stored.wait_to_read()
        elif kind == "pull":
            with self.lock:
                data = self.store[key].asnumpy()
            self.comm.Send(data, dest=src, tag=_REPLY)


class DistAsyncKVStore(KVStore):
    """``dist_async`` (see the module docstring)."""

    _compression_capable = True

    def __init__(self, kv_type: str = "dist_async") -> None:
        super().__init__(kv_type)
        self._group = Group()
        MPI, base = world()
        self._srv = base.Dup()
        self._shapes: dict = {}  # key -> (shape, dtype): every rank knows what was inited
        self._residuals: dict = {}
        self._server = _Server(self._srv, lambda: self._compressor) if self._group.rank == 0 else None
        atexit.register(self._close)
        self._closed = False

    @property
    def rank(self) -> int:
        """This process's rank in ``[0, num_workers)``."""
        return self._group.rank

    @property
    def num_workers(self) -> int:
        """The number of worker processes (MPI ranks); rank 0 also serves."""
        return self._group.size

    def _has_key(self, key) -> bool:
        return key in self._shapes

    def _stored(self, key):
        shape, dtype = self._shapes[key]
        return SimpleNamespace(shape=shape, dtype=dtype)

    def _raise_server_error(self) -> None:
        if self._server is not None and self._server.error is not None:
            e, self._server.error = self._server.error, None
            raise MXNetError(f"KVStore({self.type!r}): the server on rank 0 failed: {type(e).__name__}: {e}") from e

    # -- collective calls ---------------------------------------------------------------------
    def _init_impl(self, grouped: Grouped) -> None:
        group, server = self._group, self._server
        for k, (value,) in grouped:
            host = _new(cpu(0), value.shape, value._data.dtype)
            copy_into(value, host)
            self._shapes[k] = (value.shape, value._data.dtype)

            def init(buf, key=k):
                group.check_peers("init", key, buf.shape, buf.dtype)
                if server is not None:
                    stored = _new(cpu(0), buf.shape, buf.dtype)
                    stored._data[...] = buf
                    with server.lock:
                        server.store[key] = stored
                group.barrier()  # nobody pushes or pulls the key before the server has it

            group.push_op(init, (host._data,), (host._var,), (), "kvstore_async_init")
        group.wait()  # init is synchronous, as MXNet's (a mismatch between workers raises here)

    def set_optimizer(self, optimizer) -> None:
        """Install ``optimizer`` on the server (rank 0); every rank must call it (Module does)."""
        from ..optimizer import Optimizer, get_updater

        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"KVStore.set_optimizer: optimizer must be an mx.optimizer.Optimizer, given {type(optimizer).__name__}")
        if self._server is not None:
            self._set_updater(get_updater(_server_copy(optimizer)))
        self._barrier()

    def _set_updater(self, updater) -> None:
        if not callable(updater):
            raise TypeError(f"KVStore._set_updater: updater must be callable, given {type(updater).__name__}")
        self._updater = updater
        if self._server is not None:
            with self._server.lock:
                self._server.updater = updater

    def _barrier(self) -> None:
        """Wait until this rank's queued transfers are done and every rank reached the barrier."""
        self._group.barrier_op()
        self._raise_server_error()

    barrier = _barrier

    # -- point-to-point calls ---------------------------------------------------------------
    def _push_impl(self, grouped: Grouped) -> None:
        srv, compressor = self._srv, self._compressor
        for k, values in grouped:
            shape, dtype = self._shapes[k]
            merged = _new(cpu(0), shape, dtype)
            if len(values) == 1:
                copy_into(values[0], merged)
            else:
                parts = []
                for v in values:
                    h = _new(cpu(0), shape, dtype)
                    copy_into(v, h)
                    parts.append(h)
                merged = call("add_n", *parts)
            if compressor is None:

                def send(buf, key=k):
                    srv.send(("push", key, buf.shape, buf.dtype.str, 0), dest=0, tag=_HDR)
                    srv.Send(buf, dest=0, tag=_DATA)

                self._group.push_op(send, (merged._data,), (merged._var,), (), "kvstore_async_push")
                continue
            residual = self._residuals.get(k)
            if residual is None:
                residual = self._residuals[k] = _new(cpu(0), shape, np.float32)
                residual._data[...] = 0

            def send_codes(buf, res, key=k):
                codes = compressor.quantize(buf, res)
                srv.send(("push", key, buf.shape, buf.dtype.str, codes.size), dest=0, tag=_HDR)
                srv.Send(codes, dest=0, tag=_DATA)

            self._group.push_op(send_codes, (merged._data, residual._data), (merged._var,), (residual._var,), "kvstore_async_push_2bit")

    def _pull_impl(self, grouped: Grouped) -> None:
        srv = self._srv
        for k, outs in grouped:
            shape, dtype = self._shapes[k]
            host = _new(cpu(0), shape, dtype)

            def fetch(buf, key=k):
                srv.send(("pull", key), dest=0, tag=_HDR)
                srv.Recv(buf, source=0, tag=_REPLY)

            self._group.push_op(fetch, (host._data,), (), (host._var,), "kvstore_async_pull")
            for o in outs:
                copy_into(host, o)

    # -- states and shutdown ------------------------------------------------------------------
    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the server's optimizer states; only rank 0 (the server) holds them."""
        if self._server is None:
            raise MXNetError(
                f"KVStore.save_optimizer_states: in {self.type!r} the optimizer states live on rank 0 (the server); call it on rank 0, this is rank {self.rank}"
            )
        with self._server.lock:
            super().save_optimizer_states(fname, dump_optimizer)

    def load_optimizer_states(self, fname: str) -> None:
        """Load the server's optimizer states; only on rank 0 (the server)."""
        if self._server is None:
            raise MXNetError(f"KVStore.load_optimizer_states: in {self.type!r} the optimizer states live on rank 0 (the server); this is rank {self.rank}")
        with self._server.lock:
            super().load_optimizer_states(fname)

    def num_dead_node(self, node_id: int, timeout: int = 60) -> int:
        """How many of the nodes ``node_id`` names have died; rank 0 is also the server (see ``dist_sync``'s)."""
        return count_dead(self._group, node_id, timeout, servers=(0,))

    def _close(self) -> None:
        """At exit: finish this rank's transfers, wait for every rank, stop the server."""
        if self._closed:
            return
        self._closed = True
        try:
            _eng.get().wait_all()
        except MXNetError:
            pass  # already reported to the user, who is exiting
        self._group.barrier()
        if self._server is not None:
            self._srv.send(("stop", None), dest=0, tag=_HDR)
            self._server.thread.join(timeout=10)
