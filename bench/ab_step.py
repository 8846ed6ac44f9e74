"""A/B one training or inference step of two mxpy trees in one process, alternating.

The shared box drifts by 10-20% over minutes, so two separate runs cannot
tell a 3% change from noise. This script imports a committed snapshot as the
package ``mxpy_base`` next to the working tree's ``mxpy`` and times the same
step of the shared benchmark nets (``../shared/bench/cases_mx.py``) on both,
alternating rounds, then prints the medians and the ratio:

    rm -rf /tmp/ab && mkdir -p /tmp/ab/x && git archive HEAD mxpy | tar -x -C /tmp/ab/x \\
        && mv /tmp/ab/x/mxpy /tmp/ab/mxpy_base
    .venv/bin/python bench/ab_step.py --base /tmp/ab --case lenet_train
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/ab_step.py --base /tmp/ab --case inference_mlp

mxpy imports itself only relatively, so the renamed copy is a separate,
complete package. Settings that act on the whole process (an environment
variable such as ``MXPY_TUNE_MALLOC``) need separate processes instead:

    .venv/bin/python bench/ab_step.py --env MXPY_TUNE_MALLOC=0 --case mlp_train_module --pairs 4
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED_BENCH = os.path.join(ROOT, "..", "shared", "bench")

# case: (symbol builder name, data shape, train?, batches per round)
CASES = {
    "lenet_train": ("lenet_symbol", (64, 1, 28, 28), True, 20),
    "mlp_train": ("mlp_symbol", (128, 784), True, 100),
    "inference_mlp": ("mlp_symbol", (128, 784), False, 200),
    "inference_lenet": ("lenet_symbol", (64, 1, 28, 28), False, 40),
    "mlp_train_module": None,  # Module.fit's loop, see _module_round
    # gluon_bench.py's Gluon loops (Trainer, log_softmax/pick loss), see _gluon_round
    "gluon_mlp_imperative": None,
    "gluon_mlp_hybrid": None,
    "gluon_lenet_imperative": None,
    "gluon_lenet_hybrid": None,
    # the real-network cases of issue 14 (fewer batches: each is 0.1-2 s)
    "resnet18_infer": ("resnet18_symbol", (8, 3, 224, 224), False, 2),
    "resnet18_train": ("resnet18_symbol", (8, 3, 224, 224), True, 1),
    "resnet20_cifar_train": ("resnet20_symbol", (64, 3, 32, 32), True, 2),
    "mobilenet_infer": ("mobilenet_symbol", (8, 3, 224, 224), False, 2),
}


# learning rates of the shared cases that do not use 0.05
_LR = {"resnet18_train": 0.001, "resnet20_cifar_train": 0.01}


def _module_round(mx, cases_mx):
    """One epoch of mlp_train_module's Module loop (iterator, forward_backward, update, metric)."""
    n, batch = 100, 128
    rng = np.random.RandomState(1)
    x = rng.rand(n * batch, 784).astype(np.float32)
    y = rng.randint(0, 10, n * batch).astype(np.float32)
    it = mx.io.NDArrayIter(x, y, batch_size=batch, shuffle=False)
    mod = mx.mod.Module(cases_mx.mlp_symbol(mx), context=mx.cpu(), data_names=["data"], label_names=["softmax_label"])
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(mx.init.Xavier())
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.05})
    metric = mx.metric.create("acc")

    def run() -> None:
        it.reset()
        metric.reset()
        for b in it:
            mod.forward_backward(b)
            mod.update()
            mod.update_metric(metric, b.label)
        mx.nd.waitall()

    return run, n


def _gluon_round(mx, case: str):
    """One repeat of gluon_bench.py's training loop (its network, data and loss) on package ``mx``."""
    net_name, variant = case[len("gluon_") :].rsplit("_", 1)
    nn = mx.gluon.nn
    net = nn.HybridSequential()
    with net.name_scope():
        if net_name == "mlp":
            net.add(nn.Dense(128, activation="relu"), nn.Dense(64, activation="relu"), nn.Dense(10))
            shape, n = (128, 784), 100
        else:
            net.add(nn.Conv2D(20, 5, activation="tanh"), nn.MaxPool2D(2, 2), nn.Conv2D(50, 5, activation="tanh"), nn.MaxPool2D(2, 2))
            net.add(nn.Flatten(), nn.Dense(500, activation="tanh"), nn.Dense(10))
            shape, n = (64, 1, 28, 28), 40
    net.initialize(mx.init.Xavier())
    if variant == "hybrid":
        net.hybridize(static_alloc=True, static_shape=True)
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.05})
    rng = np.random.RandomState(1)
    xs = [mx.nd.array(rng.rand(*shape).astype(np.float32)) for _ in range(n)]
    ys = [mx.nd.array(rng.randint(0, 10, shape[0]).astype(np.float32)) for _ in range(n)]

    def run() -> None:
        for x, y in zip(xs, ys):
            with mx.autograd.record():
                loss = -mx.nd.pick(mx.nd.log_softmax(net(x)), y)
            loss.backward()
            trainer.step(shape[0])
        mx.nd.waitall()

    return run, n


def _step(mx, cases_mx, case: str):
    """A callable running one round of ``case`` on package ``mx`` (the shared cases' loop)."""
    if case == "mlp_train_module":
        return _module_round(mx, cases_mx)
    if case.startswith("gluon_"):
        return _gluon_round(mx, case)
    builder, shape, train, n = CASES[case]
    sym = getattr(cases_mx, builder)(mx)
    ex = cases_mx._bind(mx, sym, shape, train=train)
    xs, ys = cases_mx._batches(mx, n, shape)
    d, lab = ex.arg_dict["data"], ex.arg_dict["softmax_label"]
    params = [a for a in sym.list_arguments() if a not in ("data", "softmax_label")]

    def run() -> None:
        for x, y in zip(xs, ys):
            d[:] = x
            if train:
                lab[:] = y
                ex.forward(is_train=True)
                ex.backward()
                for p in params:
                    w, g = ex.arg_dict[p], ex.grad_dict[p]
                    w[:] = w - g * _LR.get(case, 0.05)
            else:
                ex.forward(is_train=False)
        mx.nd.waitall()

    return run, n


def _one_process(case: str, rounds: int) -> float:
    """Median ms per batch of ``case`` on the working tree (the body of a --env child)."""
    sys.path[:0] = [ROOT, SHARED_BENCH]
    import cases_mx

    run, n = _step(importlib.import_module("mxpy"), cases_mx, case)
    run()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) / n * 1e3)
    return statistics.median(times)


def _env_ab(case: str, setting: str, pairs: int, rounds: int) -> None:
    """Alternate child processes without and with ``KEY=VAL`` (for process-wide settings)."""
    key, _, val = setting.partition("=")
    times: dict = {"without": [], "with": []}
    for _ in range(pairs):
        for label in times:
            env = {k: v for k, v in os.environ.items() if k != key}
            if label == "with":
                env[key] = val
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--case", case, "--rounds", str(rounds)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            times[label].append(float(out.split()[-1]))
    print(f"{case}: ms per batch, median over {pairs} alternating process pairs ({rounds} rounds each)")
    for k, v in times.items():
        print(f"  {k:7s} {setting}: {statistics.median(v):8.3f}  (all: {', '.join(f'{t:.3f}' for t in v)})")
    print(f"  with/without time ratio {statistics.median(times['with']) / statistics.median(times['without']):.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", help="folder holding the snapshot package mxpy_base")
    ap.add_argument("--env", metavar="KEY=VAL", help="instead of --base: working tree with and without this environment setting")
    ap.add_argument("--case", choices=sorted(CASES), default="lenet_train")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--pairs", type=int, default=4, help="process pairs for --env")
    ap.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: the process's CPU time (time.process_time), which a loaded box's preemption does not inflate; "
        "meaningful for one-thread runs (OPENBLAS_NUM_THREADS=1), where every kernel runs in the calling thread",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(f"{_one_process(args.case, args.rounds):.6f}")
        return
    if args.env:
        _env_ab(args.case, args.env, args.pairs, args.rounds)
        return
    if not args.base:
        ap.error("give --base (a snapshot) or --env KEY=VAL")
    sys.path[:0] = [args.base, ROOT, SHARED_BENCH]
    import cases_mx

    runs = {}
    for label, pkg in (("base", "mxpy_base"), ("new", "mxpy")):
        run, n = _step(importlib.import_module(pkg), cases_mx, args.case)
        run()  # warm-up: workspaces, first-touch pages
        runs[label] = (run, n)
    times: dict = {k: [] for k in runs}
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    for _ in range(args.rounds):
        for label, (run, n) in runs.items():
            t0 = clock()
            run()
            times[label].append((clock() - t0) / n * 1e3)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.case}: ms per batch ({args.clock} clock), median of {args.rounds} alternating rounds")
    for k, v in med.items():
        print(f"  {k:5s} {v:8.3f}  (min {min(times[k]):.3f}, max {max(times[k]):.3f})")
    print(f"  new/base time ratio {med['new'] / med['base']:.3f} (< 1 = the working tree is faster)")


if __name__ == "__main__":
    main()
