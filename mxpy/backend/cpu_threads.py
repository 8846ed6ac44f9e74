"""Batch-split parallelism for large CPU kernels: a few helper threads, one BLAS thread each.

NumPy's ufuncs and copies run on one core, and NumPy's OpenBLAS parallelizes
only GEMMs, and gains little on a convolution's products and copies (LeNet's
convolution backward on the 2-vCPU test box: 9.4 ms per batch with one
OpenBLAS thread, 6.5-7.0 ms with two). Real MXNet runs such kernels with
OpenMP over the batch. mxpy does the same with threads: a kernel is run on
``parts`` slices of its batch at once, the calling thread taking the first
slice and helper threads the others (NumPy releases the GIL inside its
loops and BLAS calls): 5.7 ms for the same convolution backward. While the
slices run, OpenBLAS is asked for one thread
(``openblas_set_num_threads_local``), so they do not also fight over
OpenBLAS's own workers; the count is restored when the last hold ends. (In
NumPy's pthreads build that setting is process-wide despite its name: a GEMM
in another thread during a split also runs on one thread. :class:`_SingleBlas`
counts the holders so that overlapping holds restore the right count.) Which kernels
split, and when, is ``ops/_split.py``'s business.

How many threads: ``MXPY_SPLIT_THREADS`` when set (``0`` or ``1`` turns
splitting off and leaves OpenBLAS alone), else ``OMP_NUM_THREADS`` (MXNet's
intra-op knob), else the CPUs this process may run on. Splitting also needs
an OpenBLAS with ``openblas_set_num_threads_local`` (NumPy's own wheels have
it: OpenBLAS 0.3.27 and later); without it, kernels run whole. One split
runs at a time: a kernel that finds the helpers busy (another engine worker
is splitting) runs whole instead of queueing.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence

_MAX_THREADS = 8


def _env_int(env, name: str) -> int | None:
    try:
        return int(env.get(name, ""))
    except ValueError:
        return None


def _configured_threads(environ=None) -> int:
    """``MXPY_SPLIT_THREADS`` if set (0 or 1: off), else ``OMP_NUM_THREADS`` if it is a
    positive integer, else the usable CPU count; at most 8."""
    env = os.environ if environ is None else environ
    own = _env_int(env, "MXPY_SPLIT_THREADS")
    if own is not None:
        return max(1, min(own, _MAX_THREADS))
    n = _env_int(env, "OMP_NUM_THREADS") or 0
    if n < 1:
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n, _MAX_THREADS))


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries in this process (NumPy's first)."""
    import numpy

    found = sorted(glob.glob(os.path.join(os.path.dirname(numpy.__file__), "..", "numpy.libs", "*openblas*")))
    try:
        with open("/proc/self/maps") as maps:
            found += sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
    except OSError:
        pass
    return found


def _blas_local_setter():
    """OpenBLAS's ``openblas_set_num_threads_local(n) -> previous``, or None."""
    for path in _loaded_openblas():
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes = [ctypes.c_int]
        fn.restype = ctypes.c_int
        return fn
    return None


def _is_process_wide(setter) -> bool:
    """Does a count set in one thread show in another (NumPy's pthreads OpenBLAS: yes)?"""
    mine = setter(1)
    seen: list[int] = []

    def probe() -> None:
        seen.append(setter(1))  # the count this thread had: 1 if it is shared
        setter(seen[0])

    t = threading.Thread(target=probe)
    t.start()
    t.join()
    setter(mine)
    return mine == 1 or seen[0] == 1  # when both were 1 already, treating it as shared is safe


class _SingleBlas:
    """Holds OpenBLAS at one thread while anyone needs it.

    Where the setting is process-wide, holders are counted: the first one saves
    the count and sets 1, the last one puts the saved count back, so executors
    run from several threads at once cannot leave it stuck at 1. Where it is
    per thread, each holder sets and restores its own.
    """

    def __init__(self, setter, process_wide: bool) -> None:
        self.set = setter
        self._wide = process_wide
        self._lock = threading.Lock()
        self._holders = 0
        self._saved = 0

    def hold(self) -> int:
        if not self._wide:
            return self.set(1)
        with self._lock:
            if self._holders == 0:
                self._saved = self.set(1)
            self._holders += 1
        return 0

    def release(self, token: int) -> None:
        if not self._wide:
            self.set(token)
            return
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                self.set(self._saved)

    def rebase(self, n: int) -> None:
        """Make ``n`` the count OpenBLAS runs with outside holds (now, or when the last hold ends)."""
        with self._lock:
            if self._wide and self._holders:
                self._saved = n
            else:
                self.set(n)

    def lend(self) -> bool:
        """Inside a hold, give OpenBLAS its saved count back (until :meth:`take_back`);
        False when there is nothing to lend (no hold, or per-thread settings)."""
        if not self._wide:
            return False
        with self._lock:
            if self._holders == 0:
                return False
            self.set(self._saved)
            return True

    def take_back(self) -> None:
        with self._lock:
            if self._holders:
                self.set(1)


class _Pool:
    """``threads - 1`` daemon helpers fed through one queue each."""

    def __init__(self, threads: int, blas: _SingleBlas) -> None:
        self.threads = threads
        self.blas = blas
        self._busy = threading.Lock()
        self._queues: list[queue.SimpleQueue] = []
        for i in range(threads - 1):
            q: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(target=self._helper, args=(q,), name=f"mxpy-split-{i}", daemon=True).start()
            self._queues.append(q)

    def _helper(self, q: queue.SimpleQueue) -> None:
        while True:
            fn, done = q.get()
            token = self.blas.hold()
            error = None
            try:
                fn()
            except BaseException as e:  # noqa: B036 - handed back to the caller, which re-raises it
                error = e
            finally:
                self.blas.release(token)  # before reporting: the caller's hold ends last
            done.put(error)
            # an idle helper must not keep its last part (and the arrays it closes over) alive
            fn = done = error = None

    def run(self, parts: Sequence[Callable[[], None]]) -> bool:
        """Run the callables at once (this thread takes the first); False if the helpers are busy.

        Returns only after every part has finished; the first exception is re-raised.
        """
        if len(parts) > self.threads or not self._busy.acquire(blocking=False):
            return False
        token = self.blas.hold()
        try:
            done: queue.SimpleQueue = queue.SimpleQueue()
            for fn, q in zip(parts[1:], self._queues):
                q.put((fn, done))
            error = None
            try:
                parts[0]()
            except BaseException as e:  # noqa: B036 - the helpers' parts must finish first
                error = e
            for _ in parts[1:]:
                e = done.get()
                if error is None and e is not None:
                    error = e
            if error is not None:
                raise error
            return True
        finally:
            self.blas.release(token)
            self._busy.release()


_pool: _Pool | None = None
_pool_checked = False
_pool_lock = threading.Lock()


def _get_pool() -> _Pool | None:
    global _pool, _pool_checked
    if not _pool_checked:
        with _pool_lock:
            if not _pool_checked:
                threads = _configured_threads()
                setter = _blas_local_setter() if threads > 1 else None
                _pool = _Pool(threads, _SingleBlas(setter, _is_process_wide(setter))) if setter is not None else None
                _pool_checked = True
    return _pool


def _forget_pool_in_child() -> None:
    # a forked child has none of the helper threads: it makes its own pool on first use
    global _pool, _pool_checked
    _pool, _pool_checked = None, False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def split_threads(governed: bool = True) -> int:
    """How many threads a split kernel may use (1: splitting is off).

    ``governed``: as the CPU-load governor allows now (see the end of this module);
    False gives the configured count (an executor chooses split mode from that at bind
    time, so a busy moment then does not turn it off for good).

    >>> split_threads() >= 1
    True
    """
    pool = _get_pool()
    if pool is None:
        return 1
    return min(pool.threads, _governor.allowed) if governed and _governor.allowed else pool.threads


def hold_single_blas() -> int | None:
    """Hold OpenBLAS at one thread until :func:`release_single_blas` (holds nest and may
    come from several threads); None, changing nothing, when splitting is off.

    >>> token = hold_single_blas()
    >>> release_single_blas(token)
    """
    pool = _get_pool()
    return pool.blas.hold() if pool is not None else None


def release_single_blas(token: int | None) -> None:
    """End a :func:`hold_single_blas`; the last hold out restores OpenBLAS's count."""
    if token is not None:
        _get_pool().blas.release(token)


@contextlib.contextmanager
def own_blas_threads():
    """Inside a split-mode run, let one large product use OpenBLAS's own thread count.

    >>> with own_blas_threads():
    ...     pass
    """
    pool = _get_pool()
    lent = pool is not None and pool.blas.lend()
    try:
        yield
    finally:
        if lent:
            pool.blas.take_back()


def run_split(parts: Sequence[Callable[[], None]]) -> bool:
    """Run ``parts`` (at most :func:`split_threads` callables) at once; False, running
    nothing, when splitting is off or another split holds the helpers.

    >>> out = []
    >>> ran = run_split([lambda: out.append(1), lambda: out.append(2)])
    >>> sorted(out) == [1, 2] if ran else out == []
    True
    """
    pool = _get_pool()
    return pool is not None and pool.run(parts)


# --------------------------------------------------------------------------
# threads under CPU load
#
# OpenBLAS hands every product above a small size to its worker threads and
# waits for all of them. When another process keeps a core busy, the worker
# on that core runs only when the scheduler gives it a slice, so each product
# waits for it: on the 2-vCPU test box an LSTM epoch (bench/lstm_case.py) ran
# 7.7x slower with OpenBLAS's default 2 threads than with 1 while the box was
# busy (2947 vs 381 ms a batch), with the process mostly idle. So mxpy watches
# how much CPU *other* processes use (``/proc/stat``'s busy time minus this
# process's own CPU time, over the last quarter second) and runs OpenBLAS, and
# split mode, on the cores that are left: never more threads than OpenBLAS
# started with, never fewer than one. ``MXPY_ADAPT_THREADS=0`` turns it off.
# --------------------------------------------------------------------------


def _read_busy(path: str = "/proc/stat") -> tuple[float, int] | None:
    """(seconds of busy CPU time summed over all CPUs, CPU count) from ``/proc/stat``, or None."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    head = lines[0].split() if lines else []
    if len(head) < 5 or head[0] != "cpu":
        return None
    v = [int(x) for x in head[1:9]]  # user nice system idle iowait irq softirq steal
    busy = sum(v) - v[3] - (v[4] if len(v) > 4 else 0)
    cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    return busy / _CLK_TCK, max(cpus, 1)


_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# the governor's clocks (module names, so tests can drive them)
_monotonic = time.monotonic
_process_time = time.process_time


class _Governor:
    """Chooses OpenBLAS's thread count from the CPU time other processes take (see above).

    ``tick()`` is called before each executor run; it costs a clock read except once per
    ``interval`` seconds, when it samples ``/proc/stat``. ``allowed`` is the thread count
    in force (0: not deciding, leave everything as it is).
    """

    interval = 0.25
    # other processes' load (in cores) that takes a thread away / gives it back (hysteresis)
    down_at = 0.5
    up_below = 0.3

    def __init__(self) -> None:
        self.allowed = 0
        self._next = 0.0
        self._last: tuple | None = None
        self._base = 0
        self._setter = None
        self._enabled: bool | None = None
        self._lock = threading.Lock()

    def _start(self) -> bool:
        self._enabled = False
        if os.environ.get("MXPY_ADAPT_THREADS", "1").strip() in ("0", "false", "False", "off"):
            return False
        setter = _blas_local_setter()
        if setter is None or _read_busy() is None:
            return False
        self._base = setter(1)  # the count OpenBLAS started with (set back just below)
        setter(self._base)
        self._setter = setter
        self._enabled = self._base > 1 and _is_process_wide(setter)
        return self._enabled

    def tick(self) -> None:
        now = _monotonic()
        if now < self._next:
            return
        with self._lock:
            if now < self._next:
                return
            self._next = now + self.interval
            if self._enabled is None and not self._start():
                self._next = float("inf")
                return
            sample = _read_busy()
            mine = _process_time()
            if sample is None:
                return
            last, self._last = self._last, (now, sample[0], mine)
            if last is None:
                return
            wall = now - last[0]
            other = max(0.0, (sample[0] - last[1]) - (mine - last[2])) / wall if wall > 0 else 0.0
            self.decide(other, sample[1])

    def decide(self, other: float, cpus: int) -> int:
        """Set the thread count for ``other`` cores' worth of other processes' load on ``cpus`` CPUs."""
        current = self.allowed or self._base
        free = cpus - other
        if free < current - self.down_at:
            want = max(1, int(free + 1 - self.down_at))
        elif free > current + 1 - self.up_below:
            want = int(free + self.up_below)
        else:
            want = current
        want = max(1, min(self._base, want))
        if want != current or not self.allowed:
            pool = _pool
            if pool is not None:  # split mode's holds put this count back when they end
                pool.blas.rebase(want)
            else:
                self._setter(want)
            self.allowed = want
        return want


_governor = _Governor()


def adapt_threads() -> None:
    """Fit OpenBLAS's (and split mode's) thread count to the CPUs other processes leave free.

    Called by executors before each run; cheap (a clock read) between samples.

    >>> adapt_threads()
    """
    _governor.tick()
