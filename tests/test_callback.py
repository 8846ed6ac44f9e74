"""mx.callback against MXNet 1.9.1's log lines (tests/golden/make_callback.py)."""

from __future__ import annotations

import json
import logging
import os
import sys
import types

import pytest

import mxpy as mx
from mxpy import callback, model
from tests.golden.mirror import Clock, Metric

with open(os.path.join(os.path.dirname(__file__), "golden", "callback.json")) as _f:
    G = json.load(_f)


def run(cb, caplog, epochs=2, batches=7, with_metric=True):
    metric = Metric() if with_metric else None
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for epoch in range(epochs):
            for nbatch in range(batches):
                if metric:
                    metric.update()
                cb(model.BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=metric, locals=None))
    return {"lines": [r.getMessage() for r in caplog.records], "resets": metric.resets if metric else None}


@pytest.fixture
def fake_clock(monkeypatch):
    monkeypatch.setattr(callback, "time", Clock())


@pytest.mark.parametrize(
    "case,make,kw",
    [
        ("speed_reset", lambda: callback.Speedometer(16, frequent=3), {}),
        ("speed_noreset", lambda: callback.Speedometer(16, frequent=2, auto_reset=False), {}),
        ("speed_nometric", lambda: callback.Speedometer(8, frequent=3), {"with_metric": False}),
        ("log_train", lambda: callback.log_train_metric(3, auto_reset=True), {}),
        ("log_train_noreset", lambda: callback.log_train_metric(2), {}),
        ("progress", lambda: callback.ProgressBar(total=7, length=10), {"epochs": 1}),
        ("validation", lambda: callback.LogValidationMetricsCallback(), {"epochs": 2, "batches": 1}),
    ],
)
def test_log_lines_match_mxnet(case, make, kw, caplog, fake_clock):
    assert run(make(), caplog, **kw) == G[case]


def test_speedometer_zero_elapsed_is_inf(caplog, monkeypatch):
    monkeypatch.setattr(callback, "time", types.SimpleNamespace(time=lambda: 5.0))
    out = run(callback.Speedometer(4, frequent=1), caplog, epochs=1, batches=2, with_metric=False)
    assert out["lines"] == ["Iter[0] Batch [1]\tSpeed: inf samples/sec"]


def test_do_checkpoint_period(tmp_path):
    prefix = str(tmp_path / "net")
    cb = callback.do_checkpoint(prefix, period=2)
    net = mx.sym.Variable("x") + 1
    for epoch in range(5):
        cb(epoch, net, {"w": mx.nd.ones((2,)) * epoch}, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-0002.params", "net-0004.params", "net-symbol.json"]
    _, args, _ = model.load_checkpoint(prefix, 4)
    assert args["w"].asnumpy().tolist() == [3, 3]
    # period below 1 means every epoch, as MXNet
    cb0 = callback.do_checkpoint(str(tmp_path / "all"), period=0)
    cb0(0, None, {"w": mx.nd.ones((1,))}, {})
    assert (tmp_path / "all-0001.params").exists()


def test_module_checkpoint():
    calls = []

    class Mod:
        def save_checkpoint(self, prefix, epoch, save_optimizer_states):
            calls.append((prefix, epoch, save_optimizer_states))

    cb = callback.module_checkpoint(Mod(), "m", period=3, save_optimizer_states=True)
    for epoch in range(7):
        cb(epoch)
    assert calls == [("m", 3, True), ("m", 6, True)]
    with pytest.raises(TypeError, match="period must be a number"):
        callback.module_checkpoint(Mod(), "m", period="x")


def test_progress_bar_rejects_empty_total():
    with pytest.raises(ValueError, match="total must be a positive"):
        callback.ProgressBar(total=0)


class FakeTqdm:
    """Records what TqdmProgressBar does with its bars."""

    made: list = []

    def __init__(self, total, desc, **kw):
        self.total, self.desc, self.kw = total, desc, kw
        self.n = 0
        self.postfix = None
        self.closed = False
        FakeTqdm.made.append(self)

    def update(self, k):
        self.n += k

    def set_postfix(self, d):
        self.postfix = d

    def close(self):
        self.closed = True


def test_tqdm_progress_bar(monkeypatch):
    FakeTqdm.made = []
    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    cb = callback.TqdmProgressBar(total=3, leave=False)
    metric = Metric()
    for epoch in range(2):
        for nbatch in range(3):
            metric.update()
            cb(model.BatchEndParam(epoch, nbatch, metric, None))
    assert [(b.desc, b.n, b.closed, b.kw) for b in FakeTqdm.made] == [
        ("Epoch[0]", 3, True, {"disable": None, "leave": False}),
        ("Epoch[1]", 3, True, {"disable": None, "leave": False}),
    ]
    assert FakeTqdm.made[1].postfix == {"accuracy": "0.600000", "ce": "0.142857"}
    # an epoch cut short is closed when the next one starts
    cb(model.BatchEndParam(2, 0, None, None))
    cb(model.BatchEndParam(3, 0, None, None))
    assert FakeTqdm.made[2].closed and not FakeTqdm.made[3].closed and FakeTqdm.made[3].n == 1
    cb.close()
    assert FakeTqdm.made[3].closed


def test_tqdm_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ImportError, match="needs the tqdm package"):
        callback.TqdmProgressBar(total=3)


def test_with_real_metric(caplog, fake_clock):
    from mxpy import metric as metric_mod

    metric = metric_mod.Accuracy()
    metric.update([mx.nd.array([1, 0])], [mx.nd.array([[0.1, 0.9], [0.2, 0.8]])])
    cb = callback.Speedometer(2, frequent=1)
    with caplog.at_level(logging.INFO):
        cb(model.BatchEndParam(0, 0, metric, None))
        cb(model.BatchEndParam(0, 1, metric, None))
    assert [r.getMessage() for r in caplog.records] == ["Epoch[0] Batch [0-1]\tSpeed: 4.00 samples/sec\taccuracy=0.500000"]
    # auto_reset cleared the local tally only, as MXNet's reset_local
    assert metric.get_global() == ("accuracy", 0.5)
    assert metric.num_inst == 0


def _run_with_speedometer(cb, n_batches=6):
    """Batches of a real accuracy metric, with a Speedometer resetting its local tally each batch."""
    metric = mx.metric.Accuracy()
    speed = callback.Speedometer(batch_size=2, frequent=1)
    for nbatch in range(n_batches):
        metric.update([mx.nd.array([0, 1])], [mx.nd.array([[0.9, 0.1], [0.2, 0.8]])])
        param = model.BatchEndParam(0, nbatch, metric, None)
        speed(param)  # runs before the bar in fit's callback list, as in the demo
        cb(param)


def test_tqdm_postfix_has_no_nan_after_speedometer_reset(monkeypatch):
    FakeTqdm.made = []
    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    _run_with_speedometer(callback.TqdmProgressBar(total=6))
    assert FakeTqdm.made[0].postfix == {"accuracy": "1.000000"}


def test_tqdm_draws_nothing_when_stderr_is_not_a_terminal(capsys):
    pytest.importorskip("tqdm")
    _run_with_speedometer(callback.TqdmProgressBar(total=6))
    assert capsys.readouterr().err == ""
    # asked for explicitly, the bar is drawn anyway
    _run_with_speedometer(callback.TqdmProgressBar(total=6, disable=False))
    err = capsys.readouterr().err
    assert "Epoch[0]" in err and "6/6" in err and "nan" not in err
