"""mx.nd's cached shape/type inference (ndarray.dispatch._INFERRED): same answers, user rules still run."""

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from mxpy.ndarray import dispatch


def test_cached_inference_follows_shapes_dtypes_and_params():
    w = mx.nd.ones((3, 4))
    for shape, dtype in (((2, 4), "float32"), ((5, 4), "float32"), ((2, 2, 2), "float32"), ((2, 4), "float64")):
        x = mx.nd.ones(shape, dtype=dtype)
        out = mx.nd.FullyConnected(x, w.astype(dtype), no_bias=True, num_hidden=3)
        assert out.shape == (shape[0], 3) and out.dtype == np.dtype(dtype)
    # the same inputs with other parameters, and flatten=False
    assert mx.nd.FullyConnected(mx.nd.ones((2, 2, 4)), w, no_bias=True, num_hidden=3, flatten=False).shape == (2, 2, 3)
    assert mx.nd.sum(mx.nd.ones((2, 3)), axis=0).shape == (3,)
    assert mx.nd.sum(mx.nd.ones((2, 3)), axis=1).shape == (2,)


def test_errors_are_not_cached():
    w = mx.nd.ones((3, 4))
    for _ in range(2):
        with pytest.raises(MXNetError, match="FullyConnected"):
            mx.nd.FullyConnected(mx.nd.ones((2, 5)), w, no_bias=True, num_hidden=3)
    assert mx.nd.FullyConnected(mx.nd.ones((2, 4)), w, no_bias=True, num_hidden=3).shape == (2, 3)


def test_entries_are_bounded():
    dispatch._INFERRED.clear()
    for n in range(1, 40):
        mx.nd.relu(mx.nd.ones((n,)))
    assert 0 < len(dispatch._INFERRED) <= dispatch._INFERRED_MAX


class _Twice(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * 2)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] * 2)


_CALLS = []


@mx.operator.register("dispatch_cache_twice")
class _TwiceProp(mx.operator.CustomOpProp):
    def infer_shape(self, in_shape):
        _CALLS.append(tuple(in_shape[0]))
        return in_shape, [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _Twice()


def test_custom_op_rules_run_on_every_call():
    _CALLS.clear()
    x = mx.nd.ones((2, 3))
    for _ in range(3):
        y = mx.nd.Custom(x, op_type="dispatch_cache_twice")
    np.testing.assert_array_equal(y.asnumpy(), np.full((2, 3), 2.0))
    assert _CALLS.count((2, 3)) >= 3
