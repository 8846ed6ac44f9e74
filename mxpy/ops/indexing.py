"""Selection operators: ``take``, ``pick``, ``one_hot``, ``where`` and ``clip``.

MXNet casts float index arrays to integers by truncation toward zero, then
applies the op's ``mode``: ``clip`` clamps into ``[0, n-1]``, ``wrap`` takes the
index modulo ``n`` (Python-style, so -1 is the last element), ``raise`` fails
on any index outside ``[0, n-1]``.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import UNKNOWN, OpDef, Param, ShapeError, forward_shape, merge_dims, merge_shape, partial_rule, register, shape_is_known
from ._util import store

_INDEX_DTYPES = ("float16", "float32", "float64", "int32", "int64", "int8", "uint8")


def norm_axis(axis: int, ndim: int, what: str = "axis") -> int:
    """``axis`` in ``[-ndim, ndim-1]`` mapped to ``[0, ndim-1]``; ShapeError otherwise."""
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{what}={axis} is out of range for an input of {ndim} dimension(s); expected a value in [{-ndim}, {ndim - 1}]")
    return axis + ndim if axis < 0 else axis


def as_index(xp, idx):
    """Integer view of an index array: floats truncate toward zero as in MXNet's cast."""
    if idx.dtype.kind in "iu":
        return idx.astype(np.int64, copy=False)
    with np.errstate(invalid="ignore"):  # NaN indices become some integer, as in C++
        return idx.astype(np.int64)


def _apply_mode(xp, idx, n: int, mode: str):
    if mode == "wrap":
        return xp.mod(idx, n) if n > 0 else idx
    # clip as two ufuncs: np.clip's Python wrappers cost ~8 us, more than a small call's work
    out = xp.maximum(idx, 0)
    return xp.minimum(out, max(n - 1, 0), out=out)


# -- take ------------------------------------------------------------------------------


def _take_shape(p, a, indices):
    if len(a) == 0:
        raise ShapeError("input 'a' must have at least one dimension, given shape ()")
    if len(indices) == 0:
        raise ShapeError("input 'indices' must have at least one dimension, given shape ()")
    ax = norm_axis(p.axis, len(a))
    return tuple(a[:ax]) + tuple(indices) + tuple(a[ax + 1 :])


def _take_type(p, in_types, n_out=1):
    return list(in_types), [in_types[0] if in_types else None]


def _take_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    a, raw = ins
    ax = p.axis + a.ndim if p.axis < 0 else p.axis
    n = a.shape[ax]
    if p.mode == "raise":
        # MXNet checks the raw value, so 2.5 is out of bounds for n == 3
        if raw.size and bool(xp.any((raw < 0) | (raw > n - 1))):
            lo, hi = raw.min().item(), raw.max().item()
            raise IndexError(f"take: indices out of bounds for axis {p.axis} of size {n} (mode='raise'); given indices in [{lo}, {hi}], expected [0, {n - 1}]")
        idx = as_index(xp, raw)
    else:
        if n == 0 and raw.size:
            raise IndexError(f"take: cannot take indices from an empty axis {p.axis} (shape {a.shape})")
        idx = _apply_mode(xp, as_index(xp, raw), n, p.mode)
    store(outs[0], req[0], xp.take(a, idx, axis=ax))


def _take_index(xp, raw, n: int, mode: str):
    idx = as_index(xp, raw)
    return idx if mode == "raise" else _apply_mode(xp, idx, n, mode)


def _backward_take_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, raw, a = ins
    ax = p.axis + a.ndim if p.axis < 0 else p.axis
    idx = _take_index(xp, raw, a.shape[ax], p.mode).reshape(-1)
    # repeated indices accumulate, so scatter with add.at on the axis moved to the front
    ogm = xp.moveaxis(og.reshape(a.shape[:ax] + (idx.size,) + a.shape[ax + 1 :]), ax, 0)
    grad = xp.zeros((a.shape[ax],) + a.shape[:ax] + a.shape[ax + 1 :], dtype=og.dtype)
    xp.add.at(grad, idx, ogm)
    store(outs[0], req[0], xp.moveaxis(grad, 0, ax))


def _grad_take(g, ograds):
    if ograds[0] is None:
        return [None, None]
    return [g.op1("_backward_take", [ograds[0], g.inputs[1], g.inputs[0]], g.attrs), None]


register(
    OpDef(
        "_backward_take",
        _backward_take_kernel,
        params={
            "axis": Param("int", 0, doc="the axis take gathered along"),
            "mode": Param("str", "clip", choices=("clip", "raise", "wrap"), doc="how take treated out-of-range indices"),
        },
        inputs=("ograd", "indices", "a"),
        infer_shape=lambda p, s: (list(s), [s[2]]),
        infer_type=lambda p, t, n_out=1: (list(t), [t[0]]),
        doc="Gradient of take with respect to 'a': ograd scattered (and summed) at the taken positions.",
    )
)


register(
    OpDef(
        "take",
        _take_kernel,
        gradient=_grad_take,
        params={
            "axis": Param("int", 0, "the axis of 'a' to take from"),
            "mode": Param("str", "clip", "how out-of-range indices are handled", choices=("clip", "raise", "wrap")),
        },
        inputs=("a", "indices"),
        infer_shape=forward_shape(_take_shape, partial=False),  # MXNet's waits for known indices
        infer_type=_take_type,
        doc="""Take elements of ``a`` along ``axis`` at ``indices``.

The output shape is ``a.shape[:axis] + indices.shape + a.shape[axis+1:]``.

>>> import mxpy as mx
>>> mx.nd.take(mx.nd.array([[1, 2], [3, 4], [5, 6]]), mx.nd.array([0, 5])).asnumpy()
array([[1., 2.],
       [5., 6.]], dtype=float32)
""",
    )
)


# -- pick --------------------------------------------------------------------------------


def _pick_axis(p, ndim: int) -> int:
    if p.axis is None:
        raise ShapeError("axis=None is not supported by pick; given axis=None, expected an integer axis")
    return norm_axis(p.axis, ndim)


def _pick_shape(p, data, index):
    ax = _pick_axis(p, len(data))
    kept = tuple(data[:ax]) + (1,) + tuple(data[ax + 1 :])
    reduced = tuple(data[:ax]) + tuple(data[ax + 1 :])
    # MXNet accepts the index in either the reduced or the keepdims layout
    if tuple(index) not in (kept, reduced):
        raise ShapeError(f"input 'index' has shape {tuple(index)}, expected {reduced} or {kept} for data {tuple(data)} and axis={p.axis}")
    return kept if p.keepdims else reduced


def _rows(xp, data, ax: int):
    """For a pick along the last axis: ``data`` as (rows, n) and the row numbers, else None.

    Indexing those with one index per row is a single gather (or scatter); NumPy's
    take_along_axis builds its index grid in Python (~10 us on a loss-sized batch).
    """
    if ax != data.ndim - 1 or not data.flags.c_contiguous or data.size == 0:
        return None
    flat = data.reshape(-1, data.shape[-1])
    return flat, xp.arange(flat.shape[0])


def _pick_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    data, raw = ins
    ax = p.axis + data.ndim if p.axis < 0 else p.axis
    kept = data.shape[:ax] + (1,) + data.shape[ax + 1 :]
    idx = _apply_mode(xp, as_index(xp, raw), data.shape[ax], p.mode).reshape(kept)
    rows = _rows(xp, data, ax)
    if rows is not None:
        picked = rows[0][rows[1], idx.reshape(-1)]
    else:
        picked = xp.take_along_axis(data, idx, axis=ax)
    store(outs[0], req[0], picked.reshape(outs[0].shape))


def _backward_pick_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, raw, data = ins
    ax = p.axis + data.ndim if p.axis < 0 else p.axis
    n = data.shape[ax]
    kept = data.shape[:ax] + (1,) + data.shape[ax + 1 :]
    idx = _apply_mode(xp, as_index(xp, raw), n, p.mode).reshape(kept)
    rows = _rows(xp, outs[0], ax) if req[0] in ("write", "inplace", "add") else None
    if rows is not None:  # one scatter of ograd into zeros (each row gets one position)
        flat, r = rows
        if req[0] != "add":
            flat[...] = 0
            flat[r, idx.reshape(-1)] = og.reshape(-1)
        else:
            flat[r, idx.reshape(-1)] += og.reshape(-1)
        return
    pos = xp.arange(n).reshape((n,) + (1,) * (data.ndim - 1 - ax))
    store(outs[0], req[0], xp.where(pos == idx, og.reshape(kept), 0).astype(outs[0].dtype, copy=False))


def _grad_pick(g, ograds):
    if ograds[0] is None:
        return [None, None]
    return [g.op1("_backward_pick", [ograds[0], g.inputs[1], g.inputs[0]], g.attrs), None]


register(
    OpDef(
        "_backward_pick",
        _backward_pick_kernel,
        params={
            "axis": Param("int", -1, optional=True, doc="the axis pick chose along"),
            "keepdims": Param("bool", False, doc="whether pick kept the reduced axis"),
            "mode": Param("str", "clip", choices=("clip", "wrap"), doc="how pick treated out-of-range indices"),
        },
        inputs=("ograd", "index", "data"),
        infer_shape=lambda p, s: (list(s), [s[2]]),
        infer_type=lambda p, t, n_out=1: (list(t), [t[0]]),
        doc="Gradient of pick with respect to 'data': ograd at the picked positions, 0 elsewhere.",
    )
)


register(
    OpDef(
        "pick",
        _pick_kernel,
        gradient=_grad_pick,
        params={
            "axis": Param("int", -1, "the axis to pick along (None is rejected, as in MXNet)", optional=True),
            "keepdims": Param("bool", False, "keep the picked axis with size 1"),
            "mode": Param("str", "clip", "how out-of-range indices are handled", choices=("clip", "wrap")),
        },
        inputs=("data", "index"),
        infer_shape=forward_shape(_pick_shape),
        infer_type=_take_type,
        aliases=("choose_element_0index",),
        doc="""Pick one element per position along ``axis``, at the position ``index`` gives.

>>> import mxpy as mx
>>> x = mx.nd.array([[1, 2], [3, 4], [5, 6]])
>>> mx.nd.pick(x, mx.nd.array([0, 1, 0]), axis=1).asnumpy()
array([1., 4., 5.], dtype=float32)
""",
    )
)


# -- one_hot -------------------------------------------------------------------------------


def _one_hot_shape(p, indices):
    return tuple(indices) + (p.depth,)


def _one_hot_type(p, in_types, n_out=1):
    return list(in_types), [np.dtype(p.dtype)]


def fill_value(value: float, dtype: np.dtype):
    """``value`` converted to ``dtype`` as a C++ cast would: truncate, then wrap integers."""
    dt = np.dtype(dtype)
    if dt.kind in "iu" and math.isfinite(value):
        return np.array(math.trunc(value), np.int64).astype(dt)[()]
    with np.errstate(all="ignore"):
        return np.array(value).astype(dt)[()]


def _one_hot_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    out = outs[0]
    idx = as_index(xp, ins[0])
    hit = idx[..., None] == xp.arange(p.depth, dtype=np.int64)
    # indices outside [0, depth) match nothing, so their row is all off_value
    store(out, req[0], xp.where(hit, fill_value(p.on_value, out.dtype), fill_value(p.off_value, out.dtype)))


register(
    OpDef(
        "one_hot",
        _one_hot_kernel,
        params={
            "depth": Param("int", doc="size of the one-hot dimension", low=0),
            "on_value": Param("float", 1.0, "value where the index matches"),
            "off_value": Param("float", 0.0, "value elsewhere"),
            "dtype": Param("dtype", "float32", "output dtype", choices=_INDEX_DTYPES),
        },
        inputs=("indices",),
        infer_shape=forward_shape(_one_hot_shape, partial=False),  # as MXNet's
        infer_type=_one_hot_type,
        gradient=lambda g, ograds: [None],  # indices are not differentiable
        doc="""One-hot encode ``indices`` into a new last axis of size ``depth``.

Indices outside ``[0, depth)`` give a row of ``off_value``.

>>> import mxpy as mx
>>> mx.nd.one_hot(mx.nd.array([1, 0, 5]), 3).asnumpy()
array([[0., 1., 0.],
       [1., 0., 0.],
       [0., 0., 0.]], dtype=float32)
""",
    )
)


# -- where ---------------------------------------------------------------------------------


def _where_shape(p, cond, x, y):
    if tuple(x) != tuple(y):
        raise ShapeError(f"inputs 'x' and 'y' must have one shape; given x={tuple(x)}, y={tuple(y)}")
    if tuple(cond) != tuple(x):
        if len(cond) != 1 or len(x) == 0 or cond[0] != x[0]:
            raise ShapeError(f"input 'condition' has shape {tuple(cond)}, expected {tuple(x)} or ({x[0] if x else '?'},) (one flag per row of x)")
    return tuple(x)


@partial_rule
def _where_infer(p, in_shapes, out_shapes=None):
    """where's rule, as MXNet's: nothing until ``condition`` is fully known; then
    x, y and the output share one shape (each fills the others' unknown dims)."""
    cond, x, y = in_shapes
    out = out_shapes[0] if out_shapes else None
    if not shape_is_known(cond):
        return [cond, x, y], [out]
    if out_shapes is None and shape_is_known(x) and shape_is_known(y):
        return [cond, x, y], [_where_shape(p, cond, x, y)]
    t = x
    for what, other in (("y", y), ("the output", out)):
        merged = merge_dims(t, other)
        if merged is None:
            raise ShapeError(f"'x' and {what} must have one shape; given {tuple(t)} and {tuple(other)}")
        t = merged
    if t is None:
        return [cond, x, y], [out]
    if len(cond) == len(t):
        # as MXNet's rule: condition takes x's known dims, but gives none back to x, y or the output
        return [merge_shape(tuple(cond), t, "condition", "from the shape of x and y"), t, t], [t]
    if len(cond) != 1 or (t[0] != UNKNOWN and cond[0] != t[0]):
        raise ShapeError(f"input 'condition' has shape {tuple(cond)}, expected {t} or ({t[0] if t else '?'},) (one flag per row of x)")
    return [cond, t, t], [t]


def _where_type(p, in_types, n_out=1):
    tx, ty = in_types[1], in_types[2]
    if tx is not None and ty is not None and tx != ty:
        raise ShapeError(f"inputs 'x' and 'y' must have one dtype; given x={np.dtype(tx).name}, y={np.dtype(ty).name}")
    t = tx if tx is not None else ty
    return [in_types[0], t, t], [t]


def _where_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    cond, x, y = ins
    if cond.shape != x.shape:  # one flag per row: broadcast along the other axes
        cond = cond.reshape(cond.shape + (1,) * (x.ndim - 1))
    store(outs[0], req[0], xp.where(cond != 0, x, y))


def _backward_where_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, cond = ins
    if cond.shape != og.shape:
        cond = cond.reshape(cond.shape + (1,) * (og.ndim - 1))
    flag = cond != 0
    store(outs[0], req[0], xp.where(flag, og, 0).astype(og.dtype, copy=False))
    store(outs[1], req[1], xp.where(flag, 0, og).astype(og.dtype, copy=False))


def _grad_where(g, ograds):
    if ograds[0] is None:
        return [None, None, None]
    gx, gy = g.op("_backward_where", [ograds[0], g.inputs[0]])
    return [None, gx, gy]


register(
    OpDef(
        "_backward_where",
        _backward_where_kernel,
        inputs=("ograd", "condition"),
        outputs=("x_grad", "y_grad"),
        infer_shape=lambda p, s: (list(s), [s[0], s[0]]),
        infer_type=lambda p, t, n_out=2: (list(t), [t[0], t[0]]),
        doc="Gradients of where for x (ograd where condition is non-zero) and y (elsewhere).",
    )
)


register(
    OpDef(
        "where",
        _where_kernel,
        gradient=_grad_where,
        inputs=("condition", "x", "y"),
        infer_shape=_where_infer,
        infer_type=_where_type,
        doc="""Elements of ``x`` where ``condition`` is non-zero, else of ``y``.

``condition`` has the shape of ``x``, or is 1-D with one flag per row of ``x``.

>>> import mxpy as mx
>>> mx.nd.where(mx.nd.array([1, 0]), mx.nd.array([[1, 2], [3, 4]]), mx.nd.array([[5, 6], [7, 8]])).asnumpy()
array([[1., 2.],
       [7., 8.]], dtype=float32)
""",
    )
)


# -- clip ------------------------------------------------------------------------------------


def _clip_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    x = ins[0]
    # MXNet holds the bounds as float32 and compares each element with them:
    # above a_max -> a_max, else below a_min -> a_min (so a_min > a_max is legal).
    lo, hi = float(np.float32(p.a_min)), float(np.float32(p.a_max))
    if x.dtype.kind in "iub":
        xf = x.astype(np.float64)
        lo_v, hi_v = fill_value(lo, x.dtype), fill_value(hi, x.dtype)
        res = xp.where(xf > hi, hi_v, xp.where(xf < lo, lo_v, x))
    elif lo <= hi:  # the common case; NaN data stays NaN
        res = xp.clip(x, x.dtype.type(lo), x.dtype.type(hi))
    else:
        lo_v, hi_v = x.dtype.type(lo), x.dtype.type(hi)
        res = xp.where(x > hi, hi_v, xp.where(x < lo, lo_v, x))
    store(outs[0], req[0], res.astype(x.dtype, copy=False))


def _backward_clip_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, x = ins
    lo, hi = float(np.float32(p.a_min)), float(np.float32(p.a_max))
    # the gradient passes where the forward kept the input (bounds included)
    inside = ~((x > hi) | (x < lo))  # NaN data lets the gradient through, as in MXNet
    store(outs[0], req[0], xp.where(inside, og, 0).astype(og.dtype, copy=False))


def _grad_clip(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op1("_backward_clip", [ograds[0], g.inputs[0]], g.attrs)]


register(
    OpDef(
        "_backward_clip",
        _backward_clip_kernel,
        params={"a_min": Param("float", doc="the lower bound clip used"), "a_max": Param("float", doc="the upper bound clip used")},
        inputs=("ograd", "data"),
        doc="Gradient of clip: ograd where a_min <= data <= a_max, else 0.",
    )
)


register(
    OpDef(
        "clip",
        _clip_kernel,
        gradient=_grad_clip,
        params={"a_min": Param("float", doc="lower bound"), "a_max": Param("float", doc="upper bound")},
        inplace=((0, 0),),
        doc="""Clip ``data`` elementwise into ``[a_min, a_max]``; NaN stays NaN.

>>> import mxpy as mx
>>> mx.nd.clip(mx.nd.array([-2, 0.5, 3]), -1, 1).asnumpy()
array([-1. ,  0.5,  1. ], dtype=float32)
""",
    )
)
