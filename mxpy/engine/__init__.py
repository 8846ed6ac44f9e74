"""The dependency engine: ``push`` work with its read/write Vars; ``wait``.

The engine is chosen at import by ``MXNET_ENGINE_TYPE`` (``NaiveEngine``,
``ThreadedEngine``, ``ThreadedEnginePerDevice``; the two threaded names are
the same engine here) and can be switched with :func:`set_engine`.

>>> from mxpy import engine
>>> engine.get().name in ("NaiveEngine", "ThreadedEngine")
True
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from contextlib import contextmanager

from .naive import EngineBase, NaiveEngine, _check_name
from .threaded import ThreadedEngine, _sync
from .var import Failure, Var, user_origin

__all__ = [
    "Var",
    "Failure",
    "NaiveEngine",
    "ThreadedEngine",
    "get",
    "set_engine",
    "engine_type",
    "user_origin",
    "EngineBase",
    "bulk",
    "set_bulk_size",
    "synchronous",
    "on_switch",
]


def _make(name: str | EngineBase) -> EngineBase:
    if isinstance(name, EngineBase):
        return name
    _check_name(name)
    return NaiveEngine() if name == "NaiveEngine" else ThreadedEngine()


_current: EngineBase = _make(os.environ.get("MXNET_ENGINE_TYPE", "ThreadedEnginePerDevice"))


# Called with each engine that becomes current. The profiler instruments an engine by
# giving the instance its own ``push``/``wait_*`` attributes (every caller looks up
# ``_current.push`` anyway, so an engine that is not profiled pays nothing) and
# uses this to instrument a newly switched-in engine too.
_switch_hooks: list[Callable[[EngineBase], None]] = []


def on_switch(hook: Callable[[EngineBase], None]) -> None:
    """Call ``hook(engine)`` whenever a new engine becomes current (set_engine, engine_type)."""
    if hook not in _switch_hooks:
        _switch_hooks.append(hook)


def _switched() -> None:
    for hook in _switch_hooks:
        hook(_current)


def get() -> EngineBase:
    """The engine every push goes to."""
    return _current


def set_engine(name: str | EngineBase) -> EngineBase:
    """Finish all work on the current engine and switch to ``name``; returns the old one.

    ``name`` is an MXNet engine name or an engine instance (tests use
    ``ThreadedEngine(inline_max=..., max_inflight=...)``).

    >>> from mxpy import engine
    >>> old = engine.set_engine("NaiveEngine")
    >>> engine.get().name
    'NaiveEngine'
    >>> _ = engine.set_engine(old.name)
    """
    global _current
    new = _make(name)
    old = _current
    old.shutdown()
    _current = new
    _switched()
    return old


@contextmanager
def engine_type(name: str | EngineBase):
    """``with engine_type('NaiveEngine'):`` runs the block under that engine (tests).

    The previous engine comes back afterwards (a fresh one with the same
    settings, since switching shut the old one's workers down).
    """
    old = set_engine(name)
    try:
        yield _current
    finally:
        _current.shutdown()
        _restore(old)


def _restore(engine: EngineBase) -> None:
    global _current
    if isinstance(engine, ThreadedEngine):
        engine = ThreadedEngine(engine.inline_max, engine.max_inflight, engine.nthreads)
    _current = engine
    _switched()


_bulk_size = 15  # MXNet's default imperative bulk size (MXNET_EXEC_BULK_EXEC_MAX_NODE_TRAIN)


def set_bulk_size(size: int) -> int:
    """Set how many imperative ops MXNet would group into one engine push; returns the old size.

    mxpy's engine already runs small ready ops inline (no per-op handoff), so the
    size changes no scheduling here; it is kept so code that sets and restores it runs.

    >>> from mxpy import engine
    >>> old = engine.set_bulk_size(30)
    >>> engine.set_bulk_size(old)
    30
    """
    global _bulk_size
    if int(size) < 0:
        raise ValueError(f"set_bulk_size: size must be >= 0, got {size}")
    prev, _bulk_size = _bulk_size, int(size)
    return prev


@contextmanager
def bulk(size: int):
    """``with mx.engine.bulk(size):`` runs a block with the bulk size set to ``size``.

    >>> import mxpy as mx
    >>> with mx.engine.bulk(10):
    ...     y = mx.nd.ones((2,)) + 1
    """
    prev = set_bulk_size(size)
    try:
        yield
    finally:
        set_bulk_size(prev)


@contextmanager
def synchronous():
    """Run every push from this thread at once when its Vars allow, for a block.

    Custom operators run their Python code this way: that code pushes ops on
    arrays only it can see and then waits on them, possibly on the engine's
    own worker thread, where a queued op would never start.
    """
    _sync.depth = getattr(_sync, "depth", 0) + 1
    try:
        yield
    finally:
        _sync.depth -= 1


def _drain_at_exit() -> None:
    try:
        _current.shutdown()
    except Exception:  # exiting: errors were for waits that never came
        pass


atexit.register(_drain_at_exit)
