"""Shape, joining, splitting and ordering functions of ``mx.np`` over the legacy
op records (``transpose``, ``Concat``, ``stack``, ``SliceChannel``, ``_split_v2``,
``reverse``, ``tile``, ``repeat``, ``broadcast_to``, ``sort``...), with NumPy's
rules for axes and shapes; ``reshape`` is the ``_np_reshape`` record.
"""

from __future__ import annotations

import numpy as _onp

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..ops.np_function_table import broadcast_target
from ._math import _arr, _axes, _cast, _out, result_type
from .multiarray import _as_np, _op, _reshape_to

__all__ = [
    "reshape",
    "ravel",
    "transpose",
    "swapaxes",
    "moveaxis",
    "expand_dims",
    "squeeze",
    "concatenate",
    "stack",
    "vstack",
    "hstack",
    "append",
    "split",
    "array_split",
    "hsplit",
    "vsplit",
    "flip",
    "tile",
    "repeat",
    "broadcast_to",
    "broadcast_arrays",
    "atleast_1d",
    "atleast_2d",
    "sort",
    "argsort",
    "unique",
    "nonzero",
    "take",
    "diag",
    "diagonal",
    "roll",
    "unravel_index",
    "shares_memory",
    "may_share_memory",
    "shape",
    "size",
    "ndim",
]


def reshape(a, newshape, order="C"):
    """``a`` with ``newshape`` (NumPy's rule: one -1 is inferred, ``()`` is a scalar).

    >>> mx.np.reshape(mx.np.arange(6.0), (-1, 2)).shape
    (3, 2)
    """
    a = _arr(a)
    if isinstance(newshape, (int, _onp.integer)):
        newshape = (int(newshape),)
    newshape = tuple(int(d) for d in newshape)
    return _op("_np_reshape", a, newshape=newshape, order=order)


def ravel(a, order="C"):
    """``a`` flattened to 1-D."""
    return reshape(a, (-1,))


def transpose(a, axes=None):
    """``a`` with its axes permuted (reversed by default).

    >>> mx.np.transpose(mx.np.ones((2, 3))).shape
    (3, 2)
    """
    a = _arr(a)
    if a.ndim < 2 and axes is None:
        return _op("_copy", a)
    try:
        ax = () if axes is None else _axes(axes, a.ndim, "transpose")
    except _onp.exceptions.AxisError as e:  # MXNet's operator raises MXNetError (a repeated axis: ValueError)
        raise MXNetError(str(e)) from None
    if axes is not None and len(ax) != a.ndim:
        raise MXNetError(f"transpose: axes don't match array (axes {tuple(axes)} for {a.ndim} dims)")
    return _op("transpose", a, axes=ax)


def swapaxes(a, axis1, axis2):
    """``a`` with ``axis1`` and ``axis2`` interchanged."""
    a = _arr(a)
    d1, d2 = _axes(axis1, a.ndim, "swapaxes")[0], _axes(axis2, a.ndim, "swapaxes")[0]
    return _op("SwapAxis", a, dim1=d1, dim2=d2)


def moveaxis(a, source, destination):
    """``a`` with axes ``source`` moved to ``destination``."""
    a = _arr(a)
    src = list(_axes(source, a.ndim, "moveaxis"))
    dst = list(_axes(destination, a.ndim, "moveaxis"))
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def expand_dims(a, axis):
    """``a`` with a new axis of length 1 at ``axis``."""
    a = _arr(a)
    if a.ndim == 0:
        return _as_np(_reshape_to(a, (1,)))
    return _op("expand_dims", a, axis=int(axis))


def squeeze(a, axis=None):
    """``a`` without its length-1 axes (those of ``axis`` only, when given)."""
    a = _arr(a)
    axes = _axes(axis, a.ndim, "squeeze")
    if axes is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    for i in axes:
        if a.shape[i] != 1:
            raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not equal to one (axis {i}, shape {a.shape})")
    return reshape(a, tuple(d for i, d in enumerate(a.shape) if i not in axes))


def _common(arrays) -> list:
    arrs = [_arr(x) for x in arrays]
    dt = arrs[0]._data.dtype
    for x in arrs[1:]:
        dt = result_type(dt, x._data.dtype)
    return [_cast(x, dt) for x in arrs]


def concatenate(seq, axis=0, out=None):
    """Join arrays along an existing ``axis`` (the flattened arrays when ``axis`` is None).

    >>> mx.np.concatenate([mx.np.ones(2), mx.np.zeros(2)]).tolist()
    [1.0, 1.0, 0.0, 0.0]
    """
    arrs = _common(seq)
    if axis is None:
        arrs, axis = [ravel(x) for x in arrs], 0
    if any(x.ndim == 0 for x in arrs):
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    ax = _axes(axis, arrs[0].ndim, "concatenate")[0]
    if len(arrs) == 1:
        return _out(_op("_copy", arrs[0]), out)
    return _out(_op("Concat", *arrs, dim=ax, num_args=len(arrs)), out)


def stack(arrays, axis=0, out=None):
    """Join arrays along a new ``axis``."""
    arrs = _common(arrays)
    ax = _axes(axis, arrs[0].ndim + 1, "stack")[0]
    if arrs[0].ndim == 0:
        arrs = [_as_np(_reshape_to(x, (1,))) for x in arrs]
        return _out(_op("Concat", *arrs, dim=0, num_args=len(arrs)) if len(arrs) > 1 else _op("_copy", arrs[0]), out)
    return _out(_op("stack", *arrs, axis=ax, num_args=len(arrs)), out)


def vstack(arrays, out=None):
    """Stack arrays row-wise (1-D arrays become rows)."""
    return concatenate([atleast_2d(x) for x in arrays], axis=0, out=out)


def hstack(arrays):
    """Stack arrays column-wise (1-D arrays join end to end)."""
    arrs = [atleast_1d(x) for x in arrays]
    return concatenate(arrs, axis=0 if arrs[0].ndim == 1 else 1)


def append(arr, values, axis=None):
    """``values`` appended to ``arr`` (both flattened when ``axis`` is None)."""
    return concatenate([arr, values], axis=axis)


def split(ary, indices_or_sections, axis=0):
    """A list of sub-arrays: ``indices_or_sections`` equal parts, or cuts at the given indices.

    >>> [x.shape for x in mx.np.split(mx.np.arange(6.0), 3)]
    [(2,), (2,), (2,)]
    """
    a = _arr(ary)
    ax = _axes(axis, a.ndim, "split")[0]
    n = a.shape[ax]
    if isinstance(indices_or_sections, (int, _onp.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"split: array split does not result in an equal division ({n} along axis {ax} into {k})")
        if k == 1:
            return [_op("_copy", a)]
        return list(_op("SliceChannel", a, num_outputs=k, axis=ax, squeeze_axis=False))
    cuts = [min(max(int(i), 0), n) for i in indices_or_sections]
    return _split_at(a, cuts, ax)


def _split_at(a, cuts, ax):
    bounds = [0, *cuts, a.shape[ax]]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        key = (slice(None),) * ax + (slice(lo, max(lo, hi)),)
        out.append(a[key].copy() if isinstance(a, NDArray) else a[key])
    return out


def hsplit(ary, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D arrays)."""
    a = _arr(ary)
    return split(a, indices_or_sections, axis=1 if a.ndim > 1 else 0)


def vsplit(ary, indices_or_sections):
    """Split along axis 0 (the array needs 2 or more dims)."""
    a = _arr(ary)
    if a.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(a, indices_or_sections, axis=0)


def array_split(ary, indices_or_sections, axis=0):
    """Like :func:`split`, but ``indices_or_sections`` parts need not divide the axis."""
    a = _arr(ary)
    ax = _axes(axis, a.ndim, "array_split")[0]
    if isinstance(indices_or_sections, (int, _onp.integer)):
        n, k = a.shape[ax], int(indices_or_sections)
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        cuts = list(_onp.cumsum(sizes)[:-1])
        return _split_at(a, cuts, ax)
    return split(a, indices_or_sections, axis)


def flip(m, axis=None):
    """``m`` with the order of elements along ``axis`` (all axes by default) reversed."""
    m = _arr(m)
    if m.ndim == 0:
        return _op("_copy", m)
    axes = _axes(axis, m.ndim, "flip")
    return _op("reverse", m, axis=tuple(range(m.ndim)) if axes is None else axes)


def tile(A, reps):  # noqa: N803 -- NumPy's name
    """``A`` repeated ``reps`` times along each axis."""
    a = _arr(A)
    reps = (int(reps),) if isinstance(reps, (int, _onp.integer)) else tuple(int(r) for r in reps)
    if a.ndim == 0 or 0 in reps:  # NumPy's 0-d and zero-size cases, which the legacy tile has not
        from ._extra import tile_any

        return tile_any(a, reps)
    return _op("tile", a, reps=reps)


def repeat(a, repeats, axis=None):
    """Each element of ``a`` repeated ``repeats`` times (along ``axis``, or flattened)."""
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    return _op("repeat", a, repeats=int(repeats), axis=_axes(axis, a.ndim, "repeat")[0])


def broadcast_to(array, shape):
    """``array`` broadcast to ``shape`` (NumPy's rule: leading axes are added).

    >>> mx.np.broadcast_to(mx.np.ones(3), (2, 3)).shape
    (2, 3)
    """
    a = _arr(array)
    shape = (int(shape),) if isinstance(shape, (int, _onp.integer)) else tuple(int(d) for d in shape)
    shape = broadcast_target(a.shape, shape)  # MXNet's -2: keep the input's dim
    if tuple(_onp.broadcast_shapes(a.shape, shape)) != shape:
        raise ValueError(f"broadcast_to: operands could not be broadcast together with remapped shapes {a.shape} and requested shape {shape}")
    if a.shape == shape:
        return _op("_copy", a)
    lead = (1,) * (len(shape) - a.ndim) + a.shape
    if lead != a.shape:
        a = _as_np(_reshape_to(a, lead))
    if 0 in shape:  # zero-size: NumPy's function (recorded, so a backward gives zero gradients)
        from ._extra import make

        return make("broadcast_to", "")(a, shape)
    return _op("broadcast_to", a, shape=shape)


def broadcast_arrays(*args):
    """The arrays broadcast against each other."""
    arrs = [_arr(x) for x in args]
    shape = tuple(_onp.broadcast_shapes(*(x.shape for x in arrs)))
    return [broadcast_to(x, shape) for x in arrs]


def atleast_1d(*arys):
    """Each input as an array with at least one axis."""
    out = [reshape(x, (1,)) if _arr(x).ndim == 0 else _arr(x) for x in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    """Each input as an array with at least two axes."""
    out = []
    for x in arys:
        x = _arr(x)
        out.append(reshape(x, (1,) * (2 - x.ndim) + x.shape) if x.ndim < 2 else x)
    return out[0] if len(out) == 1 else out


def sort(a, axis=-1, kind=None, order=None):
    """A sorted copy of ``a`` along ``axis`` (the flattened array when None)."""
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    return _op("sort", a, axis=_axes(axis, a.ndim, "sort")[0], is_ascend=True)


def argsort(a, axis=-1, kind=None, order=None):
    """Indices (int64) that sort ``a`` along ``axis``."""
    a = _arr(a)
    if axis is None:
        a, axis = ravel(a), 0
    return _op("argsort", a, axis=_axes(axis, a.ndim, "argsort")[0], is_ascend=True, dtype="int64")


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None):
    """The sorted unique elements of ``ar`` (computed on the host; not differentiable)."""
    from ._creation import array

    a = _arr(ar)
    res = _onp.unique(a.asnumpy(), return_index, return_inverse, return_counts, axis)
    if isinstance(res, tuple):
        return tuple(array(r, dtype=r.dtype, ctx=a.ctx) for r in res)
    return array(res, dtype=res.dtype, ctx=a.ctx)


def nonzero(a):
    """A tuple of int64 index arrays, one per axis, of the non-zero elements."""
    from ._creation import array

    a = _arr(a)
    host = _onp.atleast_1d(a.asnumpy())  # MXNet reads a 0-d array as 1-d (NumPy 2 refuses it)
    return tuple(array(i.astype(_onp.int64), dtype=_onp.int64, ctx=a.ctx) for i in _onp.nonzero(host))


def take(a, indices, axis=None, mode="raise", out=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened array by default)."""
    a = _arr(a)
    idx = _arr(indices, a) if not isinstance(indices, (int, _onp.integer)) else _arr(_onp.array([indices]), a)
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, a.ndim, "take")[0]
    res = _op("take", a, idx, axis=ax, mode="clip" if mode == "raise" else mode)
    if isinstance(indices, (int, _onp.integer)):
        res = squeeze(res, ax)
    return _out(res, out)


def diag(v, k=0):
    """The ``k``-th diagonal of a 2-D array, or a 2-D array with 1-D ``v`` on it."""
    return _op("diag", _arr(v), k=int(k))


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal (``offset`` above the main one) of the ``axis1``/``axis2`` planes."""
    a = _arr(a)
    ax1, ax2 = _axes(axis1, a.ndim, "diagonal")[0], _axes(axis2, a.ndim, "diagonal")[0]
    return _op("diag", a, k=int(offset), axis1=ax1, axis2=ax2)


def roll(a, shift, axis=None):
    """Elements shifted by ``shift`` along ``axis`` (the flattened array when None), wrapping around."""
    a = _arr(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    shifts = (shift,) if isinstance(shift, (int, _onp.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, _onp.integer)) else tuple(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    out = a
    for sh, ax in zip(shifts, axes):
        ax = _axes(ax, a.ndim, "roll")[0]
        n = a.shape[ax]
        sh = int(sh) % n if n else 0
        if sh:
            lead = (slice(None),) * ax
            out = concatenate([out[lead + (slice(n - sh, None),)], out[lead + (slice(0, n - sh),)]], axis=ax)
    return out if out is not a else _op("_copy", a)


def unravel_index(indices, shape, order="C"):
    """A tuple of coordinate arrays (int64) of flat ``indices`` in an array of ``shape``."""
    from ._creation import array

    idx = _arr(indices)
    shape = (int(shape),) if isinstance(shape, (int, _onp.integer)) else tuple(shape)
    coords = _onp.unravel_index(idx.asnumpy().astype(_onp.int64), shape, order=order)
    return tuple(array(c, dtype=_onp.int64, ctx=idx.ctx) for c in coords)


def shares_memory(a, b, max_work=None) -> bool:
    """Whether ``a`` and ``b`` (views of one chunk) share memory."""
    return bool(_onp.shares_memory(_arr(a)._data, _arr(b)._data)) if _arr(a)._var is _arr(b)._var else False


may_share_memory = shares_memory


def shape(a) -> tuple:
    """The shape of ``a``."""
    return _arr(a).shape


def size(a, axis=None) -> int:
    """The number of elements of ``a`` (along ``axis`` when given)."""
    a = _arr(a)
    return a.size if axis is None else a.shape[axis]


def ndim(a) -> int:
    """The number of axes of ``a``."""
    return _arr(a).ndim
