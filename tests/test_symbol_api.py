"""Symbol API behaviour against golden output of MXNet 1.9.1.

The probes in tests/symbol_cases.py return plain data (attributes, internals,
inference results, the class of the error a misuse raises); the same probe ran
under MXNet 1.9.1 to make tests/golden/symbol_api.json.
"""

from __future__ import annotations

import json
import os

import pytest

import mxpy as mx
from tests.symbol_cases import PROBES

HERE = os.path.dirname(__file__)
with open(os.path.join(HERE, "golden", "symbol_api.json")) as _f:
    GOLDEN = json.load(_f)


def _plain(value):
    """JSON round trip, so tuples compare equal to the golden lists."""
    return json.loads(json.dumps(value))


# MXNet's FullyConnected and Convolution shape rules give up while ``data``
# is unknown, so their bias stays unknown too; mxpy's rules (in
# mxpy/ops/nn/fully_connected.py and convolution.py, not Symbol code) still
# fill ``bias=(num_hidden,)``. These results differ until those rules change.
OP_RULE_DIVERGENCE = {
    ("probe_infer", k)
    for k in (
        "lenet_nothing",
        "lenet_nothing_partial",
        "mlp_auto_nothing",
        "mlp_auto_nothing_partial",
        "mlp_label",
        "mlp_nothing",
        "mlp_nothing_partial",
        "mlp_weight_only",
        "mlp_weight_only_full",
        "resblock_nothing_partial",
    )
}


def _run_probe(name):
    with mx.name.NameManager():
        return _plain(PROBES[name](mx))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_probe_matches_mxnet(name):
    got = _run_probe(name)
    want = GOLDEN["probes"][name]
    assert sorted(got) == sorted(want)
    for key in want:
        if (name, key) not in OP_RULE_DIVERGENCE:
            assert got[key] == want[key], key


@pytest.mark.xfail(strict=True, reason="bias shape inferred without data: op rule, see OP_RULE_DIVERGENCE")
@pytest.mark.parametrize("name, key", sorted(OP_RULE_DIVERGENCE))
def test_op_rule_divergence(name, key):
    assert _run_probe(name)[key] == GOLDEN["probes"][name][key]


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
