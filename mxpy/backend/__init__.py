"""Array backends, one per device kind: NumPy for cpu, CuPy for gpu.

A backend offers ``xp`` (the array namespace kernels are written against),
allocation, and host<->device copies. Kernels never import numpy or cupy
directly for array work: they use the ``xp`` they are given.
"""

from __future__ import annotations

from ..base import MXNetError
from . import fake_gpu, streams
from .numpy_backend import NUMPY_BACKEND, Backend

__all__ = ["Backend", "get_backend", "cupy_device_count", "NUMPY_BACKEND"]

fake_gpu._from_env()

_gpu_backends: dict[int, Backend] = {}


def get_backend(ctx) -> Backend:
    """The backend that owns memory of context ``ctx``."""
    be = ctx._backend
    if be is not None:
        return be
    if ctx.device_typeid != 2:
        ctx._backend = NUMPY_BACKEND
        return NUMPY_BACKEND
    be = _gpu_backends.get(ctx.device_id)
    if be is None:
        n_fake = fake_gpu.enabled_count()
        if n_fake:  # tests: MXPY_FAKE_GPU or fake_gpu.enable() stands in for CuPy
            if ctx.device_id >= n_fake:
                raise MXNetError(f"gpu({ctx.device_id}): device id out of range; {n_fake} fake GPU(s) are enabled")
            be = _gpu_backends[ctx.device_id] = fake_gpu.FakeGpuBackend(ctx.device_id)
        else:
            from .cupy_backend import make_cupy_backend

            be = _gpu_backends[ctx.device_id] = make_cupy_backend(ctx.device_id)
    runner = getattr(be, "runner", None)
    if runner is not None:  # the engine launches this context's ops on the device's streams
        streams.register(ctx, runner)
    ctx._backend = be
    return be


def cupy_device_count() -> int:
    """GPUs visible: the fake ones when the test backend is on, else CuPy's (0 without CuPy)."""
    if fake_gpu.enabled_count():
        return fake_gpu.enabled_count()
    try:
        import cupy
    except ImportError:
        return 0
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device: treated as zero GPUs
        return 0


def backend_of(arr) -> Backend:
    """The backend owning a raw array (numpy.ndarray or cupy.ndarray)."""
    if type(arr).__module__.startswith("numpy"):
        return NUMPY_BACKEND
    if type(arr) is fake_gpu.FakeDeviceArray:
        return get_backend(__import__("mxpy.context", fromlist=["gpu"]).gpu(arr.device.id))
    dev = getattr(arr, "device", None)
    if dev is None:
        raise MXNetError(f"unsupported array type {type(arr).__name__}")
    return get_backend(__import__("mxpy.context", fromlist=["gpu"]).gpu(dev.id))
