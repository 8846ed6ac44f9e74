"""Gluon training loops, mxpy vs PyTorch CPU eager, in one interleaved run.

Cases (same work in both frameworks; random data, SGD lr 0.05, softmax cross-entropy):
  gluon_mlp_train    MLP 784-128-64-10 (relu), batch 128, 100 batches per repeat
  gluon_lenet_train  LeNet (tanh, 20/50 5x5 convs, 500 hidden), batch 64, 40 batches per repeat

mxpy runs each case hybridized (``net.hybridize(static_alloc=True,
static_shape=True)``) and imperative, both with ``gluon.Trainer``; PyTorch runs
eager with ``torch.optim.SGD``. Every (framework, variant, case) runs in its own
subprocess, alternating across rounds, for each thread configuration
(``threads1``: OMP/MKL/OPENBLAS_NUM_THREADS=1; ``default``: library defaults).

    python3 bench/gluon_bench.py                     # both configs, 3 rounds
    python3 bench/gluon_bench.py --configs threads1 --rounds 2 --cases gluon_mlp_train
    .venv/bin/python bench/gluon_bench.py --run mxpy-hybrid --case gluon_mlp_train   # one measurement (JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MXPY_PY = os.path.join(ROOT, ".venv", "bin", "python")
TORCH_PY = os.environ.get("TORCH_PY", os.path.join(ROOT, "..", "shared", "tools", "torch-reference"))
CASES = {"gluon_mlp_train": ((128, 784), 100), "gluon_lenet_train": ((64, 1, 28, 28), 40)}
RUNS = ("mxpy-hybrid", "mxpy-imperative", "torch")
LR = 0.05


def _data(np, shape, n):
    rng = np.random.RandomState(1)
    xs = [rng.rand(*shape).astype(np.float32) for _ in range(n)]
    ys = [rng.randint(0, 10, shape[0]).astype(np.float32) for _ in range(n)]
    return xs, ys


def _time(epoch, repeats: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        epoch()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        epoch()
        out.append(time.perf_counter() - t)
    return out


def run_mxpy(case: str, hybrid: bool, repeats: int, warmup: int) -> list[float]:
    import numpy as np

    import mxpy as mx
    from mxpy import autograd, gluon
    from mxpy.gluon import nn

    shape, n = CASES[case]
    net = nn.HybridSequential()
    with net.name_scope():
        if case == "gluon_mlp_train":
            net.add(nn.Dense(128, activation="relu"), nn.Dense(64, activation="relu"), nn.Dense(10))
        else:
            net.add(
                nn.Conv2D(20, 5, activation="tanh"),
                nn.MaxPool2D(2, 2),
                nn.Conv2D(50, 5, activation="tanh"),
                nn.MaxPool2D(2, 2),
                nn.Flatten(),
                nn.Dense(500, activation="tanh"),
                nn.Dense(10),
            )
    net.initialize(mx.init.Xavier())
    if hybrid:
        net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": LR})
    xs, ys = _data(np, shape, n)
    xs = [mx.nd.array(x) for x in xs]
    ys = [mx.nd.array(y) for y in ys]
    batch = shape[0]

    def epoch():
        for x, y in zip(xs, ys):
            with autograd.record():
                out = net(x)
                loss = -mx.nd.pick(mx.nd.log_softmax(out), y)
            loss.backward()
            trainer.step(batch)
        mx.nd.waitall()

    return _time(epoch, repeats, warmup)


def run_torch(case: str, repeats: int, warmup: int) -> list[float]:
    import numpy as np
    import torch

    shape, n = CASES[case]
    tnn = torch.nn
    if case == "gluon_mlp_train":
        net = tnn.Sequential(tnn.Linear(784, 128), tnn.ReLU(), tnn.Linear(128, 64), tnn.ReLU(), tnn.Linear(64, 10))
    else:
        net = tnn.Sequential(
            tnn.Conv2d(1, 20, 5), tnn.Tanh(), tnn.MaxPool2d(2, 2), tnn.Conv2d(20, 50, 5), tnn.Tanh(), tnn.MaxPool2d(2, 2),
            tnn.Flatten(), tnn.Linear(800, 500), tnn.Tanh(), tnn.Linear(500, 10),
        )  # fmt: skip
    xs, ys = _data(np, shape, n)
    xs = [torch.from_numpy(x) for x in xs]
    ys = [torch.from_numpy(y.astype(np.int64)) for y in ys]
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        for x, y in zip(xs, ys):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), y)
            loss.backward()
            opt.step()
        return loss.item()

    return _time(epoch, repeats, warmup)


def _child(run: str, case: str, repeats: int, warmup: int, env: dict) -> float:
    py = TORCH_PY if run == "torch" else MXPY_PY
    cmd = [py, os.path.abspath(__file__), "--run", run, "--case", case, "--repeats", str(repeats), "--warmup", str(warmup)]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"gluon_bench: {run} {case} failed:\n{out.stderr[-2000:]}")
    times = json.loads(out.stdout.strip().splitlines()[-1])["times"]
    batch, n = CASES[case][0][0], CASES[case][1]
    return statistics.median(batch * n / t for t in times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", choices=RUNS)
    ap.add_argument("--case", default=None)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--configs", default="threads1,default")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "gluon_results.json"))
    args = ap.parse_args()
    if args.run:  # one measurement in this process
        if args.run == "torch":
            times = run_torch(args.case, args.repeats, args.warmup)
        else:
            times = run_mxpy(args.case, args.run == "mxpy-hybrid", args.repeats, args.warmup)
        print(json.dumps({"times": times}))
        return 0
    results: dict = {}
    for config in args.configs.split(","):
        env = {k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")} if config == "threads1" else {}
        for _ in range(args.rounds):
            for case in args.cases.split(","):
                for run in RUNS:
                    rate = _child(run, case, args.repeats, args.warmup, env)
                    results.setdefault(config, {}).setdefault(case, {}).setdefault(run, []).append(rate)
    print(
        f"{'config':10} {'case':18} {'mxpy hybrid':>12} {'mxpy imper.':>12} {'torch':>10} {'hybrid/torch':>13} {'imper./torch':>13}  (samples/s, median of rounds)"
    )
    for config, cases in results.items():
        for case, runs in cases.items():
            med = {r: statistics.median(v) for r, v in runs.items()}
            print(
                f"{config:10} {case:18} {med['mxpy-hybrid']:12.0f} {med['mxpy-imperative']:12.0f} {med['torch']:10.0f} "
                f"{med['mxpy-hybrid'] / med['torch']:13.2f} {med['mxpy-imperative'] / med['torch']:13.2f}"
            )
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
