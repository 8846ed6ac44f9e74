"""Wall time vs process CPU time per batch of one of ab_step.py's cases (all threads counted).

A process whose CPU time runs well above its wall time on few cores is burning
CPU somewhere it does not gain from (OpenBLAS's workers spinning between
products, for one); one whose CPU time is well below wall time waits. Run it
with the library's default threads, and only while the machine is otherwise idle:

    .venv/bin/python bench/wall_cpu.py --case gluon_lenet_imperative
    .venv/bin/python bench/wall_cpu.py --case gluon_lenet_imperative --base /tmp/ab   # a snapshot's mxpy_base
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.join(HERE, "..", "..", "shared", "bench")]

import ab_step  # noqa: E402 - after the path set-up above


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=sorted(ab_step.CASES), default="gluon_lenet_imperative")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--base", help="folder holding a snapshot package mxpy_base (measured instead of the working tree)")
    args = ap.parse_args()
    if args.base:
        sys.path.insert(0, args.base)
    mx = importlib.import_module("mxpy_base" if args.base else "mxpy")
    import cases_mx

    run, n = ab_step._step(mx, cases_mx, args.case)
    run()  # warm-up
    wall, cpu = [], []
    for _ in range(args.rounds):
        t, c = time.perf_counter(), time.process_time()
        run()
        wall.append((time.perf_counter() - t) / n * 1e3)
        cpu.append((time.process_time() - c) / n * 1e3)
    print(f"{args.case}: wall {statistics.median(wall):.3f} ms/batch, process CPU {statistics.median(cpu):.3f} ms/batch (median of {args.rounds})")


if __name__ == "__main__":
    main()
