"""Shared fixtures: run a test under each engine, fresh random seeds."""

from __future__ import annotations

import pytest

from mxpy import engine

ENGINES = ["NaiveEngine", "ThreadedEngine"]


@pytest.fixture(params=ENGINES)
def each_engine(request):
    """Run the test once under NaiveEngine and once under ThreadedEngine."""
    with engine.engine_type(request.param) as eng:
        yield eng
