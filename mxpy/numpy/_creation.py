"""Array creation of ``mx.np``: array, zeros, ones, full, empty, arange, linspace,
eye, identity, the ``*_like`` forms, meshgrid, copy.

Values are made on the host with NumPy and adopted by the device (nothing to
differentiate), with MXNet's default dtype float32 where NumPy would pick
float64 or an integer type (``mx.np.arange(4)`` is float32, as in MXNet 1.9.1).
"""

from __future__ import annotations

import numpy as _onp

from ..backend import get_backend
from ..base import MXNetError
from ..context import Context, current_context
from ..ndarray.ndarray import NDArray, _wrap
from .multiarray import _DEFAULT_FLOAT, _as_np, _check_order, _np_dtype, _op, ndarray

__all__ = [
    "array",
    "asarray",
    "zeros",
    "ones",
    "empty",
    "full",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "identity",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "meshgrid",
    "copy",
    "tril",
    "triu",
]


def _ctx(ctx, device=None) -> Context:
    c = ctx if ctx is not None else device
    return current_context() if c is None else c


def _adopt(host: _onp.ndarray, ctx: Context) -> ndarray:
    """A new ``mx.np`` array holding ``host`` (a fresh C-contiguous array) on ``ctx``."""
    if not host.flags.c_contiguous:  # (ascontiguousarray would make a 0-d array 1-d)
        host = host.copy(order="C")
    return _as_np(_wrap(ctx, get_backend(ctx).from_host(host)))


def _shape(shape) -> tuple:
    if isinstance(shape, (int, _onp.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def array(object, dtype=None, ctx=None, device=None):  # noqa: A002 -- NumPy's name
    """An ``mx.np`` array copied from ``object``; float32 unless the source has a dtype.

    >>> import mxpy as mx
    >>> mx.np.array([1, 2]).dtype, mx.np.array(__import__('numpy').arange(2)).dtype
    (dtype('float32'), dtype('int64'))
    """
    ctx = _ctx(ctx, device)
    if isinstance(object, NDArray):
        if not isinstance(object, ndarray):
            raise ValueError("If you're trying to create a mxnet.numpy.ndarray from mx.nd.NDArray, please use the zero-copy as_np_ndarray function.")
        dt = object._data.dtype if dtype is None else _np_dtype(dtype)
        src = object.copyto(ctx) if object._ctx != ctx else object.copy()
        return src if src._data.dtype == dt else src.astype(dt)
    if dtype is None:
        dt = object.dtype if hasattr(object, "dtype") else _DEFAULT_FLOAT
    else:
        dt = _np_dtype(dtype)
    try:
        host = _onp.array(object, dtype=dt)
    except (ValueError, TypeError) as e:
        raise TypeError(f"mx.np.array: object must be array-like and numeric, got {type(object).__name__} ({e})") from None
    return _adopt(host, ctx)


def asarray(a, dtype=None, ctx=None, device=None):
    """``a`` itself when it is an ``mx.np`` array of ``dtype``, else :func:`array`."""
    if isinstance(a, ndarray) and (dtype is None or _np_dtype(dtype) == a._data.dtype):
        return a
    return array(a, dtype=dtype, ctx=ctx, device=device)


def zeros(shape, dtype=None, order="C", ctx=None, device=None):
    """Zeros of ``shape`` (float32 unless ``dtype``).

    >>> mx.np.zeros((2, 0)).shape
    (2, 0)
    """
    _check_order(order, "zeros")
    return _adopt(_onp.zeros(_shape(shape), _np_dtype(dtype)), _ctx(ctx, device))


def ones(shape, dtype=None, order="C", ctx=None, device=None):
    """Ones of ``shape`` (float32 unless ``dtype``).

    >>> mx.np.ones(2).tolist()
    [1.0, 1.0]
    """
    _check_order(order, "ones")
    return _adopt(_onp.ones(_shape(shape), _np_dtype(dtype)), _ctx(ctx, device))


def empty(shape, dtype=None, order="C", ctx=None, device=None):
    """An array of ``shape`` with unspecified contents (float32 unless ``dtype``)."""
    _check_order(order, "empty")
    return _adopt(_onp.empty(_shape(shape), _np_dtype(dtype)), _ctx(ctx, device))


def full(shape, fill_value, dtype=None, order="C", ctx=None, out=None, device=None):
    """``shape`` filled with ``fill_value`` (float32 unless ``dtype``; an array fill broadcasts).

    >>> mx.np.full((2,), 3).tolist()
    [3.0, 3.0]
    """
    if isinstance(fill_value, NDArray):
        fill_value = fill_value.asnumpy()
        if dtype is None:
            dtype = fill_value.dtype
    res = _adopt(_onp.full(_shape(shape), fill_value, _np_dtype(dtype)), _ctx(ctx, device))
    if out is not None:
        out[...] = res
        return out
    return res


def arange(start, stop=None, step=1, dtype=None, ctx=None, device=None):
    """Evenly spaced values in ``[start, stop)``; float32 unless ``dtype`` (MXNet 1.x's default).

    >>> mx.np.arange(4).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    if stop is None:
        start, stop = 0, start
    dt = _np_dtype(dtype)
    host = _onp.arange(start, stop, step, dtype=_onp.float64).astype(dt)
    return _adopt(host, _ctx(ctx, device))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, ctx=None, device=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` (float32 unless ``dtype``).

    >>> mx.np.linspace(0, 1, 5).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    host, step = _onp.linspace(start, stop, int(num), endpoint=endpoint, retstep=True, axis=axis)
    res = _adopt(host.astype(_np_dtype(dtype)), _ctx(ctx, device))
    return (res, step) if retstep else res


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0, ctx=None, device=None):
    """``base ** linspace(start, stop, num)`` (float32 unless ``dtype``)."""
    host = _onp.logspace(start, stop, int(num), endpoint=endpoint, base=base, axis=axis)
    return _adopt(host.astype(_np_dtype(dtype)), _ctx(ctx, device))


def eye(N, M=None, k=0, dtype=None, ctx=None, device=None):  # noqa: N803 -- NumPy's names
    """A 2-D array with ones on diagonal ``k``.

    >>> mx.np.eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    for name, v in (("N", N), ("M", M), ("k", k)):
        if v is not None and (not isinstance(v, (int, _onp.integer)) or (name != "k" and v < 0)):
            raise MXNetError(f"eye: {name} must be a{' non-negative' if name != 'k' else 'n'} integer, given {v!r}")
    return _adopt(_onp.eye(int(N), None if M is None else int(M), int(k), dtype=_np_dtype(dtype)), _ctx(ctx, device))


def identity(n, dtype=None, ctx=None, device=None):
    """The ``n`` x ``n`` identity matrix."""
    return eye(n, dtype=dtype, ctx=ctx, device=device)


def _like(a, fill, dtype, ctx, device):
    dt = a.dtype if dtype is None else _np_dtype(dtype)
    c = ctx if ctx is not None else device if device is not None else getattr(a, "ctx", None)
    shape = a.shape
    if fill is None:
        return empty(shape, dt, ctx=c)
    return full(shape, fill, dt, ctx=c)


def zeros_like(a, dtype=None, order="C", ctx=None, out=None, device=None):
    """Zeros with ``a``'s shape, dtype and context.

    >>> mx.np.zeros_like(mx.np.ones((2, 3), dtype='int32')).dtype
    dtype('int32')
    """
    return _fill_out(_like(a, 0, dtype, ctx, device), out)


def ones_like(a, dtype=None, order="C", ctx=None, out=None, device=None):
    """Ones with ``a``'s shape, dtype and context."""
    return _fill_out(_like(a, 1, dtype, ctx, device), out)


def full_like(a, fill_value, dtype=None, order="C", ctx=None, out=None, device=None):
    """``fill_value`` with ``a``'s shape, dtype and context."""
    return _fill_out(_like(a, fill_value, dtype, ctx, device), out)


def empty_like(prototype, dtype=None, order="C", subok=False, shape=None, device=None):
    """Unspecified contents with ``prototype``'s shape, dtype and context."""
    return _like(prototype, None, dtype, None, device)


def _fill_out(res, out):
    if out is None:
        return res
    out[...] = res
    return out


def meshgrid(*xi, **kwargs):
    """Coordinate matrices from coordinate vectors (``indexing='xy'`` or ``'ij'``).

    >>> x, y = mx.np.meshgrid(mx.np.arange(3), mx.np.arange(2))
    >>> x.shape
    (2, 3)
    """
    from ._shape import broadcast_to, reshape

    indexing = kwargs.pop("indexing", "xy")
    if kwargs:
        raise TypeError(f"meshgrid: unexpected arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [asarray(x) for x in xi]
    n = len(xs)
    shape = [x.size for x in xs]
    if indexing == "xy" and n > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        at = i
        if indexing == "xy" and n > 1 and i < 2:
            at = 1 - i
        view = [1] * n
        view[at] = x.size
        out.append(broadcast_to(reshape(x, view), tuple(shape)))
    return out


def copy(a):
    """A copy of ``a``."""
    return asarray(a).copy()


def _tri(m, k, upper: bool):
    m = asarray(m)
    rows, cols = m.shape[-2:]
    mask = _onp.triu(_onp.ones((rows, cols), bool), k) if upper else _onp.tril(_onp.ones((rows, cols), bool), k)
    return _op("broadcast_mul", m, _adopt(mask.astype(m.dtype), m.ctx))


def tril(m, k=0):
    """``m`` with the elements above diagonal ``k`` zeroed."""
    return _tri(m, k, False)


def triu(m, k=0):
    """``m`` with the elements below diagonal ``k`` zeroed."""
    return _tri(m, k, True)
