"""The CPU-load governor of ``mxpy/backend/cpu_threads.py`` on simulated load.

It reads other processes' CPU use from ``/proc/stat`` and lowers OpenBLAS's (and
split mode's) thread count to the cores they leave free, with hysteresis, never
above the count OpenBLAS started with and never below one; split mode's
single-thread holds put the governor's count back when they end.
"""

from __future__ import annotations

import pytest

from mxpy.backend import cpu_threads as ct


class _FakeSetter:
    """Stands in for openblas_set_num_threads_local: returns the previous count."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls: list[int] = []

    def __call__(self, n: int) -> int:
        prev, self.n = self.n, n
        self.calls.append(n)
        return prev


def _governor(base: int, monkeypatch, pool=None) -> tuple[ct._Governor, _FakeSetter]:
    monkeypatch.setattr(ct, "_pool", pool)
    g = ct._Governor()
    setter = _FakeSetter(base)
    g._base, g._setter, g._enabled = base, setter, True
    return g, setter


def test_read_busy_parses_proc_stat(tmp_path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 5 20 400 7 1 2 3 0 0\ncpu0 50 0 10 200 3 0 1 1 0 0\ncpu1 50 5 10 200 4 1 1 2 0 0\nintr 1 2\n")
    busy, cpus = ct._read_busy(str(stat))
    assert cpus == 2
    assert busy == pytest.approx((100 + 5 + 20 + 1 + 2 + 3) / ct._CLK_TCK)  # idle and iowait left out
    stat.write_text("garbage\n")
    assert ct._read_busy(str(stat)) is None
    assert ct._read_busy(str(tmp_path / "missing")) is None


def test_busy_neighbour_takes_a_thread_and_gives_it_back(monkeypatch):
    g, setter = _governor(2, monkeypatch)
    assert g.decide(0.05, 2) == 2  # quiet: OpenBLAS keeps its two threads
    assert g.decide(1.0, 2) == 1  # a busy process on the other core
    assert setter.n == 1
    assert g.decide(0.4, 2) == 1  # hysteresis: not back up until the load is clearly gone
    assert g.decide(0.1, 2) == 2
    assert setter.n == 2
    assert g.decide(0.4, 2) == 2  # ... nor down for a light one
    assert g.decide(1.9, 2) == 1  # never below one


def test_many_cores_and_never_above_the_start_count(monkeypatch):
    g, setter = _governor(8, monkeypatch)
    assert g.decide(3.0, 8) == 5
    assert g.decide(0.0, 8) == 8
    g2, _ = _governor(4, monkeypatch)
    assert g2.decide(0.0, 16) == 4  # OpenBLAS started with 4: the governor only takes threads away


def test_split_holds_restore_the_governed_count(monkeypatch):
    setter = _FakeSetter(2)
    blas = ct._SingleBlas(setter, True)
    pool = ct._Pool(1, blas)  # no helper threads needed
    g, _ = _governor(2, monkeypatch, pool)
    token = blas.hold()
    assert setter.n == 1
    g.decide(1.0, 2)  # load appears during a split-mode run: the hold keeps 1 for now
    assert setter.n == 1
    blas.release(token)
    assert setter.n == 1  # and the governed count, not the old 2, comes back
    g.decide(0.0, 2)
    assert setter.n == 2


def test_split_threads_follow_the_governor(monkeypatch):
    setter = _FakeSetter(2)
    monkeypatch.setattr(ct, "_pool_checked", True)
    g, _ = _governor(2, monkeypatch, ct._Pool(1, ct._SingleBlas(setter, True)))
    monkeypatch.setattr(ct._pool, "threads", 2)
    monkeypatch.setattr(ct, "_governor", g)
    assert ct.split_threads() == 2
    g.decide(1.0, 2)
    assert ct.split_threads() == 1
    assert ct.split_threads(governed=False) == 2  # what executors choose split mode from


def test_tick_samples_other_processes_load(monkeypatch):
    g, setter = _governor(2, monkeypatch)
    g.interval = 0.0
    clock = iter([10.0, 11.0, 12.0, 13.0])
    # busy seconds over all CPUs, and this process's own CPU seconds, at each sample
    busy = iter([100.0, 102.0, 103.0, 104.1])
    mine = iter([5.0, 6.0, 7.0, 8.0])
    monkeypatch.setattr(ct, "_monotonic", lambda: next(clock))
    monkeypatch.setattr(ct, "_process_time", lambda: next(mine))
    monkeypatch.setattr(ct, "_read_busy", lambda path="/proc/stat": (next(busy), 2))
    g.tick()  # first sample: nothing to compare with
    assert g.allowed == 0
    g.tick()  # 2 busy core-seconds in 1 s, 1 of them ours: another process holds a core
    assert g.allowed == 1 and setter.n == 1
    g.tick()  # 1 busy, all ours: the neighbour left
    assert g.allowed == 2 and setter.n == 2
    g.tick()  # 1.1 busy, 1 ours: 0.1 cores of other load changes nothing
    assert g.allowed == 2


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv("MXPY_ADAPT_THREADS", "0")
    g = ct._Governor()
    g.tick()
    assert g._enabled is False and g.allowed == 0
    g.tick()  # stays off without reading anything
    assert g.allowed == 0
