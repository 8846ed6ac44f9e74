"""Battery cases for the optimizer update operators (NumPy references in float64, compared loosely).

The references return the new weight; the state inputs the ops update in
place are checked against MXNet itself in tests/test_optimizer.py.
"""

from __future__ import annotations

import numpy as np

from . import add, f32

W, G = f32(3, 4, seed=31), f32(3, 4, lo=-2.0, hi=2.0, seed=32)
POS = f32(3, 4, lo=0.1, hi=1.0, seed=33)
MOM = f32(3, 4, lo=-0.1, hi=0.1, seed=34)
F16 = np.float16
TOL = {"rtol": 1e-4, "atol": 1e-5}


def _d(a):
    return np.asarray(a, np.float64)


def _g(g, rescale_grad=1.0, clip_gradient=-1.0, **_):
    r = rescale_grad * _d(g)
    return np.clip(r, -clip_gradient, clip_gradient) if clip_gradient >= 0 else r


def _sgd(w, g, lr, wd=0.0, **kw):
    return ((1 - lr * wd) * _d(w) - lr * _g(g, **kw)).astype(w.dtype)


def _sgd_mom(w, g, mom, lr, momentum=0.0, wd=0.0, **kw):
    m = momentum * _d(mom) - lr * wd * _d(w) - lr * _g(g, **kw)
    return (_d(w) + m).astype(w.dtype)


def _nag(w, g, mom, lr, momentum=0.0, wd=0.0, **kw):
    gr = _g(g, **kw) + wd * _d(w)
    m = momentum * _d(mom) - lr * gr
    return (_d(w) + momentum * m - lr * gr).astype(w.dtype)


def _adam(w, g, mean, var, lr, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, **_):
    gr = _g(rescale_grad * _d(g) + wd * _d(w), 1.0, clip_gradient)
    m = beta1 * _d(mean) + (1 - beta1) * gr
    v = beta2 * _d(var) + (1 - beta2) * gr * gr
    return (_d(w) - lr * m / (np.sqrt(v) + epsilon)).astype(w.dtype)


def _rmsprop(w, g, n, lr, gamma1=0.95, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, clip_weights=-1.0):
    gr = _g(rescale_grad * _d(g) + wd * _d(w), 1.0, clip_gradient)
    nn = (1 - gamma1) * gr * gr + gamma1 * _d(n)
    out = _d(w) - lr * gr / np.sqrt(nn + epsilon)
    return (np.clip(out, -clip_weights, clip_weights) if clip_weights >= 0 else out).astype(w.dtype)


def _rmspropalex(w, g, n, gbar, delta, lr, gamma1=0.95, gamma2=0.9, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_gradient=-1.0, clip_weights=-1.0):
    gr = _g(rescale_grad * _d(g) + wd * _d(w), 1.0, clip_gradient)
    nn = (1 - gamma1) * gr * gr + gamma1 * _d(n)
    gg = (1 - gamma1) * gr + gamma1 * _d(gbar)
    dd = gamma2 * _d(delta) - lr * gr / np.sqrt(nn - gg * gg + epsilon)
    out = _d(w) + dd
    return (np.clip(out, -clip_weights, clip_weights) if clip_weights >= 0 else out).astype(w.dtype)


def _ftrl(w, g, z, n, lr, lamda1=0.01, beta=1.0, wd=0.0, **kw):
    gr = _g(g, **kw)
    zz = _d(z) + gr - (np.sqrt(_d(n) + gr * gr) - np.sqrt(_d(n))) * _d(w) / lr
    nn = _d(n) + gr * gr
    out = (np.sign(zz) * lamda1 - zz) / ((beta + np.sqrt(nn)) / lr + wd) * (np.abs(zz) > lamda1)
    return out.astype(w.dtype)


def _ftml(w, g, d, v, z, lr, t, beta1=0.6, beta2=0.999, epsilon=1e-8, wd=0.0, rescale_grad=1.0, clip_grad=-1.0):
    gr = _g(rescale_grad * _d(g) + wd * _d(w), 1.0, clip_grad)
    vv = beta2 * _d(v) + (1 - beta2) * gr * gr
    d_t = (1 - beta1**t) / lr * (np.sqrt(vv / (1 - beta2**t)) + epsilon)
    zz = beta1 * _d(z) + (1 - beta1) * gr - (d_t - beta1 * _d(d)) * _d(w)
    return (-zz / d_t).astype(w.dtype)


def _signsgd(w, g, lr, wd=0.0, **_):
    return ((1 - lr * wd) * _d(w) - lr * np.sign(_d(g))).astype(w.dtype)


def _signum(w, g, mom, lr, momentum=0.0, wd=0.0, wd_lh=0.0, **kw):
    m = momentum * _d(mom) - (1 - momentum) * (wd * _d(w) + _g(g, **kw))
    return ((1 - lr * wd_lh) * _d(w) + lr * np.sign(m)).astype(w.dtype)


def _mp(fn):
    """Reference for an ``mp_*`` op: ``fn`` on weight32, cast to the weight dtype."""

    def ref(w, g, *rest, **kw):
        *states, w32 = rest
        return fn(w32, g.astype(np.float32), *states, **kw).astype(w.dtype)

    return ref


P = {"lr": 0.1, "wd": 0.02, "rescale_grad": 0.5, "clip_gradient": 0.4}
add("sgd_update", [W, G], P, ref=_sgd, **TOL)
add("sgd_update", [W, G], {"lr": 0.3}, ref=_sgd, note="plain", **TOL)
add("sgd_mom_update", [W, G, MOM], {**P, "momentum": 0.9}, ref=_sgd_mom, **TOL)
add("nag_mom_update", [W, G, MOM], {**P, "momentum": 0.9}, ref=_nag, **TOL)
add("mp_sgd_update", [W.astype(F16), G.astype(F16), W], P, ref=_mp(_sgd), rtol=2e-3, atol=2e-3)
add("mp_sgd_mom_update", [W.astype(F16), G.astype(F16), MOM, W], {**P, "momentum": 0.9}, ref=_mp(_sgd_mom), rtol=2e-3, atol=2e-3)
add("mp_nag_mom_update", [W.astype(F16), G.astype(F16), MOM, W], {**P, "momentum": 0.9}, ref=_mp(_nag), rtol=2e-3, atol=2e-3)
add("adam_update", [W, G, MOM, POS], {**P, "beta1": 0.8, "beta2": 0.99}, ref=_adam, **TOL)
add("rmsprop_update", [W, G, POS], {**P, "gamma1": 0.9, "clip_weights": 0.5}, ref=_rmsprop, **TOL)
add("rmspropalex_update", [W, G, POS + 0.5, MOM, MOM], {**P, "gamma1": 0.9, "gamma2": 0.8}, ref=_rmspropalex, **TOL)
add("ftrl_update", [W, G, MOM, POS], {**P, "lamda1": 0.02, "beta": 1.5}, ref=_ftrl, **TOL)
add("ftml_update", [W, G, POS, POS, MOM], {"lr": 0.1, "wd": 0.02, "t": 3, "clip_grad": 0.5}, ref=_ftml, **TOL)
add("signsgd_update", [W, G], P, ref=_signsgd, **TOL)
add("signum_update", [W, G, MOM], {**P, "momentum": 0.9, "wd_lh": 0.01}, ref=_signum, **TOL)


def _multi(fn, k: int):
    """Reference for a multi_* op: ``fn`` on each group of ``k`` interleaved inputs."""

    def ref(*ins, lrs, wds, num_weights=1, **kw):
        return [fn(*ins[i * k : (i + 1) * k], lr=lrs[i], wd=wds[i], **kw) for i in range(num_weights)]

    return ref


W2, G2, MOM2 = f32(5, seed=35), f32(5, lo=-2.0, hi=2.0, seed=36), f32(5, lo=-0.1, hi=0.1, seed=37)
MP = {"lrs": (0.1, 0.05), "wds": (0.02, 0.0), "rescale_grad": 0.5, "clip_gradient": 0.4, "num_weights": 2}
add("multi_sgd_update", [W, G, W2, G2], MP, ref=_multi(_sgd, 2), **TOL)
add("multi_sgd_mom_update", [W, G, MOM, W2, G2, MOM2], {**MP, "momentum": 0.9}, ref=_multi(_sgd_mom, 3), **TOL)
add("multi_mp_sgd_update", [W.astype(F16), G.astype(F16), W, W2.astype(F16), G2.astype(F16), W2], MP, ref=_multi(_mp(_sgd), 3), rtol=2e-3, atol=2e-3)
add(
    "multi_mp_sgd_mom_update",
    [W.astype(F16), G.astype(F16), MOM, W, W2.astype(F16), G2.astype(F16), MOM2, W2],
    {**MP, "momentum": 0.9},
    ref=_multi(_mp(_sgd_mom), 4),
    rtol=2e-3,
    atol=2e-3,
)

add(
    "reset_arrays",
    [W, W2],
    {"num_arrays": 2},
    ref=lambda a, b, num_arrays: [],  # no outputs: the inputs themselves become zero (tests/test_gluon_upstream_compat.py)
    out_ok=False,
    no_grad_reason="writes its inputs in place and has no outputs to differentiate",
)

# -- LAMB (mxpy/ops/lamb.py) ---------------------------------------------------------------


def _lamb1(w, g, mean, var, t, wd, beta1=0.9, beta2=0.999, epsilon=1e-6, bias_correction=True, rescale_grad=1.0, clip_gradient=-1.0):
    gr = g.astype(np.float64) * rescale_grad
    if clip_gradient >= 0:
        gr = np.clip(gr, -clip_gradient, clip_gradient)
    m = beta1 * mean + (1 - beta1) * gr
    v = beta2 * var + (1 - beta2) * gr * gr
    if bias_correction:
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return (m / (np.sqrt(v) + epsilon) + wd * w).astype(w.dtype)


_LW = np.array([0.5, -1.0, 2.0, 0.3], np.float32)
_LG = np.array([0.1, 0.2, -0.3, 0.05], np.float32)
add(
    "lamb_update_phase1",
    [_LW, _LG, np.full(4, 0.01, np.float32), np.full(4, 0.002, np.float32)],
    {"t": 3, "wd": 0.01, "rescale_grad": 2.0, "clip_gradient": 0.5},
    _lamb1,
    rtol=1e-5,
)


def _lamb2(w, g, r1, r2, lr, lower_bound=-1.0, upper_bound=-1.0):
    n1 = float(r1[0])
    if lower_bound >= 0:
        n1 = max(n1, lower_bound)
    ratio = 1.0 if n1 == 0 or r2[0] == 0 else n1 / float(r2[0])
    return (w - lr * ratio * g).astype(w.dtype)


add("lamb_update_phase2", [_LW, _LG, np.array([2.3], np.float32), np.array([0.4], np.float32)], {"lr": 0.1, "lower_bound": 3.0}, _lamb2, rtol=1e-5)
