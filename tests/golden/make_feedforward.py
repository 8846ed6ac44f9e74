"""Golden values for mx.model.FeedForward (run with /work/shared/tools/mxnet-reference).

A 2-layer MLP starts from fixed parameters and trains 2 epochs with SGD
(momentum, wd) on NumPy input (shuffled with a seeded np.random, last batch
rolled over), with an (X, y) validation pair, on one and on two CPU
contexts; also from a non-shuffling NDArrayIter. Records the trained
parameters, predictions, score, batch-callback numbering and validation logs.
Writes tests/golden/feedforward.npz and feedforward.json.
"""

import json
import logging
import os
import warnings

import numpy as np
from mirror import Capture, ff_inputs, ff_net

import mxnet as mx

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def run(case, ctx, numpy_input):
    X, y, Xt, yt, params = ff_inputs()
    cap = Capture()
    logger = logging.getLogger("ff_" + case)
    logger.setLevel(logging.INFO)
    logger.addHandler(cap)
    logger.propagate = False
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(cap)
    nbatches = []
    np.random.seed(3)
    model = mx.model.FeedForward(
        ff_net(mx),
        ctx=ctx,
        num_epoch=2,
        numpy_batch_size=32,
        arg_params={k: mx.nd.array(v) for k, v in params.items()},
        learning_rate=0.5,
        momentum=0.9,
        wd=0.01,
    )
    if numpy_input:
        model.fit(X, y, eval_data=(Xt, yt), logger=logger, batch_end_callback=lambda p: nbatches.append([p.epoch, p.nbatch]))
    else:
        train = mx.io.NDArrayIter(X, y, batch_size=32, shuffle=False, last_batch_handle="pad")
        val = mx.io.NDArrayIter(Xt, yt, batch_size=32)
        model.fit(train, eval_data=val, logger=logger, batch_end_callback=lambda p: nbatches.append([p.epoch, p.nbatch]))
    root.removeHandler(cap)
    arrays = {f"{case}:{k}": v.asnumpy() for k, v in model.arg_params.items()}
    arrays[f"{case}:predict"] = model.predict(Xt)
    score = model.score(mx.io.NDArrayIter(Xt, yt, batch_size=8))
    return arrays, {"logs": cap.lines, "nbatch": nbatches, "score": float(score)}


def main():
    arrays, meta = {}, {}
    for case, ctx, numpy_input in (
        ("numpy_1ctx", mx.cpu(0), True),
        ("numpy_2ctx", [mx.cpu(0), mx.cpu(1)], True),
        ("iter_1ctx", mx.cpu(0), False),
    ):
        a, m = run(case, ctx, numpy_input)
        arrays.update(a)
        meta[case] = m
    np.savez_compressed(os.path.join(HERE, "feedforward.npz"), **arrays)
    with open(os.path.join(HERE, "feedforward.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
