"""mx.mod: Module.fit against MXNet 1.9.1 golden values, BucketingModule, SequentialModule,
checkpoints with optimizer states, and bad-input errors."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import mxpy as mx
import mxpy.module as mod
from mxpy.base import MXNetError
from mxpy.io import DataBatch, NDArrayIter

GOLDEN = np.load(os.path.join(os.path.dirname(__file__), "golden", "module.npz"))
OPT_PARAMS = {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}


def mlp():
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def init_params():
    return {k[len("init_") :]: mx.nd.array(GOLDEN[k]) for k in GOLDEN.files if k.startswith("init_")}


def iters():
    x, y = GOLDEN["x"], GOLDEN["y"]
    return NDArrayIter(x, y, batch_size=4, shuffle=False), NDArrayIter(x[:10], y[:10], batch_size=4, shuffle=False)


class _Grab(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _logger(name):
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    grab = _Grab()
    logger.handlers = [grab]
    return logger, grab


def fit_golden(**module_kwargs):
    """The golden generator's training run; returns (module, per-epoch params, log lines)."""
    logger, grab = _logger("test_module_fit")
    got = {}

    def on_epoch(epoch, sym, args, auxs):
        for k, v in args.items():
            got[f"epoch{epoch}_{k}"] = v.asnumpy()

    train, val = iters()
    m = mod.Module(mlp(), logger=logger, **module_kwargs)
    m.fit(train, eval_data=val, num_epoch=3, optimizer="sgd", optimizer_params=OPT_PARAMS, arg_params=init_params(), epoch_end_callback=on_epoch)
    return m, got, grab.lines


def test_fit_matches_mxnet_after_every_epoch():
    m, got, lines = fit_golden()
    expected = [k for k in GOLDEN.files if k.startswith("epoch")]
    assert sorted(got) == sorted(expected)
    for k in expected:
        np.testing.assert_allclose(got[k], GOLDEN[k], rtol=1e-5, atol=1e-6, err_msg=k)
    # MXNet's log lines, metric values included (time cost varies)
    assert [ln for ln in lines if "Time cost" not in ln] == list(GOLDEN["logs"])
    assert sum("Time cost=" in ln for ln in lines) == 3


def test_score_and_predict_match_mxnet():
    m, _, _ = fit_golden()
    _, val = iters()
    score = m.score(val, ["acc", "ce"])
    assert [n for n, _ in score] == list(GOLDEN["score_names"])
    np.testing.assert_allclose([v for _, v in score], GOLDEN["score_values"], rtol=1e-5)
    pred = m.predict(val)
    assert pred.shape == (10, 3)  # the padded last batch is cut
    np.testing.assert_allclose(pred.asnumpy(), GOLDEN["predict"], rtol=1e-5, atol=1e-6)
    # a smaller batch reshapes the module (shared memory), then predicts the same values
    small = NDArrayIter(GOLDEN["x"][:6], GOLDEN["y"][:6], batch_size=3, shuffle=False)
    np.testing.assert_allclose(m.predict(small).asnumpy(), GOLDEN["predict_small"], rtol=1e-5, atol=1e-6)
    assert m.data_shapes[0].shape == (3, 5)
    # unmerged predictions: one list of outputs per batch; iter_predict drops padding too
    per_batch = m.predict(val, merge_batches=False)
    assert [o[0].shape for o in per_batch] == [(4, 3), (4, 3), (2, 3)]
    shapes = [outs[0].shape for outs, _, _ in m.iter_predict(val)]
    assert shapes == [(4, 3), (4, 3), (2, 3)]
    assert isinstance(m.predict(val, always_output_list=True), list)


def test_module_properties_and_outputs():
    m = mod.Module(mlp())
    assert m.data_names == ["data"] and m.label_names == ["softmax_label"] and m.output_names == ["softmax_output"]
    m.bind(data_shapes=[("data", (4, 5))], label_shapes=[("softmax_label", (4,))], inputs_need_grad=True)
    m.init_params(arg_params=init_params())
    assert m.output_shapes == [("softmax_output", (4, 3))]
    assert [(d.name, d.shape) for d in m.data_shapes] == [("data", (4, 5))]
    batch = DataBatch([mx.nd.array(GOLDEN["x"][:4])], [mx.nd.array(GOLDEN["y"][:4])])
    m.forward(batch, is_train=True)
    m.backward()
    out = m.get_outputs()[0].asnumpy()
    np.testing.assert_allclose(out.sum(axis=1), np.ones(4), rtol=1e-6)
    assert m.get_input_grads()[0].shape == (4, 5)
    args, auxs = m.get_params()
    assert sorted(args) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"] and auxs == {}


def test_init_params_uses_initializer_and_init_attr():
    data = mx.sym.Variable("data")
    w = mx.sym.Variable("fc_weight", init=mx.init.Constant(0.5))
    net = mx.sym.FullyConnected(data, weight=w, num_hidden=2, name="fc")
    m = mod.Module(net, label_names=None)
    m.bind([("data", (1, 3))], for_training=False)
    m.init_params(mx.init.One())
    args, _ = m.get_params()
    assert np.all(args["fc_weight"].asnumpy() == 0.5)  # the variable's __init__ wins
    assert np.all(args["fc_bias"].asnumpy() == 0)  # biases are zero whatever the initializer


def test_fixed_param_names_are_not_updated():
    train, _ = iters()
    m = mod.Module(mlp(), fixed_param_names=["fc1_weight"])
    m.fit(train, num_epoch=1, arg_params=init_params(), optimizer_params=OPT_PARAMS)
    args, _ = m.get_params()
    np.testing.assert_array_equal(args["fc1_weight"].asnumpy(), GOLDEN["init_fc1_weight"])
    assert not np.array_equal(args["fc2_weight"].asnumpy(), GOLDEN["init_fc2_weight"])


def test_checkpoint_round_trip_with_optimizer_states(tmp_path):
    prefix = str(tmp_path / "mlp")
    train, _ = iters()
    m = mod.Module(mlp())
    m.fit(train, num_epoch=1, arg_params=init_params(), optimizer_params=OPT_PARAMS)
    m.save_checkpoint(prefix, 1, save_optimizer_states=True)
    for suffix in ("-symbol.json", "-0001.params", "-0001.states"):
        assert os.path.isfile(prefix + suffix)
    loaded = mod.Module.load(prefix, 1, load_optimizer_states=True)
    loaded.bind(train.provide_data, train.provide_label)
    loaded.init_optimizer(optimizer="sgd", optimizer_params=OPT_PARAMS)
    # the momentum states came back with the parameters
    saved = m._updater.states
    assert sorted(loaded._updater.states) == sorted(saved)
    for k, st in saved.items():
        np.testing.assert_array_equal(loaded._updater.states[k].asnumpy(), st.asnumpy())
    a1, _ = m.get_params()
    a2, _ = loaded.get_params()
    for k in a1:
        np.testing.assert_array_equal(a1[k].asnumpy(), a2[k].asnumpy())
    # one more epoch from both gives the same parameters
    for mdl in (m, loaded):
        train.reset()
        for batch in train:
            mdl.forward_backward(batch)
            mdl.update()
    a1, _ = m.get_params()
    a2, _ = loaded.get_params()
    for k in a1:
        np.testing.assert_allclose(a1[k].asnumpy(), a2[k].asnumpy(), rtol=1e-6, atol=1e-7)
    # save_params / load_params
    m.save_params(prefix + ".params")
    other = mod.Module(mlp())
    other.bind(train.provide_data, train.provide_label)
    other.load_params(prefix + ".params")
    np.testing.assert_array_equal(other.get_params()[0]["fc2_bias"].asnumpy(), a1["fc2_bias"].asnumpy())


def _bucket_sym_gen(seq_len):
    data = mx.sym.Variable("data")
    # the same parameters whatever the length: sum over time, then dense layers
    h = mx.sym.sum(data, axis=1)
    h = mx.sym.FullyConnected(h, num_hidden=6, name="fc1")
    h = mx.sym.Activation(h, act_type="tanh")
    h = mx.sym.FullyConnected(h, num_hidden=2, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax"), ("data",), ("softmax_label",)


def _bucket_batch(rng, key):
    x = mx.nd.array(rng.uniform(-1, 1, (4, key, 3)))
    y = mx.nd.array(rng.integers(0, 2, (4,)))
    return DataBatch([x], [y], bucket_key=key, provide_data=[("data", (4, key, 3))], provide_label=[("softmax_label", (4,))])


def test_bucketing_module_shares_parameters():
    rng = np.random.default_rng(0)
    bm = mod.BucketingModule(_bucket_sym_gen, default_bucket_key=5)
    bm.bind([("data", (4, 5, 3))], [("softmax_label", (4,))])
    bm.init_params(mx.init.Xavier())
    bm.init_optimizer(optimizer_params={"learning_rate": 0.5})
    before = {k: v.asnumpy().copy() for k, v in bm.get_params()[0].items()}
    bm.forward(_bucket_batch(rng, 3))
    bm.backward()
    bm.update()
    assert sorted(bm._buckets) == [3, 5]
    ex3 = bm._buckets[3]._exec_group.execs[0]
    ex5 = bm._buckets[5]._exec_group.execs[0]
    for name in ("fc1_weight", "fc2_bias"):
        assert ex3.arg_dict[name] is ex5.arg_dict[name]  # one array for every bucket
    after3 = {k: v.asnumpy().copy() for k, v in bm.get_params()[0].items()}
    assert not np.allclose(after3["fc1_weight"], before["fc1_weight"])
    # the update made in bucket 3 is what bucket 5 computes with
    bm.forward(_bucket_batch(rng, 5), is_train=False)
    np.testing.assert_array_equal(ex5.arg_dict["fc1_weight"].asnumpy(), after3["fc1_weight"])
    assert bm.get_outputs()[0].shape == (4, 2) and bm.symbol is bm._buckets[5].symbol
    # the borrowed optimizer is the same object
    assert bm._buckets[3]._updater is bm._buckets[5]._updater
    # an update in bucket 5 moves the weights bucket 3 reads
    bm.forward(_bucket_batch(rng, 5))
    bm.backward()
    bm.update()
    np.testing.assert_array_equal(ex3.arg_dict["fc1_weight"].asnumpy(), bm.get_params()[0]["fc1_weight"].asnumpy())


def test_sequential_module_trains():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (16, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    net1 = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=8, name="fc1"), act_type="relu")
    net2 = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc2"), name="softmax")
    seq = mod.SequentialModule()
    seq.add(mod.Module(net1, label_names=None)).add(mod.Module(net2), take_labels=True, auto_wiring=True)
    train = NDArrayIter(x, y, batch_size=8, shuffle=False)
    mx.random.seed(3)
    seq.fit(train, num_epoch=30, optimizer_params={"learning_rate": 0.5}, initializer=mx.init.Xavier())
    args, _ = seq.get_params()
    assert sorted(args) == ["fc1_bias", "fc1_weight", "fc2_bias", "fc2_weight"]
    assert seq.output_shapes == [("softmax_output", (8, 2))]
    acc = dict(seq.score(train, "acc"))["accuracy"]
    assert acc >= 0.9
    # the first module's weights moved: gradients flowed back through the chain
    assert seq._modules[1].inputs_need_grad and not seq._modules[0].inputs_need_grad
    with pytest.raises(AssertionError, match="Unknown meta"):
        seq.add(mod.Module(net2), take_label=True)


def test_forward_backward_with_out_grads():
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=2, no_bias=True, name="fc")
    m = mod.Module(net, label_names=None, context=[mx.cpu(0), mx.cpu(1)])
    m.bind([("data", (4, 3))], inputs_need_grad=True)
    m.init_params(arg_params={"fc_weight": mx.nd.array([[1, 2, 3], [4, 5, 6]])})
    m.forward(DataBatch([mx.nd.ones((4, 3))], None), is_train=True)
    m.backward([mx.nd.ones((4, 2))])
    grad = m.get_input_grads()[0].asnumpy()
    np.testing.assert_array_equal(grad, np.tile([5.0, 7.0, 9.0], (4, 1)))
    assert [len(o) for o in m.get_outputs(merge_multi_context=False)] == [2]


# -- bad input --------------------------------------------------------------------------
def test_forward_before_bind_and_update_before_init_optimizer():
    m = mod.Module(mlp())
    batch = DataBatch([mx.nd.ones((4, 5))], [mx.nd.ones((4,))])
    with pytest.raises(AssertionError, match="bind"):
        m.forward(batch)
    with pytest.raises(AssertionError, match=r"Module.init_params: call bind\(\) first"):
        m.init_params()
    m.bind([("data", (4, 5))], [("softmax_label", (4,))])
    m.init_params()
    with pytest.raises(AssertionError, match="init_optimizer"):
        m.update()


def test_bad_shapes_name_the_input():
    m = mod.Module(mlp())
    m.bind([("data", (4, 5))], [("softmax_label", (4,))])
    m.init_params(arg_params=init_params())
    before = m.get_params()[0]["fc1_weight"].asnumpy().copy()
    with pytest.raises(MXNetError, match=r"'data' has shape \(4, 7\).*\(4, 5\)"):
        m.forward(DataBatch([mx.nd.ones((4, 7))], [mx.nd.ones((4,))]))
    with pytest.raises(MXNetError, match=r"label 'softmax_label' has shape \(4, 2\).*\(4,\)"):
        m.forward(DataBatch([mx.nd.ones((4, 5))], [mx.nd.ones((4, 2))]))
    # nothing changed: the module still runs at its bound shapes
    assert m.data_shapes[0].shape == (4, 5)
    m.forward(DataBatch([mx.nd.ones((4, 5))], [mx.nd.ones((4,))]))
    np.testing.assert_array_equal(m.get_params()[0]["fc1_weight"].asnumpy(), before)
    with pytest.raises(ValueError, match="don't match names specified by data_names"):
        m.bind([("dat", (4, 5))], force_rebind=True)
    with pytest.raises(ValueError, match=r"arg_params\['fc1_weight'\] has shape \(2, 2\), expected \(8, 5\)"):
        m.init_params(arg_params={"fc1_weight": mx.nd.ones((2, 2))}, force_init=True, allow_missing=True)
    with pytest.raises(RuntimeError, match="fc1_bias is not presented"):
        m.init_params(arg_params={"fc1_weight": mx.nd.ones((8, 5))}, force_init=True)
    np.testing.assert_array_equal(m.get_params()[0]["fc1_weight"].asnumpy(), before)


def test_unknown_optimizer_and_metric_list_the_known_ones():
    m = mod.Module(mlp())
    m.bind([("data", (4, 5))], [("softmax_label", (4,))])
    m.init_params()
    with pytest.raises(ValueError, match="unknown optimizer 'nosuch'; registered optimizers: .*sgd"):
        m.init_optimizer(optimizer="nosuch")
    assert not m.optimizer_initialized
    train, _ = iters()
    with pytest.raises(AssertionError, match="nosuchmetric is not registered.*acc"):
        mod.Module(mlp()).fit(train, eval_metric="nosuchmetric", num_epoch=1)


def test_module_constructor_checks_names():
    with pytest.raises(ValueError, match="data_names=\\['x'\\].*'x' is not found"):
        mod.Module(mlp(), data_names=["x"])
    with pytest.warns(UserWarning, match="label_names"):
        mod.Module(mlp(), label_names=["lbl"])
    with pytest.raises(AssertionError, match="work_load_list"):
        mod.Module(mlp(), context=[mx.cpu(0), mx.cpu(1)], work_load_list=[1])


def test_fit_with_monitor_collects_statistics():
    train, _ = iters()
    mon = mx.mon.Monitor(1, pattern="fc2.*")
    seen = []
    mon.toc_print = lambda: seen.extend(name for _, name, _ in mon.toc())
    m = mod.Module(mlp())
    m.fit(train, num_epoch=1, arg_params=init_params(), monitor=mon)
    assert "fc2_output" in seen and "fc2_weight" in seen
    assert all(name.startswith("fc2") for name in seen)
    assert len(mon.exes) == 1


def test_state_names_are_inputs_set_by_set_states():
    data, state = mx.sym.Variable("data"), mx.sym.Variable("h")
    net = mx.sym.FullyConnected(data, num_hidden=2, name="fc") + state
    m = mod.Module(net, label_names=None, state_names=["h"], context=[mx.cpu(0), mx.cpu(1)])
    m.bind([("data", (4, 3))], for_training=False)
    m.init_params(arg_params={"fc_weight": mx.nd.zeros((2, 3)), "fc_bias": mx.nd.zeros((2,))})
    assert sorted(m.get_params()[0]) == ["fc_bias", "fc_weight"]  # a state is not a parameter
    m.set_states(value=3)
    m.forward(DataBatch([mx.nd.ones((4, 3))], None))
    np.testing.assert_array_equal(m.get_outputs()[0].asnumpy(), np.full((4, 2), 3.0))
    assert m.get_states()[0].shape == (4, 2)  # two (2, 2) states merged on the batch axis


def test_bind_accepts_numpy_dims_and_rejects_bad_shapes():
    m = mod.Module(mlp())
    m.bind([("data", (np.int64(4), 5))], [("softmax_label", (4,))])
    assert m.data_shapes[0].shape == (4, 5)
    with pytest.raises(ValueError, match=r"shape of data_shapes entry 'data' must be a tuple of positive ints, given \(4, 0\)"):
        mod.Module(mlp()).bind([("data", (4, 0))], [("softmax_label", (4,))])
