"""Train a hybridized Gluon convnet with ``gluon.Trainer`` on the main job's data.

The data are those of ``examples/train_mnist.py``: ``--data-dir`` (MNIST or
Fashion-MNIST idx files), else Debian's Fashion-MNIST when installed, else the
8x8 UCI digits shipped in ``examples/data/uci-digits``. The network is a
LeNet-style convnet (two Conv2D + BatchNorm + MaxPool stages, then two Dense
layers), hybridized, trained with SGD + momentum through ``gluon.Trainer``.
After training it exports the model (``export``), reloads it with
``SymbolBlock.imports`` and checks the reloaded model's test accuracy equals the
trained one's.

    python examples/gluon_mnist.py --epochs 3 --ctx "cpu(0),cpu(1)"
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.gluon import nn
from mxpy.io.mnist import read_idx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the main job's data search, shared with examples/train_mnist.py
from train_mnist import DIGITS, find_data  # noqa: E402, F401 (DIGITS: the shipped data, for callers)


def load(paths: dict[str, str]):
    """(train images, train labels, test images, test labels); images as N x 1 x H x W floats in [0, 1]."""
    out = []
    for kind in ("train", "t10k"):
        img = read_idx(paths[f"{kind}-images-idx3-ubyte"], 3).astype(np.float32) / 255.0
        lab = read_idx(paths[f"{kind}-labels-idx1-ubyte"], 1).astype(np.float32)
        out += [img[:, None], lab]
    return out


def convnet(side: int) -> nn.HybridSequential:
    """LeNet-style: 5x5 kernels for 28x28 images, 3x3 (padded) for the 8x8 digits."""
    k, pad = (5, 0) if side >= 20 else (3, 1)
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(
            nn.Conv2D(20, k, padding=pad),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.MaxPool2D(2),
            nn.Conv2D(50, k, padding=pad),
            nn.BatchNorm(),
            nn.Activation("relu"),
            nn.MaxPool2D(2),
            nn.Flatten(),
            nn.Dense(128, activation="relu"),
            nn.Dense(10),
        )
    return net


def accuracy(net, images: np.ndarray, labels: np.ndarray, ctx, batch_size: int = 500) -> float:
    correct = 0
    for i in range(0, len(images), batch_size):
        out = net(mx.nd.array(images[i : i + batch_size], ctx=ctx))
        correct += int((out.argmax(axis=1).asnumpy() == labels[i : i + batch_size]).sum())
    return correct / len(images)


def train(data_dir=None, epochs=None, batch_size=None, lr=None, ctx="cpu(0)", out_dir=None, seed=42, log=print) -> dict:
    """Train, export, reload; returns accuracies and the export paths."""
    paths = find_data(data_dir)
    x_train, y_train, x_test, y_test = load(paths)
    small = len(x_train) <= 10000
    epochs = epochs or (10 if small else 3)
    batch_size = batch_size or (32 if small else 100)
    lr = lr or (0.05 if small else 0.05)
    ctxs = [mx.cpu(int(c.strip()[4:-1])) if c.strip().startswith("cpu") else mx.gpu(int(c.strip()[4:-1])) for c in ctx.split(",")]
    mx.random.seed(seed)
    rng = np.random.RandomState(seed)
    net = convnet(x_train.shape[-1])
    net.initialize(mx.init.Xavier(magnitude=2.24), ctx=ctxs)
    net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr, "momentum": 0.9, "wd": 1e-4})
    n = len(x_train) - len(x_train) % batch_size
    history = []
    for epoch in range(epochs):
        order = rng.permutation(len(x_train))[:n]
        tic = time.time()
        total = 0.0
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            xs = gluon.utils.split_and_load(mx.nd.array(x_train[idx]), ctxs)
            ys = gluon.utils.split_and_load(mx.nd.array(y_train[idx]), ctxs)
            with autograd.record():
                losses = [-mx.nd.pick(mx.nd.log_softmax(net(xb)), yb).sum() for xb, yb in zip(xs, ys)]
            autograd.backward(losses)
            trainer.step(batch_size)
            total += sum(float(loss.asscalar()) for loss in losses)
        acc = accuracy(net, x_test, y_test, ctxs[0])
        history.append(acc)
        log(f"epoch {epoch}: loss {total / n:.4f}  test accuracy {acc:.4f}  ({n / (time.time() - tic):.0f} samples/s)")
    out_dir = out_dir or "demo-output"
    os.makedirs(out_dir, exist_ok=True)
    prefix = os.path.join(out_dir, "gluon_mnist")
    sym_file, params_file = net.export(prefix, epoch=epochs)
    reloaded = gluon.SymbolBlock.imports(sym_file, ["data"], params_file, ctx=ctxs[0])
    reloaded_acc = accuracy(reloaded, x_test, y_test, ctxs[0])
    log(f"exported {sym_file}, {params_file}; reloaded test accuracy {reloaded_acc:.4f}")
    return {"test_acc": history[-1], "history": history, "reloaded_acc": reloaded_acc, "symbol": sym_file, "params": params_file}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--ctx", default="cpu(0)", help='contexts, e.g. "cpu(0),cpu(1)"')
    ap.add_argument("--out-dir", default=None)
    args = ap.parse_args()
    res = train(args.data_dir, args.epochs, args.batch_size, args.lr, args.ctx, args.out_dir)
    if abs(res["reloaded_acc"] - res["test_acc"]) > 1e-9:
        raise SystemExit(f"gluon_mnist: the reloaded model's accuracy {res['reloaded_acc']} differs from the trained {res['test_acc']}")


if __name__ == "__main__":
    main()
