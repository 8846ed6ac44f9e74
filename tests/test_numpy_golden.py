"""mx.np / mx.npx / Gluon under npx.set_np() against MXNet 1.9.1's values (tests/golden/numpy.json,
written by tests/golden/make_numpy.py from the cases in tests/golden/numpy_cases.py)."""

from __future__ import annotations

import json
import os
import sys

import numpy as onp
import pytest

import mxpy as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "golden"))
import numpy_cases  # noqa: E402

with open(os.path.join(HERE, "golden", "numpy.json")) as f:
    GOLDEN = json.load(f)

# mxpy computes these in float64 or another (more exact) order than MXNet: values agree to these tolerances
_RTOL = {"npx_log_softmax": 1e-4, "std_ddof": 1e-6}


@pytest.fixture(scope="module")
def mine():
    return numpy_cases.run_semantics(mx)


def _compare(got, want, name, rtol=1e-6):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), name
        for g, w in zip(got, want):
            _compare(g, w, name, rtol)
        return
    assert got.keys() == want.keys(), name
    if "dtype" in want:
        assert (got["type"], got["dtype"], got["shape"]) == (want["type"], want["dtype"], want["shape"]), name
        g = onp.array(got["value"], dtype=float if want["dtype"].startswith("float") else None)
        w = onp.array(want["value"], dtype=float if want["dtype"].startswith("float") else None)
        if want["dtype"].startswith("float"):
            onp.testing.assert_allclose(g, w, rtol=rtol, atol=1e-7, err_msg=name)
        else:
            assert g.tolist() == w.tolist(), name
    else:
        assert got == want, name


@pytest.mark.parametrize("name", sorted(GOLDEN["semantics"]["values"]))
def test_semantics_match_mxnet(mine, name):
    _compare(mine["values"][name], GOLDEN["semantics"]["values"][name], name, _RTOL.get(name, 1e-6))


@pytest.mark.parametrize("name", sorted(GOLDEN["semantics"]["errors"]))
def test_errors_match_mxnet(mine, name):
    assert mine["errors"][name] == GOLDEN["semantics"]["errors"][name]


@pytest.mark.parametrize("which", ["softmax", "mlp", "lenet"])
@pytest.mark.parametrize("hybrid", [False, True], ids=["imperative", "hybrid"])
def test_d2l_training_matches_mxnet(which, hybrid):
    want = GOLDEN["train"][f"{which}_{'hybrid' if hybrid else 'imperative'}"]
    got = numpy_cases.train(mx, which, hybrid)
    assert got["types"] == want["types"] == ["ndarray"]
    onp.testing.assert_allclose(got["history"], want["history"], rtol=2e-4, atol=1e-5)
    onp.testing.assert_allclose(got["test_logits"], want["test_logits"], rtol=1e-3, atol=1e-4)
    assert got["test_acc"] == want["test_acc"]


def test_export_in_np_mode_matches_mxnet(tmp_path):
    with mx.name.NameManager():
        got = numpy_cases.export_info(mx, str(tmp_path / "mlp"))
    want = GOLDEN["export"]
    strip = lambda keys: [k.split("_", 1)[1] for k in keys]  # noqa: E731 -- the layer counters depend on earlier nets
    assert strip(got.pop("param_keys")) == strip(want["param_keys"])
    want = {k: v for k, v in want.items() if k != "param_keys"}
    assert got == want
