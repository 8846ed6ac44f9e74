"""The GPU backend: CuPy arrays on one device, a compute and a copy stream.

Imported only when a ``gpu(i)`` array is first made, so CPU-only installs
never need CuPy. Kernels run on the device's compute stream and copies from
the host on its copy stream through page-locked staging buffers (see
mxpy.backend.streams for the ordering rules).

Memory comes from CuPy's memory pool, set up from MXNet's variables:

- ``MXNET_GPU_MEM_POOL_TYPE``: ``Naive`` (MXNet's default) and ``Round`` map to
  CuPy's pool (which already rounds requests up to 512-byte bins and splits
  large free blocks); ``Unpooled`` turns the pool off (every array is its own
  ``cudaMalloc``, as MXNet's unpooled storage manager);
- ``MXNET_GPU_MEM_POOL_RESERVE`` (percent, default 5 as MXNet): the pool never
  holds more than ``100 - reserve`` percent of the card's memory.
"""

from __future__ import annotations

import os

import numpy as np

from ..base import MXNetError
from .numpy_backend import Backend
from .streams import StreamedCopies, StreamRunner

_POOL_TYPES = ("Naive", "Round", "Unpooled")


def pool_settings(environ=None) -> tuple[bool, float]:
    """``(pooled, limit_fraction)`` from MXNet's GPU memory-pool variables.

    >>> pool_settings({})
    (True, 0.95)
    >>> pool_settings({"MXNET_GPU_MEM_POOL_TYPE": "Unpooled"})
    (False, 0.95)
    >>> pool_settings({"MXNET_GPU_MEM_POOL_RESERVE": "20"})
    (True, 0.8)
    """
    env = os.environ if environ is None else environ
    kind = env.get("MXNET_GPU_MEM_POOL_TYPE", "Naive").strip()
    if kind not in _POOL_TYPES:
        raise MXNetError(f"MXNET_GPU_MEM_POOL_TYPE: unknown pool type {kind!r}; expected one of {', '.join(_POOL_TYPES)}")
    raw = env.get("MXNET_GPU_MEM_POOL_RESERVE", "5").strip()
    try:
        reserve = float(raw)
    except ValueError:
        raise MXNetError(f"MXNET_GPU_MEM_POOL_RESERVE: expected a percentage, got {raw!r}") from None
    if not 0 <= reserve < 100:
        raise MXNetError(f"MXNET_GPU_MEM_POOL_RESERVE: expected a percentage in [0, 100), got {raw}")
    return kind != "Unpooled", round(1.0 - reserve / 100.0, 6)


_pool_configured = {"done": False}


def _configure_pool(cupy) -> None:
    """Apply MXNet's pool variables to CuPy once per process (the pool is CuPy's global)."""
    if _pool_configured["done"]:
        return
    pooled, fraction = pool_settings()
    if pooled:
        cupy.get_default_memory_pool().set_limit(fraction=fraction)
    else:
        cupy.cuda.set_allocator(None)  # CuPy allocates straight from the driver
    _pool_configured["done"] = True


class CupyBackend(StreamedCopies, Backend):
    name = "cupy"
    is_gpu = True

    def __init__(self, cupy, device_id: int):
        self.xp = cupy
        self.device_id = device_id
        self._device = cupy.cuda.Device(device_id)
        import cupyx  # ships with CuPy: page-locked host arrays

        self._cupyx = cupyx
        self.runner = StreamRunner(self)

    def empty(self, shape, dtype):
        with self._device:
            return self.xp.empty(shape, dtype)

    def new_stream(self):
        # non-blocking: no implicit ordering against the legacy default stream, which
        # libraries (and CuPy calls made outside mxpy's runner) use
        return self.xp.cuda.Stream(non_blocking=True)

    def _pinned_empty(self, shape, dtype) -> np.ndarray:
        return self._cupyx.empty_pinned(shape, dtype)

    @staticmethod
    def _h2d_async(dst, pinned: np.ndarray, stream) -> None:
        dst.set(pinned, stream=stream)  # asynchronous: the source is page-locked

    @staticmethod
    def _d2h(arr, stream) -> np.ndarray:
        return arr.get(stream=stream)  # blocks until the copy stream reached it

    @staticmethod
    def _is_c_contiguous(arr) -> bool:
        return bool(arr.flags.c_contiguous)

    def device(self):
        return self._device

    def synchronize(self) -> None:
        self.runner.synchronize()
        self._device.synchronize()

    def memory_info(self) -> tuple[int, int]:
        with self._device:
            return self.xp.cuda.runtime.memGetInfo()

    def empty_cache(self) -> None:
        self.synchronize()
        self.xp.get_default_memory_pool().free_all_blocks()
        self.xp.get_default_pinned_memory_pool().free_all_blocks()


def make_cupy_backend(device_id: int) -> CupyBackend:
    try:
        import cupy
    except ImportError as e:
        raise MXNetError(f"gpu({device_id}): CuPy is not installed; install mxpy[gpu] (cupy-cuda12x or cupy-cuda13x) to use GPU contexts") from e
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        raise MXNetError(f"gpu({device_id}): CuPy found no usable CUDA device ({type(e).__name__}: {e})") from e
    if not 0 <= device_id < count:
        raise MXNetError(f"gpu({device_id}): device id out of range; CuPy sees {count} GPU(s)")
    _configure_pool(cupy)
    return CupyBackend(cupy, device_id)
