"""The main job (examples/train_mnist.py): the seed MLP trained with Module.fit on MNISTIter data."""

import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "train_mnist.py")
FASHION = "/usr/share/datasets/fashion-mnist"


def _load():
    spec = importlib.util.spec_from_file_location("train_mnist", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_digits_accuracy_and_reloaded_checkpoint(tmp_path, capsys):
    job = _load()
    res = job.train(data_dir=job.DIGITS, out_dir=str(tmp_path), progress=True, plot=True)
    assert res["test_acc"] > 0.9
    assert res["reloaded_acc"] == res["test_acc"]
    assert len(res["train_acc"]) == len(res["val_acc"]) == job.SMALL["epochs"]
    assert res["val_acc"][-1] == res["test_acc"]  # validation runs on the whole test set
    assert os.path.exists(res["checkpoint"] + "-symbol.json")
    assert os.path.exists(res["checkpoint"] + "-0010.params")
    out = capsys.readouterr().out
    assert (res["plot"] is not None and os.path.getsize(res["plot"]) > 0) or "matplotlib is not installed" in out
    # what README.md says make demo writes into demo-output/
    written = {"mnist-mlp-symbol.json", "mnist-mlp-0010.params"} | ({"training-curve.png"} if res["plot"] else set())
    assert set(os.listdir(tmp_path)) == written


def test_data_parallel_two_contexts(tmp_path):
    job = _load()
    res = job.train(data_dir=job.DIGITS, epochs=3, ctx="cpu(0),cpu(1)", out_dir=str(tmp_path), progress=False, plot=False)
    assert res["reloaded_acc"] == res["test_acc"] > 0.8


def test_bad_arguments(tmp_path):
    job = _load()
    with pytest.raises(SystemExit, match="no MNIST-format idx files"):
        job.find_data(str(tmp_path))
    with pytest.raises(SystemExit, match="--ctx entries"):
        job.parse_ctx("cpu0")
    with pytest.raises(SystemExit, match="epochs >= 1"):
        job.train(data_dir=job.DIGITS, epochs=0, out_dir=str(tmp_path))


@pytest.mark.skipif(not os.path.isdir(FASHION), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_test_accuracy(tmp_path):
    job = _load()
    res = job.train(data_dir=FASHION, out_dir=str(tmp_path), progress=False, plot=False)
    assert res["test_acc"] >= 0.85
    assert res["reloaded_acc"] == res["test_acc"]


def test_training_curve_epochs_match_the_log(tmp_path, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    saved = []
    real_savefig = Figure.savefig

    def savefig(self, *args, **kwargs):
        ticks = self.axes[0].get_xticks().tolist()
        saved.append((ticks, [line.get_xdata().tolist() for line in self.axes[0].get_lines()]))
        return real_savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    job = _load()
    assert job._save_plot(str(tmp_path / "c.png"), [0.5, 0.6, 0.7], [0.4, 0.5, 0.6], "t")
    ticks, xs = saved[0]
    assert ticks == [0, 1, 2]  # integer ticks only, numbered as Epoch[0..2]
    assert xs == [[0, 1, 2], [0, 1, 2]]
