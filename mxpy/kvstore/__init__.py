"""``mx.kv``: key-value stores that sum gradients across devices and update weights.

>>> import mxpy as mx
>>> from mxpy import kvstore
>>> kv = kvstore.create("local")
>>> kv.type, kv.rank, kv.num_workers
('local', 0, 1)
"""

from __future__ import annotations

from .base import KVStore, KVStoreBase
from .local import LocalKVStore

__all__ = ["KVStore", "KVStoreBase", "LocalKVStore", "create"]

# name -> (store class, merge on the devices?); nccl is served by the device store
_TYPES = {
    "local": (LocalKVStore, False),
    "local_update_cpu": (LocalKVStore, False),
    "local_allreduce_cpu": (LocalKVStore, False),
    "device": (LocalKVStore, True),
    "local_allreduce_device": (LocalKVStore, True),
    "nccl": (LocalKVStore, True),
}


def create(name: str = "local") -> KVStoreBase:
    """A new KVStore of type ``name`` (case-insensitive).

    Known types: ``local`` (``local_update_cpu``, ``local_allreduce_cpu``:
    merge and update on the CPU) and ``device`` (``local_allreduce_device``,
    ``nccl``: merge and update on the devices of the pushed values; ``nccl``
    is the device store in mxpy). Across processes started by ``python -m
    mxpy.launch`` (MPI): ``dist_sync`` (``dist_device_sync``,
    ``dist_sync_device``: sum each step's gradients over every worker, then
    update), ``dist_async`` (rank 0 applies each worker's push as it arrives)
    and ``horovod`` (allreduce only, no optimizer on the store); these need
    ``pip install mxpy[dist]``. A class registered with
    ``KVStoreBase.register`` is found first, by its lower-case class name
    (``teststore`` is one). MXNet silently makes a local store for an unknown
    name; mxpy raises instead, listing the known ones.

    >>> from mxpy import kvstore
    >>> kvstore.create("device").type
    'device'
    """
    if not isinstance(name, str):
        raise TypeError(f"kvstore.create: name must be a string, given {type(name).__name__}")
    key = name.lower()
    if key in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[key]()
    if "dist" in key:  # as MXNet: any dist name; '_async' picks the asynchronous mode, 'device' the device merge
        if "async" in key:
            from .dist_async import DistAsyncKVStore

            return DistAsyncKVStore(key)
        from .dist import DistSyncKVStore

        return DistSyncKVStore(key)
    if key == "horovod":
        from .horovod import Horovod

        return Horovod()
    if key not in _TYPES:
        from ..base import MXNetError

        known = ", ".join([*_TYPES, "dist_sync", "dist_device_sync", "dist_sync_device", "dist_async", "horovod", *KVStoreBase.kv_registry])
        raise MXNetError(f"kvstore.create: unknown kvstore type {name!r}; known types: {known}")
    cls, on_device = _TYPES[key]
    return cls(key, on_device)
