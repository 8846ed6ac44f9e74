"""Reductions and broadcasting against golden values from real MXNet 1.9.1.

The fixture ``tests/golden/reduce.json`` comes from ``tests/golden/make_reduce.py``
(run with the MXNet reference interpreter); it covers full reductions giving
shape (1,), keepdims, exclude, empty and negative axes, NaN, integer wrap-around,
float16, norm, argmax/argmin dtypes and the calls MXNet rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError

GOLDEN = json.loads((Path(__file__).parent / "golden" / "reduce.json").read_text())
CASES = GOLDEN["cases"]


def _dec(rec) -> np.ndarray:
    if "fill" in rec:
        return np.full(rec["shape"], rec["fill"], dtype=rec["dtype"])
    return np.array(rec["data"], dtype=rec["dtype"]).reshape(rec["shape"])


def _params(case) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["params"].items()}


def _call(case):
    args = [mx.nd.array(x, dtype=x.dtype) for x in map(_dec, case["inputs"])]
    return getattr(mx.nd, case["op"])(*args, **_params(case))


def _id(case) -> str:
    ins = "+".join(f"{i['dtype']}{tuple(i['shape'])}" for i in case["inputs"])
    return f"{case['op']}-{ins}-{case['params']}"


OK = [c for c in CASES if "output" in c]
BAD = [c for c in CASES if "error" in c]


def _f16_mean_overflows_in_mxnet(case) -> bool:
    # MXNet's CPU build stores a float16 mean's sum in float16 before dividing
    # (100 x 1000 overflows to inf); mxpy divides in float32 (issue 11)
    return case["op"] == "mean" and case["inputs"][0]["dtype"] == "float16" and not np.isfinite(_dec(case["output"])).all()


@pytest.mark.parametrize("case", OK, ids=_id)
def test_matches_mxnet(case):
    got = _call(case).asnumpy()
    want = _dec(case["output"])
    if _f16_mean_overflows_in_mxnet(case):
        x = _dec(case["inputs"][0]).astype(np.float32)
        want = x.mean(axis=_params(case).get("axis"), keepdims=_params(case).get("keepdims", False)).astype(np.float16).reshape(want.shape)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    tol = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}.get(want.dtype.name, 0)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_rejected_like_mxnet(case):
    with pytest.raises(MXNetError, match=case["op"]):
        _call(case)


def test_golden_covers_the_surprises():
    seen = {(c["op"], json.dumps(c["params"], sort_keys=True)) for c in OK}
    for op in ("sum", "mean", "max", "min", "prod", "nansum", "nanprod", "norm", "argmax", "argmin"):
        assert (op, "{}") in seen, op
    assert ("sum", json.dumps({"axis": [0, 2], "exclude": True, "keepdims": True}, sort_keys=True)) in seen
    assert ("argmax", json.dumps({"axis": 1}, sort_keys=True)) in seen
    assert len(BAD) >= 20


def test_full_reduction_is_shape_1():
    x = mx.nd.ones((2, 3, 4))
    for op in ("sum", "mean", "max", "min", "prod", "nansum", "nanprod", "norm", "argmax", "argmin"):
        assert getattr(mx.nd, op)(x).shape == (1,), op
    assert mx.nd.sum(x, keepdims=True).shape == (1, 1, 1)
    assert mx.nd.sum(x, axis=(0, 1, 2), exclude=True).shape == (2, 3, 4)


def test_argmax_is_float32_for_float32():
    r = mx.nd.argmax(mx.nd.array([[0.5, 2.0, 1.0]]), axis=1)
    assert r.dtype == np.float32
    assert r.asnumpy().tolist() == [1.0]


def test_axis_error_names_op_axis_and_ndim():
    x = mx.nd.ones((2, 3))
    with pytest.raises(MXNetError, match=r"sum: axis 2 is out of range for an input with 2 dimension"):
        mx.nd.sum(x, axis=2)
    with pytest.raises(MXNetError, match=r"mean: axis -3 is out of range.*2 dimension"):
        mx.nd.mean(x, axis=-3)
    with pytest.raises(MXNetError, match=r"argmin: axis 5 is out of range"):
        mx.nd.argmin(x, axis=5)


def test_axis_accepts_mxnet_attribute_strings():
    x = mx.nd.array(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    np.testing.assert_array_equal(mx.nd.sum(x, axis="(0, 2)").asnumpy(), np.arange(24).reshape(2, 3, 4).sum(axis=(0, 2)))
    assert mx.nd.sum(x, axis="()", keepdims="True").shape == (1, 1, 1)


def test_out_and_req_add():
    x = mx.nd.array([[1.0, 2.0], [3.0, 4.0]])
    out = mx.nd.ones((2,))
    r = mx.nd.sum(x, axis=1, out=out)
    assert r is out
    np.testing.assert_array_equal(out.asnumpy(), [3.0, 7.0])


def test_norm_out_dtype_casts_the_result():
    # MXNet 1.9.1 declares out_dtype but its kernel rejects it; mxpy computes
    # the norm and stores it in the requested dtype
    x = mx.nd.array([[3.0, 4.0]])
    r = mx.nd.norm(x, out_dtype="float64")
    assert r.dtype == np.float64
    assert r.asnumpy().tolist() == [5.0]
    ri = mx.nd.norm(mx.nd.array([3, 4], dtype="int32"), out_dtype="float32")
    assert ri.dtype == np.float32
    assert ri.asnumpy().tolist() == [5.0]


def test_float32_sum_over_a_long_outer_axis_is_accurate():
    # MXNet's float32 sums are compensated; a plain running float32 sum would be off by ~1e-4
    x = np.full((200000, 3), 0.1, np.float32)
    got = mx.nd.sum(mx.nd.array(x), axis=0).asnumpy()
    np.testing.assert_allclose(got, np.float32(20000.0), rtol=1e-6)
    got = mx.nd.mean(mx.nd.array(x), axis=0).asnumpy()
    np.testing.assert_allclose(got, np.float32(0.1), rtol=1e-6)


def test_zero_size_axis():
    x = mx.nd.array(np.zeros((0, 3)))  # mx.nd.zeros refuses a 0 dim outside np_shape, as MXNet
    np.testing.assert_array_equal(mx.nd.sum(x, axis=0).asnumpy(), np.zeros(3, np.float32))
    assert np.isnan(mx.nd.mean(x, axis=0).asnumpy()).all()
    np.testing.assert_array_equal(mx.nd.norm(x, axis=0).asnumpy(), np.zeros(3, np.float32))
    with pytest.raises(MXNetError, match="max: cannot take the maximum"):
        mx.nd.max(x, axis=0)
    with pytest.raises(MXNetError, match="argmax"):
        mx.nd.argmax(x, axis=0)


@pytest.mark.gpu
@pytest.mark.skipif(mx.context.num_gpus() == 0, reason="needs CuPy and a GPU")
@pytest.mark.parametrize("case", OK, ids=_id)
def test_matches_mxnet_on_gpu(case):
    args = [mx.nd.array(x, dtype=x.dtype, ctx=mx.gpu(0)) for x in map(_dec, case["inputs"])]
    got = getattr(mx.nd, case["op"])(*args, **_params(case)).asnumpy()
    want = _dec(case["output"])
    assert (got.shape, got.dtype) == (want.shape, want.dtype)
    tol = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}.get(want.dtype.name, 0)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("op", ["mean", "sum"])
def test_float16_reductions_accumulate_in_float32(op):
    x = mx.nd.array(np.full(100000, 0.5, np.float16), dtype="float16")
    got = getattr(mx.nd, op)(x).asnumpy()
    assert got.dtype == np.float16
    assert got.tolist() == ([0.5] if op == "mean" else [np.float16(50000.0)])
    # over an axis, and a mean whose float16 sum would overflow
    y = mx.nd.array(np.full((3, 70000), 1.0, np.float16), dtype="float16")
    assert mx.nd.mean(y, axis=1).asnumpy().tolist() == [1.0, 1.0, 1.0]
    assert x.mean().asnumpy().tolist() == [0.5]
