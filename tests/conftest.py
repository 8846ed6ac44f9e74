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

ENGINES = ["NaiveEngine", "ThreadedEngine"]


@pytest.fixture(params=ENGINES)
def each_engine(request):
    """Run the test once under NaiveEngine and once under ThreadedEngine."""
    with engine.engine_type(request.param) as eng:
        yield eng
