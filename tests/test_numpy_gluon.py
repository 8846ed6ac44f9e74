"""Gluon under npx.set_np(): blocks, parameters, data and hybridized F.np / F.npx code hand out mx.np arrays."""

from __future__ import annotations

import os
import shutil

import numpy as onp
import pytest

import mxpy as mx
from mxpy import autograd, gluon, np, npx
from mxpy.gluon import nn

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data", "uci-digits")


@pytest.fixture(autouse=True)
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


class _UserNet(nn.HybridBlock):
    """D2L-style: F.np / F.npx calls, NumPy-style methods and broadcasting in hybrid_forward."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = nn.Dense(8)
        self.out = nn.Dense(3)

    def hybrid_forward(self, F, x):
        h = F.npx.relu(self.hidden(x))
        h = h.reshape(-1, 8) + F.np.ones((1, 8)) * 0.5
        h = h - h.mean(axis=1, keepdims=True)
        return F.npx.log_softmax(self.out(h)) + F.np.sum(h, axis=1, keepdims=True) * 0


def test_hybridized_user_block_matches_imperative_with_grads():
    net = _UserNet()
    net.initialize()
    x = np.random.uniform(size=(4, 5))

    def run():
        with autograd.record():
            y = net(x)
            loss = (y**2).sum()
        loss.backward()
        return y.asnumpy(), net.hidden.weight.grad().asnumpy().copy()

    y1, g1 = run()
    net.hybridize()
    y2, g2 = run()
    onp.testing.assert_allclose(y1, y2, rtol=1e-5, atol=1e-6)
    onp.testing.assert_allclose(g1, g2, rtol=1e-5, atol=1e-6)
    assert type(net(x)) is np.ndarray


def test_sym_np_namespaces_build_graphs():
    x = mx.sym.var("x").as_np_ndarray()
    y = mx.sym.np.sum(mx.sym.npx.relu(x) * 2, axis=1) + x[:, 0]
    assert type(y).__name__ == "_Symbol"
    assert y.infer_shape(x=(2, 3))[1] == [(2,)]
    total = x.sum()
    assert total.infer_shape(x=(2, 3))[1] == [()]
    out = y.as_nd_ndarray().eval(x=mx.nd.array([[1.0, -2.0, 3.0]]))[0]
    assert out.asnumpy().tolist() == [9.0]
    # an open clip bound is written "inf" in the graph's attrs (as MXNet) and read back
    clipped = x.clip(0, None).as_nd_ndarray()
    assert mx.sym.load_json(clipped.tojson()).eval(x=mx.nd.array([-1.0, 5.0]))[0].asnumpy().tolist() == [0.0, 5.0]


def test_parameters_and_gradients_are_np_arrays_and_legacy_mode_is_untouched():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    assert type(net.weight.data()) is np.ndarray and type(net.weight.grad()) is np.ndarray
    npx.reset_np()
    legacy = nn.Dense(2, in_units=3)
    legacy.initialize()
    assert type(legacy.weight.data()) is mx.nd.NDArray
    assert type(legacy(mx.nd.ones((1, 3)))) is mx.nd.NDArray


def test_losses_and_trainer_step():
    net = nn.Dense(3, in_units=4)
    net.initialize(mx.init.Constant(0.1))
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x, y = np.ones((2, 4)), np.array([0, 2])
    with autograd.record():
        lv = loss(net(x), y)
    assert type(lv) is np.ndarray and lv.shape == (2,)
    lv.backward()
    before = net.weight.data().copy()
    trainer.step(2)
    assert not onp.allclose(before.asnumpy(), net.weight.data().asnumpy())


@pytest.mark.parametrize("workers", [0, 2])
def test_fashion_mnist_dataloader_gives_np_batches(tmp_path, workers):
    for name in os.listdir(DIGITS):
        if name.endswith(".gz"):
            shutil.copy(os.path.join(DIGITS, name), tmp_path / name)
    ds = gluon.data.vision.FashionMNIST(root=str(tmp_path), train=False)
    img, label = ds[0]
    assert type(img) is np.ndarray and img.shape == (8, 8, 1) and type(label) is np.ndarray
    loader = gluon.data.DataLoader(ds.transform_first(gluon.data.vision.transforms.ToTensor()), 16, num_workers=workers, thread_pool=True)
    X, y = next(iter(loader))
    assert type(X) is np.ndarray and X.shape == (16, 1, 8, 8) and X.dtype == onp.float32
    assert type(y) is np.ndarray and y.dtype == onp.int32


def test_save_and_load_parameters_round_trip(tmp_path):
    net = nn.HybridSequential()
    net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
    net.initialize()
    x = np.ones((1, 3))
    ref = net(x)
    f = str(tmp_path / "net.params")
    net.save_parameters(f)
    net2 = nn.HybridSequential()
    net2.add(nn.Dense(4, activation="relu"), nn.Dense(2))
    net2.load_parameters(f)
    assert net2(x).tolist() == ref.tolist()
    assert type(net2[0].weight.data()) is np.ndarray
