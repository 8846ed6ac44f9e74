"""The aggregated ``multi_*sgd*_update`` ops against MXNet 1.9.1 (tests/golden/make_optimizer.py, part 3)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from tests.conftest import queued_engine

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
    with mx.engine.engine_type(queued_engine()):
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


def _sgd_mom_run(fresh: bool, steps: int = 4):
    """Momentum SGD over a few steps, reusing one set of arrays (prepared pushes replay)
    or copying into new arrays before every call (every call checked afresh)."""
    rng = np.random.default_rng(7)
    w, m, g = mx.nd.array(rng.standard_normal((3, 4))), mx.nd.zeros((3, 4)), mx.nd.zeros((3, 4))
    out = []
    for step in range(steps):
        g[:] = rng.standard_normal((3, 4))  # in place, as an executor's gradient array
        if fresh:
            w, m, g = w.copy(), m.copy(), g.copy()
        lr = 0.1 if step < 2 else 0.05  # a new lr: new params, a new prepared entry
        mx.nd.sgd_mom_update(w, g, m, lr=lr, momentum=0.9, wd=0.01, out=w)
        out.append(w.asnumpy().copy())
    return out


def test_prepared_update_pushes_replay_the_same_arithmetic(monkeypatch):
    from mxpy.ndarray import dispatch

    dispatch._PREPARED.clear()
    built = []
    real = dispatch._push_args
    monkeypatch.setattr(dispatch, "_push_args", lambda op, *a: (op.name == "sgd_mom_update" and built.append(op.name)) or real(op, *a))
    kept = _sgd_mom_run(fresh=False)
    assert built == ["sgd_mom_update"] * 2  # steps 0 and 2 (a new lr); steps 1 and 3 replayed
    built.clear()
    for a, b in zip(kept, _sgd_mom_run(fresh=True)):
        np.testing.assert_array_equal(a, b)
    assert built == ["sgd_mom_update"] * 4  # new arrays every step: nothing to replay


def test_prepared_updates_follow_new_gradients_and_writes():
    """A replayed push reads the arrays' current contents: a gradient or weight written
    between two updates (in place, so the same buffers) is what the next update sees."""
    from mxpy.ndarray import dispatch

    w, g = mx.nd.ones((4,)), mx.nd.ones((4,))
    mx.nd.sgd_update(w, g, lr=0.5, out=w)
    mx.nd.sgd_update(w, g, lr=0.5, out=w)  # replayed
    assert w.asnumpy().tolist() == [0.0] * 4
    g[:] = 2.0
    w[:] = 10.0
    mx.nd.sgd_update(w, g, lr=0.5, out=w)
    assert w.asnumpy().tolist() == [9.0] * 4
    with mx.autograd.train_mode():  # another Runtime: its own entry
        mx.nd.sgd_update(w, g, lr=0.5, out=w)
    assert w.asnumpy().tolist() == [8.0] * 4
    keys = [k for k in dispatch._PREPARED if k[0].name == "sgd_update" and k[2][0][0] == id(w._data)]
    assert sorted(k[1] for k in keys) == [False, True]


def test_prepared_pushes_are_bounded_and_skip_other_ops():
    from mxpy.ndarray import dispatch

    dispatch._PREPARED.clear()
    for _ in range(dispatch._PREPARED_MAX + 5):
        w = mx.nd.ones((2,))
        mx.nd.sgd_update(w, mx.nd.ones((2,)), lr=0.1, out=w)
    assert 0 < len(dispatch._PREPARED) <= dispatch._PREPARED_MAX
    a = mx.nd.ones((2,))
    mx.nd.relu(a, out=a)  # not an update: never kept
    assert all(k[0].name.endswith("_update") for k in dispatch._PREPARED)
