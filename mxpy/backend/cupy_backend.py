"""The GPU backend: CuPy arrays on one device.

Imported only when a ``gpu(i)`` array is first made, so CPU-only installs
never need CuPy.
"""

from __future__ import annotations

import numpy as np

from ..base import MXNetError
from .numpy_backend import Backend


class CupyBackend(Backend):
    name = "cupy"
    is_gpu = True

    def __init__(self, cupy, device_id: int):
        self.xp = cupy
        self.device_id = device_id
        self._device = cupy.cuda.Device(device_id)

    def empty(self, shape, dtype):
        with self._device:
            return self.xp.empty(shape, dtype)

    def from_host(self, host: np.ndarray):
        with self._device:
            return self.xp.asarray(host)

    def to_host(self, arr) -> np.ndarray:
        with self._device:
            return self.xp.asnumpy(arr)

    def device(self):
        return self._device

    def synchronize(self) -> None:
        self._device.synchronize()

    def memory_info(self) -> tuple[int, int]:
        with self._device:
            return self.xp.cuda.runtime.memGetInfo()

    def empty_cache(self) -> None:
        self.xp.get_default_memory_pool().free_all_blocks()


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
    return CupyBackend(cupy, device_id)
