"""PythonModule/PythonLossModule, FeedForward(sym_gen), group2ctx Modules, Executor.reshape memory,
from_numpy write-through, bind/simple_bind argument rules, negative seeds, contrib.amp loss scaling."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError


def _mlp():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    return mx.sym.FullyConnected(mx.sym.Activation(fc1, act_type="relu"), num_hidden=3, name="fc2")


def test_python_loss_module_drives_the_gradient_of_a_sequential_module():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 5)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)

    def softmax_grad(scores, labels):  # d(cross-entropy)/d(scores), as SoftmaxOutput's
        s = scores.asnumpy()
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(p)), labels.asnumpy().astype(int)] -= 1
        return p

    mlp = mx.mod.Module(_mlp(), context=mx.cpu(), label_names=None)
    loss = mx.mod.PythonLossModule(grad_func=softmax_grad)
    seq = mx.mod.SequentialModule().add(mlp).add(loss, take_labels=True, auto_wiring=True)
    it = mx.io.NDArrayIter(x, y, batch_size=10)
    seq.bind(it.provide_data, it.provide_label)
    seq.init_params(mx.init.Xavier())
    seq.init_optimizer(optimizer_params={"learning_rate": 0.5})
    batch = next(iter(it))
    seq.forward(batch, is_train=True)
    seq.backward()
    want = softmax_grad(loss.get_outputs()[0], batch.label[0])
    np.testing.assert_allclose(loss.get_input_grads()[0].asnumpy(), want, rtol=1e-6)
    assert loss.output_shapes == [("pyloss_output", (10, 3))]
    # training through fit reduces the error (compare the reference: SoftmaxOutput in one Module)
    metric = mx.metric.Accuracy()
    seq.fit(it, num_epoch=15, eval_metric=metric, optimizer_params={"learning_rate": 0.5}, force_init=True)
    assert seq.score(it, "acc")[0][1] > 0.9
    with pytest.raises(MXNetError, match="out_grads should be None"):
        loss.backward(out_grads=[mx.nd.ones((10, 3))])


def test_python_module_checks():
    m = mx.mod.PythonLossModule()
    with pytest.raises(MXNetError, match="do not match data names"):
        m.bind([("x", (2, 3))], [("softmax_label", (2,))])
    with pytest.raises(MXNetError, match="only support write"):
        m.bind([("data", (2, 3))], [("softmax_label", (2,))], grad_req="add")
    m.bind([("data", (2, 3))], [("softmax_label", (2,))])
    m.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]), is_train=True)
    with pytest.raises(MXNetError, match="no grad_func"):
        m.backward()
    assert m.get_params() == ({}, {})
    with pytest.raises(TypeError, match="callable"):
        mx.mod.PythonLossModule(grad_func=3)

    class Bare(mx.mod.PythonModule):
        pass

    with pytest.raises(MXNetError, match="_compute_output_shapes"):
        Bare(["data"], None, ["out"]).bind([("data", (1,))])


def test_feedforward_with_sym_gen_trains_a_bucketing_model():
    rng = np.random.RandomState(0)
    sents = [list(rng.randint(1, 6, n)) for n in rng.choice([3, 5], 80)]
    it = mx.rnn.BucketSentenceIter(sents, batch_size=8, buckets=[3, 5], invalid_label=0)

    def sym_gen(seq_len):
        emb = mx.sym.Embedding(mx.sym.Variable("data"), input_dim=6, output_dim=4, name="embed")
        pred = mx.sym.FullyConnected(mx.sym.Reshape(emb, shape=(-1, 4)), num_hidden=6, name="pred")
        return mx.sym.SoftmaxOutput(pred, mx.sym.Reshape(mx.sym.Variable("softmax_label"), shape=(-1,)), name="softmax")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model = mx.model.FeedForward(sym_gen, num_epoch=2, learning_rate=0.1, initializer=mx.init.Xavier())
        assert model.symbol is None
        model.fit(it, eval_metric=mx.metric.Perplexity(0))
    assert sorted(model.arg_params) == ["embed_weight", "pred_bias", "pred_weight"]
    assert model.symbol.list_arguments() == sym_gen(5).list_arguments()
    with pytest.raises(TypeError, match="sym_gen"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        mx.model.FeedForward(3)


def _mf_net(max_user, max_item, k):
    with mx.AttrScope(ctx_group="dev1"):
        user = mx.sym.Embedding(mx.sym.Variable("user"), weight=mx.sym.Variable("user_weight"), input_dim=max_user, output_dim=k)
        item = mx.sym.Embedding(mx.sym.Variable("item"), weight=mx.sym.Variable("item_weight"), input_dim=max_item, output_dim=k)
    with mx.AttrScope(ctx_group="dev2"):
        user = mx.sym.FullyConnected(mx.sym.Activation(user, act_type="relu"), num_hidden=k, name="fc_user")
        item = mx.sym.FullyConnected(mx.sym.Activation(item, act_type="relu"), num_hidden=k, name="fc_item")
        pred = mx.sym.Flatten(mx.sym.sum(user * item, axis=1))
        return mx.sym.LinearRegressionOutput(pred, mx.sym.Variable("score"))


def test_model_parallel_module_updates_parameters_where_they_live():
    """MXNet's example/model-parallel/matrix_factorization on two (CPU) device groups."""
    rng = np.random.RandomState(0)
    users, items = rng.randint(0, 20, 600), rng.randint(0, 30, 600)
    uf, vf = rng.rand(20, 3), rng.rand(30, 3)
    scores = (uf[users] * vf[items]).sum(1).astype(np.float32)
    it = mx.io.NDArrayIter({"user": users.astype(np.float32), "item": items.astype(np.float32)}, {"score": scores}, batch_size=50)
    group2ctxs = {"dev1": [mx.cpu(0)] * 2, "dev2": [mx.cpu(1), mx.cpu(2)]}
    mod = mx.mod.Module(_mf_net(20, 30, 6), context=[mx.cpu(0)] * 2, data_names=["user", "item"], label_names=["score"], group2ctxs=group2ctxs)
    metric = mx.metric.create(["MSE"])
    mod.fit(
        it,
        eval_metric=metric,
        num_epoch=1,
        optimizer="sgd",
        optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "rescale_grad": 1 / 50.0},
        initializer=mx.init.Xavier(),
    )
    first = mod.score(it, "mse")[0][1]
    it.reset()
    with warnings.catch_warnings():  # "already initialized": fit continues from where it was
        warnings.simplefilter("ignore", UserWarning)
        mod.fit(
            it,
            eval_metric=metric,
            num_epoch=4,
            begin_epoch=1,
            optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "rescale_grad": 1 / 50.0},
        )
    assert mod.score(it, "mse")[0][1] < first
    execs = mod._exec_group.execs
    assert [str(e.arg_dict["fc_user_weight"].context) for e in execs] == ["cpu(1)", "cpu(2)"]
    assert [str(e.arg_dict["user_weight"].context) for e in execs] == ["cpu(0)", "cpu(0)"]
    # every copy of a parameter got the same update, on its own device
    np.testing.assert_allclose(execs[0].arg_dict["fc_user_weight"].asnumpy(), execs[1].arg_dict["fc_user_weight"].asnumpy(), rtol=1e-6)
    text = execs[0].debug_str()
    assert "Op:_CrossDeviceCopy" in text and "from cpu(0) to cpu(1)" in text


def test_executor_reshape_shares_output_memory():
    y = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4)
    exe = y.simple_bind(mx.cpu(), x=(5, 4), grad_req="null")
    exe.arg_arrays[0][:] = 1
    exe.arg_arrays[1][:] = 1
    exe.arg_arrays[2][:] = 0
    small = exe.reshape(x=(3, 4))
    small.forward()
    assert (small.outputs[0].asnumpy() == 4).all()
    assert (exe.outputs[0].asnumpy()[:3] == 4).all()  # written through the shared memory
    big = exe.reshape(x=(7, 4), allow_up_sizing=True)
    big.forward()
    assert big.outputs[0].shape == (7, 4)


def test_from_numpy_zero_copy_writes_through():
    a = np.array([[1, 2], [3, 4], [5, 6]], dtype="float32")
    mx.nd.from_numpy(a, zero_copy=True)
    m = mx.nd.from_numpy(a)  # a second time: a is read-only now, still the same memory
    m[2, 1] = 100
    assert a[2, 1] == 100 and not a.flags.writeable
    with pytest.raises(ValueError, match="zero_copy=False"):
        mx.nd.from_numpy(np.frombuffer(b"\0" * 8, dtype=np.float32))
    with pytest.raises(ValueError):
        mx.nd.from_numpy(np.ones((2, 3), np.float32).T)


def test_bind_and_simple_bind_argument_rules():
    mod = mx.mod.Module(mx.sym.SoftmaxOutput(_mlp(), name="softmax"))
    with pytest.raises(TypeError, match="tuple of ints"):
        mod.bind(data_shapes=[("data", mx.nd.array([10, 10]))])
    y = mx.sym.Variable("x") * 2
    ex = y.simple_bind(mx.cpu(), x=(2,), foo="bar", stype_dict=None)  # non-shape keywords are ignored
    ex.forward(is_train=True)
    with pytest.raises(MXNetError, match="not a loss"):
        ex.backward()


def test_negative_random_seed_reproduces():
    mx.random.seed(-(1 << 31))
    a = mx.nd.random.uniform(shape=(4,)).asnumpy()
    mx.random.seed(-(1 << 31))
    b = mx.nd.random.uniform(shape=(4,)).asnumpy()
    mx.random.seed(-(1 << 31) + 1)
    c = mx.nd.random.uniform(shape=(4,)).asnumpy()
    assert (a == b).all() and (a != c).any()


def test_amp_loss_scaling():
    from mxpy.contrib import amp

    s = amp.LossScaler()
    assert s.loss_scale == 2.0**16
    s.update_scale(True)
    s.update_scale(False)
    assert s.loss_scale == 2.0**15
    net = mx.gluon.nn.Dense(1, in_units=3)
    net.initialize(mx.init.One())
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 1.0})
    with pytest.raises(MXNetError, match="init_trainer"):
        with amp.scale_loss(mx.nd.ones((1,)), trainer):
            pass
    amp.init_trainer(trainer)
    x = mx.nd.ones((2, 3))
    with mx.autograd.record():
        loss = net(x).sum()
        with amp.scale_loss(loss, trainer) as scaled:
            mx.autograd.backward(scaled)
    assert net.weight.grad().asnumpy()[0, 0] == 2 * 2.0**16  # the gradient of the scaled loss
    trainer.step(2)
    # the update used the unscaled gradient: w = 1 - lr * (2 / batch 2) = 0
    np.testing.assert_allclose(net.weight.data().asnumpy(), np.zeros((1, 3)), atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's overflow warnings (pytest makes them errors)
        with mx.autograd.record():
            loss = net(x).sum() * 1e36  # times the loss scale: the float32 gradient overflows
            with amp.scale_loss(loss, trainer) as scaled:
                mx.autograd.backward(scaled)
        mx.nd.waitall()
    trainer.step(2)  # overflow: skipped, the scale halves for the next step
    np.testing.assert_allclose(net.weight.data().asnumpy(), np.zeros((1, 3)), atol=1e-6)
    # the halved scale takes effect at the next update (one step behind, as MXNet's LossScaler)
    assert trainer._amp_loss_scaler.loss_scale == 2.0**16 and trainer._amp_loss_scaler._next_loss_scale == 2.0**15
