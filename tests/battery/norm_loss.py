"""Battery cases for normalization, Dropout, LeakyReLU and the loss layers (and their backward records).

Imperative battery calls run outside training, so BatchNorm uses the moving
statistics, Dropout is the identity and rrelu uses the mean slope.
"""

from __future__ import annotations

import math

import numpy as np

from . import add, f32

X4 = f32(2, 3, 2, 2, seed=21)
X3 = f32(2, 3, 4, seed=22)
C3 = np.array([0.8, 1.2, 1.0], np.float32)
B3 = np.array([0.1, -0.2, 0.3], np.float32)
MM = np.array([0.05, -0.1, 0.2], np.float32)
MV = np.array([0.9, 1.5, 1.1], np.float32)
OG4 = f32(2, 3, 2, 2, seed=23)
OG3 = f32(2, 3, 4, seed=24)


def _b(v, ndim, ax=1):
    return v.reshape([-1 if i == ax else 1 for i in range(ndim)])


# -- BatchNorm --------------------------------------------------------------------------


def _bn(x, gamma, beta, mm, mv, eps=1e-3, fix_gamma=True, output_mean_var=False, **_):
    g = np.ones_like(gamma) if fix_gamma else gamma
    inv = (1 / np.sqrt(mv.astype(np.float64) + eps)).astype(np.float32)
    out = ((x - _b(mm, x.ndim)) * _b(inv * g, x.ndim) + _b(beta, x.ndim)).astype(x.dtype)
    return [out, mm, inv] if output_mean_var else out


add("BatchNorm", [X4, C3, B3, MM, MV], {}, ref=_bn)
add("BatchNorm", [X4, C3, B3, MM, MV], {"fix_gamma": False, "output_mean_var": True}, ref=_bn, note="omv", grad_outputs=(0,))


def _bn_back(og, x, gamma, mean, inv, mm, mv, fix_gamma=True, **_):
    g = np.ones_like(gamma) if fix_gamma else gamma
    red = tuple(i for i in range(x.ndim) if i != 1)
    xhat = (x - _b(mean, x.ndim)) * _b(inv, x.ndim)
    dgamma = np.zeros_like(gamma) if fix_gamma else (og * xhat).sum(red).astype(np.float32)
    return [(og * _b(g * inv, x.ndim)).astype(np.float32), dgamma, og.sum(red).astype(np.float32)]


INV = (1 / np.sqrt(MV + 1e-3)).astype(np.float32)
add("_backward_BatchNorm", [OG4, X4, C3, MM, INV, MM.copy(), MV.copy()], {"fix_gamma": False}, ref=_bn_back, rtol=1e-4, atol=1e-5)

# -- InstanceNorm / LayerNorm ------------------------------------------------------------


def _norm(x, red, eps):
    m = x.astype(np.float64).mean(red, keepdims=True)
    v = ((x - m) ** 2).mean(red, keepdims=True)
    return (x - m) / np.sqrt(v + eps), m, v


def _instnorm(x, gamma, beta, eps=1e-3):
    xh, _, _ = _norm(x, tuple(range(2, x.ndim)), eps)
    return (xh * _b(gamma, x.ndim) + _b(beta, x.ndim)).astype(x.dtype)


add("InstanceNorm", [X3, C3, B3], {}, ref=_instnorm, rtol=1e-4, atol=1e-5)
MEAN_IN = X3.mean(2, keepdims=True)
VAR_IN = X3.var(2, keepdims=True)


def _instnorm_back(og, x, gamma, mean, var, eps=1e-3):
    inv = 1 / np.sqrt(var.astype(np.float64) + eps)
    xh = (x - mean) * inv
    ga = og * _b(gamma, x.ndim)
    dx = inv * (ga - ga.mean(2, keepdims=True) - xh * (ga * xh).mean(2, keepdims=True))
    return [dx.astype(np.float32), (og * xh).sum((0, 2)).astype(np.float32), og.sum((0, 2))]


add("_backward_InstanceNorm", [OG3, X3, C3, MEAN_IN, VAR_IN], {}, ref=_instnorm_back, rtol=1e-4, atol=1e-5)
G4 = np.array([1.1, 0.9, 1.3, 0.7], np.float32)
B4 = np.array([0.0, 0.1, -0.1, 0.2], np.float32)


def _layernorm(x, gamma, beta, axis=-1, eps=1e-5, output_mean_var=False):
    xh, m, v = _norm(x, (axis,), eps)
    out = (xh * _b(gamma, x.ndim, axis % x.ndim) + _b(beta, x.ndim, axis % x.ndim)).astype(x.dtype)
    return [out, m.astype(x.dtype), np.sqrt(v + eps).astype(x.dtype)] if output_mean_var else out


add("LayerNorm", [X3, G4, B4], {}, ref=_layernorm, rtol=1e-4, atol=1e-5)
add("LayerNorm", [X3, C3, B3], {"axis": 1, "output_mean_var": True}, ref=_layernorm, rtol=1e-4, atol=1e-5, note="omv", grad_outputs=(0,))


def _layernorm_back(og, x, gamma, mean, std, axis=-1, eps=1e-5):
    xh = (x - mean) / std
    ga = og * _b(gamma, x.ndim, x.ndim - 1)
    dx = (ga - ga.mean(-1, keepdims=True) - xh * (ga * xh).mean(-1, keepdims=True)) / std
    return [dx.astype(np.float32), (og * xh).sum((0, 1)).astype(np.float32), og.sum((0, 1))]


STD_LN = np.sqrt(X3.var(-1, keepdims=True) + 1e-5)
add("_backward_LayerNorm", [OG3, X3, G4, X3.mean(-1, keepdims=True), STD_LN], {}, ref=_layernorm_back, rtol=1e-4, atol=1e-5)

# -- L2Normalization / LRN -------------------------------------------------------------------

_L2AX = {"instance": (1, 2), "channel": (1,), "spatial": (2,)}


def _l2(x, mode="instance", eps=1e-10):
    return (x / np.sqrt((x.astype(np.float64) ** 2).sum(_L2AX[mode], keepdims=True) + eps)).astype(x.dtype)


for mode in ("instance", "channel", "spatial"):
    add("L2Normalization", [X3], {"mode": mode}, ref=_l2, rtol=1e-5)


def _l2_back(og, y, norm, mode="instance", eps=1e-10):
    ax = _L2AX[mode]
    n = norm.reshape([1 if i in ax else d for i, d in enumerate(y.shape)])
    return ((og - y * (og * y).sum(ax, keepdims=True)) / n).astype(np.float32)


Y_L2 = _l2(X3, "channel")
add("_backward_L2Normalization", [OG3, Y_L2, np.sqrt((X3**2).sum(1) + 1e-10)], {"mode": "channel"}, ref=_l2_back, rtol=1e-4, atol=1e-5)


def _win(sq, nsize):
    half = (nsize - 1) // 2
    c = sq.shape[1]
    return np.stack([sq[:, max(0, i - half) : min(c, i + half + 1)].sum(1) for i in range(c)], 1)


def _lrn(x, nsize, alpha=1e-4, beta=0.75, knorm=2.0):
    s = knorm + alpha / nsize * _win(x.astype(np.float64) ** 2, nsize)
    return (x * s**-beta).astype(x.dtype)


X5 = f32(2, 5, 2, 2, seed=25)
add("LRN", [X5], {"nsize": 3, "alpha": 0.5}, ref=_lrn, rtol=1e-5)


def _lrn_back(og, x, s, nsize, alpha=1e-4, beta=0.75, knorm=2.0):
    t = og * x * s ** (-beta - 1)
    return (og * s**-beta - 2 * alpha * beta / nsize * x * _win(t, nsize)).astype(np.float32)


S5 = (2.0 + 0.5 / 3 * _win(X5.astype(np.float64) ** 2, 3)).astype(np.float32)
add("_backward_LRN", [f32(2, 5, 2, 2, seed=26), X5, S5], {"nsize": 3, "alpha": 0.5}, ref=_lrn_back, rtol=1e-4, atol=1e-5)

# -- Dropout ----------------------------------------------------------------------------------

add("Dropout", [X3], {"p": 0.4}, ref=lambda x, p: x)


def _check_always(outs, ins, params):
    y, x = outs[0], ins[0]
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - params["p"]), rtol=1e-6)


add("Dropout", [f32(20, 30, seed=27, lo=0.5, hi=1.0)], {"p": 0.5, "mode": "always"}, check=_check_always, note="always")
MASK = np.where(f32(2, 3, 4, seed=28) > 0, 2.0, 0.0).astype(np.float32)
add("_backward_Dropout", [OG3, MASK], {"p": 0.5}, ref=lambda og, m, p: og * m)

# -- LeakyReLU --------------------------------------------------------------------------------

LAM, ALPHA = 1.0507009873554805, 1.6732632423543772
_erf = np.vectorize(math.erf)


def _leaky(x, gamma=None, act_type="leaky", slope=0.25, lower_bound=0.125, upper_bound=0.334):
    xd = x.astype(np.float64)
    if act_type == "leaky":
        y = np.where(xd > 0, xd, slope * xd)
    elif act_type == "prelu":
        y = np.where(xd > 0, xd, _b(gamma, x.ndim) * xd if gamma.size > 1 else gamma[0] * xd)
    elif act_type == "elu":
        y = np.where(xd > 0, xd, slope * np.expm1(xd))
    elif act_type == "selu":
        y = LAM * np.where(xd > 0, xd, ALPHA * np.expm1(xd))
    elif act_type == "gelu":
        y = 0.5 * xd * (1 + _erf(xd / math.sqrt(2)))
    else:
        m = (lower_bound + upper_bound) / 2
        return [np.where(xd > 0, xd, m * xd).astype(x.dtype), np.full(x.shape, m, x.dtype)]
    return y.astype(x.dtype)


XL = f32(2, 3, 4, seed=29, lo=-2, hi=2)
# MXNet 1.9.1's selu gradient for x <= 0 is lambda * (y + alpha), not the derivative
# lambda * alpha * exp(x); mxpy follows MXNet (mxnet-reference), so no numerical check
_SELU = "MXNet 1.9.1's selu gradient is lambda*(y+alpha) for x<=0, not d/dx = lambda*alpha*exp(x); mxpy follows MXNet"
for act, extra in [("leaky", {"slope": 0.1}), ("elu", {"slope": 0.7}), ("selu", {}), ("gelu", {}), ("rrelu", {})]:
    add("LeakyReLU", [XL], {"act_type": act, **extra}, ref=_leaky, rtol=1e-5, atol=1e-6, no_grad_reason=_SELU if act == "selu" else "")
add("LeakyReLU", [XL, np.array([0.1, 0.2, 0.3], np.float32)], {"act_type": "prelu"}, ref=_leaky, note="prelu")


def _leaky_back(og, x, extra=None, act_type="leaky", slope=0.25, **_):
    xd = x.astype(np.float64)
    if act_type == "leaky":
        d = np.where(xd > 0, 1, slope)
    elif act_type == "prelu":
        d = np.where(xd > 0, 1, _b(extra, x.ndim))
        dg = (og * np.where(xd > 0, 0, xd)).sum((0, 2)).astype(np.float32)
        return [(og * d).astype(np.float32), dg]
    elif act_type == "elu":
        d = np.where(xd > 0, 1, slope * np.exp(xd))
    elif act_type == "selu":
        d = LAM * np.where(xd > 0, 1, LAM * ALPHA * np.expm1(xd) + ALPHA)
    elif act_type == "gelu":
        d = 0.5 * (1 + _erf(xd / math.sqrt(2))) + xd * np.exp(-xd * xd / 2) / math.sqrt(2 * math.pi)
    else:
        d = np.where(xd > 0, 1, extra)
    return (og * d).astype(np.float32)


for act, extra in [("leaky", {"slope": 0.1}), ("elu", {"slope": 0.7}), ("selu", {}), ("gelu", {})]:
    add("_backward_LeakyReLU", [OG3, XL], {"act_type": act, **extra}, ref=_leaky_back, rtol=1e-5, atol=1e-6)
add("_backward_LeakyReLU", [OG3, XL, np.array([0.1, 0.2, 0.3], np.float32)], {"act_type": "prelu"}, ref=_leaky_back, rtol=1e-5, atol=1e-6, note="prelu")
add("_backward_LeakyReLU", [OG3, XL, np.full(XL.shape, 0.2, np.float32)], {"act_type": "rrelu"}, ref=_leaky_back, rtol=1e-5, atol=1e-6, note="rrelu")

# -- SoftmaxActivation -----------------------------------------------------------------------


def _smax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return (e / e.sum(axis, keepdims=True)).astype(x.dtype)


add(
    "SoftmaxActivation",
    [X3],
    {},
    ref=lambda x: _smax(x, -1),
    no_grad_reason="MXNet 1.9.1's instance-mode backward of a 3-D input is not the derivative of its forward; mxpy matches MXNet (mxnet-reference)",
)
add("SoftmaxActivation", [X3], {"mode": "channel"}, ref=lambda x, mode: _smax(x, 1), note="channel")
Y_SA = _smax(X3, 1)
add("_backward_SoftmaxActivation", [OG3, Y_SA], {"mode": "channel"}, ref=lambda og, y, mode: y * (og - (og * y).sum(1, keepdims=True)), rtol=1e-5, atol=1e-6)

# -- regression outputs, MakeLoss, BlockGrad -------------------------------------------------

XR, LR = f32(4, 3, seed=30), f32(4, 3, seed=31)
add("LinearRegressionOutput", [XR, LR], {}, ref=lambda x, y: x)
add("MAERegressionOutput", [XR, LR], {}, ref=lambda x, y: x)
add("LogisticRegressionOutput", [XR, LR], {}, ref=lambda x, y: (1 / (1 + np.exp(-x))).astype(np.float32))
add("LinearRegressionOutput", [f32(4, 1, seed=32), f32(4, seed=33)], {"grad_scale": 2.0}, ref=lambda x, y, grad_scale: x, note="vector label")


def _reg_back(kind):
    def ref(out, label, grad_scale=1.0):
        d = out - label.reshape(out.shape)
        d = np.sign(d) if kind == "mae" else d
        return [(d * grad_scale / (label.size // label.shape[0])).astype(np.float32), np.zeros_like(label)]

    return ref


add("_backward_LinearRegressionOutput", [XR, LR], {"grad_scale": 2.0}, ref=_reg_back("linear"))
add("_backward_MAERegressionOutput", [XR, LR], {}, ref=_reg_back("mae"))
add("_backward_LogisticRegressionOutput", [XR, LR], {}, ref=_reg_back("logistic"))
add("MakeLoss", [XR], {"grad_scale": 3.0}, ref=lambda x, grad_scale: x)


def _ml_back(out, grad_scale=1.0, valid_thresh=0.0, normalization="null"):
    n = {"null": 1, "batch": out.shape[0], "valid": max(1, int((out > valid_thresh).sum()))}[normalization]
    return np.full(out.shape, grad_scale / n, out.dtype)


for norm in ("null", "batch", "valid"):
    add("_backward_MakeLoss", [XR], {"normalization": norm, "grad_scale": 2.0, "valid_thresh": 0.2}, ref=_ml_back)
add(
    "make_loss", [XR], {}, ref=lambda x: x, no_grad_reason="a loss head: the gradient is ones whatever the head gradient, checked in test_gluon_upstream_compat"
)
add("BlockGrad", [XR], {}, ref=lambda x: x, no_grad_reason="stops the gradient by definition: zero, not the derivative of the identity")
