"""What the profiler costs on the dispatch path: calls per op and time per op, off and on.

Run ``python bench/profiler_offpath.py``. Off, the engine's ``push`` is the
class method itself (the profiler only gives the engine instance its own
``push`` while recording), so the Python calls per op must equal those of a
checkout without the profiler (``PYTHONPATH=<old checkout> python
bench/profiler_offpath.py`` prints the same count; the timing needs a quiet
machine to compare).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

import mxpy as mx

A, B = mx.nd.ones((4,)), mx.nd.ones((4,))


def loop(n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        c = A + B
        mx.nd.sqrt(c)
    mx.nd.waitall()
    return (time.perf_counter() - t) / (2 * n) * 1e6


def calls_per_op(n: int = 1000) -> float:
    count = [0]

    def prof(frame, event, arg):
        if event in ("call", "c_call"):
            count[0] += 1

    sys.setprofile(prof)
    for _ in range(n):
        c = A + B
        mx.nd.sqrt(c)
    sys.setprofile(None)
    mx.nd.waitall()
    return count[0] / (2 * n)


def main() -> None:
    loop(2000)
    print(f"off:   {calls_per_op():.1f} calls/op, {min(loop(20000) for _ in range(5)):.2f} us/op (best of 5)")
    if hasattr(mx, "profiler"):
        with tempfile.TemporaryDirectory() as tmp:
            mx.profiler.set_config(profile_all=True, filename=f"{tmp}/p.json", continuous_dump=False)
            mx.profiler.set_state("run")
            on = [loop(20000) for _ in range(5)]
            mx.profiler.set_state("stop")
            print(f"on:    {statistics.median(on):.2f} us/op (median of 5, profile_all)")
            print(f"after: {calls_per_op():.1f} calls/op, {min(loop(20000) for _ in range(5)):.2f} us/op (off again after a run)")


if __name__ == "__main__":
    main()
