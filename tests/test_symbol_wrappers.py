"""mx.sym's Python-level functions and Symbol's fluent methods against MXNet 1.9.1.

Goldens: tests/golden/symbol_wrappers.json, made by tests/golden/make_symbol_wrappers.py,
whose builders are imported here so both sides build the same graphs.
"""

from __future__ import annotations

import inspect
import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.symbol import fluent
from tests.golden.make_symbol_wrappers import CASES, FORWARD, RAISING_METHODS, SIGNATURE_FUNCTIONS

with open(os.path.join(os.path.dirname(__file__), "golden", "symbol_wrappers.json")) as _f:
    GOLDEN = json.load(_f)


def _missing_ops(doc: dict) -> list[str]:
    """Operators a golden graph uses that mxpy does not register (yet)."""
    return [n["op"] for n in doc["nodes"] if n["op"] != "null" and registry.find(n["op"]) is None]


@pytest.mark.parametrize("name", sorted(CASES))
def test_graph_matches_mxnet(name):
    want = GOLDEN["cases"][name]
    missing = _missing_ops(json.loads(want["json"]))
    if missing:
        pytest.skip(f"operator {missing[0]} is not registered in mxpy")
    with mx.name.NameManager():
        s = CASES[name](mx)
    assert s.list_arguments() == want["arguments"]
    assert s.list_outputs() == want["outputs"]
    assert s.list_auxiliary_states() == want["aux"]
    assert s.tojson() == want["json"]


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward_matches_mxnet(name):
    build, inputs = FORWARD[name]
    with mx.name.NameManager():
        s = build(mx)
    shapes = {k: np.array(v).shape for k, v in inputs.items()}
    ex = s.simple_bind(mx.cpu(), grad_req="null", **shapes)
    outs = ex.forward(**{k: mx.nd.array(v) for k, v in inputs.items()})
    want = GOLDEN["forward"][name]
    assert len(outs) == len(want)
    for got, w in zip(outs, want):
        assert got.dtype == np.dtype(w["dtype"])
        np.testing.assert_allclose(got.asnumpy(), np.array(w["value"], dtype=w["dtype"]), rtol=1e-6)


def test_eval_runs_forward():
    x = mx.sym.Variable("x")
    (out,) = (x.reshape((2, 2)).sum(axis=0) * 2).eval(mx.cpu(), x=mx.nd.array([1, 2, 3, 4]))
    assert out.asnumpy().tolist() == [8.0, 12.0]
    (out,) = mx.sym.maximum(x, 2).eval(x=mx.nd.array([1, 3]))
    assert out.asnumpy().tolist() == [2.0, 3.0]


@pytest.mark.parametrize("name", SIGNATURE_FUNCTIONS)
def test_function_signature(name):
    fn = getattr(mx.sym, name, None)
    if fn is None:
        op_name = mx.symbol.wrappers.OPTIONAL[name]
        assert registry.find(op_name) is None, f"{name} is missing though {op_name} is registered"
        pytest.skip(f"operator {op_name} is not registered in mxpy")
    sig = inspect.signature(fn).replace(return_annotation=inspect.Signature.empty)
    assert str(sig) == GOLDEN["signatures"][name]
    assert fn.__doc__


def test_numbers_give_python_numbers():
    want = GOLDEN["numbers"]
    assert mx.sym.pow(2, 3) == want["pow"] and isinstance(mx.sym.pow(2, 3), int)
    assert mx.sym.power(2.0, 0.5) == pytest.approx(want["power"])
    assert mx.sym.maximum(2, 3.5) == want["maximum"]
    assert mx.sym.minimum(2, 3.5) == want["minimum"] and isinstance(mx.sym.minimum(2, 3.5), int)
    assert float(mx.sym.hypot(3, 4)) == want["hypot"]


@pytest.mark.parametrize("fname", ["pow", "power", "maximum", "minimum", "hypot"])
def test_binary_rejects_other_types(fname):
    a = mx.sym.Variable("a")
    with pytest.raises(TypeError, match=rf"{fname}: types .*str"):
        getattr(mx.sym, fname)(a, "2")
    with pytest.raises(TypeError, match=rf"{fname}: types .*NDArray"):
        getattr(mx.sym, fname)(mx.nd.ones((1,)), a)


def test_histogram_argument_errors():
    a = mx.sym.Variable("a")
    no_range, bad_bins = GOLDEN["histogram_errors"]
    with pytest.raises(ValueError, match=no_range):
        mx.symbol.wrappers.histogram(a, bins=5)
    with pytest.raises(ValueError, match=bad_bins.removesuffix("an NDArray")):
        mx.symbol.wrappers.histogram(a, bins=2.5, range=(0, 1))


def test_bad_creation_parameters_name_the_operator():
    with pytest.raises(mx.MXNetError, match="_zeros.*dtype"):
        mx.sym.zeros((2,), dtype="no_such_type")
    with pytest.raises(mx.MXNetError, match="_eye"):
        mx.sym.eye(2, k="x")


@pytest.mark.parametrize("name", RAISING_METHODS)
def test_ndarray_only_methods_raise(name):
    with pytest.raises(mx.base.NotImplementedForSymbol) as info:
        getattr(mx.sym.Variable("x"), name)()
    assert str(info.value) == GOLDEN["raising"][name]


def test_as_nd_ndarray_is_identity():
    x = mx.sym.Variable("x")
    assert x.as_nd_ndarray() is x


def test_numpy_scalar_on_the_left_defers_to_symbol():
    assert mx.sym.Symbol.__array_priority__ == GOLDEN["array_priority"]
    with mx.name.NameManager():
        s = np.float32(2) * mx.sym.Variable("x")
    assert s.tojson() == GOLDEN["np_scalar_mul"]


def test_every_mxnet_method_is_present_or_waits_for_its_operator():
    """Each of MXNet's public Symbol methods exists, or its operator is not registered."""
    implemented_elsewhere = {
        "as_np_ndarray": "mx.sym.np is not implemented in mxpy",
        "debug_str": "needs a printer of MXNet's graph dump format",
        "gradient": "MXNet's MXSymbolGrad is itself unimplemented",
        "get_backend_symbol": "subgraph backends do not exist in mxpy",
        "optimize_for": "subgraph backends do not exist in mxpy",
        "handle": "a C handle; mxpy has no C library",
    }
    special = {"split_v2": "_split_v2"}
    absent = []
    for name in GOLDEN["methods"]:
        if hasattr(mx.sym.Symbol, name) or name in implemented_elsewhere:
            continue
        op_name = special.get(name, fluent.FLUENT.get(name))
        assert op_name is not None, f"Symbol.{name} is neither implemented nor op-backed"
        assert registry.find(op_name) is None, f"Symbol.{name} is missing though {op_name} is registered"
        absent.append(name)
    assert set(absent) <= {"depth_to_space", "diag", "shape_array", "size_array", "space_to_depth", "split_v2"}


def test_method_forwards_arguments_like_the_function():
    x = mx.sym.Variable("x")
    with mx.name.NameManager():
        by_method = x.clip(0, 1, name="c").tojson()
    with mx.name.NameManager():
        by_function = mx.sym.clip(x, 0, 1, name="c").tojson()
    assert by_method == by_function
    assert x.reshape.__doc__.startswith("Convenience fluent method for :func:`mx.sym.reshape`")


def test_bad_method_argument_names_the_operator():
    with pytest.raises(mx.MXNetError, match="sum.*no_such"):
        mx.sym.Variable("x").sum(no_such=1)
