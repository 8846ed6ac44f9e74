"""Golden checkpoints for tests/test_checkpoint.py, written by real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_checkpoint.py``.
Writes ``tests/golden/checkpoints/{mlp,convbn}-symbol.json``,
``{mlp,convbn}-0003.params`` (via ``mx.model.save_checkpoint``) and
``predictions.json``: the fixed inputs and MXNet's inference outputs of each
net bound with the saved parameters.
"""

import json
import os

import mxnet as mx
import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints")
EPOCH = 3


def mlp():
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.FullyConnected(h, num_hidden=4, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax"), (2, 8)


def convbn():
    data = mx.sym.Variable("data")
    h = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv1")
    h = mx.sym.BatchNorm(h, fix_gamma=False, name="bn1")
    h = mx.sym.Activation(h, act_type="relu", name="relu1")
    h = mx.sym.Pooling(h, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    h = mx.sym.Flatten(h, name="flat")
    h = mx.sym.FullyConnected(h, num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(h, name="softmax"), (2, 2, 4, 4)


def main():
    rng = np.random.RandomState(7)
    out = {}
    for name, build in (("mlp", mlp), ("convbn", convbn)):
        net, dshape = build()
        arg_shapes, _, aux_shapes = net.infer_shape(data=dshape)
        arg_params = {
            n: mx.nd.array(rng.uniform(-1, 1, s).astype(np.float32)) for n, s in zip(net.list_arguments(), arg_shapes) if n not in ("data", "softmax_label")
        }
        aux_params = {}
        for n, s in zip(net.list_auxiliary_states(), aux_shapes):
            lo = 0.5 if n.endswith("var") else -0.5
            aux_params[n] = mx.nd.array(rng.uniform(lo, 1.5, s).astype(np.float32))
        x = rng.uniform(-1, 1, dshape).astype(np.float32)
        mx.model.save_checkpoint(os.path.join(HERE, name), EPOCH, net, arg_params, aux_params)
        ex = net.simple_bind(mx.cpu(), data=dshape, grad_req="null")
        for n, v in arg_params.items():
            v.copyto(ex.arg_dict[n])
        for n, v in aux_params.items():
            v.copyto(ex.aux_dict[n])
        ex.arg_dict["data"][:] = x
        pred = ex.forward(is_train=False)[0].asnumpy()
        out[name] = {"data_shape": list(dshape), "data": x.ravel().tolist(), "pred": pred.ravel().tolist(), "pred_shape": list(pred.shape)}
    with open(os.path.join(HERE, "predictions.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
