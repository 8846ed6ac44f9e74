"""Data-parallel training throughput: 2 processes with ``dist_sync`` against 1 process.

LeNet (MNIST-shaped data) and the CIFAR ResNet-20 (3 stages of 3 basic
blocks, 16/32/64 filters, BatchNorm), both built with ``mx.sym`` and trained
with ``Module.fit`` on synthetic data. Each process trains on its own batch
of ``--batch`` images (weak scaling, as ``dist_sync`` is used: the global
batch grows with the processes), so the speed-up is (images/s of the whole
2-process job) / (images/s of 1 process); 2.0 is perfect. Every setting runs
with the default thread counts and with one BLAS/OpenMP thread per process.

    python bench/dist_train.py                 # prints a Markdown table
    python bench/dist_train.py --models lenet --steps 20

The driver starts each job itself (``python -m mxpy.launch -n 2`` for the
distributed ones); ``--worker`` is what each process of a job runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MXPY_SPLIT_THREADS": "1"}


def lenet(mx):
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20, name="conv1")
    p1 = mx.sym.Pooling(mx.sym.Activation(c1, act_type="tanh"), pool_type="max", kernel=(2, 2), stride=(2, 2))
    c2 = mx.sym.Convolution(data=p1, kernel=(5, 5), num_filter=50, name="conv2")
    p2 = mx.sym.Pooling(mx.sym.Activation(c2, act_type="tanh"), pool_type="max", kernel=(2, 2), stride=(2, 2))
    f1 = mx.sym.FullyConnected(mx.sym.Flatten(p2), num_hidden=500, name="fc1")
    f2 = mx.sym.FullyConnected(mx.sym.Activation(f1, act_type="tanh"), num_hidden=10, name="fc2")
    return mx.sym.SoftmaxOutput(f2, name="softmax")


def resnet20(mx):
    """He et al.'s CIFAR ResNet-20: conv 3x3/16, then 3 stages of 3 basic blocks (16, 32, 64 filters)."""

    def conv_bn(x, filters, stride, name, act=True):
        x = mx.sym.Convolution(x, kernel=(3, 3), stride=(stride, stride), pad=(1, 1), num_filter=filters, no_bias=True, name=name + "_conv")
        x = mx.sym.BatchNorm(x, fix_gamma=False, momentum=0.9, eps=1e-5, name=name + "_bn")
        return mx.sym.Activation(x, act_type="relu") if act else x

    x = conv_bn(mx.sym.Variable("data"), 16, 1, "stem")
    for stage, filters in enumerate((16, 32, 64)):
        for block in range(3):
            stride = 2 if stage > 0 and block == 0 else 1
            name = f"s{stage}b{block}"
            y = conv_bn(conv_bn(x, filters, stride, name + "a"), filters, 1, name + "b", act=False)
            if stride != 1:
                x = mx.sym.Convolution(x, kernel=(1, 1), stride=(2, 2), num_filter=filters, no_bias=True, name=name + "_proj")
            x = mx.sym.Activation(x + y, act_type="relu")
    x = mx.sym.Pooling(x, global_pool=True, pool_type="avg", kernel=(8, 8))
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=10, name="fc"), name="softmax")


MODELS = {"lenet": (lenet, (1, 28, 28)), "resnet20": (resnet20, (3, 32, 32))}


def worker(args) -> None:
    import numpy as np

    import mxpy as mx

    build, shape = MODELS[args.model]
    kv = mx.kv.create(args.kv_store) if "dist" in args.kv_store else None
    rank, n = (kv.rank, kv.num_workers) if kv else (0, 1)
    rng = np.random.RandomState(rank)
    total = args.batch * (args.steps + args.warmup)
    it = mx.io.NDArrayIter(rng.rand(total, *shape).astype(np.float32), rng.randint(0, 10, total).astype(np.float32), batch_size=args.batch)
    mod = mx.mod.Module(build(mx), context=mx.cpu())
    marks = []

    def mark(param):
        if param.nbatch == args.warmup - 1:
            mx.nd.waitall()
            marks.append(time.perf_counter())

    mod.fit(
        it,
        num_epoch=1,
        kvstore=kv if kv else "local",
        optimizer="sgd",
        optimizer_params={"learning_rate": 0.05, "momentum": 0.9},
        initializer=mx.init.Xavier(),
        batch_end_callback=mark,
    )
    mx.nd.waitall()
    elapsed = time.perf_counter() - marks[0]
    if kv:
        kv.barrier()
    if rank == 0:
        print("RESULT " + json.dumps({"images_per_s": args.batch * n * args.steps / elapsed, "step_s": elapsed / args.steps}))


def run_job(model: str, procs: int, threads: dict, args) -> dict:
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        "--model",
        model,
        "--batch",
        str(args.batch[model]),
        "--steps",
        str(args.steps),
        "--warmup",
        "2",
    ]
    env = dict(os.environ)
    for name in ONE_THREAD:
        env.pop(name, None)
    env.update(threads)
    if procs > 1:
        cmd = [sys.executable, "-m", "mxpy.launch", "-n", str(procs), *cmd, "--kv-store", "dist_sync"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"dist_train: job failed: {' '.join(cmd)}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--model", default="lenet", choices=sorted(MODELS))
    p.add_argument("--models", nargs="+", default=["lenet", "resnet20"], choices=sorted(MODELS))
    p.add_argument("--batch", type=int, default=None, help="images per process and step (default: lenet 64, resnet20 32)")
    p.add_argument("--steps", type=int, default=10, help="timed steps (after 2 warm-up steps)")
    p.add_argument("--warmup", type=int, default=2, help=argparse.SUPPRESS)
    p.add_argument("--kv-store", default="local", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        args.batch = args.batch or (64 if args.model == "lenet" else 32)
        worker(args)
        return
    args.batch = {m: args.batch or (64 if m == "lenet" else 32) for m in MODELS}
    print(f"weak scaling: {args.steps} timed steps, per-process batch {args.batch}; speed-up = 2-process images/s / 1-process images/s")
    print("| model | threads | 1 process | 2 processes (dist_sync) | speed-up |")
    print("|---|---|---:|---:|---:|")
    for model in args.models:
        for label, threads in (("default", {}), ("1 per process", ONE_THREAD)):
            one = run_job(model, 1, threads, args)
            two = run_job(model, 2, threads, args)
            print(
                f"| {model} | {label} | {one['images_per_s']:.1f} img/s | {two['images_per_s']:.1f} img/s | {two['images_per_s'] / one['images_per_s']:.2f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
