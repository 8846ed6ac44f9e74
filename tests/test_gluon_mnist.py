"""examples/gluon_mnist.py: a hybridized Gluon convnet trained with Trainer on the main job's data."""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "gluon_mnist.py")


def _load():
    spec = importlib.util.spec_from_file_location("gluon_mnist", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_digits_train_export_reload(tmp_path):
    job = _load()
    lines = []
    res = job.train(data_dir=job.DIGITS, epochs=2, out_dir=str(tmp_path), log=lines.append)
    assert res["test_acc"] > 0.8
    assert res["reloaded_acc"] == res["test_acc"]
    assert len(lines) == 3 and "test accuracy" in lines[0]
    assert os.path.exists(res["symbol"]) and os.path.exists(res["params"])


def test_two_contexts(tmp_path):
    job = _load()
    res = job.train(data_dir=job.DIGITS, epochs=1, ctx="cpu(0),cpu(1)", out_dir=str(tmp_path), log=lambda s: None)
    assert res["test_acc"] > 0.5
    # the export averages the two contexts' BatchNorm running statistics (each saw half of every batch)
    assert abs(res["reloaded_acc"] - res["test_acc"]) < 0.05
