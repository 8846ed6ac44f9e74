"""Batch-split CPU kernels (mxpy/ops/_split.py on mxpy/backend/cpu_threads.py).

Executors of nets with large Convolution, Deconvolution, Pooling, Activation
or FullyConnected kernels run them in slices on several threads. The tests force
every kernel through that path on a 3-thread pool (so slices are uneven) and
check MXNet's golden values, equality with the whole-batch kernel, each
``req``, failures in a helper thread, a busy pool falling back to the whole
kernel, which executors choose split mode, and the BLAS thread count after.
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


def _fake_pool(threads: int) -> cpu_threads._Pool:
    """A pool whose BLAS setting is a stand-in (the real one is tested on its own)."""
    return cpu_threads._Pool(threads, cpu_threads._SingleBlas(lambda n: 1, True))


@pytest.fixture
def forced_split(monkeypatch):
    """A 3-thread pool and no thresholds; the list it returns records each split's part count."""
    pool = _fake_pool(3)
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    for unit in _split.MIN_COST:
        monkeypatch.setitem(_split.MIN_COST, unit, 0)
    monkeypatch.setattr(_split, "GEMM_MIN_ROWS", 0)
    splits: list[int] = []
    real = _split.run_split

    def counting(parts):
        ran = real(parts)
        if ran:
            splits.append(len(parts))
        return ran

    monkeypatch.setattr(_split, "run_split", counting)
    return splits


SPLIT_OPS = {"Convolution", "Deconvolution", "Pooling"}


@pytest.mark.parametrize("case", [c for c in OK if c["op"] in SPLIT_OPS and c["shapes"][0][0] >= 2], ids=_cid)
def test_golden_values_with_forced_split(case, forced_split):
    """Executors (simple_bind, forward, backward) in split mode give MXNet's values."""
    names = ["data", "weight", "bias"][: len(case["shapes"])]
    net = getattr(mx.sym, case["op"])(*[mx.sym.Variable(n) for n in names], **_params(case))
    ex = net.simple_bind(mx.cpu(), **{n: tuple(s) for n, s in zip(names, case["shapes"])})
    assert ex._split
    for i, n in enumerate(names):
        ex.arg_dict[n][:] = inp(case["shapes"][i], k=i, ties=case["ties"])
    out = ex.forward(is_train=True)[0]
    ex.backward(mx.nd.array(inp(out.shape, k=9)))
    if not case.get("forward_inconsistent"):
        np.testing.assert_allclose(out.asnumpy().ravel(), case["out"], rtol=1e-4, atol=1e-4)
    for n, g in zip(names, case["grads"]):
        np.testing.assert_allclose(ex.grad_dict[n].asnumpy().ravel(), g, rtol=1e-4, atol=1e-4)
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
    _split.split_kernel(op)(p, [dy, x, w], split_out, req, rt)
    op.kernel(p, [dy, x, w], whole_out, req, rt)
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
    _split.split_kernel(op)(p, ins, [split_out], ("write",), rt)
    op.kernel(p, ins, [whole_out], ("write",), rt)
    assert forced_split == [3]
    np.testing.assert_array_equal(split_out, whole_out)


def test_fully_connected_split_matches_whole(forced_split):
    rng = np.random.default_rng(4)
    rt = registry.runtime(mx.cpu(), True)
    x = rng.standard_normal((7, 3, 4)).astype(np.float32)  # flattened to (7, 12)
    w, b = rng.standard_normal((5, 12)).astype(np.float32), rng.standard_normal(5).astype(np.float32)
    fwd, bwd = registry.get("FullyConnected"), registry.get("_backward_FullyConnected")
    p = fwd.parse({"num_hidden": 5})
    outs = [np.empty((7, 5), np.float32) for _ in range(2)]
    _split.split_kernel(fwd)(p, [x, w, b], [outs[0]], ("write",), rt)
    fwd.kernel(p, [x, w, b], [outs[1]], ("write",), rt)
    np.testing.assert_array_equal(outs[0], outs[1])  # rows are independent: the same bits
    dy = rng.standard_normal((7, 5)).astype(np.float32)
    grads = [[np.empty_like(a) for a in (x, w, b)] for _ in range(2)]
    _split.split_kernel(bwd)(p, [dy, x, w], grads[0], ("write",) * 3, rt)
    bwd.kernel(p, [dy, x, w], grads[1], ("write",) * 3, rt)
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    for got, want in zip(grads[0][1:], grads[1][1:]):  # sums over the batch: rounding may differ
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert forced_split == [3, 3]


def test_thin_products_run_whole_with_openblas_threads_lent_back(monkeypatch):
    """A FullyConnected whose slices would be thinner than GEMM_MIN_ROWS runs whole; inside
    a split-mode hold OpenBLAS gets its own thread count back for that call only when the
    product reaches GEMM_LEND_MIN_FLOPS (a smaller one stays on one thread)."""
    values = [4]
    seen = []

    def setter(n):
        values[0], old = n, values[0]
        return old

    pool = cpu_threads._Pool(2, cpu_threads._SingleBlas(setter, process_wide=True))
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    monkeypatch.setitem(_split.MIN_COST, "gemm", 0)
    fc = registry.get("FullyConnected")
    real = fc.kernel

    class _Spy:
        kernel = staticmethod(lambda *a: seen.append(values[0]) or real(*a))
        split = fc.split

    kernel = _split.split_kernel(_Spy)
    p = fc.parse({"num_hidden": 3})
    rt = registry.runtime(mx.cpu(), False)
    x, w, b = np.ones((63, 4), np.float32), np.ones((3, 4), np.float32), np.zeros(3, np.float32)
    token = pool.blas.hold()
    assert values == [1]
    kernel(p, [x, w, b], [np.empty((63, 3), np.float32)], ("write",), rt)  # 63 rows < 2 threads x 32
    assert seen == [1] and values == [1]  # 1.5 kFLOP: below the lending size, one thread
    monkeypatch.setattr(_split, "GEMM_LEND_MIN_FLOPS", 0)
    kernel(p, [x, w, b], [np.empty((63, 3), np.float32)], ("write",), rt)
    assert seen == [1, 4] and values == [1]  # lent for the call, taken back after
    kernel(p, [np.ones((64, 4), np.float32), w, b], [np.empty((64, 3), np.float32)], ("write",), rt)
    assert seen == [1, 4, 1, 1]  # 64 rows: two slices of 32, on one OpenBLAS thread
    pool.blas.release(token)
    assert values == [4]


def test_pooling_backward_split_matches_whole(forced_split):
    rt = registry.runtime(mx.cpu(), True)
    p = registry.get("Pooling").parse({"kernel": (2, 2), "stride": (2, 2)})
    x = np.random.default_rng(2).integers(-2, 3, (4, 2, 6, 6)).astype(np.float32)  # ties: first max wins
    y = x.reshape(4, 2, 3, 2, 3, 2).max(axis=(3, 5))
    dy = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
    bwd = registry.get("_backward_Pooling")
    split_out, whole_out = np.empty_like(x), np.empty_like(x)
    _split.split_kernel(bwd)(p, [dy, x, y], [split_out], ("write",), rt)
    bwd.kernel(p, [dy, x, y], [whole_out], ("write",), rt)
    assert forced_split == [3]
    np.testing.assert_array_equal(split_out, whole_out)


class _FakeOp:
    """An op record with just a kernel and a split spec over its first input and output."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.split = _split.SplitSpec((0,), (0,), (), cost=lambda p, ins, outs: 1)


def test_failure_in_a_helper_thread_is_raised_and_the_pool_still_works(forced_split):
    seen = []

    def kernel(p, ins, outs, req, rt):
        if ins[0][0] >= 3:  # the slices after the first (rows 3-5, 6-8) run on helper threads
            raise ValueError("bad slice")
        seen.append(threading.current_thread() is threading.main_thread())
        outs[0][...] = ins[0]

    k = _split.split_kernel(_FakeOp(kernel))
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

    k = _split.split_kernel(_FakeOp(kernel))
    out = np.empty(6)
    with cpu_threads._pool._busy:  # another engine worker is splitting
        k(None, [np.arange(6.0)], [out], ("write",), registry.runtime(mx.cpu(), False))
    assert forced_split == [] and threads == [threading.current_thread().name]
    np.testing.assert_array_equal(out, np.arange(6.0) * 2)


def test_small_kernels_and_single_items_run_whole(monkeypatch):
    pool = _fake_pool(2)
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    calls = []
    monkeypatch.setattr(_split, "run_split", lambda parts: calls.append(len(parts)) or True)
    rt = registry.runtime(mx.cpu(), False)
    act = registry.get("Activation")
    p = act.parse({"act_type": "relu"})
    kernel = _split.split_kernel(act)
    small = np.ones((8, 8), np.float32)
    kernel(p, [small], [np.empty_like(small)], ("write",), rt)
    one = np.ones((1, 600, 600), np.float32)  # large, but one batch item
    kernel(p, [one], [np.empty_like(one)], ("write",), rt)
    assert calls == []
    big = np.ones((2, 400, 400), np.float32)
    kernel(p, [big], [np.empty_like(big)], ("write",), rt)
    assert calls == [2]


def _lenet(mx):
    data = mx.sym.Variable("data")
    c = mx.sym.Convolution(data, kernel=(5, 5), num_filter=20, name="conv1")
    a = mx.sym.Activation(c, act_type="tanh")
    p = mx.sym.Pooling(a, pool_type="max", kernel=(2, 2), stride=(2, 2))
    f = mx.sym.FullyConnected(mx.sym.flatten(p), num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(f, name="softmax")


def _mlp(mx):
    h = mx.sym.Activation(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=128, name="fc1"), act_type="relu")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=10, name="fc2"), name="softmax")


def test_executors_choose_split_mode_by_kernel_size(monkeypatch):
    pool = _fake_pool(2)
    monkeypatch.setattr(cpu_threads, "_pool", pool)
    monkeypatch.setattr(cpu_threads, "_pool_checked", True)
    assert _lenet(mx).simple_bind(mx.cpu(), data=(64, 1, 28, 28))._split  # conv1: 37 MFLOP
    assert not _lenet(mx).simple_bind(mx.cpu(), data=(1, 1, 28, 28))._split  # one image
    assert not _mlp(mx).simple_bind(mx.cpu(), data=(128, 784))._split  # small GEMMs: OpenBLAS's threads
    assert _mlp(mx).simple_bind(mx.cpu(), data=(4096, 784))._split
    monkeypatch.setattr(cpu_threads, "_pool", None)  # OMP_NUM_THREADS=1, or no per-thread BLAS setting
    assert not _lenet(mx).simple_bind(mx.cpu(), data=(64, 1, 28, 28))._split


def _real_setter():
    setter = cpu_threads._blas_local_setter()
    if setter is None or cpu_threads.split_threads() < 2:
        pytest.skip("splitting is off here (one CPU, or no openblas_set_num_threads_local)")
    return setter


def _current(setter) -> int:
    value = setter(1)
    setter(value)
    return value


def test_split_mode_executor_restores_the_blas_thread_count():
    setter = _real_setter()
    ex = _lenet(mx).simple_bind(mx.cpu(), data=(64, 1, 28, 28))
    assert ex._split
    seen = []
    fc = registry.get("FullyConnected")
    real = fc.kernel

    def spy(*a):
        seen.append(_current(setter))
        real(*a)

    before = setter(2)
    try:
        for st in ex._fwd_steps:
            if st.name == "FullyConnected":
                st.kernel = spy
        ex.forward(is_train=True)
        ex.backward()
        mx.nd.waitall()
        assert seen == [1]  # the GEMMs of a split-mode run see one OpenBLAS thread
        assert _current(setter) == 2  # and the count comes back after
    finally:
        setter(before)


def test_executors_in_several_threads_restore_the_blas_thread_count():
    """Holds overlap when two threads run split-mode executors: the last one out restores."""
    setter = _real_setter()
    before = setter(2)
    try:
        execs = [_lenet(mx).simple_bind(mx.cpu(), data=(32, 1, 28, 28)) for _ in range(2)]
        errors = []

        def loop(ex):
            try:
                for _ in range(20):
                    ex.forward(is_train=True)
                    ex.backward()
                    ex.outputs[0].wait_to_read()
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=loop, args=(ex,)) for ex in execs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        mx.nd.waitall()
        assert errors == [] and _current(setter) == 2
    finally:
        setter(before)


def test_single_blas_counts_holders_where_the_setting_is_shared():
    values = [2]
    log = []

    def setter(n):
        log.append(n)
        values[0], old = n, values[0]
        return old

    blas = cpu_threads._SingleBlas(setter, process_wide=True)
    a = blas.hold()
    b = blas.hold()  # a second holder: no second save of the (already 1) count
    blas.release(a)
    assert values == [1]
    blas.release(b)
    assert values == [2] and log == [1, 2]
    per_thread = cpu_threads._SingleBlas(setter, process_wide=False)
    token = per_thread.hold()
    per_thread.release(token)
    assert values == [2]


def test_process_wide_detection():
    shared = [2]

    def shared_setter(n):
        shared[0], old = n, shared[0]
        return old

    local = threading.local()

    def local_setter(n):
        old = getattr(local, "n", 2)
        local.n = n
        return old

    assert cpu_threads._is_process_wide(shared_setter) and shared == [2]
    assert not cpu_threads._is_process_wide(local_setter) and local_setter(2) == 2


@pytest.mark.parametrize(
    "env, want",
    [
        ({"OMP_NUM_THREADS": "1"}, 1),
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": "64"}, 8),
        ({"OMP_NUM_THREADS": "x"}, None),
        ({}, None),
        ({"MXPY_SPLIT_THREADS": "0", "OMP_NUM_THREADS": "4"}, 1),
        ({"MXPY_SPLIT_THREADS": "2", "OMP_NUM_THREADS": "1"}, 2),
    ],
)
def test_thread_count_follows_mxpy_split_threads_then_omp_num_threads(env, want):
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


def test_split_leaves_the_blas_thread_count_as_it_was():
    """NumPy's OpenBLAS keeps the per-thread count in one global: a split sets it to 1
    while its slices run and must hand the caller's count back afterwards."""
    setter = cpu_threads._blas_local_setter()
    if setter is None:
        pytest.skip("no openblas_set_num_threads_local")
    seen = []
    pool = cpu_threads._Pool(3, cpu_threads._SingleBlas(setter, cpu_threads._is_process_wide(setter)))
    before = setter(2)
    try:
        assert pool.run([lambda: seen.append(_current(setter)) for _ in range(3)])
        assert seen == [1, 1, 1] and _current(setter) == 2
        with pytest.raises(ZeroDivisionError):
            pool.run([lambda: None, lambda: 1 / 0])
        assert _current(setter) == 2
    finally:
        setter(before)


def test_two_context_module_in_split_mode_matches_one_context(forced_split):
    """Both contexts' executors split (the engine may run them on its workers at once,
    and then one of them finds the pool busy and runs whole): the parameters agree
    with a one-context run to float rounding."""
    rng = np.random.RandomState(0)
    x, y = rng.rand(32, 1, 12, 12).astype(np.float32), rng.randint(0, 10, 32).astype(np.float32)
    data = mx.sym.Variable("data")
    h = mx.sym.Pooling(mx.sym.Activation(mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name="conv"), act_type="tanh"), kernel=(2, 2), stride=(2, 2))
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.flatten(h), num_hidden=10, name="fc"), name="softmax")
    params = {}
    for ctxs in ([mx.cpu(0)], [mx.cpu(0), mx.cpu(1)]):
        it = mx.io.NDArrayIter(x, y, batch_size=16)
        mod = mx.mod.Module(net, context=ctxs)
        mod.bind(it.provide_data, it.provide_label)
        mod.init_params(mx.init.Constant(0.05), force_init=True)
        mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
        assert all(e._split for e in mod._exec_group.execs)
        for _ in range(2):
            it.reset()
            for batch in it:
                mod.forward_backward(batch)
                mod.update()
        params[len(ctxs)] = {k: v.asnumpy() for k, v in mod.get_params()[0].items()}
    assert forced_split  # the kernels did run in slices
    for k, v in params[1].items():
        np.testing.assert_allclose(params[2][k], v, rtol=1e-5, atol=1e-6, err_msg=k)
