"""The imperative half of the MXNet introduction tutorial, run on mxpy,
followed by a demonstration of the dependency engine overlapping two
independent large operations placed on two CPU contexts.

Run with ``make demo`` (or ``python examples/tutorial.py``).
"""

from __future__ import annotations

import os
import time

import numpy as np

import mxpy as mx
from mxpy import engine


def imperative_tutorial() -> None:
    print("== NDArrays on a context ==")
    cpu_tensor = mx.nd.zeros((10,), ctx=mx.cpu())
    print("cpu_tensor:", cpu_tensor)
    if mx.num_gpus() > 0:
        gpu_tensor = mx.nd.zeros((10,), ctx=mx.gpu(0))
        print("gpu_tensor:", gpu_tensor)
    else:
        try:
            mx.nd.zeros((10,), ctx=mx.gpu(0))
        except mx.MXNetError as e:
            print("gpu(0) is not available here:", e)

    print("\n== Lazy arithmetic ==")
    ctx = mx.cpu()  # which context to put memory on
    a = mx.nd.ones((10,), ctx=ctx)
    b = mx.nd.ones((10,), ctx=ctx)
    c = (a + b) / 10.0
    d = b + 1
    # c and d returned at once; asnumpy() waits for the value
    numpy_d = d.asnumpy()
    print("c =", c.asnumpy())
    print("d =", numpy_d)


def overlap_demo(n: int = 2048, reps: int = 4) -> None:
    """Two independent GEMM chains on cpu(0) and cpu(1): the threaded engine runs
    them at the same time (NumPy's BLAS releases the GIL); NaiveEngine runs
    them one after the other."""
    print("\n== Two independent ops overlapping ==")
    rng = np.random.default_rng(0)
    host = rng.standard_normal((n, n)).astype(np.float32) / np.sqrt(n)

    def run() -> float:
        x0 = mx.nd.array(host, ctx=mx.cpu(0))
        x1 = mx.nd.array(host, ctx=mx.cpu(1))
        mx.nd.waitall()
        t = time.perf_counter()
        y0, y1 = x0, x1
        for _ in range(reps):
            y0 = mx.nd.dot(y0, x0)  # lives on cpu(0)
            y1 = mx.nd.dot(y1, x1)  # lives on cpu(1), independent of y0
        mx.nd.waitall()
        return time.perf_counter() - t

    with engine.engine_type("NaiveEngine"):
        run()
        naive = run()
    with engine.engine_type("ThreadedEnginePerDevice"):
        run()
        threaded = run()
    print(f"{reps} x 2 dots of {n}x{n} float32: NaiveEngine {naive * 1e3:.0f} ms, ThreadedEngine {threaded * 1e3:.0f} ms ({threaded / naive:.2f}x)")
    print("(overlap needs free cores: with BLAS using all cores per call, set OPENBLAS_NUM_THREADS=1 to see it)")


if __name__ == "__main__":
    imperative_tutorial()
    overlap_demo(int(os.environ.get("MXPY_DEMO_N", "2048")))
