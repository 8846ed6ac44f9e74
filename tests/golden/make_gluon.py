"""Golden values for tests/test_gluon_golden.py from real MXNet 1.9.1.

Run: /work/shared/tools/mxnet-reference tests/golden/make_gluon.py
Writes tests/golden/gluon.json (parameter names and shapes) and gluon.npz:
per layer the input, parameters, head gradient, output, input and parameter
gradients and the statistics after the backward; per training run (an MLP and
a conv net with BatchNorm, SGD with momentum and weight decay for three steps,
then Adam for three) the parameters after every step; and, under
tests/golden/gluon_files/, a conv net saved by ``export`` and by
``save_parameters`` with its inference output.
"""

import json
import os
import sys

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon
from mxnet.gluon import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gluon_cases import ADAM, CONVNET, LAYERS, SGD, STEPS, TRAIN, values  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
out_json = {"layers": {}, "train": {}}
arrays = {}


def set_params(block, rng):
    """Every parameter gets deterministic values, in structural-name order."""
    for key, p in sorted(block._collect_params_with_prefix().items()):
        v = values(rng, p.shape, p.name)
        p.set_data(mx.nd.array(v))
        yield key, v


for case, (src, shape, int_range) in LAYERS.items():
    rng = np.random.RandomState(sum(map(ord, case)))
    with mx.name.NameManager():
        layer = eval(src)
    layer.initialize()
    if int_range:
        x = rng.randint(0, int_range, shape).astype(np.float32)
    else:
        x = rng.uniform(-1, 1, shape).astype(np.float32)
    layer(mx.nd.array(x))  # finishes deferred initialization
    params = dict(set_params(layer, rng))
    xa = mx.nd.array(x)
    if not int_range:  # indices have no gradient
        xa.attach_grad()
    with autograd.record():
        y = layer(xa)
    og = rng.uniform(-1, 1, y.shape).astype(np.float32)
    y.backward(mx.nd.array(og))
    pre = f"layer/{case}/"
    arrays[pre + "x"] = x
    arrays[pre + "og"] = og
    arrays[pre + "y"] = y.asnumpy()
    if not int_range:
        arrays[pre + "dx"] = xa.grad.asnumpy()
    info = {"names": [], "shapes": [], "keys": []}
    for key, p in sorted(layer._collect_params_with_prefix().items()):
        arrays[pre + "param/" + key] = params[key]
        info["names"].append(p.name)
        info["shapes"].append(list(p.shape))
        info["keys"].append(key)
        if p.grad_req != "null":
            arrays[pre + "grad/" + key] = p.grad().asnumpy()
        else:
            arrays[pre + "after/" + key] = p.data().asnumpy()
    # inference-mode output too (BatchNorm uses the running statistics, Dropout is off)
    arrays[pre + "y_infer"] = layer(mx.nd.array(x)).asnumpy()
    out_json["layers"][case] = info


def build(src):
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(*eval(src))
    return net


for run, (src, shape) in TRAIN.items():
    rng = np.random.RandomState(11)
    with mx.name.NameManager():
        net = build(src)
    net.initialize()
    x = rng.uniform(-1, 1, shape).astype(np.float32)
    label = rng.randint(0, 3, (shape[0],)).astype(np.float32)
    net(mx.nd.array(x))
    params = dict(set_params(net, rng))
    net.hybridize()
    pre = f"train/{run}/"
    arrays[pre + "x"] = x
    arrays[pre + "label"] = label
    for k, v in params.items():
        arrays[pre + "init/" + k] = v
    out_json["train"][run] = {"names": {k: p.name for k, p in net._collect_params_with_prefix().items()}}
    step = 0
    for opt, opt_params in (SGD, ADAM):
        trainer = gluon.Trainer(net.collect_params(), opt, dict(opt_params))
        for _ in range(STEPS):
            with autograd.record():
                out = net(mx.nd.array(x))
                loss = -mx.nd.pick(mx.nd.log_softmax(out), mx.nd.array(label)).sum()
            loss.backward()
            trainer.step(shape[0])
            step += 1
            arrays[pre + f"loss/{step}"] = loss.asnumpy()
            for k, p in net._collect_params_with_prefix().items():
                arrays[pre + f"step{step}/{k}"] = p.data().asnumpy()

# files written by MXNet: a trained conv net with BatchNorm
rng = np.random.RandomState(5)
with mx.name.NameManager():
    net = build(CONVNET)
net.initialize()
x = rng.uniform(-1, 1, (2, 2, 8, 8)).astype(np.float32)
net(mx.nd.array(x))
dict(set_params(net, rng))
net.hybridize()
y = net(mx.nd.array(x)).asnumpy()
files = os.path.join(HERE, "gluon_files")
os.makedirs(files, exist_ok=True)
net.export(os.path.join(files, "mxnet_convnet"), epoch=2)
net.save_parameters(os.path.join(files, "mxnet_convnet.params"))
arrays["files/x"] = x
arrays["files/y"] = y

np.savez_compressed(os.path.join(HERE, "gluon.npz"), **arrays)
with open(os.path.join(HERE, "gluon.json"), "w") as f:
    json.dump(out_json, f, indent=1, sort_keys=True)
print("wrote", len(arrays), "arrays")
