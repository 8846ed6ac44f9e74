"""Executor behaviours MXNet 1.9.1's own operator tests rely on (test_operator.py).

- backward ignores a head gradient no gradient reads (its shape included);
- monitor_all reports a variable input under its own name too, and inputs of
  operators MXNet registers without input names by position (act_input0);
- a reshaped executor keeps the monitor callback;
- monitor callbacks written for MXNet turn the array into a handle and back.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import NDArrayHandle


def test_backward_ignores_head_gradients_no_gradient_reads():
    x = mx.sym.var("x")
    for sym in (mx.sym.shape_array(x), mx.sym.BlockGrad(x), x == x):
        xg = mx.nd.ones((2, 3))
        exe = sym.bind(mx.cpu(), args={"x": mx.nd.ones((2, 3))}, args_grad={"x": xg})
        exe.forward(is_train=True)
        exe.backward([mx.nd.ones((7, 7))])  # any shape: MXNet never reads it
        exe.backward()  # none at all works too
        np.testing.assert_array_equal(xg.asnumpy(), np.zeros((2, 3)))
    # a head gradient that is read is still checked
    exe = (x * 2).bind(mx.cpu(), args={"x": mx.nd.ones((2, 3))}, args_grad={"x": mx.nd.zeros((2, 3))})
    exe.forward(is_train=True)
    with pytest.raises(ValueError, match=r"out_grads\[0\] has shape \(7, 7\), expected \(2, 3\)"):
        exe.backward([mx.nd.ones((7, 7))])
    with pytest.raises(mx.base.MXNetError, match="head gradient is required"):
        exe.backward()


def _names(sym, **shapes):
    seen = []
    exe = sym.simple_bind(mx.cpu(), grad_req="null", **shapes)
    exe.set_monitor_callback(lambda name, arr: seen.append(name), monitor_all=True)
    exe.forward()
    mx.nd.waitall()
    return seen


def test_monitor_all_names_match_mxnet():
    data = mx.sym.var("data")
    conv = mx.sym.Convolution(data, kernel=(2, 2), num_filter=1, name="conv")
    # MXNet 1.9.1 (test_op_all_names_monitor): variables first under their own names
    assert _names(conv, data=(1, 3, 4, 4)) == ["data", "conv_data", "conv_weight", "conv_weight", "conv_bias", "conv_bias", "conv_output"]
    act = mx.sym.Activation(data, act_type="relu", name="act")
    assert _names(act, data=(2, 2)) == ["data", "act_input0", "act_output"]
    cc = mx.sym.concat(data, data, dim=0, name="concat")
    assert _names(cc, data=(2, 2)) == ["data", "concat_arg0", "data", "concat_arg1", "concat_output"]
    # an operator output feeding another is reported once, as the consumer's input
    two = mx.sym.FullyConnected(mx.sym.relu(data, name="r"), num_hidden=2, no_bias=True, name="fc")
    assert _names(two, data=(2, 3)) == ["data", "r_input0", "r_output", "fc_data", "fc_weight", "fc_weight", "fc_output"]


def test_monitor_survives_reshape_and_hands_out_handles():
    data = mx.sym.var("data")
    sym = mx.sym.Convolution(data, kernel=(1, 1), num_filter=1, name="conv")
    exe = sym.simple_bind(mx.cpu(), grad_req="null", data=(1, 3, 4, 4))
    mins = {}

    def callback(name, arr):
        # what MXNet's own monitor callbacks do with the array they get
        arr = mx.nd.NDArray(ctypes.cast(arr, NDArrayHandle), writable=False)
        mins[name] = float(mx.nd.min(arr).asscalar())

    exe.set_monitor_callback(callback, monitor_all=True)
    new = exe.reshape(allow_up_sizing=True, data=(1, 3, 4, 8))
    new.arg_dict["data"][:] = 2.0
    new.forward()
    mx.nd.waitall()
    assert set(mins) == {"data", "conv_data", "conv_weight", "conv_bias", "conv_output"}
    assert mins["data"] == 2.0
    with pytest.raises(mx.base.MXNetError, match="not NDArray"):
        mx.nd.NDArray(ctypes.c_void_p(12345))


def test_softmax_float_length_binds_and_fails_when_run():
    data, length = mx.sym.var("data"), mx.sym.var("length")
    sym = mx.sym.softmax(data, length, axis=1, use_length=True)
    exe = sym.simple_bind(mx.cpu(), grad_req="null", data=(2, 3), length=(2,))
    with pytest.raises(mx.base.MXNetError, match="'length' has dtype float32, expected an integer dtype"):
        exe.forward()
        mx.nd.waitall()


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "int8"])
def test_integer_mod_has_zero_gradients(dtype):
    # MXNet 1.9.1: every integer mod (array % array, broadcast, % scalar, scalar % array) has zero
    # gradients, whatever the head gradient; float mod keeps og and -og * floor(a / b). This is why
    # test_broadcast_binary_op's int32 broadcast_mod check failed when a float32 head gradient hit 1.0.
    a, b = mx.sym.var("a", dtype=dtype), mx.sym.var("b", dtype=dtype)
    vals = {"a": mx.nd.array([[5, 7, 9]], dtype=dtype), "b": mx.nd.array([[2, 3, 4]], dtype=dtype)}
    for sym in (a % b, mx.sym.broadcast_mod(a, b), a % 3, 7 % a):
        names = sym.list_arguments()
        grads = [mx.nd.ones((1, 3), dtype=dtype) for _ in names]
        exe = sym.bind(mx.cpu(), args={n: vals[n] for n in names}, args_grad=grads)
        exe.forward(is_train=True)
        exe.backward([mx.nd.array([[1, 2, 3]], dtype=dtype)])
        for g in grads:
            np.testing.assert_array_equal(g.asnumpy(), np.zeros((1, 3)))
    fa, fb = mx.sym.var("a"), mx.sym.var("b")
    ga, gb = mx.nd.zeros((1, 3)), mx.nd.zeros((1, 3))
    exe = (fa % fb).bind(mx.cpu(), args={"a": mx.nd.array([[5, 7, 9]]), "b": mx.nd.array([[2, 3, 4]])}, args_grad=[ga, gb])
    exe.forward(is_train=True)
    exe.backward([mx.nd.array([[1, 2, 3]])])
    assert ga.asnumpy().tolist() == [[1, 2, 3]] and gb.asnumpy().tolist() == [[-2, -4, -6]]


def test_sampler_shape_comes_from_the_consumer_and_symbol_keywords_are_ignored():
    # MXNet 1.9.1 (test_random.py::test_random): shape () is unknown in a graph, and
    # mx.sym.random.randn(data=sym) ignores the Symbol keyword of an op without inputs
    x = mx.sym.var("X")
    y = mx.sym.random.randn(loc=10.0, scale=0.5, data=mx.sym.ones((5, 5))) + x
    assert y.list_arguments() == ["X"]
    assert y.infer_shape(X=(50, 40))[1] == [(50, 40)]
    exe = y.bind(mx.cpu(), {"X": mx.nd.zeros((50, 40))})
    out = exe.forward()[0].asnumpy()
    assert out.shape == (50, 40) and abs(out.mean() - 10.0) < 0.1
    with pytest.raises(mx.base.MXNetError, match="_random_uniform: cannot infer"):
        mx.nd.random.uniform(shape=())
