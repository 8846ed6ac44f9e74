"""mx.mon.Monitor against MXNet 1.9.1 (tests/golden/test_utils.json, made by make_test_utils.py)."""

from __future__ import annotations

import json
import logging
import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.monitor import Monitor

with open(os.path.join(os.path.dirname(__file__), "golden", "test_utils.json")) as _f:
    GOLDEN = json.load(_f)["monitor"]


def inp(shape, k=0):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.7 + k) * 1.5).reshape(shape)


def mlp_executor():
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=4, name="fc1")
    act = mx.sym.Activation(fc1, act_type="relu", name="relu1")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, name="fc2")
    sym = mx.sym.SoftmaxOutput(fc2, name="softmax")
    ex = sym.simple_bind(mx.cpu(), data=(2, 5))
    for k, (_n, a) in enumerate(sorted(ex.arg_dict.items())):
        a[:] = inp(a.shape, k)
    ex.arg_dict["softmax_label"][:] = [2, 0]
    return ex


def values(entries):
    return [float(s.rstrip("\t")) for _step, _name, s in entries]


def test_forward_and_argument_stats_match_mxnet(each_engine):
    ex = mlp_executor()
    mon = Monitor(1, pattern=r"(?!.*_backward)")
    mon.install(ex)
    mon.tic()
    ex.forward(is_train=True)
    ex.backward()
    got = mon.toc()
    want = [e for e in GOLDEN["full"] if "_backward" not in e[1]]
    assert [(s, n) for s, n, _ in got] == [(s, n) for s, n, _ in want]
    assert all(v.endswith("\t") for _, _, v in got)
    np.testing.assert_allclose(values(got), values(want), rtol=1e-5)


def test_backward_stats_match_mxnet_values_in_order(each_engine):
    ex = mlp_executor()
    mon = Monitor(1, pattern=r".*_backward")
    mon.install(ex)
    mon.tic()
    ex.forward(is_train=True)
    ex.backward()
    got = mon.toc()
    want = [e for e in GOLDEN["full"] if "_backward" in e[1]]
    assert len(got) == len(want)
    assert [n.split("_backward")[0] for _, n, _ in got] == [n.split("_backward")[0] for _, n, _ in want]
    np.testing.assert_allclose(values(got), values(want), rtol=1e-5)


def test_backward_stat_names_match_mxnet():
    ex = mlp_executor()
    mon = Monitor(1, pattern=r".*_backward")
    mon.install(ex)
    mon.tic()
    ex.forward(is_train=True)
    ex.backward()
    assert [n for _, n, _ in mon.toc()] == [e[1] for e in GOLDEN["full"] if "_backward" in e[1]]


def test_interval_pattern_and_sort_match_mxnet():
    ex = mlp_executor()
    mon = Monitor(2, pattern="fc.*", sort=True)
    mon.install(ex)
    steps = []
    for _ in range(3):
        mon.tic()
        ex.forward(is_train=False)
        steps.append(mon.toc())
    assert [[(s, n) for s, n, _ in st] for st in steps] == [[(s, n) for s, n, _ in st] for st in GOLDEN["pattern_steps"]]
    assert steps[1] == []
    for got, want in zip(steps, GOLDEN["pattern_steps"]):
        np.testing.assert_allclose(values(got), values(want), rtol=1e-5)


def test_default_stat_is_rms_and_toc_without_tic_is_empty():
    ex = mlp_executor()
    mon = Monitor(1, pattern="fc1_weight")
    mon.install(ex)
    assert mon.toc() == []
    mon.tic()
    ex.forward()
    ((step, name, stat),) = mon.toc()
    w = ex.arg_dict["fc1_weight"].asnumpy()
    assert (step, name) == (1, "fc1_weight")
    assert float(stat) == pytest.approx(float(np.sqrt((w.astype(np.float64) ** 2).mean())), rel=1e-6)
    # the queue was cleared: nothing more without a new tic
    assert mon.toc() == []


def test_custom_stat_func_list_and_vector_and_two_executors():
    ex1, ex2 = mlp_executor(), mlp_executor()
    ex2.arg_dict["fc1_bias"][:] = 1.0
    mon = Monitor(
        1,
        stat_func=lambda x: [mx.nd.max(x).reshape((1,)), mx.nd.min(x).reshape((1,)), x * 2],
        pattern="fc1_bias",
    )
    mon.install(ex1)
    mon.install(ex2)
    mon.tic()
    ex1.forward()
    ex2.forward()
    res = mon.toc()
    assert [n for _, n, _ in res] == ["fc1_bias", "fc1_bias"]
    b1 = ex1.arg_dict["fc1_bias"].asnumpy()
    parts = res[0][2].split("\t")
    assert len(parts) == 4 and parts[-1] == ""
    assert float(parts[0]) == pytest.approx(float(b1.max()))
    assert float(parts[1]) == pytest.approx(float(b1.min()))
    assert parts[2] == str(b1 * 2)  # non-(1,) stats print as arrays
    assert res[1][2].split("\t")[0] == "1.0"


def test_monitor_all_reports_node_inputs():
    ex = mlp_executor()
    plain = Monitor(1)
    plain.install(ex)
    plain.tic()
    ex.forward()
    n_plain = len(plain.toc())
    mon = Monitor(1, monitor_all=True)
    mon.install(ex)
    mon.tic()
    ex.forward()
    res = mon.toc()
    assert len(res) > n_plain
    by_name = {n: v for _, n, v in res}
    # MXNet names fc1's data input "fc1_data" and its stat is the data's
    assert by_name["fc1_data"] == by_name["data"]


def test_toc_print_logs_one_line_per_entry(caplog):
    ex = mlp_executor()
    mon = Monitor(1, pattern="fc2_output")
    mon.install(ex)
    mon.tic()
    ex.forward()
    with caplog.at_level(logging.INFO):
        mon.toc_print()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("Batch:       1 fc2_output ")


def test_bad_stat_func_and_interval():
    ex = mlp_executor()
    mon = Monitor(1, stat_func=lambda x: x.asnumpy(), pattern="data")
    mon.install(ex)
    mon.tic()
    ex.forward()
    with pytest.raises(TypeError, match="stat_func must return an NDArray"):
        mon.toc()
    with pytest.raises(ValueError, match="interval"):
        Monitor(0)
