"""ResNet-18 on one GPU: mxpy (Gluon model zoo, hybridized, on CuPy) against PyTorch CUDA.

Inference and a training step (SGD with momentum, softmax cross-entropy) at
224x224, the same batch for both frameworks, in one run; prints samples/s,
the ratio and the card's name.

    python3 bench/gpu_resnet.py --batch 32 --iters 20          # a GPU with CuPy and torch
    MXPY_FAKE_GPU=1 python3 bench/gpu_resnet.py --fake --batch 2 --iters 1 --size 32   # CI: mxpy side only
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def _mxpy(batch: int, size: int, iters: int) -> dict[str, float]:
    import mxpy as mx
    from mxpy import autograd, gluon

    ctx = mx.gpu(0)
    net = gluon.model_zoo.vision.resnet18_v1(classes=1000)
    net.initialize(mx.init.Xavier(), ctx=ctx)
    net.hybridize(static_alloc=True, static_shape=True)
    x = mx.nd.array(np.random.default_rng(0).standard_normal((batch, 3, size, size), dtype=np.float32), ctx=ctx)
    y = mx.nd.array(np.arange(batch) % 1000, ctx=ctx)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.01, "momentum": 0.9})
    out = {}

    def infer():
        net(x).wait_to_read()

    def train():
        with autograd.record():
            loss = loss_fn(net(x), y)
        loss.backward()
        trainer.step(batch)
        mx.nd.waitall()

    for name, fn in (("infer", infer), ("train", train)):
        fn()
        fn()
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        out[name] = batch * iters / (time.perf_counter() - t)
    return out


def _torch(batch: int, size: int, iters: int) -> dict[str, float]:
    import torch
    import torchvision

    dev = torch.device("cuda:0")
    net = torchvision.models.resnet18(num_classes=1000).to(dev)
    x = torch.randn(batch, 3, size, size, device=dev)
    y = torch.arange(batch, device=dev) % 1000
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    out = {}

    def infer():
        net.eval()
        with torch.no_grad():
            net(x)
        torch.cuda.synchronize()

    def train():
        net.train()
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
        torch.cuda.synchronize()

    for name, fn in (("infer", infer), ("train", train)):
        fn()
        fn()
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        out[name] = batch * iters / (time.perf_counter() - t)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--fake", action="store_true", help="mxpy on the fake device only (checks the script)")
    a = p.parse_args(argv)
    if a.fake:
        os.environ.setdefault("MXPY_FAKE_GPU", "1")
    mxr = _mxpy(a.batch, a.size, a.iters)
    if a.fake:
        print(f"fake device: resnet18 batch {a.batch}: infer {mxr['infer']:.1f}, train {mxr['train']:.1f} samples/s (no device)")
        return 0
    import torch

    th = _torch(a.batch, a.size, a.iters)
    print(f"card: {torch.cuda.get_device_name(0)}; batch {a.batch}, {a.size}x{a.size}, {a.iters} iterations")
    for case in ("infer", "train"):
        print(f"resnet18_{case}: mxpy {mxr[case]:9.1f}  torch {th[case]:9.1f} samples/s  ratio {mxr[case] / th[case]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
