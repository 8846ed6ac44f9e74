"""The aggregated ``multi_*sgd*_update`` ops against MXNet 1.9.1 (tests/golden/make_optimizer.py, part 3)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

GOLD = np.load(os.path.join(os.path.dirname(__file__), "golden", "optimizer.npz"))
SPEC = json.loads(str(GOLD["spec"]))["multi"]


@pytest.mark.parametrize("key", sorted(SPEC))
def test_multi_update_matches_mxnet(key):
    spec = SPEC[key]
    pre, dtype, n_states = f"multi/{key}", spec["dtype"], spec["n_states"]
    ws = [mx.nd.array(GOLD[f"{pre}/w0_{i}"], dtype=dtype) for i in range(2)]
    sts = [[mx.nd.array(GOLD[f"{pre}/s0_{i}_{j}"]) for j in range(n_states)] for i in range(2)]
    fn = getattr(mx.nd, spec["op"])
    for step in range(spec["steps"]):
        flat = []
        for i in range(2):
            flat += [ws[i], mx.nd.array(GOLD[f"{pre}/g{step}_{i}"], dtype=dtype), *sts[i]]
        res = fn(*flat, out=ws, num_weights=2, **spec["params"])
        assert res is ws
        for i in range(2):
            got = ws[i].asnumpy()
            assert got.dtype == np.dtype(dtype)
            # bit for bit: the kernels run MXNet's operation order
            np.testing.assert_array_equal(got, GOLD[f"{pre}/w{step + 1}_{i}"], err_msg=f"{key} step {step} weight {i}")
            for j, s in enumerate(sts[i]):
                np.testing.assert_array_equal(s.asnumpy(), GOLD[f"{pre}/s{step + 1}_{i}_{j}"], err_msg=f"{key} step {step} state {i}.{j}")


def test_multi_update_is_bit_identical_to_single_ops():
    # aggregation saves dispatches only: each weight runs the single op's kernel
    rng = np.random.RandomState(0)
    shapes = [(7, 3), (11,), (2, 2, 2)]
    params = {"rescale_grad": 0.37, "clip_gradient": 0.9, "momentum": 0.85}
    lrs, wds = (0.1, 0.03, 0.2), (0.01, 0.0, 0.3)
    w0 = [rng.uniform(-1, 1, s).astype(np.float32) for s in shapes]
    gs = [rng.uniform(-3, 3, s).astype(np.float32) for s in shapes]
    multi_w = [mx.nd.array(a) for a in w0]
    multi_m = [mx.nd.zeros(s) for s in shapes]
    single_w = [mx.nd.array(a) for a in w0]
    single_m = [mx.nd.zeros(s) for s in shapes]
    for _ in range(3):
        flat = [a for w, g, m in zip(multi_w, gs, multi_m) for a in (w, mx.nd.array(g), m)]
        mx.nd.multi_sgd_mom_update(*flat, out=multi_w, num_weights=3, lrs=lrs, wds=wds, **params)
        for w, g, m, lr, wd in zip(single_w, gs, single_m, lrs, wds):
            mx.nd.sgd_mom_update(w, mx.nd.array(g), m, out=w, lr=lr, wd=wd, **params)
    for a, b in zip(multi_w + multi_m, single_w + single_m):
        assert np.array_equal(a.asnumpy(), b.asnumpy())


def test_multi_update_orders_momentum_writes_on_threaded_engine():
    # the momenta sit between other inputs; the engine must still see them as writes
    with mx.engine.engine_type("ThreadedEngine"):
        w, m = mx.nd.zeros((64,)), mx.nd.zeros((64,))
        for _ in range(30):
            mx.nd.multi_sgd_mom_update(w, mx.nd.ones((64,)), m, out=[w], lrs=(0.1,), wds=(0.0,), momentum=0.5)
        want_w = want_m = 0.0
        for _ in range(30):
            want_m = 0.5 * want_m - 0.1
            want_w += want_m
        np.testing.assert_allclose(w.asnumpy(), want_w, rtol=1e-5)
        np.testing.assert_allclose(m.asnumpy(), want_m, rtol=1e-5)


def test_multi_update_bad_input_names_op_and_argument():
    w0, w1 = mx.nd.ones((2,)), mx.nd.ones((3,))
    with pytest.raises(MXNetError, match="multi_sgd_update: lrs has 1 values, expected num_weights=2"):
        mx.nd.multi_sgd_update(w0, w0, w1, w1, lrs=(0.1,), wds=(0.0, 0.0), num_weights=2)
    with pytest.raises(MXNetError, match=r"multi_sgd_update: grad_1 has shape \(2,\), expected weight_1's shape \(3,\)"):
        mx.nd.multi_sgd_update(w0, w0, w1, w0, lrs=(0.1, 0.1), wds=(0.0, 0.0), num_weights=2)
    with pytest.raises(MXNetError, match="multi_sgd_mom_update: num_weights=2 needs 6 inputs"):
        mx.nd.multi_sgd_mom_update(w0, w0, w1, w1, lrs=(0.1, 0.1), wds=(0.0, 0.0), num_weights=2)
    with pytest.raises(MXNetError, match="multi_mp_sgd_update: weight32_0 has dtype float16, expected float32"):
        h = mx.nd.ones((2,), dtype="float16")
        mx.nd.multi_mp_sgd_update(h, h, h, lrs=(0.1,), wds=(0.0,))
    np.testing.assert_array_equal(w0.asnumpy(), [1, 1])  # failed calls changed nothing
    np.testing.assert_array_equal(w1.asnumpy(), [1, 1, 1])


def test_multi_update_in_a_symbol_lists_momenta_as_aux_states():
    s = mx.sym.multi_sgd_mom_update(mx.sym.var("w"), mx.sym.var("g"), mx.sym.var("m"), lrs=(0.5,), wds=(0.0,), momentum=0.9)
    assert s.list_arguments() == ["w", "g"]
    assert s.list_auxiliary_states() == ["m"]
    ex = s.bind(mx.cpu(), {"w": mx.nd.ones((2,)), "g": mx.nd.ones((2,))}, aux_states={"m": mx.nd.zeros((2,))})
    out = ex.forward()[0].asnumpy()
    np.testing.assert_allclose(out, [0.5, 0.5])
    np.testing.assert_allclose(ex.aux_dict["m"].asnumpy(), [-0.5, -0.5])
