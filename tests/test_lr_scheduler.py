"""mx.lr_scheduler: every scheduler over 0..50 updates (with warmup, out-of-order
calls and their in-place state), its log lines, and constructor errors, against
MXNet 1.9.1 (tests/golden/make_train_utils.py -> train_utils.json).
"""

from __future__ import annotations

import json
import logging
import os
import types

import pytest

from mxpy import lr_scheduler

with open(os.path.join(os.path.dirname(__file__), "golden", "train_utils.json")) as _f:
    _GOLDEN = json.load(_f)

mx = types.SimpleNamespace(lr_scheduler=lr_scheduler)


def _eval(expr: str):
    return eval(expr, {"mx": mx})  # expressions from the golden fixture


@pytest.mark.parametrize("case", _GOLDEN["sched"], ids=lambda c: f"{c['expr']}-{c['updates'][:3]}")
def test_schedule_matches_mxnet(case, caplog):
    sched = _eval(case["expr"])
    with caplog.at_level(logging.INFO):
        lrs = [sched(n) for n in case["updates"]]
    assert lrs == pytest.approx(case["lrs"], rel=1e-12, abs=1e-15)
    assert [r.getMessage() for r in caplog.records] == case["logs"]
    assert sched.base_lr == pytest.approx(case["base_lr"], rel=1e-12)


@pytest.mark.parametrize("expr", sorted(_GOLDEN["sched_errors"]))
def test_constructor_errors_match_mxnet(expr):
    golden = _GOLDEN["sched_errors"][expr]
    if golden["type"] == "NotImplementedError":
        # MXNet's abstract base raises NotImplementedError; mxpy says why with a TypeError.
        with pytest.raises(TypeError, match="base class"):
            _eval(expr)
        return
    with pytest.raises(Exception) as ei:
        _eval(expr)
    assert type(ei.value).__name__ == golden["type"]
    if golden["msg"]:
        assert str(ei.value) == golden["msg"]
    else:
        # MXNet's bare assert has no text; mxpy names the argument and the value.
        assert "must be" in str(ei.value)


def test_get_warmup_lr_rejects_updates_past_warmup():
    s = lr_scheduler.CosineScheduler(max_update=10, base_lr=0.1, warmup_steps=3)
    with pytest.raises(AssertionError, match="num_update 5 is not below warmup_steps 3"):
        s.get_warmup_lr(5)
    assert s(3) == pytest.approx(0.1)
