"""LeNet training with ``mx.mod.Module`` on one context vs ``[cpu(0), cpu(1)]``.

Data parallelism: the Module splits each batch across its contexts, runs one
executor per context (the threaded engine gives each context its own worker,
and NumPy's BLAS and most large ufuncs release the GIL, so the two halves can
overlap) and sums the gradients before the update. BLAS runs single-threaded
(``--blas-threads``), so any speed-up comes from the two contexts, not from
BLAS threads. The speed-up is (one-context time) / (two-context time); 2.0
would be perfect scaling on two cores.

Run from the repository root::

    .venv/bin/python bench/lenet_multi_context.py            # prints a table
    .venv/bin/python bench/lenet_multi_context.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=512, help="global batch size (split across the contexts)")
    ap.add_argument("--batches", type=int, default=8, help="batches per epoch")
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per setting (one more warms up)")
    ap.add_argument("--rounds", type=int, default=2, help="alternate one/two contexts this many times")
    ap.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (set before NumPy loads)")
    ap.add_argument("--json", default=None, help="also write the results here")
    return ap.parse_args()


def lenet(mx):
    """The shared benchmark's LeNet (tanh, max pooling), as a Module-ready symbol."""
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20, name="conv1")
    p1 = mx.sym.Pooling(mx.sym.Activation(c1, act_type="tanh"), pool_type="max", kernel=(2, 2), stride=(2, 2))
    c2 = mx.sym.Convolution(data=p1, kernel=(5, 5), num_filter=50, name="conv2")
    p2 = mx.sym.Pooling(mx.sym.Activation(c2, act_type="tanh"), pool_type="max", kernel=(2, 2), stride=(2, 2))
    f1 = mx.sym.FullyConnected(mx.sym.Flatten(p2), num_hidden=500, name="fc1")
    f2 = mx.sym.FullyConnected(mx.sym.Activation(f1, act_type="tanh"), num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(f2, name="softmax")


def epoch_times(mx, np, contexts, args) -> list[float]:
    """Seconds per timed epoch of Module.fit on ``contexts`` (the first epoch is a warm-up)."""
    rng = np.random.RandomState(1)
    n = args.batch * args.batches
    it = mx.io.NDArrayIter(rng.rand(n, 1, 28, 28).astype(np.float32), rng.randint(0, 10, n).astype(np.float32), batch_size=args.batch)
    mod = mx.mod.Module(lenet(mx), context=contexts, data_names=["data"], label_names=["softmax_label"])
    marks = []
    t0 = time.perf_counter()
    mod.fit(
        it,
        num_epoch=args.epochs + 1,
        optimizer="sgd",
        optimizer_params={"learning_rate": 0.05},
        initializer=mx.init.Xavier(),
        eval_metric="acc",
        epoch_end_callback=lambda *a: marks.append(time.perf_counter()),
    )
    mx.nd.waitall()
    times = [b - a for a, b in zip([t0, *marks[:-1]], marks)]
    return times[1:]


def main() -> int:
    args = _parse()
    for v in THREAD_VARS:  # must happen before NumPy (and its BLAS) is imported
        os.environ[v] = str(args.blas_threads)
    sys.path.insert(0, os.environ.get("MXPY_BENCH_PATH") or os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import logging

    import numpy as np

    import mxpy as mx

    logging.disable(logging.INFO)  # Module.fit logs every epoch
    one, two = [], []
    for _ in range(args.rounds):  # interleaved, so a slow period of the host hits both alike
        one += epoch_times(mx, np, [mx.cpu(0)], args)
        two += epoch_times(mx, np, [mx.cpu(0), mx.cpu(1)], args)
    m1, m2 = statistics.median(one), statistics.median(two)
    samples = args.batch * args.batches
    print(f"lenet_multi_context: Module.fit, batch {args.batch}, {args.batches} batches/epoch, BLAS threads={args.blas_threads}")
    print(f"{'contexts':<22}{'median s/epoch':>16}{'samples/s':>12}{'min s':>9}{'max s':>9}")
    for name, ts in (("[cpu(0)]", one), ("[cpu(0), cpu(1)]", two)):
        m = statistics.median(ts)
        print(f"{name:<22}{m:>16.3f}{samples / m:>12.0f}{min(ts):>9.3f}{max(ts):>9.3f}")
    print(f"speed-up two/one contexts = {m1 / m2:.2f}x (2.0 = perfect scaling on two cores)")
    if args.json:
        out = {
            "case": "lenet_multi_context",
            "batch": args.batch,
            "batches_per_epoch": args.batches,
            "blas_threads": args.blas_threads,
            "cpu_count": os.cpu_count(),
            "one_context_s": one,
            "two_context_s": two,
            "speedup": m1 / m2,
        }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
