"""Executors: bind/simple_bind, forward/backward, grad_req, planning, reshape, group2ctx."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx


def mlp(hidden=8, classes=3):
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=hidden, name="fc1")
    act = mx.sym.Activation(fc1, act_type="relu", name="relu1")
    fc2 = mx.sym.FullyConnected(act, num_hidden=classes, name="fc2")
    return mx.sym.SoftmaxOutput(fc2, name="sm")


def fill(ex, seed=0):
    rng = np.random.default_rng(seed)
    vals = {}
    for name, arr in ex.arg_dict.items():
        v = rng.standard_normal(arr.shape).astype(np.float32)
        if name == "sm_label":
            v = rng.integers(0, 3, arr.shape).astype(np.float32)
        arr[:] = v
        vals[name] = v
    return vals


def reference(vals):
    x, w1, b1, w2, b2, y = (vals[k] for k in ("data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias", "sm_label"))
    h = x @ w1.T + b1
    a = np.maximum(h, 0)
    o = a @ w2.T + b2
    p = np.exp(o - o.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    go = p.copy()
    go[np.arange(len(y)), y.astype(int)] -= 1
    ga = go @ w2
    gh = ga * (h > 0)
    grads = {"fc2_weight": go.T @ a, "fc2_bias": go.sum(0), "fc1_weight": gh.T @ x, "fc1_bias": gh.sum(0), "data": gh @ w1, "sm_label": np.zeros_like(y)}
    return p, grads


def test_forward_backward_match_numpy(each_engine):
    ex = mlp().simple_bind(mx.cpu(), data=(5, 4))
    vals = fill(ex)
    ex.forward(is_train=True)
    ex.backward()
    p, grads = reference(vals)
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), p, rtol=1e-5, atol=1e-6)
    for name, g in grads.items():
        np.testing.assert_allclose(ex.grad_dict[name].asnumpy(), g, rtol=1e-4, atol=1e-5, err_msg=name)


def test_grad_req_add_accumulates_and_null_allocates_nothing():
    sym = mlp()
    ex = sym.simple_bind(mx.cpu(), grad_req={"fc1_weight": "add", "fc2_weight": "write"}, data=(5, 4))
    fill(ex)
    assert ex.grad_dict["data"] is None and ex.grad_dict["fc1_bias"] is None
    ex.forward(is_train=True)
    ex.backward()
    once = ex.grad_dict["fc1_weight"].asnumpy().copy()
    w2 = ex.grad_dict["fc2_weight"].asnumpy().copy()
    ex.forward(is_train=True)
    ex.backward()
    np.testing.assert_allclose(ex.grad_dict["fc1_weight"].asnumpy(), 2 * once, rtol=1e-5)
    np.testing.assert_allclose(ex.grad_dict["fc2_weight"].asnumpy(), w2, rtol=1e-6)


def test_executor_reads_current_weights_after_inplace_update():
    # MXNet 1.9.1's CPU graph rewrite cached FullyConnected weights; mxpy must not
    ex = mlp().simple_bind(mx.cpu(), grad_req="null", data=(5, 4))
    vals = fill(ex)
    first = ex.forward()[0].asnumpy().copy()
    ex.arg_dict["fc1_weight"][:] = ex.arg_dict["fc1_weight"] * 3
    vals["fc1_weight"] = vals["fc1_weight"] * 3
    second = ex.forward()[0].asnumpy()
    assert not np.allclose(first, second)
    np.testing.assert_allclose(second, reference(vals)[0], rtol=1e-5, atol=1e-6)


def test_bind_shares_arrays_like_the_tutorial():
    sym = mlp()
    train = sym.simple_bind(mx.cpu(), grad_req="write", data=(5, 4))
    test = sym.bind(mx.cpu(), args=train.arg_arrays, grad_req="null")
    vals = fill(train)
    test.forward()
    np.testing.assert_allclose(test.outputs[0].asnumpy(), reference(vals)[0], rtol=1e-5, atol=1e-6)
    assert test.arg_dict["fc1_weight"] is train.arg_dict["fc1_weight"]


def test_bind_missing_argument_is_value_error():
    sym = mlp()
    args = {"data": mx.nd.ones((5, 4))}
    with pytest.raises(ValueError, match="fc1_weight"):
        sym.bind(mx.cpu(), args)


def test_bind_wrong_shape_names_the_argument():
    sym = mlp()
    ex = sym.simple_bind(mx.cpu(), data=(5, 4))
    args = dict(ex.arg_dict)
    args["fc1_weight"] = mx.nd.ones((7, 4))
    with pytest.raises(mx.MXNetError, match=r"fc1.*weight.*\(7, 4\).*\(8, 4\)"):
        sym.bind(mx.cpu(), args)


def test_forward_with_wrong_shape_leaves_executor_unchanged():
    ex = mlp().simple_bind(mx.cpu(), grad_req="null", data=(5, 4))
    fill(ex)
    before = ex.arg_dict["data"].asnumpy().copy()
    with pytest.raises(ValueError, match="data"):
        ex.forward(data=mx.nd.ones((2, 4)), sm_label=mx.nd.zeros((5,)))
    np.testing.assert_array_equal(ex.arg_dict["data"].asnumpy(), before)
    with pytest.raises(mx.MXNetError, match="nosuch"):
        ex.forward(nosuch=mx.nd.ones((1,)))


def test_backward_of_non_loss_head_needs_out_grads():
    x = mx.sym.Variable("x")
    y = mx.sym.FullyConnected(x, num_hidden=2, name="fc")
    ex = y.simple_bind(mx.cpu(), x=(3, 4))
    ex.forward(is_train=True)
    with pytest.raises(mx.MXNetError, match="head gradient is required"):
        ex.backward()
    ex.backward([mx.nd.ones((3, 2))])
    np.testing.assert_allclose(ex.grad_dict["fc_bias"].asnumpy(), [3.0, 3.0])


def test_debug_str_reports_planned_memory(monkeypatch):
    ex = mlp(hidden=1024).simple_bind(mx.cpu(), data=(256, 1024))
    text = ex.debug_str()
    assert "Total " in text and " MB allocated" in text
    with_inplace = ex._plan.total_bytes
    monkeypatch.setenv("MXNET_EXEC_ENABLE_INPLACE", "false")
    ex2 = mlp(hidden=1024).simple_bind(mx.cpu(), data=(256, 1024))
    assert ex2._plan.inplace_count == 0 and ex._plan.inplace_count > 0
    assert ex2._plan.total_bytes >= with_inplace
    assert ex._plan.total_bytes < ex._plan.naive_bytes


def test_deep_mlp_plans_no_more_than_mxnet():
    # MXNet 1.9.1 plans 10 MB (training) and 1 MB (inference) for this net
    x = mx.sym.Variable("data")
    for i in range(20):
        x = mx.sym.Activation(mx.sym.FullyConnected(x, num_hidden=1024, name=f"fc{i}"), act_type="relu")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(x, num_hidden=10, name="out"), name="softmax")
    req = {n: ("null" if n in ("data", "softmax_label") else "write") for n in net.list_arguments()}
    train = net.simple_bind(mx.cpu(), grad_req=req, data=(128, 784))
    infer = net.simple_bind(mx.cpu(), grad_req="null", data=(128, 784))
    assert train._plan.total_bytes >> 20 <= 10
    assert infer._plan.total_bytes >> 20 <= 1


def test_reshape_shares_parameters():
    ex = mlp().simple_bind(mx.cpu(), data=(5, 4))
    fill(ex)
    small = ex.reshape(data=(2, 4), sm_label=(2,))
    assert small.arg_dict["fc1_weight"] is ex.arg_dict["fc1_weight"]
    assert small.arg_dict["data"].shape == (2, 4)
    with pytest.raises(mx.MXNetError, match="allow_up_sizing"):
        ex.reshape(data=(9, 4), sm_label=(9,))
    big = ex.reshape(allow_up_sizing=True, data=(9, 4), sm_label=(9,))
    assert big.arg_dict["data"].shape == (9, 4)


def test_group2ctx_matches_one_context():
    with mx.AttrScope(ctx_group="dev1"):
        data = mx.sym.Variable("data")
        a1 = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu")
    with mx.AttrScope(ctx_group="dev2"):
        out = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(a1, num_hidden=3, name="fc2"), name="sm")
    ex = out.simple_bind(mx.cpu(0), group2ctx={"dev1": mx.cpu(1), "dev2": mx.cpu(2)}, data=(4, 5))
    ref = out.simple_bind(mx.cpu(0), data=(4, 5))
    assert ex.arg_dict["fc1_weight"].context == mx.cpu(1)
    assert ex.arg_dict["fc2_weight"].context == mx.cpu(2)
    vals = fill(ex)
    for k, v in vals.items():
        ref.arg_dict[k][:] = v
    for e in (ex, ref):
        e.forward(is_train=True)
        e.backward()
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), ref.outputs[0].asnumpy(), rtol=1e-6)
    for k in vals:
        np.testing.assert_allclose(ex.grad_dict[k].asnumpy(), ref.grad_dict[k].asnumpy(), rtol=1e-6, err_msg=k)
    assert any(st.name == "_copyto" for st in ex._fwd_steps)


def test_monitor_callback_sees_every_output():
    ex = mlp().simple_bind(mx.cpu(), grad_req="null", data=(5, 4))
    fill(ex)
    seen = []
    ex.set_monitor_callback(lambda name, arr: seen.append((name, arr.shape)))
    ex.forward()
    names = [n for n, _ in seen]
    assert names == ["fc1_output", "relu1_output", "fc2_output", "sm_output"]


def test_outputs_and_dicts():
    ex = mlp().simple_bind(mx.cpu(), data=(5, 4))
    assert list(ex.output_dict) == ["sm_output"]
    assert set(ex.arg_dict) == {"data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias", "sm_label"}
    assert ex.aux_dict == {}
    ex.copy_params_from({"fc1_bias": mx.nd.ones((8,))})
    np.testing.assert_array_equal(ex.arg_dict["fc1_bias"].asnumpy(), np.ones(8))
    with pytest.raises(ValueError, match="nosuch"):
        ex.copy_params_from({"nosuch": mx.nd.ones((1,))})


def test_grad_req_add_with_a_gradient_shared_by_two_inputs():
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    y = mx.sym.exp(a + b)
    args = {"a": mx.nd.array([0.5]), "b": mx.nd.array([0.25])}
    grads = {"a": mx.nd.ones((1,)), "b": mx.nd.ones((1,))}
    ex = y.bind(mx.cpu(), args, args_grad=grads, grad_req="add")
    ex.forward(is_train=True)
    ex.backward([mx.nd.ones((1,))])
    want = 1 + np.exp(0.75)
    np.testing.assert_allclose(grads["a"].asnumpy(), [want], rtol=1e-6)
    np.testing.assert_allclose(grads["b"].asnumpy(), [want], rtol=1e-6)
