"""Where one step of a shared benchmark net spends its time, kernel by kernel.

Binds the net of ``../shared/bench/cases_mx.py`` exactly as the shared case
does, wraps every executor step's kernel in a timer, runs the step a few
times on the NaiveEngine (kernels run one after another, in the caller's
thread) and prints the time per operator kind and the slowest nodes:

    MXNET_ENGINE_TYPE=NaiveEngine OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/profile_net.py --case resnet18_infer

"Python/engine" is the step's wall time minus the kernels' time: dispatch,
engine bookkeeping and the SGD update's NDArray calls (train cases).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [ROOT, os.path.join(ROOT, "..", "shared", "bench"), HERE]

import ab_step  # noqa: E402  (the case table and the step loop)
import cases_mx  # noqa: E402

import mxpy as mx  # noqa: E402


def _describe(st) -> str:
    node = st.node
    p = st.p
    shapes = "x".join(str(d) for d in st.ins[0].shape) if st.ins else ""
    extra = ""
    if "Convolution" in st.name:
        extra = f" k{tuple(p.kernel)} s{tuple(p.stride) or (1,)} g{p.num_group} F{p.num_filter}"
    return f"{node.name if node is not None else '?':28s} {st.name:26s} {shapes}{extra}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=[c for c in ab_step.CASES if c != "mlp_train_module"], default="resnet18_infer")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: each kernel's thread CPU time (time.thread_time; NaiveEngine runs kernels in this thread), "
        "far less moved by other processes on a busy box than wall time; run with one BLAS thread and "
        "MXPY_SPLIT_THREADS=1 (split mode's helper threads are not this thread: their work goes uncounted)",
    )
    args = ap.parse_args()
    builder, shape, train, _ = ab_step.CASES[args.case]
    sym = getattr(cases_mx, builder)(mx)
    ex = cases_mx._bind(mx, sym, shape, train=train)
    times: dict = collections.defaultdict(float)
    desc: dict = {}
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    if args.clock == "cpu":
        from mxpy.backend import cpu_threads

        if cpu_threads._configured_threads() > 1:
            # (a profile of the third session read 645 ms for a 1000 ms step that way)
            print("warning: split mode is on; --clock cpu misses its helper threads' work (set MXPY_SPLIT_THREADS=1)", file=sys.stderr)
    for st in ex._fwd_steps + ex._bwd_steps:
        key = id(st)
        desc[key] = (st.name, _describe(st))

        def timed(*a, _k=st.kernel, _key=key):
            t0 = clock()
            _k(*a)
            times[_key] += clock() - t0

        st.kernel = timed
    xs, ys = cases_mx._batches(mx, 1, shape)
    params = [a for a in sym.list_arguments() if a not in ("data", "softmax_label")]
    lr = ab_step._LR.get(args.case, 0.05)

    def step() -> None:
        ex.arg_dict["data"][:] = xs[0]
        if train:
            ex.arg_dict["softmax_label"][:] = ys[0]
            ex.forward(is_train=True)
            ex.backward()
            for p in params:
                w, g = ex.arg_dict[p], ex.grad_dict[p]
                w[:] = w - g * lr
        else:
            ex.forward(is_train=False)
        mx.nd.waitall()

    step()
    times.clear()
    t0 = clock()
    for _ in range(args.rounds):
        step()
    wall = (clock() - t0) / args.rounds * 1e3
    per = {k: v / args.rounds * 1e3 for k, v in times.items()}
    by_op: dict = collections.defaultdict(float)
    for k, v in per.items():
        by_op[desc[k][0]] += v
    kern = sum(per.values())
    print(f"{args.case}: {wall:.1f} ms per step (mean of {args.rounds}), kernels {kern:.1f} ms, Python/engine {wall - kern:.1f} ms")
    for name, v in sorted(by_op.items(), key=lambda kv: -kv[1]):
        print(f"  {name:28s} {v:8.1f} ms  {100 * v / wall:5.1f}%")
    print(f"slowest {args.top} nodes:")
    for k, v in sorted(per.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"  {v:8.1f} ms  {desc[k][1]}")


if __name__ == "__main__":
    main()
