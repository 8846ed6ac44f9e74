"""Writing into parts of an array: ``_slice_assign``, ``_slice_assign_scalar``,
``gather_nd``, ``scatter_nd`` and ``_scatter_set_nd``.

These are the operators behind ``NDArray.__getitem__``/``__setitem__`` with
slices and integer-array keys. The assign operators produce ``lhs`` with a
region replaced; NDArray calls them with ``out=lhs`` so they update in place.

``begin``/``end``/``step`` follow MXNet's ``slice``: one entry per leading axis,
``None`` for "from the start/to the end" (the ends swap for a negative step),
negative values count from the end.
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, names, register
from ._util import store

_SLICE_PARAMS = {
    "begin": Param("tuple", doc="starting indices for the slice operation, supports negative indices"),
    "end": Param("tuple", doc="ending indices for the slice operation, supports negative indices"),
    "step": Param("tuple", (), doc="step for the slice operation, supports negative values"),
}


def region(p, shape: tuple) -> tuple:
    """The Python slices that ``begin``/``end``/``step`` select in an array of ``shape``.

    >>> from mxpy.registry import Params
    >>> region(Params(begin=(1, None), end=(3, None), step=()), (4, 5))
    (slice(1, 3, 1), slice(None, None, 1))
    """
    begin, end, step = tuple(p.begin), tuple(p.end), tuple(p.step)
    if len(begin) != len(end):
        raise ShapeError(f"begin has {len(begin)} entries and end has {len(end)}; expected the same number")
    if step and len(step) != len(begin):
        raise ShapeError(f"step has {len(step)} entries, expected 0 or {len(begin)} (as begin)")
    if len(begin) > len(shape):
        raise ShapeError(f"begin has {len(begin)} entries, expected at most the input's ndim {len(shape)} (input shape {shape})")
    key = []
    for i, (b, e) in enumerate(zip(begin, end)):
        s = 1 if not step or step[i] is None else int(step[i])
        if s == 0:
            raise ShapeError(f"step[{i}] is 0, expected a non-zero step")
        key.append(slice(None if b is None else int(b), None if e is None else int(e), s))
    return tuple(key)


def region_shape(key: tuple, shape: tuple) -> tuple:
    """Shape of ``x[key]`` for an array of ``shape`` (key from :func:`region`)."""
    out = [len(range(*k.indices(n))) for k, n in zip(key, shape)]
    return tuple(out) + tuple(shape[len(key) :])


def _copy_if_overlapping(xp, dst, src):
    # a value that is a view of the destination (a[1:3] = a[0:2]) must be read
    # before it is overwritten
    if src.ndim and xp.may_share_memory(dst, src):
        return src.copy()
    return src


# -- _slice_assign / _slice_assign_scalar ------------------------------------------


def _assign_at(xp, lhs, key, value, out, r: str) -> None:
    """``out = lhs`` with ``lhs[key]`` replaced by ``value`` (an array or scalar), honouring req ``r``."""
    if r == "null":
        return
    if r == "add":
        tmp = lhs.copy()
        tmp[key] = value
        out += tmp
        return
    if not isinstance(value, (int, float)):
        value = _copy_if_overlapping(xp, out, value)
    if out is not lhs:
        out[...] = lhs
    out[key] = value


def _split_grad_at(og, key, outs, req) -> None:
    """Gradient of an assignment at ``key``: ``og`` with the region zeroed for the
    destination, the region itself for the assigned values (when asked for)."""
    if req[0] != "null":
        masked = og.copy()
        masked[key] = 0
        store(outs[0], req[0], masked)
    if len(outs) > 1:
        store(outs[1], req[1], og[key])


def _slice_assign_shape(p, in_shapes):
    lhs, rhs = in_shapes
    if lhs is None:
        return list(in_shapes), None
    want = region_shape(region(p, lhs), lhs)
    if rhs is not None and tuple(rhs) != want:
        raise ShapeError(f"rhs has shape {tuple(rhs)}, expected {want} (the region begin={tuple(p.begin)} end={tuple(p.end)} of lhs {tuple(lhs)})")
    return [lhs, want], [lhs]


def _slice_assign_kernel(p, ins, outs, req, rt):
    lhs, rhs = ins
    _assign_at(rt.xp, lhs, region(p, lhs.shape), rhs, outs[0], req[0])


def _slice_assign_scalar_shape(p, in_shapes):
    (data,) = in_shapes
    if data is None:
        return list(in_shapes), None
    region(p, data)  # validates begin/end/step against the input
    return [data], [data]


def _slice_assign_scalar_kernel(p, ins, outs, req, rt):
    data = ins[0]
    _assign_at(rt.xp, data, region(p, data.shape), p.scalar, outs[0], req[0])


register(
    OpDef(
        "_slice_assign",
        _slice_assign_kernel,
        params=dict(_SLICE_PARAMS),
        inputs=("lhs", "rhs"),
        infer_shape=_slice_assign_shape,
        aliases=("_crop_assign",),
        inplace=((0, 0),),
        gradient=lambda g, ograds: [None, None] if ograds[0] is None else g.op("_backward_slice_assign", [ograds[0]], g.attrs),
        doc="lhs with the region begin:end:step replaced by rhs (whose shape must be the region's).\n\n"
        ">>> a = mx.nd.zeros((2, 3))\n>>> mx.nd._internal._slice_assign(a, mx.nd.ones((1, 2)), begin=(0, 1), end=(1, 3)).asnumpy()[0]\n"
        "array([0., 1., 1.], dtype=float32)",
    )
)
register(
    OpDef(
        "_slice_assign_scalar",
        _slice_assign_scalar_kernel,
        params={"scalar": Param("float", 0.0, doc="the value to assign"), **_SLICE_PARAMS},
        inputs=("data",),
        infer_shape=_slice_assign_scalar_shape,
        aliases=("_crop_assign_scalar",),
        inplace=((0, 0),),
        gradient=lambda g, ograds: [None if ograds[0] is None else g.op1("_backward_slice_assign_scalar", [ograds[0]], g.attrs)],
        doc="data with the region begin:end:step set to scalar.",
    )
)


# -- gather_nd / scatter_nd / _scatter_set_nd --------------------------------------


def _check_indices(indices: tuple, data: tuple, what: str = "data") -> int:
    if len(indices) < 1:
        raise ShapeError(f"indices must have at least 1 dimension, given shape {tuple(indices)}")
    m = indices[0]
    if m > len(data):
        raise ShapeError(f"indices.shape[0] is {m}, expected at most the ndim {len(data)} of {what} {tuple(data)}")
    return m


def _coords(xp, indices, shape: tuple, op: str) -> tuple:
    """One integer index array per leading axis, negatives wrapped, range-checked."""
    idx = indices if indices.dtype.kind in "iu" else indices.astype(np.int64)
    out = []
    for ax in range(idx.shape[0]):
        n = shape[ax]
        c = idx[ax].astype(np.int64, copy=False)
        c = xp.where(c < 0, c + n, c)
        if c.size:
            lo, hi = int(c.min()), int(c.max())
            if lo < 0 or hi >= n:
                bad = lo - n if lo < 0 else hi
                raise IndexError(f"{op}: index {bad} is out of bounds for axis {ax} with size {n}")
        out.append(c)
    return tuple(out)


def _gather_shape(p, in_shapes):
    data, indices = in_shapes
    if data is None or indices is None:
        return list(in_shapes), None
    m = _check_indices(indices, data)
    return list(in_shapes), [tuple(indices[1:]) + tuple(data[m:])]


def _data_type(p, in_types, n_out=1):
    # the output keeps data's dtype; indices may be any numeric type
    return list(in_types), [in_types[0]]


def _gather_kernel(p, ins, outs, req, rt):
    data, indices = ins
    store(outs[0], req[0], data[_coords(rt.xp, indices, data.shape, "gather_nd")])


register(
    OpDef(
        "gather_nd",
        _gather_kernel,
        inputs=("data", "indices"),
        infer_shape=_gather_shape,
        infer_type=_data_type,
        # the scatter-add takes its output shape from data
        gradient=lambda g, ograds: [None if ograds[0] is None else g.op1("_backward_gather_nd", [ograds[0], g.inputs[1], g.inputs[0]]), None],
        doc="Gather elements or slices of data: output[y...] = data[indices[0, y...], ..., indices[M-1, y...]].\n\n"
        ">>> mx.nd.gather_nd(mx.nd.array([[1, 2], [3, 4]]), mx.nd.array([[0, 1], [1, 0]])).asnumpy()\n"
        "array([2., 3.], dtype=float32)",
    )
)


def _scatter_value_shape(indices: tuple, shape: tuple) -> tuple:
    m = _check_indices(indices, shape, "the output shape")
    return tuple(indices[1:]) + tuple(shape[m:])


def _scatter_shape(p, in_shapes):
    data, indices = in_shapes
    shape = tuple(p.shape)
    if indices is None:
        return list(in_shapes), [shape]
    want = _scatter_value_shape(indices, shape)
    if data is not None and tuple(data) != want:
        raise ShapeError(f"data has shape {tuple(data)}, expected {want} (indices {tuple(indices)} into shape {shape})")
    return [want, indices], [shape]


def _scatter_kernel(p, ins, outs, req, rt):
    data, indices = ins
    out = outs[0]
    key = _coords(rt.xp, indices, out.shape, "scatter_nd")
    if req[0] == "write" or req[0] == "inplace":
        out[...] = 0
        out[key] = data
    elif req[0] == "add":
        tmp = rt.xp.zeros(out.shape, out.dtype)
        tmp[key] = data
        out += tmp


register(
    OpDef(
        "scatter_nd",
        _scatter_kernel,
        params={"shape": Param("shape", doc="shape of the output")},
        inputs=("data", "indices"),
        infer_shape=_scatter_shape,
        infer_type=_data_type,
        gradient=lambda g, ograds: [None if ograds[0] is None else g.op1("gather_nd", [ograds[0], g.inputs[1]]), None],
        doc="A zero array of the given shape with data written at indices (the inverse of gather_nd).\n\n"
        ">>> mx.nd.scatter_nd(mx.nd.array([5, 6]), mx.nd.array([[0, 1], [1, 0]]), shape=(2, 2)).asnumpy()\n"
        "array([[0., 5.],\n       [6., 0.]], dtype=float32)",
    )
)


def _scatter_set_shape(p, in_shapes):
    lhs, rhs, indices = in_shapes
    shape = tuple(p.shape)
    if lhs is not None and tuple(lhs) != shape:
        raise ShapeError(f"lhs has shape {tuple(lhs)}, expected {shape} (the shape parameter)")
    if indices is None:
        return [shape, rhs, indices], [shape]
    want = _scatter_value_shape(indices, shape)
    if rhs is not None and tuple(rhs) != want:
        raise ShapeError(f"rhs has shape {tuple(rhs)}, expected {want} (indices {tuple(indices)} into shape {shape})")
    return [shape, want, indices], [shape]


def _scatter_set_type(p, in_types, n_out=1):
    lhs, rhs, indices = in_types
    if lhs is not None and rhs is not None and lhs != rhs:
        raise ShapeError(f"rhs has dtype {rhs}, expected {lhs} (the dtype of lhs)")
    t = lhs if lhs is not None else rhs
    return [t, t, indices], [t]


def _scatter_set_kernel(p, ins, outs, req, rt):
    lhs, rhs, indices = ins
    if req[0] != "null":
        _assign_at(rt.xp, lhs, _coords(rt.xp, indices, lhs.shape, "_scatter_set_nd"), rhs, outs[0], req[0])


register(
    OpDef(
        "_scatter_set_nd",
        _scatter_set_kernel,
        params={"shape": Param("shape", doc="shape of the output (and of lhs)")},
        inputs=("lhs", "rhs", "indices"),
        infer_shape=_scatter_set_shape,
        infer_type=_scatter_set_type,
        inplace=((0, 0),),
        gradient=lambda g, ograds: [None] * 3 if ograds[0] is None else [*g.op("_backward_scatter_set_nd", [ograds[0], g.inputs[2]], g.attrs), None],
        doc="lhs with rhs written at indices (scatter_nd into an existing array).",
    )
)


# -- backward records --------------------------------------------------------------------
# MXNet 1.9.1 registers no gradient for the assign operators; these give the exact
# derivative: lhs keeps the out-grad outside the written region, the written
# values receive the out-grad of the region.


def _backward_slice_assign_kernel(p, ins, outs, req, rt):
    _split_grad_at(ins[0], region(p, ins[0].shape), outs, req)


def _backward_slice_assign_shape(p, in_shapes):
    (og,) = in_shapes
    if og is None:
        return list(in_shapes), None
    return [og], [og, region_shape(region(p, og), og)]


register(
    OpDef(
        "_backward_slice_assign",
        _backward_slice_assign_kernel,
        params=dict(_SLICE_PARAMS),
        inputs=("ograd",),
        outputs=("lhs", "rhs"),
        infer_shape=_backward_slice_assign_shape,
        infer_type=lambda p, t, n_out=2: (list(t), [t[0], t[0]]),
        doc="Gradients of _slice_assign: ograd with the region zeroed (lhs) and the region of ograd (rhs).",
    )
)
register(
    OpDef(
        "_backward_slice_assign_scalar",
        _backward_slice_assign_kernel,
        params={"scalar": Param("float", 0.0, doc="the assigned value (unused)"), **_SLICE_PARAMS},
        inputs=("ograd",),
        infer_shape=lambda p, s: (list(s), [_backward_slice_assign_shape(p, s)[1][0]] if s[0] is not None else None),
        doc="Gradient of _slice_assign_scalar: ograd with the region zeroed.",
    )
)


@names("data", "indices", "shape_like")
def _scatter_add_inputs(p):
    return ["data", "indices"] if p.shape else ["data", "indices", "shape_like"]


def _scatter_add_shape(p, in_shapes):
    data, indices = in_shapes[0], in_shapes[1]
    shape = tuple(p.shape) if p.shape else in_shapes[2]
    if shape is None or indices is None:
        return list(in_shapes), None
    want = _scatter_value_shape(indices, shape)
    if data is not None and tuple(data) != want:
        raise ShapeError(f"data has shape {tuple(data)}, expected {want} (indices {tuple(indices)} into shape {shape})")
    return [want, *in_shapes[1:]], [shape]


def _scatter_add_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    data, indices = ins[0], ins[1]
    out = outs[0]
    r = req[0]
    if r == "null":
        return
    key = _coords(xp, indices, out.shape, "_backward_gather_nd")
    # repeated indices accumulate (add.at), which plain assignment would not
    if r == "add":
        xp.add.at(out, key, data)
        return
    out[...] = 0
    xp.add.at(out, key, data)


register(
    OpDef(
        "_backward_gather_nd",
        _scatter_add_kernel,
        params={"shape": Param("shape", (), doc="shape of the output; empty = the shape of the shape_like input")},
        inputs=_scatter_add_inputs,
        infer_shape=_scatter_add_shape,
        infer_type=_data_type,
        doc="Accumulate data at indices into zeros of the given shape (the gradient of gather_nd; repeated indices add up).\n\n"
        ">>> mx.nd._internal._backward_gather_nd(mx.nd.array([1, 2, 3]), mx.nd.array([[0, 0, 1], [1, 1, 0]]), shape=(2, 2)).asnumpy()\n"
        "array([[0., 3.],\n       [3., 0.]], dtype=float32)",
    )
)


def _backward_scatter_set_kernel(p, ins, outs, req, rt):
    og, indices = ins
    _split_grad_at(og, _coords(rt.xp, indices, og.shape, "_backward_scatter_set_nd"), outs, req)


def _backward_scatter_set_shape(p, in_shapes):
    og, indices = in_shapes
    shape = tuple(p.shape)
    if og is not None and tuple(og) != shape:
        raise ShapeError(f"ograd has shape {tuple(og)}, expected {shape} (the shape parameter)")
    if indices is None:
        return [shape, indices], None
    return [shape, indices], [shape, _scatter_value_shape(indices, shape)]


register(
    OpDef(
        "_backward_scatter_set_nd",
        _backward_scatter_set_kernel,
        params={"shape": Param("shape", doc="shape of lhs and the output")},
        inputs=("ograd", "indices"),
        outputs=("lhs", "rhs"),
        infer_shape=_backward_scatter_set_shape,
        infer_type=lambda p, t, n_out=2: (list(t), [t[0], t[0]]),
        doc="Gradients of _scatter_set_nd: ograd with the indexed elements zeroed (lhs) and gathered at indices (rhs).",
    )
)
