"""The aggregated / mixed-precision optimizer operators (mxpy/ops/optimizer_multi.py), optimizer.LAMB's
aggregated and multi-precision paths, and onehot_encode / fill_element_0index / float32 exp / relu's
NaN gradient, replayed against MXNet 1.9.1 (tests/golden/make_optimizer_multi.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx

GOLD = np.load(Path(__file__).parent / "golden" / "optimizer_multi.npz")


def _case(name):
    ins = {k.split("/in/")[1]: GOLD[k] for k in GOLD.files if k.startswith(f"{name}/in/")}
    outs = {k.split("/out/")[1]: GOLD[k] for k in GOLD.files if k.startswith(f"{name}/out/")}
    return ins, outs, json.loads(str(GOLD[f"{name}/spec"]))


def _names(prefix):
    return sorted({k.split("/")[0] for k in GOLD.files if k.startswith(prefix)})


def _nd(a):
    return mx.nd.array(a, dtype=a.dtype)


def _close(got, want, rtol=1e-5, atol=1e-6):
    got = got.asnumpy() if isinstance(got, mx.nd.NDArray) else got
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", _names("mp_lamb_phase1"))
def test_mp_lamb_update_phase1(name):
    ins, outs, spec = _case(name)
    m, v = _nd(ins["mean"]), _nd(ins["var"])
    g = mx.nd.mp_lamb_update_phase1(_nd(ins["weight"]), _nd(ins["grad"]), m, v, _nd(ins["weight32"]), **spec)
    _close(g, outs["g"])
    _close(m, outs["mean"])
    _close(v, outs["var"])


@pytest.mark.parametrize("name", _names("mp_lamb_phase2"))
def test_mp_lamb_update_phase2(name):
    ins, outs, spec = _case(name)
    w32 = _nd(ins["weight32"])
    out = mx.nd.mp_lamb_update_phase2(_nd(ins["weight"]), _nd(ins["g"]), _nd(ins["r1"]), _nd(ins["r2"]), w32, **spec)
    _close(out, outs["out"], rtol=1e-3, atol=1e-3)
    _close(w32, outs["weight32"])  # MXNet 1.9.1 leaves the master copy as it was


@pytest.mark.parametrize("name", _names("multi_lamb_"))
def test_multi_lamb_update(name):
    ins, outs, spec = _case(name)
    mp = "True" in name
    arrays = {k: _nd(v) for k, v in ins.items()}
    pick = lambda slot: [arrays[f"{slot}_{i}"] for i in range(3)]  # noqa: E731
    w = pick("weight")
    if mp:
        mx.nd.contrib.multi_mp_lamb_update(w, pick("grad"), pick("mean"), pick("var"), pick("weight32"), out=w, **spec)
    else:
        mx.nd.contrib.multi_lamb_update(w, pick("grad"), pick("mean"), pick("var"), out=w, **spec)
    for i in range(3):
        tol = {"rtol": 1e-3, "atol": 1e-3} if mp else {}
        _close(arrays[f"weight_{i}"], outs[f"weight_{i}"], **tol)
        _close(arrays[f"mean_{i}"], outs[f"mean_{i}"])
        _close(arrays[f"var_{i}"], outs[f"var_{i}"])
        _close(arrays[f"weight32_{i}"], outs[f"weight32_{i}"])


def test_multi_sum_sq_and_multi_lars():
    for name in ("multi_sum_sq", "multi_sum_sq64"):
        ins, outs, spec = _case(name)
        got = mx.nd.multi_sum_sq(*[_nd(ins[f"a_{i}"]) for i in range(spec["num_arrays"])], **spec)
        _close(got, outs["out"])
    ins, outs, spec = _case("multi_lars")
    got = mx.nd.multi_lars(*[_nd(ins[k]) for k in ("lrs", "weights_sum_sq", "grads_sum_sq", "wds")], **spec)
    _close(got, outs["out"])


@pytest.mark.parametrize("name", _names("preloaded_"))
def test_preloaded_multi_sgd(name):
    ins, outs, spec = _case(name)
    op = name.rsplit("_", 1)[0]
    slots = ["weight", "grad"] + (["mom"] if "mom" in op else []) + (["weight32"] if "_mp_" in op else [])
    arrays = [_nd(ins[f"{s}_{i}"]) for i in range(2) for s in slots]
    k = len(slots)
    getattr(mx.nd, op)(*arrays, _nd(ins["lrs"]), _nd(ins["wds"]), out=arrays[0::k], **spec)
    for i in range(2):
        for j, s in enumerate(slots):
            if s != "grad":
                _close(arrays[i * k + j], outs[f"{s}_{i}"], rtol=1e-3 if s == "weight" and "_mp_" in op else 1e-5)


@pytest.mark.parametrize("name", _names("adamw_") + _names("mp_adamw_"))
def test_adamw_update(name):
    ins, outs, spec = _case(name)
    spec = dict(spec)
    scale = float(spec.pop("rescale_grad"))
    w, m, v = _nd(ins["weight"]), _nd(ins["mean"]), _nd(ins["var"])
    if name.startswith("mp_"):
        w32 = _nd(ins["weight32"])
        mx.nd.contrib.mp_adamw_update(w, _nd(ins["grad"]), m, v, w32, scale, out=w, **spec)
        _close(w32, outs["weight32"])
        _close(w, outs["weight"], rtol=1e-3, atol=1e-3)
    else:
        mx.nd.contrib.adamw_update(w, _nd(ins["grad"]), m, v, mx.nd.array([scale]), out=w, **spec)
        _close(w, outs["weight"])
    _close(m, outs["mean"])
    _close(v, outs["var"])


@pytest.mark.parametrize("name", _names("multi_adamw_"))
def test_multi_adamw_update(name):
    ins, outs, spec = _case(name)
    spec = dict(spec)
    scale = spec.pop("rescale_grad")
    mp = name.endswith("True")
    arrays = {k: _nd(v) for k, v in ins.items()}
    pick = lambda slot: [arrays[f"{slot}_{i}"] for i in range(2)]  # noqa: E731
    w = pick("weight")
    if mp:
        mx.nd.contrib.multi_mp_adamw_update(w, pick("grad"), pick("mean"), pick("var"), pick("weight32"), scale, out=w, **spec)
    else:
        mx.nd.contrib.multi_adamw_update(w, pick("grad"), pick("mean"), pick("var"), scale, out=w, **spec)
    for i in range(2):
        _close(arrays[f"weight_{i}"], outs[f"weight_{i}"], **({"rtol": 1e-3, "atol": 1e-3} if mp else {}))
        for s in ("mean", "var", "weight32"):
            _close(arrays[f"{s}_{i}"], outs[f"{s}_{i}"])


@pytest.mark.parametrize("name", _names("opt_lamb_"))
def test_lamb_optimizer_paths(name, monkeypatch):
    _, outs, spec = _case(name)
    dtype, agg = name.split("_")[2], name.split("_")[3]
    monkeypatch.setenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", agg)
    opt = mx.optimizer.LAMB(learning_rate=0.05, wd=0.01, clip_gradient=0.8, lower_bound=0.01, upper_bound=5.0, multi_precision=dtype == "float16")
    assert opt.aggregate_num == int(agg)
    upd = mx.optimizer.get_updater(opt)
    rs = np.random.RandomState(spec["seed"])
    ws = [mx.nd.array(rs.uniform(-1, 1, s), dtype=dtype) for s in ((4, 3), (3,), (2, 2))]
    for _ in range(3):
        gs = [mx.nd.array(rs.uniform(-1, 1, w.shape), dtype=dtype) for w in ws]
        upd(list(range(3)), gs, ws)
    tol = {"rtol": 2e-3, "atol": 2e-3} if dtype == "float16" else {"rtol": 1e-5, "atol": 1e-6}
    for i, w in enumerate(ws):
        _close(w, outs[f"w_{i}"], **tol)


def test_lamb_aggregation_env_bounds(monkeypatch):
    monkeypatch.setenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "100")
    assert mx.optimizer.LAMB().aggregate_num == 45
    monkeypatch.setenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "0")
    assert mx.optimizer.LAMB().aggregate_num == 1
    assert os.environ["MXNET_OPTIMIZER_AGGREGATION_SIZE"] == "0"


def test_adamw_skips_on_bad_scale():
    ins, outs, _ = _case("adamw_inf")
    w, m, v = _nd(ins["weight"]), _nd(ins["mean"]), _nd(ins["var"])
    fresh = mx.nd.contrib.adamw_update(w, _nd(ins["grad"]), m, v, float("inf"), lr=0.1, eta=1.0)
    _close(fresh, outs["weight"])  # a new output gets the weight unchanged
    _close(m, outs["mean"])
    _close(v, outs["var"])


def test_multi_ops_reject_bad_counts():
    w = mx.nd.ones((2,))
    with pytest.raises(mx.base.MXNetError, match="num_tensors=2 needs 8 inputs"):
        mx.nd._internal._multi_lamb_update(w, w, w, w, num_tensors=2, learning_rates=(0.1, 0.1), wds=(0, 0), step_count=(1, 1))
    with pytest.raises(mx.base.MXNetError, match="learning_rates has 1 values"):
        mx.nd._internal._multi_lamb_update(w, w, w, w, w, w, w, w, num_tensors=2, learning_rates=(0.1,), wds=(0, 0), step_count=(1, 1))
    with pytest.raises(mx.base.MXNetError, match="mean_0 has shape"):
        mx.nd.contrib.multi_lamb_update([w], [w], [mx.nd.ones((3,))], [w], step_count=[1], lrs=[0.1], wds=[0.0])
    with pytest.raises(mx.base.MXNetError, match="mean_0 has dtype float16, expected float32"):
        w16 = w.astype("float16")
        mx.nd.contrib.multi_mp_lamb_update([w16], [w16], [w16], [w], [w], step_count=[1], lrs=[0.1], wds=[0.0])


def test_onehot_encode_and_fill_element_0index():
    ins, outs, _ = _case("onehot_encode")
    out = mx.nd.zeros(outs["out"].shape)
    assert mx.nd.onehot_encode(_nd(ins["indices"]), out) is out
    _close(out, outs["out"])
    ins, outs, _ = _case("fill_element_0index")
    _close(mx.nd.fill_element_0index(_nd(ins["lhs"]), _nd(ins["mhs"]), _nd(ins["rhs"])), outs["out"])


def test_exp_float32_matches_mxnet():
    ins, outs, _ = _case("exp_f32")
    got = mx.nd.exp(_nd(ins["x"])).asnumpy()
    # MXNet's float32 exp is the C library's; a handful of values differ by one ulp from the
    # float64-rounded result mxpy computes (NumPy's own float32 loop differs in ~40% of them)
    ulp = np.abs(got.view(np.int32).astype(np.int64) - outs["out"].view(np.int32))
    assert ulp.max() <= 1 and (ulp > 0).mean() < 0.01
    assert mx.nd.exp(mx.nd.ones((1,))).asscalar() == np.float32(2.7182817)


def test_relu_gradient_passes_nan():
    ins, outs, _ = _case("relu_grad_nan")
    x = _nd(ins["x"])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.relu(x)
    y.backward(mx.nd.full((2, 3), 2.0))
    np.testing.assert_array_equal(y.asnumpy(), outs["y"])
    np.testing.assert_array_equal(x.grad.asnumpy(), outs["grad"])
