"""Gluon core: names, parameters, imperative vs hybridized forward/backward, errors."""

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.base import MXNetError
from mxpy.gluon import nn


class MyModel(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense0 = nn.Dense(4, activation="tanh")
            self.dense1 = nn.Dense(3)
            self.scale = self.params.get_constant("scale", [1.0, 2.0, 3.0])

    def hybrid_forward(self, F, x, scale):
        h = self.dense0(x)
        return F.broadcast_mul(self.dense1(h), scale), h


def _mlp():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"), nn.Dense(5, activation="sigmoid"), nn.Dense(3))
    return net


def test_names_follow_mxnet():
    with mx.name.NameManager():
        d = nn.Dense(2)
        d1 = nn.Dense(2)
        m = MyModel()
        seq = _mlp()
    assert list(d.collect_params().keys()) == ["dense0_weight", "dense0_bias"]
    assert d1.name == "dense1"
    assert list(m.collect_params().keys()) == [
        "mymodel0_scale",
        "mymodel0_dense0_weight",
        "mymodel0_dense0_bias",
        "mymodel0_dense1_weight",
        "mymodel0_dense1_bias",
    ]
    assert list(seq.collect_params(".*bias").keys()) == ["hybridsequential0_dense0_bias", "hybridsequential0_dense1_bias", "hybridsequential0_dense2_bias"]
    assert sorted(seq._collect_params_with_prefix()) == sorted(f"{i}.{w}" for i in range(3) for w in ("weight", "bias"))
    assert nn.Dense(2, prefix="fc_").weight.name == "fc_weight"


def test_deferred_init_and_repr():
    net = _mlp()
    net.initialize()
    assert net[0].weight.shape == (8, 0)
    with pytest.raises(gluon.DeferredInitializationError):
        net[0].weight.data()
    net(mx.nd.ones((2, 7)))
    assert net[0].weight.shape == (8, 7)
    assert "Dense(7 -> 8, Activation(relu))" in repr(net)


@pytest.mark.parametrize("hybrid_first", [False, True])
def test_hybridized_matches_imperative(hybrid_first):
    rng = np.random.RandomState(0)
    net = MyModel()
    net.initialize(mx.init.Xavier())
    x = mx.nd.array(rng.rand(4, 6))
    x.attach_grad()

    def step():
        net.collect_params().zero_grad()
        with autograd.record():
            a, h = net(x)
            a2, _ = net(x * 2)  # a second call before backward: its own executor
            loss = (a * a).sum() + h.sum() + a2.sum()
        loss.backward()
        grads = [p.grad().asnumpy().copy() for p in net.collect_params().values() if p.grad_req != "null"]
        return a.asnumpy(), grads + [x.grad.asnumpy().copy()]

    if hybrid_first:
        net.hybridize()
        out1, g1 = step()
        net.hybridize(False)
        out2, g2 = step()
    else:
        out1, g1 = step()
        net.hybridize(static_alloc=True, static_shape=True)
        out2, g2 = step()
        out3, g3 = step()  # executors are reused once the graph is freed
        np.testing.assert_allclose(out3, out1, rtol=1e-6)
        assert [len(v) for v in net._cached_op._pool.values()] == [2]
    np.testing.assert_allclose(out2, out1, rtol=1e-5, atol=1e-6)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_hybridized_outputs_are_fresh_arrays():
    net = _mlp()
    net.initialize()
    net.hybridize()
    y1 = net(mx.nd.ones((2, 4)))
    y2 = net(mx.nd.zeros((2, 4)))
    assert not np.allclose(y1.asnumpy(), y2.asnumpy())
    y3 = net(mx.nd.ones((5, 4)))  # a new input signature
    assert y3.shape == (5, 3)
    np.testing.assert_allclose(y3.asnumpy()[:2], y1.asnumpy(), rtol=1e-6)


def test_training_converges_hybridized():
    rng = np.random.RandomState(1)
    X = rng.randn(64, 4).astype(np.float32)
    Y = (X @ rng.randn(4, 1)).astype(np.float32)
    net = nn.HybridSequential()
    net.add(nn.Dense(16, activation="relu"), nn.Dense(1))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    x, y = mx.nd.array(X), mx.nd.array(Y)
    params = list(net.collect_params().values())
    first = None
    for _ in range(60):
        with autograd.record():
            loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        for p in params:
            p.data()[:] = p.data() - 0.05 * p.grad()
        first = first if first is not None else float(loss.asscalar())
    assert float(loss.asscalar()) < 0.2 * first


def test_grad_req_add_and_null():
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One())
    net.collect_params().setattr("grad_req", "add")
    net.hybridize(inline_limit=0)
    x = mx.nd.ones((1, 3))
    for _ in range(2):
        with autograd.record():
            y = net(x)
        y.backward()
    np.testing.assert_allclose(net.weight.grad().asnumpy(), 2 * np.ones((2, 3)))
    net.weight.grad_req = "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        net.weight.grad()
    with autograd.record():
        y = net(x)
    y.backward()
    np.testing.assert_allclose(net.bias.grad().asnumpy(), [3.0, 3.0])


def test_several_contexts():
    ctxs = [mx.cpu(0), mx.cpu(1)]
    net = nn.Dense(2, in_units=3)
    net.initialize(mx.init.One(), ctx=ctxs)
    assert [str(a.context) for a in net.weight.list_data()] == ["cpu(0)", "cpu(1)"]
    net.hybridize(inline_limit=0)
    outs = []
    with autograd.record():
        for c in ctxs:
            outs.append(net(mx.nd.ones((1, 3), ctx=c)))
    autograd.backward(outs)
    for g in net.weight.list_grad():
        np.testing.assert_allclose(g.asnumpy(), np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="was not initialized on context"):
        net.weight.data(mx.cpu(2))
    net.reset_ctx(mx.cpu(3))
    assert net.weight.list_ctx() == [mx.cpu(3)]


def test_bad_input_errors():
    net = nn.Dense(2, in_units=3)
    with pytest.raises(RuntimeError, match="Parameter 'dense\\d+_weight' has not been initialized"):
        net(mx.nd.ones((1, 3)))
    net.initialize()
    with pytest.raises(MXNetError, match=r"Dense layer 'dense\d+'.*\(1, 5\).*in_units=3"):
        net(mx.nd.ones((1, 5)))

    class Bad(gluon.HybridBlock):
        def hybrid_forward(self, F, x):
            return x * float(x.asnumpy().sum())

    b = Bad()
    b.initialize()
    assert b(mx.nd.ones((2,))).asnumpy().tolist() == [2.0, 2.0]
    b.hybridize()
    with pytest.raises(MXNetError, match="test_gluon_block.py:.*asnumpy"):
        b(mx.nd.ones((2,)))
    with pytest.raises(ValueError, match="Children of HybridBlock must also be HybridBlock"):
        nn.HybridSequential().add(nn.Sequential())


def test_hooks_apply_cast():
    net = _mlp()
    net.initialize()
    seen = []
    h1 = net.register_forward_pre_hook(lambda blk, inp: seen.append(("pre", inp[0].shape)))
    h2 = net.register_forward_hook(lambda blk, inp, out: seen.append(("post", out.shape)))
    net(mx.nd.ones((2, 4)))
    assert seen == [("pre", (2, 4)), ("post", (2, 3))]
    h1.detach()
    h2.detach()
    net(mx.nd.ones((2, 4)))
    assert len(seen) == 2
    names = []
    net.apply(lambda b: names.append(type(b).__name__))
    assert names[-1] == "HybridSequential" and names.count("Dense") == 3
    net.cast("float64")
    assert net[0].weight.data().dtype == np.float64
    assert net(mx.nd.ones((2, 4), dtype="float64")).dtype == np.float64


def test_parameter_api():
    p = gluon.Parameter("w", shape=(2, 3), init=mx.init.Constant(2.0), lr_mult=0.5, wd_mult=0.0)
    with pytest.raises(RuntimeError, match="has not been initialized"):
        p.data()
    p.initialize()
    np.testing.assert_allclose(p.data().asnumpy(), 2 * np.ones((2, 3)))
    with pytest.warns(UserWarning, match="already initialized"):
        p.initialize()
    p.set_data(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(p.data().asnumpy(), np.ones((2, 3)))
    v = p.var()
    assert v.name == "w" and v.attr("__lr_mult__") == "0.5" and v.attr("__wd_mult__") == "0.0"
    with pytest.raises(ValueError, match="invalid shape"):
        gluon.Parameter("q", shape=(0, 3)).initialize()
    with pytest.raises(ValueError, match="grad_req must be one of"):
        gluon.Parameter("q", grad_req="sometimes")
    c = gluon.Constant("c", [[1, 2]])
    with pytest.warns(UserWarning, match="does not support grad_req"):
        c.grad_req = "write"
    assert c.grad_req == "null"
    pd = gluon.ParameterDict("net_")
    a = pd.get("a", shape=(0, 4))
    assert pd.get("a", shape=(3, 4)) is a and a.shape == (3, 4)
    with pytest.raises(AssertionError, match="does not match"):
        pd.get("a", lr_mult=3.0)
    other = gluon.ParameterDict("net_")
    other.get("a", shape=(3, 4))
    with pytest.raises(AssertionError, match="different Parameters with the same name"):
        pd.update(other)


def test_none_and_nested_inputs():
    class Add(gluon.HybridBlock):
        def hybrid_forward(self, F, a, b=None):
            return a if b is None else a + b[0] * b[1]

    x = mx.nd.ones((3,))
    blk = Add()
    want = blk(x, [x * 2, x * 3]).asnumpy()
    blk.hybridize()
    np.testing.assert_allclose(blk(x, [x * 2, x * 3]).asnumpy(), want)
    assert blk._cached_graph[0][0].name == "data0" and len(blk._cached_graph[0]) == 3
    with pytest.raises(ValueError, match="does not match the cached version"):
        blk(x)
    single = Add()
    single.hybridize()
    np.testing.assert_allclose(single(x).asnumpy(), x.asnumpy())
    np.testing.assert_allclose(single(x, None).asnumpy(), x.asnumpy())  # a trailing None matches
    with pytest.raises(ValueError, match="must be \\(nested\\) list of Symbol or NDArray"):
        Add().hybridize() or single(x, 1)
    with pytest.raises(ValueError, match="mixed NDArrays and Symbols"):
        Add()(x, [mx.sym.var("a"), x])


def test_register_op_hook():
    net = nn.HybridSequential(prefix="net_")
    with net.name_scope():
        net.add(nn.Dense(2, in_units=3), nn.Activation("relu"))
    net.initialize()
    net.hybridize()
    seen = []
    net.register_op_hook(lambda name, op, arr: seen.append((name, op, arr.shape)))
    net(mx.nd.ones((4, 3)))
    mx.nd.waitall()
    assert seen == [("net_dense0_fwd_output", "FullyConnected", (4, 2)), ("net_relu0_fwd_output", "Activation", (4, 2))]
    seen.clear()
    net.register_op_hook(lambda name, op, arr: seen.append(name), monitor_all=True)
    net(mx.nd.ones((4, 3)))
    mx.nd.waitall()
    # Activation declares no input names in MXNet: its monitored input is input0
    assert seen == [
        "net_dense0_fwd_data",
        "net_dense0_fwd_weight",
        "net_dense0_fwd_bias",
        "net_dense0_fwd_output",
        "net_relu0_fwd_input0",
        "net_relu0_fwd_output",
    ]


@pytest.mark.parametrize("limit,static,inlined", [(3, False, True), (0, False, False), (3, True, False)])
def test_inline_limit(limit, static, inlined):
    """MXNet records a graph of at most inline_limit operators op by op (not with static_alloc)."""
    import json

    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(4), nn.Dense(4), nn.Dense(2))
    net.initialize()
    x = mx.nd.ones((2, 3))
    want = net(x).asnumpy()
    net.hybridize(inline_limit=limit, static_alloc=static)
    with autograd.record():
        y = net(x)
    nodes = json.loads(autograd.get_symbol(y).tojson())["nodes"]
    assert len(nodes) == (10 if inlined else 8)  # data + 6 parameters + 3 FullyConnected, or one cached-op node
    y.backward()
    np.testing.assert_allclose(y.asnumpy(), want, rtol=1e-6)
    assert net[0].weight.grad().abs().sum().asscalar() > 0


def test_deferred_shapes_under_numpy_shape_semantics():
    # MXNet 1.9.1: under np_shape an unknown parameter dim reads -1 (0 would be an empty
    # dim), and deferred initialization still completes from the first input
    dense = nn.Dense(16)
    assert dense.weight.shape == (16, 0)
    with mx.np_shape(True):
        assert dense.weight.shape == (16, -1)
        dense.initialize()
        assert dense(mx.nd.zeros((2, 7))).shape == (2, 16)
        assert dense.weight.shape == (16, 7)
    assert dense.weight.shape == (16, 7)
    p = gluon.Parameter("w", shape=(0, 3))
    with mx.np_shape(True):
        assert p.shape == (-1, 3)
