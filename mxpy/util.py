"""``mx.util``: the NumPy-semantics switches of MXNet 1.9.1 and small helpers.

MXNet keeps two per-thread flags: *NumPy shape* (``()`` is a scalar's shape
and a 0 in a shape is a zero-size dimension, instead of "unknown" as in the
legacy API) and *NumPy array* (front ends create ``mx.np`` arrays). mxpy's
legacy API reads the first through :func:`is_np_shape`; the second is kept
so code that toggles it runs.

>>> import mxpy as mx
>>> mx.util.is_np_shape()
False
>>> with mx.util.np_shape(True):
...     mx.util.is_np_shape()
True
"""

from __future__ import annotations

import functools
import inspect
import os
import threading

__all__ = [
    "get_gpu_count",
    "get_gpu_memory",
    "set_np_shape",
    "is_np_shape",
    "np_shape",
    "use_np_shape",
    "set_np_array",
    "is_np_array",
    "np_array",
    "use_np_array",
    "use_np",
    "set_np",
    "reset_np",
    "getenv",
    "setenv",
    "set_module",
]


class _Flags(threading.local):
    # class-level defaults: a thread that never set a flag reads these without the
    # AttributeError a bare threading.local raises inside getattr (~1 us; Gluon asks per call)
    np_shape = False
    np_array = False


_flags = _Flags()


def _get(name: str) -> bool:
    return getattr(_flags, name, False)


def get_gpu_count() -> int:
    """The number of GPUs mxpy can use (CuPy devices; 0 without CuPy).

    >>> isinstance(get_gpu_count(), int)
    True
    """
    from .context import num_gpus

    return num_gpus()


def get_gpu_memory(gpu_dev_id: int) -> tuple[int, int]:
    """``(free, total)`` bytes of GPU ``gpu_dev_id``; MXNetError without that GPU."""
    from .base import MXNetError

    if gpu_dev_id < 0 or gpu_dev_id >= get_gpu_count():
        raise MXNetError(f"get_gpu_memory: no GPU {gpu_dev_id} (this process sees {get_gpu_count()})")
    import cupy  # only reached with a GPU, where CuPy is present

    with cupy.cuda.Device(gpu_dev_id):
        free, total = cupy.cuda.runtime.memGetInfo()
    return int(free), int(total)


def set_np_shape(active) -> bool:
    """Turn NumPy shape semantics on or off for this thread; returns the previous state.

    >>> prev = set_np_shape(True)
    >>> is_np_shape(), set_np_shape(prev)
    (True, True)
    """
    prev = _get("np_shape")
    _flags.np_shape = bool(active)
    return prev


def is_np_shape() -> bool:
    """Whether NumPy shape semantics are on in this thread (off by default)."""
    return _get("np_shape")


def set_np_array(active) -> bool:
    """Turn NumPy array semantics on or off for this thread; returns the previous state."""
    prev = _get("np_array")
    _flags.np_array = bool(active)
    return prev


def is_np_array() -> bool:
    """Whether NumPy array semantics are on in this thread (off by default)."""
    return _get("np_array")


class _Scope:
    """``with``-scope that sets one flag and puts the old value back on exit."""

    def __init__(self, setter, active) -> None:
        self._setter = setter
        self._active = bool(active)
        self._prev: bool | None = None

    def __enter__(self):
        self._prev = self._setter(self._active)
        return self

    def __exit__(self, *exc) -> None:
        self._setter(self._prev)


def np_shape(active: bool = True) -> _Scope:
    """``with np_shape(True):`` runs a block under NumPy shape semantics.

    >>> with np_shape(False):
    ...     is_np_shape()
    False
    """
    return _Scope(set_np_shape, active)


def np_array(active: bool = True) -> _Scope:
    """``with np_array(True):`` runs a block under NumPy array semantics."""
    return _Scope(set_np_array, active)


def _decorate(func, scope_of, what: str):
    """Wrap a function (or every method and property of a class) in a scope."""
    if inspect.isclass(func):
        members = inspect.getmembers(func, lambda f: inspect.isfunction(f) or inspect.ismethod(f) or isinstance(f, property))
        for name, member in members:
            if isinstance(member, property):
                fget = _decorate(member.fget, scope_of, what) if member.fget else None
                setattr(func, name, property(fget, member.fset, member.fdel, member.__doc__))
            else:
                setattr(func, name, _decorate(member, scope_of, what))
        return func
    if not callable(func):
        raise TypeError(f"{what} can only decorate classes and callable objects, while received a {type(func)}")

    @functools.wraps(func)
    def scoped(*args, **kwargs):
        with scope_of():
            return func(*args, **kwargs)

    return scoped


def use_np_shape(func):
    """Decorator: run ``func`` (or every method of a class) with NumPy shape semantics on.

    >>> @use_np_shape
    ... def f():
    ...     return is_np_shape()
    >>> f(), is_np_shape()
    (True, False)
    """
    return _decorate(func, lambda: np_shape(True), "use_np_shape")


def use_np_array(func):
    """Decorator: run ``func`` (or every method of a class) with NumPy array semantics on."""
    return _decorate(func, lambda: np_array(True), "use_np_array")


def use_np(func):
    """Decorator: :func:`use_np_shape` and :func:`use_np_array` together.

    >>> @use_np
    ... def f():
    ...     return is_np_shape(), is_np_array()
    >>> f()
    (True, True)
    """
    return use_np_shape(use_np_array(func))


def set_np(shape: bool = True, array: bool = True) -> None:
    """Set both flags for this thread (``array`` without ``shape`` is an error, as in MXNet)."""
    if not shape and array:
        raise ValueError("NumPy Shape semantics is required in using NumPy array semantics.")
    set_np_array(array)
    set_np_shape(shape)


def reset_np() -> None:
    """Turn both NumPy semantics off for this thread."""
    set_np(shape=False, array=False)


def getenv(name: str) -> str | None:
    """The value of environment variable ``name`` as the library sees it (None if unset)."""
    return os.environ.get(name)


def setenv(name: str, value: str | None) -> None:
    """Set (or with None, unset) environment variable ``name`` for the library."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def set_module(module: str):
    """Decorator that sets ``__module__`` of a function or class (for documentation)."""

    def deco(func):
        if module is not None:
            func.__module__ = module
        return func

    return deco
