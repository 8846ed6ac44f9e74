"""Train the seed tutorial's MLP on MNIST-format data with ``Module.fit`` (the job ``make demo`` runs).

The network is the tutorial's: FullyConnected(128) + relu + FullyConnected(10)
+ SoftmaxOutput, fed by ``mx.io.MNISTIter`` (flat images). Data come from
``--data-dir`` (MNIST or Fashion-MNIST idx files, gzipped or raw), else
Debian's Fashion-MNIST (``/usr/share/datasets/fashion-mnist``, package
``dataset-fashion-mnist``) when installed, else the 8x8 UCI digits shipped in
``examples/data/uci-digits``. The run logs Speedometer lines and per-epoch
train/validation accuracy, shows a progress bar, saves a checkpoint to
``--out-dir``, reloads it and checks the reloaded model's test accuracy equals
the trained one, and draws the training curve when matplotlib is installed.

    python examples/train_mnist.py --epochs 5 --ctx "cpu(0),cpu(1)"

Across processes (each reads its part of the data; rank 0 saves and checks
the checkpoint):

    python -m mxpy.launch -n 2 python examples/train_mnist.py --kv-store dist_sync
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import secrets
import time

import numpy as np

import mxpy as mx
from mxpy.io.mnist import read_idx

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = "/usr/share/datasets/fashion-mnist"
DIGITS = os.path.join(HERE, "data", "uci-digits")
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def find_data(data_dir: str | None) -> dict[str, str]:
    """Paths of the four idx files: in ``data_dir`` if given, else Fashion-MNIST, else the shipped digits."""
    candidates = [data_dir] if data_dir else [FASHION, DIGITS]
    for d in candidates:
        paths = {}
        for name in FILES:
            for ext in (".gz", ""):
                if os.path.isfile(os.path.join(d, name + ext)):
                    paths[name] = os.path.join(d, name + ext)
                    break
        if len(paths) == len(FILES):
            return paths
    raise SystemExit(f"train_mnist: no MNIST-format idx files ({', '.join(FILES)}, optionally .gz) in {' or '.join(map(repr, candidates))}")


def parse_ctx(text: str | None) -> list:
    """``"cpu(0),cpu(1)"`` -> ``[cpu(0), cpu(1)]``; None: ``gpu(0)`` when CuPy sees a GPU, else ``cpu(0)``."""
    if text is None:
        return [mx.gpu(0) if mx.num_gpus() > 0 else mx.cpu(0)]
    ctxs = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(cpu|gpu)\((\d+)\)\s*", part)
        if not m:
            raise SystemExit(f"train_mnist: --ctx entries must look like cpu(0) or gpu(1), given {part.strip()!r}")
        ctxs.append(mx.cpu(int(m.group(2))) if m.group(1) == "cpu" else mx.gpu(int(m.group(2))))
    return ctxs


def mlp():
    """The seed tutorial's network (its input width follows the data: 784 for MNIST, 64 for the 8x8 digits)."""
    data = mx.sym.Variable("data")
    label = mx.sym.Variable("softmax_label")
    l1 = mx.sym.FullyConnected(data=data, num_hidden=128, name="layer1")
    a1 = mx.sym.Activation(data=l1, act_type="relu", name="act1")
    l2 = mx.sym.FullyConnected(data=a1, num_hidden=10, name="layer2")
    return mx.sym.SoftmaxOutput(data=l2, label=label, name="softmax")


def _largest_divisor(n: int, limit: int) -> int:
    # MNISTIter yields whole batches only: pick a test batch that covers every test image
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


class _EpochRecorder:
    """A batch-end callback keeping each epoch's running (global) training metric."""

    def __init__(self) -> None:
        self.train: dict[int, float] = {}

    def __call__(self, param) -> None:
        self.train[param.epoch] = dict(param.eval_metric.get_global_name_value())["accuracy"]


def _progress_callback(total: int, show: bool):
    if not show:
        return []
    try:
        return [mx.callback.TqdmProgressBar(total=total, leave=False)]
    except ImportError:
        bar = mx.callback.ProgressBar(total=total, length=40)
        step = max(1, -(-total // 10))

        def every_tenth(param) -> None:  # the plain bar logs a line per call: draw ~10 per epoch
            if (param.nbatch + 1) % step == 0 or param.nbatch + 1 == total:
                bar(param._replace(nbatch=param.nbatch + 1))

        return [every_tenth]


def _save_plot(path: str, train_acc: list, val_acc: list, title: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no training-curve PNG (pip install matplotlib)")
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = list(range(len(train_acc)))  # numbered as the log's Epoch[0..N-1]
    ax.plot(epochs, train_acc, marker="o", label="train")
    ax.plot(epochs, val_acc, marker="o", label="validation")
    ax.set_xticks(epochs)  # one tick per epoch, none at half epochs
    ax.set_xlabel("epoch (as in the log's Epoch[N])")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.{secrets.token_hex(6)}.png")
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, path)  # never leave a half-written PNG
    finally:
        plt.close(fig)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    print(f"training curve written to {path}")
    return True


# Settings per data size, tuned for the time limit: the 1437 8x8 digits overfit fast (small
# batches, weight decay: ~92% test in < 2 s); (Fashion-)MNIST's 60000 images reach ~86.5%
# (Fashion) test in 4 epochs of 100-image batches (~30 s on CPU).
SMALL = {"epochs": 10, "batch_size": 16, "lr": 0.05, "wd": 1e-3}
LARGE = {"epochs": 4, "batch_size": 100, "lr": 0.05, "wd": 0.0}


def train(
    data_dir: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    momentum: float = 0.9,
    wd: float | None = None,
    out_dir: str = "demo-output",
    ctx: str | None = None,
    seed: int = 0,
    progress: bool = True,
    plot: bool = True,
    kv_store: str = "local",
) -> dict:
    """Train, checkpoint, reload; returns accuracies, timings and file paths.

    Settings left None take the preset for the data size (``SMALL`` up to
    10000 training images, else ``LARGE``). With a ``dist_*`` ``kv_store``
    (under ``python -m mxpy.launch``) each process reads part ``kv.rank`` of
    ``kv.num_workers`` of the training data, ``batch_size`` is per process,
    and only rank 0 writes and reloads the checkpoint and the plot.

    >>> res = train(epochs=1, out_dir=tempfile.mkdtemp(), progress=False, plot=False)  # doctest: +SKIP
    >>> res["test_acc"] == res["reloaded_acc"]  # doctest: +SKIP
    True
    """
    paths = find_data(data_dir)
    contexts = parse_ctx(ctx)
    where = os.path.dirname(paths[FILES[0]])
    n_train = read_idx(paths["train-labels-idx1-ubyte"], 1).shape[0]
    n_test = read_idx(paths["t10k-labels-idx1-ubyte"], 1).shape[0]
    preset = SMALL if n_train <= 10000 else LARGE
    epochs = preset["epochs"] if epochs is None else epochs
    batch_size = preset["batch_size"] if batch_size is None else batch_size
    lr = preset["lr"] if lr is None else lr
    wd = preset["wd"] if wd is None else wd
    if epochs < 1 or batch_size < 1 or lr <= 0:
        raise SystemExit(f"train_mnist: need epochs >= 1, batch size >= 1 and lr > 0, given {epochs}, {batch_size}, {lr}")
    print(f"data: {where} ({n_train} train / {n_test} test images), contexts: {contexts}, {epochs} epochs, batch {batch_size}, lr {lr}, wd {wd}")
    np.random.seed(seed)
    mx.random.seed(seed)
    kv = mx.kv.create(kv_store) if "dist" in kv_store else kv_store
    rank, workers = (kv.rank, kv.num_workers) if "dist" in kv_store else (0, 1)
    if workers > 1:
        print(f"rank {rank} of {workers}: training on part {rank} of the data with kvstore {kv_store!r}")
        progress = progress and rank == 0

    train_iter = mx.io.MNISTIter(
        image=paths["train-images-idx3-ubyte"],
        label=paths["train-labels-idx1-ubyte"],
        batch_size=batch_size,
        shuffle=True,
        flat=True,
        seed=seed,
        num_parts=workers,
        part_index=rank,
    )
    test_batch = _largest_divisor(n_test, batch_size)
    val_iter = mx.io.MNISTIter(image=paths["t10k-images-idx3-ubyte"], label=paths["t10k-labels-idx1-ubyte"], batch_size=test_batch, shuffle=False, flat=True)
    net = mlp()
    mod = mx.mod.Module(net, context=contexts)
    recorder = _EpochRecorder()
    val_acc: list[float] = []

    def record_validation(param) -> None:
        val_acc.append(dict(param.eval_metric.get_name_value())["accuracy"])

    n_batches = n_train // workers // batch_size
    progress_cbs = _progress_callback(n_batches, progress)
    t0 = time.perf_counter()
    mod.fit(
        train_iter,
        eval_data=val_iter,
        eval_metric="acc",
        optimizer="sgd",
        optimizer_params={"learning_rate": lr, "momentum": momentum, "wd": wd},
        initializer=mx.init.Xavier(),
        num_epoch=epochs,
        batch_end_callback=[recorder, mx.callback.Speedometer(batch_size, max(1, n_batches // 3))] + progress_cbs,
        eval_end_callback=record_validation,
        kvstore=kv,
    )
    train_time = time.perf_counter() - t0
    for cb in progress_cbs:  # a tqdm bar left open would print over the next lines
        getattr(cb, "close", lambda: None)()
    test_acc = dict(mod.score(val_iter, "acc"))["accuracy"]
    train_acc = [recorder.train[e] for e in sorted(recorder.train)]
    if rank != 0:  # every rank holds the same weights: rank 0 writes them
        print(f"rank {rank}: test accuracy {test_acc:.4f}; training took {train_time:.1f} s")
        return {
            "data_dir": where,
            "train_acc": train_acc,
            "val_acc": val_acc,
            "test_acc": test_acc,
            "reloaded_acc": None,
            "train_time": train_time,
            "checkpoint": None,
            "plot": None,
        }

    os.makedirs(out_dir, exist_ok=True)
    prefix = os.path.join(out_dir, "mnist-mlp")
    arg_params, aux_params = mod.get_params()
    mx.model.save_checkpoint(prefix, epochs, net, arg_params, aux_params)

    # reload two ways: the raw checkpoint, and a Module built from it
    _, loaded_args, _ = mx.model.load_checkpoint(prefix, epochs)
    for name, value in arg_params.items():
        if not np.array_equal(loaded_args[name].asnumpy(), value.asnumpy()):
            raise SystemExit(f"train_mnist: reloaded parameter {name!r} differs from the trained one")
    reloaded = mx.mod.Module.load(prefix, epochs, context=contexts[0])
    reloaded.bind(data_shapes=val_iter.provide_data, label_shapes=val_iter.provide_label, for_training=False)
    reloaded_acc = dict(reloaded.score(val_iter, "acc"))["accuracy"]
    print(f"test accuracy {test_acc:.4f}; reloaded checkpoint {prefix}-{epochs:04d}.params: {reloaded_acc:.4f}; training took {train_time:.1f} s")
    if reloaded_acc != test_acc:
        raise SystemExit(f"train_mnist: the reloaded model scores {reloaded_acc}, the trained one {test_acc}")

    png = os.path.join(out_dir, "training-curve.png")
    wrote = plot and _save_plot(png, train_acc, val_acc, f"MLP on {os.path.basename(where)}")
    return {
        "data_dir": where,
        "train_acc": train_acc,
        "val_acc": val_acc,
        "test_acc": test_acc,
        "reloaded_acc": reloaded_acc,
        "train_time": train_time,
        "checkpoint": prefix,
        "plot": png if wrote else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help=f"folder with MNIST-format idx files (default: {FASHION} if present, else the shipped digits)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 10 on small data, 4 on (Fashion-)MNIST")
    parser.add_argument("--batch-size", type=int, default=None, help="default: 16 on small data, 100 on (Fashion-)MNIST")
    parser.add_argument("--lr", type=float, default=None, help="default: 0.05")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--wd", type=float, default=None, help="weight decay (default: 0.001 on small data, 0 on (Fashion-)MNIST)")
    parser.add_argument("--out-dir", default="demo-output")
    parser.add_argument("--ctx", default=None, help='contexts, e.g. "cpu(0),cpu(1)" for data parallel (default: gpu(0) if present, else cpu(0))')
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--kv-store", default="local", help="kvstore type; dist_sync or dist_async under python -m mxpy.launch -n N")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(
        args.data_dir,
        args.epochs,
        args.batch_size,
        args.lr,
        args.momentum,
        args.wd,
        args.out_dir,
        args.ctx,
        args.seed,
        not args.no_progress,
        kv_store=args.kv_store,
    )


if __name__ == "__main__":
    main()
