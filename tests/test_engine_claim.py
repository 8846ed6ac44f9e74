"""The engine hooks the distributed KVStore uses: claimable queued ops and deferred ops.

- ``push_queued``: the op goes to its worker, but a thread that waits on what
  it writes before the worker started it runs it itself (no hand-off back).
- ``push_deferred``: once ready the op waits, unstarted, until a later op
  needs its Vars, a thread waits on them, or ``wait_all``; ``cancel_deferred``
  drops it if it has not started.
- ``run_now``: a ready op runs in the calling thread, entered in the engine
  while it runs, with a deferred follow-up queued behind it; or, when its
  ``here`` says no, it stays lazy (claimable, no worker woken) until a waiter,
  a later waiting op, ``wait_all`` or the worker's tick starts it.

Each blocking step has a timeout, so a broken engine fails instead of hanging.
"""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.base import MXNetError
from mxpy.engine import NaiveEngine, ThreadedEngine, Var

COMM = mx.cpu(7)  # any key works; the store uses its own


@pytest.fixture
def eng():
    e = ThreadedEngine()
    yield e
    e.shutdown()


def _blocked_worker(e: ThreadedEngine, key) -> threading.Event:
    """Occupy ``key``'s worker until the returned event is set (later ops on ``key`` stay queued)."""
    release, started = threading.Event(), threading.Event()

    def hold():
        started.set()
        assert release.wait(10)

    e.push_queued(hold, (), (), (Var(),), key, "hold")
    assert started.wait(10)
    return release


def test_push_queued_runs_on_the_worker_when_nobody_waits(eng):
    done, ran_in = threading.Event(), []
    eng.push_queued(lambda: (ran_in.append(threading.current_thread()), done.set()), (), (), (Var(),), COMM, "queued")
    assert done.wait(10)
    assert ran_in[0] is not threading.current_thread()


def test_a_waiter_runs_the_queued_op_the_worker_has_not_started(eng):
    release = _blocked_worker(eng, COMM)
    var, other, ran_in = Var(), Var(), {}
    eng.push_queued(lambda: ran_in.setdefault("other", threading.current_thread()), (), (), (other,), COMM, "other")
    eng.push_queued(lambda: ran_in.setdefault("mine", threading.current_thread()), (), (), (var,), COMM, "mine")
    eng.wait_read(var)  # the worker is busy: without the claim this would wait for `release`
    assert ran_in["mine"] is threading.current_thread()
    assert "other" not in ran_in  # the waiter runs only what it waits for
    release.set()
    eng.wait_write(other)
    eng.wait_all()


def test_claimed_op_keeps_the_order_of_its_vars(eng):
    """A claimed op runs after the ops before it on its Vars, and ops queued behind it see its write."""
    release = _blocked_worker(eng, COMM)
    a = np.zeros(3)
    va, vo = Var(), Var()
    eng.push(lambda: a.__setitem__(slice(None), 1), (), (), (va,), mx.cpu(0), "set1")
    eng.push_queued(lambda: a.__iadd__(10), (), (), (va,), COMM, "add10")
    out = np.zeros(3)
    eng.push(lambda: np.copyto(out, a * 2), (), (va,), (vo,), mx.cpu(0), "double")  # queued behind add10
    eng.wait_read(va)  # claims add10 (only the direct writer of what a thread waits for is claimed)
    eng.wait_read(vo)
    np.testing.assert_array_equal(out, [22, 22, 22])
    release.set()
    eng.wait_all()


def test_claimed_op_failure_is_raised_at_the_wait(eng):
    release = _blocked_worker(eng, COMM)
    var = Var()

    def boom():
        raise ValueError("bad transfer")

    eng.push_queued(boom, (), (), (var,), COMM, "kvstore_allreduce")
    with pytest.raises(MXNetError, match=r"kvstore_allreduce \(pushed at .*test_engine_claim.py.*ValueError: bad transfer"):
        eng.wait_read(var)
    release.set()
    eng.wait_all()


def test_deferred_op_waits_until_a_later_op_needs_it(eng):
    src, dst = np.ones(4), np.zeros(4)
    vs, vd = Var(), Var()
    ran = []
    eng.push_deferred(lambda: (ran.append(1), np.copyto(dst, src)), (), (vs,), (vd,), mx.cpu(0), "keep")
    assert not ran and eng.pending() == 1
    # a later write of what it reads must wait for it: the engine starts it
    eng.push(lambda: src.__setitem__(slice(None), 5), (), (), (vs,), mx.cpu(0), "overwrite")
    eng.wait_all()
    assert ran == [1]
    np.testing.assert_array_equal(dst, np.ones(4))  # it copied the value from before the overwrite
    np.testing.assert_array_equal(src, np.full(4, 5.0))


@pytest.mark.parametrize("how", ["wait_write_var", "wait_read_out", "wait_all", "reader_of_out"])
def test_deferred_op_runs_when_waited_for(eng, how):
    src, dst = np.ones(4), np.zeros(4)
    vs, vd = Var(), Var()
    eng.push_deferred(np.copyto, (dst, src), (vs,), (vd,), mx.cpu(0), "keep")
    if how == "wait_write_var":
        eng.wait_write(vs)
    elif how == "wait_read_out":
        eng.wait_read(vd)
    elif how == "wait_all":
        eng.wait_all()
    else:
        seen = np.zeros(4)
        vseen = Var()
        eng.push(lambda: np.copyto(seen, dst), (), (vd,), (vseen,), mx.cpu(0), "read")
        eng.wait_read(vseen)
        np.testing.assert_array_equal(seen, np.ones(4))
    eng.wait_all()
    np.testing.assert_array_equal(dst, np.ones(4))


def test_read_wait_does_not_start_a_deferred_reader(eng):
    """Waiting to read a Var that a deferred op only reads returns at once and leaves the op parked."""
    src, dst = np.ones(4), np.zeros(4)
    vs, vd = Var(), Var()
    eng.push_deferred(np.copyto, (dst, src), (vs,), (vd,), mx.cpu(0), "keep")
    eng.wait_read(vs)
    assert eng.pending() == 1 and not dst.any()
    eng.wait_all()
    np.testing.assert_array_equal(dst, np.ones(4))


def test_cancel_deferred_drops_an_unstarted_op(eng):
    dst = np.zeros(4)
    vs, vd = Var(), Var()
    handle = eng.push_deferred(lambda: dst.__setitem__(slice(None), 9), (), (vs,), (vd,), mx.cpu(0), "keep")
    assert eng.cancel_deferred(handle)
    assert eng.pending() == 0 and not vs.busy and not vd.busy
    eng.wait_all()
    assert not dst.any()
    assert not eng.cancel_deferred(handle)  # only once


def test_cancel_deferred_refuses_a_started_op(eng):
    dst = np.zeros(4)
    vd = Var()
    handle = eng.push_deferred(lambda: dst.__setitem__(slice(None), 9), (), (), (vd,), mx.cpu(0), "keep")
    eng.wait_read(vd)  # runs it
    assert not eng.cancel_deferred(handle)
    np.testing.assert_array_equal(dst, np.full(4, 9.0))


def test_deferred_op_with_a_waiter_behind_it_is_not_parked(eng):
    """An op queued behind a deferred op before that op was ready: the deferred op starts when ready."""
    release = _blocked_worker(eng, COMM)
    a, b = np.zeros(2), np.zeros(2)
    va, vb = Var(), Var()
    eng.push_queued(lambda: a.__setitem__(slice(None), 3), (), (), (va,), COMM, "produce")
    eng.push_deferred(np.copyto, (b, a), (va,), (vb,), mx.cpu(0), "keep")  # waits for produce
    done = threading.Event()
    eng.push(lambda: done.set(), (), (vb,), (Var(),), mx.cpu(0), "consume")  # queued behind keep
    release.set()
    assert done.wait(10)  # nobody waits on the engine: the worker path alone must get here
    np.testing.assert_array_equal(b, [3, 3])
    eng.wait_all()


def test_parked_ops_do_not_block_the_inflight_bound():
    e = ThreadedEngine(max_inflight=2)
    try:
        dsts = [np.zeros(1) for _ in range(4)]
        for d in dsts:
            e.push_deferred(lambda d=d: d.__setitem__(0, 1), (), (), (Var(),), mx.cpu(0), "keep")
        e.wait_all()
        assert all(d[0] == 1 for d in dsts)
    finally:
        e.shutdown()


def test_shutdown_runs_parked_ops():
    e = ThreadedEngine()
    dst = np.zeros(2)
    e.push_deferred(lambda: dst.__setitem__(slice(None), 4), (), (), (Var(),), mx.cpu(0), "keep")
    e.shutdown()
    np.testing.assert_array_equal(dst, [4, 4])


def test_run_now_runs_a_ready_op_here_with_its_deferred_follow_up_parked(eng):
    a, b = np.zeros(3), np.zeros(3)
    va, vb, ran_in = Var(), Var(), []
    then = (np.copyto, (b, a), (va,), (vb,), mx.cpu(0), "keep")
    handle = eng.run_now(lambda: (ran_in.append(threading.current_thread()), a.__setitem__(slice(None), 5)), (), (), (va,), COMM, "now", then)
    assert ran_in == [threading.current_thread()] and a.tolist() == [5, 5, 5]
    assert handle is not None and eng.pending() == 1 and b.tolist() == [0, 0, 0]  # the copy waits, parked
    eng.wait_read(va)  # a read of what the op wrote does not start the copy
    assert eng.pending() == 1
    eng.wait_read(vb)
    assert b.tolist() == [5, 5, 5] and eng.pending() == 0


def test_run_now_pushes_nothing_when_its_vars_are_busy(eng):
    release = _blocked_worker(eng, COMM)
    var, ran = Var(), []
    eng.push_queued(lambda: None, (), (), (var,), COMM, "earlier")
    before = eng.pending()
    assert eng.run_now(lambda: ran.append(1), (), (), (var,), COMM, "now") is None
    assert eng.run_now(lambda: ran.append(1), (), (var,), (Var(),), COMM, "now") is None  # a read waits for the write
    assert ran == [] and eng.pending() == before
    release.set()
    eng.wait_all()


def test_run_now_drops_the_previous_deferred_op(eng):
    a, b = np.ones(3), np.zeros(3)
    va, vb = Var(), Var()
    kept = eng.push_deferred(np.copyto, (b, a), (va,), (vb,), mx.cpu(0), "keep")
    assert eng.run_now(lambda: a.__setitem__(slice(None), 7), (), (), (va,), COMM, "now", None, None, kept) is True
    eng.wait_all()
    assert b.tolist() == [0, 0, 0] and not eng.cancel_deferred(kept)  # dropped unstarted


def test_a_lazy_op_runs_in_the_thread_that_waits_for_it(eng):
    var, ran_in = Var(), []
    eng.run_now(lambda: ran_in.append(threading.current_thread()), (), (), (var,), COMM, "lazy", None, lambda: False)
    eng.wait_read(var)
    assert ran_in == [threading.current_thread()]


def test_a_lazy_op_nobody_asks_for_starts_on_its_worker(eng):
    done, ran_in = threading.Event(), []
    eng.run_now(lambda: (ran_in.append(threading.current_thread()), done.set()), (), (), (Var(),), COMM, "lazy", None, lambda: False)
    assert done.wait(10)  # within two worker ticks
    assert ran_in[0] is not threading.current_thread()
    eng.wait_all()


def test_a_lazy_op_goes_to_its_worker_when_a_later_op_waits_for_it(eng):
    a, order, done = np.zeros(1), [], threading.Event()
    va = Var()
    eng.run_now(lambda: (order.append("lazy"), a.__setitem__(0, 1)), (), (), (va,), COMM, "lazy", None, lambda: False)
    eng.push_queued(lambda: (order.append(("after", a[0])), done.set()), (), (va,), (Var(),), COMM, "after")
    assert done.wait(10)
    assert order == ["lazy", ("after", 1.0)]
    eng.wait_all()


def test_a_lazy_op_that_fails_reports_at_the_wait(eng):
    var = Var()

    def boom():
        raise ValueError("bad transfer")

    eng.run_now(boom, (), (), (var,), COMM, "kvstore_allreduce", None, lambda: False)
    with pytest.raises(MXNetError, match=r"kvstore_allreduce \(pushed at .*test_engine_claim.py.*ValueError: bad transfer"):
        eng.wait_read(var)


def test_run_now_of_a_failing_op_reports_at_the_wait(eng):
    var = Var()

    def boom():
        raise ValueError("bad transfer")

    assert eng.run_now(boom, (), (), (var,), COMM, "kvstore_allreduce") is True
    with pytest.raises(MXNetError, match=r"kvstore_allreduce \(pushed at .*test_engine_claim.py.*ValueError: bad transfer"):
        eng.wait_read(var)


def test_naive_engine_runs_deferred_ops_at_push():
    n, ran = NaiveEngine(), []
    handle = n.push_deferred(lambda: ran.append(1), (), (), (Var(),), None, "x")
    assert ran == [1] and not n.cancel_deferred(handle)
    assert n.run_now(lambda: ran.append(2), (), (), (Var(),), None, "x") is None and ran == [1]  # the caller pushes instead


def _run_program(e, program: list, n_arrays: int) -> list:
    arrays = [np.full(3, float(i)) for i in range(n_arrays)]
    vars_ = [Var() for _ in range(n_arrays)]
    last_deferred: dict = {}
    for kind, src, dst, k in program:
        if kind == "rekeep":
            src = (dst + 1) % n_arrays
            if dst in last_deferred:
                e.cancel_deferred(last_deferred.pop(dst))
        reads = () if src == dst else (vars_[src],)

        def kernel(src=src, dst=dst, k=k):
            arrays[dst][...] = arrays[src] * 0.5 + k

        if kind == "push":
            e.push(kernel, (), reads, (vars_[dst],), mx.cpu(src % 2), "op", cost=1 << 30)
        elif kind == "queued":
            e.push_queued(kernel, (), reads, (vars_[dst],), COMM, "op")
        elif kind in ("deferred", "rekeep"):
            last_deferred[dst] = e.push_deferred(kernel, (), reads, (vars_[dst],), mx.cpu(0), "op")
        elif kind in ("now", "lazy"):  # here or left lazy when ready, else queued as the store does
            if e.run_now(kernel, (), reads, (vars_[dst],), COMM, "op", None, lambda lazy=kind == "lazy": not lazy) is None:
                e.push_queued(kernel, (), reads, (vars_[dst],), COMM, "op")
        else:
            (e.wait_write if k % 2 else e.wait_read)(vars_[dst])
        if kind not in ("deferred", "rekeep"):
            last_deferred.pop(dst, None)  # a later write of dst: the deferred one is no longer the last
    e.wait_all()
    return [a.copy() for a in arrays]


def test_random_programs_with_claims_and_deferred_ops_match_serial():
    """Random mixes of plain, queued (claimable) and deferred ops and waits give the serial result.

    ``rekeep`` is the store's pattern: cancel the last deferred write of an
    array, then push a new deferred op that overwrites all of it without
    reading it; the cancelled write was dead, so the results cannot change.
    """
    for seed in range(12):
        rng = random.Random(seed)
        kinds = ["push", "queued", "deferred", "rekeep", "wait", "now", "lazy"]
        program = [(rng.choice(kinds), rng.randrange(4), rng.randrange(4), rng.randint(1, 5)) for _ in range(40)]
        expected = _run_program(NaiveEngine(), program, 4)
        with engine.engine_type(ThreadedEngine(inline_max=-1, nthreads=2)) as e:
            got = _run_program(e, program, 4)
        for x, y in zip(expected, got):
            np.testing.assert_array_equal(x, y, err_msg=f"seed {seed}")
