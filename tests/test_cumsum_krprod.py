"""cumsum (_np_cumsum) and khatri_rao against MXNet 1.9.1 (tests/golden/make_cumsum_krprod.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx

GOLDEN = json.loads((Path(__file__).parent / "golden" / "cumsum_krprod.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cumsum"], ids=lambda c: f"{c['in_dtype']}-{c['params']}")
def test_cumsum_matches_mxnet(case):
    a = mx.nd.array(np.asarray(case["x"]), dtype=case["in_dtype"])
    y = mx.nd.cumsum(a, **case["params"])
    assert y.dtype == np.dtype(case["dtype"])
    np.testing.assert_array_equal(y.asnumpy(), np.asarray(case["output"]))
    if "grad" in case:
        a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.cumsum(a, **case["params"])
        y.backward(mx.nd.array(np.asarray(case["head"]), dtype=y.dtype))
        np.testing.assert_allclose(a.grad.asnumpy(), np.asarray(case["grad"]), rtol=1e-5, atol=1e-6)


def test_cumsum_symbol_and_errors():
    s = mx.sym.cumsum(mx.sym.var("x"), axis=1)
    assert s.list_arguments() == ["x"] and json.loads(s.tojson())["nodes"][-1]["op"] == "_np_cumsum"
    assert s.infer_shape(x=(2, 5))[1] == [(2, 5)]
    assert mx.sym.cumsum(mx.sym.var("x")).infer_shape(x=(2, 5))[1] == [(10,)]
    with pytest.raises(mx.base.MXNetError, match="cumsum.*axis 2 out of range"):
        mx.nd.cumsum(mx.nd.ones((2, 3)), axis=2)


@pytest.mark.parametrize("case", GOLDEN["khatri_rao"], ids=lambda c: str(len(c["inputs"])))
def test_khatri_rao_matches_mxnet(case):
    mats = [mx.nd.array(np.asarray(m), dtype="float64") for m in case["inputs"]]
    np.testing.assert_allclose(mx.nd.khatri_rao(*mats).asnumpy(), np.asarray(case["output"]), rtol=1e-12)
    sym = mx.sym.khatri_rao(*[mx.sym.var(f"m{i}") for i in range(len(mats))])
    got = sym.eval(**{f"m{i}": m for i, m in enumerate(mats)})[0]
    np.testing.assert_allclose(got.asnumpy(), np.asarray(case["output"]), rtol=1e-12)


def test_khatri_rao_rejects_mismatched_columns():
    with pytest.raises(mx.base.MXNetError, match="khatri_rao.*3 columns"):
        mx.nd.khatri_rao(mx.nd.ones((2, 3)), mx.nd.ones((2, 4)))
