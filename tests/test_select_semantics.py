"""Selection, sorting and softmax ops against golden values from real MXNet 1.9.1.

The fixture ``tests/golden/select.json`` is made by ``tests/golden/make_select.py``
(run with ``/work/shared/tools/mxnet-reference``): each case holds inputs,
params and MXNet's outputs, or marks a call MXNet rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

GOLDEN = json.loads((Path(__file__).parent / "golden" / "select.json").read_text())
CASES = GOLDEN["cases"]


def _dec(rec) -> np.ndarray:
    data = [np.nan if v is None else v for v in rec["data"]]
    return np.array(data, dtype=rec["dtype"]).reshape(rec["shape"])


def _call(c):
    args = [mx.nd.array(x, dtype=x.dtype) for x in map(_dec, c["inputs"])]
    res = getattr(mx.nd, c["op"])(*args, **c["params"])
    return res if isinstance(res, list) else [res]


def _case_id(c) -> str:
    keys = ",".join(f"{k}={v}" for k, v in c["params"].items())
    dt = c["inputs"][0]["dtype"]
    return f"{c['op']}[{dt}:{keys}]{c['note']}"


def test_fixture_comes_from_mxnet_191():
    assert GOLDEN["mxnet"] == "1.9.1"
    assert len(CASES) > 100


@pytest.mark.parametrize("c", [c for c in CASES if "outputs" in c], ids=_case_id)
def test_matches_mxnet(c):
    got = [o.asnumpy() for o in _call(c)]
    want = [_dec(o) for o in c["outputs"]]
    assert len(got) == len(want)
    low = {"float16"} & {c["inputs"][0]["dtype"], c["params"].get("dtype")}
    rtol, atol = (2e-3, 1e-3) if low else (1e-5, 1e-6)
    for g, w in zip(got, want):
        assert g.shape == w.shape and g.dtype == w.dtype, f"{g.shape} {g.dtype} vs MXNet {w.shape} {w.dtype}"
        if g.dtype.kind == "f":
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        else:
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("c", [c for c in CASES if "error" in c], ids=_case_id)
def test_rejects_what_mxnet_rejects(c):
    with pytest.raises(MXNetError, match=c["op"]):
        _call(c)[0].asnumpy()


def test_rejected_call_names_argument_and_values():
    x = mx.nd.array(np.zeros((2, 7)))
    with pytest.raises(MXNetError, match=r"topk: k=8 .*expected k <= 7"):
        mx.nd.topk(x, k=8)
    with pytest.raises(MXNetError, match=r"pick: input 'index' has shape \(3,\), expected \(2,\) or \(2, 1\)"):
        mx.nd.pick(x, mx.nd.array([0, 1, 2]))
    with pytest.raises(MXNetError, match=r"where: input 'condition' has shape \(3,\), expected \(2, 7\)"):
        mx.nd.where(mx.nd.array([1, 0, 1]), x, x)
    with pytest.raises(MXNetError, match=r"take: invalid value 'bad' for parameter 'mode'; expected one of"):
        mx.nd.take(x, mx.nd.array([0]), mode="bad")
    # MXNet infers no dtype for 'length' (a graph with a float32 one binds); its kernel refuses it
    with pytest.raises(MXNetError, match=r"softmax.*input 'length' has dtype float32, expected an integer dtype"):
        mx.nd.softmax(x, mx.nd.array([1, 2]), use_length=True).wait_to_read()


def test_take_raise_fails_at_wait_and_names_bounds():
    a = mx.nd.array(np.arange(6).reshape(3, 2))
    with pytest.raises(MXNetError, match=r"take.*out of bounds.*expected \[0, 2\]"):
        mx.nd.take(a, mx.nd.array([0, 3]), mode="raise").asnumpy()


def test_topk_both_returns_two_arrays_and_out():
    x = mx.nd.array([[3, 1, 2, 1, 3]])
    vals, idx = mx.nd.topk(x, k=2, ret_typ="both")
    assert vals.asnumpy().tolist() == [[3, 3]] and idx.asnumpy().tolist() == [[0, 4]]
    given = [mx.nd.empty((1, 2)), mx.nd.empty((1, 2))]
    res = mx.nd.topk(x, k=2, ret_typ="both", out=given)
    assert res[0] is given[0] and given[1].asnumpy().tolist() == [[0, 4]]


def test_descending_ties_keep_input_order_on_long_rows():
    # MXNet leaves tie order unspecified past 16 elements; mxpy stays stable
    x = np.tile(np.array([2.0, 1.0, 2.0], np.float32), 20)
    idx = mx.nd.argsort(mx.nd.array(x), is_ascend=False, dtype="int32").asnumpy()
    assert idx[:40].tolist() == [i for i in range(60) if x[i] == 2.0]
    assert idx[40:].tolist() == [i for i in range(60) if x[i] == 1.0]


def test_softmax_is_stable_for_large_inputs_and_float16_accumulates_in_float32():
    big = mx.nd.softmax(mx.nd.array([[1e4, 1e4 - 1, -1e4]])).asnumpy()
    np.testing.assert_allclose(big, [[1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0]], rtol=1e-6)
    x = np.linspace(0, 1, 5000).astype(np.float16)
    out = mx.nd.softmax(mx.nd.array(x, dtype="float16")).asnumpy()
    want = np.exp(x.astype(np.float64) - 1) / np.exp(x.astype(np.float64) - 1).sum()
    np.testing.assert_allclose(out.astype(np.float64), want, rtol=2e-3)
    assert abs(float(out.astype(np.float64).sum()) - 1.0) < 1e-2


def _autograd_grad(f, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    a = mx.nd.array(x, dtype="float64")
    a.attach_grad()
    with mx.autograd.record():
        y = f(a)
    y.backward(mx.nd.array(w, dtype="float64"))
    return a.grad.asnumpy()


def _central_diff(f, x: np.ndarray, w: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[i] += eps
        lo[i] -= eps
        diff = f(mx.nd.array(hi, dtype="float64")).asnumpy() - f(mx.nd.array(lo, dtype="float64")).asnumpy()
        g[i] = (diff * w).sum() / (2 * eps)
    return g


_GRAD_FNS = {
    "softmax": lambda a: mx.nd.softmax(a, axis=0, temperature=1.7),
    "log_softmax": lambda a: mx.nd.log_softmax(a),
    "softmin": lambda a: mx.nd.softmin(a, temperature=0.6),
    "take": lambda a: mx.nd.take(a, mx.nd.array([0, 2, 2, -1], dtype="float64")),
    "pick": lambda a: mx.nd.pick(a, mx.nd.array([1, 3, 0], dtype="float64"), axis=1),
    "where": lambda a: mx.nd.where(mx.nd.array([1, 0, 1], dtype="float64"), mx.nd.softmax(a), mx.nd.clip(a, -0.5, 0.5)),
    "clip": lambda a: mx.nd.clip(a, -1, 1),
}


@pytest.mark.parametrize("name", sorted(_GRAD_FNS))
def test_gradient_matches_central_differences(name):
    f = _GRAD_FNS[name]
    x = np.random.default_rng(0).uniform(-2, 2, (3, 4))
    w = np.linspace(-1, 1, f(mx.nd.array(x, dtype="float64")).size).reshape(f(mx.nd.array(x, dtype="float64")).shape)
    np.testing.assert_allclose(_autograd_grad(f, x, w), _central_diff(f, x, w), rtol=1e-6, atol=1e-8)
