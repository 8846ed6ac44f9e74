"""Partial shape inference (MXNet's legacy 0 = unknown dims), against real MXNet 1.9.1.

The cases live in tests/golden/partial_shape_cases.py; tests/golden/make_partial_shape.py
ran them on MXNet 1.9.1 to write tests/golden/partial_shape.json.
"""

import json
import os
import sys

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
sys.path.insert(0, GOLDEN)
from partial_shape_cases import CASES, run  # noqa: E402

with open(os.path.join(GOLDEN, "partial_shape.json")) as _f:
    EXPECTED = json.load(_f)["cases"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_mxnet(name):
    assert run(mx, name) == EXPECTED[name]


def test_every_case_has_a_golden():
    assert sorted(EXPECTED) == sorted(CASES)


def test_zero_begin_state_binds_and_runs():
    # the batch size reaches a zeros((0, H)) begin state from the data, so bind allocates it
    data = mx.sym.Variable("data")
    h0 = mx.sym.zeros(shape=(0, 4))
    out = mx.sym.FullyConnected(data, num_hidden=4, name="i2h") + mx.sym.FullyConnected(h0, num_hidden=4, name="h2h")
    ex = out.simple_bind(mx.cpu(), data=(3, 5))
    for arr in ex.arg_dict.values():
        arr[:] = np.arange(arr.size, dtype=np.float32).reshape(arr.shape) / 10
    got = ex.forward()[0].asnumpy()
    args = {k: v.asnumpy() for k, v in ex.arg_dict.items()}
    want = args["data"] @ args["i2h_weight"].T + args["i2h_bias"] + args["h2h_bias"]  # h0 is zero
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_conflicting_partial_shapes_raise():
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.Variable("b", shape=(12, 11))
    with pytest.raises(MXNetError, match="a|b"):
        (a + b).infer_shape()


def test_unknown_dims_in_partial_result_follow_the_shape_mode():
    x = mx.sym.Variable("x")
    y = mx.sym.transpose(x)
    assert y.infer_shape_partial(x=(0, 3))[1] == [(3, 0)]
    with mx.np_shape(True):
        assert y.infer_shape_partial(x=(-1, 3))[1] == [(3, -1)]
        # 0 is a real size under NumPy shape semantics
        assert y.infer_shape(x=(0, 3))[1] == [(3, 0)]


def test_imperative_zero_size_is_not_unknown():
    # only the graph's shape pass reads 0 as unknown; arrays keep their zero-size dims
    # (MXNet 1.9.1 makes them with empty or from data; its zeros/ones refuse 0 dims)
    assert mx.nd.empty((0, 3)).shape == (0, 3)
    assert mx.nd.transpose(mx.nd.empty((0, 3))).shape == (3, 0)
