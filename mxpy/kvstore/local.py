"""Single-machine stores: ``local`` (merge and update on the CPU) and ``device`` (on the devices).

``local`` (and ``local_update_cpu``, ``local_allreduce_cpu``) keeps every
value on ``cpu_pinned(0)``, copies pushed values there, sums them and updates
there, as MXNet's CommCPU does. ``device`` (and ``local_allreduce_device``,
``nccl``) merges each key on the device of the first value pushed to it and
keeps the stored value (and so the optimizer state) there, as MXNet's
CommDevice does. Every copy, sum and update is an engine operation, so
``push``/``pull`` return at once and later reads wait for them.

>>> import mxpy as mx
>>> from mxpy import kvstore
>>> kv = kvstore.create("device")
>>> kv.init("g", mx.nd.zeros((3,)))
>>> kv.pushpull("g", [mx.nd.ones((3,), ctx=mx.cpu(i)) for i in range(2)], out=mx.nd.zeros((3,)))
"""

from __future__ import annotations

import numpy as np

from .. import engine as _eng
from ..context import Context, cpu_pinned
from ..ndarray.creation import copy_into
from ..ndarray.ndarray import NDArray, _new
from ..ndarray.register import call
from ._sparse import assign, pull_rows, sparse_sum
from .base import Grouped, KVStore

__all__ = ["LocalKVStore"]


def _quantize_roundtrip(compressor, data, residual) -> None:
    """What a receiver of ``data``'s 2-bit codes gets back, written over ``data``."""
    packed = compressor.quantize(data, residual)
    data[...] = compressor.dequantize(packed, data.size).reshape(data.shape)


class LocalKVStore(KVStore):
    """The ``local`` and ``device`` stores of one process (see the module docstring)."""

    def __init__(self, kv_type: str = "local", on_device: bool = False) -> None:
        super().__init__(kv_type)
        self._on_device = on_device
        self._store: dict = {}
        self._merge_ctx: dict = {}  # device stores: key -> the context it is merged and kept on
        self._residuals: dict = {}  # 2-bit compression: (key, device index) -> float32 residual

    def _has_key(self, key) -> bool:
        return key in self._store

    def _stored(self, key) -> NDArray:
        return self._store[key]

    def _init_impl(self, grouped: Grouped) -> None:
        home = cpu_pinned(0)
        for k, (value,) in grouped:
            if value.stype != "default":  # a row_sparse weight stays row_sparse in the store
                self._store[k] = value.copyto(home)
                continue
            stored = _new(home, value.shape, value._data.dtype)
            copy_into(value, stored)
            self._store[k] = stored

    def _merge_context(self, key, values: list) -> Context:
        if not self._on_device:
            return cpu_pinned(0)
        ctx = self._merge_ctx.get(key)
        if ctx is None:
            ctx = self._merge_ctx[key] = values[0]._ctx
        return ctx

    _compression_capable = property(lambda self: self._on_device)  # MXNet's 'local' store refuses compression
    _compress_local = True  # dist stores compress what they send between processes instead

    def _compressed(self, key, index: int, value: NDArray, ctx: Context, dtype) -> NDArray:
        """``value`` quantized to 2 bits and back (on the host), with the residual of (key, device index)."""
        residual = self._residuals.get((key, index))
        if residual is None:
            residual = self._residuals[(key, index)] = _new(cpu_pinned(0), value.shape, np.float32)
            residual._data[...] = 0
        host = _new(cpu_pinned(0), value.shape, dtype)
        copy_into(value, host)
        _eng.get().push(_quantize_roundtrip, (self._compressor, host._data, residual._data), (), (host._var, residual._var), host._ctx, "_2bit_quantize")
        if ctx == host._ctx:
            return host
        moved = _new(ctx, value.shape, dtype)
        copy_into(host, moved)
        return moved

    def _reduce(self, key, values: list, ctx: Context, dtype) -> NDArray:
        """A fresh array on ``ctx`` holding the sum of ``values`` (engine ops, lazy)."""
        if any(v.stype != "default" for v in values):
            return sparse_sum(values, ctx)
        if self._compressor is not None and self._compress_local:
            bufs = [self._compressed(key, i, v, ctx, dtype) for i, v in enumerate(values)]
            return bufs[0] if len(bufs) == 1 else call("add_n", *bufs)
        bufs = []
        for v in values:
            if v._ctx == ctx and v._data.dtype == dtype and len(values) > 1:
                bufs.append(v)  # add_n only reads it
                continue
            buf = _new(ctx, v.shape, dtype)
            copy_into(v, buf)
            bufs.append(buf)
        if len(bufs) == 1:
            return bufs[0]
        return call("add_n", *bufs)

    def _push_impl(self, grouped: Grouped) -> None:
        for k, values in grouped:
            stored = self._store[k]
            ctx = self._merge_context(k, values)
            if stored._ctx != ctx:
                # device stores keep the value where it is merged, so updates need no copies
                if stored.stype == "default":
                    moved = _new(ctx, stored.shape, stored._data.dtype)
                    copy_into(stored, moved)
                else:
                    moved = stored.copyto(ctx)
                stored = self._store[k] = moved
            merged = self._reduce(k, values, ctx, stored._data.dtype)
            if self._updater is None:
                assign(merged, stored)
            else:
                # MXNet hands str keys to the updater as bytes (they cross its C API)
                self._updater(k.encode() if isinstance(k, str) else k, merged, stored)

    def _pull_impl(self, grouped: Grouped) -> None:
        for k, outs in grouped:
            stored = self._store[k]
            for o in outs:
                assign(stored, o)

    def _row_sparse_pull_impl(self, grouped: Grouped, row_ids: dict) -> None:
        for k, outs in grouped:
            stored = self._store[k]
            for o, rid in zip(outs, row_ids[k]):
                pull_rows(stored, o, rid)
