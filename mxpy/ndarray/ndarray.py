"""NDArray: a lazy array on a context, scheduled by the dependency engine.

An NDArray is a view over a chunk: the backend buffer (``_data``, a NumPy or
CuPy array, possibly a view of a larger one) plus the engine Var of the whole
chunk (``_var``). Views made by first-axis indexing and ``reshape`` share both.

>>> import mxpy as mx
>>> a = mx.nd.ones((2, 3))
>>> (a * 2 + 1).asnumpy()
array([[3., 3., 3.],
       [3., 3., 3.]], dtype=float32)
"""

from __future__ import annotations

import numbers
import weakref

import numpy as np

from .. import engine as _eng
from ..backend import NUMPY_BACKEND, get_backend
from ..base import MXNetError, NDArrayHandle, error_kind, np_dtype
from ..context import Context
from ..engine import Var
from ..engine.var import mark_aliased
from ..ops.matrix import reshape_target
from ..registry import ShapeError
from . import dispatch
from .register import call

py_slice = slice  # MXNet keeps the builtin under this name, since NDArray.slice shadows it in its module

__all__ = ["NDArray"]

# MXNet's storage-type ids (include/mxnet/ndarray.h); sparse arrays live in .sparse
_STORAGE_TYPE_UNDEFINED = -1
_STORAGE_TYPE_DEFAULT = 0
_STORAGE_TYPE_ROW_SPARSE = 1
_STORAGE_TYPE_CSR = 2
_STORAGE_TYPE_STR_TO_ID = {
    "undefined": _STORAGE_TYPE_UNDEFINED,
    "default": _STORAGE_TYPE_DEFAULT,
    "row_sparse": _STORAGE_TYPE_ROW_SPARSE,
    "csr": _STORAGE_TYPE_CSR,
}
_STORAGE_TYPE_ID_TO_STR = {v: k for k, v in _STORAGE_TYPE_STR_TO_ID.items()}

_numeric = (numbers.Number, np.generic)
_np_empty = np.empty


def _new(ctx: Context, shape, dtype) -> NDArray:
    """A fresh NDArray with uninitialised memory and its own Var."""
    arr = NDArray.__new__(NDArray)
    be = ctx._backend or get_backend(ctx)
    arr._data = _np_empty(shape, dtype) if be is NUMPY_BACKEND else be.empty(shape, dtype)
    arr._var = Var()
    arr._ctx = ctx
    arr._grad = None
    arr._ag = None
    return arr


# arrays handed out as handles, by id; weak, so a handle keeps nothing alive
_HANDLES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _view(base: NDArray, data) -> NDArray:
    """An NDArray over ``data`` (a view of base's buffer) sharing base's Var."""
    arr = NDArray.__new__(NDArray)
    arr._data = data
    arr._var = base._var
    arr._ctx = base._ctx
    arr._grad = None
    arr._ag = None
    return arr


def _wrap(ctx: Context, data) -> NDArray:
    """Adopt an existing backend array (already computed) as a new NDArray."""
    arr = NDArray.__new__(NDArray)
    arr._data = data
    arr._var = Var()
    arr._ctx = ctx
    arr._grad = None
    arr._ag = None
    return arr


class NDArray:
    """A multi-dimensional, fixed-size array on a device, computed lazily."""

    __slots__ = ("_data", "_var", "_ctx", "_grad", "_ag", "__weakref__")
    __array_priority__ = 1000.0

    def __init__(self, handle=None, writable: bool = True) -> None:
        # NDArray(handle) wraps an array passed as a handle (see _as_parameter_): MXNet's
        # monitor callbacks get handles and do NDArray(ctypes.cast(arr, NDArrayHandle))
        value = getattr(handle, "value", handle)
        src = _HANDLES.get(value) if isinstance(value, int) else None
        if src is None:
            raise MXNetError("NDArray: create arrays with mx.nd.array/zeros/empty, not NDArray(...); a handle must come from an NDArray")
        self._data, self._var, self._ctx = src._data, src._var, src._ctx
        self._grad = None
        self._ag = None

    @property
    def _as_parameter_(self) -> NDArrayHandle:
        """This array as a C handle (ctypes reads it): ``NDArray(handle)`` gives the array back."""
        _HANDLES[id(self)] = self
        return NDArrayHandle(id(self))

    # -- attributes --------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def dtype(self) -> type:
        """The element type as a NumPy scalar type (``numpy.float32``), as MXNet."""
        return self._data.dtype.type

    @property
    def size(self) -> int:
        return int(self._data.size)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def context(self) -> Context:
        return self._ctx

    ctx = context

    @property
    def stype(self) -> str:
        return "default"

    @property
    def writable(self) -> bool:
        return True

    @property
    def grad(self):
        return self._grad

    @property
    def T(self) -> NDArray:
        """The array with its axes reversed (``transpose()`` with no axes), for any ndim, as in MXNet."""
        return self.transpose()

    @property
    def handle(self):
        return self._var

    # -- synchronisation and conversion ----------------------------------------------
    def wait_to_read(self) -> None:
        """Block until every pending write to this array is done."""
        _eng._current.wait_read(self._var)

    def wait_to_write(self) -> None:
        _eng._current.wait_write(self._var)

    def asnumpy(self) -> np.ndarray:
        """A NumPy copy of the contents (waits for pending writes)."""
        _eng._current.wait_read(self._var)
        be = get_backend(self._ctx)
        if be.is_gpu:
            return be.to_host(self._data)
        return np.array(self._data, copy=True)

    def asscalar(self):
        """The single element as a NumPy scalar."""
        if self.size != 1:
            raise ValueError(f"The current array is not a scalar (asscalar needs exactly one element, shape is {self.shape})")
        return self.asnumpy()[0]  # as MXNet: a (1, 1) array gives a 1-element row

    def item(self):
        return self.asscalar().item()

    def __array__(self, dtype=None, copy=None):
        _eng._current.wait_read(self._var)
        be = get_backend(self._ctx)
        if not be.is_gpu:  # NumPy gets the memory itself and may write it
            mark_aliased(self._var)
        data = be.to_host(self._data) if be.is_gpu else self._data
        if dtype is not None:
            return np.asarray(data, dtype=dtype)
        return data

    def __repr__(self) -> str:
        shape_info = "x".join(str(d) for d in self.shape)
        return f"\n{self.asnumpy()!s}\n<{type(self).__name__} {shape_info} @{self._ctx}>"

    __str__ = __repr__

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d NDArray")
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0] if self.ndim else 0):
            yield self[i]

    def __bool__(self) -> bool:
        n = self.size
        if n == 0:
            return False
        if n == 1:
            return bool(self.asnumpy().reshape(-1)[0])
        raise ValueError("The truth value of an NDArray with multiple elements is ambiguous.")

    __nonzero__ = __bool__

    def __hash__(self) -> int:
        return id(self)

    def __getstate__(self):
        # MXNet's pickle state: the array's record in the .params format, as a bytearray
        from .serialization import _record

        return {"handle": bytearray(b"".join(bytes(chunk) for chunk in _record(self)))}

    def __setstate__(self, state) -> None:
        if "handle" in state:  # MXNet's (and mxpy's) state; a GPU array loads on the CPU without a GPU
            from .serialization import _read_record, _Reader, _to_ndarray

            rec = _read_record(_Reader(bytes(state["handle"]), "NDArray.__setstate__"), 0)
            if rec is None:
                raise MXNetError("NDArray.__setstate__: the state holds no array")
            src = _to_ndarray(*rec)
            data, ctx = src._data, src._ctx
        else:  # the {"data", "ctx"} state earlier mxpy versions wrote
            ctx = state["ctx"]
            data = get_backend(ctx).from_host(state["data"])
        self._data = data
        self._var = Var()
        self._ctx = ctx
        self._grad = None
        self._ag = None

    # -- copies ---------------------------------------------------------------------
    def copy(self) -> NDArray:
        """A deep copy on the same context."""
        return self.copyto(self._ctx)

    def copyto(self, other) -> NDArray:
        """Copy into ``other`` (an NDArray) or to a new array on context ``other``."""
        if isinstance(other, NDArray):
            if other is self or (other._var is self._var and other._data is self._data):
                return other
            if other.shape != self.shape:
                raise MXNetError(f"copyto: shape mismatch, source {self.shape} vs destination {other.shape}; copyto needs equal shapes")
            if other.stype != "default":  # a sparse destination: cast to its storage type
                return self.tostype(other.stype).copyto(other)
            copy_into(self, other)
            return other
        if isinstance(other, Context):
            if dispatch.recorder is not None and other is self._ctx:
                return call("_copy", self)  # recorded, so gradients flow through copies
            dst = _new(other, self.shape, self._data.dtype)
            copy_into(self, dst)
            return dst
        raise TypeError(f"copyto: destination must be an NDArray or Context, got {type(other).__name__}")

    def as_in_context(self, context: Context) -> NDArray:
        """This array if already on ``context``, else a copy there."""
        if self._ctx == context:
            return self
        return self.copyto(context)

    def astype(self, dtype, copy: bool = True) -> NDArray:
        """A copy converted to ``dtype`` (this array when ``copy=False`` and the dtype matches)."""
        dt = np_dtype(dtype, "astype: dtype")
        if not copy and dt == self._data.dtype:
            return self
        return call("Cast", self, dtype=dt.name)

    def reshape(self, *shape, **kwargs) -> NDArray:
        """A view with a new shape; accepts MXNet's codes 0, -1, -2, -3, -4 and ``reverse``."""
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        if "shape" in kwargs:
            shape = kwargs.pop("shape")
        reverse = kwargs.pop("reverse", False)
        if kwargs:
            raise TypeError(f"reshape: unexpected arguments {sorted(kwargs)}")
        try:
            target = reshape_target(tuple(self.shape), tuple(shape), bool(reverse))
        except ShapeError as e:
            # a ValueError too, as MXNet 1.9.1's NDArray.reshape (apache/mxnet#18886)
            raise error_kind(ValueError())(f"Reshape: {e} (input shape {self.shape}, shape={tuple(shape)})") from None
        data = self._data.reshape(target)
        if dispatch.recorder is not None:
            return call("Reshape", self, shape=target)
        return _view(self, data)

    def reshape_like(self, other: NDArray) -> NDArray:
        return self.reshape(other.shape)

    def as_np_ndarray(self):
        """An ``mx.np.ndarray`` sharing this array's memory (``mxpy.numpy`` installs it)."""
        from ..numpy.multiarray import ndarray  # the front end above; loaded by ``import mxpy``

        arr = _view(self, self._data)
        arr.__class__ = ndarray
        arr._grad, arr._ag = self._grad, self._ag  # one array to autograd, as MXNet's shallow copy
        return arr

    def detach(self) -> NDArray:
        return _view(self, self._data)

    def tostype(self, stype: str) -> NDArray:
        """This array in storage ``stype`` ('default' gives a copy, as MXNet's cast_storage)."""
        from .sparse import cast_storage

        return cast_storage(self, stype)

    # -- dlpack ----------------------------------------------------------------------
    def __dlpack__(self, stream=None, **kwargs):
        _eng._current.wait_write(self._var)
        mark_aliased(self._var)  # the importer shares the memory (and may write it)
        return self._data.__dlpack__(**({"stream": stream} if stream is not None else {}), **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def to_dlpack_for_read(self):
        """A DLPack capsule of the contents after pending writes finish."""
        _eng._current.wait_read(self._var)
        mark_aliased(self._var)  # importers may still write through the capsule
        return self._data.__dlpack__()

    def to_dlpack_for_write(self):
        """A DLPack capsule after all pending reads and writes finish."""
        _eng._current.wait_write(self._var)
        mark_aliased(self._var)
        return self._data.__dlpack__()


dispatch.bind_ndarray(NDArray, _new)

# creation imports this module for NDArray, so copyto's helper is bound once both exist
from .creation import copy_into  # noqa: E402
