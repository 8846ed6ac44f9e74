"""Explicit broadcasting: broadcast_to, broadcast_axis (broadcast_axes), broadcast_like.

Only size-1 dimensions are stretched, and (unlike NumPy) the input must
already have the target's number of dimensions, as in MXNet 1.9.1.

>>> import mxpy as mx
>>> mx.nd.broadcast_to(mx.nd.array([[1, 2, 3]]), shape=(2, 0)).shape
(2, 3)
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, forward_shape, register
from ._util import store


def _stretch(src: tuple, target: tuple) -> tuple:
    """Check that ``src`` broadcasts to ``target`` dim by dim (same ndim)."""
    if len(src) != len(target):
        raise ShapeError(f"input of shape {src} cannot be broadcast to {target}: expected a target with {len(src)} dimension(s)")
    for i, (s, t) in enumerate(zip(src, target)):
        if s != t and s != 1:
            raise ShapeError(f"input of shape {src} cannot be broadcast to {target}: dimension {i} has size {s}, expected 1 or {t}")
    return target


def _to_rule(p, data):
    data = tuple(data)
    for d in p.shape:
        if d < 0:
            raise ShapeError(f"shape {p.shape} has a negative size; use 0 to keep an input dimension")
    # 0 keeps the input's size there
    target = tuple(data[i] if d == 0 and i < len(data) else d for i, d in enumerate(p.shape))
    return _stretch(data, target)


def _broadcast_kernel(p, ins, outs, req, rt):
    out = outs[0]
    store(out, req[0], rt.xp.broadcast_to(ins[0], out.shape))


# -- gradient: sum the out-grad back over the stretched axes ------------------------------


def _backward_kernel(p, ins, outs, req, rt):
    og, data = ins
    out = outs[0]
    if req[0] == "null":
        return
    # same ndim in and out here, so the stretched axes are where data has size 1
    axes = tuple(i for i, (s, t) in enumerate(zip(data.shape, og.shape)) if s != t)
    acc = np.float32 if og.dtype == np.float16 else None
    with np.errstate(all="ignore"):
        g = og.sum(axis=axes, keepdims=True, dtype=acc) if axes else og
        store(out, req[0], g)


def _backward_shape(p, in_shapes):
    return list(in_shapes), [in_shapes[1]]


def _gradient(g, ograds):
    if ograds[0] is None:
        return [None] * len(g.inputs)
    grad = g.op1("_broadcast_backward", [ograds[0], g.inputs[0]])
    return [grad] + [None] * (len(g.inputs) - 1)  # broadcast_like's rhs only lends its shape


register(
    OpDef(
        "_broadcast_backward",
        _backward_kernel,
        inputs=("ograd", "data"),
        infer_shape=_backward_shape,
        infer_type=lambda p, t: (list(t), [t[0]]),
        doc="Gradient of broadcast_to/broadcast_axis/broadcast_like: ``ograd`` summed over the axes where ``data`` has size 1, giving ``data``'s shape.",
    )
)


register(
    OpDef(
        "broadcast_to",
        _broadcast_kernel,
        params={"shape": Param("shape", (), "target shape; 0 keeps that input dimension")},
        infer_shape=forward_shape(_to_rule),
        gradient=_gradient,
        doc="Broadcast size-1 dimensions to ``shape`` (0 keeps a dimension).\n\n"
        "Example: ``mx.nd.broadcast_to(mx.nd.array([[1], [2]]), shape=(0, 3))`` has shape (2, 3).",
    )
)


def _axis_rule(p, data):
    out = list(data)
    nd = len(out)
    if len(p.axis) != len(p.size):
        raise ShapeError(f"axis {p.axis} and size {p.size} must have the same length; given {len(p.axis)} vs {len(p.size)}")
    for a, s in zip(p.axis, p.size):
        # MXNet takes no negative axes here
        if not 0 <= a < nd:
            raise ShapeError(f"axis {a} is out of range for an input with {nd} dimension(s); expected an axis in [0, {nd - 1}]")
        if out[a] != 1:
            raise ShapeError(f"axis {a} has size {out[a]}, expected 1 (only size-1 axes can be broadcast; input shape {tuple(data)})")
        if s < 0:
            raise ShapeError(f"size {s} for axis {a} is negative")
        out[a] = s
    return tuple(out)


register(
    OpDef(
        "broadcast_axis",
        _broadcast_kernel,
        params={
            "axis": Param("shape", (), "axes to broadcast (each of size 1)"),
            "size": Param("shape", (), "target size of each axis"),
        },
        aliases=("broadcast_axes",),
        infer_shape=forward_shape(_axis_rule),
        gradient=_gradient,
        doc="Broadcast size-1 axes ``axis`` to the sizes ``size``.\n\nExample: ``mx.nd.broadcast_axis(mx.nd.ones((2, 1)), axis=1, size=3)`` has shape (2, 3).",
    )
)


def _like_rule(p, lhs, rhs):
    lhs, rhs = tuple(lhs), tuple(rhs)
    if p.lhs_axes is None or p.rhs_axes is None:
        return _stretch(lhs, rhs)
    la, ra = p.lhs_axes, p.rhs_axes
    if not la or not ra:
        raise ShapeError(f"lhs_axes {la} and rhs_axes {ra} must not be empty")
    if len(la) != len(ra):
        raise ShapeError(f"lhs_axes {la} and rhs_axes {ra} must have the same length; given {len(la)} vs {len(ra)}")
    out = list(lhs)
    for a, b in zip(la, ra):
        i = a + len(lhs) if a < 0 else a
        j = b + len(rhs) if b < 0 else b
        if not 0 <= i < len(lhs):
            raise ShapeError(f"lhs_axes entry {a} is out of range for lhs with {len(lhs)} dimension(s)")
        if not 0 <= j < len(rhs):
            raise ShapeError(f"rhs_axes entry {b} is out of range for rhs with {len(rhs)} dimension(s)")
        if lhs[i] != 1:
            raise ShapeError(f"lhs axis {a} has size {lhs[i]}, expected 1 to broadcast it to {rhs[j]}")
        out[i] = rhs[j]
    return tuple(out)


def _like_type(p, in_types, n_out=1):
    # the output takes lhs's dtype; rhs only lends its shape
    return list(in_types), [in_types[0]]


register(
    OpDef(
        "broadcast_like",
        _broadcast_kernel,
        params={
            "lhs_axes": Param("shape", None, "axes of lhs to broadcast (None: all)"),
            "rhs_axes": Param("shape", None, "axes of rhs whose sizes lhs_axes take"),
        },
        inputs=("lhs", "rhs"),
        infer_shape=forward_shape(_like_rule),
        infer_type=_like_type,
        gradient=_gradient,
        doc="Broadcast ``lhs`` to the shape of ``rhs`` (or only ``lhs_axes`` to the sizes of ``rhs_axes``).\n\n"
        "Example: ``mx.nd.broadcast_like(mx.nd.ones((1, 3)), mx.nd.zeros((2, 3)))`` has shape (2, 3).",
    )
)
