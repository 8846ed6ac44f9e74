"""``mx.sym.random`` against MXNet 1.9.1, and the multinomial gradient on MXNet's draws.

Goldens: tests/golden/symbol_random.json, made by tests/golden/make_symbol_random.py,
whose builders are imported here so both sides build the same graphs: node ops,
names and attributes, arguments, outputs, and the shapes and dtypes a forward
produces.
"""

from __future__ import annotations

import inspect
import json
import os

import numpy as np
import pytest

import mxpy as mx
import mxpy.symbol.random  # noqa: F401  (mx.sym.random until mxpy.symbol imports it)
from mxpy.base import MXNetError
from tests.golden.make_symbol_random import CASES, ERRORS, FUNCTIONS, describe

with open(os.path.join(os.path.dirname(__file__), "golden", "symbol_random.json")) as _f:
    GOLDEN = json.load(_f)


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_and_forward_match_mxnet(name):
    build, fwd = CASES[name]
    with mx.name.NameManager():
        got = describe(mx, build(mx), fwd)
    want = GOLDEN["cases"][name]
    assert got["nodes"] == want["nodes"]
    assert got["arguments"] == want["arguments"]
    assert got["outputs"] == want["outputs"]
    assert got["shapes"] == want["shapes"]
    assert got["dtypes"] == want["dtypes"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_round_trip_binds(name):
    build, fwd = CASES[name]
    with mx.name.NameManager():
        sym = build(mx)
    again = mx.sym.load_json(sym.tojson())
    assert describe(mx, again, fwd) == describe(mx, sym, fwd)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_mixed_or_bad_parameters_raise_as_mxnet(name):
    build, cls = ERRORS[name]
    assert GOLDEN["errors"][name] == cls
    with pytest.raises({"AssertionError": AssertionError, "ValueError": ValueError}[cls], match="distribution parameters"):
        build(mx)


@pytest.mark.parametrize("fname", FUNCTIONS)
def test_signatures_match_mxnet(fname):
    sig = inspect.signature(getattr(mx.sym.random, fname)).replace(return_annotation=inspect.Signature.empty)
    assert str(sig) == GOLDEN["signatures"][fname]


def test_randint_with_symbols_is_rejected():
    with pytest.raises(TypeError, match="randint"):
        mx.sym.random.randint(mx.sym.Variable("a"), mx.sym.Variable("b"))


def test_bad_scalar_parameter_fails_at_shape_inference():
    sym = mx.sym.random.normal(0, -1, shape=(2,))
    with pytest.raises(MXNetError, match="scale"):
        sym.simple_bind(mx.cpu())


def test_samples_lie_in_their_support():
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    group = mx.sym.Group(
        [
            mx.sym.random.uniform(-2, -1, shape=(500,)),
            mx.sym.random.uniform(a, b, shape=(300,)),
            mx.sym.random.randint(3, 6, shape=(500,)),
            mx.sym.random.poisson(a, shape=(300,)),
        ]
    )
    ex = group.simple_bind(mx.cpu(), grad_req="null", a=(2,), b=(2,))
    ex.arg_dict["a"][:] = np.array([1.0, 5.0])
    ex.arg_dict["b"][:] = np.array([2.0, 6.0])
    u, su, ri, po = (o.asnumpy() for o in ex.forward())
    assert u.min() >= -2 and u.max() < -1
    assert su[0].min() >= 1 and su[0].max() < 2 and su[1].min() >= 5 and su[1].max() < 6
    assert set(np.unique(ri).tolist()) <= {3, 4, 5}
    assert np.all(po == np.round(po)) and po.min() >= 0
    assert po[1].mean() > po[0].mean()  # rates 5 vs 1


def test_seed_reproduces_symbolic_draws():
    sym = mx.sym.random.normal(0, 1, shape=(6,))
    ex = sym.simple_bind(mx.cpu())
    mx.random.seed(3)
    first = ex.forward()[0].asnumpy().copy()
    mx.random.seed(3)
    np.testing.assert_array_equal(ex.forward()[0].asnumpy(), first)


# -- multinomial's log-probability gradient ----------------------------------------------
MG = GOLDEN["multinomial_grad"]


def test_backward_sample_multinomial_on_mxnet_draws():
    probs = np.array(MG["probs"], np.float32)
    idx = np.array(MG["idx"], np.int32)
    og = np.array(MG["og"], np.float32)
    grad = mx.nd._internal._backward_sample_multinomial(mx.nd.array(og), mx.nd.array(probs), mx.nd.array(idx, dtype="int32"), shape=(6,), get_prob=True)
    np.testing.assert_allclose(grad.asnumpy(), np.array(MG["grad"], np.float32), rtol=1e-6)


def test_multinomial_log_prob_matches_mxnet_for_its_draws():
    probs = np.array(MG["probs"], np.float32)
    idx = np.array(MG["idx"], np.int64)
    np.testing.assert_allclose(np.log(np.take_along_axis(probs, idx, axis=1)), np.array(MG["logp"], np.float32), rtol=1e-6)


@pytest.mark.parametrize("path", ["autograd", "symbolic"])
def test_multinomial_gradient_scatters_og_over_p(path):
    probs = np.array(MG["probs"], np.float32)
    og = np.array(MG["og"], np.float32)
    if path == "autograd":
        p = mx.nd.array(probs)
        p.attach_grad()
        with mx.autograd.record():
            idx, lp = mx.nd.random.multinomial(p, shape=(6,), get_prob=True)
        lp.backward(mx.nd.array(og))
        idx, grad = idx.asnumpy(), p.grad.asnumpy()
    else:
        out = mx.sym.random.multinomial(mx.sym.Variable("d"), shape=(6,))
        ex = out.simple_bind(mx.cpu(), d=probs.shape)
        ex.arg_dict["d"][:] = probs
        idx = ex.forward(is_train=True)[0].asnumpy()
        ex.backward([mx.nd.zeros(idx.shape, dtype="int32"), mx.nd.array(og)])
        grad = ex.grad_dict["d"].asnumpy()
    want = np.zeros(probs.shape, np.float64)
    rows = np.arange(3)[:, None].repeat(6, axis=1)
    np.add.at(want, (rows, idx.astype(np.int64)), og / probs[rows, idx.astype(np.int64)])
    np.testing.assert_allclose(grad, want, rtol=1e-5)


def test_sampler_gradients_are_zero_as_mxnet():
    lo, hi = mx.nd.array([0.0, 1.0]), mx.nd.array([2.0, 3.0])
    x = mx.nd.ones((2, 2))
    for arr in (lo, hi, x):
        arr.attach_grad()
    with mx.autograd.record():
        y = mx.nd.random.uniform(lo, hi, shape=(3,)).sum() + mx.nd.random.normal_like(x).sum()
    y.backward()
    for arr in (lo, hi, x):
        np.testing.assert_array_equal(arr.grad.asnumpy(), np.zeros(arr.shape, np.float32))
