"""Zero-copy exchange with other array libraries through DLPack.

``from_dlpack`` adopts a DLPack capsule (or any object with ``__dlpack__``,
such as a NumPy array, a PyTorch tensor or a CuPy array) as an NDArray over
the same memory; ``to_dlpack_for_read``/``to_dlpack_for_write`` hand an
NDArray's memory out as a capsule once its pending engine work is done.
NDArray itself has ``__dlpack__``, so ``np.from_dlpack(arr)`` and
``torch.from_dlpack(arr)`` share its memory too.

The engine does not see what other libraries do with shared memory: wait
for the NDArray (``wait_to_read``/``asnumpy``) before reading through the
other library, and finish foreign writes before the next mxpy op reads it.

>>> import numpy as np
>>> import mxpy as mx
>>> x = np.arange(3, dtype=np.float32)
>>> a = mx.nd.from_dlpack(x)
>>> x[0] = 7
>>> a.asnumpy()
array([7., 1., 2.], dtype=float32)
"""

from __future__ import annotations

import ctypes

import numpy as np

from ..base import MXNetError, np_dtype
from ..context import Context
from ..engine.var import mark_aliased
from .ndarray import NDArray, _view, _wrap

__all__ = ["from_dlpack", "to_dlpack_for_read", "to_dlpack_for_write"]

# DLPack device types we can adopt
_DL_CPU, _DL_CUDA, _DL_CUDA_HOST = 1, 2, 3

_capi = ctypes.pythonapi
_capi.PyCapsule_IsValid.restype = ctypes.c_int
_capi.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capi.PyCapsule_GetPointer.restype = ctypes.c_void_p
_capi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_capi.PyCapsule_GetName.restype = ctypes.c_char_p
_capi.PyCapsule_GetName.argtypes = [ctypes.py_object]

_PyCapsule = type(np.arange(1).__dlpack__())


class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


def _capsule_device(capsule) -> tuple[int, int]:
    """(device_type, device_id) of an unconsumed DLPack capsule."""
    name = _capi.PyCapsule_GetName(capsule)
    if name == b"dltensor":
        offset = 8  # DLManagedTensor starts with DLTensor: void* data, then DLDevice
    elif name == b"dltensor_versioned":
        offset = 32 + 8  # version, manager_ctx, deleter, flags, then DLTensor
    elif name in (b"used_dltensor", b"used_dltensor_versioned"):
        raise MXNetError("from_dlpack: this DLPack capsule was already consumed; a capsule can be imported only once")
    else:
        raise MXNetError(f"from_dlpack: expected a DLPack capsule named 'dltensor', got a capsule named {name!r}")
    ptr = _capi.PyCapsule_GetPointer(capsule, name)
    dev = _DLDevice.from_address(ptr + offset)
    return int(dev.device_type), int(dev.device_id)


class _Exporter:
    """Presents a bare capsule through the ``__dlpack__`` protocol importers expect."""

    __slots__ = ("capsule", "device")

    def __init__(self, capsule, device: tuple[int, int]) -> None:
        self.capsule = capsule
        self.device = device

    def __dlpack__(self, stream=None, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return self.device


class _WritableOwner:
    """Keeps a read-only import alive while a writable array views its memory."""

    __slots__ = ("_base", "__array_interface__")

    def __init__(self, base: np.ndarray) -> None:
        self._base = base
        iface = dict(base.__array_interface__)
        iface["data"] = (iface["data"][0], False)
        self.__array_interface__ = iface


def _import_cpu(src, legacy_capsule: bool) -> np.ndarray:
    try:
        arr = np.from_dlpack(src)
    except (BufferError, TypeError, ValueError, RuntimeError) as e:
        raise MXNetError(f"from_dlpack: cannot import the DLPack tensor ({type(e).__name__}: {e})") from None
    if legacy_capsule and not arr.flags.writeable:
        # A legacy capsule carries no read-only flag; NumPy plays safe and
        # marks the import read-only, but MXNet treats it as a writable array.
        arr = np.asarray(_WritableOwner(arr))
    return arr


def _import_gpu(src, device_id: int):
    from ..backend import get_backend

    ctx = Context("gpu", device_id)
    be = get_backend(ctx)
    with be.device():
        data = be.xp.from_dlpack(src)
    return ctx, data


def from_dlpack(dlpack) -> NDArray:
    """An NDArray sharing memory with a DLPack capsule or a ``__dlpack__`` object.

    CPU tensors become ``cpu(0)`` arrays, CUDA tensors ``gpu(i)`` arrays (needs
    CuPy). The array's dtype must be one MXNet has.

    >>> import numpy as np
    >>> x = np.ones((2, 2), dtype=np.float32)
    >>> mx.nd.from_dlpack(x).shape
    (2, 2)
    >>> mx.nd.from_dlpack(mx.nd.to_dlpack_for_read(mx.nd.zeros((3,)))).shape
    (3,)
    """
    if isinstance(dlpack, NDArray):
        # same memory and the same engine Var: ordering is kept
        return _view(dlpack, dlpack._data)
    if isinstance(dlpack, _PyCapsule):
        device = _capsule_device(dlpack)
        src = _Exporter(dlpack, device)
        legacy = _capi.PyCapsule_GetName(dlpack) == b"dltensor"
    elif hasattr(dlpack, "__dlpack__") and hasattr(dlpack, "__dlpack_device__"):
        device = tuple(int(v) for v in dlpack.__dlpack_device__())
        src = dlpack
        legacy = False
    else:
        raise TypeError(f"from_dlpack: expected a DLPack capsule or an object with __dlpack__, got {type(dlpack).__name__}")
    dev_type, dev_id = device
    if dev_type in (_DL_CPU, _DL_CUDA_HOST):
        data = _import_cpu(src, legacy)
        ctx = Context("cpu", 0)
    elif dev_type == _DL_CUDA:
        ctx, data = _import_gpu(src, dev_id)
    else:
        raise MXNetError(f"from_dlpack: DLPack device type {dev_type} is not supported; expected CPU (1), CUDA (2) or CUDA host (3)")
    np_dtype(data.dtype, "from_dlpack: dtype")
    arr = _wrap(ctx, data)
    mark_aliased(arr._var)  # the exporter keeps the memory and may write it
    return arr


def to_dlpack_for_read(data: NDArray):
    """A DLPack capsule over ``data``'s memory once its pending writes are done.

    >>> cap = mx.nd.to_dlpack_for_read(mx.nd.ones((2,)))
    >>> mx.nd.from_dlpack(cap).asnumpy()
    array([1., 1.], dtype=float32)
    """
    if not isinstance(data, NDArray):
        raise TypeError(f"to_dlpack_for_read: argument 'data' must be an NDArray, got {type(data).__name__}")
    return data.to_dlpack_for_read()


def to_dlpack_for_write(data: NDArray):
    """A DLPack capsule over ``data``'s memory once all its pending reads and writes are done.

    >>> a = mx.nd.zeros((2,))
    >>> b = mx.nd.from_dlpack(mx.nd.to_dlpack_for_write(a))
    >>> b[:] = 3
    >>> b.wait_to_read()  # a and b share memory, not engine dependencies
    >>> a.asnumpy()
    array([3., 3.], dtype=float32)
    """
    if not isinstance(data, NDArray):
        raise TypeError(f"to_dlpack_for_write: argument 'data' must be an NDArray, got {type(data).__name__}")
    return data.to_dlpack_for_write()
