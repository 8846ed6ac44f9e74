"""contrib.quantize / contrib.dequantize: MXNet 1.9.1's plain CPU formulas (mxpy/ops/contrib/quantize.py)."""

from __future__ import annotations

import numpy as np

import mxpy as mx


def test_int8_round_trip_matches_mxnet():
    # the values of MXNet 1.9.1's test_operator.py::test_quantization_op (its wheel gives the same)
    a = mx.nd.array([[0.1392, 0.5928], [0.6027, 0.8579]])
    q, lo, hi = mx.nd.contrib.quantize(a, mx.nd.array([0.0]), mx.nd.array([1.0]), out_type="int8")
    assert q.dtype == np.int8 and q.asnumpy().tolist() == [[18, 75], [77, 109]]
    assert lo.asnumpy().tolist() == [-1.0] and hi.asnumpy().tolist() == [1.0]
    back = mx.nd.contrib.dequantize(q, lo, hi)
    assert back.dtype == np.float32
    np.testing.assert_allclose(back.asnumpy(), [[0.14173228, 0.5905512], [0.6062992, 0.8582677]], rtol=1e-6)


def test_uint8_uses_the_whole_range_and_saturates():
    x = mx.nd.array([-1.0, 0.5, 2.0, 5.0, -3.0])
    q, lo, hi = mx.nd.contrib.quantize(x, mx.nd.array([-1.0]), mx.nd.array([2.0]))
    assert q.dtype == np.uint8 and q.asnumpy().tolist() == [0, 128, 255, 255, 0]
    assert (lo.asscalar(), hi.asscalar()) == (-1.0, 2.0)
    np.testing.assert_allclose(mx.nd.contrib.dequantize(q, lo, hi).asnumpy(), [-1.0, 128 * 3 / 255 - 1, 2.0, 2.0, -1.0], rtol=1e-6)


def test_zero_gradient_and_symbol_outputs():
    x = mx.nd.array([0.3, -0.2])
    x.attach_grad()
    with mx.autograd.record():
        q, lo, hi = mx.nd.contrib.quantize(x, mx.nd.array([-1.0]), mx.nd.array([1.0]), out_type="int8")
        y = mx.nd.contrib.dequantize(q, lo, hi) * 2
    y.backward()
    assert x.grad.asnumpy().tolist() == [0.0, 0.0]
    s = mx.sym.contrib.quantize(mx.sym.var("d"), mx.sym.var("lo"), mx.sym.var("hi"))
    assert s.list_outputs() == ["quantize0_output0", "quantize0_output1", "quantize0_output2"]
    assert s.infer_shape(d=(2, 3))[1] == [(2, 3), (1,), (1,)]
