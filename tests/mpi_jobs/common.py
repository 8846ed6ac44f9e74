"""Data, networks and single-process references shared by tests/mpi_jobs/worker.py and tests/test_dist_mpi.py."""

from __future__ import annotations

import os

import numpy as np

import mxpy as mx

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN_2BIT = os.path.join(HERE, "..", "golden", "kvstore_2bit.npz")
DIGITS = os.path.join(HERE, "..", "..", "examples", "data", "uci-digits")
MLP_BATCH = 8  # per rank
CONV_BATCH = 4
EPOCHS = 2
OPT_PARAMS = {"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4}
HOROVOD_OPT = {"learning_rate": 0.05, "momentum": 0.9}  # no weight decay: see test_horovod_module
N_GLOBAL = 96  # rows: divisible by every per-rank batch times 2 and 3 ranks


def mlp_data() -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs per class of 3 classes in 10 dimensions (the demo data the async test must fit)."""
    rng = np.random.RandomState(0)
    centers = rng.uniform(-2, 2, (3, 10)).astype(np.float32)
    y = np.arange(N_GLOBAL * 4) % 3
    x = centers[y] + rng.normal(0, 0.7, (y.size, 10)).astype(np.float32)
    return x.astype(np.float32), y.astype(np.float32)


def conv_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, (N_GLOBAL // 2, 2, 6, 6)).astype(np.float32)
    y = (x[:, 0, :3].mean(axis=(1, 2)) > 0).astype(np.float32)
    return x, y


def mlp_symbol():
    data = mx.sym.Variable("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=16, name="fc1"), act_type="relu")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")


def conv_symbol():
    data = mx.sym.Variable("data")
    c = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, name="conv")
    b = mx.sym.BatchNorm(c, fix_gamma=False, name="bn")
    h = mx.sym.Activation(b, act_type="relu")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.flatten(h), num_hidden=2, name="fc"), name="softmax")


def rank_slices(x: np.ndarray, y: np.ndarray, n: int, rank: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank ``rank``'s share: rows ``[rank*batch, (rank+1)*batch)`` of every global batch of ``n*batch`` rows."""
    idx = np.arange(x.shape[0]).reshape(-1, n, batch)[:, rank].reshape(-1)
    return x[idx], y[idx]


def seed() -> None:
    """The same initial weights in every process (rank 0's reach the others through kv.init anyway)."""
    mx.random.seed(7)
    np.random.seed(7)


def train_reference(symbol, x: np.ndarray, y: np.ndarray, batch: int, contexts: list, opt: dict = OPT_PARAMS) -> mx.mod.Module:
    """One process over global batches of ``batch`` rows (split over ``contexts`` like the ranks split them)."""
    it = mx.io.NDArrayIter(x, y, batch_size=batch, label_name="softmax_label")
    mod = mx.mod.Module(symbol, context=contexts)
    seed()
    mod.fit(it, num_epoch=EPOCHS, kvstore="local", optimizer="sgd", optimizer_params=opt, initializer=mx.init.Xavier())
    return mod


def digits_files(which: str = "train") -> tuple[str, str]:
    """The demo data shipped in examples/data/uci-digits (8x8 digits in MNIST's idx format)."""
    return os.path.join(DIGITS, f"{which}-images-idx3-ubyte.gz"), os.path.join(DIGITS, f"{which}-labels-idx1-ubyte.gz")


def digits_symbol():
    data = mx.sym.Variable("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=64, name="fc1"), act_type="relu")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=10, name="fc2"), name="softmax")


def feedforward(x: np.ndarray, y: np.ndarray, batch: int, kvstore):
    """FeedForward (deprecated API, warnings silenced) trained on ``x``, ``y`` with ``kvstore``."""
    import warnings

    it = mx.io.NDArrayIter(x, y, batch_size=batch, label_name="softmax_label")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        seed()
        model = mx.model.FeedForward(mlp_symbol(), num_epoch=EPOCHS, optimizer="sgd", initializer=mx.init.Xavier(), **OPT_PARAMS)
        model.fit(it, kvstore=kvstore)
    return model


def gluon_net(x: np.ndarray, y: np.ndarray, batch: int, kvstore, init_seed: int | None = None, step_batch: int | None = None):
    """A Gluon MLP trained with autograd and ``gluon.Trainer(kvstore=...)``, ``trainer.step(step_batch or batch)`` a batch.

    Returns the net and its parameters as ``{"p0": ..., "p1": ...}`` in ``collect_params`` order
    (Gluon's auto-names depend on what the process built before).

    With ``init_seed`` the weights start from that seed; the dist test leaves it None on the ranks
    (each rank seeds differently) and the reference uses rank 0's seed.
    """
    from mxpy import autograd, gluon

    if init_seed is not None:
        mx.random.seed(init_seed)
        np.random.seed(init_seed)
    net = gluon.nn.Sequential()
    net.add(gluon.nn.Dense(16, activation="relu"), gluon.nn.Dense(3))
    net.initialize(mx.init.Xavier())
    net(mx.nd.array(x[:1]))  # finish the deferred initialisation
    trainer = gluon.Trainer(net.collect_params(), "sgd", dict(OPT_PARAMS), kvstore=kvstore)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    for _ in range(EPOCHS):
        for lo in range(0, x.shape[0], batch):
            data, label = mx.nd.array(x[lo : lo + batch]), mx.nd.array(y[lo : lo + batch])
            with autograd.record():
                loss = loss_fn(net(data), label)
            loss.backward()
            trainer.step(step_batch or batch)
    return net, {f"p{i}": v.data().asnumpy() for i, v in enumerate(net.collect_params().values())}
