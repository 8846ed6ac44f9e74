"""Every gluon.nn layer: shapes, names, and hybridized == imperative (forward and backward)."""

import numpy as np
import pytest

import mxpy as mx
from mxpy import autograd
from mxpy.gluon import nn

_X4 = (2, 3, 6, 6)

LAYERS = [
    (lambda: nn.Dense(4, activation="relu"), (2, 5), (2, 4)),
    (lambda: nn.Dense(4, flatten=False), (2, 3, 5), (2, 3, 4)),
    (lambda: nn.Conv1D(4, 3, padding=1), (2, 3, 7), (2, 4, 7)),
    (lambda: nn.Conv2D(4, 3, strides=2, activation="tanh"), _X4, (2, 4, 2, 2)),
    (lambda: nn.Conv2D(6, 3, groups=3, use_bias=False), _X4, (2, 6, 4, 4)),
    (lambda: nn.Conv3D(2, 2), (1, 2, 3, 3, 3), (1, 2, 2, 2, 2)),
    (lambda: nn.Conv1DTranspose(2, 3, strides=2), (2, 3, 4), (2, 2, 9)),
    (lambda: nn.Conv2DTranspose(4, 3, strides=2, padding=1, output_padding=1), _X4, (2, 4, 12, 12)),
    (lambda: nn.Conv3DTranspose(2, 2), (1, 2, 2, 2, 2), (1, 2, 3, 3, 3)),
    (lambda: nn.MaxPool1D(), (2, 3, 7), (2, 3, 3)),
    (lambda: nn.MaxPool2D(3, 2, ceil_mode=True), (2, 3, 6, 6), (2, 3, 3, 3)),
    (lambda: nn.MaxPool3D(), (1, 2, 4, 4, 4), (1, 2, 2, 2, 2)),
    (lambda: nn.AvgPool1D(3, 1, 1, count_include_pad=False), (2, 3, 5), (2, 3, 5)),
    (lambda: nn.AvgPool2D(3, 2, 1), _X4, (2, 3, 3, 3)),
    (lambda: nn.AvgPool3D(ceil_mode=True), (1, 2, 3, 3, 3), (1, 2, 2, 2, 2)),
    (lambda: nn.GlobalMaxPool1D(), (2, 3, 5), (2, 3, 1)),
    (lambda: nn.GlobalMaxPool2D(), _X4, (2, 3, 1, 1)),
    (lambda: nn.GlobalMaxPool3D(), (1, 2, 3, 3, 3), (1, 2, 1, 1, 1)),
    (lambda: nn.GlobalAvgPool1D(), (2, 3, 5), (2, 3, 1)),
    (lambda: nn.GlobalAvgPool2D(), _X4, (2, 3, 1, 1)),
    (lambda: nn.GlobalAvgPool3D(), (1, 2, 3, 3, 3), (1, 2, 1, 1, 1)),
    (lambda: nn.ReflectionPad2D(2), _X4, (2, 3, 10, 10)),
    (lambda: nn.BatchNorm(), _X4, _X4),
    (lambda: nn.BatchNorm(axis=-1, scale=False), (4, 5), (4, 5)),
    (lambda: nn.InstanceNorm(scale=True), _X4, _X4),
    (lambda: nn.LayerNorm(), _X4, _X4),
    (lambda: nn.Flatten(), _X4, (2, 108)),
    (lambda: nn.Dropout(0.0), _X4, _X4),
    (lambda: nn.Activation("softrelu"), _X4, _X4),
    (lambda: nn.LeakyReLU(0.1), _X4, _X4),
    (lambda: nn.PReLU(), _X4, _X4),
    (lambda: nn.ELU(0.5), _X4, _X4),
    (lambda: nn.SELU(), _X4, _X4),
    (lambda: nn.GELU(), _X4, _X4),
    (lambda: nn.Swish(2.0), _X4, _X4),
    (lambda: nn.SiLU(), _X4, _X4),
    (lambda: nn.HybridLambda("tanh"), _X4, _X4),
    (lambda: nn.HybridLambda(lambda F, x: F.relu(x) * 2), _X4, _X4),
    (lambda: nn.Identity(), _X4, _X4),
]


def _run(layer, x):
    x = x.copy()
    x.attach_grad()
    layer.collect_params().zero_grad()
    with autograd.record():
        y = layer(x)
        loss = (y * y).sum()
    loss.backward()
    grads = [p.grad().asnumpy().copy() for p in layer.collect_params().values() if p.grad_req != "null"]
    stats = [p.data().asnumpy().copy() for p in layer.collect_params().values() if p.grad_req == "null"]
    return y.asnumpy(), x.grad.asnumpy().copy(), grads, stats


@pytest.mark.parametrize("make,in_shape,out_shape", LAYERS, ids=[f"{i}" for i in range(len(LAYERS))])
def test_layer_hybrid_equals_imperative(make, in_shape, out_shape):
    rng = np.random.RandomState(0)
    x = mx.nd.array(rng.uniform(-1, 1, in_shape))
    mx.random.seed(1)
    a = make()
    a.initialize(mx.init.Xavier())
    b = make()
    b.initialize()
    for pa, pb in zip(a.collect_params().values(), b.collect_params().values()):
        if pa._data is not None:
            pb._data = None
            pb._deferred_init = ()
            pb.shape = pa.shape
            pb.initialize(mx.init.Constant(0.0))
            pb.set_data(pa.data())
    ya, gxa, ga, sa = _run(a, x)
    assert ya.shape == out_shape
    for pa, pb in zip(a.collect_params().values(), b.collect_params().values()):
        if pb._data is None:
            pb.shape = pa.shape
            pb._finish_deferred_init()
        pb.set_data(pa.data() if pb.grad_req != "null" else pb.data())
    # b starts from a's parameters (running statistics as a had them before its step)
    for pa, pb in zip(a.collect_params().values(), b.collect_params().values()):
        if pa.grad_req == "null":
            pb.set_data(mx.nd.zeros(pa.shape) if "mean" in pa.name else mx.nd.ones(pa.shape))
    b.hybridize()
    yb, gxb, gb, sb = _run(b, x)
    np.testing.assert_allclose(yb, ya, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gxb, gxa, rtol=1e-4, atol=1e-5)
    for u, v in zip(ga, gb):
        np.testing.assert_allclose(v, u, rtol=1e-4, atol=1e-5)
    for u, v in zip(sa, sb):  # BatchNorm's running statistics move the same way
        np.testing.assert_allclose(v, u, rtol=1e-5, atol=1e-6)


def test_layer_names_and_shapes():
    with mx.name.NameManager():
        net = nn.HybridSequential()
        with net.name_scope():
            net.add(nn.Conv2D(8, 3, in_channels=3), nn.BatchNorm(in_channels=8), nn.MaxPool2D(), nn.Embedding(5, 2), nn.PReLU(in_channels=8))
    names = {k: p.shape for k, p in net.collect_params().items()}
    assert names == {
        "hybridsequential0_conv0_weight": (8, 3, 3, 3),
        "hybridsequential0_conv0_bias": (8,),
        "hybridsequential0_batchnorm0_gamma": (8,),
        "hybridsequential0_batchnorm0_beta": (8,),
        "hybridsequential0_batchnorm0_running_mean": (8,),
        "hybridsequential0_batchnorm0_running_var": (8,),
        "hybridsequential0_embedding0_weight": (5, 2),
        "hybridsequential0_prelu0_alpha": (8,),
    }
    assert nn.Conv2D(4, 3, layout="NHWC", in_channels=2).weight.shape == (4, 3, 3, 2)
    assert nn.Conv2DTranspose(4, 3, in_channels=2, groups=2).weight.shape == (2, 2, 3, 3)
    assert repr(net[2]) == "MaxPool2D(size=(2, 2), stride=(2, 2), padding=(0, 0), ceil_mode=False, global_pool=False, pool_type=max, layout=NCHW)"


def test_batchnorm_modes():
    bn = nn.BatchNorm(in_channels=2, momentum=0.5)
    bn.initialize()
    x = mx.nd.array([[1.0, 2.0], [3.0, 6.0]])
    y = bn(x)  # inference: running stats (0, 1)
    np.testing.assert_allclose(y.asnumpy(), x.asnumpy() / np.sqrt(1 + 1e-5), rtol=1e-5)
    with autograd.record():
        y = bn(x)
    np.testing.assert_allclose(y.asnumpy(), [[-1, -1], [1, 1]], atol=1e-3)
    # MXNet 1.x moves the running statistics in BatchNorm's backward
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), [0.0, 0.0])
    y.backward()
    np.testing.assert_allclose(bn.running_mean.data().asnumpy(), [1.0, 2.0], rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.data().asnumpy(), [1.0, 2.5], rtol=1e-6)  # biased batch variances 1 and 4


def test_containers_and_lambdas():
    x = mx.nd.array([[-1.0, 2.0]])
    cat = nn.HybridConcatenate(axis=1)
    cat.add(nn.Identity(), nn.HybridLambda("relu"))
    assert cat(x).asnumpy().tolist() == [[-1.0, 2.0, 0.0, 2.0]]
    cat.hybridize()
    assert cat(x).asnumpy().tolist() == [[-1.0, 2.0, 0.0, 2.0]]
    cat2 = nn.Concatenate(axis=0)
    cat2.add(nn.Lambda(lambda v: v * 2), nn.Lambda("abs"))
    assert cat2(x).asnumpy().tolist() == [[-2.0, 4.0], [1.0, 2.0]]
    with pytest.raises(AssertionError, match="not found in ndarray"):
        nn.Lambda("no_such_function")
    seq = nn.HybridSequential()
    seq.add(nn.Dense(3, in_units=2), nn.Dense(1, in_units=3))
    assert isinstance(seq[0:1], nn.HybridSequential) and len(seq[0:1]) == 1
    with pytest.warns(UserWarning, match="Consider using HybridSequential"):
        s = nn.Sequential()
        s.add(nn.Dense(1))
        s.hybridize()


def test_groupnorm():
    if not hasattr(mx.nd, "GroupNorm"):
        pytest.skip("the GroupNorm operator is not registered yet (it comes with the operator work on wt-ops)")
    gn = nn.GroupNorm(num_groups=2)
    gn.initialize()
    x = mx.nd.array(np.arange(16, dtype=np.float32).reshape(1, 4, 4))
    y = gn(x).asnumpy().reshape(2, 8)
    np.testing.assert_allclose(y.mean(axis=1), 0, atol=1e-5)
    assert [p.shape for p in gn.collect_params().values()] == [(2,), (2,)]
