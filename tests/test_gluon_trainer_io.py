"""Gluon Trainer, save/load of parameters, export/imports, SymbolBlock, summary."""

import os

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.gluon import nn


def _net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Dense(6, activation="relu"), nn.Dropout(0.0), nn.Flatten(), nn.Dense(3))
    return net


def _data(seed=0):
    rng = np.random.RandomState(seed)
    return mx.nd.array(rng.rand(4, 5)), mx.nd.array(rng.rand(4, 3))


def _train(net, trainer, x, y, steps):
    for _ in range(steps):
        with autograd.record():
            loss = ((net(x) - y) ** 2).sum()
        loss.backward()
        trainer.step(x.shape[0])


def test_trainer_sgd_matches_manual_update():
    x, y = _data()
    net = _net()
    net.initialize(mx.init.Xavier())
    net(x)
    before = {k: p.data().asnumpy().copy() for k, p in net.collect_params().items()}
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "wd": 0.01})
    with autograd.record():
        loss = ((net(x) - y) ** 2).sum()
    loss.backward()
    grads = {k: p.grad().asnumpy().copy() for k, p in net.collect_params().items()}
    trainer.step(4)
    for k, p in net.collect_params().items():
        # Gluon's optimizer decays every parameter (biases too): wd_mult comes from the Parameter
        want = before[k] - 0.1 * (grads[k] / 4 + 0.01 * before[k])
        np.testing.assert_allclose(p.data().asnumpy(), want, rtol=1e-5, atol=1e-6)
    assert trainer.learning_rate == 0.1
    trainer.set_learning_rate(0.05)
    assert trainer.learning_rate == 0.05


def test_trainer_stale_grad_and_lr_mult():
    x, _ = _data()
    a, b = nn.Dense(2, in_units=5), nn.Dense(2, in_units=5)
    for blk in (a, b):
        blk.initialize(mx.init.One())
    params = a.collect_params()
    params.update(b.collect_params())
    b.weight.lr_mult = 0.0
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 1.0})
    with autograd.record():
        loss = a(x).sum()
    loss.backward()
    with pytest.raises(UserWarning, match=r"Gradient of Parameter `dense\d+_bias` on context cpu\(0\) has not been updated by backward"):
        trainer.step(1)
    trainer.step(1, ignore_stale_grad=True)
    assert not np.allclose(a.weight.data().asnumpy(), 1.0)
    np.testing.assert_allclose(b.weight.data().asnumpy(), 1.0)
    with autograd.record():
        loss = b(x).sum()
    loss.backward()
    trainer.step(1, ignore_stale_grad=True)
    np.testing.assert_allclose(b.weight.data().asnumpy(), 1.0)  # lr_mult 0
    assert not np.allclose(b.bias.data().asnumpy(), 1.0)


@pytest.mark.parametrize("update_on_kvstore", [None, False])
def test_trainer_two_contexts_equals_one(update_on_kvstore):
    x, y = _data()
    nets = []
    for ctxs in ([mx.cpu(0)], [mx.cpu(0), mx.cpu(1)]):
        mx.random.seed(3)
        net = _net()
        net.initialize(mx.init.Xavier(), ctx=ctxs)
        net.hybridize()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9}, update_on_kvstore=update_on_kvstore)
        for _ in range(3):
            parts_x = gluon.utils.split_and_load(x, ctxs)
            parts_y = gluon.utils.split_and_load(y, ctxs)
            with autograd.record():
                losses = [((net(px) - py) ** 2).sum() for px, py in zip(parts_x, parts_y)]
            autograd.backward(losses)
            trainer.step(4)
        nets.append(net)
    for (k, p1), p2 in zip(nets[0].collect_params().items(), nets[1].collect_params().values()):
        for d in p2.list_data():
            np.testing.assert_allclose(d.asnumpy(), p1.data().asnumpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_trainer_states_round_trip(tmp_path):
    x, y = _data()
    mx.random.seed(0)
    net = _net()
    net.initialize(mx.init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    _train(net, trainer, x, y, 2)
    fname = str(tmp_path / "t.states")
    trainer.save_states(fname)
    net.save_parameters(str(tmp_path / "n.params"))
    _train(net, trainer, x, y, 2)
    want = [p.data().asnumpy() for p in net.collect_params().values()]
    net.load_parameters(str(tmp_path / "n.params"))
    trainer2 = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": 0.01})
    trainer2.load_states(fname)
    _train(net, trainer2, x, y, 2)
    for a, b in zip(want, [p.data().asnumpy() for p in net.collect_params().values()]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_save_load_parameters(tmp_path):
    x, _ = _data()
    net = _net()
    net.initialize(mx.init.Xavier())
    want = net(x).asnumpy()
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    assert sorted(mx.nd.load(f)) == ["0.bias", "0.weight", "3.bias", "3.weight"]
    net2 = _net()
    net2.load_parameters(f)
    np.testing.assert_allclose(net2(x).asnumpy(), want)
    # missing and extra names are listed and nothing changes
    other = nn.HybridSequential()
    with other.name_scope():
        other.add(nn.Dense(6, in_units=5), nn.Dense(3, in_units=6), nn.Dense(2, in_units=3))
    other.initialize(mx.init.Zero())
    with pytest.raises(AssertionError, match="'2.weight', '2.bias'"):
        other.load_parameters(f)
    assert np.all(other[0].weight.data().asnumpy() == 0)
    small = nn.HybridSequential()
    small.add(nn.Dense(6, in_units=5))
    small.initialize(mx.init.Zero())
    with pytest.raises(ValueError, match="'3.weight', '3.bias'.*ignore_extra"):
        small.load_parameters(f)
    assert np.all(small[0].weight.data().asnumpy() == 0)
    small.load_parameters(f, ignore_extra=True)
    np.testing.assert_allclose(small[0].weight.data().asnumpy(), net[0].weight.data().asnumpy())
    # dtype: cast on request
    f64 = str(tmp_path / "net64.params")
    mx.nd.save(f64, {k: v.astype("float64") for k, v in mx.nd.load(f).items()})
    with pytest.raises(AssertionError, match="dtype incompatible"):
        _net().load_parameters(f64)
    n3 = _net()
    n3.load_parameters(f64, cast_dtype=True)
    assert n3[0].weight.data().dtype == np.float32
    n4 = _net()
    n4.load_parameters(f64, cast_dtype=True, dtype_source="saved")
    assert n4[0].weight.data().dtype == np.float64


def test_save_params_prefixed(tmp_path):
    x, _ = _data()
    net = _net()
    net.initialize()
    want = net(x).asnumpy()
    f = str(tmp_path / "old.params")
    with pytest.warns(UserWarning, match="save_params is deprecated"):
        net.save_params(f)
    assert sorted(mx.nd.load(f)) == ["dense0_bias", "dense0_weight", "dense1_bias", "dense1_weight"]
    net2 = _net()
    with pytest.warns(UserWarning, match="load_params is deprecated"):
        net2.load_params(f)
    np.testing.assert_allclose(net2(x).asnumpy(), want)


def test_export_imports_module(tmp_path):
    x, _ = _data()
    net = _net()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    want = net(x).asnumpy()
    prefix = str(tmp_path / "model")
    sym_file, params_file = net.export(prefix, epoch=7)
    assert os.path.basename(params_file) == "model-0007.params"
    keys = sorted(mx.nd.load(params_file))
    assert all(k.startswith("arg:") for k in keys) and len(keys) == 4
    blk = gluon.SymbolBlock.imports(sym_file, ["data"], params_file)
    np.testing.assert_allclose(blk(x).asnumpy(), want, rtol=1e-6)
    sym, args, aux = mx.model.load_checkpoint(prefix, 7)
    mod = mx.mod.Module(sym, label_names=None)
    mod.bind([("data", x.shape)], for_training=False)
    mod.set_params(args, aux)
    mod.forward(mx.io.DataBatch([x]))
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), want, rtol=1e-6)
    with pytest.raises(ValueError, match=r"\['input'\] are not variables.*'data'"):
        gluon.SymbolBlock.imports(sym_file, ["input"], params_file)
    with pytest.raises(RuntimeError, match="hybridize"):
        _net().export(prefix)


def test_symbolblock_from_symbols_shares_params():
    x, _ = _data()
    net = _net()
    net.initialize()
    data = mx.sym.var("data")
    internals = net(data)
    feat = gluon.SymbolBlock(internals, data, params=net.collect_params())
    np.testing.assert_allclose(feat(x).asnumpy(), net(x).asnumpy(), rtol=1e-6)
    assert set(feat.collect_params().keys()) == set(net.collect_params().keys())
    assert all(feat.collect_params()[k] is p for k, p in net.collect_params().items())
    # gradients flow into the shared parameters
    with autograd.record():
        loss = feat(x).sum()
    loss.backward()
    assert np.abs(net[0].weight.grad().asnumpy()).sum() > 0


def test_summary(capsys):
    net = _net()
    net.initialize()
    net(mx.nd.ones((2, 5)))
    net.summary(mx.nd.ones((2, 5)))
    out = capsys.readouterr().out
    assert "Layer (type)" in out and "Dense-2" in out and "(2, 3)" in out
    assert "   Total params: 57" in out  # 5*6+6 + 6*3+3
    net.hybridize()
    with pytest.raises(AssertionError, match="must not be hybridized"):
        net.summary(mx.nd.ones((2, 5)))


def test_utils():
    u = gluon.utils
    parts = u.split_data(mx.nd.arange(10).reshape((5, 2)), 2, even_split=False)
    assert [p.shape for p in parts] == [(3, 2), (2, 2)]
    with pytest.raises(ValueError, match="cannot be evenly split"):
        u.split_data(mx.nd.ones((5, 2)), 2)
    cols = u.split_data(mx.nd.ones((2, 6)), 3, batch_axis=1)
    assert [c.shape for c in cols] == [(2, 2)] * 3
    arrays = [mx.nd.array([3.0, 0.0]), mx.nd.array([[4.0]])]
    norm = u.clip_global_norm(arrays, 1.0)
    assert abs(norm - 5.0) < 1e-5
    np.testing.assert_allclose(arrays[0].asnumpy(), [0.6, 0.0], rtol=1e-5)
    arrays = [mx.nd.array([0.3])]
    u.clip_global_norm(arrays, 1.0)
    np.testing.assert_allclose(arrays[0].asnumpy(), [0.3], rtol=1e-6)


def test_download_offline_and_sha1(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(b"abc")
    assert gluon.utils.check_sha1(str(f), "a9993e364706816aba3e25717850c26c9cd0d89d")
    assert not gluon.utils.check_sha1(str(f), "0" * 40)
    # an existing file with the right hash is kept without any network access
    assert gluon.utils.download("http://invalid.invalid/a.txt", path=str(f), sha1_hash="a9993e364706816aba3e25717850c26c9cd0d89d") == str(f)
    with pytest.raises(mx.MXNetError, match=r"could not fetch http://invalid.invalid/b.bin.*put it at .*b.bin"):
        gluon.utils.download("http://invalid.invalid/b.bin", path=str(tmp_path), retries=0)
