"""BatchNorm's row kernels (data viewed as (pre, C, post), results built in the output).

The battery's BatchNorm cases are too small for these kernels (rows of at least
``_MIN_ROW`` elements), so here the threshold is patched: the row kernels must agree
with the general kernel on every axis, with batch and moving statistics, fixed or free
gamma, and update the moving statistics alike; and their data, gamma and beta gradients
must match float64 central differences of the forward.
"""

from __future__ import annotations

import numpy as np
import pytest

from mxpy import cpu, registry
from mxpy.ops.nn import batch_norm as bn


def _rt(train: bool):
    return registry.runtime(cpu(), train)


def _forward(params: dict, ins: list, train: bool):
    op = registry.get("BatchNorm")
    x = ins[0]
    c = x.shape[params.get("axis", 1)]
    outs = [np.full(x.shape, np.nan, x.dtype), np.zeros(c, np.float32 if x.dtype == np.float16 else x.dtype), np.zeros(c, x.dtype)]
    op.kernel(op.parse({k: str(v) for k, v in params.items()}), [a.copy() for a in ins], outs, ("write",) * 3, _rt(train))
    return outs


def _backward(params: dict, og, ins: list, saved: list, train: bool):
    op = registry.get("_backward_BatchNorm")
    x, gamma, _, m_mean, m_var = ins
    m_mean, m_var = m_mean.copy(), m_var.copy()
    outs = [np.full(x.shape, np.nan, x.dtype), np.zeros_like(gamma), np.zeros_like(gamma)]
    op.kernel(op.parse({k: str(v) for k, v in params.items()}), [og, x, gamma, saved[1], saved[2], m_mean, m_var], outs, ("write",) * 3, _rt(train))
    return outs, (m_mean, m_var)


def _inputs(shape, axis, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[axis]
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)
    return [
        x,
        rng.uniform(0.5, 1.5, c).astype(dtype),
        rng.uniform(-1, 1, c).astype(dtype),
        rng.uniform(-1, 1, c).astype(dtype),
        rng.uniform(0.5, 2, c).astype(dtype),
    ]


CONFIGS = [
    ((2, 3, 4, 5), {"fix_gamma": False}),
    ((2, 3, 4, 5), {"fix_gamma": True}),
    ((3, 4, 6), {"fix_gamma": False, "use_global_stats": True}),
    ((2, 5, 3, 4), {"fix_gamma": False, "axis": 2}),
    ((4, 3, 2, 2, 3), {"fix_gamma": False, "eps": 1e-3, "momentum": 0.8}),
]


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("cfg", range(len(CONFIGS)))
def test_rows_equal_general_kernel(monkeypatch, cfg, train, compiled):
    if compiled:  # inference's one-pass scale and shift of the numba extra
        pytest.importorskip("numba")
    monkeypatch.setattr(bn, "_COMPILED", compiled)
    shape, params = CONFIGS[cfg]
    ins = _inputs(shape, params.get("axis", 1), np.float32, seed=cfg)
    og = np.random.default_rng(cfg + 9).standard_normal(shape).astype(np.float32)
    results = {}
    for label, min_row in (("rows", 1), ("general", 10**9)):
        monkeypatch.setattr(bn, "_MIN_ROW", min_row)
        fwd = _forward(params, ins, train)
        results[label] = (fwd, *_backward(params, og, ins, fwd, train))
    (f_r, g_r, m_r), (f_g, g_g, m_g) = results["rows"], results["general"]
    for a, b in zip([*f_r, *g_r, *m_r], [*f_g, *g_g, *m_g]):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("cfg", [0, 1, 3])
def test_rows_gradients_numerically(monkeypatch, cfg, train):
    monkeypatch.setattr(bn, "_MIN_ROW", 1)
    shape, params = CONFIGS[cfg]
    ins = _inputs(shape, params.get("axis", 1), seed=cfg + 3)
    head = np.random.default_rng(cfg + 5).standard_normal(shape)
    fwd = _forward(params, ins, train)
    (dx, dgamma, dbeta), _ = _backward(params, head, ins, fwd, train)
    eps = 1e-6

    def loss(i, j, delta):
        args = [a.copy() for a in ins]
        args[i].flat[j] += delta
        return float((_forward(params, args, train)[0] * head).sum())

    for i, grad in ((0, dx), (1, dgamma), (2, dbeta)):
        num = np.array([(loss(i, j, eps) - loss(i, j, -eps)) / (2 * eps) for j in range(ins[i].size)]).reshape(ins[i].shape)
        if i == 1 and params.get("fix_gamma"):
            num = np.zeros_like(num)  # gamma is treated as 1: MXNet gives it a zero gradient
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inference_rows_in_place(monkeypatch, compiled, dtype):
    """Inference writing over its own input (the planner's in-place) gives x * scale + shift."""
    if compiled:
        pytest.importorskip("numba")
    monkeypatch.setattr(bn, "_COMPILED", compiled)
    ins = _inputs((2, 3, 5, 7), 1, dtype, seed=4)
    x, gamma, beta, m_mean, m_var = (a.copy() for a in ins)
    invstd = 1 / np.sqrt(m_var.astype(np.float64) + 1e-5)
    want = (x - m_mean[:, None, None]) * (gamma * invstd)[:, None, None] + beta[:, None, None]
    op = registry.get("BatchNorm")
    outs = [x, np.zeros(3, dtype), np.zeros(3, dtype)]
    op.kernel(op.parse({"fix_gamma": "False", "eps": "1e-5"}), [x, gamma, beta, m_mean, m_var], outs, ("inplace", "write", "write"), _rt(False))
    np.testing.assert_allclose(x, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5 if dtype == np.float32 else 1e-12)


def test_compiled_channel_stats_one_pass():
    """The one-pass shifted statistics: no cancellation at a large mean, NumPy's inf/NaN results."""
    from mxpy.ops.nn import _compiled

    kernels = _compiled.load("rows")
    if kernels is None:
        pytest.skip("the compiled BatchNorm passes need the numba extra (and MXPY_NUMBA not 0)")
    rng = np.random.default_rng(5)
    x = (1000 + 0.01 * rng.standard_normal((4, 3, 500))).astype(np.float32)
    mean, var = np.empty(3), np.empty(3)
    kernels.channel_stats(x, mean, var)
    xd = x.astype(np.float64)
    np.testing.assert_allclose(mean, xd.mean(axis=(0, 2)), rtol=1e-13)
    np.testing.assert_allclose(var, xd.var(axis=(0, 2)), rtol=1e-9)
    y = rng.standard_normal((2, 5, 40)).astype(np.float32)
    y[0, 0, 0] = np.inf  # first value infinite: mean inf, var NaN
    y[1, 1, 3] = np.inf  # a later one: the same
    y[0, 2, 0] = np.nan
    y[1, 3, 7] = -np.inf
    y[0, 3, 0] = np.inf  # both infinities: NaN
    mean, var = np.empty(5), np.empty(5)
    kernels.channel_stats(y, mean, var)
    with np.errstate(invalid="ignore"):
        yd = y.astype(np.float64)
        np.testing.assert_allclose(mean, yd.mean(axis=(0, 2)), rtol=1e-12)
        np.testing.assert_allclose(var, yd.var(axis=(0, 2)), rtol=1e-12)
