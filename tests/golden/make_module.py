"""Golden values for mx.mod: run with ``/work/shared/tools/mxnet-reference tests/golden/make_module.py``.

A deterministic ``Module.fit`` (an MLP, fixed initial parameters given as
``arg_params``, NDArrayIter without shuffle, SGD with momentum 0.9 and wd
1e-4, 3 epochs): the parameters after each epoch (recorded by an
epoch_end_callback), the logged train/validation metrics, then ``score`` and
``predict`` outputs. Writes ``tests/golden/module.npz``.
"""

import logging
import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def net():
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def main():
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (22, 5)).astype(np.float32)
    y = (rng.uniform(0, 3, (22,)).astype(np.int64)).astype(np.float32)
    init = {
        "fc1_weight": rng.uniform(-0.5, 0.5, (8, 5)).astype(np.float32),
        "fc1_bias": rng.uniform(-0.1, 0.1, (8,)).astype(np.float32),
        "fc2_weight": rng.uniform(-0.5, 0.5, (3, 8)).astype(np.float32),
        "fc2_bias": rng.uniform(-0.1, 0.1, (3,)).astype(np.float32),
    }
    out = {"x": x, "y": y}
    out.update({f"init_{k}": v for k, v in init.items()})

    logs = []

    class Grab(logging.Handler):
        def emit(self, record):
            msg = record.getMessage()
            if "Time cost" not in msg:
                logs.append(msg)

    logger = logging.getLogger("golden_module")
    logger.setLevel(logging.INFO)
    logger.addHandler(Grab())

    def on_epoch(epoch, sym, args, auxs):
        for k, v in args.items():
            out[f"epoch{epoch}_{k}"] = v.asnumpy()

    train = mx.io.NDArrayIter(x, y, batch_size=4, shuffle=False)  # 22 = 5*4 + 2: a padded last batch
    val = mx.io.NDArrayIter(x[:10], y[:10], batch_size=4, shuffle=False)
    mod = mx.mod.Module(net(), logger=logger)
    mod.fit(
        train,
        eval_data=val,
        num_epoch=3,
        optimizer="sgd",
        optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 1e-4},
        arg_params={k: mx.nd.array(v) for k, v in init.items()},
        epoch_end_callback=on_epoch,
    )
    out["logs"] = np.array(logs)
    score = mod.score(val, ["acc", "ce"])
    out["score_names"] = np.array([n for n, _ in score])
    out["score_values"] = np.array([v for _, v in score], dtype=np.float64)
    pred = mod.predict(val)
    out["predict"] = pred.asnumpy()
    # predict on a smaller batch reshapes the module
    small = mx.io.NDArrayIter(x[:6], y[:6], batch_size=3, shuffle=False)
    out["predict_small"] = mod.predict(small).asnumpy()
    np.savez_compressed(os.path.join(HERE, "module.npz"), **out)
    print("\n".join(logs))


if __name__ == "__main__":
    main()
