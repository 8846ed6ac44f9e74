"""Wrong numbers and error types found by MXNet's own test_operator.py, and legacy parameter rules."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx


def test_fully_connected_gives_the_same_output_on_every_call():
    # the first read of a freshly written weight used the transposed-operand GEMM, later
    # reads the kept F-ordered copy: outputs differed by ~1e-6 between identical calls
    rs = np.random.RandomState(2)
    x = mx.nd.array(rs.uniform(-0.5, 0.5, (5, 325)))
    w = mx.nd.array(rs.uniform(-0.5, 0.5, (10, 325)))
    b = mx.nd.array(rs.uniform(-0.5, 0.5, (10,)))
    ex = mx.sym.FullyConnected(mx.sym.var("x"), mx.sym.var("w"), mx.sym.var("b"), num_hidden=10).bind(mx.cpu(), {"x": x, "w": w, "b": b})
    runs = [ex.forward()[0].asnumpy().copy() for _ in range(3)]
    ex.arg_dict["w"][:] = w  # a write: the next read sees the weight as written again
    runs += [ex.forward()[0].asnumpy().copy() for _ in range(2)]
    for r in runs[1:]:
        assert np.array_equal(r, runs[0])


def test_integer_mod_backward_with_zero_divisor_is_zero():
    a = mx.nd.array([5, 7, 9], dtype="int32")
    b = mx.nd.array([2, 0, 4], dtype="int32")
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        c = mx.nd.broadcast_mod(a, b)
    c.backward(mx.nd.ones((3,), dtype="int32"))
    # MXNet 1.9.1 (../shared/tools/mxnet-reference): integer mod has zero gradients, zero divisor or not
    assert a.grad.asnumpy().tolist() == [0, 0, 0]
    assert b.grad.asnumpy().tolist() == [0, 0, 0]


def test_integer_arange_casts_start_and_step_first():
    got = mx.nd.arange(1.3, 456.6, 1.3, dtype="int32").asnumpy()
    assert got.shape == (351,) and got[0] == 1 and got[-1] == 351  # MXNet 1.9.1 and NumPy
    np.testing.assert_array_equal(got, np.arange(1.3, 456.6, 1.3, dtype="int32"))


def test_layernorm_float32_gamma_gradient_on_a_large_input():
    rs = np.random.RandomState(0)
    x = rs.normal(1, 1, (4096, 512)).astype(np.float32)
    og = rs.normal(0, 1, (4096, 512)).astype(np.float32)
    data, gamma, beta = mx.nd.array(x), mx.nd.array(rs.normal(0, 1, 512)), mx.nd.zeros((512,))
    gamma.attach_grad()
    beta.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LayerNorm(data, gamma, beta)
    y.backward(mx.nd.array(og))
    x64 = x.astype(np.float64)
    xhat = (x64 - x64.mean(1, keepdims=True)) / np.sqrt(x64.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(gamma.grad.asnumpy(), (og * xhat).sum(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(beta.grad.asnumpy(), og.astype(np.float64).sum(0), rtol=1e-4, atol=1e-4)


def test_gather_nd_out_of_range_is_an_index_error_at_the_sync_point():
    data = mx.nd.array([[0, 1, 2], [3, 4, 5]])
    out = mx.nd.gather_nd(data, mx.nd.array([[0, 1, 0], [0, 1, 3]]))
    with pytest.raises(IndexError, match="gather_nd"):
        out.asnumpy()
    assert isinstance(mx.base.error_kind(IndexError()), type) and issubclass(mx.base.error_kind(IndexError()), mx.base.MXNetError)


def test_reshape_to_another_size_is_a_value_error():
    with pytest.raises(ValueError, match="Reshape"):
        mx.nd.arange(30).reshape((2, 3))
    with pytest.raises(mx.base.MXNetError):
        mx.nd.arange(30).reshape((2, 3))


def test_moveaxis_several_axes_and_bad_axes():
    x = mx.nd.zeros((4, 1, 2, 3))
    assert mx.nd.moveaxis(x, [0, 1], [2, 3]).shape == (2, 3, 4, 1)
    assert mx.nd.moveaxis(x, -1, 0).shape == (3, 4, 1, 2)
    for src, dst in [(4, 0), ([0, 0], [0, 1]), (0, [0, 1])]:
        with pytest.raises(ValueError):
            mx.nd.moveaxis(x, src, dst)


def test_none_keyword_means_the_default():
    x = mx.nd.ones((1, 1, 4, 4))
    y = mx.nd.contrib.BilinearResize2D(x, height=None, width=None, scale_height=0.5, scale_width=0.5)
    assert y.shape == (1, 1, 2, 2)
    s = mx.sym.contrib.BilinearResize2D(mx.sym.var("d"), None, scale_height=0.5, scale_width=0.5)
    assert s.infer_shape(d=(1, 1, 4, 4))[1] == [(1, 1, 2, 2)]
    with pytest.raises(mx.base.MXNetError, match="required parameter 'block_size'"):
        mx.nd.depth_to_space(x, block_size=None)


def test_numpy_integers_inside_tuple_params():
    shape = tuple(np.add(np.array([2, 3]), [1]))  # (np.int64(3), np.int64(4))
    s = mx.sym.ravel_multi_index(mx.sym.var("a"), shape=shape)
    assert s.list_attr()["shape"] == "(3, 4)"
    ex = s.bind(mx.cpu(), {"a": mx.nd.array([[1, 2], [3, 0]])})
    assert ex.forward()[0].asnumpy().tolist() == [7.0, 8.0]
    assert mx.nd.Reshape(mx.nd.zeros((6,)), shape=(np.int32(2), np.int64(3))).shape == (2, 3)


def test_lr_mult_and_wd_mult_as_operator_keywords():
    s = mx.sym.FullyConnected(mx.sym.var("d"), num_hidden=2, lr_mult=2.0, wd_mult=0.5)
    assert s.list_attr()["__lr_mult__"] == "2.0" and s.list_attr()["__wd_mult__"] == "0.5"
    assert mx.sym.load_json(s.tojson()).list_attr()["__lr_mult__"] == "2.0"
    with pytest.raises(mx.base.MXNetError, match="lr_mult"):  # as MXNet, mx.nd has no such keyword
        mx.nd.FullyConnected(mx.nd.ones((1, 2)), mx.nd.ones((2, 2)), mx.nd.ones((2,)), num_hidden=2, lr_mult=2.0)


def test_lamb_update_phases_match_mxnet():
    # values printed by MXNet 1.9.1 (../shared/tools/mxnet-reference) for these inputs
    w = mx.nd.array([0.5, -1.0, 2.0])
    g = mx.nd.array([0.1, 0.2, -0.3])
    m = mx.nd.array([0.01, 0.0, 0.02])
    v = mx.nd.array([0.001, 0.002, 0.0])
    d = mx.nd.lamb_update_phase1(w, g, m, v, t=3, wd=0.01, rescale_grad=2.0, clip_gradient=0.5)
    np.testing.assert_allclose(d.asnumpy(), [0.18674488, 0.16394287, -0.38884056], rtol=2e-5)
    np.testing.assert_allclose(m.asnumpy(), [0.029, 0.04, -0.032], rtol=1e-5)
    np.testing.assert_allclose(v.asnumpy(), [0.001039, 0.002158, 0.00025], rtol=1e-4)
    np.testing.assert_allclose(mx.nd.lamb_update_phase2(w, d, mx.nd.norm(w), mx.nd.norm(d), lr=0.1).asnumpy(), [0.4072761, -1.0814021, 2.19307], rtol=2e-5)
    np.testing.assert_allclose(
        mx.nd.lamb_update_phase2(w, d, mx.nd.zeros((1,)), mx.nd.norm(d), lr=0.1).asnumpy(), [0.4813255, -1.0163943, 2.0388842], rtol=2e-5
    )


def test_lamb_optimizer_matches_mxnet():
    # three steps of MXNet 1.9.1's mx.optimizer.LAMB (../shared/tools/mxnet-reference) on these values
    opt = mx.optimizer.LAMB(learning_rate=0.1, wd=0.01, rescale_grad=0.5, clip_gradient=1.0, lower_bound=0.1, upper_bound=5.0)
    w = mx.nd.array([0.5, -1.0, 2.0, 0.3])
    state = opt.create_state(0, w)
    for i in range(3):
        opt.update(0, w, mx.nd.array([0.1, 0.2, -0.3, 0.05]) * (i + 1), state)
    np.testing.assert_allclose(w.asnumpy(), [0.13082261, -1.3635194, 2.3597462, -0.06841758], rtol=1e-5, atol=1e-6)
    assert isinstance(mx.optimizer.create("lamb"), mx.optimizer.LAMB)


def test_flatten_squeeze_expand_dims_inplace_share_memory():
    t = (mx.nd.arange(30) + 1).reshape(2, 3, 5)
    copy, view = t.flatten(), t.flatten(inplace=True)
    t[0] = -1
    assert copy.asnumpy()[0, 0] == 1 and view.asnumpy()[0, 0] == -1 and view.shape == (2, 15)
    d = mx.nd.ones((1, 5, 1, 3, 1))
    view = d.squeeze(axis=(0, 4), inplace=True)
    d[0][0] = -1
    assert view.shape == (5, 1, 3) and view.asnumpy()[0, 0, 0] == -1
    d = mx.nd.ones((2, 3))
    view = d.expand_dims(-1, inplace=True)
    d[0] = -1
    assert view.shape == (2, 3, 1) and view.asnumpy()[0, 0, 0] == -1
    assert d.expand_dims(axis=1).shape == (2, 1, 3)
