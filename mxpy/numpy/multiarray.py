"""``mx.np.ndarray``: an NDArray with NumPy's semantics.

The class adds no state to :class:`~mxpy.ndarray.NDArray`: an ``mx.np`` array
is an NDArray whose class says "NumPy rules" (0-d results, NumPy shapes for
indexing and reductions, NumPy dtype promotion, boolean comparisons). So it
runs on the same engine, the same op records and the same autograd, and the
legacy ``mx.nd`` operators accept it as they accept any NDArray. Functions of
``mx.np`` re-class the fresh NDArrays the legacy ops return (``_as_np``); no
per-op work is added to ``mx.nd``'s own path.

>>> import mxpy as mx
>>> x = mx.np.arange(4.0)
>>> (x * 2).sum()
array(12.)
>>> x[1]
array(1.)
"""

from __future__ import annotations

import numpy as _onp

from ..base import np_dtype
from ..ndarray import dispatch
from ..ndarray.indexing import _Basic, _entries, _expand
from ..ndarray.indexing import _getitem as _nd_getitem
from ..ndarray.indexing import _setitem as _nd_setitem
from ..ndarray.ndarray import NDArray, _view
from ..registry import get as _get_op

__all__ = ["ndarray"]

_DEFAULT_FLOAT = _onp.dtype(_onp.float32)


class ndarray(NDArray):  # noqa: N801 -- MXNet's public name
    """A NumPy-compatible array of ``mx.np`` (a subclass of ``mx.nd.NDArray``).

    >>> import mxpy as mx
    >>> a = mx.np.array([[1, 2], [3, 4]])
    >>> a.shape, a.dtype, a.T[0].tolist()
    ((2, 2), dtype('float32'), [1.0, 3.0])
    """

    __slots__ = ()

    # -- attributes ----------------------------------------------------------------
    @property
    def dtype(self) -> _onp.dtype:
        """The element type as a ``numpy.dtype`` (legacy NDArrays report the scalar type)."""
        return self._data.dtype

    @property
    def grad(self):
        """The gradient (an ``mx.np`` array); None for an array marked with grad_req 'null', as MXNet."""
        ag = self._ag
        if ag is not None and getattr(ag[0], "grad_req", None) == "null":
            return None
        g = self._grad
        if g is not None and type(g) is not ndarray:
            g.__class__ = ndarray
        return g

    @property
    def device(self):
        """The context of this array (MXNet 2's name for ``ctx``)."""
        return self._ctx

    @property
    def T(self):
        return _f.transpose(self)

    # -- conversion ----------------------------------------------------------------
    def item(self, *args):
        """The element as a Python scalar (``a.item()`` needs one element)."""
        host = self.asnumpy()
        if not args and host.size != 1:
            raise ValueError(f"can only convert an array of size 1 to a Python scalar; size is {host.size}")
        return host.item(*args)

    def tolist(self):
        """The contents as nested Python lists (a Python scalar for a 0-d array)."""
        return self.asnumpy().tolist()

    def asscalar(self):
        return self.item()

    def as_nd_ndarray(self) -> NDArray:
        """A legacy ``mx.nd.NDArray`` sharing this array's memory (and its autograd identity)."""
        arr = _view(self, self._data)
        arr._grad, arr._ag = self._grad, self._ag
        return arr

    def as_np_ndarray(self) -> ndarray:
        return self

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer arrays can be used as an index")
        return int(self.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __repr__(self) -> str:
        host = self.asnumpy()
        text = repr(host)
        if host.dtype == _DEFAULT_FLOAT:  # float32 is mx.np's default: not printed, as MXNet
            text = text.replace(", dtype=float32)", ")")
        elif "dtype=" not in text and host.dtype.kind != "b":  # MXNet names every other dtype
            text = text[:-1] + f", dtype={host.dtype.name})"
        if self._ctx.device_typeid != 1:
            text = text[:-1] + f", ctx={self._ctx})"
        return text

    def __str__(self) -> str:
        return str(self.asnumpy())

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:  # f"{loss:.3f}" on a 0-d result, as with NumPy scalars
            return format(self.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to ndarray.__format__")
        return str(self)

    def __bool__(self) -> bool:
        if self.size != 1:
            if self.size == 0:
                return False
            raise ValueError("The truth value of an ndarray with multiple elements is ambiguous.")
        return bool(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self):
        return (_rebuild, (self.asnumpy(), str(self._ctx)))

    # -- copies and shapes ---------------------------------------------------------
    def copy(self, order: str = "C") -> ndarray:
        _check_order(order, "copy")
        return _as_np(NDArray.copy(self))

    def copyto(self, other):
        return _as_np(NDArray.copyto(self, other))

    def as_in_context(self, context) -> ndarray:
        return self if self._ctx == context else self.copyto(context)

    as_in_ctx = as_in_context

    def to_device(self, device) -> ndarray:
        return self.as_in_context(device)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True) -> ndarray:
        """A copy converted to ``dtype`` (``self`` when ``copy=False`` and the dtype matches)."""
        dt = _np_dtype(dtype)
        if not copy and dt == self._data.dtype:
            return self
        return _op("Cast", self, dtype=dt.name)

    def reshape(self, *args, **kwargs) -> ndarray:
        """Reshape with NumPy's rule: ``a.reshape(-1, 2)`` or ``a.reshape((3, 2))``."""
        if "newshape" in kwargs or "shape" in kwargs:
            shape = kwargs.pop("newshape", None) or kwargs.pop("shape")
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            shape = args[0]
        else:
            shape = args
        kwargs.pop("order", None)
        if kwargs:
            raise TypeError(f"reshape: unexpected arguments {sorted(kwargs)}")
        return _f.reshape(self, shape)

    def reshape_like(self, other) -> ndarray:
        return _f.reshape(self, other.shape)

    def detach(self) -> ndarray:
        return _as_np(_view(self, self._data))

    # -- indexing ------------------------------------------------------------------
    def __getitem__(self, key):
        flag = _bool_scalar(key)
        if flag is not None:  # a 0-d boolean key adds an axis of length 1 (True) or 0 (False)
            return self[None] if flag else self[None][0:0]
        key = _np_key(key)
        want = _index_shape(self.shape, key)
        if (type(key) is tuple and not key) or key is Ellipsis or self.ndim == 0:
            # the whole array (or new axes on a 0-d one): a view, recorded as a reshape
            return _as_np(_reshape_to(self, want))
        if 0 in want and dispatch.recorder is not None:
            res = _recorded_empty(self, key)  # still on the tape, so backward gives zero gradients
            if res is not None:
                return _as_np(_reshape_to(res, want))
        res = _nd_getitem(self, key)
        if res.shape != want:
            res = _reshape_to(res, want)
        return _as_np(res)

    def __setitem__(self, key, value):
        if isinstance(value, _onp.ndarray) and value.ndim == 0:
            value = value.item()
        elif isinstance(value, ndarray) and value.ndim == 0 and self._ctx == value._ctx:
            value = _op("_np_reshape", value, newshape=(1,))
        flag = _bool_scalar(key)
        if flag is not None:
            if flag:
                _nd_setitem(self, slice(None) if self.ndim else Ellipsis, value)
            return
        _nd_setitem(self, _np_key(key), value)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(self.shape[0]):
            yield self[i]

    # -- methods backed by mx.np functions ----------------------------------------
    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (list, tuple))):
            axes = axes[0]
        return _f.transpose(self, axes or None)

    def swapaxes(self, axis1, axis2):
        return _f.swapaxes(self, axis1, axis2)

    def flatten(self, order="C"):
        return _f.reshape(self, (-1,))

    def ravel(self, order="C"):
        return _f.reshape(self, (-1,))

    def squeeze(self, axis=None):
        return _f.squeeze(self, axis)

    def expand_dims(self, axis):
        return _f.expand_dims(self, axis)

    def repeat(self, repeats, axis=None):
        return _f.repeat(self, repeats, axis)

    def tile(self, reps):
        return _f.tile(self, reps)

    def broadcast_to(self, shape):
        return _f.broadcast_to(self, shape)

    def split(self, indices_or_sections, axis=0):
        return _f.split(self, indices_or_sections, axis)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return _f.sum(self, axis, dtype, out, keepdims, **kw)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return _f.mean(self, axis, dtype, out, keepdims)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return _f.prod(self, axis, dtype, out, keepdims, **kw)

    def max(self, axis=None, out=None, keepdims=False):
        return _f.max(self, axis, out, keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return _f.min(self, axis, out, keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _f.std(self, axis, dtype, out, ddof, keepdims)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return _f.var(self, axis, dtype, out, ddof, keepdims)

    def argmax(self, axis=None, out=None):
        return _f.argmax(self, axis, out)

    def argmin(self, axis=None, out=None):
        return _f.argmin(self, axis, out)

    def cumsum(self, axis=None, dtype=None, out=None):
        return _f.cumsum(self, axis, dtype, out)

    def all(self, axis=None, out=None, keepdims=False):
        return _f.all(self, axis, out, keepdims)

    def any(self, axis=None, out=None, keepdims=False):
        return _f.any(self, axis, out, keepdims)

    def clip(self, min=None, max=None, out=None):  # noqa: A002 -- NumPy's names
        return _f.clip(self, min, max, out)

    def dot(self, b, out=None):
        return _f.dot(self, b, out)

    def sort(self, axis=-1, kind=None, order=None):
        res = _f.sort(self, axis)
        self[...] = res

    def argsort(self, axis=-1, kind=None, order=None):
        return _f.argsort(self, axis)

    def round(self, decimals=0, out=None):
        return _f.round(self, decimals, out)

    def abs(self):
        return _f.abs(self)

    def exp(self):
        return _f.exp(self)

    def log(self):
        return _f.log(self)

    def sqrt(self):
        return _f.sqrt(self)

    def square(self):
        return _f.square(self)

    def nonzero(self):
        return _f.nonzero(self)

    def take(self, indices, axis=None, mode="raise"):
        return _f.take(self, indices, axis, mode)

    def __array_namespace__(self, api_version=None):
        from .. import numpy as mnp

        return mnp


def _rebuild(host, ctx_text):
    from ..ndarray.dispatch import parse_ctx

    return _f.array(host, dtype=host.dtype, ctx=parse_ctx(ctx_text))


# -- helpers shared by the mx.np functions ---------------------------------------------


def _as_np(x):
    """Re-class fresh NDArray result(s) as ``mx.np`` arrays (lists and tuples item by item)."""
    if isinstance(x, NDArray):
        if type(x) is not ndarray:
            x.__class__ = ndarray
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_as_np(v) for v in x)
    return x


def _op(name: str, *args, out=None, **params):
    """Run registered op ``name`` on arrays ``args``; ``mx.np`` array result(s)."""
    return _as_np(dispatch.invoke(_get_op(name), args, params, out=out))


def _np_dtype(dtype) -> _onp.dtype:
    if dtype is None:
        return _DEFAULT_FLOAT
    if dtype is int:
        return _onp.dtype(_onp.int64)
    if dtype is float:
        return _onp.dtype(_onp.float64)
    if dtype is bool:
        return _onp.dtype(_onp.bool_)
    return np_dtype(dtype, "mx.np: dtype")


def _check_order(order, what: str) -> None:
    if order != "C":  # MXNet 1.9.1 raises NotImplementedError here too: memory is C order only
        raise NotImplementedError(f"mx.np.{what}: order={order!r} is not supported; only 'C'")


def _reshape_to(arr: NDArray, shape: tuple) -> NDArray:
    """``arr`` with ``shape`` (same size): a view unless autograd records (then an op)."""
    if dispatch.recorder is None:
        return _view(arr, arr._data.reshape(shape))
    return dispatch.invoke(_get_op("_np_reshape"), (arr,), {"newshape": tuple(shape)})


def _recorded_empty(arr: NDArray, key):
    """A zero-size basic slice through the ``slice`` record (None for advanced keys)."""
    entries, advanced = _entries(key)
    if advanced:
        return None
    b = _Basic(_expand(entries, arr.ndim), arr.shape)
    return dispatch.invoke(_get_op("slice"), (arr,), {"begin": b.begin, "end": b.end, "step": b.step})


def _bool_scalar(key) -> bool | None:
    """The value of a 0-d boolean key (NumPy bool, 0-d NumPy or mx.np array), else None."""
    if isinstance(key, (bool, _onp.bool_)):
        return bool(key)
    if isinstance(key, (_onp.ndarray, NDArray)) and key.ndim == 0 and _onp.dtype(key.dtype) == _onp.bool_:
        return bool(key.item() if isinstance(key, NDArray) else key)
    return None


def _np_key(key):
    """An index key for the legacy indexing code: boolean masks become ``nonzero()``
    coordinates, ``mx.np``/NDArray index arrays host integer arrays."""
    items = key if type(key) is tuple else (key,)
    if all(k is None or k is Ellipsis or isinstance(k, (int, slice, _onp.integer)) for k in items):
        return key
    out = []
    for k in items:
        if isinstance(k, NDArray):
            k = k.asnumpy()
            if k.dtype.kind == "f":  # MXNet takes float index arrays, truncated
                k = k.astype(_onp.int64)
            if k.ndim == 0 and k.dtype.kind in "iu":
                k = int(k)
        elif isinstance(k, (list, range)):  # D2L indexes with range(len(y))
            k = _onp.asarray(k)
        if isinstance(k, _onp.ndarray) and k.dtype == _onp.bool_:
            out.extend(_onp.nonzero(k))
        else:
            out.append(k)
    return tuple(out)


def _index_shape(shape: tuple, key) -> tuple:
    """NumPy's result shape of ``a[key]`` for an array of ``shape`` (no data touched)."""
    probe = _onp.lib.stride_tricks.as_strided(_onp.zeros(1, _onp.int8), shape=shape, strides=(0,) * len(shape))
    try:
        return probe[key].shape
    except IndexError as e:
        raise IndexError(f"mx.np.ndarray indexing: {e} (shape {shape}, key {key!r})") from None


# The methods call the mx.np functions through this module, which imports this one:
# ``_functions`` sets it once every function exists (names are looked up at call time).
_f = None
