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

from ..context import cpu
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import NDArray, _new
from .base import Grouped
from .dist_comm import Group
from .local import LocalKVStore

__all__ = ["DistSyncKVStore"]


def _host_pair(arr: NDArray) -> NDArray:
    """``arr`` itself when it lives in host memory, else a host array for a staged copy."""
    return arr if not arr._ctx.device_type.startswith("gpu") else _new(cpu(0), arr.shape, arr._data.dtype)


class DistSyncKVStore(LocalKVStore):
    """``dist_sync``, ``dist_device_sync``, ``dist_sync_device`` (see the module docstring)."""

    _compression_capable = True
    _compress_local = False  # MXNet compresses only between processes in the dist stores

    def __init__(self, kv_type: str = "dist_sync") -> None:
        super().__init__(kv_type, "device" in kv_type)
        self._group = Group()
        self._dist_residuals: dict = {}

    @property
    def rank(self) -> int:
        """This process's rank in ``[0, num_workers)``."""
        return self._group.rank

    @property
    def num_workers(self) -> int:
        """The number of worker processes (MPI ranks)."""
        return self._group.size

    # -- transfers ------------------------------------------------------------------------
    def _staged(self, arr: NDArray, op_name: str, fn, extra: tuple = (), reads: tuple = ()) -> None:
        """Run transfer ``fn(host_buffer, *extra)`` over ``arr`` (staged through host memory for a GPU array)."""
        host = _host_pair(arr)
        if host is not arr:
            copy_into(arr, host)
        self._group.push_op(fn, (host._data, *extra), reads, (host._var,), op_name)
        if host is not arr:
            copy_into(host, arr)

    def _init_impl(self, grouped: Grouped) -> None:
        super()._init_impl(grouped)  # each rank's own copy, then rank 0's wins
        group = self._group
        for k, _ in grouped:
            stored = self._store[k]

            def bcast(buf, key=k):
                group.check_peers("init", key, buf.shape, buf.dtype)
                group.bcast(buf, 0)

            self._staged(stored, "kvstore_init_bcast", bcast)
        group.wait()  # init is synchronous, as MXNet's (a mismatch between workers raises here)

    def _reduce(self, key, values: list, ctx, dtype) -> NDArray:
        merged = super()._reduce(key, values, ctx, dtype)  # a fresh array: the caller's values stay as they are
        group = self._group
        if self._compressor is None:

            def allreduce(buf, key=key):
                group.check_peers("push", key, buf.shape, buf.dtype)
                group.allreduce(buf)

            self._staged(merged, "kvstore_allreduce", allreduce)
            return merged
        residual = self._dist_residuals.get(key)
        if residual is None:
            residual = self._dist_residuals[key] = _new(cpu(0), merged.shape, np.float32)
            residual._data[...] = 0
        compressor = self._compressor

        def compressed_sum(buf, res, key=key):
            group.check_peers("push", key, buf.shape, buf.dtype)
            every = group.allgather_bytes(compressor.quantize(buf, res))
            total = np.zeros(buf.size, np.float32)
            for codes in every:  # rank order: the same sum on every rank
                compressor.dequantize(codes, buf.size, out=total)
            buf[...] = total.reshape(buf.shape)

        host = _host_pair(merged)
        if host is not merged:
            copy_into(merged, host)
        self._group.push_op(compressed_sum, (host._data, residual._data), (), (host._var, residual._var), "kvstore_2bit_allgather")
        if host is not merged:
            copy_into(host, merged)
        return merged

    # -- the rest of the API -------------------------------------------------------------------
    def _barrier(self) -> None:
        """Wait until this rank's queued transfers are done and every rank reached the barrier."""
        self._group.barrier_op()

    barrier = _barrier

    def num_dead_node(self, node_id: int, timeout: int = 60) -> int:
        """Dead nodes in group ``node_id``: always 0 while this process runs.

        Under MPI a rank that dies ends the whole job (mpirun stops every
        other rank and names the lost one), so a running rank never has a
        dead peer to count. Kept for MXNet scripts that poll it.
        """
        if not isinstance(node_id, int) or isinstance(node_id, bool):
            raise TypeError(f"KVStore.num_dead_node: node_id must be an int, given {type(node_id).__name__}")
        return 0
