"""Golden results for a Python kvstore (KVStoreBase) driving gluon.Trainer, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_kvstore_base.py``;
writes ``tests/golden/kvstore_base.json``: the weights after each of three
Trainer steps over two contexts with MXNet's ``teststore`` and with a
registered store that logs its calls (which calls, with which keys).
"""

import json
import os

import mxnet as mx
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kvstore_base.json")
CTX = [mx.cpu(0), mx.cpu(1)]
LOG = []


@mx.kvstore.KVStoreBase.register
class LoggingStore(mx.kvstore.KVStoreBase):
    def broadcast(self, key, value, out, priority=0):
        LOG.append(["broadcast", key, len(out) if isinstance(out, list) else 1])
        for o in out if isinstance(out, list) else [out]:
            o[:] = value

    def pushpull(self, key, value, out=None, priority=0):
        LOG.append(["pushpull", key, len(value), out is not None])
        total = sum(v.as_in_context(value[0].context) for v in value)
        for o in value if out is None else out:
            o[:] = total

    @staticmethod
    def is_capable(capability):
        return False

    @property
    def type(self):
        return "loggingstore"


def run(store, steps=3):
    w = mx.gluon.Parameter("w", shape=(2, 3))
    b = mx.gluon.Parameter("b", shape=(3,))
    w.initialize(ctx=CTX, init=mx.init.Constant(0.5))
    b.initialize(ctx=CTX, init="zeros")
    trainer = mx.gluon.Trainer([w, b], "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, kvstore=mx.kv.create(store))
    x = [mx.nd.array(np.arange(6).reshape(3, 2) * (i + 1) / 10.0, ctx=c) for i, c in enumerate(CTX)]
    out = []
    for _ in range(steps):
        with mx.autograd.record():
            losses = [(mx.nd.dot(xi, w.data(xi.context)) + b.data(xi.context)).square().sum() for xi in x]
        mx.autograd.backward(losses)
        trainer.step(6)
        out.append({"w": [w.data(c).asnumpy().tolist() for c in CTX], "b": [b.data(c).asnumpy().tolist() for c in CTX]})
    return out, trainer._update_on_kvstore


teststore, upd = run("teststore")
logging, upd2 = run("LoggingStore")
json.dump({"teststore": teststore, "update_on_kvstore": [upd, upd2], "loggingstore": logging, "log": LOG}, open(OUT, "w"))
print(LOG, upd, upd2)
