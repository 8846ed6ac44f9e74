"""mx.random / mx.nd.random: reproducibility, distributions, MXNet's API facts.

Golden facts (shapes, dtypes, rejected calls, deterministic outputs,
signatures) come from MXNet 1.9.1 via tests/golden/make_random_api.py.
"""

from __future__ import annotations

import inspect
import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.base import MXNetError
from tests.conftest import queued_engine

with open(os.path.join(os.path.dirname(__file__), "golden", "random_api.json")) as _f:
    _GOLDEN = json.load(_f)


def _eval(expr: str):
    return eval(expr, {"mx": mx})  # the fixture's expressions are MXNet API calls


@pytest.mark.parametrize("expr", sorted(_GOLDEN["shapes"]))
def test_output_shape_and_dtype_match_mxnet(expr):
    r = _eval(expr)
    rs = r if isinstance(r, (list, tuple)) else [r]
    got = [{"shape": list(x.shape), "dtype": x.asnumpy().dtype.name} for x in rs]
    assert got == _GOLDEN["shapes"][expr]


@pytest.mark.parametrize("expr", sorted(_GOLDEN["errors"]))
def test_rejected_where_mxnet_rejects(expr):
    kind = _GOLDEN["errors"][expr]
    exc = MXNetError if kind == "MXNetError" else getattr(__import__("builtins"), kind)
    with pytest.raises(exc):
        r = _eval(expr)
        (r if isinstance(r, (list, tuple)) else [r])[0].asnumpy()


@pytest.mark.parametrize("expr", sorted(_GOLDEN["values"]))
def test_deterministic_outputs_match_mxnet(expr):
    want = _GOLDEN["values"][expr]
    got = _eval(expr).asnumpy()
    assert got.dtype.name == want["dtype"] and list(got.shape) == want["shape"]
    np.testing.assert_allclose(got.ravel().astype(np.float64), np.array(want["data"], np.float64), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(_GOLDEN["signatures"]))
def test_signatures_match_mxnet(name):
    fn = getattr(mx.nd.random, name)
    assert str(inspect.signature(fn)) == _GOLDEN["signatures"][name]
    assert getattr(mx.random, name) is fn


def test_errors_name_the_operator_and_values():
    with pytest.raises(MXNetError, match=r"_random_normal.*scale.*-1"):
        mx.nd.random.normal(0, -1, shape=(2,))
    with pytest.raises(MXNetError, match=r"_random_uniform.*low=2.*high=0"):
        mx.nd.random.uniform(2, 0, shape=(2,))
    with pytest.raises(MXNetError, match=r"_sample_uniform.*same shape"):
        mx.nd.random.uniform(mx.nd.zeros((2,)), mx.nd.ones((3,)))
    with pytest.raises(AssertionError, match="uniform.*same type"):
        mx.nd.random.uniform(mx.nd.zeros((2,)), 1.0)


# -- reproducibility -------------------------------------------------------------------------


def _program():
    """A mix of samplers and ordinary ops, pushed without waiting."""
    outs = [
        mx.nd.random.uniform(-1, 1, shape=(50,)),
        mx.nd.random.normal(2, 3, shape=(5, 10)) * 2 + 1,
        mx.nd.random.randint(0, 100, shape=(20,)),
        mx.nd.random.exponential(0.5, shape=(30,)),
        mx.nd.random.gamma(2.0, 1.5, shape=(30,)),
        mx.nd.random.poisson(4.0, shape=(30,)),
        mx.nd.random.negative_binomial(3, 0.3, shape=(30,)),
        mx.nd.random.generalized_negative_binomial(2.0, 0.4, shape=(30,)),
        mx.nd.random.normal(mx.nd.zeros((3,)), mx.nd.ones((3,)), shape=(4,)),
        mx.nd.random.multinomial(mx.nd.array([[0.2, 0.3, 0.5]]), shape=(25,)),
        mx.nd.random.shuffle(mx.nd.arange(40)),
        mx.nd.random.uniform_like(mx.nd.zeros((3, 3))),
    ]
    return [o.asnumpy() for o in outs]


def test_same_seed_same_numbers_on_both_engines():
    runs = []
    for eng in ("NaiveEngine", "ThreadedEngine", "ThreadedEngine", "NaiveEngine"):
        with engine.engine_type(eng):
            mx.random.seed(1234)
            runs.append(_program())
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


def test_seed_orders_after_pending_draws():
    # A reseed pushed behind queued draws must not change them, and draws
    # after it must restart the stream, whether or not anything waited.
    with engine.engine_type(queued_engine()):
        mx.random.seed(5)
        first = mx.nd.random.uniform(shape=(1000,))
        mx.random.seed(5)
        again = mx.nd.random.uniform(shape=(1000,))
        np.testing.assert_array_equal(first.asnumpy(), again.asnumpy())


def test_different_seeds_differ_and_stream_advances():
    mx.random.seed(1)
    a = mx.nd.random.uniform(shape=(100,)).asnumpy()
    b = mx.nd.random.uniform(shape=(100,)).asnumpy()
    mx.random.seed(2)
    c = mx.nd.random.uniform(shape=(100,)).asnumpy()
    assert not np.array_equal(a, b) and not np.array_equal(a, c)


def test_seed_one_context():
    ctx = mx.cpu(3)
    mx.random.seed(11, ctx=ctx)
    a = mx.nd.random.normal(shape=(10,), ctx=ctx).asnumpy()
    mx.random.seed(11, ctx=mx.cpu(3))
    b = mx.nd.random.normal(shape=(10,), ctx=ctx).asnumpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="seed_state"):
        mx.random.seed("abc")


# -- distributions through the front end ---------------------------------------------------

N = 100_000


def _assert_moments(x, mean, var, tol_var=0.05):
    x = x.astype(np.float64).ravel()
    assert abs(x.mean() - mean) <= 6 * np.sqrt(var / x.size), (x.mean(), mean)
    assert abs(x.var() - var) <= tol_var * var, (x.var(), var)


@pytest.mark.parametrize(
    "call, mean, var",
    [
        (lambda: mx.nd.random.uniform(-2, 6, shape=(N,)), 2.0, 64 / 12),
        (lambda: mx.nd.random.normal(-1, 0.5, shape=(N,)), -1.0, 0.25),
        (lambda: mx.nd.random.randn(N, loc=3, scale=2), 3.0, 4.0),
        (lambda: mx.nd.random.randint(10, 20, shape=(N,)), 14.5, (10**2 - 1) / 12),
        (lambda: mx.nd.random.exponential(3.0, shape=(N,)), 3.0, 9.0),  # scale, not rate
        (lambda: mx.nd.random.gamma(3.0, 2.0, shape=(N,)), 6.0, 12.0),
        (lambda: mx.nd.random.poisson(7.5, shape=(N,)), 7.5, 7.5),
        (lambda: mx.nd.random.negative_binomial(4, 0.25, shape=(N,)), 12.0, 48.0),
        (lambda: mx.nd.random.generalized_negative_binomial(5.0, 0.2, shape=(N,)), 5.0, 10.0),
        (lambda: mx.nd.random.exponential(mx.nd.array([3.0]), shape=(N,)), 3.0, 9.0),
        (lambda: mx.nd.random.gamma(mx.nd.array([3.0]), mx.nd.array([2.0]), shape=(N,)), 6.0, 12.0),
        (lambda: mx.nd.random.negative_binomial(mx.nd.array([4.0]), mx.nd.array([0.25]), shape=(N,)), 12.0, 48.0),
        (lambda: mx.nd.random.generalized_negative_binomial(mx.nd.array([5.0]), mx.nd.array([0.2]), shape=(N,)), 5.0, 10.0),
    ],
)
def test_moments(call, mean, var):
    mx.random.seed(99)
    _assert_moments(call().asnumpy(), mean, var)


def test_float64_draws_use_full_precision():
    x = mx.nd.random.uniform(shape=(1000,), dtype="float64").asnumpy()
    assert x.dtype == np.float64
    assert np.any(x.astype(np.float32).astype(np.float64) != x)


def test_multinomial_frequencies_and_log_prob():
    probs = np.array([[0.05, 0.15, 0.8], [0.6, 0.4, 0.0]], np.float32)
    idx, logp = mx.nd.random.multinomial(mx.nd.array(probs), shape=(N,), get_prob=True)
    idx, logp = idx.asnumpy(), logp.asnumpy()
    assert idx.dtype == np.int32 and logp.dtype == np.float32 and idx.shape == (2, N)
    for row in range(2):
        np.testing.assert_allclose(np.bincount(idx[row], minlength=3) / N, probs[row], atol=0.01)
    np.testing.assert_allclose(logp, np.log(np.take_along_axis(probs, idx.astype(np.int64), axis=1)), rtol=1e-6)


def test_shuffle_is_a_row_permutation_and_works_in_place():
    data = np.arange(200 * 3, dtype=np.float32).reshape(200, 3)
    a = mx.nd.array(data)
    out = mx.nd.random.shuffle(a).asnumpy()
    assert sorted(out[:, 0].tolist()) == data[:, 0].tolist()
    np.testing.assert_array_equal(out[np.argsort(out[:, 0])], data)
    assert not np.array_equal(out, data)
    mx.nd.random.shuffle(a, out=a)  # out aliases data
    got = a.asnumpy()
    np.testing.assert_array_equal(got[np.argsort(got[:, 0])], data)


def test_out_and_ctx():
    o = mx.nd.zeros((4, 2))
    r = mx.nd.random.normal(shape=(4, 2), out=o)
    assert r is o and np.all(o.asnumpy() != 0)
    assert mx.nd.random.uniform(shape=(2,), ctx=mx.cpu(2)).context == mx.cpu(2)
    s = mx.nd.random.uniform(mx.nd.zeros((2,), ctx=mx.cpu(1)), mx.nd.ones((2,), ctx=mx.cpu(1)))
    assert s.context == mx.cpu(1)
