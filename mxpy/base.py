"""Errors and dtype tables shared by every layer.

>>> from mxpy.base import MXNetError, np_dtype
>>> np_dtype("float32")
dtype('float32')
"""

from __future__ import annotations

import ctypes
import numbers

import numpy as np

__all__ = [
    "MXNetError",
    "NotImplementedForSymbol",
    "np_dtype",
    "dtype_name",
    "DTYPE_TO_FLAG",
    "FLAG_TO_DTYPE",
    "py_str",
    "mx_real_t",
    "numeric_types",
    "integer_types",
    "string_types",
    "NDArrayHandle",
]


class MXNetError(RuntimeError):
    """The error MXNet raises; a ``RuntimeError`` as in MXNet 1.x.

    >>> issubclass(MXNetError, RuntimeError)
    True
    """


class NotRegisteredError(MXNetError, ValueError, AssertionError):
    """``create(name)`` for a name nothing registered (``mx.init.create``, ``mx.metric.create``...).

    MXNet raises a bare ``AssertionError`` here; this one names what was given
    and what is known, and is still an ``AssertionError`` (and a ``ValueError``)
    for code that catches those.

    >>> issubclass(NotRegisteredError, AssertionError)
    True
    """


class NotReadyError(MXNetError, AssertionError):
    """A method called before the step it needs (``Module.forward`` before ``bind``).

    The message names the method and what to call first; it is an
    ``AssertionError`` too, the type MXNet raises.
    """


_BUILTIN_KINDS = (ValueError, IndexError, TypeError, AttributeError, NotImplementedError, KeyError)
_KIND_CLASSES: dict = {}


def error_kind(exc: BaseException) -> type:
    """The MXNetError class for an error raised inside an operator.

    MXNet 1.9.1 raises a kernel's ``IndexError``/``ValueError``/``TypeError``...
    as that builtin type (``gather_nd`` out of range is an ``IndexError``); mxpy's
    class is both that builtin and an MXNetError, so either ``except`` catches it.

    >>> issubclass(error_kind(IndexError("x")), IndexError), issubclass(error_kind(IndexError("x")), MXNetError)
    (True, True)
    """
    for kind in _BUILTIN_KINDS:
        if isinstance(exc, kind):
            cls = _KIND_CLASSES.get(kind)
            if cls is None:
                cls = _KIND_CLASSES[kind] = type(kind.__name__, (MXNetError, kind), {"__module__": __name__})
            return cls
    return MXNetError


class NotImplementedForSymbol(MXNetError):
    """An NDArray-only operation (``bool(sym)``, ``sym += 1``) was tried on a Symbol."""

    def __init__(self, function, alias: str | None, *args) -> None:
        super().__init__()
        self.function = function.__name__
        self.alias = alias
        self.args = [str(type(a)) for a in args]

    def __str__(self) -> str:
        msg = f"Function {self.function}"
        if self.alias:
            msg += f' (namely operator "{self.alias}")'
        if self.args:
            msg += f" with arguments ({', '.join(self.args)})"
        return msg + " is not implemented for Symbol and only available in NDArray."


# MXNet's type flags (mshadow), used by the binary file format and JSON dtype attrs.
FLAG_TO_DTYPE: dict[int, np.dtype] = {
    0: np.dtype(np.float32),
    1: np.dtype(np.float64),
    2: np.dtype(np.float16),
    3: np.dtype(np.uint8),
    4: np.dtype(np.int32),
    5: np.dtype(np.int8),
    6: np.dtype(np.int64),
    7: np.dtype(np.bool_),
    8: np.dtype(np.int16),
    9: np.dtype(np.uint16),
    10: np.dtype(np.uint32),
    11: np.dtype(np.uint64),
}
DTYPE_TO_FLAG: dict[np.dtype, int] = {v: k for k, v in FLAG_TO_DTYPE.items()}
BFLOAT16_FLAG = 12

numeric_types = (numbers.Number, np.generic)
integer_types = (numbers.Integral, np.integer)
string_types = (str,)
# MXNet's C handle type. mxpy has no C library: an NDArray converts to one of these
# (ctypes.cast(arr, NDArrayHandle), as monitor callbacks written for MXNet do) and
# NDArray(handle) gives the array back; see NDArray._as_parameter_.
NDArrayHandle = ctypes.c_void_p
mx_real_t = np.float32  # MXNet's default real type
_Null = None  # what MXNet's generated functions default their optional keywords to


def py_str(x) -> str:
    """Text from ``bytes`` (utf-8) or ``str`` (returned as is).

    >>> py_str(b"fc1_weight")
    'fc1_weight'
    """
    return x.decode("utf-8") if isinstance(x, (bytes, bytearray)) else x


def _as_list(obj) -> list:
    """``obj`` unchanged when it is a list or tuple, else ``[obj]``.

    MXNet returns a list or tuple unchanged and wraps anything else in a list.

    >>> _as_list(3), _as_list([1, 2])
    ([3], [1, 2])
    """
    return obj if isinstance(obj, (list, tuple)) else [obj]


_DTYPE_CACHE: dict[object, np.dtype] = {}


def np_dtype(dtype: object, where: str = "dtype") -> np.dtype:
    """Return the NumPy dtype for an MXNet dtype spec (name, type, np.dtype).

    Raises ``TypeError`` naming ``where`` for anything MXNet does not support.
    """
    try:
        return _DTYPE_CACHE[dtype]
    except (KeyError, TypeError):
        pass
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{where}: unknown dtype {dtype!r}; expected one of {sorted(dtype_name(d) for d in DTYPE_TO_FLAG)}") from e
    if dt not in DTYPE_TO_FLAG:
        raise TypeError(f"{where}: dtype {dt.name!r} is not supported by MXNet; expected one of {sorted(d.name for d in DTYPE_TO_FLAG)}")
    try:
        _DTYPE_CACHE[dtype] = dt
    except TypeError:
        pass
    return dt


def dtype_name(dtype: object) -> str:
    """MXNet's name of a dtype (``'float32'``, ``'bool'``...)."""
    return np.dtype(dtype).name
