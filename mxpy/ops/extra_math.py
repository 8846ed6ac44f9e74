"""smooth_l1, hard_sigmoid, softmax_cross_entropy and moments (mean and variance)."""

from __future__ import annotations

import numpy as np

from ..registry import Param, ShapeError, forward_shape, same_shape
from ._pair import register_pair

# -- smooth_l1 -------------------------------------------------------------------------


def _sl1_forward(p, xp, x):
    s2 = p.scalar * p.scalar
    ax = xp.abs(x)
    return xp.where(ax < 1.0 / s2, 0.5 * s2 * x * x, ax - 0.5 / s2).astype(x.dtype, copy=False)


def _sl1_backward(p, xp, og, ins, outs):
    x = ins[0]
    s2 = p.scalar * p.scalar
    return [og[0] * xp.where(xp.abs(x) < 1.0 / s2, s2 * x, xp.sign(x))]


register_pair(
    "smooth_l1",
    _sl1_forward,
    _sl1_backward,
    params={"scalar": Param("float", 1.0, doc="sigma: the quadratic part covers |x| < 1 / sigma**2")},
    infer_shape=same_shape,
    doc=(
        "Smooth L1: 0.5 * (sigma * x)**2 where |x| < 1/sigma**2, else |x| - 0.5/sigma**2, elementwise.\n\n"
        "Parameters: data; scalar (float sigma, 1.0).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.smooth_l1(mx.nd.array([-2, 0.1]), scalar=2.0).asnumpy().round(3).tolist()\n[1.875, 0.02]"
    ),
)

# -- hard_sigmoid -----------------------------------------------------------------------


def _hs_forward(p, xp, x):
    return xp.clip(p.alpha * x + p.beta, 0.0, 1.0).astype(x.dtype, copy=False)


def _hs_backward(p, xp, og, ins, outs):
    z = p.alpha * ins[0] + p.beta
    return [og[0] * xp.where((z > 0) & (z < 1), p.alpha, 0.0)]


register_pair(
    "hard_sigmoid",
    _hs_forward,
    _hs_backward,
    params={"alpha": Param("float", 0.2, doc="slope"), "beta": Param("float", 0.5, doc="offset")},
    infer_shape=same_shape,
    doc=(
        "Piecewise-linear sigmoid: clip(alpha * x + beta, 0, 1), elementwise.\n\n"
        "Parameters: data; alpha (float, 0.2); beta (float, 0.5).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.hard_sigmoid(mx.nd.array([-3, 0, 3])).asnumpy().tolist()\n[0.0, 0.5, 1.0]"
    ),
)

# -- softmax_cross_entropy ----------------------------------------------------------------


def _sce_shape(p, data, label):
    if len(data) != 2 or label != (data[0],):
        raise ShapeError(f"data must be (batch, classes) and label (batch,), given {data} and {label}")
    return (1,)


def _log_softmax(xp, x):
    z = x - x.max(axis=1, keepdims=True)
    return z - xp.log(xp.exp(z).sum(axis=1, keepdims=True))


def _picked(xp, x, label):
    return xp.arange(x.shape[0]), label.astype(np.int64) % x.shape[1]


def _sce_forward(p, xp, x, label):
    lp = _log_softmax(xp, x)
    rows, cols = _picked(xp, x, label)
    return -lp[rows, cols].sum(keepdims=True).reshape(1).astype(x.dtype)


def _sce_backward(p, xp, og, ins, outs):
    x, label = ins
    g = xp.exp(_log_softmax(xp, x))
    rows, cols = _picked(xp, x, label)
    g[rows, cols] -= 1
    return [g * og[0].reshape(()), None]


register_pair(
    "softmax_cross_entropy",
    _sce_forward,
    _sce_backward,
    inputs=("data", "label"),
    infer_shape=forward_shape(_sce_shape),
    infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
    no_grad_inputs=("label",),
    doc=(
        "Cross entropy of softmax(data) against integer labels, summed over the batch: shape (1,).\n\n"
        "Parameters: data (batch, classes); label (batch,).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.softmax_cross_entropy(mx.nd.zeros((2, 2)), mx.nd.array([0, 1])).asnumpy().round(4).tolist()\n[1.3863]"
    ),
)

# -- moments ----------------------------------------------------------------------------


def _axes(p, ndim):
    if p.axes is None:
        return tuple(range(ndim))
    axes = tuple(a + ndim if a < 0 else a for a in p.axes)
    if any(not 0 <= a < ndim for a in axes):
        raise ShapeError(f"axes {p.axes} out of range for data with {ndim} dims")
    return axes


def _mom_shape(p, data):
    axes = _axes(p, len(data))
    if p.keepdims:
        s = tuple(1 if i in axes else d for i, d in enumerate(data))
    else:
        s = tuple(d for i, d in enumerate(data) if i not in axes)
    return [s, s]


def _mom_forward(p, xp, x):
    axes = _axes(p, x.ndim)
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    mean = x.mean(axis=axes, keepdims=True, dtype=acc)
    var = xp.square(x - mean).mean(axis=axes, keepdims=True, dtype=acc)
    shape = tuple(_mom_shape(p, x.shape)[0])
    return mean.reshape(shape).astype(x.dtype), var.reshape(shape).astype(x.dtype)


def _mom_backward(p, xp, og, ins, outs):
    x = ins[0]
    axes = _axes(p, x.ndim)
    keep = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    n = max(int(np.prod([x.shape[a] for a in axes])), 1)
    mean = outs[0].reshape(keep)
    return [(og[0].reshape(keep) + og[1].reshape(keep) * 2 * (x - mean)) / n]


register_pair(
    "moments",
    _mom_forward,
    _mom_backward,
    params={"axes": Param("shape", None, doc="axes to reduce (None: all)"), "keepdims": Param("bool", False, doc="keep reduced axes as size 1")},
    outputs=("mean", "var"),
    infer_shape=forward_shape(_mom_shape),
    doc=(
        "Mean and (biased) variance of data over ``axes``: two outputs.\n\n"
        "Parameters: data; axes (shape or None, None: all); keepdims (bool, False).\n\n"
        ">>> import mxpy as mx\n>>> [a.asnumpy().tolist() for a in mx.nd.moments(mx.nd.array([1, 3]), axes=(0,))]\n[2.0, 1.0]"
    ),
)
