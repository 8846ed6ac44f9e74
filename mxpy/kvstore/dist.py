"""The synchronous distributed stores over MPI: ``dist_sync`` and ``dist_device_sync``.

MXNet runs parameter servers: workers push gradients, the servers sum what
every worker pushed for a key, run the optimizer once on the sum and serve
the new weight to every pull. mxpy gets the same result without server
processes: each rank sums its own devices' values, the ranks all-reduce the
sum over MPI, and every rank runs the optimizer on that identical sum, so
every rank holds what the server would have held (the weights of one
process trained on the concatenated batch). ``init`` takes rank 0's value,
as MXNet's servers keep the first worker's. The optimizer state is
replicated, so any rank can save it.

``dist_device_sync`` (and ``dist_sync_device``) sum a rank's devices on the
devices, as ``device`` does; the transfer between ranks goes through host
memory. With 2-bit compression each rank quantizes its summed gradient with
its own residual and the ranks exchange the codes, so every rank adds up the
same dequantized values.

Launch with ``python -m mxpy.launch -n 2 python train.py``; a process
started alone is a world of one rank.

>>> import mxpy as mx
>>> kv = mx.kv.create("dist_sync")
>>> kv.rank, kv.num_workers
(0, 1)
>>> kv.init(0, mx.nd.ones((2,)))
>>> kv.pushpull(0, mx.nd.ones((2,)) * 3, out=mx.nd.zeros((2,)))
"""

from __future__ import annotations

import numpy as np

from .. import engine as _eng
from ..base import MXNetError
from ..context import cpu
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import NDArray, _new
from .base import Grouped
from .dist_comm import Group, count_dead
from .local import LocalKVStore

__all__ = ["DistSyncKVStore"]


def _server_copy(optimizer):
    """What MXNet's servers get: the optimizer through pickle (its ASCII protocol 0, as MXNet sends it)."""
    import pickle

    from ..optimizer import Optimizer

    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"KVStore.set_optimizer: optimizer must be an mx.optimizer.Optimizer, given {type(optimizer).__name__}")
    try:
        return pickle.loads(pickle.dumps(optimizer, 0))
    except Exception as e:
        raise MXNetError(f"KVStore.set_optimizer: the optimizer must be picklable to run on the store ({type(e).__name__}: {e})") from e


def _keep_sum(stored: np.ndarray, total: np.ndarray) -> None:
    """The store's copy of a pushpull's sum (an engine op that the next pushpull of the key usually drops)."""
    np.copyto(stored, total)


def _on_host(arr: NDArray) -> bool:
    return not arr._ctx.device_type.startswith("gpu")


def _host_pair(arr: NDArray) -> NDArray:
    """``arr`` itself when it lives in host memory, else a host array for a staged copy."""
    return arr if _on_host(arr) else _new(cpu(0), arr.shape, arr._data.dtype)


class DistSyncKVStore(LocalKVStore):
    """``dist_sync``, ``dist_device_sync``, ``dist_sync_device`` (see the module docstring)."""

    _compression_capable = True
    _compress_local = False  # MXNet compresses only between processes in the dist stores

    def __init__(self, kv_type: str = "dist_sync") -> None:
        super().__init__(kv_type, "device" in kv_type)
        self._group = Group()
        self._dist_residuals: dict = {}  # 2-bit compression: key -> this rank's float32 residual
        self._merge_bufs: dict = {}  # key -> the summed gradient the optimizer reads
        self._keep_ops: dict = {}  # key -> the deferred copy of the last pushpull's sum into the store

    @property
    def rank(self) -> int:
        """This process's rank in ``[0, num_workers)``."""
        return self._group.rank

    @property
    def num_workers(self) -> int:
        """The number of worker processes (MPI ranks)."""
        return self._group.size

    # -- transfers ------------------------------------------------------------------------
    def _init_impl(self, grouped: Grouped) -> None:
        super()._init_impl(grouped)  # each rank's own copy, then rank 0's wins
        group = self._group
        for k, _ in grouped:
            stored = self._store[k]
            host = _host_pair(stored)
            if host is not stored:
                copy_into(stored, host)
            buf = host._data
            group.transfer(group.bcast, (buf, 0), (), (host._var,), "kvstore_init_bcast", "init", k, buf.shape, buf.dtype)
            if host is not stored:
                copy_into(host, stored)
        group.wait()  # init is synchronous, as MXNet's (a mismatch between workers raises here)

    def _push_impl(self, grouped: Grouped) -> None:
        for k, values in grouped:
            stored = self._store[k]
            ctx = self._merge_context(k, values)
            if stored._ctx != ctx:  # device stores keep the value where it is merged
                moved = _new(ctx, stored.shape, stored._data.dtype)
                copy_into(stored, moved)
                stored = self._store[k] = moved
            dtype = stored._data.dtype
            v = values[0]
            if len(values) == 1 and v._data.dtype == dtype and _on_host(v) and _on_host(stored):
                src = v  # one host array: the transfer reads it directly, no copy
            else:
                src = self._reduce(k, values, ctx, dtype)  # a fresh sum of this rank's devices
            if self._updater is None:
                self._transfer(k, src, stored)  # the store keeps the sum over every rank
                continue
            merged = self._merge_bufs.get(k)
            if merged is None or merged._ctx != ctx:
                merged = self._merge_bufs[k] = _new(ctx, stored.shape, dtype)
            self._transfer(k, src, merged)  # reused every step: the engine orders it after the last update
            self._updater(k.encode() if isinstance(k, str) else k, merged, stored)

    def _transfer(self, key, src: NDArray, dst: NDArray) -> None:
        """``dst`` = the sum over every rank of ``src`` (through the 2-bit codes when compression is set)."""
        group, compressor = self._group, self._compressor
        src_h, dst_h = _host_pair(src), _host_pair(dst)
        if src_h is not src:
            copy_into(src, src_h)
        if compressor is None:
            s, d = src_h._data, dst_h._data
            group.transfer(group.allreduce, (s, d), (src_h._var,), (dst_h._var,), "kvstore_allreduce", "push", key, s.shape, s.dtype)
        else:
            residual = self._dist_residuals.get(key)
            if residual is None:
                residual = self._dist_residuals[key] = _new(cpu(0), src.shape, np.float32)
                residual._data[...] = 0

            def compressed_sum(s, d, res):
                group.check_peers("push", key, s.shape, s.dtype)
                every = group.allgather_bytes(compressor.quantize(s, res))
                total = np.zeros(s.size, np.float32)
                for codes in every:  # rank order: the same sum on every rank
                    compressor.dequantize(codes, s.size, out=total)
                d[...] = total.reshape(d.shape)

            group.push_op(compressed_sum, (src_h._data, dst_h._data, residual._data), (src_h._var,), (dst_h._var, residual._var), "kvstore_2bit_allgather")
        if dst_h is not dst:
            copy_into(dst_h, dst)

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """``push`` then ``pull``; without an optimizer the sum over the ranks goes straight into ``out``.

        >>> import mxpy as mx
        >>> kv = mx.kv.create("dist_sync")
        >>> kv.init("g", mx.nd.zeros((2,)))
        >>> out = mx.nd.zeros((2,))
        >>> kv.pushpull("g", mx.nd.ones((2,)), out=out)
        >>> out.asnumpy().tolist()
        [1.0, 1.0]
        """
        plain = self._updater is None and self._compressor is None and not self._on_device
        if plain and (type(key) is int or type(key) is str) and isinstance(value, NDArray):
            # one key, one value, one out: the checks below are all the generic path would do
            stored, first = self._store.get(key), value if out is None else out
            if stored is not None and isinstance(first, NDArray) and value._data.shape == stored._data.shape == first._data.shape:
                if self._direct(value, first, stored):
                    self._pushpull_direct(key, value, first, stored)
                    return
        pushed = self._prepare_push(key, value, "pushpull")
        pulled = self._prepare_pull(key, value if out is None else out, "pushpull")
        if not plain:
            self._push_impl(pushed)
            self._pull_impl(pulled)
            return
        outs = dict(pulled)
        for k, values in pushed:
            stored, first = self._store[k], outs[k][0]
            if len(values) > 1 or not self._direct(values[0], first, stored):
                self._push_impl([(k, values)])
                self._pull_impl([(k, outs[k])])
                continue
            self._pushpull_direct(k, values[0], first, stored)
            for o in outs[k][1:]:
                copy_into(first, o)

    @staticmethod
    def _direct(value: NDArray, first: NDArray, stored: NDArray) -> bool:
        """Whether the sum of ``value`` can go straight into ``first``: host arrays of the store's dtype,
        and ``first`` either ``value`` itself (in place) or memory of its own (MPI needs one or the other)."""
        dtype = stored._data.dtype
        for a in (value, first, stored):
            if a._ctx.device_typeid == 2 or (a._data.dtype is not dtype and a._data.dtype != dtype):
                return False
        return first._var is not value._var or first._data is value._data

    def _pushpull_direct(self, key, value: NDArray, first: NDArray, stored: NDArray) -> None:
        """The sum over the ranks of ``value`` into ``first`` (in place when they are one array).

        The store keeps a copy, as MXNet's servers do, in a deferred engine op:
        nothing waits for it unless it reads the store or writes ``first``, and
        the next pushpull of the key, which overwrites the store anyway, drops
        it if it has not run by then (the usual case in a loop).
        """
        group = self._group
        kept = self._keep_ops.pop(key, None)
        s, d = value._data, first._data
        reads = () if first._var is value._var else (value._var,)
        keep = (_keep_sum, (stored._data, d), (first._var,), (stored._var,), stored._ctx, "kvstore_keep_sum")
        if s.size <= group.bound:  # one piece: run it here when every rank is there (see Group.run_now)
            handle = group.run_now(group.allreduce, (s, d), reads, (first._var,), "kvstore_allreduce", "push", key, s.shape, s.dtype, keep, kept)
            if handle is not None:
                self._keep_ops[key] = handle
                return
        eng = _eng.get()
        if kept is not None:
            eng.cancel_deferred(kept)
        group.transfer(group.allreduce, (s, d), reads, (first._var,), "kvstore_allreduce", "push", key, s.shape, s.dtype)
        self._keep_ops[key] = eng.push_deferred(*keep)

    # -- the rest of the API -------------------------------------------------------------------
    def set_optimizer(self, optimizer) -> None:
        """Run a copy of ``optimizer`` on the store, as MXNet's workers pickle it to the servers.

        Every rank holds that copy and applies it to the same summed
        gradients, so the weights (and the optimizer states) stay identical
        across ranks. Later changes to ``optimizer`` itself do not reach the
        store, as in MXNet.
        """
        super().set_optimizer(_server_copy(optimizer))

    def _barrier(self) -> None:
        """Wait until this rank's queued transfers are done and every rank reached the barrier."""
        self._group.barrier_op()

    barrier = _barrier

    def num_dead_node(self, node_id: int, timeout: int = 60) -> int:
        """How many of the nodes ``node_id`` names have died (MXNet's ps-lite ids: 4 is every worker, ``9 + 2r`` worker ``r``).

        A plain launch ends the whole job when a rank dies (mpirun stops the
        others and names the lost one), so a running rank counts 0. A job
        started with MPI's fault tolerance outlives the rank, and this counts
        it (within about a second of its death)::

            python -m mxpy.launch -n 4 --mpi-args "--with-ft ulfm" python train.py

        >>> import mxpy as mx
        >>> mx.kv.create("dist_sync").num_dead_node(4)
        0
        """
        return count_dead(self._group, node_id, timeout)
