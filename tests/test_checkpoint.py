"""mx.model checkpoints against files written by MXNet 1.9.1 (tests/golden/make_checkpoint.py)."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

import mxpy as mx
from mxpy import model
from mxpy.base import MXNetError

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "checkpoints")
with open(os.path.join(GOLDEN, "predictions.json")) as _f:
    PRED = json.load(_f)
NETS = ("mlp", "convbn")


def build(name: str):
    """The nets of make_checkpoint.py, built with mxpy."""
    data = mx.sym.Variable("data")
    if name == "mlp":
        h = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
        h = mx.sym.Activation(h, act_type="relu", name="relu1")
        h = mx.sym.FullyConnected(h, num_hidden=4, name="fc2")
    else:
        h = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv1")
        h = mx.sym.BatchNorm(h, fix_gamma=False, name="bn1")
        h = mx.sym.Activation(h, act_type="relu", name="relu1")
        h = mx.sym.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
        h = mx.sym.Flatten(h, name="flat")
        h = mx.sym.FullyConnected(h, num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def predict(symbol, arg_params, aux_params, name):
    case = PRED[name]
    shape = tuple(case["data_shape"])
    ex = symbol.simple_bind(mx.cpu(), data=shape, grad_req="null")
    for k, v in arg_params.items():
        v.copyto(ex.arg_dict[k])
    for k, v in aux_params.items():
        v.copyto(ex.aux_dict[k])
    ex.arg_dict["data"][:] = np.array(case["data"], dtype=np.float32).reshape(shape)
    return ex.forward(is_train=False)[0].asnumpy()


def expected(name):
    return np.array(PRED[name]["pred"], dtype=np.float32).reshape(PRED[name]["pred_shape"])


@pytest.mark.parametrize("name", NETS)
def test_mxnet_checkpoint_loads_and_predicts(name):
    symbol, args, auxs = model.load_checkpoint(os.path.join(GOLDEN, name), 3)
    assert set(args) | {"data", "softmax_label"} == set(symbol.list_arguments())
    assert set(auxs) == set(symbol.list_auxiliary_states())
    assert (name == "convbn") == bool(auxs)
    np.testing.assert_allclose(predict(symbol, args, auxs, name), expected(name), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NETS)
def test_our_checkpoint_matches_mxnet_bytes(name, tmp_path):
    _, args, auxs = model.load_checkpoint(os.path.join(GOLDEN, name), 3)
    prefix = str(tmp_path / name)
    # Arrays on another CPU context are saved from cpu(0), as MXNet's as_in_context(cpu()) does.
    args = {k: v.as_in_context(mx.cpu(1)) for k, v in args.items()}
    model.save_checkpoint(prefix, 3, build(name), args, auxs)
    with open(prefix + "-0003.params", "rb") as a, open(os.path.join(GOLDEN, f"{name}-0003.params"), "rb") as b:
        assert a.read() == b.read()
    with open(prefix + "-symbol.json") as a, open(os.path.join(GOLDEN, f"{name}-symbol.json")) as b:
        ours, theirs = a.read(), b.read()
    assert ours == theirs  # text identical, not only the same JSON value
    # and the round trip predicts as MXNet does
    np.testing.assert_allclose(predict(*model.load_checkpoint(prefix, 3), name), expected(name), rtol=1e-5, atol=1e-6)


def test_load_params_splits_arg_and_aux():
    args, auxs = model.load_params(os.path.join(GOLDEN, "convbn"), 3)
    assert sorted(auxs) == ["bn1_moving_mean", "bn1_moving_var"]
    assert "conv1_weight" in args and "bn1_gamma" in args
    assert args["conv1_weight"].shape == (4, 2, 3, 3)


def test_missing_checkpoint_names_file(tmp_path):
    prefix = str(tmp_path / "nothing")
    with pytest.raises(MXNetError, match="nothing-symbol.json"):
        model.load_checkpoint(prefix, 1)
    shutil.copy(os.path.join(GOLDEN, "mlp-symbol.json"), prefix + "-symbol.json")
    with pytest.raises(MXNetError, match="nothing-0001.params"):
        model.load_checkpoint(prefix, 1)


def test_corrupt_checkpoint_names_file(tmp_path):
    prefix = str(tmp_path / "bad")
    with open(os.path.join(GOLDEN, "mlp-0003.params"), "rb") as f:
        good = f.read()
    (tmp_path / "bad-0003.params").write_bytes(good[: len(good) // 2])
    with pytest.raises(MXNetError, match="bad-0003.params"):
        model.load_params(prefix, 3)
    (tmp_path / "bad-symbol.json").write_text('{"nodes": [')
    with pytest.raises(MXNetError, match="bad-symbol.json"):
        model.load_checkpoint(prefix, 3)


def test_params_without_prefix_rejected(tmp_path):
    prefix = str(tmp_path / "odd")
    mx.nd.save(prefix + "-0001.params", {"weight": mx.nd.ones((1,))})
    with pytest.raises(MXNetError, match="'weight'"):
        model.load_params(prefix, 1)


def test_unknown_prefix_ignored(tmp_path):
    prefix = str(tmp_path / "x")
    mx.nd.save(prefix + "-0001.params", {"arg:w": mx.nd.ones((1,)), "other:z": mx.nd.ones((1,))})
    args, auxs = model.load_params(prefix, 1)
    assert list(args) == ["w"] and auxs == {}


def test_failed_save_leaves_earlier_checkpoint_intact(tmp_path, monkeypatch):
    prefix = str(tmp_path / "net")
    net = build("mlp")
    _, args, auxs = model.load_checkpoint(os.path.join(GOLDEN, "mlp"), 3)
    model.save_checkpoint(prefix, 1, net, args, auxs)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    calls = []
    real_fsync = os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the symbol's temp file is complete, the params' one fails
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(MXNetError, match="net-0001.params.*No space"):
        model.save_checkpoint(prefix, 1, mx.sym.Variable("other") + 1, {"w": mx.nd.zeros((1,))}, {})
    assert len(calls) == 2
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_bad_arguments_write_nothing(tmp_path):
    prefix = str(tmp_path / "net")
    with pytest.raises(TypeError, match="arg_params\\['w'\\] is a ndarray, expected NDArray"):
        model.save_checkpoint(prefix, 1, build("mlp"), {"w": np.ones(2)}, {})
    with pytest.raises(TypeError, match="epoch must be an int"):
        model.save_checkpoint(prefix, "1", build("mlp"), {}, {})
    with pytest.raises(TypeError, match="symbol must be a Symbol"):
        model.save_checkpoint(prefix, 1, "net", {}, {})
    assert list(tmp_path.iterdir()) == []


def test_symbol_none_writes_params_only(tmp_path):
    prefix = str(tmp_path / "p")
    model.save_checkpoint(prefix, 12, None, {"w": mx.nd.array([1, 2])}, {"m": mx.nd.array([3])})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p-0012.params"]
    args, auxs = model.load_params(prefix, 12)
    assert args["w"].asnumpy().tolist() == [1, 2] and auxs["m"].asnumpy().tolist() == [3]


def test_batch_end_param_fields():
    p = model.BatchEndParam(epoch=1, nbatch=2, eval_metric=None, locals={})
    assert p._fields == ("epoch", "nbatch", "eval_metric", "locals")
    assert (p.epoch, p.nbatch) == (1, 2)
