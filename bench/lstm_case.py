"""An LSTM language-model epoch with ``Module.fit``, written against the MXNet 1.x API.

Runs unchanged on mxpy and on MXNet 1.9.1 (``--module``); prints one JSON line
``{"epoch_s": [...], "ms_per_batch": median}``. Synthetic data: 40 batches of 32
sequences of 35 tokens, vocabulary 1000, embedding and 2 x 200 LSTM units
(a small PTB model: its products are the size where OpenBLAS's threads spin).

    .venv/bin/python bench/lstm_case.py --module mxpy --epochs 3
    ../shared/tools/mxnet-reference bench/lstm_case.py --module mxnet --epochs 3
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time

import numpy as np

VOCAB, EMBED, HIDDEN, LAYERS, SEQ, BATCH, BATCHES = 1000, 200, 200, 2, 35, 32, 40


def lstm_symbol(mx):
    data = mx.sym.Variable("data")  # (batch, seq) token ids
    label = mx.sym.Variable("softmax_label")
    emb = mx.sym.Embedding(data=data, input_dim=VOCAB, output_dim=EMBED, name="embed")
    seq = mx.sym.transpose(emb, axes=(1, 0, 2))  # time major for RNN
    rnn = mx.sym.RNN(
        data=seq,
        parameters=mx.sym.Variable("rnn_params", init=mx.init.Uniform(0.1)),
        state=mx.sym.Variable("rnn_h0", init=mx.init.Zero()),
        state_cell=mx.sym.Variable("rnn_c0", init=mx.init.Zero()),
        state_size=HIDDEN,
        num_layers=LAYERS,
        mode="lstm",
        name="rnn",
    )
    flat = mx.sym.Reshape(mx.sym.transpose(rnn, axes=(1, 0, 2)), shape=(-1, HIDDEN))
    fc = mx.sym.FullyConnected(data=flat, num_hidden=VOCAB, name="pred")
    return mx.sym.SoftmaxOutput(data=fc, label=mx.sym.Reshape(label, shape=(-1,)), name="softmax")


def run(mx, epochs: int, batches: int = BATCHES) -> dict:
    rng = np.random.RandomState(0)
    x = rng.randint(0, VOCAB, (batches * BATCH, SEQ)).astype(np.float32)
    y = np.roll(x, -1, axis=1)
    it = mx.io.NDArrayIter(x, y, batch_size=BATCH, shuffle=False)
    mod = mx.mod.Module(lstm_symbol(mx), context=mx.cpu(), data_names=["data"], label_names=["softmax_label"], fixed_param_names=["rnn_h0", "rnn_c0"])
    times: list = []
    last = [0.0]

    def epoch_end(epoch, sym, arg, aux):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(mx.init.Xavier())
    last[0] = time.perf_counter()
    mod.fit(it, num_epoch=epochs + 1, optimizer="sgd", optimizer_params={"learning_rate": 0.1}, epoch_end_callback=epoch_end)
    mx.nd.waitall()
    steady = times[1:]  # the first epoch warms up
    return {"epoch_s": steady, "ms_per_batch": statistics.median(steady) / batches * 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", default="mxpy")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batches", type=int, default=BATCHES, help="batches per epoch")
    args = ap.parse_args()
    print(json.dumps(run(importlib.import_module(args.module), args.epochs, args.batches)))


if __name__ == "__main__":
    main()
