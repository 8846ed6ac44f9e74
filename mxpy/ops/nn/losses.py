"""Loss and gradient-shaping layers: the regression outputs, MakeLoss, BlockGrad, SoftmaxActivation.

Loss layers (``is_loss=True``) ignore the head gradient, as MXNet 1.9.1 does.
The regression outputs scale their gradient by ``grad_scale / num_output``
where ``num_output = label.size / label.shape[0]`` (checked against MXNet).
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, register
from .._util import store

# -- regression outputs -------------------------------------------------------------------

_REG_PARAMS = {"grad_scale": Param("float", 1.0, doc="scale of the gradient")}


def _reg_shape(p, in_shapes):
    data, label = in_shapes
    if data is None:
        return [None, label], [None]
    if label is None:
        label = data
    elif label != data:
        # a (N,) label goes with (N, 1, ...) data
        squeezed = len(label) == 1 and len(data) >= 1 and label[0] == data[0] and int(np.prod(data[1:], dtype=np.int64)) == 1
        if not squeezed:
            raise ShapeError(f"label shape {label} does not match data shape {data}")
    return [data, label], [data]


def _sigmoid(xp, x):
    with np.errstate(over="ignore"):
        return (1.0 / (1.0 + xp.exp(-x))).astype(x.dtype, copy=False)


def _reg_kernels(kind: str):
    def forward(p, ins, outs, req, rt):
        x = ins[0]
        store(outs[0], req[0], _sigmoid(rt.xp, x) if kind == "logistic" else x)

    def backward(p, ins, outs, req, rt):
        out, label = ins
        diff = out - label.reshape(out.shape)
        if kind == "mae":
            diff = rt.xp.sign(diff)
        num_output = label.size // label.shape[0] if label.ndim else 1
        scale = out.dtype.type(p.grad_scale / max(num_output, 1))
        store(outs[0], req[0], diff * scale)
        store(outs[1], req[1], 0)

    return forward, backward


_REG_DOC = {
    "LinearRegressionOutput": ("identity", "out - label"),
    "LogisticRegressionOutput": ("sigmoid", "sigmoid(data) - label"),
    "MAERegressionOutput": ("identity", "sign(out - label)"),
}


def _register_regression(name: str, kind: str) -> None:
    fwd, bwd = _reg_kernels(kind)
    bname = f"_backward_{name}"
    f_doc, g_doc = _REG_DOC[name]
    register(
        OpDef(
            name,
            fwd,
            params=_REG_PARAMS,
            inputs=("data", "label"),
            infer_shape=_reg_shape,
            infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
            gradient=lambda g, og: g.op(bname, [g.outputs[0], g.inputs[1]], g.attrs),
            is_loss=True,
            doc=(
                f"Regression output layer: {f_doc} forward; backward ({g_doc}) * grad_scale / num_output.\n\n"
                f">>> import mxpy as mx\n>>> mx.nd.{name}(mx.nd.zeros((1, 2)), mx.nd.ones((1, 2))).shape\n(1, 2)"
            ),
        )
    )
    register(
        OpDef(
            bname,
            bwd,
            params=_REG_PARAMS,
            inputs=("output", "label"),
            outputs=("data", "label"),
            infer_shape=lambda p, s: (list(s), [s[0], s[1]]),
            infer_type=lambda p, t: (list(t), [t[0], t[1] or t[0]]),
            doc=f"Gradient of {name} (the label gets zero).",
        )
    )


_register_regression("LinearRegressionOutput", "linear")
_register_regression("LogisticRegressionOutput", "logistic")
_register_regression("MAERegressionOutput", "mae")

# -- MakeLoss ----------------------------------------------------------------------------------

_ML_PARAMS = {
    "grad_scale": Param("float", 1.0, doc="gradient of every element"),
    "valid_thresh": Param("float", 0.0, doc="elements above it count as valid (normalization='valid')"),
    "normalization": Param("str", "null", choices=("null", "batch", "valid"), doc="divide the gradient by nothing, the batch size, or the valid count"),
}


def _ml_forward(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0])


def _ml_backward(p, ins, outs, req, rt):
    out = ins[0]
    scale = p.grad_scale
    if p.normalization == "batch":
        scale /= out.shape[0] if out.ndim else 1
    elif p.normalization == "valid":
        scale /= max(int((out > p.valid_thresh).sum()), 1)
    store(outs[0], req[0], out.dtype.type(scale))


register(
    OpDef(
        "MakeLoss",
        _ml_forward,
        params=_ML_PARAMS,
        gradient=lambda g, og: g.op("_backward_MakeLoss", [g.outputs[0]], g.attrs),
        is_loss=True,
        inplace=((0, 0),),
        doc=(
            "Mark a symbol as a loss: identity forward; backward gives grad_scale (normalized) whatever the head gradient.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.MakeLoss(mx.nd.array([1, 2])).asnumpy().tolist()\n[1.0, 2.0]"
        ),
    )
)
register(
    OpDef(
        "_backward_MakeLoss",
        _ml_backward,
        params=_ML_PARAMS,
        inputs=("output",),
        doc="Gradient of MakeLoss.",
    )
)

# make_loss: the older, parameterless form. Its gradient is ones_like(data)
# whatever the head gradient (MXNet builds a ones_like node), so it is a loss op.

register(
    OpDef(
        "make_loss",
        _ml_forward,
        gradient=lambda g, og: [g.op1("ones_like", [g.inputs[0]], {})],
        is_loss=True,
        inplace=((0, 0),),
        doc=(
            "Mark a symbol as a loss (no parameters): identity forward; backward gives ones whatever the head gradient.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.make_loss(mx.nd.array([1, 2])).asnumpy().tolist()\n[1.0, 2.0]"
        ),
    )
)

# -- BlockGrad --------------------------------------------------------------------------------


def _identity(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0])


register(
    OpDef(
        "BlockGrad",
        _identity,
        gradient=lambda g, og: [None],
        aliases=("stop_gradient",),
        inplace=((0, 0),),
        doc=(
            "Identity forward; no gradient flows back through it.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.BlockGrad(mx.nd.array([1, 2])).asnumpy().tolist()\n[1.0, 2.0]"
        ),
    )
)

# -- SoftmaxActivation --------------------------------------------------------------------------

_SA_PARAMS = {"mode": Param("str", "instance", choices=("instance", "channel"), doc="softmax over the last axis, or over axis 1")}


def _sa_view(p, x):
    """The array and axis the softmax runs over (MXNet 1.9.1: 'instance' is the last axis)."""
    return x, (1 if p.mode == "channel" else x.ndim - 1)


def _sa_shape(p, in_shapes):
    data = in_shapes[0]
    if data is not None:
        low = 2
        if len(data) < low:
            raise ShapeError(f"data must have at least {low} dims for mode='{p.mode}', given {data}")
    return [data], [data]


def _sa_forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, ax = _sa_view(p, ins[0])
    with np.errstate(invalid="ignore", over="ignore"):
        e = xp.exp(x - x.max(axis=ax, keepdims=True))
        y = e / e.sum(axis=ax, keepdims=True)
    store(outs[0], req[0], y.reshape(outs[0].shape))


def _sa_backward(p, ins, outs, req, rt):
    og, y = ins
    # MXNet 1.9.1's backward reduces over axis 1 in both modes (for 'instance' on
    # data with more than 2 dims that is not the forward's axis); we reproduce
    # its numbers, checked against the reference build
    dx = y * (og - (og * y).sum(axis=1, keepdims=True))
    store(outs[0], req[0], dx)


register(
    OpDef(
        "SoftmaxActivation",
        _sa_forward,
        params=_SA_PARAMS,
        infer_shape=_sa_shape,
        gradient=lambda g, og: g.op("_backward_SoftmaxActivation", [og[0], g.outputs[0]], g.attrs),
        doc=(
            "Softmax over the last axis (mode='instance') or over channels (mode='channel').\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.SoftmaxActivation(mx.nd.zeros((1, 2))).asnumpy().tolist()\n[[0.5, 0.5]]"
        ),
    )
)
register(
    OpDef(
        "_backward_SoftmaxActivation",
        _sa_backward,
        params=_SA_PARAMS,
        inputs=("ograd", "output"),
        infer_shape=lambda p, s: (list(s), [s[0] or s[1]]),
        doc="Gradient of SoftmaxActivation.",
    )
)
