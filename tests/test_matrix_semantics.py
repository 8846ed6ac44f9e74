"""Shape/matrix operators against golden values from real MXNet 1.9.1.

``tests/golden/matrix.json`` comes from ``tests/golden/make_matrix.py`` (run with
the MXNet reference interpreter). It covers N-D ``dot`` with transposes, vector
products, ``batch_dot`` over N-D batches, ``split`` with ``squeeze_axis``,
``slice`` with None entries and negative steps, the Reshape codes (reverse, -4
with -1), reshape_like ranges, repeat/tile/reverse quirks, Pad's checks, and
every call MXNet rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, registry
from mxpy.base import MXNetError
from mxpy.ops.matrix import reshape_target
from tests.conftest import queued_engine

GOLDEN = json.loads((Path(__file__).parent / "golden" / "matrix.json").read_text())
CASES = GOLDEN["cases"]
OK = [c for c in CASES if "outputs" in c]
BAD = [c for c in CASES if "error" in c]


def _inputs(case) -> list[np.ndarray]:
    return [np.array(v, dtype=d).reshape(s) for v, d, s in zip(case["inputs"], case["dtypes"], case["shapes"])]


def _params(case) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["params"].items()}


def _call(case, out=None):
    args = [mx.nd.array(x, dtype=x.dtype) for x in _inputs(case)]
    kw = {} if out is None else {"out": out}
    res = getattr(mx.nd, case["op"])(*args, **_params(case), **kw)
    return res if isinstance(res, list) else [res]


def _id(case) -> str:
    ins = "+".join(f"{d}{tuple(s)}" for d, s in zip(case["dtypes"], case["shapes"]))
    return f"{case['op']}-{ins}-{case['params']}"


def _check(got, case) -> None:
    assert len(got) == len(case["outputs"])
    for g, w in zip(got, case["outputs"]):
        want = np.array(w["values"], dtype=w["dtype"]).reshape(w["shape"])
        g = g.asnumpy()
        assert g.shape == want.shape
        assert g.dtype == want.dtype
        np.testing.assert_allclose(g.astype(np.float64), want.astype(np.float64), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", OK, ids=_id)
def test_matches_mxnet(case, each_engine):
    _check(_call(case), case)


@pytest.mark.parametrize("case", OK, ids=_id)
def test_out_matches_mxnet(case):
    given = [mx.nd.array(np.zeros(tuple(w["shape"])), dtype=w["dtype"]) for w in case["outputs"]]  # zero-size too (nd.zeros refuses those, as MXNet)
    _call(case, out=given if len(given) > 1 else given[0])
    _check(given, case)


@pytest.mark.parametrize("case", BAD, ids=_id)
def test_rejected_like_mxnet(case):
    op = registry.get(case["op"]).name
    with pytest.raises(MXNetError, match=op):
        _call(case)
        mx.nd.waitall()


def test_failed_call_leaves_out_untouched():
    out = mx.nd.full((2, 2), 7.0)
    with pytest.raises(MXNetError, match="dot"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 2)), out=out)
    np.testing.assert_array_equal(out.asnumpy(), np.full((2, 2), 7.0, np.float32))


# -- reshape_target: the function NDArray.reshape uses ---------------------------------------

RESHAPES = [c for c in CASES if c["op"] == "Reshape" and "shape" in c["params"]]


@pytest.mark.parametrize("case", RESHAPES, ids=_id)
def test_reshape_target_matches_mxnet(case):
    src, shape, rev = tuple(case["shapes"][0]), tuple(case["params"]["shape"]), case["params"]["reverse"]
    if "error" in case:
        with pytest.raises(ValueError):
            reshape_target(src, shape, rev)
        with pytest.raises(MXNetError, match="Reshape"):
            mx.nd.reshape(mx.nd.ones(src), shape=shape, reverse=rev)
    else:
        want = tuple(case["outputs"][0]["shape"])
        assert reshape_target(src, shape, rev) == want
        x = mx.nd.array(_inputs(case)[0])
        np.testing.assert_array_equal(x.reshape(shape, reverse=rev).asnumpy(), _inputs(case)[0].reshape(want))


@pytest.mark.parametrize("shape", [(7, 3), (5, -1)])
def test_reshape_size_mismatch_is_an_error(shape):
    # MXNet 1.9.1 imperative Reshape returns a corrupt array here; mxpy refuses
    with pytest.raises(MXNetError, match="Reshape"):
        mx.nd.reshape(mx.nd.ones((2, 3, 4)), shape=shape)


# -- dot details -------------------------------------------------------------------------------


@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_dot_large_matches_numpy(ta, tb, each_engine):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 96) if not ta else (96, 64)).astype(np.float32)
    b = rng.standard_normal((96, 80) if not tb else (80, 96)).astype(np.float32)
    got = mx.nd.dot(mx.nd.array(a), mx.nd.array(b), transpose_a=ta, transpose_b=tb).asnumpy()
    want = (a.T if ta else a) @ (b.T if tb else b)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_dot_cost_is_the_gemm_size():
    op = registry.get("dot")
    p = op.parse({"transpose_b": True})
    assert op.cost(p, [np.empty((2, 3, 4)), np.empty((5, 4))], [np.empty((2, 3, 5))]) == 6 * 4 * 5
    bop = registry.get("batch_dot")
    assert bop.cost(bop.parse({}), [np.empty((2, 3, 4)), np.empty((2, 4, 5))], [np.empty((2, 3, 5))]) == 2 * 3 * 4 * 5


def test_dot_accumulates_with_req_add():
    rt = registry.runtime(mx.cpu(), False)
    op = registry.get("dot")
    a, b = np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)
    out = np.full((2, 4), 1.0, np.float32)
    op.kernel(op.parse({}), [a, b], [out], ["add"], rt)
    np.testing.assert_array_equal(out, np.full((2, 4), 4.0, np.float32))


def test_dot_error_names_shapes():
    with pytest.raises(MXNetError, match=r"dot: .*\(2, 3\).*\(2, 3\).*contract sizes 3 and 2"):
        mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)))
    with pytest.raises(MXNetError, match="dot: lhs has dtype int32; expected float16, float32 or float64"):
        mx.nd.dot(mx.nd.ones((2, 3), dtype="int32"), mx.nd.ones((3, 2), dtype="int32"))


def test_split_single_output_is_bare():
    res = mx.nd.split(mx.nd.ones((2, 3)), num_outputs=1)
    assert isinstance(res, mx.nd.NDArray)
    assert res.shape == (2, 3)


def test_variadic_num_args_must_match():
    with pytest.raises(MXNetError, match="Concat: num_args=3 but 2 inputs"):
        mx.nd.concat(mx.nd.ones((2, 2)), mx.nd.ones((2, 2)), num_args=3)


def test_pad_error_names_param():
    with pytest.raises(MXNetError, match="Pad: invalid value 'wrap' for parameter 'mode'"):
        mx.nd.pad(mx.nd.ones((1, 1, 2, 2)), mode="wrap", pad_width=(0, 0, 0, 0, 1, 1, 1, 1))
    with pytest.raises(MXNetError, match="Pad: input has 3 dims, expected 4 or 5"):
        mx.nd.pad(mx.nd.ones((1, 2, 2)), mode="constant", pad_width=(0, 0, 0, 0, 1, 1))


def test_ops_under_threaded_engine_wait_properly():
    with engine.engine_type(queued_engine()):
        a = mx.nd.array(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
        parts = mx.nd.split(a, num_outputs=3, axis=1)
        back = mx.nd.concat(*parts, dim=1)
        np.testing.assert_array_equal(back.asnumpy(), a.asnumpy())
