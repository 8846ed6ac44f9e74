"""The detection contrib operators against real MXNet 1.9.1 (tests/golden/detection.json, from make_detection.py)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx

with open(os.path.join(os.path.dirname(__file__), "golden", "detection.json")) as _f:
    CASES = json.load(_f)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['op']}-{i}" for i, c in enumerate(CASES)])
def test_matches_mxnet(case):
    arrs = [mx.nd.array(np.array(x)) for x in case["inputs"]]
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in case["params"].items()}
    if "grad" in case:
        for a in arrs:
            a.attach_grad()
        with mx.autograd.record():
            out = getattr(mx.nd.contrib, case["op"])(*arrs, **params)
        out.backward(mx.nd.array(np.array(case["head"])))
        np.testing.assert_allclose(arrs[0].grad.asnumpy(), np.array(case["grad"]), rtol=1e-5, atol=1e-5)
    else:
        out = getattr(mx.nd.contrib, case["op"])(*arrs, **params)
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, want in zip(outs, case["outputs"]):
        np.testing.assert_allclose(got.asnumpy(), np.array(want), rtol=1e-4, atol=1e-5)


def test_symbolic_names():
    assert mx.contrib.sym.MultiBoxPrior is mx.sym.contrib.MultiBoxPrior
    s = mx.sym.contrib.box_nms(mx.sym.var("d"))
    assert s.list_outputs() == [s.name + "_output"]
