"""Golden values for gluon.model_zoo.vision and gluon.contrib.nn from real MXNet 1.9.1.

Run with the reference interpreter (writes model_zoo.json.gz and model_zoo.npz next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_model_zoo.py

For every model ``get_model`` knows: the parameter names and shapes in ``collect_params()`` order
(after one forward fills the deferred shapes), the prefix, and the output shape. For a few small
models: the output of a forward with deterministic parameters (filled in sorted-name order from
one seeded stream) on a fixed input, imperative and hybridized. For contrib.nn: PixelShuffle on
arange input, the parameter names of the contrib layers, SyncBatchNorm in training.
"""

import gzip
import json
import os

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon
from mxnet.gluon.model_zoo import vision

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = [
    "resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1",
    "resnet18_v2", "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2",
    "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
    "alexnet", "densenet121", "densenet161", "densenet169", "densenet201",
    "squeezenet1.0", "squeezenet1.1", "inceptionv3",
    "mobilenet1.0", "mobilenet0.75", "mobilenet0.5", "mobilenet0.25",
    "mobilenetv2_1.0", "mobilenetv2_0.75", "mobilenetv2_0.5", "mobilenetv2_0.25",
]  # fmt: skip


def fill(net, seed):
    rng = np.random.RandomState(seed)
    params = net.collect_params()
    for name in sorted(params.keys()):
        p = params[name]
        if name.endswith("running_var"):
            p.set_data(mx.nd.array(rng.uniform(0.5, 1.5, p.shape)))
        else:
            p.set_data(mx.nd.array(rng.uniform(-0.1, 0.1, p.shape)))


models = {}
for name in NAMES:
    net = vision.get_model(name, classes=7)
    net.initialize()
    size = 299 if name == "inceptionv3" else 224
    out = net(mx.nd.zeros((1, 3, size, size)))
    params = net.collect_params()
    models[name] = {
        "prefix": net.prefix,
        "params": [[k, list(v.shape)] for k, v in params.items()],
        "output_shape": list(out.shape),
        "thumbnail": None,
        # the names save_parameters writes (and the published pretrained files hold)
        "structural": sorted(net._collect_params_with_prefix().keys()),
    }
    print(name, len(params.keys()))

# CIFAR-size thumbnails of ResNet
for name in ["resnet18_v1", "resnet18_v2"]:
    net = vision.get_model(name, classes=10, thumbnail=True)
    net.initialize()
    out = net(mx.nd.zeros((1, 3, 32, 32)))
    models[name + "_thumbnail"] = {
        "prefix": net.prefix,
        "params": [[k, list(v.shape)] for k, v in net.collect_params().items()],
        "output_shape": list(out.shape),
        "thumbnail": True,
    }

arrays = {}
forward = []
rng = np.random.RandomState(5)
for name, size in [
    ("resnet18_v1", 64),
    ("resnet18_v2", 64),
    ("mobilenet0.25", 64),
    ("mobilenetv2_0.25", 64),
    ("squeezenet1.1", 224),
    ("densenet121", 224),
    ("alexnet", 224),
    ("vgg11_bn", 64),
    ("inceptionv3", 299),
]:
    net = vision.get_model(name, classes=5)
    net.initialize()
    x = rng.uniform(-1, 1, (2, 3, size, size)).astype(np.float32)
    net(mx.nd.array(x))
    fill(net, 7)
    key = name.replace(".", "_")
    arrays[key + "__imperative"] = net(mx.nd.array(x)).asnumpy()
    with autograd.record(train_mode=True):
        arrays[key + "__train"] = net(mx.nd.array(x)).asnumpy()
    net.hybridize()
    arrays[key + "__hybrid"] = net(mx.nd.array(x)).asnumpy()
    forward.append({"name": name, "key": key})

# contrib.nn
contrib = {}
for cls, factor, shape in [("PixelShuffle1D", 2, (1, 6, 3)), ("PixelShuffle2D", (2, 3), (1, 12, 2, 3)), ("PixelShuffle3D", (2, 1, 2), (2, 8, 2, 3, 2))]:
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    layer = getattr(gluon.contrib.nn, cls)(factor)
    arrays["contrib_" + cls] = layer(mx.nd.array(x)).asnumpy()
    layer.hybridize()
    arrays["contrib_" + cls + "_hybrid"] = layer(mx.nd.array(x)).asnumpy()
    contrib[cls] = {"factor": factor, "shape": list(shape)}
net = gluon.nn.HybridSequential()
with net.name_scope():
    conc = gluon.contrib.nn.HybridConcurrent(axis=1)
    with conc.name_scope():
        conc.add(gluon.nn.Dense(3), gluon.contrib.nn.Identity())
    net.add(conc)
    c2 = gluon.contrib.nn.Concurrent(axis=1)
    net.add(gluon.contrib.nn.SyncBatchNorm(in_channels=5))
net.initialize()
emb = gluon.contrib.nn.SparseEmbedding(4, 2)  # a Block, not a HybridBlock, in MXNet 1.9.1
emb.initialize()
contrib["names"] = [[k, list(v.shape)] for k, v in net.collect_params().items()] + [[k, list(v.shape)] for k, v in emb.collect_params().items()]
contrib["sparse_embedding_is_hybrid"] = isinstance(emb, gluon.HybridBlock)
contrib["prefixes"] = [conc.prefix, c2.prefix]
bn = gluon.contrib.nn.SyncBatchNorm(in_channels=3)
bn.initialize()
xb = rng.uniform(-1, 1, (4, 3, 2, 2)).astype(np.float32)
with autograd.record():
    yb = bn(mx.nd.array(xb))
arrays["contrib_syncbn_y"] = yb.asnumpy()
arrays["contrib_syncbn_running_mean"] = bn.running_mean.data().asnumpy()

with gzip.open(os.path.join(HERE, "model_zoo.json.gz"), "wt") as f:
    json.dump({"mxnet": mx.__version__, "models": models, "forward": forward, "contrib": contrib}, f)
np.savez_compressed(os.path.join(HERE, "model_zoo.npz"), **arrays)
