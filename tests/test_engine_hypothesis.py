"""Random read/write programs: the threaded engine must give the serial result.

Two levels:

* raw engine programs: NumPy buffers, each with a Var; ops read some buffers
  and write (a first-axis slice of) another, on several devices, some inline
  (cost under ``inline_max``) and some on workers, some sleeping briefly so
  the workers really interleave. The reference runs the same ops in order.
* NDArray programs: arithmetic, ``out=``, in-place operators and first-axis
  views over a few arrays, run under ``NaiveEngine`` and under a
  ``ThreadedEngine`` with a small ``inline_max``; every snapshot and final
  value must be identical.

The ``slow`` variants draw thousands of programs (``make test-slow``).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mxpy as mx
from mxpy import engine
from mxpy.engine import ThreadedEngine, Var
from mxpy.ndarray.creation import copy_into
from mxpy.ndarray.ndarray import NDArray, _view

N_BUF = 4
ROWS = 6
CTXS = (mx.cpu(0), mx.cpu(1), mx.cpu(2))
BIG = 1 << 20  # a cost above every inline_max drawn below


def _within(seconds: float, fn, *args):
    """``fn(*args)`` in a helper thread: a broken engine fails the test instead of hanging it."""
    box: list = []

    def run():
        try:
            box.append((True, fn(*args)))
        except BaseException as e:  # re-raised in the test thread
            box.append((False, e))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"engine program did not finish within {seconds} s"
    ok, value = box[0]
    if not ok:
        raise value
    return value


# -- raw engine programs ----------------------------------------------------------

# (lo, hi) with 0 <= lo < hi <= ROWS: a non-empty first-axis slice
_slice = st.integers(0, ROWS - 1).flatmap(lambda lo: st.tuples(st.just(lo), st.integers(lo + 1, ROWS)))
_raw_op = st.one_of(
    # buf[dst][lo:hi] = buf[a][lo:hi] * c + buf[b][lo:hi]
    st.tuples(st.just("axpy"), st.integers(0, N_BUF - 1), st.integers(0, N_BUF - 1), st.integers(0, N_BUF - 1), st.integers(-3, 3), _slice),
    # buf[dst] += buf[src]  (dst == src allowed: a pure write)
    st.tuples(st.just("iadd"), st.integers(0, N_BUF - 1), st.integers(0, N_BUF - 1)),
    # a kernel that only reads: records a copy of buf[src]
    st.tuples(st.just("snap"), st.integers(0, N_BUF - 1)),
    # the user thread waits for buf[src] and looks at it
    st.tuples(st.just("wait"), st.integers(0, N_BUF - 1)),
)
_placement = st.tuples(st.integers(0, len(CTXS) - 1), st.booleans(), st.sampled_from([0.0, 0.0, 0.0, 0.0005]))
_raw_program = st.lists(st.tuples(_raw_op, _placement), min_size=1, max_size=40)


def _axpy(dst, a, b, c):
    dst[...] = a * c + b


def _iadd(dst, src):
    dst += src


def _snap(log, i, src, delay):
    if delay:
        time.sleep(delay)
    log[i] = src.copy()


def _delayed(fn, delay, *args):
    time.sleep(delay)
    fn(*args)


def _run_raw(program, eng) -> tuple[list, dict]:
    rng = np.random.default_rng(0)
    bufs = [rng.integers(-5, 5, size=(ROWS, 3)).astype(np.float64) for _ in range(N_BUF)]
    vars_ = [Var() for _ in range(N_BUF)]
    log: dict = {}
    for i, (op, (ci, big, delay)) in enumerate(program):
        ctx, cost = CTXS[ci], BIG if big else 1
        kind = op[0]
        if kind == "axpy":
            _, d, a, b, c, (lo, hi) = op
            args = (bufs[d][lo:hi], bufs[a][lo:hi], bufs[b][lo:hi], float(c))
            fn, reads, writes = _axpy, [vars_[a], vars_[b]], [vars_[d]]
        elif kind == "iadd":
            _, d, s = op
            fn, args, reads, writes = _iadd, (bufs[d], bufs[s]), [vars_[s]], [vars_[d]]
        elif kind == "snap":
            s = op[1]
            fn, args, reads, writes = _snap, (log, i, bufs[s], delay), [vars_[s]], []
            delay = 0.0
        else:
            s = op[1]
            if eng is not None:
                eng.wait_read(vars_[s])
            log[i] = bufs[s].copy()
            continue
        if eng is None:
            fn(*args)
        else:
            if delay:
                fn, args = _delayed, (fn, delay, *args)
            eng.push(fn, args, reads, writes, ctx, kind, cost)
    if eng is not None:
        eng.wait_all()
    return bufs, log


def _check_raw(program, inline_max, nthreads, max_inflight):
    want_bufs, want_log = _run_raw(program, None)
    eng = ThreadedEngine(inline_max=inline_max, max_inflight=max_inflight, nthreads=nthreads)
    got_bufs, got_log = _within(30, _run_raw, program, eng)
    eng.shutdown()  # only after success: a hung engine would hang its shutdown too
    assert sorted(got_log) == sorted(want_log)
    for k in want_log:
        np.testing.assert_array_equal(got_log[k], want_log[k], err_msg=f"snapshot at step {k}")
    for i, (g, w) in enumerate(zip(got_bufs, want_bufs)):
        np.testing.assert_array_equal(g, w, err_msg=f"buffer {i}")


_engine_settings = st.tuples(st.sampled_from([-1, 0, 16]), st.integers(1, 2), st.sampled_from([2, 8, 4096]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=_raw_program, cfg=_engine_settings)
def test_raw_programs_match_serial(program, cfg):
    _check_raw(program, *cfg)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=_raw_program, cfg=_engine_settings)
def test_raw_programs_match_serial_many(program, cfg):
    _check_raw(program, *cfg)


# -- NDArray programs ---------------------------------------------------------------

_nd_op = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 9), st.integers(0, 9)),  # arrays.append(x + y)
    st.tuples(st.just("mul_scalar"), st.integers(0, 9), st.sampled_from([0.5, 2.0, -1.0])),
    st.tuples(st.just("add_out"), st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),  # elemwise_add(x, y, out=z)
    st.tuples(st.just("iadd"), st.integers(0, 9), st.integers(0, 9)),  # z += y
    st.tuples(st.just("imul"), st.integers(0, 9), st.sampled_from([0.5, 3.0])),  # z *= s
    st.tuples(st.just("view_add_out"), st.integers(0, 9), st.integers(0, 9), _slice),  # elemwise_add(x[s], y[s], out=z[s])
    st.tuples(st.just("view_assign"), st.integers(0, 9), st.integers(0, 9), _slice, _slice),  # z[s] = y[t] (same length)
    st.tuples(st.just("snapshot"), st.integers(0, 9)),  # asnumpy in the middle
)
_nd_program = st.lists(st.tuples(_nd_op, st.integers(0, len(CTXS) - 1)), min_size=1, max_size=30)


def _rows(arr: NDArray, lo: int, hi: int) -> NDArray:
    """A first-axis view; NDArray indexing when it exists, else the same view by hand."""
    if hasattr(NDArray, "__getitem__"):
        return arr[lo:hi]
    return _view(arr, arr._data[lo:hi])


def _assign_rows(dst: NDArray, lo: int, hi: int, src: NDArray) -> None:
    if hasattr(NDArray, "__setitem__"):
        dst[lo:hi] = src
    else:
        copy_into(src, _rows(dst, lo, hi))


def _run_nd(program) -> tuple[list, list]:
    rng = np.random.default_rng(1)
    # one array per context, so every op's inputs share a context (as MXNet requires)
    arrays = {i: [mx.nd.array(rng.integers(-4, 4, size=(ROWS, 3)), ctx=c, dtype="float64") for _ in range(3)] for i, c in enumerate(CTXS)}
    snaps: list = []
    for op, ci in program:
        pool = arrays[ci]

        def pick(k: int, pool: list = pool) -> NDArray:
            return pool[k % len(pool)]

        kind = op[0]
        if kind == "add":
            pool.append(pick(op[1]) + pick(op[2]))
        elif kind == "mul_scalar":
            pool.append(pick(op[1]) * op[2])
        elif kind == "add_out":
            mx.nd.elemwise_add(pick(op[1]), pick(op[2]), out=pick(op[3]))
        elif kind == "iadd":
            z = pick(op[1])
            z += pick(op[2])
        elif kind == "imul":
            z = pick(op[1])
            z *= op[2]
        elif kind == "view_add_out":
            lo, hi = op[3]
            x, z = pick(op[1]), pick(op[2])
            mx.nd.elemwise_add(_rows(x, lo, hi), _rows(z, lo, hi), out=_rows(z, lo, hi))
        elif kind == "view_assign":
            (lo, hi), (lo2, _) = op[3], op[4]
            n = min(hi - lo, ROWS - lo2)
            _assign_rows(pick(op[1]), lo, lo + n, _rows(pick(op[2]), lo2, lo2 + n))
        else:
            snaps.append(pick(op[1]).asnumpy())
    mx.nd.waitall()
    return [a.asnumpy() for i in sorted(arrays) for a in arrays[i]], snaps


def _check_nd(program, inline_max):
    with engine.engine_type("NaiveEngine"):
        want, want_snaps = _run_nd(program)
    old = engine.set_engine(ThreadedEngine(inline_max=inline_max, nthreads=2))
    try:
        got, got_snaps = _within(30, _run_nd, program)
        engine.get().shutdown()
    finally:
        engine._restore(old)  # no shutdown of a hung engine: that would hang as well
    assert len(got_snaps) == len(want_snaps)
    for g, w in zip(got_snaps, want_snaps):
        np.testing.assert_array_equal(g, w)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=_nd_program, inline_max=st.sampled_from([0, 6, 12]))
def test_ndarray_programs_match_naive(program, inline_max):
    _check_nd(program, inline_max)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=_nd_program, inline_max=st.sampled_from([0, 6, 12]))
def test_ndarray_programs_match_naive_many(program, inline_max):
    _check_nd(program, inline_max)
