"""``mx.optimizer`` and the update operators against MXNet 1.9.1 (tests/golden/make_optimizer.py)."""

from __future__ import annotations

import io
import json
import os
import pickle
from contextlib import redirect_stdout

import numpy as np
import pytest

import mxpy as mx
import mxpy.lr_scheduler
import mxpy.optimizer as opt_mod
from mxpy import registry
from mxpy.base import MXNetError
from tests.conftest import queued_engine

GOLD = np.load(os.path.join(os.path.dirname(__file__), "golden", "optimizer.npz"))
SPEC = json.loads(str(GOLD["spec"]))


def _tol(dtype: str) -> dict:
    return {"rtol": 2e-3, "atol": 2e-3} if dtype == "float16" else {"rtol": 1e-5, "atol": 1e-6}


# -- update operators ---------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SPEC["op"]))
def test_update_op_matches_mxnet(key):
    spec = SPEC["op"][key]
    pre = f"op/{key}"
    dtype = spec["dtype"]
    w = mx.nd.array(GOLD[f"{pre}/w0"], dtype=dtype)
    states = [GOLD[f"{pre}/s0_{n}"] for n in spec["states"]]
    st = [mx.nd.array(a, dtype=a.dtype) for a in states]
    fn = getattr(mx.nd, spec["op"])
    for i in range(spec["steps"]):
        g = mx.nd.array(GOLD[f"{pre}/g{i}"], dtype=dtype)
        res = fn(w, g, *st, out=w, **spec["params"])
        assert res is w
        np.testing.assert_allclose(w.asnumpy().astype(np.float64), GOLD[f"{pre}/w{i + 1}"], err_msg=f"{key} step {i}", **_tol(dtype))
        for n, s in zip(spec["states"], st):
            np.testing.assert_allclose(s.asnumpy(), GOLD[f"{pre}/s{i + 1}_{n}"], rtol=1e-5, atol=1e-6, err_msg=f"{key} step {i} state {n}")


def test_update_op_without_out_leaves_weight_and_returns_new_array():
    w = mx.nd.array([1.0, 2.0])
    mom = mx.nd.zeros((2,))
    new = mx.nd.sgd_mom_update(w, mx.nd.array([1.0, 1.0]), mom, lr=0.5, momentum=0.9)
    np.testing.assert_array_equal(w.asnumpy(), [1.0, 2.0])
    np.testing.assert_allclose(new.asnumpy(), [0.5, 1.5])
    np.testing.assert_allclose(mom.asnumpy(), [-0.5, -0.5])  # the state is updated in place


def test_update_op_errors_name_op_and_argument():
    w = mx.nd.ones((2, 3))
    with pytest.raises(MXNetError, match="sgd_update: required parameter 'lr'"):
        mx.nd.sgd_update(w, mx.nd.ones((2, 3)))
    with pytest.raises(MXNetError, match="adam_update: .*shape"):
        mx.nd.adam_update(w, mx.nd.ones((2, 3)), mx.nd.zeros((3, 2)), mx.nd.zeros((2, 3)), lr=0.1)
    with pytest.raises(MXNetError, match="mp_sgd_update: .*float32"):
        mx.nd.mp_sgd_update(w.astype("float16"), mx.nd.ones((2, 3), dtype="float16"), mx.nd.ones((2, 3), dtype="float16"), lr=0.1)
    with pytest.raises(MXNetError, match="ftml_update: required parameter 't'"):
        z = mx.nd.zeros((2, 3))
        mx.nd.ftml_update(w, w, z, z, z, lr=0.1)


def test_update_ops_declare_mutated_inputs_as_aux():
    # MXNet's FMutateInputs: the dispatcher turns these into engine writes
    want = {"sgd_mom_update": ["mom"], "mp_sgd_mom_update": ["mom", "weight32"], "adam_update": ["mean", "var"], "ftml_update": ["d", "v", "z"]}
    for name, aux in want.items():
        op = registry.get(name)
        assert op.aux_names(op.parse({"lr": 0.1, "t": 1} if name == "ftml_update" else {"lr": 0.1})) == aux
    assert registry.get("sgd_update").aux_names(registry.get("sgd_update").parse({"lr": 0.1})) == []


def test_update_ops_order_on_threaded_engine():
    # many in-place updates of one weight and state, then a read: the engine must serialise them
    with mx.engine.engine_type(queued_engine()):
        w = mx.nd.zeros((64,))
        mom = mx.nd.zeros((64,))
        for _ in range(50):
            mx.nd.sgd_mom_update(w, mx.nd.ones((64,)), mom, lr=0.1, momentum=0.5, out=w)
        want_w, want_m = 0.0, 0.0
        for _ in range(50):
            want_m = 0.5 * want_m - 0.1
            want_w += want_m
        np.testing.assert_allclose(w.asnumpy(), want_w, rtol=1e-5)
        np.testing.assert_allclose(mom.asnumpy(), want_m, rtol=1e-5)


# -- optimizers through the Updater -------------------------------------------------------------


def _unflatten_check(key, state, struct_iter, arrays, pos):
    """Walk ``state`` along the golden structure string; compare arrays in order."""
    tag = next(struct_iter)
    if tag == "N":
        assert state is None, f"{key}: expected None state, got {type(state).__name__}"
        return pos
    if tag == "A":
        assert isinstance(state, mx.nd.NDArray), f"{key}: expected NDArray state, got {type(state).__name__}"
        want = arrays[pos]
        assert state.dtype == want.dtype, f"{key}: state dtype {state.dtype} vs {want.dtype}"
        np.testing.assert_allclose(state.asnumpy().astype(np.float64), want, rtol=1e-4, atol=1e-5, err_msg=f"{key} state {pos}")
        return pos + 1
    close = ")" if tag == "(" else "]"
    assert isinstance(state, tuple if tag == "(" else list), f"{key}: expected {tag} state, got {type(state).__name__}"
    for item in state:
        pos = _unflatten_check(key, item, struct_iter, arrays, pos)
    assert next(struct_iter) == close, f"{key}: state has the wrong length"
    return pos


def _build(spec):
    kw = dict(spec["kwargs"])
    if spec["sched"] is not None:
        kw["lr_scheduler"] = mx.lr_scheduler.FactorScheduler(**spec["sched"])
    if spec["sym_mults"] is not None:
        v = mx.sym.var("fc_weight", **spec["sym_mults"])
        kw["sym"] = mx.sym.FullyConnected(mx.sym.var("data"), weight=v, num_hidden=4, name="fc")
    with redirect_stdout(io.StringIO()):  # MXNet prints a note when learning_rate overrides the scheduler
        opt = mx.optimizer.create(spec["name"], param_idx2name={0: "fc_weight", 1: "fc_bias"}, **kw)
    if spec["mults"] is not None:
        opt.set_lr_mult({int(k) if k.isdigit() else k: v for k, v in spec["mults"].get("lr", {}).items()})
        opt.set_wd_mult({int(k) if k.isdigit() else k: v for k, v in spec["mults"].get("wd", {}).items()})
    return opt


def _run_case(key, upd=None):
    spec = SPEC["opt"][key]
    pre, dtype = f"opt/{key}", spec["dtype"]
    opt = _build(spec)
    upd = upd or mx.optimizer.get_updater(opt)
    ws = [mx.nd.array(GOLD[f"{pre}/w0_{i}"], dtype=dtype) for i in range(2)]
    for step in range(spec["steps"]):
        gs = [mx.nd.array(GOLD[f"{pre}/g{step}_{i}"], dtype=dtype) for i in range(2)]
        if spec["list_call"]:
            upd([0, 1], gs, ws)
        else:
            for i in range(2):
                upd(i, gs[i], ws[i])
    return spec, upd, ws


@pytest.mark.parametrize("key", sorted(SPEC["opt"]))
def test_optimizer_matches_mxnet(key):
    spec, upd, ws = _run_case(key)
    pre = f"opt/{key}"
    for i, w in enumerate(ws):
        want = GOLD[f"{pre}/w_{i}"]
        assert w.dtype == want.dtype
        np.testing.assert_allclose(
            w.asnumpy().astype(np.float64),
            want,
            err_msg=f"{key} weight {i}",
            **({"rtol": 2e-3, "atol": 2e-3} if spec["dtype"] == "float16" else {"rtol": 1e-4, "atol": 1e-5}),
        )
    for i in range(2):
        n = sum(f"{pre}/state{i}_{j}" in GOLD for j in range(16))
        arrays = [GOLD[f"{pre}/state{i}_{j}"] for j in range(n)]
        it = iter(spec["structs"][i])
        assert _unflatten_check(key, upd.states[i], it, arrays, 0) == n
        assert next(it, None) is None
    assert upd.optimizer.num_update == spec["num_update"]
    assert upd.optimizer.learning_rate == pytest.approx(spec["learning_rate"])


def test_updater_states_round_trip():
    spec, upd, ws = _run_case("adam")
    blob = upd.get_states()
    fresh = mx.optimizer.get_updater(_build(spec))
    fresh.set_states(blob)
    assert set(fresh.states) == {0, 1}
    assert fresh.states_synced == {0: False, 1: False}
    for a, b in zip(upd.states[0], fresh.states[0]):
        np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    # one more identical step from either side gives identical weights
    g = mx.nd.ones((3, 4))
    w1, w2 = ws[0].copy(), ws[0].copy()
    upd.optimizer._index_update_count[0] = 4
    fresh.optimizer._index_update_count[0] = 4
    upd(0, g, w1)
    fresh(0, g, w2)
    np.testing.assert_array_equal(w1.asnumpy(), w2.asnumpy())
    assert fresh.states_synced[0] is True


def test_updater_states_with_optimizer():
    spec, upd, _ = _run_case("sgd_sched")
    fresh = mx.optimizer.get_updater(mx.optimizer.create("sgd"))
    fresh.set_states(upd.get_states(dump_optimizer=True))
    assert isinstance(fresh.optimizer, mx.optimizer.SGD)
    assert fresh.optimizer.momentum == 0.5
    assert fresh.optimizer.num_update == upd.optimizer.num_update
    assert fresh.optimizer.learning_rate == pytest.approx(upd.optimizer.learning_rate)
    assert fresh.optimizer.param_dict == {}
    assert isinstance(pickle.loads(upd.get_states()), dict)


def test_sync_state_context_keeps_structure():
    upd = mx.optimizer.get_updater(mx.optimizer.create("sgd"))
    st = (mx.nd.ones((2,)), [mx.nd.zeros((1,)), None])
    out = upd.sync_state_context(st, mx.cpu(0))
    assert isinstance(out, tuple) and isinstance(out[1], list) and out[1][1] is None
    assert out[0].context == mx.cpu(0)
    assert upd.sync_state_context(None, mx.cpu(0)) is None


# -- registry, learning rates, multipliers --------------------------------------------------


def test_create_by_name_and_unknown_name():
    for name in ["sgd", "SGD", "nag", "adam", "adagrad", "rmsprop", "adadelta", "adamax", "nadam", "ftrl", "signum", "ftml", "dcasgd", "sgld", "test", "ccsgd"]:
        assert isinstance(mx.optimizer.create(name), mx.optimizer.Optimizer)
    assert type(mx.optimizer.Optimizer.create_optimizer("Adam")) is mx.optimizer.Adam
    with pytest.raises(ValueError, match="Cannot find optimizer nope.*adam.*sgd"):
        mx.optimizer.create("nope")
    with pytest.raises(TypeError):
        mx.optimizer.create("sgd", no_such_arg=1)


def test_register_custom_and_override_warning():
    @mx.optimizer.register
    class HalfStep(mx.optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            weight[:] -= 0.5 * self._get_lr(index) * grad

    try:
        o = mx.optimizer.create("halfstep", learning_rate=1.0)
        w = mx.nd.ones((2,))
        o.update(0, w, mx.nd.ones((2,)), None)
        np.testing.assert_allclose(w.asnumpy(), [0.5, 0.5])
        with pytest.warns(UserWarning, match="overriding existing optimizer"):
            mx.optimizer.register(type("HalfStep", (mx.optimizer.Optimizer,), {}))
    finally:
        del mx.optimizer.Optimizer.opt_registry["halfstep"]
    with pytest.raises(AssertionError):
        mx.optimizer.register(object())


def test_base_update_is_an_error():
    o = mx.optimizer.Optimizer()
    with pytest.raises(TypeError, match="Optimizer does not define update"):
        o.update(0, mx.nd.ones((1,)), mx.nd.ones((1,)), None)


def test_learning_rate_and_scheduler_protocol():
    o = mx.optimizer.SGD()
    assert o.learning_rate == 0.01
    o.set_learning_rate(0.3)
    assert o.learning_rate == 0.3

    class Halving:  # any callable with base_lr works as a scheduler
        base_lr = 1.0

        def __call__(self, num_update):
            return self.base_lr / 2**num_update

    o = mx.optimizer.SGD(lr_scheduler=Halving())
    assert o.lr is None and o.learning_rate == 1.0
    w = mx.nd.ones((1,))
    o.update(0, w, mx.nd.ones((1,)), None)
    assert o.num_update == 1 and o.learning_rate == 0.5
    np.testing.assert_allclose(w.asnumpy(), [0.5])  # lr at num_update 1
    with pytest.raises(UserWarning, match="LRScheduler of the optimizer has already been defined"):
        o.set_learning_rate(0.1)
    buf = io.StringIO()
    with redirect_stdout(buf):
        s = Halving()
        mx.optimizer.SGD(learning_rate=0.2, lr_scheduler=s)
    assert s.base_lr == 0.2 and "overwritten" in buf.getvalue()
    with pytest.raises(DeprecationWarning):
        o.set_lr_scale({})


def test_wd_and_lr_multipliers():
    o = mx.optimizer.SGD(learning_rate=0.1, wd=0.5, param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma", 3: "bn_beta"})
    assert [o._get_wd(i) for i in range(4)] == [0.5, 0.0, 0.5, 0.0]
    assert o._get_wd(9) == 0.5  # unnamed indices keep the base wd
    o.set_wd_mult({"fc_bias": 1.0, 0: 2.0})
    assert [o._get_wd(i) for i in range(4)] == [1.0, 0.5, 0.5, 0.0]
    o.set_lr_mult({1: 3.0, "bn_gamma": 0.5})
    assert o._get_lrs([0, 1, 2]) == pytest.approx([0.1, 0.3, 0.05])
    v = mx.sym.var("fc_weight", lr_mult=2.0, wd_mult=0.25)
    net = mx.sym.FullyConnected(mx.sym.var("data"), weight=v, num_hidden=2, name="fc")
    o = mx.optimizer.SGD(learning_rate=0.1, wd=0.4, sym=net, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    assert o.lr_mult == {"fc_weight": 2.0} and o._get_lr(0) == pytest.approx(0.2)
    assert o.wd_mult == {"fc_bias": 0.0, "fc_weight": 0.25} and o._get_wd(0) == pytest.approx(0.1)
    with pytest.raises(AssertionError, match="param_idx2name"):
        mx.optimizer.SGD(param_idx2name=[1, 2])


def test_param_dict_multipliers_win():
    class P:
        lr_mult, wd_mult = 4.0, 3.0

    o = mx.optimizer.SGD(learning_rate=0.1, wd=0.1, param_dict={0: P()}, param_idx2name={0: "fc_bias"})
    assert o._get_lr(0) == pytest.approx(0.4) and o._get_wd(0) == pytest.approx(0.3)
    assert "param_dict" not in o.__getstate__()


def test_update_counts_per_device_and_begin():
    o = mx.optimizer.SGD(begin_num_update=5)
    o._update_count([0, 1])
    o._update_count(0)
    assert o._index_update_count == {0: 7, 1: 6} and o.num_update == 7
    o._set_current_context(1)
    o._update_count(0)
    assert o._index_update_count == {0: 6} and o.num_update == 7
    o._set_current_context(0)
    assert o._index_update_count[0] == 7


def test_float16_without_multi_precision_warns():
    upd = mx.optimizer.get_updater(mx.optimizer.create("adam"))
    with pytest.warns(UserWarning, match="multi_precision"):
        upd(0, mx.nd.ones((2,), dtype="float16"), mx.nd.ones((2,), dtype="float16"))
    with pytest.warns(UserWarning, match="SGD optimizer"):
        mx.optimizer.SGD(momentum=0.9).create_state_multi_precision(0, mx.nd.ones((2,), dtype="float16"))


def test_adadelta_scales_the_given_gradient_in_place():
    o = mx.optimizer.AdaDelta(rescale_grad=0.5)
    w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    o.update(0, w, g, o.create_state(0, w))
    np.testing.assert_array_equal(g.asnumpy(), [0.5, 0.5])  # as MXNet: grad *= rescale_grad


def test_dcasgd_momentum_buffer_truth_as_mxnet():
    o = mx.optimizer.DCASGD(momentum=0.9, learning_rate=0.1)
    w = mx.nd.ones((2,))
    with pytest.raises(ValueError, match="ambiguous"):
        o.update(0, w, mx.nd.ones((2,)), o.create_state(0, w))


def test_sgld_noise_statistics():
    mx.random.seed(3)
    o = mx.optimizer.SGLD(learning_rate=0.04, wd=0.5)
    w = mx.nd.ones((20000,))
    o.update(0, w, mx.nd.ones((20000,)), o.create_state(0, w))
    got = w.asnumpy()
    mean = 1.0 - 0.04 / 2 * (1.0 + 0.5)
    assert abs(got.mean() - mean) < 0.01
    assert abs(got.std() - 0.2) < 0.01  # noise ~ N(0, sqrt(lr))


def test_sgd_aggregation_size_from_environment(monkeypatch):
    monkeypatch.setenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "1")
    o = mx.optimizer.SGD(learning_rate=0.1)
    assert o.aggregate_num == 1
    upd = mx.optimizer.get_updater(o)
    ws = [mx.nd.ones((2,)) for _ in range(3)]
    upd([0, 1, 2], [mx.nd.ones((2,))] * 3, ws)
    for w in ws:
        np.testing.assert_allclose(w.asnumpy(), [0.9, 0.9])
    assert o._index_update_count == {0: 1, 1: 1, 2: 1}


def test_updater_mismatched_lists():
    upd = mx.optimizer.get_updater(mx.optimizer.create("sgd"))
    with pytest.raises(ValueError, match="2 indices, 1 gradients"):
        upd([0, 1], [mx.nd.ones((1,))], [mx.nd.ones((1,)), mx.nd.ones((1,))])


def test_module_exports():
    for name in [
        "Optimizer",
        "Updater",
        "create",
        "get_updater",
        "register",
        "SGD",
        "NAG",
        "Adam",
        "AdaGrad",
        "RMSProp",
        "AdaDelta",
        "Adamax",
        "Nadam",
        "Ftrl",
        "Signum",
        "FTML",
        "DCASGD",
        "SGLD",
        "Test",
        "ccSGD",
    ]:
        assert hasattr(opt_mod, name), name
    assert opt_mod.optimizer.Optimizer is opt_mod.Optimizer


def test_update_op_nan_without_warnings():
    # 0/0 in Adam with epsilon=0 gives NaN silently, as MXNet's kernel does (warnings are errors here)
    w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    out = mx.nd.adam_update(w, z, mx.nd.zeros((2,)), mx.nd.zeros((2,)), lr=0.1, epsilon=0.0)
    assert np.isnan(out.asnumpy()).all()


_SGD_OPS = ("sgd", "sgd_clip", "sgd_mom", "mp_sgd", "mp_sgd_mom")


@pytest.mark.parametrize("key", _SGD_OPS)
def test_sgd_ops_are_bit_exact_with_mxnet(key):
    # the SGD family follows MXNet's operation order exactly, not just to a tolerance
    spec, pre = SPEC["op"][key], f"op/{key}"
    w = mx.nd.array(GOLD[f"{pre}/w0"], dtype=spec["dtype"])
    st = [mx.nd.array(GOLD[f"{pre}/s0_{n}"], dtype=GOLD[f"{pre}/s0_{n}"].dtype) for n in spec["states"]]
    for i in range(spec["steps"]):
        getattr(mx.nd, spec["op"])(w, mx.nd.array(GOLD[f"{pre}/g{i}"], dtype=spec["dtype"]), *st, out=w, **spec["params"])
        np.testing.assert_array_equal(w.asnumpy(), GOLD[f"{pre}/w{i + 1}"])
        for n, s in zip(spec["states"], st):
            np.testing.assert_array_equal(s.asnumpy(), GOLD[f"{pre}/s{i + 1}_{n}"])


@pytest.mark.parametrize("key", sorted(k for k in SPEC["opt"] if k.startswith(("sgd", "ccsgd"))))
def test_sgd_optimizer_is_bit_exact_with_mxnet(key):
    _, _, ws = _run_case(key)
    for i, w in enumerate(ws):
        np.testing.assert_array_equal(w.asnumpy(), GOLD[f"opt/{key}/w_{i}"])
