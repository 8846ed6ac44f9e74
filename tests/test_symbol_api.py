"""Symbol API behaviour against golden output of MXNet 1.9.1.

The probes in tests/symbol_cases.py return plain data (attributes, internals,
inference results, the class of the error a misuse raises); the same probe ran
under MXNet 1.9.1 to make tests/golden/symbol_api.json.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from tests.symbol_cases import PROBES

HERE = os.path.dirname(__file__)
with open(os.path.join(HERE, "golden", "symbol_api.json")) as _f:
    GOLDEN = json.load(_f)


def _plain(value):
    """JSON round trip, so tuples compare equal to the golden lists."""
    return json.loads(json.dumps(value))


def _run_probe(name):
    with mx.name.NameManager():
        return _plain(PROBES[name](mx))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe_matches_mxnet(name):
    got = _run_probe(name)
    want = GOLDEN["probes"][name]
    assert sorted(got) == sorted(want)
    for key in want:
        assert got[key] == want[key], key


OLD = os.path.join(HERE, "golden", "old_json")


@pytest.mark.parametrize("fname", sorted(GOLDEN["old_json"]))
def test_legacy_json_loads_as_mxnet(fname):
    with open(os.path.join(OLD, fname)) as f:
        s = mx.sym.load_json(f.read())
    want = GOLDEN["old_json"][fname]
    assert s.list_arguments() == want["arguments"]
    assert s.list_outputs() == want["outputs"]
    assert s.list_auxiliary_states() == want["aux"]
    assert s.attr_dict() == want["attr_dict"]
    assert s.tojson() == want["json"]


# -- mxpy's own error messages (MXNet's differ in wording; the class is in the golden) --


@pytest.mark.parametrize(
    "key, pattern",
    [
        ("truncated", r"malformed JSON at line 1 column 53"),
        ("not_json", r"line 1 column 1"),
        ("list", r"given list"),
        ("no_nodes", r"given keys \['heads'\]"),
        ("unknown_op", r"node 1 \('y'\) uses unknown operator 'NoSuchOp'"),
        ("bad_input_node", r"node 1 \('y'\) refers to node 5"),
        ("bad_head", r"head 0 refers to node 3; the file has 1 nodes"),
        ("bad_param", r"node 1 \('y'\): Activation: .*'nope'.*act_type"),
    ],
)
def test_bad_json_error_names_the_place(key, pattern):
    from tests.symbol_cases import BAD_JSON

    doc = BAD_JSON[key]
    with pytest.raises(mx.MXNetError, match=pattern):
        mx.sym.load_json(doc if isinstance(doc, str) else json.dumps(doc))


def test_cycle_in_json_is_rejected():
    # MXNet 1.9.1 loads a node that reads itself and fails later; mxpy refuses it at load
    doc = {"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "negative", "name": "y", "inputs": [[1, 0, 0]]}], "heads": [[1, 0, 0]]}
    with pytest.raises(mx.MXNetError, match=r"node 1 \('y'\) refers to node 1, which is not an earlier node"):
        mx.sym.load_json(json.dumps(doc))


def test_shape_conflict_names_node_input_given_and_inferred(capsys):
    from tests.symbol_cases import mlp

    with mx.name.NameManager():
        net = mlp(mx)
    with pytest.raises(mx.MXNetError, match=r"fc1 \(FullyConnected\).*\(128, 30\).*\(128, 20\).*weight=\(128, 30\)"):
        net.infer_shape(data=(5, 20), fc1_weight=(128, 30))
    # as MXNet, the given shapes are printed before the error propagates
    assert capsys.readouterr().out == "infer_shape error. Arguments:\n  data: (5, 20)\n  fc1_weight: (128, 30)\n"
    with pytest.raises(mx.MXNetError, match=r"softmax \(SoftmaxOutput\).*\(4,\).*\(5,\)"):
        net.infer_shape(data=(5, 20), softmax_label=(4,))


def test_failed_creation_changes_nothing():
    x = mx.sym.Variable("x")
    mm = mx.sym.Variable("mm")
    with pytest.raises(mx.MXNetError, match=r"moving_var.*must be a Variable"):
        mx.sym.BatchNorm(x, moving_mean=mm, moving_var=x + 1)
    assert mm.list_attr() == {}
    fc = mx.sym.FullyConnected(x, num_hidden=2, name="fc")
    with pytest.raises(mx.MXNetError, match="num_hidden"):
        fc._set_attr(num_hidden="two")
    assert fc.list_attr() == {"num_hidden": "2"}


def test_inplace_arithmetic_is_refused():
    x = mx.sym.Variable("x")
    with pytest.raises(mx.MXNetError, match=r'namely operator "\+="'):
        x += 1
    with pytest.raises(mx.MXNetError, match="bool"):
        bool(x)


def test_gen_atomic_symbol_is_the_unconnected_op():
    """As MXNet 1.9.1 (mxnet-reference): no arguments, bare output names, the node's attributes."""
    args = [mx.sym.Variable(n) for n in ("data", "param", "h0", "h1")]
    rnn = mx.sym.RNN(*args, state_size=10, num_layers=2, bidirectional=True, state_outputs=True, mode="lstm", name="r")
    atom = rnn._gen_atomic_symbol()
    assert atom.list_arguments() == [] and atom.name == ""
    assert atom.list_outputs() == ["output", "state_output", "statecell_output"]
    assert atom.attr_dict() == {"": {"state_size": "10", "num_layers": "2", "bidirectional": "True", "state_outputs": "True", "mode": "lstm"}}
    assert rnn.list_arguments() == ["data", "param", "h0", "h1"]  # the source is untouched
    # calling it connects inputs positionally or by name; missing ones become variables
    plus = (args[0] + 1)._gen_atomic_symbol()
    assert plus(args[2]).list_arguments() == ["h0"]
    fc = mx.sym.FullyConnected(args[0], num_hidden=3)._gen_atomic_symbol()
    assert fc(data=args[1], name="f").list_arguments() == ["param", "f_weight", "f_bias"]
    with pytest.raises(mx.MXNetError, match="requires 1, provided 2"):
        plus(args[2], args[3])
    with pytest.raises(mx.MXNetError, match="non-grouped"):
        mx.sym.Group([args[0] + 1, args[0] * 2])._gen_atomic_symbol()
    with pytest.raises(mx.MXNetError, match="variable"):
        args[0]._gen_atomic_symbol()


def test_batch_take_has_no_gradient():
    """MXNet 1.9.1 registers no FGradient for batch_take: BlockGrad makes it bindable, a flowing gradient fails."""
    x, idx = mx.sym.Variable("x"), mx.sym.Variable("idx")
    y = mx.sym.batch_take(x, idx)
    types = {"x": np.float32, "idx": np.int32}
    exe = mx.sym.stop_gradient(y).simple_bind(mx.cpu(), x=(10, 10), idx=(10,), type_dict=types)
    exe.forward(is_train=True)
    exe.backward()
    assert float(exe.grad_dict["x"].asnumpy().sum()) == 0.0
    with pytest.raises(mx.MXNetError, match="batch_take is non-differentiable"):
        y.simple_bind(mx.cpu(), x=(10, 10), idx=(10,), type_dict=types)
    a = mx.nd.ones((3, 4))
    a.attach_grad()
    with mx.autograd.record():
        out = mx.nd.batch_take(a, mx.nd.array([0, 1, 2], dtype="int32"))
    with pytest.raises(mx.MXNetError, match="batch_take is non-differentiable"):
        out.backward()


def test_identity_with_attr_like_rhs_infers_backwards():
    """The weight's shape flows back from FullyConnected through broadcast_add (MXNet's test_backward_infer)."""
    w, shift, data = mx.sym.Variable("weight"), mx.sym.Variable("wshift", shape=(1,)), mx.sym.Variable("data")
    tied = mx.symbol._internal._identity_with_attr_like_rhs(mx.sym.broadcast_add(w, shift), w)
    net = mx.sym.FullyConnected(data=data, weight=tied, num_hidden=11, no_bias=True)
    arg_shapes, out_shapes, _ = net.infer_shape(data=(7, 100))
    assert dict(zip(net.list_arguments(), arg_shapes))["weight"] == (11, 100)
    assert out_shapes == [(7, 11)]
