"""mx.nd.linalg against real MXNet 1.9.1 (tests/golden/linalg.json, from make_linalg.py):
outputs and autograd gradients per case, the symbolic front end, and the errors
for a non-positive-definite or singular input at the sync point."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx

with open(os.path.join(os.path.dirname(__file__), "golden", "linalg.json")) as _f:
    GOLDEN = json.load(_f)
CASES = GOLDEN["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['op']}-{i}" for i, c in enumerate(CASES)])
def test_outputs_and_gradients_match_mxnet(case):
    arrs = [mx.nd.array(np.array(x), dtype="float64") for x in case["inputs"]]
    for a in arrs:
        a.attach_grad()
    with mx.autograd.record():
        res = getattr(mx.nd.linalg, case["op"])(*arrs, **case["params"])
    res = res if isinstance(res, list) else [res]
    mx.autograd.backward(res, [mx.nd.array(np.array(h), dtype="float64") for h in case["heads"]])
    for got, want in zip(res, case["outputs"]):
        np.testing.assert_allclose(got.asnumpy(), np.array(want).reshape(got.shape), rtol=1e-6, atol=1e-7)
    for a, want in zip(arrs, case["grads"]):
        np.testing.assert_allclose(a.grad.asnumpy(), np.array(want), rtol=1e-5, atol=1e-6)


def test_linalg_names_and_symbols():
    assert mx.nd.linalg_gemm2 is not None and mx.nd._linalg_gemm2 is not None
    a, b = mx.sym.var("a"), mx.sym.var("b")
    s = mx.sym.linalg.gemm2(a, b, transpose_b=True)
    ex = s.bind(mx.cpu(), {"a": mx.nd.ones((2, 3)), "b": mx.nd.ones((4, 3))})
    assert ex.forward()[0].asnumpy().tolist() == [[3.0] * 4] * 2
    assert mx.sym.load_json(s.tojson()).tojson() == s.tojson()


@pytest.mark.parametrize("op, matrix", [("potrf", -np.eye(2)), ("inverse", np.zeros((2, 2)))])
def test_bad_matrix_fails_at_the_sync_point(op, matrix):
    assert GOLDEN["errors"][op] is not None  # MXNet raises here too
    x = mx.nd.array(matrix)
    out = getattr(mx.nd.linalg, op)(x)  # returns at once; the kernel fails later
    with pytest.raises(mx.base.MXNetError, match=op):
        out.asnumpy()
    # nothing else is poisoned: the input and later ops still work
    assert x.asnumpy().shape == (2, 2)
    assert mx.nd.linalg.det(mx.nd.array(np.eye(2))).asnumpy().tolist() == [1.0]


def test_bad_shapes_are_call_time_errors():
    with pytest.raises(mx.base.MXNetError, match="square"):
        mx.nd.linalg.potrf(mx.nd.ones((2, 3)))
    with pytest.raises(mx.base.MXNetError, match="multiply"):
        mx.nd.linalg.gemm2(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))
