"""Golden MXNet 1.9.1 checkpoint of a small net made of ResNet and MobileNet blocks.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_realnet.py``.
Writes ``tests/golden/checkpoints/realnet-symbol.json`` and ``realnet-0001.params``
(``mx.model.save_checkpoint``) and ``realnet.npz``: the fixed input and label,
MXNet's inference output, and from one training forward/backward the output,
every parameter gradient and the moving statistics after it.

The sizes are chosen so that mxpy's fast CPU paths run (tests/test_realnet_golden.py):
a 3x3 convolution with 16x16 outputs (per-image GEMMs), a 1x1 stride-1 one at 16x16
(the data used in place), a 3x3 one at 8x8 with 144 inputs per output (batch-last
columns), a stride-2 depthwise one, BatchNorm rows of 64-256 elements, a 3x3
stride-2 max pool with padding, a residual add and global average pooling.
"""

import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCH = 1


def realnet():
    def cbr(x, nf, kernel, stride, pad, group, name, relu=True):
        x = mx.sym.Convolution(x, num_filter=nf, kernel=kernel, stride=stride, pad=pad, num_group=group, no_bias=True, name=name + "_conv")
        x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-5, name=name + "_bn")
        return mx.sym.Activation(x, act_type="relu", name=name + "_relu") if relu else x

    x = mx.sym.Variable("data")  # (2, 3, 16, 16)
    x = cbr(x, 8, (3, 3), (1, 1), (1, 1), 1, "stem")  # 16x16 out
    x = cbr(x, 16, (1, 1), (1, 1), (0, 0), 1, "pw")  # pointwise at 16x16
    x = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max", name="pool")  # 8x8
    y = cbr(x, 16, (3, 3), (1, 1), (1, 1), 1, "res1")  # 16 * 9 = 144 inputs per output at 8x8
    y = cbr(y, 16, (3, 3), (1, 1), (1, 1), 1, "res2", relu=False)
    x = mx.sym.Activation(x + y, act_type="relu", name="res_relu")
    x = cbr(x, 16, (3, 3), (2, 2), (1, 1), 16, "dw")  # depthwise, stride 2: 4x4
    x = mx.sym.Pooling(x, global_pool=True, kernel=(4, 4), pool_type="avg", name="gpool")
    x = mx.sym.FullyConnected(mx.sym.Flatten(x), num_hidden=5, name="fc")
    return mx.sym.SoftmaxOutput(x, name="softmax")


def main():
    rng = np.random.RandomState(11)
    net = realnet()
    dshape = (2, 3, 16, 16)
    arg_shapes, _, aux_shapes = net.infer_shape(data=dshape)
    arg_params = {}
    for n, s in zip(net.list_arguments(), arg_shapes):
        if n in ("data", "softmax_label"):
            continue
        lo, hi = (0.5, 1.5) if n.endswith("gamma") else (-0.5, 0.5)
        arg_params[n] = mx.nd.array(rng.uniform(lo, hi, s).astype(np.float32))
    aux_params = {}
    for n, s in zip(net.list_auxiliary_states(), aux_shapes):
        lo, hi = (0.5, 1.5) if n.endswith("var") else (-0.3, 0.3)
        aux_params[n] = mx.nd.array(rng.uniform(lo, hi, s).astype(np.float32))
    x = rng.uniform(-1, 1, dshape).astype(np.float32)
    label = np.array([1, 3], np.float32)
    mx.model.save_checkpoint(os.path.join(HERE, "checkpoints", "realnet"), EPOCH, net, arg_params, aux_params)

    out = {"data": x, "label": label}
    for train in (False, True):
        req = {n: ("null" if n in ("data", "softmax_label") else "write") for n in net.list_arguments()} if train else "null"
        ex = net.simple_bind(mx.cpu(), data=dshape, grad_req=req)
        for n, v in arg_params.items():
            v.copyto(ex.arg_dict[n])
        for n, v in aux_params.items():
            v.copyto(ex.aux_dict[n])
        ex.arg_dict["data"][:] = x
        ex.arg_dict["softmax_label"][:] = label
        pred = ex.forward(is_train=train)[0].asnumpy()
        if not train:
            out["infer_out"] = pred
            continue
        ex.backward()
        out["train_out"] = pred
        for n in arg_params:
            out["grad:" + n] = ex.grad_dict[n].asnumpy()
        for n in aux_params:
            out["aux:" + n] = ex.aux_dict[n].asnumpy()
    np.savez(os.path.join(HERE, "realnet.npz"), **out)
    print("wrote", len(out), "arrays")


if __name__ == "__main__":
    main()
