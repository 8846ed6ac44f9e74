"""The seed tutorial on mxpy gives MXNet 1.9.1's results.

tests/golden/make_tutorial.py holds the tutorial's code as ``run_tutorial(mx)``
(its ``np.random`` draws replaced by a seeded ``RandomState``, the MNIST loop
on the UCI digits in examples/data/uci-digits); it ran on MXNet to write
tests/golden/tutorial.npz, and runs here on mxpy once, under each engine.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from tests.golden.make_tutorial import EPOCHS, run_tutorial

GOLDEN = dict(np.load(os.path.join(os.path.dirname(__file__), "golden", "tutorial.npz")))
META = json.loads(str(GOLDEN.pop("meta")))


@pytest.fixture(scope="module", params=["NaiveEngine", "ThreadedEnginePerDevice"])
def run(request):
    # a fresh name counter, as the tutorial's own process starts with (_plusscalar0)
    with engine.engine_type(request.param), mx.name.NameManager():
        res = run_tutorial(mx)
    res["meta"] = json.loads(str(res["meta"]))
    return res


def test_graph_inspection_matches_mxnet(run):
    got = run["meta"]
    assert got["arguments"] == META["arguments"] == ["A", "B"]
    assert got["outputs"] == META["outputs"] == ["_plusscalar0_output"]
    assert got["infer_shape"] == META["infer_shape"]
    assert got["arg_dict_keys"] == META["arg_dict_keys"]
    assert got["num_outputs"] == META["num_outputs"]


def test_mlp_graph_matches_mxnet(run):
    got = run["meta"]
    assert got["mlp_arguments"] == META["mlp_arguments"]
    assert got["mlp_outputs"] == META["mlp_outputs"]
    assert got["mlp_arg_shapes"] == META["mlp_arg_shapes"]


@pytest.mark.parametrize("key", ["nd_c", "nd_d", "bind_output", "bind_grad_output", "simple_bind_output"])
def test_forward_values_match_mxnet(run, key):
    assert run[key].dtype == GOLDEN[key].dtype
    np.testing.assert_allclose(run[key], GOLDEN[key], rtol=1e-6, atol=0)


@pytest.mark.parametrize("key", ["grad_A", "grad_B", "grad_args_A", "simple_grad_A", "simple_grad_B"])
def test_gradients_match_mxnet(run, key):
    # d = (A + B) / 10 + 1: each gradient is the head gradient / 10
    np.testing.assert_allclose(run[key], GOLDEN[key], rtol=1e-6, atol=0)
    head = run["out_grad"] if key.startswith("grad") else np.ones(10, np.float32)
    np.testing.assert_allclose(run[key], head / 10, rtol=1e-6)


def test_mlp_accuracy_per_epoch_equals_mxnet(run):
    assert len(run["accuracy"]) == EPOCHS
    assert run["accuracy"].tolist() == GOLDEN["accuracy"].tolist()


@pytest.mark.parametrize("epoch", range(EPOCHS))
def test_mlp_test_probabilities_match_mxnet(run, epoch):
    key = f"test_probs_epoch{epoch}"
    np.testing.assert_allclose(run[key], GOLDEN[key], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["weight1", "bias1", "layer2_weight", "layer2_bias"])
def test_mlp_final_weights_match_mxnet(run, name):
    key = f"final_{name}"
    assert run[key].shape == GOLDEN[key].shape and run[key].dtype == GOLDEN[key].dtype
    np.testing.assert_allclose(run[key], GOLDEN[key], rtol=1e-4, atol=1e-6)
    # training moved the weights away from their initial draw
    assert not np.allclose(run[key], 0)
