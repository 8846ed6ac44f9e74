"""Gradients of the elementwise, binary, broadcast, reduce and sort operators.

- every differentiable op against float64 central differences (tests/gradcheck.py);
- MXNet 1.9.1's own input gradients (tests/golden/grad_elemwise.json, made by
  tests/golden/make_grad_elemwise.py): broadcast shapes, max/min and
  maximum/minimum ties, prod with zeros, norm at zero, power family, topk...;
  through symbolic bind and through autograd;
- zero-gradient ops, grad_req='add', and the seed tutorial's executor example.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.base import MXNetError
from tests.gradcheck import check_gradient

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "grad_elemwise.json").read_text())["cases"]

RNG = np.random.default_rng(0)
X = RNG.uniform(0.2, 0.9, (2, 3))  # inside every domain, away from kinks
A = RNG.uniform(0.5, 2.0, (2, 3))
B = RNG.uniform(0.5, 2.0, (2, 3)) + 0.05
X3 = RNG.permutation(24).reshape(2, 3, 4) * 0.1 + 0.05  # distinct values: no ties

UNARY = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square", "reciprocal",
    "abs", "negative", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arctanh", "degrees", "radians", "relu", "sigmoid", "softsign", "erf", "erfinv", "gamma", "gammaln",
]  # fmt: skip
BINARY = ["elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "_mod", "_power", "_maximum", "_minimum", "_hypot"]
SCALAR = ["_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar", "_mod_scalar", "_rmod_scalar"]
SCALAR += ["_power_scalar", "_rpower_scalar", "_maximum_scalar", "_minimum_scalar", "_hypot_scalar"]
REDUCE_PARAMS = [{}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}, {"axis": 1, "exclude": True}, {"axis": -1}]
ZERO_GRAD = ["sign", "floor", "ceil", "round", "rint", "fix", "trunc"]


def _sym_fn(op):
    return getattr(mx.sym, op) if hasattr(mx.sym, op) else getattr(mx.sym._internal, op)


def _nd_fn(op):
    return getattr(mx.nd, op) if hasattr(mx.nd, op) else getattr(mx.nd._internal, op)


# -- central differences ---------------------------------------------------------------------------


@pytest.mark.parametrize("op", UNARY)
def test_unary_gradient(op):
    check_gradient(op, [X])


def test_arccosh_gradient():
    check_gradient("arccosh", [X + 1.5])


@pytest.mark.parametrize("op", BINARY)
def test_elemwise_binary_gradient(op):
    check_gradient(op, [A, B])


@pytest.mark.parametrize("op", ["broadcast_" + f for f in ("add", "sub", "mul", "div", "mod", "power", "maximum", "minimum", "hypot")])
@pytest.mark.parametrize("shapes", [((2, 1), (1, 3)), ((2, 3), (3,)), ((1, 3), (2, 3))], ids=str)
def test_broadcast_binary_gradient(op, shapes):
    lhs = RNG.uniform(0.5, 2.0, shapes[0])
    rhs = RNG.uniform(0.5, 2.0, shapes[1]) + 0.05
    check_gradient(op, [lhs, rhs])


@pytest.mark.parametrize("op", SCALAR)
def test_scalar_gradient(op):
    check_gradient(op, [A], {"scalar": 1.3})


def test_add_n_gradient():
    check_gradient("add_n", [A, B, A.copy()])


@pytest.mark.parametrize("op", ["sum", "mean", "prod", "nansum", "nanprod", "max", "min"])
@pytest.mark.parametrize("params", REDUCE_PARAMS, ids=str)
def test_reduce_gradient(op, params):
    check_gradient(op, [X3], params)


@pytest.mark.parametrize("params", [{}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}, {"ord": 1, "axis": -1}, {"ord": 1}], ids=str)
def test_norm_gradient(params):
    check_gradient("norm", [X3 - 1.2], params)


def test_broadcast_to_axis_like_gradient():
    check_gradient("broadcast_to", [X3[:, :1, :].copy()], {"shape": (2, 3, 4)})
    check_gradient("broadcast_to", [X3[:1, :1, :].copy()], {"shape": (2, 0, 4)})
    check_gradient("broadcast_axis", [X3[:1, :, :1].copy()], {"axis": (0, 2), "size": (2, 3)})
    check_gradient("broadcast_like", [X3[:1].copy(), X3], wrt=[0])
    check_gradient("broadcast_like", [X3[:, :1].copy(), X3], {"lhs_axes": (1,), "rhs_axes": (1,)}, wrt=[0])


@pytest.mark.parametrize("params", [{}, {"axis": 1, "is_ascend": False}, {"axis": None}, {"axis": 0}], ids=str)
def test_sort_gradient(params):
    check_gradient("sort", [X3], params)


@pytest.mark.parametrize(
    "params",
    [
        {"k": 2, "ret_typ": "value"},
        {"axis": 1, "k": 2, "ret_typ": "value", "is_ascend": True},
        {"axis": None, "k": 3, "ret_typ": "value"},
        {"axis": 0, "k": 0, "ret_typ": "value"},
        {"axis": 0, "k": 1, "ret_typ": "both"},
    ],
    ids=str,
)
def test_topk_gradient(params):
    check_gradient("topk", [X3], params)


# -- MXNet 1.9.1 golden gradients -------------------------------------------------------------------


def _golden_id(c):
    return f"{c['op']}{c['params']}{c['shapes']}"


def _params(c):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in c["params"].items()}


def _check(got, want, what):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, MXNet {want.shape}"
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("case", GOLDEN, ids=_golden_id)
def test_golden_symbolic(case):
    names = [f"in{i}" for i in range(len(case["inputs"]))]
    sym = _sym_fn(case["op"])(*[mx.sym.Variable(n) for n in names], **_params(case))
    args = {n: mx.nd.array(x, dtype="float32") for n, x in zip(names, case["inputs"])}
    grads = {n: mx.nd.zeros(args[n].shape) for n in names}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write")
    outs = ex.forward(is_train=True)
    ex.backward([mx.nd.array(h, dtype="float32") for h in case["heads"]])
    for k, (o, w) in enumerate(zip(outs, case["outputs"])):
        _check(o.asnumpy(), w, f"{_golden_id(case)} output {k}")
    for n, w in zip(names, case["grads"]):
        _check(grads[n].asnumpy(), w, f"{_golden_id(case)} gradient of {n}")


@pytest.mark.parametrize("case", [c for c in GOLDEN if len(c["outputs"]) == 1], ids=_golden_id)
def test_golden_autograd(case):
    xs = [mx.nd.array(x, dtype="float32") for x in case["inputs"]]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        y = _nd_fn(case["op"])(*xs, **_params(case))
    y.backward(mx.nd.array(case["heads"][0], dtype="float32"))
    for k, (x, w) in enumerate(zip(xs, case["grads"])):
        _check(x.grad.asnumpy(), w, f"{_golden_id(case)} autograd gradient {k}")


def test_golden_covers_the_brief():
    ops = {c["op"] for c in GOLDEN}
    for op in ("broadcast_add", "broadcast_power", "max", "min", "norm", "prod", "mean", "_power", "_rpower_scalar", "topk", "sort"):
        assert op in ops, op
    # the surprises really are in the fixture
    (mx_ties,) = [c for c in GOLDEN if c["op"] == "max" and c["params"] == {"axis": 1}]
    assert mx_ties["grads"][0][0][1] != 0 and mx_ties["grads"][0][0][2] != 0  # every tied maximum gets the gradient
    prod_rows = [c for c in GOLDEN if c["op"] == "prod" and c["params"] == {"axis": 1}][0]["grads"][0]
    assert np.isnan(prod_rows[0][1]) and prod_rows[0][0] == 0  # out / x: nan at the zero


# -- zero gradients, accumulation, the tutorial ----------------------------------------------------------


@pytest.mark.parametrize("op", ZERO_GRAD + ["argmax", "argmin", "argsort"])
def test_zero_gradient_ops(op):
    x = mx.nd.array([[0.3, -1.7, 2.5], [1.0, 0.2, -0.4]])
    x.attach_grad()
    x.grad[:] = 5
    with mx.autograd.record():
        y = _nd_fn(op)(x) + x * 0  # keep the head connected to x
    y.backward()
    assert np.all(x.grad.asnumpy() == 0)


@pytest.mark.parametrize("op", ["broadcast_equal", "broadcast_greater", "broadcast_logical_and", "_lesser_equal", "_not_equal_scalar"])
def test_comparisons_have_zero_gradient(op):
    a, b = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.array([1.0, 0.0, 4.0])
    a.attach_grad()
    b.attach_grad()
    with mx.autograd.record():
        y = _nd_fn(op)(a, scalar=2.0) if op.endswith("_scalar") else _nd_fn(op)(a, b)
        y = y + a * 0
    y.backward()
    assert np.all(a.grad.asnumpy() == 0) and np.all(b.grad.asnumpy() == 0)


def test_topk_indices_and_mask_have_no_gradient():
    x = mx.nd.array([[3.0, 1.0, 2.0]])
    x.attach_grad()
    for ret in ("indices", "mask"):
        with mx.autograd.record():
            y = mx.nd.topk(x, k=2, ret_typ=ret) + x.sum() * 0
        y.backward()
        assert np.all(x.grad.asnumpy() == 0)


def test_grad_req_add_accumulates():
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    sym = mx.sym.broadcast_mul(a, b)
    args = {"a": mx.nd.array([[1.0, 2.0]]), "b": mx.nd.array([[3.0], [4.0]])}
    grads = {"a": mx.nd.ones((1, 2)), "b": mx.nd.ones((2, 1))}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="add")
    ex.forward(is_train=True)
    ex.backward([mx.nd.ones((2, 2))])
    np.testing.assert_allclose(grads["a"].asnumpy(), [[8.0, 8.0]])
    np.testing.assert_allclose(grads["b"].asnumpy(), [[4.0], [4.0]])


def test_operator_chain_through_autograd():
    x = mx.nd.array([[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.sum(mx.nd.exp(x) * x / (x + 1) - mx.nd.max(x, axis=1, keepdims=True) ** 2)
    y.backward()
    xv = x.asnumpy().astype(np.float64)
    want = np.exp(xv) * (xv / (xv + 1) + 1 / (xv + 1) ** 2)
    want -= 3 * 2 * xv * (xv == xv.max(axis=1, keepdims=True))  # each row max is used by 3 broadcast terms
    np.testing.assert_allclose(x.grad.asnumpy(), want, rtol=1e-5)


def test_seed_tutorial_executor():
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    d = (a + b) / 10 + 1
    args = {"A": mx.nd.ones((10,)), "B": mx.nd.ones((10,)) * 2}
    grads = {"A": mx.nd.zeros((10,)), "B": mx.nd.zeros((10,))}
    ex = d.bind(mx.cpu(), args, args_grad=grads, grad_req="write")
    out = ex.forward(is_train=True)
    np.testing.assert_allclose(out[0].asnumpy(), np.full(10, 1.3), rtol=1e-6)
    ex.backward([mx.nd.ones((10,))])
    np.testing.assert_allclose(ex.grad_dict["A"].asnumpy(), np.full(10, 0.1), rtol=1e-6)
    np.testing.assert_allclose(ex.grad_dict["B"].asnumpy(), np.full(10, 0.1), rtol=1e-6)


def test_float16_gradients_stay_float16():
    x = mx.nd.array([0.5, 1.0, 2.0], dtype="float16")
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.sigmoid(x) * mx.nd.sqrt(x)
    y.backward()
    assert x.grad.dtype == np.float16
    xv = x.asnumpy().astype(np.float64)
    s = 1 / (1 + np.exp(-xv))
    np.testing.assert_allclose(x.grad.asnumpy(), s * (1 - s) * np.sqrt(xv) + s * 0.5 / np.sqrt(xv), rtol=3e-3)


# -- coverage and errors ------------------------------------------------------------------------------------


def test_every_differentiable_op_here_has_a_rule():
    from mxpy.ops import binary, broadcast, elemwise, reduce, sorting

    modules = {m.__name__ for m in (binary, broadcast, elemwise, reduce, sorting)}
    missing = sorted(
        name
        for name in registry.all_ops()
        if not name.startswith("_backward")
        and name != "_broadcast_backward"
        and registry.get(name).kernel.__module__ in modules
        and registry.get(name).gradient is None
    )
    assert missing == [], missing


def test_backward_unary_rejects_unknown_op():
    with pytest.raises(MXNetError, match=r"_backward_unary.*op"):
        mx.nd._internal._backward_unary(mx.nd.ones((2,)), mx.nd.ones((2,)), op="floor")


def test_backward_binary_names_shape_mismatch():
    with pytest.raises(MXNetError, match="_backward_mul"):
        mx.nd._internal._backward_mul(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
