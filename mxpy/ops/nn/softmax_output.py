"""SoftmaxOutput: softmax forward, cross-entropy gradient backward (a loss layer)."""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, merge_shape, register
from .._util import store

_PARAMS = {
    "grad_scale": Param("float", 1.0),
    "ignore_label": Param("float", -1.0),
    "multi_output": Param("bool", False),
    "use_ignore": Param("bool", False),
    "preserve_shape": Param("bool", False),
    "normalization": Param("str", "null", choices=("null", "batch", "valid")),
    "out_grad": Param("bool", False),
    "smooth_alpha": Param("float", 0.0),
}


def _label_shape(p, data: tuple) -> tuple:
    if p.multi_output:
        return (data[0],) + tuple(data[2:])
    if p.preserve_shape:
        return tuple(data[:-1])
    return (data[0],)


def _infer_shape(p, in_shapes):
    data, label = in_shapes
    if data is None:
        return [data, label], [None]
    want = _label_shape(p, data)
    if label is not None and label != want and not (len(label) == len(data) and label == data):
        raise ShapeError(f"label shape {label} does not match data shape {data}; expected {want}")
    return [data, label if label is not None else want], [data]


def _softmax(xp, x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    e = xp.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _axis(p, ndim: int) -> int:
    if p.multi_output:
        return 1
    return ndim - 1 if (p.preserve_shape or ndim == 2) else 1


def _forward(p, ins, outs, req, rt):
    x = ins[0]
    if not p.multi_output and not p.preserve_shape and x.ndim > 2:
        flat = x.reshape(x.shape[0], -1)
        store(outs[0], req[0], _softmax(rt.xp, flat, 1).reshape(x.shape))
        return
    store(outs[0], req[0], _softmax(rt.xp, x, _axis(p, x.ndim)))


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    out, label = ins[0], ins[1]
    axis = _axis(p, out.ndim)
    prob = out
    if not p.multi_output and not p.preserve_shape and out.ndim > 2:
        prob = out.reshape(out.shape[0], -1)
        axis = 1
    k = prob.shape[axis]
    lab = label.reshape(label.shape[0], -1) if (p.multi_output and label.ndim > 1) else label
    lab_int = lab.astype(np.int64)
    if lab.shape == prob.shape:  # soft labels: gradient is prob - label
        grad = prob - lab
        valid = None
    else:
        idx = xp.clip(lab_int, 0, k - 1)
        onehot = (xp.expand_dims(idx, axis) == xp.arange(k).reshape([-1 if i == axis else 1 for i in range(prob.ndim)])).astype(prob.dtype)
        if p.smooth_alpha:
            onehot = onehot * (1 - p.smooth_alpha) + (1 - onehot) * (p.smooth_alpha / (k - 1))
        grad = prob - onehot
        valid = None
        if p.use_ignore:
            keep = xp.expand_dims(lab != p.ignore_label, axis)
            grad = grad * keep
            valid = keep
    scale = p.grad_scale
    if p.normalization == "batch":
        scale = scale / prob.shape[0]
    elif p.normalization == "valid":
        n = float(valid.sum()) if valid is not None else float(lab.size)
        scale = scale / max(n, 1.0)
    elif p.multi_output:
        pass
    store(outs[0], req[0], (grad * scale).reshape(outs[0].shape).astype(outs[0].dtype, copy=False))
    store(outs[1], req[1], 0)


def _gradient(g, ograds):
    return g.op("_backward_SoftmaxOutput", [g.outputs[0], g.inputs[1]], g.attrs)


register(
    OpDef(
        "SoftmaxOutput",
        _forward,
        params=_PARAMS,
        inputs=("data", "label"),
        infer_shape=_infer_shape,
        infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
        gradient=_gradient,
        is_loss=True,
        aliases=("Softmax",),
        doc="Softmax in forward; in backward the gradient of cross-entropy with the label (head gradient ignored).",
    )
)
register(
    OpDef(
        "_backward_SoftmaxOutput",
        _backward,
        params=_PARAMS,
        inputs=("output", "label"),
        outputs=("data", "label"),
        infer_shape=lambda p, s: (list(s), [s[0], s[1]]),
        infer_type=lambda p, t: (list(t), [t[0], t[1] or t[0]]),
        doc="Gradient of SoftmaxOutput.",
    )
)
_ = merge_shape
