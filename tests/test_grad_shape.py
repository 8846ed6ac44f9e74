"""Gradients of the shape/layout, dot, join, init and slice-assign operators.

Central differences (float64) for every op and parameter variant, MXNet 1.9.1
golden gradients (tests/golden/grad_shape.json, made by make_grad_shape.py),
and autograd against the symbolic executor for a few compositions.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from tests.gradcheck import check_gradient

_rng = np.random.default_rng(7)


def R(*shape):
    return _rng.standard_normal(shape)


X3 = R(2, 3, 4)
IDX = np.array([[0, 1], [1, 0]])

GRAD_CASES = [
    ("Reshape", [X3], {"shape": (4, -1)}),
    ("Reshape", [X3], {"shape": (-1, 0), "reverse": True}),
    ("Flatten", [X3], {}),
    ("expand_dims", [X3], {"axis": -1}),
    ("squeeze", [R(1, 3, 1)], {}),
    ("squeeze", [R(1, 3, 1)], {"axis": 0}),
    ("reshape_like", [X3, np.zeros((6, 4))], {}),
    ("transpose", [X3], {}),
    ("transpose", [X3], {"axes": (1, 2, 0)}),
    ("SwapAxis", [X3], {"dim1": 0, "dim2": -1}),
    ("slice", [X3], {"begin": (0, 1), "end": (2, 3)}),
    ("slice", [X3], {"begin": (None, 2, None), "end": (None, 0, None), "step": (None, -1, 2)}),
    ("slice_axis", [X3], {"axis": 2, "begin": 1, "end": -1}),
    ("slice_axis", [X3], {"axis": 0, "begin": 1, "end": None}),
    ("slice_like", [X3, np.zeros((1, 2, 4))], {}),
    ("slice_like", [X3, np.zeros((1, 2))], {"axes": (1,)}),
    ("tile", [R(2, 3)], {"reps": (2, 1, 2)}),
    ("tile", [R(2, 3)], {"reps": (3,)}),
    ("repeat", [R(2, 3)], {"repeats": 2, "axis": 1}),
    ("repeat", [R(2, 3)], {"repeats": 3}),
    ("repeat", [R(2, 3)], {"repeats": 0, "axis": 0}),
    ("reverse", [X3], {"axis": (0, 2)}),
    ("Pad", [R(1, 1, 3, 4)], {"mode": "constant", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2), "constant_value": 2.0}),
    ("Pad", [R(1, 1, 3, 4)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)}),
    ("Pad", [R(1, 1, 3, 4)], {"mode": "reflect", "pad_width": (0, 0, 0, 0, 2, 1, 1, 2)}),
    ("Pad", [R(1, 1, 2, 3, 3)], {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 0, 0, 1, 2, 2)}),
    ("dot", [R(2, 3), R(3, 4)], {}),
    ("dot", [R(3, 2), R(3, 4)], {"transpose_a": True}),
    ("dot", [R(2, 3), R(4, 3)], {"transpose_b": True}),
    ("dot", [R(3, 2), R(4, 3)], {"transpose_a": True, "transpose_b": True}),
    ("dot", [R(2, 2, 3), R(3, 2, 2)], {}),
    ("dot", [R(3, 2, 2), R(2, 2, 3)], {"transpose_a": True, "transpose_b": True}),
    ("dot", [R(3), R(3)], {}),
    ("dot", [R(3), R(3, 2)], {}),
    ("batch_dot", [R(2, 2, 3), R(2, 3, 4)], {}),
    ("batch_dot", [R(2, 3, 2), R(2, 3, 4)], {"transpose_a": True}),
    ("batch_dot", [R(2, 2, 3), R(2, 4, 3)], {"transpose_b": True}),
    ("batch_dot", [R(2, 1, 3, 2), R(2, 1, 4, 3)], {"transpose_a": True, "transpose_b": True}),
    ("Concat", [R(2, 3), R(2, 1), R(2, 2)], {"num_args": 3, "dim": 1}),
    ("Concat", [R(2, 3), R(1, 3)], {"num_args": 2, "dim": 0}),
    ("stack", [R(2, 3), R(2, 3)], {"num_args": 2, "axis": 1}),
    ("stack", [R(2, 3), R(2, 3), R(2, 3)], {"num_args": 3, "axis": -1}),
    ("SliceChannel", [R(2, 6)], {"num_outputs": 3}),
    ("SliceChannel", [R(3, 2)], {"num_outputs": 3, "axis": 0, "squeeze_axis": True}),
    ("Cast", [R(2, 3)], {"dtype": "float64"}),
    ("_copy", [R(2, 3)], {}),
    ("_slice_assign", [R(3, 4), R(2, 2)], {"begin": (0, 1), "end": (3, 4), "step": (2, 2)}),
    ("_slice_assign_scalar", [R(3, 4)], {"begin": (1,), "end": (None,), "scalar": 2.0}),
]


@pytest.mark.parametrize("op,inputs,params", GRAD_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(GRAD_CASES)])
def test_gradient_matches_central_differences(op, inputs, params):
    check_gradient(op, inputs, params)


@pytest.mark.parametrize(
    "op,inputs,params",
    [
        ("gather_nd", [R(2, 2, 3), np.array([[0, 1, 0], [1, 0, 1]])], {}),  # (0, 1) twice: gradients add
        ("scatter_nd", [R(2, 3), IDX], {"shape": (2, 2, 3)}),
        ("_scatter_set_nd", [R(2, 2, 3), R(2, 3), IDX], {"shape": (2, 2, 3)}),
    ],
)
def test_index_ops_gradient_matches_central_differences(op, inputs, params):
    # the integer indices are not differentiable: check the data inputs only
    check_gradient(op, inputs, params, wrt=range(len(inputs) - 1))


def test_indices_and_like_inputs_get_zero_gradient():
    x = mx.nd.array(R(2, 3))
    like = mx.nd.ones((1, 2))
    idx = mx.nd.array(IDX)
    for a in (x, like, idx):
        a.attach_grad()
        a.grad[:] = 5
    with mx.autograd.record():
        y = mx.nd.slice_like(x, like) + mx.nd.gather_nd(x, idx).sum() + mx.nd.zeros_like(x).sum()
    y.backward()
    assert not like.grad.asnumpy().any()
    assert not idx.grad.asnumpy().any()


def test_creation_and_like_ops_have_rules():
    for name in ("_zeros", "_ones", "_full", "_arange", "_eye", "_linspace", "zeros_like", "ones_like"):
        assert mx.registry.get(name).gradient is not None, name


# -- MXNet 1.9.1 goldens -------------------------------------------------------------------

with open(os.path.join(os.path.dirname(__file__), "golden", "grad_shape.json")) as _f:
    GOLDEN = json.load(_f)["cases"]


def _params(raw: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _case_id(c):
    return f"{c['op']}-" + ",".join(f"{k}={v}" for k, v in c["params"].items())


@pytest.mark.parametrize("case", GOLDEN, ids=_case_id)
def test_golden_autograd(case):
    xs = [mx.nd.array(np.array(x, np.float32)) for x in case["inputs"]]
    for x in xs:
        x.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, case["op"])(*xs, **_params(case["params"]))
    outs = out if isinstance(out, list) else [out]
    mx.autograd.backward(outs, [mx.nd.array(np.array(h, np.float32)) for h in case["heads"]])
    for o, want in zip(outs, case["outputs"]):
        np.testing.assert_allclose(o.asnumpy(), np.array(want, np.float32), rtol=1e-5, atol=1e-6)
    for x, want in zip(xs, case["grads"]):
        np.testing.assert_allclose(x.grad.asnumpy(), np.array(want, np.float32), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", GOLDEN, ids=_case_id)
def test_golden_symbolic(case):
    inputs = [np.array(x, np.float32) for x in case["inputs"]]
    names = [f"x{i}" for i in range(len(inputs))]
    sym = getattr(mx.sym, case["op"])(*[mx.sym.Variable(n) for n in names], **_params(case["params"]))
    args = {n: mx.nd.array(x) for n, x in zip(names, inputs)}
    grads = {n: mx.nd.zeros(x.shape) for n, x in zip(names, inputs)}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    outs = ex.forward(is_train=True)
    ex.backward([mx.nd.array(np.array(h, np.float32)) for h in case["heads"]])
    for o, want in zip(outs, case["outputs"]):
        np.testing.assert_allclose(o.asnumpy(), np.array(want, np.float32), rtol=1e-5, atol=1e-6)
    for n, want in zip(names, case["grads"]):
        np.testing.assert_allclose(grads[n].asnumpy(), np.array(want, np.float32), rtol=1e-5, atol=1e-6)


# -- autograd and the executor agree on compositions ------------------------------------------


def _composition_a(nd, x, w):
    return nd.transpose(nd.reshape(nd.dot(x, w), shape=(2, 3, 2)), axes=(2, 0, 1))


def _composition_b(nd, x, w):
    parts = nd.split(nd.dot(x, w, transpose_b=True), num_outputs=2, axis=1)
    return nd.Concat(nd.slice(parts[1], begin=(None, 1), end=(None, None)), nd.tile(parts[0], reps=(1, 2)), dim=1)


def _composition_c(nd, x, w):
    y = nd.batch_dot(nd.expand_dims(x, axis=0), nd.expand_dims(w, axis=0))
    return nd.stack(
        nd.flip(nd.squeeze(y, axis=0), axis=0),
        nd.reshape(nd.repeat(nd.reshape(nd.slice_axis(y, axis=2, begin=0, end=1), shape=(-1,)), repeats=4), shape=(3, 4)),
        axis=0,
    )


@pytest.mark.parametrize(
    "build,wshape",
    [(_composition_a, (4, 4)), (_composition_b, (4, 4)), (_composition_c, (4, 4))],
    ids=["dot-reshape-transpose", "dot-split-slice-tile-concat", "batch_dot-flip-repeat-stack"],
)
def test_autograd_equals_executor(build, wshape):
    xv, wv = R(3, 4), R(*wshape)
    x, w = mx.nd.array(xv), mx.nd.array(wv)
    x.attach_grad()
    w.attach_grad()
    with mx.autograd.record():
        y = build(mx.nd, x, w)
    head = R(*y.shape)
    y.backward(mx.nd.array(head))

    sym = build(mx.sym, mx.sym.Variable("x"), mx.sym.Variable("w"))
    gx, gw = mx.nd.zeros(xv.shape), mx.nd.zeros(wv.shape)
    ex = sym.bind(mx.cpu(), {"x": mx.nd.array(xv), "w": mx.nd.array(wv)}, args_grad={"x": gx, "w": gw})
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(head))
    np.testing.assert_allclose(out.asnumpy(), y.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(gx.asnumpy(), x.grad.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.asnumpy(), w.grad.asnumpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(gw.asnumpy()).sum() > 0


def test_split_unused_outputs_count_as_zero():
    x = mx.nd.array(np.arange(12.0).reshape(2, 6))
    x.attach_grad()
    with mx.autograd.record():
        parts = mx.nd.split(x, num_outputs=3)
        y = parts[1]
    y.backward(mx.nd.ones((2, 2)) * 2)
    want = np.zeros((2, 6), np.float32)
    want[:, 2:4] = 2
    np.testing.assert_array_equal(x.grad.asnumpy(), want)


def test_dot_gradient_accumulates_with_grad_req_add():
    a, b = R(2, 3), R(3, 4)
    sym = mx.sym.dot(mx.sym.Variable("a"), mx.sym.Variable("b"), transpose_b=False)
    ga, gb = mx.nd.ones(a.shape), mx.nd.ones(b.shape)
    ex = sym.bind(mx.cpu(), {"a": mx.nd.array(a), "b": mx.nd.array(b)}, args_grad={"a": ga, "b": gb}, grad_req="add")
    head = R(2, 4)
    for _ in range(2):
        ex.forward(is_train=True)
        ex.backward(mx.nd.array(head))
    np.testing.assert_allclose(ga.asnumpy(), 1 + 2 * head @ b.T, rtol=1e-5)
    np.testing.assert_allclose(gb.asnumpy(), 1 + 2 * a.T @ head, rtol=1e-5)


def test_backward_gather_nd_public_signature():
    # MXNet's mx.nd._internal._backward_gather_nd(data, indices, shape): repeated indices add up
    out = mx.nd._internal._backward_gather_nd(mx.nd.array([1, 2, 3]), mx.nd.array([[0, 0, 1], [1, 1, 0]]), shape=(2, 2))
    np.testing.assert_array_equal(out.asnumpy(), [[0, 3], [3, 0]])


def test_cast_gradient_returns_to_the_input_dtype():
    x = mx.nd.ones((2, 3))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Cast(x, dtype="float16")
    y.backward(mx.nd.ones((2, 3), dtype="float16") * 2)
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.asnumpy(), np.full((2, 3), 2, np.float32))


@pytest.mark.parametrize(
    "op,args,params,match",
    [
        ("_backward_dot", [(2, 5), (2, 3), (3, 4)], {}, r"_backward_dot: ograd has shape \(2, 5\), expected \(2, 4\)"),
        ("_backward_batch_dot", [(2, 2, 4), (2, 2, 3), (2, 4, 3)], {}, r"_backward_batch_dot: .*contract sizes 3 and 4"),
        (
            "_backward_SliceChannel",
            [(2, 2)],
            {"num_outputs": 2, "present": (2,)},
            r"_backward_SliceChannel: present=\(2,\) must name distinct outputs in \[0, 1\]",
        ),
        ("_backward_SliceChannel", [(2, 2)], {"num_outputs": 2}, r"_backward_SliceChannel: num_args=1 ograds given, expected 2"),
        ("_backward_Concat", [(2, 5), (2, 3), (2, 3)], {}, r"_backward_Concat: ograd has shape \(2, 5\), expected \(2, 6\)"),
        ("_backward_stack", [(2, 3)], {"num_args": 3}, r"_backward_stack: ograd has shape \(2, 3\), expected size num_args=3 on axis 0"),
        (
            "_backward_Pad",
            [(1, 1, 2, 2)],
            {"mode": "edge", "pad_width": (0, 0, 0, 0, 1, 1, 1, 1)},
            r"_backward_Pad: ograd of shape \(1, 1, 2, 2\) is not larger",
        ),
        ("_backward_scatter_set_nd", [(2, 3), (2, 2)], {"shape": (2, 2)}, r"_backward_scatter_set_nd: ograd has shape \(2, 3\), expected \(2, 2\)"),
    ],
)
def test_backward_records_reject_bad_shapes(op, args, params, match):
    arrays = [mx.nd.zeros(s) for s in args]
    with pytest.raises(MXNetError, match=match):
        getattr(mx.nd._internal, op)(*arrays, **params)


def test_ndarray_methods_record_like_the_symbolic_graph():
    # NDArray.reshape, .T and basic indexing under autograd give the executor's gradients
    xv, wv, head = R(2, 3), R(3, 4), R(1, 4)
    x, w = mx.nd.array(xv), mx.nd.array(wv)
    x.attach_grad()
    w.attach_grad()
    with mx.autograd.record():
        y = mx.nd.dot(x, w).reshape((4, 2)).T[1:3]
    y.backward(mx.nd.array(head))
    s = mx.sym
    sym = s.slice(s.transpose(s.reshape(s.dot(s.Variable("x"), s.Variable("w")), shape=(4, 2))), begin=(1,), end=(3,))
    gx, gw = mx.nd.zeros(xv.shape), mx.nd.zeros(wv.shape)
    ex = sym.bind(mx.cpu(), {"x": mx.nd.array(xv), "w": mx.nd.array(wv)}, args_grad={"x": gx, "w": gw})
    ex.forward(is_train=True)
    ex.backward(mx.nd.array(head))
    g_out = np.zeros((2, 4))
    g_out.reshape(4, 2)[:, 1] = head[0]  # row 1 of the transposed (4, 2) view
    np.testing.assert_allclose(x.grad.asnumpy(), g_out @ wv.T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx.asnumpy(), x.grad.asnumpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.asnumpy(), w.grad.asnumpy(), rtol=1e-5, atol=1e-6)
