"""The dependency engine: ordering, overlap, failures, bounds, selection, exit.

Raw tests push Python kernels over engine Vars directly; a kernel that sleeps
releases the GIL, which is what NumPy/BLAS kernels do, so overlap shows in
wall time. Every blocking step has a timeout so a broken engine fails instead
of hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.base import MXNetError
from mxpy.engine import NaiveEngine, ThreadedEngine, Var

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CPU0, CPU1, CPU2 = mx.cpu(0), mx.cpu(1), mx.cpu(2)
THIS_FILE = os.path.abspath(__file__)


def _queued(**kw) -> ThreadedEngine:
    """A threaded engine that sends every op to a worker (no inline runs)."""
    return ThreadedEngine(inline_max=-1, **kw)


@pytest.fixture
def threaded():
    engines = []

    def make(**kw):
        eng = _queued(**kw)
        engines.append(eng)
        return eng

    yield make
    for eng in engines:
        eng.shutdown()


ENGINE_MAKERS = {
    "naive": NaiveEngine,
    "threaded_queued": lambda: _queued(nthreads=3),
    "threaded_inline": lambda: ThreadedEngine(inline_max=1 << 30, nthreads=3),
}


@pytest.fixture(params=sorted(ENGINE_MAKERS))
def any_engine(request):
    eng = ENGINE_MAKERS[request.param]()
    yield eng
    eng.shutdown()


def _wait_all(eng, timeout: float = 10.0) -> None:
    """eng.wait_all() in a helper thread, failing the test on a hang."""
    box: list = []

    def run():
        try:
            eng.wait_all()
            box.append(None)
        except BaseException as e:  # re-raised in the test thread
            box.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "wait_all hung"
    if box[0] is not None:
        raise box[0]


# -- ordering ----------------------------------------------------------------------


def test_reads_of_one_var_run_together(threaded):
    eng = threaded(nthreads=2)
    v = Var()
    barrier = threading.Barrier(2, timeout=5)
    log: list = []

    def reader(tag):
        barrier.wait()  # passes only when both readers run at once
        time.sleep(0.02)
        log.append(tag)

    def writer():
        log.append("w")

    eng.push(reader, ("r1",), [v], [], CPU0, "r1")
    eng.push(reader, ("r2",), [v], [], CPU0, "r2")
    eng.push(writer, (), [], [v], CPU0, "w")
    _wait_all(eng)
    assert sorted(log[:2]) == ["r1", "r2"] and log[2] == "w"


def test_raw_read_after_write(any_engine):
    buf = np.zeros(4)
    v = Var()
    seen: list = []

    def slow_write(x):
        time.sleep(0.05)
        buf[:] = x

    # the reads go to other devices, so only the engine's ordering keeps them behind the write
    any_engine.push(slow_write, (7.0,), [], [v], CPU0, "write")
    any_engine.push(lambda: seen.append(buf.copy()), (), [v], [], CPU1, "read1")
    any_engine.push(lambda: seen.append(buf.copy()), (), [v], [], CPU2, "read2")
    _wait_all(any_engine)
    assert len(seen) == 2
    for s in seen:
        np.testing.assert_array_equal(s, np.full(4, 7.0))


def test_write_after_read(any_engine):
    buf = np.ones(3)
    v = Var()
    seen: list = []

    def slow_read():
        time.sleep(0.05)
        seen.append(buf.copy())

    any_engine.push(slow_read, (), [v], [], CPU0, "read")
    any_engine.push(lambda: buf.fill(5.0), (), [], [v], CPU1, "write")
    _wait_all(any_engine)
    np.testing.assert_array_equal(seen[0], np.ones(3))
    np.testing.assert_array_equal(buf, np.full(3, 5.0))


def test_write_after_write(any_engine):
    buf = np.zeros(2)
    v = Var()
    order: list = []

    def w(x, delay):
        time.sleep(delay)
        buf[:] = x
        order.append(x)

    any_engine.push(w, (1.0, 0.05), [], [v], CPU0, "w1")
    any_engine.push(w, (2.0, 0.0), [], [v], CPU1, "w2")
    any_engine.push(w, (3.0, 0.01), [], [v], CPU2, "w3")
    _wait_all(any_engine)
    assert order == [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(buf, [3.0, 3.0])


def test_wait_read_and_wait_write(threaded):
    eng = threaded(nthreads=2)
    v = Var()
    gate = threading.Event()
    done: list = []

    eng.push(lambda: done.append("w"), (), [], [v], CPU0, "w")
    eng.push(lambda: (gate.wait(5), done.append("r")), (), [v], [], CPU1, "r")
    # wait_read needs only the write; the reader is still blocked on the gate
    eng.wait_read(v)
    assert done == ["w"]
    t = threading.Thread(target=eng.wait_write, args=(v,), daemon=True)
    t.start()
    t.join(0.1)
    assert t.is_alive(), "wait_write returned while a read was still running"
    gate.set()
    t.join(5)
    assert not t.is_alive() and done == ["w", "r"]


def test_duplicate_vars_do_not_deadlock(threaded):
    eng = threaded()
    v, u = Var(), Var()
    hits: list = []
    eng.push(hits.append, (1,), [v, v, u], [u, u], CPU0, "dup")
    eng.push(hits.append, (2,), [u], [v], CPU0, "next")
    _wait_all(eng)
    assert hits == [1, 2]


# -- overlap -----------------------------------------------------------------------


def test_independent_ops_on_two_devices_overlap(threaded):
    eng = threaded()
    a, b = Var(), Var()
    t0 = time.perf_counter()
    eng.push(time.sleep, (0.3,), [], [a], CPU0, "sleep0")
    eng.push(time.sleep, (0.3,), [], [b], CPU1, "sleep1")
    _wait_all(eng)
    assert time.perf_counter() - t0 < 0.5


def test_naive_engine_is_serial():
    eng = NaiveEngine()
    t0 = time.perf_counter()
    eng.push(time.sleep, (0.1,), [], [Var()], CPU0, "s0")
    eng.push(time.sleep, (0.1,), [], [Var()], CPU1, "s1")
    assert time.perf_counter() - t0 >= 0.2


def test_big_ndarray_ops_on_two_contexts_overlap():
    # the ops go to the workers (cost above inline_max) and each holds the
    # GIL-free sleep, so two contexts take about one op's time
    with engine.engine_type(ThreadedEngine(inline_max=0)):
        x0 = mx.nd.ones((64,), ctx=CPU0)
        x1 = mx.nd.ones((64,), ctx=CPU1)
        cur = engine.get()
        t0 = time.perf_counter()
        cur.push(time.sleep, (0.25,), [], [x0._var], CPU0, "slow0", 1 << 30)
        cur.push(time.sleep, (0.25,), [], [x1._var], CPU1, "slow1", 1 << 30)
        y0, y1 = x0 + 1, x1 * 3
        np.testing.assert_array_equal(y0.asnumpy(), np.full(64, 2, np.float32))
        np.testing.assert_array_equal(y1.asnumpy(), np.full(64, 3, np.float32))
        assert time.perf_counter() - t0 < 0.45


def test_cpu_worker_nthreads_env(monkeypatch, threaded):
    monkeypatch.setenv("MXNET_CPU_WORKER_NTHREADS", "3")
    eng = ThreadedEngine(inline_max=-1)
    try:
        assert eng.nthreads == 3
        barrier = threading.Barrier(3, timeout=5)
        passed: list = []
        for i in range(3):  # three independent ops on ONE device run at once
            eng.push(lambda i=i: (barrier.wait(), passed.append(i)), (), [], [Var()], CPU0, f"op{i}")
        _wait_all(eng)
        assert sorted(passed) == [0, 1, 2]
    finally:
        eng.shutdown()
    monkeypatch.setenv("MXNET_CPU_WORKER_NTHREADS", "1")
    one = threaded()
    assert one.nthreads == 1


# -- failures ------------------------------------------------------------------------


def _boom():
    raise ValueError("kernel exploded")


@pytest.mark.parametrize("mode", ["naive", "inline", "queued"])
def test_failure_names_op_and_user_line(mode):
    eng = {"naive": NaiveEngine(), "inline": ThreadedEngine(), "queued": _queued()}[mode]
    with engine.engine_type(eng):
        a = mx.nd.zeros((3,))
        a.wait_to_read()
        line = sys._getframe().f_lineno + 1
        engine.get().push(_boom, (), [], [a._var], a._ctx, "my_failing_op")
        with pytest.raises(MXNetError) as info:
            a.wait_to_read()
        msg = str(info.value)
        assert "my_failing_op" in msg
        assert f"{THIS_FILE}:{line}" in msg
        assert "ValueError: kernel exploded" in msg
        assert isinstance(info.value.__cause__, ValueError)
        # reported once: neither a second wait nor waitall raises it again
        a.wait_to_read()
        mx.nd.waitall()


@pytest.mark.parametrize("mode", ["naive", "inline", "queued"])
def test_failure_propagates_to_readers_only(mode):
    eng = {"naive": NaiveEngine(), "inline": ThreadedEngine(), "queued": _queued()}[mode]
    with engine.engine_type(eng):
        a = mx.nd.ones((4,))
        other = mx.nd.ones((4,))
        engine.get().push(_boom, (), [], [a._var], a._ctx, "bad_writer")
        b = a + 1  # reads the failed array: fails the same way, nothing hangs
        c = b * 2
        d = other + 5  # unrelated
        np.testing.assert_array_equal(d.asnumpy(), np.full(4, 6, np.float32))
        with pytest.raises(MXNetError, match="bad_writer"):
            c.wait_to_read()
        # the same failure was raised once: a and b now read without error
        a.wait_to_read()
        b.wait_to_read()
        mx.nd.waitall()


def test_waitall_raises_the_oldest_failure_once():
    with engine.engine_type(_queued()):
        a, b = mx.nd.ones((2,)), mx.nd.ones((2,))
        cur = engine.get()
        cur.push(_boom, (), [], [a._var], a._ctx, "first_bad")
        cur.push(_boom, (), [], [b._var], b._ctx, "second_bad")
        with pytest.raises(MXNetError, match="first_bad"):
            _wait_all(cur)
        _wait_all(cur)  # nothing left to report
        a.wait_to_read()  # waitall cleared every pending failure, as MXNet does
        b.wait_to_read()


def test_failure_from_a_real_op_on_the_queued_path():
    # a kernel error inside a registered op (here: its output buffer made read-only)
    with engine.engine_type(_queued()):
        a = mx.nd.ones((5,))
        out = mx.nd.zeros((5,))
        out.wait_to_read()
        out._data.flags.writeable = False
        mx.nd.elemwise_add(a, a, out=out)
        with pytest.raises(MXNetError, match=r"elemwise_add \(pushed at .*test_engine.py:\d+"):
            out.wait_to_read()


def test_worker_survives_base_exception(threaded):
    eng = threaded()
    v = Var()

    def stop():
        raise KeyboardInterrupt

    eng.push(stop, (), [], [v], CPU0, "interrupted")
    with pytest.raises(MXNetError, match="interrupted.*KeyboardInterrupt"):
        _wait_all(eng)
    hits: list = []
    eng.push(hits.append, (1,), [], [v], CPU0, "after")
    _wait_all(eng)
    assert hits == [1]


# -- bounded in-flight work ------------------------------------------------------------


def test_push_blocks_past_max_inflight(threaded):
    eng = threaded(max_inflight=2)
    gate = threading.Event()
    for i in range(2):
        eng.push(gate.wait, (5,), [], [Var()], CPU0, f"held{i}")
    assert eng.pending() == 2
    pushed = threading.Event()

    def third():
        eng.push(lambda: None, (), [], [Var()], CPU0, "third")
        pushed.set()

    t = threading.Thread(target=third, daemon=True)
    t.start()
    assert not pushed.wait(0.2), "push went past max_inflight"
    gate.set()
    assert pushed.wait(5), "push stayed blocked after work drained"
    _wait_all(eng)
    assert eng.pending() == 0


def test_fast_loop_stays_bounded(threaded):
    eng = threaded(max_inflight=8)
    v = Var()
    peak = [0]
    total = [0]

    def work():
        peak[0] = max(peak[0], eng.pending())
        total[0] += 1

    for _ in range(200):
        eng.push(work, (), [], [v], CPU0, "w")
        assert eng.pending() <= 8
    _wait_all(eng)
    assert total[0] == 200 and peak[0] <= 8


# -- selecting the engine --------------------------------------------------------------


def _run_py(code: str, env_extra: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_extra)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "name,expected",
    [("NaiveEngine", "NaiveEngine"), ("ThreadedEngine", "ThreadedEngine"), ("ThreadedEnginePerDevice", "ThreadedEngine")],
)
def test_env_selects_engine_at_import(name, expected):
    r = _run_py("import mxpy; print(mxpy.engine.get().name)", {"MXNET_ENGINE_TYPE": name})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == expected


def test_env_unknown_engine_is_an_error():
    r = _run_py("import mxpy", {"MXNET_ENGINE_TYPE": "FancyEngine"})
    assert r.returncode != 0
    assert "MXNET_ENGINE_TYPE" in r.stderr and "FancyEngine" in r.stderr


def test_set_engine_and_engine_type():
    before = engine.get()
    with engine.engine_type("NaiveEngine") as eng:
        assert engine.get() is eng and eng.name == "NaiveEngine"
        np.testing.assert_array_equal((mx.nd.ones((2,)) + 1).asnumpy(), [2, 2])
    after = engine.get()
    assert after.name == before.name
    with pytest.raises(MXNetError, match="unknown engine 'Nope'"):
        engine.set_engine("Nope")
    assert engine.get() is after


def test_set_engine_finishes_old_work():
    mine = _queued()
    old = engine.set_engine(mine)
    try:
        done: list = []
        mine.push(lambda: (time.sleep(0.1), done.append(1)), (), [], [Var()], CPU0, "slow")
        engine.set_engine("NaiveEngine")
        assert done == [1]
    finally:
        engine.set_engine(old.name)


def test_exit_drains_queued_work(tmp_path):
    marker = tmp_path / "done.txt"
    code = f"""
        import time
        import mxpy as mx
        from mxpy import engine

        def slow(path):
            time.sleep(0.3)
            with open(path, "w") as f:
                f.write("ok")

        a = mx.nd.ones((3,))
        engine.get().push(slow, ({str(marker)!r},), [], [a._var], a._ctx, "slow_write", 1 << 40)
        b = a * 2  # queued behind the slow op
        """
    r = _run_py(code, {"MXNET_ENGINE_TYPE": "ThreadedEnginePerDevice"})
    assert r.returncode == 0, r.stderr
    assert marker.read_text() == "ok"


def test_large_ops_run_inline_on_one_device_and_on_workers_across_devices():
    eng = ThreadedEngine(inline_max=10)
    where: list = []

    def record():
        where.append(threading.current_thread() is threading.main_thread())

    v0, v1 = Var(), Var()
    for _ in range(3):  # one device only: nothing to overlap, so no handoff
        eng.push(record, (), [], [v0], CPU0, "big", 1000)
    assert where == [True, True, True]
    where.clear()
    cpu1 = mx.cpu(1)
    eng.push(record, (), [], [v1], cpu1, "big", 1000)  # a second device: overlap pays now
    eng.push(record, (), [], [v0], CPU0, "big", 1000)
    _wait_all(eng)
    assert where.count(False) >= 1
    eng.shutdown()
