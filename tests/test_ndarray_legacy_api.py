"""mx.nd.CachedOp, concatenate, NDArray._basic_indexing_slice_is_contiguous and the views basic
indexing returns, zeros/empty's stype (MXNet 1.9.1's behaviour; onehot_encode and
fill_element_0index are checked against MXNet in tests/test_optimizer_multi.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import mxpy as mx


def _conv_sym():
    return mx.sym.Convolution(mx.sym.var("data"), kernel=(3, 3), num_filter=4, name="conv") + 2


def test_cached_op_matches_the_executor_and_records_gradients():
    sym = _conv_sym()
    op = mx.nd.CachedOp(sym)
    assert sym.list_inputs() == ["data", "conv_weight", "conv_bias"]
    rng = np.random.default_rng(0)
    data, weight, bias = (mx.nd.array(rng.uniform(-1, 1, s)) for s in ((2, 3, 6, 6), (4, 3, 3, 3), (4,)))
    ex = sym.bind(mx.cpu(), {"data": data, "conv_weight": weight, "conv_bias": bias})
    want = ex.forward()[0].asnumpy()
    np.testing.assert_allclose(op(data, weight, bias).asnumpy(), want, rtol=1e-5, atol=1e-6)
    out = mx.nd.zeros(want.shape)
    assert op(data, weight, bias, out=out) is out
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-5, atol=1e-6)
    # gradients through autograd equal the executor's
    weight.attach_grad()
    bias.attach_grad()
    with mx.autograd.record():
        y = op(data, weight, bias) * 2
    y.backward()
    ex = sym.simple_bind(mx.cpu(), data=data.shape)
    ex.copy_params_from({"conv_weight": weight, "conv_bias": bias})
    ex.arg_dict["data"][:] = data
    ex.forward(is_train=True)
    ex.backward(mx.nd.full(want.shape, 2.0))
    np.testing.assert_allclose(weight.grad.asnumpy(), ex.grad_dict["conv_weight"].asnumpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bias.grad.asnumpy(), ex.grad_dict["conv_bias"].asnumpy(), rtol=1e-5, atol=1e-5)


def test_cached_op_takes_aux_states_and_several_outputs():
    x = mx.sym.var("x")
    bn = mx.sym.BatchNorm(x, name="bn", fix_gamma=False)
    op = mx.nd.CachedOp(mx.sym.Group([bn, x * 3]))
    names = bn.list_inputs()
    assert names == ["x", "bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var"]
    xs = mx.nd.array(np.arange(8, dtype=np.float32).reshape(4, 2))
    mean, var = mx.nd.zeros((2,)), mx.nd.ones((2,))
    a, b = op(xs, mx.nd.ones((2,)), mx.nd.zeros((2,)), mean, var)
    np.testing.assert_allclose(a.asnumpy(), xs.asnumpy() / np.sqrt(1 + 1e-3), rtol=1e-5)  # inference: moving stats
    np.testing.assert_allclose(b.asnumpy(), xs.asnumpy() * 3)
    with mx.autograd.record(train_mode=True):
        op(xs, mx.nd.ones((2,)), mx.nd.zeros((2,)), mean, var)
    # as MXNet 1.9.1 (checked there): the moving statistics change in BatchNorm's backward, not its forward
    assert mean.asnumpy().tolist() == [0.0, 0.0]


def test_cached_op_rejects_bad_calls():
    op = mx.nd.CachedOp(mx.sym.var("a") + mx.sym.var("b"))
    with pytest.raises(mx.base.MXNetError, match="2 inputs .*got 1"):
        op(mx.nd.ones((2,)))
    with pytest.raises(TypeError, match="input 'b' must be an NDArray"):
        op(mx.nd.ones((2,)), 3)
    with pytest.raises(ValueError, match="out has shape"):
        op(mx.nd.ones((2,)), mx.nd.ones((2,)), out=mx.nd.zeros((3,)))


def test_concatenate():
    arrays = [np.random.default_rng(i).uniform(size=(2, k, 3)).astype(np.float32) for i, k in enumerate((1, 3, 2))]
    got = mx.nd.concatenate([mx.nd.array(a) for a in arrays], axis=1)
    np.testing.assert_array_equal(got.asnumpy(), np.concatenate(arrays, axis=1))
    one = mx.nd.ones((2,))
    assert mx.nd.concatenate([one], always_copy=False) is one
    assert mx.nd.concatenate([one]) is not one
    with pytest.raises(AssertionError, match="array 1 has shape"):
        mx.nd.concatenate([mx.nd.ones((2, 3)), mx.nd.ones((3, 2))])


def test_contiguous_basic_indexing_is_a_view():
    x = np.arange(4 * 5 * 6).reshape(4, 5, 6)
    slices = [slice(None), slice(1, 3), slice(None, None, 2), slice(2, 3), slice(None, None, -1), slice(0, 0)]
    f = mx.nd.NDArray._basic_indexing_slice_is_contiguous
    for key in itertools.product(slices, repeat=3):
        assert f(key, x.shape) == x[key].flags.c_contiguous, key
    a = mx.nd.array(x)
    v = a[1:2, 2:4]  # one block: a view, writes reach a
    v[:] = -1
    assert (a.asnumpy()[1, 2:4] == -1).all()
    c = a[:, 1]  # not one block: a copy
    c[:] = 7
    np.testing.assert_array_equal(a.asnumpy()[:, 1], x[:, 1])


def test_zeros_and_empty_take_a_stype():
    assert mx.nd.zeros((2,), stype="default").asnumpy().tolist() == [0.0, 0.0]
    assert mx.nd.empty((2, 3), stype=None).shape == (2, 3)
    for fn in (mx.nd.zeros, mx.nd.empty):
        z = fn((2, 3), stype="row_sparse")
        assert z.stype == "row_sparse" and z.asnumpy().tolist() == [[0.0] * 3] * 2
        with pytest.raises(ValueError, match="unknown storage type"):
            fn((2,), stype="coo")
