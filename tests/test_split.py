"""Batch-split CPU kernels (mxpy/ops/_split.py on mxpy/backend/cpu_threads.py).

Convolution, Pooling and Activation run large batches in slices on several
threads. The tests force every kernel through that path on a 3-thread pool
(so slices are uneven) and check MXNet's golden values, equality with the
whole-batch kernel, each ``req``, failures in a helper thread, and a busy
pool falling back to the whole kernel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import registry
from mxpy.backend import cpu_threads
from mxpy.ops import _split
from tests.test_conv_pool import OK, _cid, _params, inp


@pytest.fixture
def forced_split(monkeypatch):
    """A 3-thread pool, no cost threshold; yields the list of part counts actually split."""
    pool = cpu_threads._Pool(3, lambda n: 1)
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    monkeypatch.setitem(_split.MIN_COST, "flops", 0)
    monkeypatch.setitem(_split.MIN_COST, "elements", 0)
    splits: list[int] = []
    real = _split.run_split

    def counting(parts):
        ran = real(parts)
        if ran:
            splits.append(len(parts))
        return ran

    monkeypatch.setattr(_split, "run_split", counting)
    return splits


SPLIT_OPS = {"Convolution", "Pooling"}


@pytest.mark.parametrize("case", [c for c in OK if c["op"] in SPLIT_OPS and c["shapes"][0][0] >= 2], ids=_cid)
def test_golden_values_with_forced_split(case, forced_split):
    arrays = [mx.nd.array(inp(s, k=i, ties=case["ties"])) for i, s in enumerate(case["shapes"])]
    for a in arrays:
        a.attach_grad()
    with mx.autograd.record():
        out = getattr(mx.nd, case["op"])(*arrays, **_params(case))
    out.backward(mx.nd.array(inp(out.shape, k=9)))
    if not case.get("forward_inconsistent"):
        np.testing.assert_allclose(out.asnumpy().ravel(), case["out"], rtol=1e-4, atol=1e-4)
    for a, g in zip(arrays, case["grads"]):
        np.testing.assert_allclose(a.grad.asnumpy().ravel(), g, rtol=1e-4, atol=1e-4)
    batch = case["shapes"][0][0]
    assert forced_split == [min(3, batch)] * 2  # the forward and the backward both split


def _conv_arrays(rng, n=7):
    x = rng.standard_normal((n, 3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    return x, w, b


@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "batch_last"])
@pytest.mark.parametrize("req", [("write", "write", "write"), ("add", "add", "add"), ("null", "write", "null"), ("write", "null", "add")], ids=str)
def test_convolution_backward_reqs_match_the_whole_batch(req, wide, forced_split, monkeypatch):
    from mxpy.ops.nn import convolution

    monkeypatch.setattr(convolution, "_NLAST_MIN_INNER", 0 if wide else 10**9)
    rng = np.random.default_rng(0)
    x, w, b = _conv_arrays(rng)
    op = registry.get("_backward_Convolution")
    p = op.parse({"kernel": (3, 2), "num_filter": 4, "pad": (1, 0)})
    rt = registry.runtime(mx.cpu(), True)
    dy = rng.standard_normal((7, 4, 9, 7)).astype(np.float32)
    start = [rng.standard_normal(a.shape).astype(np.float32) for a in (x, w, b)]
    split_out = [s.copy() for s in start]
    whole_out = [s.copy() for s in start]
    op.kernel(p, [dy, x, w], split_out, req, rt)
    op.kernel.__wrapped__(p, [dy, x, w], whole_out, req, rt)
    assert forced_split == [3]
    for got, want, r, s in zip(split_out, whole_out, req, start):
        if r == "null":
            np.testing.assert_array_equal(got, s)  # untouched
        else:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "op_name, params, n_ins",
    [
        ("Activation", {"act_type": "tanh"}, 1),
        ("Activation", {"act_type": "softrelu"}, 1),
        ("_backward_Activation", {"act_type": "softsign"}, 3),
        ("Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}, 1),
        ("Pooling", {"kernel": (3, 3), "pool_type": "avg", "pad": (1, 1)}, 1),
        ("Pooling", {"kernel": (1, 1), "global_pool": True, "pool_type": "max"}, 1),
    ],
)
def test_elementwise_kernels_split_bit_for_bit(op_name, params, n_ins, forced_split):
    op = registry.get(op_name)
    p = op.parse(params)
    rt = registry.runtime(mx.cpu(), True)
    rng = np.random.default_rng(1)
    ins = [rng.standard_normal((5, 3, 6, 6)).astype(np.float32) for _ in range(n_ins)]
    _, out_shapes = op.infer_shape(p, [a.shape for a in ins])
    split_out = np.full(out_shapes[0], np.nan, np.float32)
    whole_out = split_out.copy()
    op.kernel(p, ins, [split_out], ("write",), rt)
    op.kernel.__wrapped__(p, ins, [whole_out], ("write",), rt)
    assert forced_split == [3]
    np.testing.assert_array_equal(split_out, whole_out)


def test_pooling_backward_split_matches_whole(forced_split):
    rt = registry.runtime(mx.cpu(), True)
    p = registry.get("Pooling").parse({"kernel": (2, 2), "stride": (2, 2)})
    x = np.random.default_rng(2).integers(-2, 3, (4, 2, 6, 6)).astype(np.float32)  # ties: first max wins
    y = x.reshape(4, 2, 3, 2, 3, 2).max(axis=(3, 5))
    dy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    bwd = registry.get("_backward_Pooling")
    split_out, whole_out = np.empty_like(x), np.empty_like(x)
    bwd.kernel(p, [dy, x, y], [split_out], ("write",), rt)
    bwd.kernel.__wrapped__(p, [dy, x, y], [whole_out], ("write",), rt)
    assert forced_split == [3]
    np.testing.assert_array_equal(split_out, whole_out)


def test_failure_in_a_helper_thread_is_raised_and_the_pool_still_works(forced_split):
    seen = []

    def kernel(p, ins, outs, req, rt):
        if ins[0][0] >= 3:  # the slices after the first (rows 3-5, 6-8) run on helper threads
            raise ValueError("bad slice")
        seen.append(threading.current_thread() is threading.main_thread())
        outs[0][...] = ins[0]

    k = _split.batch_split(kernel, (0,), (0,), (), cost=lambda p, ins, outs: 1)
    rt = registry.runtime(mx.cpu(), False)
    with pytest.raises(ValueError, match="bad slice"):
        k(None, [np.arange(9.0)], [np.empty(9)], ("write",), rt)
    assert seen == [True]  # the calling thread took the first slice
    out = np.empty(3)
    k(None, [np.arange(3.0)], [out], ("write",), rt)
    np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])


def test_busy_pool_runs_the_kernel_whole(forced_split):
    threads = []

    def kernel(p, ins, outs, req, rt):
        threads.append(threading.current_thread().name)
        np.multiply(ins[0], 2, out=outs[0])

    k = _split.batch_split(kernel, (0,), (0,), (), cost=lambda p, ins, outs: 1)
    out = np.empty(6)
    with cpu_threads._pool._busy:  # another engine worker is splitting
        k(None, [np.arange(6.0)], [out], ("write",), registry.runtime(mx.cpu(), False))
    assert forced_split == [] and threads == [threading.current_thread().name]
    np.testing.assert_array_equal(out, np.arange(6.0) * 2)


def test_small_kernels_and_single_items_run_whole(monkeypatch):
    pool = cpu_threads._Pool(2, lambda n: 1)
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    calls = []
    monkeypatch.setattr(_split, "run_split", lambda parts: calls.append(len(parts)) or True)
    rt = registry.runtime(mx.cpu(), False)
    act = registry.get("Activation")
    p = act.parse({"act_type": "relu"})
    small = np.ones((8, 8), np.float32)
    act.kernel(p, [small], [np.empty_like(small)], ("write",), rt)
    one = np.ones((1, 600, 600), np.float32)  # large, but one batch item
    act.kernel(p, [one], [np.empty_like(one)], ("write",), rt)
    assert calls == []
    big = np.ones((2, 400, 400), np.float32)
    act.kernel(p, [big], [np.empty_like(big)], ("write",), rt)
    assert calls == [2]


@pytest.mark.parametrize(
    "env, want",
    [({"OMP_NUM_THREADS": "1"}, 1), ({"OMP_NUM_THREADS": "3"}, 3), ({"OMP_NUM_THREADS": "64"}, 8), ({"OMP_NUM_THREADS": "x"}, None), ({}, None)],
)
def test_thread_count_follows_omp_num_threads(env, want):
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cpu_threads._configured_threads(env) == (want if want is not None else min(usable, 8))


def test_omp_num_threads_1_turns_splitting_off():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    code = "from mxpy.backend import cpu_threads; print(cpu_threads.split_threads(), cpu_threads._pool)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1", "None"]


def test_numpy_openblas_has_the_per_thread_setting():
    """The split relies on it; NumPy's wheels (OpenBLAS 0.3.27+) have it."""
    setter = cpu_threads._blas_local_setter()
    if setter is None:
        pytest.skip("this NumPy's BLAS has no openblas_set_num_threads_local: kernels run whole")
    previous = setter(1)
    assert setter(previous) == 1
