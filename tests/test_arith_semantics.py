"""MXNet-specific arithmetic semantics, checked against golden values from MXNet 1.9.1.

The fixture tests/golden/elemwise.json is made by tests/golden/make_elemwise.py
(run with the mxnet-reference tool). It covers every unary math op on float
and integer dtypes (nan/inf/-0/halves, C-style integer casts), every binary
family on arrays and scalars (integer division/mod/power, scalar casts to
int8/uint8/float16, mod by zero, nan in maximum), NDArray operators and
in-place forms, add_n, and the mx.nd Python wrappers.
"""

from __future__ import annotations

import json
import math
import pathlib

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError
from tests.golden.mirror import OPERATORS

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "elemwise.json").read_text())
VECTORS = GOLDEN["vectors"]

# gamma-family values go through different special-function code than MXNet's
LOOSE = {"erf", "erfinv", "gamma", "gammaln", "expm1", "log1p", "sinh", "cosh", "tan", "arcsinh", "arccosh", "arctanh", "cbrt", "rcbrt"}


def _dec(v):
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v]
    return v


def _vec(x):
    return [_dec(v) for v in (VECTORS[x] if isinstance(x, str) else x)]


def _array(values, dtype):
    # build through NumPy so out-of-range and nan float inputs are not at issue
    return mx.nd.array(np.array(values, dtype=np.float64 if np.dtype(dtype).kind == "f" else dtype), dtype=dtype)


def _compare(got: mx.nd.NDArray, want: dict, rtol: float, where: str) -> None:
    g = got.asnumpy()
    assert g.dtype.name == want["dtype"], f"{where}: dtype {g.dtype.name}, MXNet gives {want['dtype']}"
    assert list(g.shape) == want["shape"], f"{where}: shape {g.shape}, MXNet gives {want['shape']}"
    w = np.array([_dec(v) for v in want["value"]], dtype=want["dtype"]).reshape(want["shape"])
    if g.dtype.kind == "f":
        np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=rtol * 1e-3, equal_nan=True, err_msg=where)
        # signs of infinities and of zero-vs-nan must match exactly
        assert np.array_equal(np.isnan(g), np.isnan(w)), f"{where}: nan positions differ: {g} vs {w}"
    else:
        np.testing.assert_array_equal(g, w, err_msg=where)


def _case_id(c):
    return f"{c['kind']}-{c['op']}-{c['dtype']}" + (f"-s{c['scalar']}" if "scalar" in c else "")


def _inplace(op, a, b):
    before = a
    if op == "+=":
        a += b
    elif op == "-=":
        a -= b
    elif op == "*=":
        a *= 2.5
    elif op == "/=":
        a /= b
    elif op == "%=":
        a %= 3
    assert a is before, f"{op} must update the array in place"
    return a


def _run(case):
    kind, op, dt = case["kind"], case["op"], case["dtype"]
    ins = [_vec(x) for x in case["inputs"]]
    if kind == "unary":
        return getattr(mx.nd, op)(_array(ins[0], dt))
    if kind == "binary":
        return getattr(mx.nd, op)(_array(ins[0], dt), _array(ins[1], dt))
    if kind == "scalar":
        return getattr(mx.nd._internal, op)(_array(ins[0], dt), scalar=_dec(case["scalar"]))
    if kind == "binary2d":
        a = _array(ins[0], dt).reshape((2, 3))
        b = _array(ins[1], dt)
        return getattr(mx.nd, op)(a, b.reshape((1, 3)) if len(ins[1]) == 3 else b.reshape((2, 1)))
    if kind == "add_n":
        return getattr(mx.nd, op)(*[_array(x, dt) for x in ins])
    if kind == "operator":
        return OPERATORS[op](_array(ins[0], dt), _array(ins[1], dt))
    if kind == "inplace":
        return _inplace(op, _array(ins[0], dt), _array(ins[1], dt))
    raise AssertionError(f"unknown golden case kind {kind}")


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_case_id)
def test_matches_mxnet(case):
    dt = case["dtype"]
    rtol = 2e-3 if dt == "float16" else (1e-5 if case["op"] in LOOSE else 1e-6)
    _compare(_run(case), case["out"], rtol, _case_id(case))


def test_golden_covers_every_unary_op():
    unary = {c["op"] for c in GOLDEN["cases"] if c["kind"] == "unary"}
    from mxpy.ops.elemwise import _OPS

    assert unary == set(_OPS)


@pytest.mark.parametrize("entry", GOLDEN["wrappers"], ids=lambda e: e["name"])
def test_nd_wrappers_match_mxnet(entry):
    fn = getattr(mx.nd, entry["name"])
    for x, y, want in entry["scalar_scalar"]:
        got = fn(x, y)
        assert type(got) is type(want) and got == want, f"{entry['name']}({x}, {y}) = {got!r}, MXNet gives {want!r}"
    a, b = mx.nd.array(GOLDEN["wrap_a"]), mx.nd.array(GOLDEN["wrap_b"])
    calls = {
        "array_array": lambda: fn(a, b),
        "array_scalar": lambda: fn(a, 2),
        "scalar_array": lambda: fn(2, a),
        "int_scalar": lambda: fn(mx.nd.array([5, -3, 0], dtype="int32"), 2.5),
        "scalar_int": lambda: fn(3.5, mx.nd.array([5, -3, 2], dtype="int32")),
    }
    for tag, call in calls.items():
        _compare(call(), entry[tag], 1e-6, f"{entry['name']} {tag}")


def test_wrappers_are_exported():
    for name in ("add", "subtract", "multiply", "divide", "true_divide", "modulo", "power", "maximum", "minimum", "logical_xor", "add_n", "ElementWiseSum"):
        assert callable(getattr(mx.nd, name)), name
    assert mx.nd.power(base=mx.nd.array([2.0]), exp=3).asnumpy().tolist() == [8.0]


def test_bad_operands_name_function_and_argument():
    a = mx.nd.ones((2,))
    with pytest.raises(TypeError, match=r"add: argument 'rhs' must be an NDArray or a number, got str"):
        mx.nd.add(a, "x")
    with pytest.raises(TypeError, match=r"power: argument 'base' must be an NDArray or a number, got list"):
        mx.nd.power([1], a)


def test_dtype_and_shape_mismatch_errors():
    with pytest.raises(MXNetError, match=r"broadcast_add: rhs: given dtype float16, expected float32 from the other inputs' dtype"):
        mx.nd.broadcast_add(mx.nd.ones((2,)), mx.nd.ones((2,), dtype="float16"))
    with pytest.raises(MXNetError, match=r"elemwise_add: lhs shape \(2,\) and rhs shape \(3,\) differ"):
        mx.nd.elemwise_add(mx.nd.ones((2,)), mx.nd.ones((3,)))
    with pytest.raises(MXNetError, match=r"broadcast_mul: shapes \(2, 3\) and \(3, 2\) cannot be broadcast"):
        mx.nd.broadcast_mul(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)))
    with pytest.raises(MXNetError, match=r"add_n: invalid value 0 for parameter 'num_args'"):
        mx.nd.add_n()
    with pytest.raises(MXNetError, match=r"add_n: arg1: given \(3,\), expected \(2,\) from the other inputs' shape"):
        mx.nd.add_n(mx.nd.ones((2,)), mx.nd.ones((3,)))
    with pytest.raises(MXNetError, match=r"exp: input 'data' has dtype bool"):
        mx.nd.exp(mx.nd.array([1, 0], dtype="bool"))


def test_overflow_in_cheap_ops_gives_inf_even_when_warnings_are_errors():
    # + - * run without np.errstate (hot path); pytest turns NumPy's warning into an
    # error, and the result must still be MXNet's inf
    x = mx.nd.array([3e38, -3e38, 1.0])
    assert (x * 1e10).asnumpy().tolist() == [math.inf, -math.inf, 1e10]
    assert (x + x).asnumpy().tolist()[:2] == [math.inf, -math.inf]
    assert (x * 1e300).asnumpy().tolist() == [math.inf, -math.inf, math.inf]


def test_integer_division_by_zero_gives_zero():
    # MXNet 1.9.1 dies with SIGFPE here; mxpy returns 0 like NumPy instead of crashing
    a = mx.nd.array([7, 0, -7], dtype="int32")
    assert (a / 0).asnumpy().tolist() == [0, 0, 0]
    assert mx.nd.broadcast_div(a, mx.nd.zeros((3,), dtype="int32")).asnumpy().tolist() == [0, 0, 0]


def test_add_n_output_aliasing_a_later_input():
    a, b, c = mx.nd.array([1.0, 2.0]), mx.nd.array([10.0, 20.0]), mx.nd.array([100.0, 200.0])
    mx.nd.add_n(a, b, c, out=c)
    assert c.asnumpy().tolist() == [111.0, 222.0]


def test_no_numpy_warnings_leak(recwarn):
    x = mx.nd.array([0.0, -1.0, 1e38, np.nan])
    for fn in (mx.nd.log, mx.nd.sqrt, mx.nd.exp, mx.nd.reciprocal, mx.nd.arccosh, mx.nd.gamma, mx.nd.erfinv, mx.nd.square):
        fn(x).asnumpy()
    (x / 0).asnumpy()
    (x % 0).asnumpy()
    (x**-1).asnumpy()
    (mx.nd.array([1.0], dtype="float16") + 1e6).asnumpy()
    assert len(recwarn) == 0
