"""LAMB's two update operators: lamb_update_phase1 (the Adam-like direction, updating mean and var)
and lamb_update_phase2 (the step scaled by the trust ratio ||weight|| / ||direction||).

Checked against MXNet 1.9.1 (see tests/test_ops_legacy.py). The gradient is
rescaled and clipped before the moments; weight decay is added to the
direction, not to the moments.
"""

from __future__ import annotations

from ..registry import REQUIRED, OpDef, Param, register, same_shape
from ._util import quiet, store

_P1 = {
    "beta1": Param("float", 0.9, doc="decay of the first moment"),
    "beta2": Param("float", 0.999, doc="decay of the second moment"),
    "epsilon": Param("float", 1e-6, doc="added to the denominator"),
    "t": Param("int", REQUIRED, doc="the step number (bias correction)"),
    "bias_correction": Param("bool", True, doc="divide the moments by 1 - beta**t"),
    "wd": Param("float", REQUIRED, doc="weight decay added to the direction"),
    "rescale_grad": Param("float", 1.0, doc="gradient scale"),
    "clip_gradient": Param("float", -1.0, doc="clip the scaled gradient to [-c, c] (< 0: no clipping)"),
}


def _phase1(p, ins, outs, req, rt):
    xp = rt.xp
    w, g, mean, var = ins
    dt = w.dtype.type
    gr = g * dt(p.rescale_grad)
    if p.clip_gradient >= 0:
        gr = xp.clip(gr, -dt(p.clip_gradient), dt(p.clip_gradient))
    mean *= dt(p.beta1)
    mean += dt(1 - p.beta1) * gr
    var *= dt(p.beta2)
    var += dt(1 - p.beta2) * gr * gr
    m, v = mean, var
    if p.bias_correction:
        m = mean / dt(1 - p.beta1**p.t)
        v = var / dt(1 - p.beta2**p.t)
    store(outs[0], req[0], m / (xp.sqrt(v) + dt(p.epsilon)) + dt(p.wd) * w)


register(
    OpDef(
        "lamb_update_phase1",
        quiet(_phase1),
        params=_P1,
        inputs=("weight", "grad"),
        aux=("mean", "var"),
        infer_shape=same_shape,
        doc=(
            "LAMB phase 1: g' = clip(rescale_grad * grad); mean, var updated as Adam's (in place);\n"
            "returns mean_hat / (sqrt(var_hat) + epsilon) + wd * weight (hats: bias-corrected).\n\n"
            "Parameters: weight, grad, mean, var; beta1 (0.9); beta2 (0.999); epsilon (1e-6); t (required);\n"
            "bias_correction (True); wd (required); rescale_grad (1); clip_gradient (-1).\n\n"
            ">>> import mxpy as mx\n>>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))\n"
            ">>> mx.nd.lamb_update_phase1(w, z, z.copy(), z.copy(), t=1, wd=0.1).asnumpy().tolist()\n[0.10000000149011612, 0.10000000149011612]"
        ),
    )
)

_P2 = {
    "lr": Param("float", REQUIRED, doc="learning rate"),
    "lower_bound": Param("float", -1.0, doc="lower bound of ||weight|| in the ratio (< 0: none)"),
    "upper_bound": Param("float", -1.0, doc="upper bound of ||weight|| in the ratio (< 0: none)"),
}


def _phase2(p, ins, outs, req, rt):
    w, g, r1, r2 = ins
    dt = w.dtype.type
    n1, n2 = float(r1.reshape(-1)[0]), float(r2.reshape(-1)[0])
    if p.lower_bound >= 0:
        n1 = max(n1, p.lower_bound)
    if p.upper_bound >= 0:
        n1 = min(n1, p.upper_bound)
    ratio = 1.0 if n1 == 0 or n2 == 0 else n1 / n2
    store(outs[0], req[0], w - dt(p.lr * ratio) * g)


register(
    OpDef(
        "lamb_update_phase2",
        quiet(_phase2),
        params=_P2,
        inputs=("weight", "g", "r1", "r2"),
        infer_shape=lambda p, s: ([s[0], s[1] or s[0], s[2] or (1,), s[3] or (1,)], [s[0]]),
        infer_type=lambda p, t: ([t[0], t[1] or t[0], t[2] or t[0], t[3] or t[0]], [t[0]]),
        inplace=((0, 0),),
        doc=(
            "LAMB phase 2: weight - lr * (r1 / r2) * g, r1 = ||weight|| (bounded by lower_bound/upper_bound)\n"
            "and r2 = ||g|| given as (1,) arrays; the ratio is 1 when either is 0.\n\n"
            "Parameters: weight, g, r1, r2; lr (required); lower_bound (-1); upper_bound (-1).\n\n"
            ">>> import mxpy as mx\n>>> w = mx.nd.ones((2,))\n"
            ">>> mx.nd.lamb_update_phase2(w, w, mx.nd.norm(w), mx.nd.norm(w), lr=0.5).asnumpy().tolist()\n[0.5, 0.5]"
        ),
    )
)
