"""Shared fixtures: run a test under each engine, fresh random seeds.

The suite runs with ``MXPY_ADAPT_THREADS=0``: tests that check OpenBLAS's thread
count must not see it lowered because the (shared) test machine is busy; the
load governor has its own tests (tests/test_cpu_load.py) on simulated load.
"""

from __future__ import annotations

import os

os.environ.setdefault("MXPY_ADAPT_THREADS", "0")

import pytest  # noqa: E402

from mxpy import engine  # noqa: E402

ENGINES = ["NaiveEngine", "ThreadedEngine", "queued"]


def queued_engine():
    """A ThreadedEngine that sends every op to a worker.

    The default ThreadedEngine runs small ready ops inline, in push order, so
    a test of engine ordering on small arrays passes under it whatever the
    ordering code does; with every op queued the ordering is really tested.
    """
    from mxpy.engine.threaded import ThreadedEngine

    return ThreadedEngine(inline_max=-1)


@pytest.fixture(params=ENGINES)
def each_engine(request):
    """Run the test under NaiveEngine, ThreadedEngine, and ThreadedEngine with every op queued."""
    with engine.engine_type(queued_engine() if request.param == "queued" else request.param) as eng:
        yield eng
