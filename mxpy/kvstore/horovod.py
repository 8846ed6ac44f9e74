"""``horovod``: allreduce-only data parallelism over MPI, as MXNet's Horovod store (no Horovod needed).

There is no store: ``pushpull`` sums a tensor over every rank (in place, or
into ``out``) and ``broadcast`` copies rank 0's tensor everywhere. Keys only
name the operation and need no ``init``. The optimizer runs on each worker
(``is_capable('optimizer')`` is False, so Module and Gluon's Trainer update
locally). Transfers are engine ops on the communication worker, like the
``dist_*`` stores'.

>>> import mxpy as mx
>>> kv = mx.kv.create("horovod")
>>> a = mx.nd.ones((2,))
>>> kv.pushpull("g", a)
>>> a.asnumpy().tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from ..base import MXNetError
from ..context import cpu
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import NDArray, _new
from .base import KVStore
from .dist import _host_pair
from .dist_comm import Group

__all__ = ["Horovod"]


def _arrays(value, func: str, what: str) -> list:
    if isinstance(value, NDArray):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, NDArray) for v in value):
        return list(value)
    raise TypeError(f"Horovod.{func}: {what} must be an NDArray or a non-empty list of NDArrays, given {type(value).__name__}")


class Horovod(KVStore):
    """The ``horovod`` kvstore (see the module docstring).

    A :class:`KVStore` for ``isinstance`` checks (Module, Gluon's Trainer),
    but with no stored values: ``push`` and ``pull`` do not exist in MXNet's
    Horovod store and are refused here.
    """

    def __init__(self) -> None:
        super().__init__("horovod")
        self._group = Group()

    # KVStore's storage hooks: nothing is stored, and push/pull (their only users) are refused below
    def _has_key(self, key) -> bool:
        return False

    def _stored(self, key):
        raise MXNetError(f"Horovod: the horovod kvstore stores no value (key {key!r})")

    _init_impl = _push_impl = _pull_impl = _stored

    def push(self, key, value, priority: int = 0) -> None:
        """Refused: the horovod store has no values to push to; use :meth:`pushpull` (an allreduce)."""
        raise MXNetError("Horovod.push: the horovod kvstore has no push/pull; use pushpull (allreduce) or broadcast")

    def pull(self, key, out=None, priority: int = 0, ignore_sparse: bool = True) -> None:
        """Refused: the horovod store keeps no values; use :meth:`broadcast` or :meth:`pushpull`."""
        raise MXNetError("Horovod.pull: the horovod kvstore has no push/pull; use pushpull (allreduce) or broadcast")

    @property
    def rank(self) -> int:
        """This process's rank in ``[0, num_workers)``."""
        return self._group.rank

    @property
    def local_rank(self) -> int:
        """This process's rank among the ranks on its machine."""
        import os

        return int(os.environ.get("OMPI_COMM_WORLD_LOCAL_RANK", os.environ.get("MPI_LOCALRANKID", self.rank)))

    @property
    def num_workers(self) -> int:
        """The number of worker processes (MPI ranks)."""
        return self._group.size

    def _transfer(self, key, func: str, src: NDArray, outs: list, fn) -> None:
        """``fn(src_buffer, dst_buffer)`` into ``outs[0]`` (host buffers; GPU arrays are staged), then copies to the other outs."""
        for o in outs:
            if o.shape != src.shape:
                raise MXNetError(f"Horovod.{func}: out for key {key!r} has shape {o.shape}, expected {src.shape}")
        group = self._group
        first = outs[0]
        src_h, dst_h = _host_pair(src), _host_pair(first)
        if first._data.dtype != src._data.dtype:
            dst_h = _new(cpu(0), src.shape, src._data.dtype)
        if src_h is not src:
            copy_into(src, src_h)

        s, d = src_h._data, dst_h._data
        reads = () if src_h is dst_h else (src_h._var,)
        group.transfer(fn, (s, d), reads, (dst_h._var,), f"horovod_{func}", func, key, s.shape, s.dtype)
        if dst_h is not first:
            copy_into(dst_h, first)
        for o in outs[1:]:
            copy_into(first, o)

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """Sum ``value`` over every rank into ``out`` (or into ``value`` itself); a list of values is summed first.

        >>> import mxpy as mx
        >>> kv = mx.kv.create("horovod")
        >>> out = mx.nd.zeros((2,))
        >>> kv.pushpull(0, mx.nd.ones((2,)) * 2, out=out)
        >>> out.asnumpy().tolist()
        [2.0, 2.0]
        """
        values = _arrays(value, "pushpull", "value")
        outs = values if out is None else _arrays(out, "pushpull", "out")
        src = values[0]
        for v in values[1:]:
            if v.shape != src.shape:
                raise MXNetError(f"Horovod.pushpull: values for key {key!r} have shapes {src.shape} and {v.shape}")
        if len(values) > 1:
            from ..ndarray.register import call

            src = call("add_n", *values)
        self._transfer(key, "pushpull", src, outs, self._group.allreduce)  # out of place, or in place when out is the value

    def broadcast(self, key, value, out, priority: int = 0) -> None:
        """Copy rank 0's ``value`` into ``out`` on every rank.

        >>> import mxpy as mx
        >>> kv = mx.kv.create("horovod")
        >>> out = mx.nd.zeros((2,))
        >>> kv.broadcast("w", mx.nd.ones((2,)), out=out)
        >>> out.asnumpy().tolist()
        [1.0, 1.0]
        """
        src = _arrays(value, "broadcast", "value")[0]
        self._transfer(key, "broadcast", src, _arrays(out, "broadcast", "out"), self._group.bcast_into)

    def init(self, key, value) -> None:
        """Make ``value`` (an NDArray or a list) equal to rank 0's on every rank (a broadcast into itself)."""
        keys, values = (key, value) if isinstance(key, (list, tuple)) else ([key], [value])
        if len(keys) != len(values):
            raise ValueError(f"Horovod.init: {len(keys)} keys need {len(keys)} values, given {len(values)}")
        for k, v in zip(keys, values):
            arrays = _arrays(v, "init", "value")
            self.broadcast(k, arrays[0], arrays)

    @staticmethod
    def is_capable(capability: str) -> bool:
        """False for ``'optimizer'``: updates run on each worker."""
        if isinstance(capability, str) and capability.lower() == "optimizer":
            return False
        raise ValueError(f"Horovod.is_capable: unknown capability {capability!r}; known: 'optimizer'")

    def set_optimizer(self, optimizer) -> None:
        """Refused: the horovod store keeps no weights, so each worker runs its own optimizer."""
        raise MXNetError("Horovod.set_optimizer: the horovod kvstore keeps no optimizer (is_capable('optimizer') is False); update on each worker")

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Refused: the optimizer states live in each worker's own updater."""
        raise MXNetError("Horovod.save_optimizer_states: the horovod kvstore keeps no optimizer; save the worker's updater states")

    def load_optimizer_states(self, fname: str) -> None:
        """Refused: the optimizer states live in each worker's own updater."""
        raise MXNetError("Horovod.load_optimizer_states: the horovod kvstore keeps no optimizer; load the worker's updater states")

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Only ``{'type': 'none'}``: Horovod's allreduce does not quantize."""
        from .compression import parse_compression

        if parse_compression(compression_params, "Horovod.set_gradient_compression")["type"] != "none":
            raise MXNetError("Horovod.set_gradient_compression: the horovod kvstore does not compress; use a 'dist_*' kvstore for 2bit")

    def _barrier(self) -> None:
        """Wait until this rank's queued transfers are done and every rank reached the barrier."""
        self._group.barrier_op()

    barrier = _barrier
