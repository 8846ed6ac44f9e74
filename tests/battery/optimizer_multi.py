"""Battery cases for mxpy/ops/optimizer_multi.py and fill_element_0index (NumPy references in float64,
compared loosely; the exact values and the in-place state updates are checked against MXNet 1.9.1
in tests/test_optimizer_multi.py)."""

from __future__ import annotations

import numpy as np

from . import add, f32
from .optimizer_updates import _mp, _sgd, _sgd_mom

F16 = np.float16
W, G = f32(3, 4, seed=41), f32(3, 4, lo=-2.0, hi=2.0, seed=42)
M, V = f32(3, 4, lo=-0.1, hi=0.1, seed=43), f32(3, 4, lo=0.01, hi=0.2, seed=44)
W2, G2 = f32(5, seed=45), f32(5, lo=-2.0, hi=2.0, seed=46)
M2, V2 = f32(5, lo=-0.1, hi=0.1, seed=47), f32(5, lo=0.01, hi=0.2, seed=48)
MP_TOL = {"rtol": 3e-3, "atol": 3e-3}


def _d(a):
    return np.asarray(a, np.float64)


def _g(g, rescale_grad=1.0, clip_gradient=-1.0):
    r = rescale_grad * _d(g)
    return np.clip(r, -clip_gradient, clip_gradient) if clip_gradient >= 0 else r


def _direction(w, g, mean, var, t, wd, beta1=0.9, beta2=0.999, epsilon=1e-6, bias_correction=True, rescale_grad=1.0, clip_gradient=-1.0):
    gr = _g(g, rescale_grad, clip_gradient)
    m = beta1 * _d(mean) + (1 - beta1) * gr
    v = beta2 * _d(var) + (1 - beta2) * gr * gr
    if bias_correction:
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    return m / (np.sqrt(v) + epsilon) + wd * _d(w)


def _ratio(w, d, lower_bound=-1.0, upper_bound=-1.0):
    r1, r2 = np.linalg.norm(_d(w)), np.linalg.norm(d)
    if lower_bound >= 0:
        r1 = max(r1, lower_bound)
    if upper_bound >= 0:
        r1 = min(r1, upper_bound)
    return 1.0 if r1 == 0 or r2 == 0 else r1 / r2


# -- LAMB, mixed precision ----------------------------------------------------------------------
P1 = {"t": 2, "wd": 0.05, "rescale_grad": 0.5, "clip_gradient": 0.6, "beta1": 0.8, "beta2": 0.99}
add(
    "mp_lamb_update_phase1",
    [W.astype(F16), G.astype(F16), M, V, W],
    P1,
    ref=lambda w, g, m, v, w32, **kw: _direction(w32, g, m, v, **kw).astype(np.float32),
    **MP_TOL,
)
add(
    "mp_lamb_update_phase1",
    [W.astype(F16), G.astype(F16), M, V, W],
    {"t": 1, "wd": 0.0, "bias_correction": False},
    ref=lambda w, g, m, v, w32, **kw: _direction(w32, g, m, v, **kw).astype(np.float32),
    note="no-bias-correction",
    **MP_TOL,
)
_R1, _R2 = np.array([2.0], np.float32), np.array([0.5], np.float32)


def _phase2(w, g, r1, r2, w32, lr, lower_bound=-1.0, upper_bound=-1.0):
    n1 = float(r1[0])
    if lower_bound >= 0:
        n1 = max(n1, lower_bound)
    if upper_bound >= 0:
        n1 = min(n1, upper_bound)
    ratio = 1.0 if n1 == 0 or r2[0] == 0 else n1 / float(r2[0])
    return (_d(w32) - lr * ratio * _d(g)).astype(w.dtype)


add("mp_lamb_update_phase2", [W.astype(F16), G, _R1, _R2, W], {"lr": 0.1, "upper_bound": 1.5}, ref=_phase2, **MP_TOL)


# -- multi-tensor LAMB --------------------------------------------------------------------------
def _multi_lamb(k: int):
    def ref(*ins, learning_rates, wds, step_count, num_tensors=1, lower_bound=-1.0, upper_bound=-1.0, **kw):
        outs = []
        for i in range(num_tensors):
            w, g, m, v, *rest = ins[i * k : (i + 1) * k]
            master = rest[0] if rest else w
            d = _direction(master, g, m, v, step_count[i], wds[i], **kw)
            lr = learning_rates[i] * _ratio(w, d, lower_bound, upper_bound)
            outs.append((_d(master) - lr * d).astype(w.dtype))
        return outs

    return ref


ML = {"learning_rates": (0.1, 0.05), "wds": (0.01, 0.0), "step_count": (1, 3), "num_tensors": 2, "rescale_grad": 0.5, "clip_gradient": 0.8}
add("_multi_lamb_update", [W, G, M, V, W2, G2, M2, V2], ML, ref=_multi_lamb(4), rtol=1e-4, atol=1e-5)
add(
    "_multi_lamb_update",
    [W, G, M, V],
    {"learning_rates": (0.2,), "wds": (0.1,), "step_count": (2,), "lower_bound": 0.5, "upper_bound": 1.0, "bias_correction": False},
    ref=_multi_lamb(4),
    note="bounds",
    rtol=1e-4,
    atol=1e-5,
)
add(
    "_multi_mp_lamb_update",
    [W.astype(F16), G.astype(F16), M, V, W, W2.astype(F16), G2.astype(F16), M2, V2, W2],
    ML,
    ref=_multi_lamb(5),
    **MP_TOL,
)

# -- sums of squares, LARS ------------------------------------------------------------------------
add("multi_sum_sq", [W, W2, G], {"num_arrays": 3}, ref=lambda *a, num_arrays: np.array([np.sum(_d(x) ** 2) for x in a], np.float32), rtol=1e-5)
add("multi_sum_sq", [W.astype(F16)], {"num_arrays": 1}, ref=lambda a, num_arrays: np.array([np.sum(_d(a) ** 2)], np.float32), note="float16", rtol=2e-3)


def _lars(lrs, wss, gss, wds, eta, eps, rescale_grad=1.0):
    wn, gn = np.sqrt(_d(wss)), np.sqrt(_d(gss))
    ok = (wn > 0) & (gn > 0)
    with np.errstate(all="ignore"):
        out = np.where(ok, _d(lrs) * eta * wn / (gn * rescale_grad + _d(wds) * wn + eps), _d(lrs))
    return out.astype(np.float32)


_LRS = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
add(
    "multi_lars",
    [_LRS, np.array([4.0, 0.0, 2.5, 9.0], np.float32), np.array([1.0, 3.0, 0.0, 0.25], np.float32), np.array([0.01, 0.0, 0.1, 0.001], np.float32)],
    {"eta": 0.02, "eps": 1e-8, "rescale_grad": 0.5},
    ref=_lars,
)


# -- preloaded multi SGD ------------------------------------------------------------------------
def _preloaded(fn, k: int):
    def ref(*ins, num_weights=1, **kw):
        lrs, wds = ins[k * num_weights], ins[k * num_weights + 1]
        return [fn(*ins[i * k : (i + 1) * k], lr=float(lrs[i]), wd=float(wds[i]), **kw) for i in range(num_weights)]

    return ref


PL = {"rescale_grad": 0.5, "clip_gradient": 0.4, "num_weights": 2}
LW = [np.array([0.1, 0.05], np.float32), np.array([0.02, 0.0], np.float32)]
TOL = {"rtol": 1e-4, "atol": 1e-5}
add("preloaded_multi_sgd_update", [W, G, W2, G2, *LW], PL, ref=_preloaded(_sgd, 2), **TOL)
add("preloaded_multi_sgd_mom_update", [W, G, M, W2, G2, M2, *LW], {**PL, "momentum": 0.9}, ref=_preloaded(_sgd_mom, 3), **TOL)
add("preloaded_multi_mp_sgd_update", [W.astype(F16), G.astype(F16), W, W2.astype(F16), G2.astype(F16), W2, *LW], PL, ref=_preloaded(_mp(_sgd), 3), **MP_TOL)
add(
    "preloaded_multi_mp_sgd_mom_update",
    [W.astype(F16), G.astype(F16), M, W, W2.astype(F16), G2.astype(F16), M2, W2, *LW],
    {**PL, "momentum": 0.9},
    ref=_preloaded(_mp(_sgd_mom), 4),
    **MP_TOL,
)


# -- AdamW ----------------------------------------------------------------------------------------
def _adamw_one(w, g, mean, var, scale, lr, wd=0.0, eta=1.0, beta1=0.9, beta2=0.999, epsilon=1e-8, clip_gradient=-1.0):
    s = float(np.asarray(scale).reshape(-1)[0])
    if not np.isfinite(s) or s == 0:
        return _d(w)
    gr = _g(g, s, clip_gradient)
    m = beta1 * _d(mean) + (1 - beta1) * gr
    v = beta2 * _d(var) + (1 - beta2) * gr * gr
    return _d(w) - eta * (lr * m / (np.sqrt(v) + epsilon) + wd * _d(w))


def _adamw(mp: bool):
    def ref(w, g, m, v, *rest, **kw):
        *w32, scale = rest
        return _adamw_one(w32[0] if mp else w, g, m, v, scale, **kw).astype(w.dtype)

    return ref


def _multi_adamw(k: int):
    def ref(*ins, lrs, wds, etas, num_weights=1, **kw):
        scale = ins[-1]
        outs = []
        for i in range(num_weights):
            w, g, m, v, *rest = ins[i * k : (i + 1) * k]
            outs.append(_adamw_one(rest[0] if rest else w, g, m, v, scale, lrs[i], wds[i], etas[i], **kw).astype(w.dtype))
        return outs

    return ref


S = np.array([0.7], np.float32)
AW = {"lr": 0.1, "eta": 0.5, "wd": 0.05, "beta1": 0.85, "beta2": 0.99, "clip_gradient": 0.9}
add("_adamw_update", [W, G, M, V, S], AW, ref=_adamw(False), **TOL)
add("_adamw_update", [W, G, M, V, np.array([np.inf], np.float32)], {"lr": 0.1, "eta": 1.0}, ref=_adamw(False), note="skipped", **TOL)
add("_mp_adamw_update", [W.astype(F16), G.astype(F16), M, V, W, S], AW, ref=_adamw(True), **MP_TOL)
MW = {"lrs": (0.1, 0.05), "wds": (0.01, 0.0), "etas": (1.0, 0.5), "num_weights": 2, "clip_gradient": 0.6}
add("_multi_adamw_update", [W, G, M, V, W2, G2, M2, V2, S], MW, ref=_multi_adamw(4), **TOL)
add("_multi_mp_adamw_update", [W.astype(F16), G.astype(F16), M, V, W, W2.astype(F16), G2.astype(F16), M2, V2, W2, S], MW, ref=_multi_adamw(5), **MP_TOL)


# -- fill_element_0index ------------------------------------------------------------------------
def _fill(lhs, mhs, rhs):
    out = lhs.copy()
    out[np.arange(lhs.shape[0]), rhs.astype(np.int64)] = mhs
    return out


add("fill_element_0index", [W, f32(3, seed=49), np.array([3, 0, 1], np.float32)], ref=_fill)
