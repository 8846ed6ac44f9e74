"""MXNet's profiler: timings of every operator the engine runs, as a Chrome trace.

``set_config`` chooses what is recorded and where the trace goes,
``set_state('run')`` starts recording, ``dump`` writes the trace (Chrome's
``chrome://tracing`` and Perfetto open it) and ``dumps`` returns MXNet's
aggregate table. ``Domain``, ``Task``, ``Frame``, ``Event``, ``Counter`` and
``Marker`` add your own ranges, values and instants to the same trace.

Operators appear on one track per thread that ran them (the pushing thread
for small ready ops, the engine's workers for the rest), inside one process
track per device, so ops that overlap in time are visible side by side.

How it costs nothing when off: every push goes through ``engine.push``;
while recording, the profiler gives the current engine instance its own
``push`` (and ``wait_*`` with ``profile_api``) that time each kernel, and it
removes them when recording stops. Nothing on the dispatch path checks a flag.

>>> import mxpy as mx
>>> mx.profiler.set_config(profile_all=True, aggregate_stats=True, filename='/tmp/mxpy_doctest_profile.json')
>>> mx.profiler.set_state('run')
>>> (mx.nd.ones((4, 4)) * 2).wait_to_read()
>>> mx.profiler.set_state('stop')
>>> 'operator' in mx.profiler.dumps(reset=True)
True
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
import weakref
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import engine as _eng
from ._atomic_file import atomic_write
from .base import MXNetError

__all__ = [
    "set_config",
    "set_state",
    "dump",
    "dumps",
    "pause",
    "resume",
    "Domain",
    "Task",
    "Frame",
    "Event",
    "Counter",
    "Marker",
    "scope",
    "profiler_set_config",
    "profiler_set_state",
    "dump_profile",
    "set_kvstore_handle",
]

# MXNet's ProfileConfigParam defaults (src/c_api/c_api_profile.cc): a key left out
# of set_config takes its default again, as there.
_DEFAULTS: dict[str, Any] = {
    "profile_all": False,
    "profile_symbolic": True,
    "profile_imperative": True,
    "profile_memory": True,
    "profile_api": True,
    "filename": "profile.json",
    "continuous_dump": True,
    "dump_period": 1.0,
    "aggregate_stats": False,
    "profile_process": "worker",
}
_BOOL_KEYS = ("profile_all", "profile_symbolic", "profile_imperative", "profile_memory", "profile_api", "continuous_dump", "aggregate_stats")
_SORT_BY = ("total", "avg", "min", "max", "count")
_MEMORY_CATS = ("Device Storage", "Pool Memory")
_API_CAT = "MXNET_C_API"


class _State:
    """Everything the profiler holds; one per process."""

    def __init__(self) -> None:
        self.config = dict(_DEFAULTS)
        self.running = False
        self.paused = False
        self.ever_run = False
        self.lock = threading.Lock()
        # trace records (tuples, see _trace_event), in the order they finished
        self.events: list[tuple] = []
        self.agg_pos = 0  # events before this index are folded into agg
        self.agg: dict[str, dict[str, list]] = {}  # category -> name -> [kind, count, total, min, max]
        self.dumper: threading.Thread | None = None
        self.stop_dumper = threading.Event()
        self.symbolic_code: Any = None
        self.kvstore_handle: Any = None
        self.encoder: Any = None  # the trace being written (_profiler_format.TraceEncoder)

    @property
    def recording(self) -> bool:
        return self.running and not self.paused


_S = _State()
_local = threading.local()  # .scope: operator-name prefix, .category: trace category (custom ops)


def _now_us() -> float:
    return time.perf_counter_ns() / 1000.0


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, (bool, int, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise MXNetError(f"profiler.set_config: {name} must be a boolean, got {value!r}")


# -- configuration and state --------------------------------------------------------------
def set_config(**kwargs: Any) -> None:
    """Set what the profiler records (keyword arguments only; omitted keys take MXNet's defaults).

    Parameters: ``filename`` (trace file, default ``'profile.json'``),
    ``profile_all`` (everything below), ``profile_symbolic`` (ops run by
    executors and Modules), ``profile_imperative`` (``mx.nd`` and autograd
    ops), ``profile_memory`` (bytes of each op's outputs in the trace),
    ``profile_api`` (time spent waiting in ``wait_to_read``/``waitall``),
    ``continuous_dump`` (write the trace every ``dump_period`` seconds and at
    ``set_state('stop')``), ``dump_period`` (seconds), ``aggregate_stats``
    (keep the statistics ``dumps`` prints), ``profile_process``
    (``'worker'``; ``'server'`` needs a distributed KVStore).

    >>> import mxpy as mx
    >>> mx.profiler.set_config(profile_symbolic=True, filename='/tmp/mxpy_doctest_profile.json')
    """
    config = dict(_DEFAULTS)
    for key, value in kwargs.items():
        if key not in _DEFAULTS:
            raise MXNetError(f"profiler.set_config: unknown argument {key!r}; expected one of {', '.join(sorted(_DEFAULTS))}")
        if key in _BOOL_KEYS:
            value = _bool(key, value)
        elif key == "filename":
            value = os.fspath(value)
            if not value:
                raise MXNetError("profiler.set_config: filename must not be empty")
        elif key == "dump_period":
            value = float(value)
            if not value > 0:
                raise MXNetError(f"profiler.set_config: dump_period must be > 0 seconds, got {value}")
        elif key == "profile_process":
            _check_process("set_config", value)
        config[key] = value
    with _S.lock:
        _S.config = config
        if _S.running:
            _install(_eng.get())


def _check_process(api: str, profile_process: str) -> None:
    if profile_process == "server":
        raise MXNetError(f"profiler.{api}: profile_process='server' profiles a distributed KVStore's servers, and this process runs none")
    if profile_process != "worker":
        raise MXNetError(f"profiler.{api}: profile_process must be 'worker' or 'server', got {profile_process!r}")


def set_state(state: str = "stop", profile_process: str = "worker") -> None:
    """Start (``'run'``) or stop (``'stop'``) recording.

    >>> import mxpy as mx
    >>> mx.profiler.set_state('run'); mx.profiler.set_state('stop')
    """
    if state not in ("run", "stop"):
        raise MXNetError(f"profiler.set_state: state must be 'run' or 'stop', got {state!r}")
    _check_process("set_state", profile_process)
    with _S.lock:
        if state == "run":
            if _S.running:
                return
            _S.running = True
            _S.ever_run = True
            _S.paused = False
            _install(_eng.get())
            if _S.config["continuous_dump"]:
                _start_dumper()
            return
        if not _S.running:
            return
        _S.running = False
        _install(_eng.get())
        _stop_dumper()
        continuous = _S.config["continuous_dump"]
    if continuous:
        _write_trace(finished=False)


def pause(profile_process: str = "worker") -> None:
    """Stop recording for a while (``resume`` goes on); the trace so far is kept."""
    _check_process("pause", profile_process)
    with _S.lock:
        _S.paused = True
        _install(_eng.get())


def resume(profile_process: str = "worker") -> None:
    """Go on recording after ``pause``."""
    _check_process("resume", profile_process)
    with _S.lock:
        _S.paused = False
        _install(_eng.get())


def dump(finished: bool = True, profile_process: str = "worker") -> None:
    """Write the trace recorded so far to the configured file (Chrome trace JSON).

    ``finished=True`` ends this trace: what is recorded later starts a new
    one. Without ``set_config(filename=...)`` the file is ``profile.json``
    in the current directory, as in MXNet.

    >>> import mxpy as mx
    >>> mx.profiler.set_config(filename='/tmp/mxpy_doctest_profile.json')
    >>> mx.profiler.set_state('run'); mx.profiler.set_state('stop')
    >>> mx.profiler.dump()
    """
    _check_process("dump", profile_process)
    if not _S.ever_run:
        raise MXNetError("profiler.dump: the profiler has not run; call set_config(...) and set_state('run') first")
    _write_trace(finished=finished is True)


def dumps(reset: bool = False, format: str = "table", sort_by: str = "total", ascending: bool = False) -> str:  # noqa: A002 - MXNet's name
    """MXNet's aggregate statistics (needs ``set_config(aggregate_stats=True)``).

    ``format`` is ``'table'`` or ``'json'``; ``sort_by`` one of ``'total'``,
    ``'avg'``, ``'min'``, ``'max'``, ``'count'``; ``reset`` clears the
    statistics after printing them. Times are in ms, memory in kB.

    >>> import mxpy as mx
    >>> isinstance(mx.profiler.dumps(format='json'), str)
    True
    """
    if format not in ("table", "json"):
        raise MXNetError(f"profiler.dumps: invalid value for format: {format!r}; supported: 'table', 'json'")
    if sort_by not in _SORT_BY:
        raise MXNetError(f"profiler.dumps: invalid value for sort_by: {sort_by!r}; supported: {', '.join(_SORT_BY)}")
    if ascending not in (True, False):
        raise MXNetError(f"profiler.dumps: invalid value for ascending: {ascending!r}; supported: True, False")
    with _S.lock:
        _fold()
        if not _S.config["aggregate_stats"] and not _S.agg:
            text = ""
        else:
            from ._profiler_format import stats_json, stats_table

            text = (stats_table if format == "table" else stats_json)(_S.agg, sort_by, bool(ascending))
        if reset:
            _S.agg = {}
    return text


def profiler_set_config(mode: str = "symbolic", filename: str = "profile.json") -> None:
    """Deprecated form of ``set_config(profile_<mode>=True, filename=...)``."""
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use profiler.set_config() instead", DeprecationWarning, stacklevel=2)
    if mode not in ("symbolic", "imperative", "api", "memory", "all"):
        raise MXNetError(f"profiler.profiler_set_config: unknown mode {mode!r}")
    set_config(**{"profile_" + mode: True, "filename": filename})


def profiler_set_state(state: str = "stop") -> None:
    """Deprecated form of ``set_state``."""
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use profiler.set_state() instead", DeprecationWarning, stacklevel=2)
    set_state(state)


def dump_profile() -> None:
    """Deprecated form of ``dump(True)``."""
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead", DeprecationWarning, stacklevel=2)
    dump(True)


def set_kvstore_handle(handle: Any) -> None:
    """Kept for MXNet scripts; server profiling needs a distributed KVStore, which mxpy runs in-process."""
    _S.kvstore_handle = handle


# -- the engine hooks ------------------------------------------------------------------------
class _Timed:
    """A kernel wrapped to record when and on which thread it ran."""

    __slots__ = ("fn", "name", "cat", "ctx", "mode")

    def __init__(self, fn, name: str, cat: str, ctx, mode: str) -> None:
        self.fn = fn
        self.name = name
        self.cat = cat
        self.ctx = ctx
        self.mode = mode

    def __call__(self, *args):
        t0 = _now_us()
        try:
            return self.fn(*args)
        finally:
            t1 = _now_us()
            if _S.recording:
                _S.events.append(("X", self.name, self.cat, _ctx_track(self.ctx), threading.get_ident(), t0, t1 - t0, _describe(args, self.mode)))


def _ctx_track(ctx) -> str:
    if ctx is None or not hasattr(ctx, "device_type"):
        return "cpu/0"
    return f"{ctx.device_type}/{ctx.device_id}"


def _arrays(seq) -> bool:
    return isinstance(seq, (list, tuple)) and all(hasattr(a, "shape") and hasattr(a, "nbytes") for a in seq)


def _describe(args: tuple, mode: str) -> dict | None:
    """Input/output shapes (and bytes written with profile_memory) from a kernel's arguments.

    Op kernels take ``(params, inputs, outputs, req, runtime)`` (executors on
    a GPU put the kernel first); copy kernels take arrays directly. Only runs
    while profiling.
    """
    ins = outs = None
    for i in range(len(args) - 1):
        if _arrays(args[i]) and _arrays(args[i + 1]):
            ins, outs = args[i], args[i + 1]
            break
    if ins is None:
        arrays = [a for a in args if hasattr(a, "shape") and hasattr(a, "nbytes")]
        if not arrays:
            return None
        ins, outs = arrays[:-1], arrays[-1:]
    info: dict[str, Any] = {"inputs": [list(a.shape) for a in ins], "outputs": [list(a.shape) for a in outs], "mode": mode}
    if _S.config["profile_memory"] or _S.config["profile_all"]:
        info["bytes"] = int(sum(int(a.nbytes) for a in outs))
    return info


def _symbolic_code():
    if _S.symbolic_code is None:
        from .executor import _push_step  # every executor step (and replayed backward) is pushed here

        _S.symbolic_code = _push_step.__code__
    return _S.symbolic_code


def _make_push(engine):
    base_push = type(engine).push.__get__(engine)
    sym_code = _symbolic_code()
    cfg = _S.config
    want_sym = cfg["profile_symbolic"] or cfg["profile_all"]
    want_imp = cfg["profile_imperative"] or cfg["profile_all"]

    def push(fn, args, reads, writes, ctx, name, cost=0):
        symbolic = sys._getframe(1).f_code is sym_code
        if want_sym if symbolic else want_imp:
            prefix = getattr(_local, "scope", None)
            cat = getattr(_local, "category", None) or "operator"
            label = name
            # an op whose params know better names itself (custom operators: 'Custom Operator',
            # '<op_type>::pure_python'); see _category for the ops their code pushes
            labeller = getattr(args[0], "profiler_label", None) if args else None
            if labeller is not None:
                cat, label = labeller(name)
            fn = _Timed(fn, prefix + label if prefix else label, cat, ctx, "symbolic" if symbolic else "imperative")
        base_push(fn, args, reads, writes, ctx, name, cost)

    return push


def _make_wait(engine, method: str, api_name: str):
    base = getattr(type(engine), method).__get__(engine)

    def wait(*args):
        t0 = _now_us()
        try:
            return base(*args)
        finally:
            if _S.recording:
                _S.events.append(("X", api_name, _API_CAT, _API_CAT, threading.get_ident(), t0, _now_us() - t0, None))

    return wait


_HOOKED = ("push", "wait_read", "wait_write", "wait_all")


class _HostMemory:
    """``Memory: cpu/0`` in MXNet's 'Device Storage' category: bytes of NDArray host buffers
    allocated while recording and not yet freed (a counter event at each change).

    While recording with profile_memory, NDArray's host allocator (the module
    global ``_np_empty`` every new NDArray goes through) is replaced by one
    that counts each buffer and watches it with a finalizer; when not
    recording the global is NumPy's own ``empty`` again, so it costs nothing.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_use = 0

    def allocate(self, shape, dtype=float):
        arr = np.empty(shape, dtype)
        n = int(arr.nbytes)
        if n and _S.recording:
            self.change(n)
            weakref.finalize(arr, self.change, -n)
        return arr

    def change(self, delta: int) -> None:
        with self.lock:
            self.in_use += delta
            value = self.in_use
        if _S.recording:
            _S.events.append(("C", "Memory: cpu/0", "Device Storage", "Device Storage", threading.get_ident(), _now_us(), value, None))


_HOST_MEMORY = _HostMemory()


def _install_memory(on: bool) -> None:
    from .ndarray import ndarray as nd_module

    nd_module._np_empty = _HOST_MEMORY.allocate if on else np.empty


def _install(engine) -> None:
    """Give ``engine`` the instrumented methods while recording, remove them otherwise."""
    for attr in _HOOKED:
        engine.__dict__.pop(attr, None)
    cfg = _S.config
    _install_memory(_S.recording and (cfg["profile_memory"] or cfg["profile_all"]))
    if not _S.recording:
        return
    if cfg["profile_symbolic"] or cfg["profile_imperative"] or cfg["profile_all"]:
        engine.push = _make_push(engine)
    if cfg["profile_api"] or cfg["profile_all"]:
        engine.wait_read = _make_wait(engine, "wait_read", "MXNDArrayWaitToRead")
        engine.wait_write = _make_wait(engine, "wait_write", "MXNDArrayWaitToWrite")
        engine.wait_all = _make_wait(engine, "wait_all", "MXNDArrayWaitAll")


def _on_engine_switch(engine) -> None:
    with _S.lock:
        _install(engine)


_eng.on_switch(_on_engine_switch)


@contextmanager
def scope(name: str = "<unk>:", append_mode: bool = False):
    """Prefix the names of operators pushed inside the block with ``name`` (from MXNet 2.0).

    ``append_mode=True`` adds ``name`` to the enclosing scope's prefix.

    >>> import mxpy as mx
    >>> with mx.profiler.scope('layer1:'):
    ...     _ = mx.nd.ones((2,)) + 1
    """
    if not isinstance(name, str):
        raise MXNetError(f"profiler.scope: name must be a string, got {type(name).__name__}")
    old = getattr(_local, "scope", None)
    _local.scope = (old or "") + name if append_mode else name
    try:
        yield
    finally:
        _local.scope = old


@contextmanager
def _category(category: str, prefix: str):
    """Ops pushed inside go to trace/aggregate ``category`` named ``prefix + op`` (custom operators)."""
    old = getattr(_local, "category", None), getattr(_local, "scope", None)
    _local.category, _local.scope = category, prefix
    try:
        yield
    finally:
        _local.category, _local.scope = old


# -- user objects ---------------------------------------------------------------------------
class Domain:
    """A named group for tasks, frames, counters and markers (a track of its own in the trace).

    >>> import mxpy as mx
    >>> str(mx.profiler.Domain('PythonDomain'))
    'PythonDomain'
    """

    def __init__(self, name: str) -> None:
        self.name = str(name)

    def __str__(self) -> str:
        return self.name

    def new_task(self, name: str) -> Task:
        """A :class:`Task` in this domain."""
        return Task(self, name)

    def new_frame(self, name: str) -> Frame:
        """A :class:`Frame` in this domain."""
        return Frame(self, name)

    def new_counter(self, name: str, value: int | None = None) -> Counter:
        """A :class:`Counter` in this domain, set to ``value`` when given."""
        return Counter(self, name, value)

    def new_marker(self, name: str) -> Marker:
        """A :class:`Marker` in this domain."""
        return Marker(self, name)


def _check_domain(api: str, domain: Any) -> Domain:
    if not isinstance(domain, Domain):
        raise MXNetError(f"profiler.{api}: domain must be a profiler.Domain, got {type(domain).__name__}")
    return domain


class _Duration:
    """start()/stop() timing recorded as one complete event on the calling thread."""

    _cat_suffix = ""

    def __init__(self, category: str, name: str) -> None:
        self.name = str(name)
        self._cat = category
        self._t0: float | None = None

    def start(self) -> None:
        """Start timing."""
        self._t0 = _now_us()

    def stop(self) -> None:
        """Stop timing and record the range (if the profiler is recording)."""
        if self._t0 is None:
            raise MXNetError(f"profiler.{type(self).__name__} {self.name!r}: stop() without start()")
        t0, self._t0 = self._t0, None
        if _S.recording:
            _S.events.append(("X", self.name, self._cat, self._cat, threading.get_ident(), t0, _now_us() - t0, None))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __str__(self) -> str:
        return self.name


class Task(_Duration):
    """A named range of work in a domain; tasks on one thread nest.

    >>> import mxpy as mx
    >>> t = mx.profiler.Task(mx.profiler.Domain('D'), 'load'); t.start(); t.stop()
    """

    def __init__(self, domain: Domain, name: str) -> None:
        super().__init__(_check_domain("Task", domain).name, name)
        self.domain = domain


class Frame(_Duration):
    """A named range that repeats (an iteration); aggregated under ``'<domain>,frame'``.

    >>> import mxpy as mx
    >>> f = mx.profiler.Frame(mx.profiler.Domain('D'), 'iter'); f.start(); f.stop()
    """

    def __init__(self, domain: Domain, name: str) -> None:
        super().__init__(_check_domain("Frame", domain).name + ",frame", name)
        self.domain = domain


class Event(_Duration):
    """A named range outside any domain; aggregated under ``'event'``.

    >>> import mxpy as mx
    >>> e = mx.profiler.Event('step'); e.start(); e.stop()
    """

    def __init__(self, name: str) -> None:
        super().__init__("event", name)


class Counter:
    """A named integer value over time (a counter track in the trace).

    >>> import mxpy as mx
    >>> c = mx.profiler.Counter(mx.profiler.Domain('D'), 'queued', 5)
    >>> c += 2; c -= 1
    >>> c.value
    6
    """

    def __init__(self, domain: Domain, name: str, value: int | None = None) -> None:
        self.name = str(name)
        self.domain = _check_domain("Counter", domain)
        self.value = 0
        if value is not None:
            self.set_value(value)

    def _record(self) -> None:
        if _S.recording:
            _S.events.append(("C", self.name, self.domain.name, self.domain.name, threading.get_ident(), _now_us(), self.value, None))

    def set_value(self, value: int) -> None:
        """Set the counter to ``value``."""
        self.value = int(value)
        self._record()

    def increment(self, delta: int = 1) -> None:
        """Add ``delta``."""
        self.value += int(delta)
        self._record()

    def decrement(self, delta: int = 1) -> None:
        """Subtract ``delta``."""
        self.value -= int(delta)
        self._record()

    def __iadd__(self, delta: int) -> Counter:
        self.increment(delta)
        return self

    def __isub__(self, delta: int) -> Counter:
        self.decrement(delta)
        return self

    def __str__(self) -> str:
        return self.name


_MARKER_SCOPES = {"global": "g", "process": "p", "thread": "t", "task": "t", "marker": "t"}


class Marker:
    """An instant in time, drawn across the given scope of the trace.

    >>> import mxpy as mx
    >>> mx.profiler.Marker(mx.profiler.Domain('D'), 'epoch 1').mark('process')
    """

    def __init__(self, domain: Domain, name: str) -> None:
        self.name = str(name)
        self.domain = _check_domain("Marker", domain)

    def mark(self, scope: str = "process") -> None:
        """Record the instant; ``scope`` is 'global', 'process', 'thread', 'task' or 'marker'."""
        if scope not in _MARKER_SCOPES:
            raise MXNetError(f"profiler.Marker.mark: scope must be one of {', '.join(_MARKER_SCOPES)}, got {scope!r}")
        if _S.recording:
            cat = self.domain.name + ",instant_marker"
            _S.events.append(("i", self.name, cat, self.domain.name, threading.get_ident(), _now_us(), _MARKER_SCOPES[scope], None))

    def __str__(self) -> str:
        return self.name


# -- statistics and the trace file --------------------------------------------------------------
def _fold() -> None:
    """Add events recorded since the last fold to the aggregate statistics (lock held)."""
    events = _S.events
    end = len(events)
    if not _S.config["aggregate_stats"]:
        _S.agg_pos = end
        return
    agg = _S.agg
    for i in range(_S.agg_pos, end):
        kind, name, cat, _track, _tid, _ts, value, _args = events[i]
        table = agg.setdefault(cat, {})
        if kind == "i":
            continue  # markers name their category (as MXNet lists it) but have no statistics
        row = table.get(name)
        if row is None:
            table[name] = ["C" if kind == "C" else "X", 1, value, value, value]
        else:
            row[1] += 1
            row[2] = value if kind == "C" else row[2] + value  # a counter's total is its latest value
            row[3] = min(row[3], value)
            row[4] = max(row[4], value)
    _S.agg_pos = end


def _write_trace(finished: bool) -> None:
    """Write the trace so far, atomically; events recorded since the last dump are encoded once and dropped."""
    from ._profiler_format import TraceEncoder

    with _S.lock:
        _fold()
        events = _S.events
        _S.events = []
        _S.agg_pos = 0
        path = _S.config["filename"]
        encoder = _S.encoder
        if encoder is None or encoder.path != path:
            encoder = _S.encoder = TraceEncoder(path)
        encoder.append(events)
        if finished:  # the next dump starts a new trace
            _S.encoder = None
        # under the lock: a periodic dump and a user's dump must not overtake each other
        atomic_write(path, encoder.chunks(), func="profiler.dump")


def _start_dumper() -> None:
    _S.stop_dumper = stop = threading.Event()
    period = _S.config["dump_period"]

    def loop() -> None:
        while not stop.wait(period):
            try:
                _write_trace(finished=False)
            except OSError:  # the next period or the final dump reports it
                pass

    _S.dumper = threading.Thread(target=loop, name="mxpy-profiler-dump", daemon=True)
    _S.dumper.start()


def _stop_dumper() -> None:
    _S.stop_dumper.set()
    _S.dumper = None


def _reset_for_tests() -> None:
    """Stop recording and forget everything (tests)."""
    with _S.lock:
        _S.running = _S.paused = _S.ever_run = False
        _stop_dumper()
        _install(_eng.get())
        _S.config = dict(_DEFAULTS)
        _S.events = []
        _S.agg = {}
        _S.agg_pos = 0
        _S.encoder = None
