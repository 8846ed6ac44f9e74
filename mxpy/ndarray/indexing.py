"""``NDArray.__getitem__`` and ``__setitem__`` with MXNet 1.9.1's legacy rules.

Reading:

* a basic key whose result is one C-contiguous block (NumPy's rule, which
  ignores axes of length 1: leading ints, then one step-1 slice, then whole
  axes, or any key picking single elements on the outer axes; ``None``
  anywhere) gives a VIEW that shares memory and the engine Var with the array:
  ``a[1]``, ``a[1:3]``, ``a[1, 2:4]``, ``a[::5]`` of a 5-row array;
  ``NDArray._basic_indexing_slice_is_contiguous`` says which, as in MXNet 1.9.1;
* other basic keys (``a[:, 1]``, ``a[::2]``) copy through the ``slice`` operator;
* integer arrays, lists and NDArrays follow NumPy's advanced indexing and copy
  through ``gather_nd``.

Integer indices drop their axis; a result with no axis left has shape ``(1,)``
(MXNet 1.x has no 0-d arrays), so ``mx.nd.array([1, 2, 3])[0].shape == (1,)``.

Writing is an engine write into the array's Var: ``a[:] = x`` pushes one copy
(or fill) kernel; other basic keys use ``_slice_assign``/``_slice_assign_scalar``
and array keys ``_scatter_set_nd``, all with ``out=`` the array itself. Values
broadcast as in MXNet (leading size-1 axes of the value are dropped first); a
value that does not fit raises ``ValueError`` before anything is pushed.

>>> import mxpy as mx
>>> a = mx.nd.zeros((3, 4))
>>> a[1][:] = 5          # a[1] is a view: this writes a's memory
>>> a[:, 0] = mx.nd.array([1, 2, 3])
>>> a.asnumpy()[:, :2]
array([[1., 0.],
       [2., 5.],
       [3., 0.]], dtype=float32)
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import engine as _eng
from .. import registry
from ..backend import get_backend
from . import dispatch
from .ndarray import NDArray, _new, _view

__all__: list[str] = []

_INTS = (int, np.integer)
_SCALARS = (numbers.Number, np.generic)
_FULL = slice(None)


# -- key analysis -----------------------------------------------------------------


def _bad_key(k) -> ValueError:
    return ValueError(f"NDArray does not support slicing with key {k!r} of type {type(k)}.")


def _entries(key) -> tuple[list, bool]:
    """The key as a list of int/slice/None/Ellipsis/array entries; True if any is an array."""
    items = key if type(key) is tuple else (key,)
    out: list = []
    advanced = False
    for k in items:
        if isinstance(k, _INTS):
            out.append(int(k))
        elif k is None or k is Ellipsis or isinstance(k, slice):
            out.append(k)
        elif isinstance(k, NDArray):
            out.append(k)
            advanced = True
        elif isinstance(k, np.ndarray):
            # even a 0-d array is an advanced index (a copy), as in MXNet
            out.append(k)
            advanced = True
        elif isinstance(k, (list, tuple)):
            out.append(k)
            advanced = True
        else:
            raise _bad_key(k)
    return out, advanced


def _expand(entries: list, ndim: int) -> list:
    """Replace the Ellipsis (or pad at the end) with whole-axis slices."""
    n_ell = sum(1 for k in entries if k is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    n_axes = sum(1 for k in entries if k is not None and k is not Ellipsis)
    if n_axes > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {n_axes} were indexed")
    fill = [_FULL] * (ndim - n_axes)
    if not n_ell:
        return entries + fill
    i = next(j for j, k in enumerate(entries) if k is Ellipsis)
    return entries[:i] + fill + entries[i + 1 :]


def _check_int(i: int, ax: int, n: int) -> int:
    if i < -n or i >= n:
        raise IndexError(f"index {i} is out of bounds for axis {ax} with size {n}")
    return i + n if i < 0 else i


def block_is_contiguous(region, steps, shape) -> bool:
    """Whether the block with ``region[i]`` elements ``steps[i]`` apart on each leading axis of
    an array of ``shape`` is C-contiguous: NumPy's rule, axes of length 1 do not count and an
    empty block is contiguous."""
    if 0 in region:
        return True
    region = tuple(region) + tuple(shape[len(region) :])
    steps = tuple(steps) + (1,) * (len(shape) - len(steps))
    dense, expected = 1, 1
    for n, st, dim in zip(reversed(region), reversed(steps), reversed(shape)):
        if n != 1:
            if dense * st != expected:
                return False
            expected *= n
        dense *= dim
    return True


class _Basic:
    """A basic key resolved against a shape.

    ``begin``/``end``/``step`` (one per axis, MXNet ``slice`` style), ``region``
    (the selected block with int axes kept as 1), ``shape`` (the result shape:
    int axes dropped, None axes added, ``(1,)`` when nothing is left) and
    ``contiguous`` (the block is one run of memory, so a view can be returned).
    """

    __slots__ = ("begin", "end", "step", "region", "shape", "contiguous", "np_key")

    def __init__(self, entries: list, shape: tuple) -> None:
        begin, end, step, region, out, np_key = [], [], [], [], [], []
        ax = 0
        phase = 0  # 0: ints so far, 1: after the first (step-1) slice, 2: not one block
        for k in entries:
            if k is None:
                out.append(1)
                continue
            n = shape[ax]
            if isinstance(k, int):
                i = _check_int(k, ax, n)
                begin.append(i)
                end.append(i + 1)
                step.append(1)
                region.append(1)
                np_key.append(slice(i, i + 1))
                if phase != 0:
                    phase = 2
            else:
                start, stop, st = k.indices(n)
                length = len(range(start, stop, st))
                begin.append(start)
                # a negative step that runs past index 0 has no end index
                end.append(None if st < 0 and stop < 0 else stop)
                step.append(st)
                region.append(length)
                out.append(length)
                np_key.append(slice(start, None if st < 0 and stop < 0 else stop, st))
                whole = st == 1 and start == 0 and length == n
                if phase == 0:
                    phase = 1 if st == 1 else 2
                elif phase == 1 and not whole:
                    phase = 2
            ax += 1
        self.begin, self.end, self.step = tuple(begin), tuple(end), tuple(step)
        self.region = tuple(region)
        self.shape = tuple(out) if out else (1,)
        # one block of memory: a view (MXNet 1.9.1 returns a view whenever NumPy's would be
        # C-contiguous, e.g. a[:, 2:3] of a (4, 1, 5) array or a[::20] picking one row)
        self.contiguous = phase != 2 or block_is_contiguous(self.region, self.step, shape)
        self.np_key = tuple(np_key)


def _host_indices(k) -> np.ndarray:
    """An integer index array on the host from a list, NumPy array or NDArray."""
    a = k.asnumpy() if isinstance(k, NDArray) else np.asarray(k)
    if a.dtype.kind in "iu":
        return a
    if a.dtype.kind in "fb" or a.size == 0:
        # MXNet converts index arrays to integers: floats truncate, bools are 0/1
        return a.astype(np.int64)
    raise IndexError(f"NDArray index arrays must hold integers, got dtype {a.dtype} ({k!r})")


def _advanced(entries: list, shape: tuple) -> tuple[np.ndarray, int, tuple]:
    """NumPy advanced indexing as coordinates: ``(indices (M, *R), M, result shape)``.

    Trailing whole-axis slices are left to gather_nd/scatter_nd (their axes come
    last in the result either way), so only the first M axes get coordinates.
    The result has ``R + shape[M:]`` elements; its shape differs only by where
    ``None`` axes go: when the array/int entries are adjacent MXNet 1.9.1 puts
    each new axis at its key position less the array/int entries before it,
    instead of NumPy's placement after the advanced block.
    """
    conv = [k if (k is None or isinstance(k, (int, slice))) else _host_indices(k) for k in entries]
    adv = [i for i, k in enumerate(conv) if k is not None and not isinstance(k, slice)]
    new_axes: list[int] = []
    if any(k is None for k in conv) and adv == list(range(adv[0], adv[-1] + 1)):
        for i, k in enumerate(conv):
            if k is None:
                new_axes.append(i - sum(1 for j in adv if j < i))
        conv = [k for k in conv if k is not None]
    while conv and isinstance(conv[-1], slice) and conv[-1] == _FULL:
        conv.pop()
    m = sum(1 for k in conv if k is not None)
    prefix = tuple(shape[:m])
    key = tuple(conv)
    coords = []
    for d, n in enumerate(prefix):
        axis_index = np.arange(n, dtype=np.int64).reshape([n if j == d else 1 for j in range(m)])
        coords.append(np.broadcast_to(axis_index, prefix)[key])
    indices = np.stack(coords)
    result = list(coords[0].shape) + list(shape[m:])
    for pos in new_axes:
        result.insert(pos, 1)
    return indices, m, tuple(result) or (1,)


# -- reading ------------------------------------------------------------------------


def _getitem(self: NDArray, key):
    """``a[key]`` (see the module docstring for the rules)."""
    t = type(key)
    recording = dispatch.recorder is not None
    if t is int and not recording:
        data = self._data
        if not data.ndim:
            raise IndexError("too many indices for array: array is 0-dimensional, but 1 were indexed")
        i = _check_int(key, 0, data.shape[0])
        view = data[i : i + 1]
        return _view(self, view if data.ndim == 1 else view.reshape(data.shape[1:]))
    if t is slice and not recording and (key.step is None or key.step == 1) and self._data.ndim:
        return _view(self, self._data[key])
    entries, advanced = _entries(key)
    entries = _expand(entries, self._data.ndim)
    if advanced:
        return _gather(self, entries)
    b = _Basic(entries, self.shape)
    if b.contiguous and not recording:
        return _view(self, self._data[b.np_key].reshape(b.shape))
    if 0 in b.region:
        return _new(self._ctx, b.shape, self._data.dtype)
    res = _slice(self, b)
    return res if res.shape == b.shape else res.reshape(b.shape)


def _copy_region_kernel(src, dst, key) -> None:
    dst[...] = src[key].reshape(dst.shape)


def _slice(self: NDArray, b: _Basic) -> NDArray:
    """The block ``b`` of ``self`` as a new array, through the ``slice`` operator."""
    op = registry.find("slice")
    if op is not None:
        return dispatch.invoke(op, (self,), {"begin": b.begin, "end": b.end, "step": b.step})
    # the slice operator is not registered in this build: copy with a kernel
    res = _new(self._ctx, b.region, self._data.dtype)
    _eng._current.push(_copy_region_kernel, (self._data, res._data, b.np_key), (self._var,), (res._var,), self._ctx, "slice", res._data.size)
    return res


def _indices_array(self: NDArray, indices: np.ndarray) -> NDArray:
    from .creation import array

    return array(indices, ctx=self._ctx, dtype=np.int64)


def _gather(self: NDArray, entries: list) -> NDArray:
    indices, _, result = _advanced(entries, self.shape)
    if 0 in result:
        return _new(self._ctx, result, self._data.dtype)
    res = dispatch.invoke(registry.get("gather_nd"), (self, _indices_array(self, indices)), {})
    return res if res.shape == result else res.reshape(result)


# -- writing ------------------------------------------------------------------------


def _fit(value_shape: tuple, target: tuple) -> tuple:
    """The value's shape with extra leading 1s removed; ValueError if it cannot broadcast."""
    vs = tuple(value_shape)
    while len(vs) > len(target) and vs[0] == 1:
        vs = vs[1:]
    if len(vs) > len(target) or any(a != b and a != 1 for a, b in zip(reversed(vs), reversed(target))):
        raise ValueError(
            f"operands could not be broadcast together with remapped shapes [original->remapped]: {tuple(value_shape)} and requested shape {tuple(target)}"
        )
    return vs


def _host_value(value, dtype: np.dtype) -> np.ndarray:
    """A private host copy of a NumPy array or (nested) list, in ``dtype``."""
    if type(value).__module__.startswith("cupy") and hasattr(value, "get"):
        value = value.get()
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype.kind not in "biuf":
        raise TypeError(f"{NDArray} does not support assignment with non-array-like object {value!r} of type {type(value)}")
    return np.array(arr, dtype=dtype, copy=True)


def _fill_kernel(dst, value) -> None:
    dst[...] = value


def _copy_kernel(src, dst, xp) -> None:
    if xp.may_share_memory(src, dst):
        src = src.copy()
    dst[...] = src


def _host_copy_kernel(host, dst, backend) -> None:
    if backend.is_gpu:
        with backend.device():
            backend.copy_from_host(dst, host)
    else:
        dst[...] = host


def _assign_all(self: NDArray, value) -> None:
    """``self[:] = value``: one push of a fill or copy kernel."""
    ctx = self._ctx
    dst = self._data
    # NDArray first: the scalar test below goes through an ABC (numbers.Number), and
    # w[:] = w - g * lr or a batch copied into a bound input is on every training step
    if isinstance(value, NDArray):
        src = value._data
        if src is dst:
            return
        vs = src.shape if src.shape == dst.shape else _fit(src.shape, dst.shape)
        if value._ctx is not ctx and value._ctx != ctx:
            if vs != dst.shape:
                value = value.as_in_context(ctx)
                src = value._data
            else:
                from .creation import copy_into

                copy_into(value, self)
                return
        if vs != src.shape:
            src = src.reshape(vs)
        reads = () if value._var is self._var else (value._var,)
        _eng._current.push(_copy_kernel, (src, dst, get_backend(ctx).xp), reads, (self._var,), ctx, "_copyto", dst.size)
        return
    if isinstance(value, _SCALARS):
        _eng._current.push(_fill_kernel, (dst, value), (), (self._var,), ctx, "_set_value", dst.size)
        return
    host = _host_value(value, dst.dtype)
    host = host.reshape(_fit(host.shape, dst.shape))
    _eng._current.push(_host_copy_kernel, (host, dst, get_backend(ctx)), (), (self._var,), ctx, "_copyto", dst.size)


def _value_array(self: NDArray, value, target: tuple, region: tuple) -> NDArray:
    """``value`` as an NDArray of ``self``'s dtype and context, shaped ``region``.

    ``target`` is the shape the value must broadcast to (the shape ``self[key]``
    would have); ``region`` has the same size with int axes kept as 1.
    """
    from .creation import array

    if not isinstance(value, NDArray):
        host = _host_value(value, self._data.dtype)
        vs = _fit(host.shape, target)
        host = np.ascontiguousarray(np.broadcast_to(host.reshape(vs), target)).reshape(region)
        return array(host, ctx=self._ctx, dtype=host.dtype)
    vs = _fit(value.shape, target)
    if value._ctx != self._ctx:
        value = value.as_in_context(self._ctx)
    if value._data.dtype != self._data.dtype:
        value = value.astype(self._data.dtype)
    if vs == tuple(target):
        return value if value.shape == region else value.reshape(region)
    padded = (1,) * (len(target) - len(vs)) + vs
    value = value.reshape(padded)
    op = registry.find("broadcast_to")
    if op is not None:
        out = dispatch.invoke(op, (value,), {"shape": tuple(target)})
    else:
        # broadcast_to is not registered in this build: broadcast with a kernel
        out = _new(self._ctx, tuple(target), self._data.dtype)
        _eng._current.push(_fill_kernel, (out._data, value._data), (value._var,), (out._var,), self._ctx, "broadcast_to", out._data.size)
    return out.reshape(region)


def _setitem(self: NDArray, key, value) -> None:
    """``a[key] = value`` (see the module docstring for the rules)."""
    if isinstance(value, NDArray) and value.stype != "default":
        value = value.tostype("default")  # a sparse value: its dense form
    t = type(key)
    whole = (t is slice and key.start is None and key.stop is None and key.step is None) or key is Ellipsis or key is None or (t is tuple and not key)
    if whole and dispatch.recorder is None:
        _assign_all(self, value)
        return
    entries, advanced = _entries(key)
    entries = _expand(entries, self._data.ndim)
    if advanced:
        _scatter_set(self, entries, value)
        return
    b = _Basic(entries, self.shape)
    if isinstance(value, _SCALARS):
        if 0 not in b.region:
            p = {"scalar": float(value), "begin": b.begin, "end": b.end, "step": b.step}
            dispatch.invoke(registry.get("_slice_assign_scalar"), (self,), p, out=self)
        return
    if 0 in b.region:
        _fit(np.shape(value) if not isinstance(value, NDArray) else value.shape, b.shape)
        return
    rhs = _value_array(self, value, b.shape, b.region)
    dispatch.invoke(registry.get("_slice_assign"), (self, rhs), {"begin": b.begin, "end": b.end, "step": b.step}, out=self)


def _scatter_set(self: NDArray, entries: list, value) -> None:
    indices, m, target = _advanced(entries, self.shape)
    region = tuple(indices.shape[1:]) + tuple(self.shape[m:])
    if 0 in region:
        if not isinstance(value, _SCALARS):
            _fit(value.shape if isinstance(value, NDArray) else np.shape(value), target)
        return
    if isinstance(value, _SCALARS):
        from .creation import full

        rhs = full(region, value, ctx=self._ctx, dtype=self._data.dtype)
    else:
        rhs = _value_array(self, value, target, region)
    dispatch.invoke(registry.get("_scatter_set_nd"), (self, rhs, _indices_array(self, indices)), {"shape": tuple(self.shape)}, out=self)


def install() -> None:
    """Attach ``__getitem__``/``__setitem__`` to NDArray."""
    NDArray.__getitem__ = _getitem
    NDArray.__setitem__ = _setitem
