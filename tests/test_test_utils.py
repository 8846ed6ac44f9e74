"""mx.test_utils: tolerances and comparisons (MXNet 1.9.1 golden facts), random data, symbol checks."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
import mxpy.test_utils as tu
from mxpy.base import MXNetError

with open(os.path.join(os.path.dirname(__file__), "golden", "test_utils.json")) as _f:
    GOLDEN = json.load(_f)


def inp(shape, k=0):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 1.5).reshape(shape)


# -- tolerances and comparisons -------------------------------------------------------------


def test_default_tolerance_tables_match_mxnet():
    g = GOLDEN["tolerances"]
    assert {k.name: v for k, v in tu.default_rtols().items()} == g["rtols"]
    assert {k.name: v for k, v in tu.default_atols().items()} == g["atols"]
    assert {k.name: v for k, v in tu.default_numeric_eps().items()} == g["eps"]


def test_get_tols_match_mxnet():
    g = GOLDEN["tolerances"]
    for pair, want in g["get_tols"].items():
        a, b = pair.split(",")
        assert list(tu.get_tols(np.zeros(1, a), np.zeros(1, b), None, None)) == want, pair
    assert list(tu.get_tols(1.0, np.zeros(1, "float32"), None, None)) == g["get_tols_number"]
    assert list(tu.get_tols(np.zeros(1, "float32"), np.zeros(1, "float32"), 0.5, {np.dtype("float32"): 0.25})) == g["get_tols_given"]
    # NDArrays count by their dtype
    assert tu.get_tols(mx.nd.zeros((1,), dtype="float64"), np.zeros(1), None, None) == (1e-5, 1e-20)
    assert tu.get_rtol() == 1e-5 and tu.get_atol() == 1e-20 and tu.get_rtol(0.3) == 0.3


@pytest.mark.parametrize("case", GOLDEN["compare"], ids=lambda c: c["name"])
def test_compare_decisions_match_mxnet(case):
    a = np.array(case["a"], case["da"])
    b = np.array(case["b"], case["db"])
    assert tu.almost_equal(a, b) == case["almost_equal"]
    if case["assert_ok"]:
        tu.assert_almost_equal(a, b)
        tu.assert_almost_equal(mx.nd.array(a, dtype=case["da"]), mx.nd.array(b, dtype=case["db"]))
    else:
        with pytest.raises(AssertionError):
            tu.assert_almost_equal(a, b)
        with pytest.raises(AssertionError):
            tu.assert_almost_equal(mx.nd.array(a, dtype=case["da"]), b)


def test_assert_almost_equal_message_names_the_worst_location_and_values():
    a = np.zeros((3, 4), np.float32)
    b = a.copy()
    b[1, 2] = 0.5
    b[2, 0] = 0.01
    with pytest.raises(AssertionError) as err:
        tu.assert_almost_equal(a, b, names=("got", "want"))
    msg = str(err.value)
    assert "Location of maximum error: (1, 2), got=0.00000000, want=0.50000000" in msg
    assert "exceeds tolerance rtol=1.000000e-04, atol=1.000000e-03" in msg
    assert "2 of 12 elements" in msg
    assert "(2, 0), got=0.00000000, want=0.01000000" in msg  # second-worst listed too
    assert "Largest 2 mismatches:\n  1: error 476.190476 at (1, 2)" in msg
    # mismatches[0] caps the listed locations
    with pytest.raises(AssertionError) as err:
        tu.assert_almost_equal(a, b, mismatches=(1, 10))
    assert "Largest" not in str(err.value) and "(2, 0)" not in str(err.value)


def test_assert_almost_equal_shapes_nan_and_bool():
    with pytest.raises(AssertionError, match="cannot be broadcast"):
        tu.assert_almost_equal(np.ones(3), np.ones(4))
    tu.assert_almost_equal(np.ones((1, 3)), np.ones((2, 3)))
    with pytest.raises(AssertionError, match=r"a.shape = \(1, 3\) and b.shape = \(2, 3\) are not equal"):
        tu.assert_almost_equal(np.ones((1, 3)), np.ones((2, 3)), use_broadcast=False)
    with pytest.raises(AssertionError, match="are not equal"):
        tu.almost_equal(np.ones((1, 3)), np.ones((2, 3)), use_broadcast=False)
    x = np.array([1.0, np.nan])
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(1,\)"):
        tu.assert_almost_equal(x, x)
    tu.assert_almost_equal(x, x, equal_nan=True)
    tu.assert_almost_equal(np.array([True, False]), np.array([True, False]))
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(np.array([True, False]), np.array([True, True]))
    # scalars and explicit tolerances
    tu.assert_almost_equal(1.0, 1.05, rtol=0, atol=0.1)
    with pytest.raises(AssertionError):
        tu.assert_almost_equal(1.0, 1.05, rtol=0, atol=0.01)


def test_ignore_nan_same_allclose_and_assert_exception():
    a = np.array([1.0, np.nan, 3.0])
    b = np.array([np.nan, 2.0, 3.0])
    tu.assert_almost_equal_ignore_nan(a, b)
    tu.assert_almost_equal_ignore_nan(mx.nd.array(a), b)
    with pytest.raises(AssertionError, match=r"\(2,\)"):
        tu.assert_almost_equal_ignore_nan(a, np.array([np.nan, 2.0, 4.0]))
    assert tu.same(mx.nd.array([1, 2]), np.array([1.0, 2.0]))
    assert not tu.same(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    assert not tu.same(np.ones(2), np.ones(3))
    tu.assert_allclose(mx.nd.array([1.0, np.nan]), np.array([1.0, np.nan]))
    with pytest.raises(AssertionError):
        tu.assert_allclose(np.array([1.0]), np.array([1.1]))
    tu.assert_exception(mx.nd.zeros, TypeError, (2,), dtype="nope")
    tu.assert_exception(lambda: 1 / 0, ZeroDivisionError)
    with pytest.raises(AssertionError, match="did not raise ValueError"):
        tu.assert_exception(abs, ValueError, -1)
    with pytest.raises(ZeroDivisionError):  # other exceptions pass through
        tu.assert_exception(lambda: 1 / 0, KeyError)


# -- contexts and random data ----------------------------------------------------------------


def test_default_context_and_dtype():
    assert tu.default_context() == mx.current_context() == mx.cpu(0)
    assert tu.default_dtype() is np.float32
    try:
        tu.set_default_context(mx.cpu(1))
        assert tu.default_context() == mx.cpu(1)
        assert tu.rand_ndarray((2,)).context == mx.cpu(1)
    finally:
        tu.set_default_context(mx.cpu(0))
    assert tu.default_context() == mx.cpu(0)


def test_rand_shapes():
    np.random.seed(3)
    for _ in range(50):
        s2, s3, sn = tu.rand_shape_2d(3, 4), tu.rand_shape_3d(2, 3, 4), tu.rand_shape_nd(5, dim=2)
        assert len(s2) == 2 and 1 <= s2[0] <= 3 and 1 <= s2[1] <= 4
        assert len(s3) == 3 and all(1 <= s <= d for s, d in zip(s3, (2, 3, 4)))
        assert len(sn) == 5 and all(1 <= s <= 2 for s in sn)
        assert all(type(s) is int for s in s2 + s3 + sn)
    zero = {tu.rand_shape_nd(1, dim=1, allow_zero_size=True)[0] for _ in range(100)}
    assert zero == {0, 1}
    np.random.seed(7)
    first = tu.rand_shape_nd(4)
    np.random.seed(7)
    assert tu.rand_shape_nd(4) == first


def test_random_arrays_and_rand_ndarray():
    a = tu.random_arrays((2, 3))
    assert a.shape == (2, 3) and a.dtype == np.float32
    s, m = tu.random_arrays((), (4,))
    assert s.shape == () and m.shape == (4,) and s.dtype == m.dtype == np.float32
    u = tu.random_uniform_arrays((1000,), low=2.0, high=3.0)
    assert u.dtype == np.float32 and u.min() >= 2.0 and u.max() < 3.0
    r = tu.rand_ndarray((3, 4))
    assert isinstance(r, mx.nd.NDArray) and r.shape == (3, 4) and r.dtype == np.float32 and r.context == mx.cpu(0)
    r64 = tu.rand_ndarray((5,), dtype="float64", ctx=mx.cpu(2))
    assert r64.dtype == np.float64 and r64.context == mx.cpu(2)
    assert np.std(tu.rand_ndarray((4000,)).asnumpy()) == pytest.approx(1.0, abs=0.1)
    c = tu.rand_ndarray((3, 4), stype="csr", density=0.5)
    assert c.stype == "csr" and c.data.shape == (6,)
    r = tu.rand_ndarray((6, 2), stype="row_sparse", density=1.0)
    assert r.stype == "row_sparse" and r.indices.asnumpy().tolist() == list(range(6))
    with pytest.raises(MXNetError, match="unknown stype 'dense'"):
        tu.rand_ndarray((3, 4), stype="dense")


def test_np_reduce():
    x = np.random.rand(2, 3, 4)
    assert np.allclose(tu.np_reduce(x, 1, False, np.sum), x.sum(axis=1))
    assert np.allclose(tu.np_reduce(x, (0, 2), True, np.max), x.max(axis=(0, 2), keepdims=True))
    assert np.allclose(tu.np_reduce(x, None, False, np.sum), x.sum())
    assert tu.np_reduce(x, -1, True, np.min).shape == (2, 3, 1)


# -- symbol checks ---------------------------------------------------------------------------


def golden_net():
    with mx.name.NameManager():  # fresh counters: the output is named as in MXNet's run
        data = mx.sym.Variable("data")
        scale = mx.sym.Variable("scale")
        fc1 = mx.sym.FullyConnected(data, num_hidden=5, name="fc1")
        act = mx.sym.Activation(fc1, act_type="tanh", name="act")
        fc2 = mx.sym.FullyConnected(act, num_hidden=2, name="fc2")
        sym = fc2 * scale
    g = GOLDEN["net"]
    assert sym.list_arguments() == g["arguments"] and sym.list_outputs() == g["outputs"]
    location = [inp(g["shapes"][n], k) for k, n in enumerate(g["arguments"])]
    return sym, location, g


def test_simple_forward():
    x, y = mx.sym.Variable("x"), mx.sym.Variable("y")
    out = tu.simple_forward(x * y + 1, x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]))
    assert out.tolist() == [4.0, 9.0]
    outs = tu.simple_forward(mx.sym.Group([x * 2, x + 1]), x=np.array([1.0]))
    assert [o.tolist() for o in outs] == [[2.0], [2.0]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_check_symbolic_forward_matches_mxnet(dtype):
    sym, location, g = golden_net()
    outs = tu.check_symbolic_forward(sym, location, [np.array(g["forward"])], dtype=dtype)
    assert outs[0].dtype == dtype
    # location by name, expected by output name, NDArray inputs used as given
    loc = dict(zip(g["arguments"], location))
    loc["data"] = mx.nd.array(loc["data"], dtype=dtype)
    tu.check_symbolic_forward(sym, loc, {g["outputs"][0]: np.array(g["forward"])}, rtol=1e-5, atol=1e-5, dtype=dtype)


def test_check_symbolic_forward_failure_names_output_and_location():
    sym, location, g = golden_net()
    wrong = np.array(g["forward"])
    wrong[2, 1] += 0.5
    name = g["outputs"][0]
    with pytest.raises(AssertionError, match=rf"Location of maximum error: \(2, 1\), EXPECTED_{name}="):
        tu.check_symbolic_forward(sym, location, [wrong])
    with pytest.raises(ValueError, match="do not match"):
        tu.check_symbolic_forward(sym, {"data": location[0]}, [wrong])
    with pytest.raises(ValueError, match="1 expected arrays"):
        tu.check_symbolic_forward(mx.sym.Group([sym, sym * 2]), location, [wrong])
    with pytest.raises(ValueError, match="dtype must be float16, float32 or float64"):
        tu.check_symbolic_forward(sym, location, [wrong], dtype=np.int32)


@pytest.mark.parametrize("grad_req", ["write", "add"])
def test_check_symbolic_backward_matches_mxnet(grad_req):
    sym, location, g = golden_net()
    head = inp(np.array(g["forward"]).shape, 9)
    expected = {n: np.array(v) for n, v in g["grads"].items()}
    grads = tu.check_symbolic_backward(sym, location, [head], expected, rtol=1e-4, atol=1e-5, grad_req=grad_req, dtype=np.float64)
    assert sorted(grads) == sorted(expected)
    # a list of expected values in argument order, float32 (for 'add' the float64 starting values are
    # subtracted, so the comparison gets float64's default tolerances, as in MXNet: give float32's)
    tu.check_symbolic_backward(sym, location, [head], [expected[n] for n in g["arguments"]], rtol=1e-4, atol=1e-3, grad_req=grad_req)


def test_check_symbolic_backward_null_and_partial_expected():
    sym, location, g = golden_net()
    head = inp(np.array(g["forward"]).shape, 9)
    expected = {n: np.array(v) for n, v in g["grads"].items()}
    # only some arguments get buffers; with 'null' they keep their random start
    tu.check_symbolic_backward(sym, location, [head], {"fc1_weight": expected["fc1_weight"]}, grad_req={"fc1_weight": "null"}, dtype=np.float64)
    tu.check_symbolic_backward(sym, location, mx.nd.array(head, dtype="float64"), {"scale": expected["scale"]}, dtype=np.float64)


def test_check_symbolic_backward_failure():
    sym, location, g = golden_net()
    head = inp(np.array(g["forward"]).shape, 9)
    expected = {n: np.array(v) for n, v in g["grads"].items()}
    expected["fc1_weight"] = expected["fc1_weight"].copy()
    expected["fc1_weight"][3, 1] += 1.0
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(3, 1\), EXPECTED_fc1_weight=.*BACKWARD_fc1_weight="):
        tu.check_symbolic_backward(sym, location, [head], expected, dtype=np.float64)
    with pytest.raises(ValueError, match=r"not arguments"):
        tu.check_symbolic_backward(sym, location, [head], {"nope": expected["scale"]})


def test_numeric_grad_of_a_square():
    x = mx.sym.Variable("x")
    ex = (x * x).bind(mx.cpu(), {"x": mx.nd.zeros((3,), dtype="float64")})
    value = np.array([1.0, -2.0, 0.5])
    grads = tu.numeric_grad(ex, {"x": value.copy()}, eps=1e-4, dtype=np.float64)
    np.testing.assert_allclose(grads["x"], 2 * value, rtol=1e-8)
    # the argument is restored to the location afterwards
    np.testing.assert_array_equal(ex.arg_dict["x"].asnumpy(), value)


def test_check_numeric_gradient_fully_connected_and_activation():
    np.random.seed(0)
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    loc = [np.random.normal(size=s) for s in ((4, 5), (3, 5), (3,))]
    tu.check_numeric_gradient(fc, loc, dtype=np.float64, rtol=1e-5, atol=1e-7)
    tu.check_numeric_gradient(fc, loc, rtol=1e-2, atol=1e-3)  # float32 defaults: eps 2**-9
    for act in ("tanh", "sigmoid", "softrelu"):
        tu.check_numeric_gradient(mx.sym.Activation(data, act_type=act), [np.random.normal(size=(3, 4))], dtype=np.float64)
    # relu away from its kink
    x = np.random.uniform(0.1, 1.0, size=(3, 4)) * np.where(np.random.rand(3, 4) < 0.5, -1, 1)
    tu.check_numeric_gradient(mx.sym.Activation(data, act_type="relu"), {"data": x}, dtype=np.float64)


def test_check_numeric_gradient_composed_net_and_grad_nodes():
    np.random.seed(1)
    sym, _location, g = golden_net()
    loc = {n: np.random.normal(size=g["shapes"][n]) for n in g["arguments"]}
    tu.check_numeric_gradient(sym, loc, dtype=np.float64, rtol=1e-4, atol=1e-6)
    tu.check_numeric_gradient(sym, loc, grad_nodes=["fc1_weight", "scale"], dtype=np.float64)
    tu.check_numeric_gradient(sym, loc, grad_nodes={"fc1_weight": "add", "scale": "null", "data": "write"}, dtype=np.float64)
    with pytest.raises(ValueError, match="not arguments"):
        tu.check_numeric_gradient(sym, loc, grad_nodes=["nope"])
    with pytest.raises(ValueError, match="invalid grad_req"):
        tu.check_numeric_gradient(sym, loc, grad_nodes={"data": "sometimes"})
    with pytest.raises(ValueError, match="too small"):
        tu.check_numeric_gradient(sym, loc, numeric_eps=1e-7)


def test_check_numeric_gradient_with_aux_states():
    np.random.seed(2)
    data = mx.sym.Variable("data")
    bn = mx.sym.BatchNorm(data, fix_gamma=False, name="bn")
    x = np.random.normal(size=(4, 3))
    loc = [x, np.random.uniform(0.5, 1.5, 3), np.random.normal(size=3)]
    aux = [np.zeros(3), np.ones(3)]
    tu.check_numeric_gradient(bn, loc, aux_states=aux, dtype=np.float64, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="aux"):
        tu.check_numeric_gradient(bn, loc, aux_states=aux[:1], dtype=np.float64)


def test_check_numeric_gradient_detects_a_wrong_gradient():
    # BlockGrad is the identity forward with a zero gradient: finite differences disagree
    data = mx.sym.Variable("data")
    sym = mx.sym.BlockGrad(data * 2) + data
    with pytest.raises(AssertionError, match=r"NUMERICAL_data=.*BACKWARD_data="):
        tu.check_numeric_gradient(sym, [np.random.normal(size=(2, 3))], dtype=np.float64)
    with pytest.raises(ValueError, match="one output"):
        tu.check_numeric_gradient(mx.sym.Group([data * 1, data * 2]), [np.ones((2,))])
    # a sparse gradient holds the dense gradient's values: checked the same way
    tu.check_numeric_gradient(data * 2, [np.ones((2, 2))], grad_stype_dict={"data": "row_sparse"}, dtype=np.float64)


# -- check_consistency ---------------------------------------------------------------------


def consistency_net():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=6, name="fc1")
    act = mx.sym.Activation(fc1, act_type="tanh", name="act")
    return mx.sym.FullyConnected(act, num_hidden=3, name="fc2")


def test_check_consistency_across_cpus_and_dtypes(each_engine):
    np.random.seed(4)
    sym = consistency_net()
    ctx_list = [
        {"ctx": mx.cpu(0), "data": (4, 5), "type_dict": {"data": np.float32}},
        {"ctx": mx.cpu(1), "data": (4, 5), "type_dict": {"data": np.float32}},
        {"ctx": mx.cpu(0), "data": (4, 5), "type_dict": {"data": np.float64}},
        {"ctx": mx.cpu(1), "data": (4, 5), "type_dict": {"data": np.float64}},
    ]
    gt = tu.check_consistency(sym, ctx_list)
    # the reference is the first float64 executor: outputs and gradients of every argument
    assert set(gt) == {"fc2_output", "data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias"}
    assert gt["fc2_output"].dtype == np.float64 and gt["fc2_output"].context == mx.cpu(0)
    tu.check_consistency(sym, ctx_list[:2], grad_req="add", use_uniform=True, scale=0.5)
    tu.check_consistency(sym, ctx_list[1:3], grad_req="null")
    tu.check_consistency([sym, consistency_net()], ctx_list[:2])


def test_check_consistency_with_aux_and_loss():
    data = mx.sym.Variable("data")
    bn = mx.sym.BatchNorm(data, name="bn")
    sym = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(bn, num_hidden=3, name="fc"), name="sm")
    ctx_list = [{"ctx": mx.cpu(0), "data": (4, 5), "sm_label": (4,)}, {"ctx": mx.cpu(1), "data": (4, 5), "sm_label": (4,), "type_dict": {"data": np.float64}}]
    gt = tu.check_consistency(sym, ctx_list, arg_params={"sm_label": np.array([0, 1, 2, 1.0])})
    assert "bn_gamma" in gt and "sm_label" in gt


def test_check_consistency_reports_mismatches(capsys):
    sym = consistency_net()
    ctx_list = [{"ctx": mx.cpu(0), "data": (2, 5)}, {"ctx": mx.cpu(1), "data": (2, 5)}]
    wrong = {"fc2_output": np.full((2, 3), 100.0)}
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(.*\), ctx1_fc2_output="):
        tu.check_consistency(sym, ctx_list, ground_truth=dict(wrong), grad_req="null")
    out = tu.check_consistency(sym, ctx_list, ground_truth=dict(wrong), grad_req="null", raise_on_err=False)
    assert out["fc2_output"] is wrong["fc2_output"]
    printed = capsys.readouterr()
    assert "Predict Err: ctx 1 vs ctx 0 at fc2_output" in printed.out
    assert "ctx1_fc2_output" in printed.err  # the full message, as a traceback
    # training mismatches (a wrong gradient) are reported the same way
    params: dict = {}
    gt = tu.check_consistency(sym, ctx_list, arg_params=params)  # fills params with the drawn arguments
    bad = {k: (v.asnumpy() if k != "fc1_bias" else v.asnumpy() + 1) for k, v in gt.items()}
    tu.check_consistency(sym, ctx_list, arg_params=params, ground_truth=bad, raise_on_err=False)
    printed = capsys.readouterr().out
    assert printed.splitlines() == ["Train Err: float32 ctx 1 vs float32 ctx 0 at fc1_bias"]
    with pytest.raises(ValueError, match="at least 2"):
        tu.check_consistency(sym, ctx_list[:1])
    with pytest.raises(ValueError, match="2 symbols for 3"):
        tu.check_consistency([sym, sym], ctx_list + ctx_list[:1])
