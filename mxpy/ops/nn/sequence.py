"""Variable-length sequence operators: SequenceMask, SequenceLast, SequenceReverse.

``data`` is laid out ``(T, N, ...)`` (``axis=0``) or ``(N, T, ...)`` (``axis=1``);
the optional ``sequence_length`` input (shape ``(N,)``, any numeric dtype) gives
each batch element's valid length. Lengths are truncated to integers as MXNet
does. The backward of SequenceMask is SequenceMask of the head gradient with
``value=0`` and the backward of SequenceReverse is SequenceReverse itself (the
reversal is its own inverse), so only SequenceLast has a ``_backward_`` record.
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, merge_shape, names, register
from .._util import store

_USE = Param("bool", False, doc="take the extra input sequence_length")


@names("data", "sequence_length")
def _inputs(p):
    return ["data", "sequence_length"] if p.use_sequence_length else ["data"]


def _check_data(p, data: tuple, what: str = "data") -> None:
    if len(data) < 2:
        raise ShapeError(f"{what} must have at least 2 dimensions (sequence and batch), given {data}")


def _batch(p, data: tuple) -> int:
    return data[1 - p.axis]


def _infer_shape_same(p, in_shapes):
    data = in_shapes[0]
    shapes = list(in_shapes)
    if data is not None:
        _check_data(p, data)
        if p.use_sequence_length:
            shapes[1] = merge_shape(in_shapes[1], (_batch(p, data),), "sequence_length", f"(batch size,) from the data {data} with axis={p.axis}")
    return shapes, [data]


def _infer_type(p, in_types):
    dt = in_types[0]
    types = list(in_types)
    if p.use_sequence_length and types[1] is None:
        types[1] = dt  # MXNet defaults the lengths to the data dtype
    return types, [dt]


def _lengths(xp, seq, t_max: int):
    """Valid lengths as int64, truncated toward zero and clipped to [0, T]."""
    return xp.clip(seq.astype(np.int64), 0, t_max)


def _seq_mask(p, xp, data, seq):
    """Boolean array broadcastable to ``data``: True where the step is valid."""
    t_max = data.shape[p.axis]
    lens = _lengths(xp, seq, t_max)
    steps = xp.arange(t_max)
    valid = steps[:, None] < lens[None, :] if p.axis == 0 else lens[:, None] > steps[None, :]
    return valid.reshape(valid.shape + (1,) * (data.ndim - 2))


def _mask_forward(p, ins, outs, req, rt):
    xp, data = rt.xp, ins[0]
    if not p.use_sequence_length:
        store(outs[0], req[0], data)
        return
    valid = _seq_mask(p, xp, data, ins[1])
    value = xp.asarray(p.value, dtype=data.dtype)
    store(outs[0], req[0], xp.where(valid, data, value))


def _mask_gradient(g, ograds):
    # masked positions get no gradient: mask the head gradient with zeros
    extra = [g.inputs[1]] if g.p.use_sequence_length else []
    dx = g.op1("SequenceMask", [ograds[0], *extra], g.attrs, value=0.0)
    return [dx] + [None] * len(extra)


register(
    OpDef(
        "SequenceMask",
        _mask_forward,
        params={
            "use_sequence_length": _USE,
            "value": Param("float", 0.0, doc="value written at masked steps"),
            "axis": Param("int", 0, low=0, high=1, doc="the sequence axis (0 or 1)"),
        },
        inputs=_inputs,
        infer_shape=_infer_shape_same,
        infer_type=_infer_type,
        gradient=_mask_gradient,
        doc=(
            "Set the steps past each sequence's length to ``value``.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.ones((3, 2))\n"
            ">>> mx.nd.SequenceMask(x, mx.nd.array([1, 3]), use_sequence_length=True).asnumpy().tolist()\n"
            "[[1.0, 1.0], [0.0, 1.0], [0.0, 1.0]]"
        ),
    )
)


# -- SequenceLast ------------------------------------------------------------------


def _last_index(p, xp, data, ins):
    t_max, n = data.shape[p.axis], data.shape[1 - p.axis]
    if p.use_sequence_length:
        last = xp.clip(ins[1].astype(np.int64) - 1, 0, t_max - 1)
    else:
        last = xp.full((n,), t_max - 1, dtype=np.int64)
    batch = xp.arange(n)
    return (last, batch) if p.axis == 0 else (batch, last)


def _last_forward(p, ins, outs, req, rt):
    data = ins[0]
    store(outs[0], req[0], data[_last_index(p, rt.xp, data, ins)])


def _last_shape(p, in_shapes):
    shapes, _ = _infer_shape_same(p, in_shapes)
    data = shapes[0]
    out = None if data is None else tuple(d for i, d in enumerate(data) if i != p.axis)
    return shapes, [out]


def _last_backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, data = ins[0], ins[1]
    grad = xp.zeros(data.shape, dtype=og.dtype)
    grad[_last_index(p, xp, data, ins[1:])] = og  # one step per batch element: no collisions
    store(outs[0], req[0], grad)


def _last_gradient(g, ograds):
    extra = [g.inputs[1]] if g.p.use_sequence_length else []
    dx = g.op1("_backward_SequenceLast", [ograds[0], g.inputs[0], *extra], g.attrs)
    return [dx] + [None] * len(extra)


_LAST_PARAMS = {
    "use_sequence_length": _USE,
    "axis": Param("int", 0, low=0, high=1, doc="the sequence axis (0 or 1)"),
}

register(
    OpDef(
        "SequenceLast",
        _last_forward,
        params=_LAST_PARAMS,
        inputs=_inputs,
        infer_shape=_last_shape,
        infer_type=_infer_type,
        gradient=_last_gradient,
        doc=(
            "The last valid step of each sequence.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.arange(6).reshape((3, 2))\n"
            ">>> mx.nd.SequenceLast(x, mx.nd.array([1, 3]), use_sequence_length=True).asnumpy().tolist()\n"
            "[0.0, 5.0]"
        ),
    )
)


@names("ograd", "data", "sequence_length")
def _last_bwd_inputs(p):
    return ["ograd", "data", "sequence_length"] if p.use_sequence_length else ["ograd", "data"]


def _last_bwd_shape(p, in_shapes):
    return list(in_shapes), [in_shapes[1]]


register(
    OpDef(
        "_backward_SequenceLast",
        _last_backward,
        params=_LAST_PARAMS,
        inputs=_last_bwd_inputs,
        infer_shape=_last_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[0]]),
        doc="Gradient of SequenceLast: the head gradient scattered back to each last step.",
    )
)


# -- SequenceReverse -----------------------------------------------------------------


def _reverse_forward(p, ins, outs, req, rt):
    xp, data = rt.xp, ins[0]
    if not p.use_sequence_length:
        store(outs[0], req[0], data[::-1])
        return
    t_max, n = data.shape[0], data.shape[1]
    lens = _lengths(xp, ins[1], t_max)[None, :]
    steps = xp.arange(t_max)[:, None]
    src = xp.where(steps < lens, lens - 1 - steps, steps)  # (T, N): which step lands here
    store(outs[0], req[0], data[src, xp.arange(n)[None, :]])


def _reverse_gradient(g, ograds):
    # reversing the first len steps is its own inverse
    extra = [g.inputs[1]] if g.p.use_sequence_length else []
    dx = g.op1("SequenceReverse", [ograds[0], *extra], g.attrs)
    return [dx] + [None] * len(extra)


register(
    OpDef(
        "SequenceReverse",
        _reverse_forward,
        params={
            "use_sequence_length": _USE,
            "axis": Param("int", 0, low=0, high=0, doc="the sequence axis (only 0 is supported, as in MXNet)"),
        },
        inputs=_inputs,
        infer_shape=_infer_shape_same,
        infer_type=_infer_type,
        gradient=_reverse_gradient,
        doc=(
            "Reverse the first ``sequence_length`` steps of each sequence.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.arange(6).reshape((3, 2))\n"
            ">>> mx.nd.SequenceReverse(x, mx.nd.array([2, 3]), use_sequence_length=True).asnumpy().tolist()\n"
            "[[2.0, 5.0], [0.0, 3.0], [4.0, 1.0]]"
        ),
    )
)
