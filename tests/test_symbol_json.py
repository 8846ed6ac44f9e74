"""Symbol naming, listing and JSON against golden output of MXNet 1.9.1."""

from __future__ import annotations

import json
import os

import pytest

import mxpy as mx
from tests.symbol_cases import CASES

with open(os.path.join(os.path.dirname(__file__), "golden", "symbol_json.json")) as _f:
    GOLDEN = json.load(_f)


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_and_names_match_mxnet(name):
    with mx.name.NameManager():
        s = CASES[name](mx)
    want = GOLDEN[name]
    assert s.list_arguments() == want["arguments"]
    assert s.list_outputs() == want["outputs"]
    assert s.list_auxiliary_states() == want["aux"]
    assert s.tojson() == want["json"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_round_trip(name):
    with mx.name.NameManager():
        s = CASES[name](mx)
    again = mx.sym.load_json(s.tojson())
    assert again.tojson() == s.tojson()
    assert again.list_outputs() == s.list_outputs()


@pytest.mark.parametrize("name", sorted(CASES))
def test_mxnet_written_json_round_trips_byte_identically(name):
    text = GOLDEN[name]["json"]
    s = mx.sym.load_json(text)
    assert s.tojson() == text
    assert s.list_arguments() == GOLDEN[name]["arguments"]
    assert s.list_auxiliary_states() == GOLDEN[name]["aux"]


def test_tutorial_shape_inference():
    with mx.name.NameManager():
        d = CASES["tutorial"](mx)
    arg_shapes, out_shapes, aux_shapes = d.infer_shape(A=(10,), B=(10,))
    assert arg_shapes == [(10,), (10,)]
    assert out_shapes == [(10,)]
    assert aux_shapes == []


def test_conflicting_shapes_name_the_node():
    with mx.name.NameManager():
        d = CASES["tutorial"](mx)
    with pytest.raises(mx.MXNetError, match=r"_plus0.*\(10,\).*\(3,\)"):
        d.infer_shape(A=(10,), B=(3,))


def test_incomplete_inference_warns_and_returns_none():
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    s = mx.sym.broadcast_add(a, b)
    with pytest.warns(UserWarning, match="Cannot decide shape"):
        assert s.infer_shape(a=(2, 3)) == (None, None, None)
    arg, out, aux = s.infer_shape_partial(a=(2, 3))
    assert arg == [(2, 3), ()] and out == [()]


def test_malformed_json_names_position():
    with pytest.raises(mx.MXNetError, match="line 1 column"):
        mx.sym.load_json('{"nodes": [')


def test_unknown_operator_in_json_is_named():
    doc = {"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "NoSuchOp", "name": "y", "inputs": [[0, 0, 0]]}], "arg_nodes": [0], "heads": [[1, 0, 0]]}
    with pytest.raises(mx.MXNetError, match="NoSuchOp"):
        mx.sym.load_json(json.dumps(doc))


def test_dangling_entry_is_rejected():
    doc = {"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "negative", "name": "y", "inputs": [[5, 0, 0]]}], "arg_nodes": [0], "heads": [[1, 0, 0]]}
    with pytest.raises(mx.MXNetError, match="not an earlier node"):
        mx.sym.load_json(json.dumps(doc))


def test_save_and_load_file(tmp_path):
    with mx.name.NameManager():
        s = CASES["variables"](mx)
    path = tmp_path / "net-symbol.json"
    s.save(str(path))
    assert mx.sym.load(str(path)).tojson() == s.tojson()
