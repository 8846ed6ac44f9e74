"""The short-row fast paths of the loss kernels (pick, softmax family) against plain NumPy.

pick along the last axis gathers (and its gradient scatters) with one index per
row, and the softmax family takes the row maximum over the transposed rows; the
other layouts keep the general code. Both must give what the general code gives.
"""

from __future__ import annotations

import numpy as np
import pytest

from mxpy.context import cpu
from mxpy.ops._util import row_max
from mxpy.registry import get, runtime

RT = runtime(cpu(), True)


def _run(name, ins, out_shape, req="write", init=None, **kw):
    op = get(name)
    out = np.full(out_shape, 0.5, np.float32) if init is None else init.copy()
    op.kernel(op.parse(kw), ins, [out], (req,), RT)
    return out


@pytest.mark.parametrize("shape", [(128, 10), (64, 3, 7), (40, 64), (8, 1000), (3, 5)])
def test_row_max_equals_numpy(shape):
    z = np.random.RandomState(0).randn(*shape).astype(np.float32)
    z.reshape(-1)[::7] = np.nan  # NaN rows stay NaN
    z.reshape(-1)[3] = np.inf
    for ax in range(z.ndim):
        np.testing.assert_array_equal(row_max(np, z, ax), z.max(axis=ax, keepdims=True))


@pytest.mark.parametrize("mode", ["clip", "wrap"])
@pytest.mark.parametrize("shape,axis", [((128, 10), -1), ((4, 6, 5), 2), ((4, 6, 5), 1), ((6, 4), 0)])
def test_pick_and_its_gradient_match_take_along_axis(shape, axis, mode):
    rng = np.random.RandomState(1)
    data = rng.randn(*shape).astype(np.float32)
    ax = axis % data.ndim
    ishape = data.shape[:ax] + data.shape[ax + 1 :]
    index = rng.randint(-3, data.shape[ax] + 3, ishape).astype(np.float32)
    idx = index.astype(np.int64)
    idx = np.mod(idx, data.shape[ax]) if mode == "wrap" else np.clip(idx, 0, data.shape[ax] - 1)
    want = np.take_along_axis(data, np.expand_dims(idx, ax), axis=ax).reshape(ishape)
    np.testing.assert_array_equal(_run("pick", [data, index], ishape, axis=axis, mode=mode), want)
    np.testing.assert_array_equal(_run("pick", [data, index], ishape, "add", axis=axis, mode=mode), want + np.float32(0.5))
    og = rng.randn(*ishape).astype(np.float32)
    grad = np.zeros_like(data)
    np.put_along_axis(grad, np.expand_dims(idx, ax), np.expand_dims(og, ax), axis=ax)
    np.testing.assert_array_equal(_run("_backward_pick", [og, index, data], shape, axis=axis, mode=mode), grad)
    base = rng.randn(*shape).astype(np.float32)
    np.testing.assert_array_equal(_run("_backward_pick", [og, index, data], shape, "add", init=base, axis=axis, mode=mode), base + grad)
    np.testing.assert_array_equal(_run("_backward_pick", [og, index, data], shape, "null", init=base, axis=axis, mode=mode), base)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape", [(128, 10), (2, 3, 5), (6, 100)])
def test_softmax_family_matches_reference(name, shape):
    x = np.random.RandomState(2).randn(*shape).astype(np.float32) * 4
    x[0] = np.nan  # a NaN row stays NaN, no warning
    x[1, ..., 0] = np.inf
    z = -x.astype(np.float64) if name == "softmin" else x.astype(np.float64)
    with np.errstate(all="ignore"):
        z = z - z.max(axis=-1, keepdims=True)
        want = z - np.log(np.exp(z).sum(axis=-1, keepdims=True)) if name == "log_softmax" else np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    got = _run(name, [x], shape)
    np.testing.assert_allclose(got, want.astype(np.float32), rtol=1e-5, atol=1e-6)
    assert np.isnan(got[0]).all()


def test_imperative_calls_split_large_convolutions_only(monkeypatch):
    """mx.nd's kernel for a split-capable op: large calls run on batch slices with OpenBLAS
    held at one thread, small ones run whole without touching OpenBLAS; same numbers."""
    from mxpy.ops import _split

    held = []
    monkeypatch.setattr(_split, "split_threads", lambda governed=True: 2)
    monkeypatch.setattr(_split, "hold_single_blas", lambda: held.append("hold") or 7)
    monkeypatch.setattr(_split, "release_single_blas", lambda token: held.append(token))
    _split._IMPERATIVE.clear()
    conv = get("Convolution")
    run = _split.imperative_split_kernel(conv)
    rng = np.random.RandomState(3)
    for batch, expect_hold in ((64, True), (2, False)):
        x = rng.rand(batch, 20, 12, 12).astype(np.float32)
        w = rng.rand(50, 20, 5, 5).astype(np.float32)
        b = rng.rand(50).astype(np.float32)
        p = conv.parse({"kernel": (5, 5), "num_filter": 50})
        want = np.empty((batch, 50, 8, 8), np.float32)
        conv.kernel(p, [x, w, b], [want], ("write",), RT)
        got = np.empty_like(want)
        held.clear()
        run(p, [x, w, b], [got], ("write",), RT)
        np.testing.assert_allclose(got, want, rtol=1e-5)
        assert held == (["hold", 7] if expect_hold else [])
    _split._IMPERATIVE.clear()


def test_imperative_products_split_only_among_split_kernels(monkeypatch):
    """After an mx.nd call split a convolution (imperative split mode), a large FullyConnected
    runs on batch slices with OpenBLAS held at one thread too, so OpenBLAS's own workers, which
    spin for a while after each threaded product, do not take the cores from the split
    kernels around it (LeNet trained imperatively at 2 threads ran no faster than at 1).
    Outside that mode (a net of products alone), and with too few rows for every thread,
    products run whole on OpenBLAS's threads. Same numbers either way."""
    from mxpy.ops import _split

    held = []
    monkeypatch.setattr(_split, "split_threads", lambda governed=True: 2)
    monkeypatch.setattr(_split, "hold_single_blas", lambda: held.append("hold") or 7)
    monkeypatch.setattr(_split, "release_single_blas", lambda token: held.append(token))
    monkeypatch.setattr(_split, "_imperative_mode", [0.0])
    _split._IMPERATIVE.clear()
    fc, conv = get("FullyConnected"), get("Convolution")
    run = _split.imperative_split_kernel(fc)
    rng = np.random.RandomState(4)

    def check(batch, k, n, expect_hold):
        x = rng.rand(batch, k).astype(np.float32)
        w = rng.rand(n, k).astype(np.float32)
        b = rng.rand(n).astype(np.float32)
        p = fc.parse({"num_hidden": n})
        want = np.empty((batch, n), np.float32)
        fc.kernel(p, [x, w, b], [want], ("write",), RT)
        got = np.empty_like(want)
        held.clear()
        run(p, [x, w, b], [got], ("write",), RT)
        np.testing.assert_allclose(got, want, rtol=1e-5)
        assert held == (["hold", 7] if expect_hold else [])

    check(64, 800, 500, False)  # no split kernel ran: OpenBLAS's threads
    x = rng.rand(64, 20, 12, 12).astype(np.float32)
    cp = conv.parse({"kernel": (5, 5), "num_filter": 50})
    _split.imperative_split_kernel(conv)(
        cp, [x, rng.rand(50, 20, 5, 5).astype(np.float32), np.zeros(50, np.float32)], [np.empty((64, 50, 8, 8), np.float32)], ("write",), RT
    )
    check(64, 800, 500, True)  # LeNet's 800->500 at batch 64, now in split mode
    check(40, 2000, 500, False)  # 40 rows: fewer than 32 per thread
    check(64, 50, 10, False)  # below the cost threshold
    _split._imperative_mode[0] = 0.0  # the mode's window over
    check(64, 800, 500, False)
    _split._IMPERATIVE.clear()
