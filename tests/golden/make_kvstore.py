"""Golden KVStore results for tests/test_kvstore.py, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_kvstore.py``;
writes ``tests/golden/kvstore.json`` (inputs and every pulled result).
"""

import json
import os

import mxnet as mx
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kvstore.json")
rng = np.random.RandomState(11)
SHAPE = (2, 3)


def rand():
    return rng.uniform(-1, 1, SHAPE).astype(np.float32)


def nd(x, dev=0):
    return mx.nd.array(x, ctx=mx.cpu(dev))


def L(x):
    return np.asarray(x).tolist()


def sum_pull():
    kv = mx.kv.create("local")
    w, g = rand(), [rand() for _ in range(3)]
    kv.init(3, nd(w))
    kv.push(3, [nd(g[i], i) for i in range(3)])
    outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)]
    kv.pull(3, out=outs)
    return {"w": L(w), "grads": L(g), "pulled": [L(o.asnumpy()) for o in outs]}


def str_lists():
    kv = mx.kv.create("local")
    a, b = rand(), rand()
    kv.init(["a", "b"], [nd(a), nd(b)])
    ga, gb = [rand(), rand()], [rand(), rand()]
    kv.push(["a", "b"], [[nd(ga[0], 0), nd(ga[1], 1)], [nd(gb[0], 0), nd(gb[1], 1)]])
    outs = [[mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)] for _ in range(2)]
    kv.pull(["a", "b"], out=outs)
    return {"init": [L(a), L(b)], "ga": L(ga), "gb": L(gb), "pulled": [[L(o.asnumpy()) for o in row] for row in outs]}


def pushpull():
    kv = mx.kv.create("local")
    w = rand()
    kv.init(5, nd(w))
    g = [rand(), rand()]
    outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(i)) for i in range(2)]
    kv.pushpull(5, [nd(g[0], 0), nd(g[1], 1)], out=outs)
    g2 = [rand(), rand()]
    vals = [nd(g2[0], 0), nd(g2[1], 1)]
    kv.pushpull(5, vals)
    return {"w": L(w), "g": L(g), "out": [L(o.asnumpy()) for o in outs], "g2": L(g2), "inplace": [L(v.asnumpy()) for v in vals]}


def sgd(kv_type, str_keys):
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, wd=0.01, rescale_grad=0.5, param_idx2name={0: "fc_weight", 1: "fc_bias"})
    kv = mx.kv.create(kv_type)
    keys = ["fc_weight", "fc_bias"] if str_keys else [0, 1]
    w = [rand(), rand()]
    kv.init(keys, [nd(x) for x in w])
    kv.set_optimizer(opt)
    steps, grads = [], []
    for _ in range(3):
        g = [[rand(), rand()] for _ in keys]
        grads.append(L(g))
        kv.push(keys, [[nd(gk[0], 0), nd(gk[1], 1)] for gk in g])
        outs = [mx.nd.zeros(SHAPE, ctx=mx.cpu(1)) for _ in keys]
        kv.pull(keys, out=outs)
        steps.append([L(o.asnumpy()) for o in outs])
    return {"w": L(w), "grads": grads, "steps": steps}


def custom_updater():
    kv = mx.kv.create("local")
    w = rand()
    kv.init("k", nd(w))
    seen = []

    def upd(key, grad, stored):
        seen.append(repr(key))
        stored[:] = stored * 2 + grad

    kv._set_updater(upd)
    g = rand()
    kv.push("k", nd(g, 1))
    out = mx.nd.zeros(SHAPE)
    kv.pull("k", out=out)
    return {"w": L(w), "g": L(g), "out": L(out.asnumpy()), "keys_seen": seen}


def main():
    res = {
        "sum_pull": sum_pull(),
        "str_lists": str_lists(),
        "pushpull": pushpull(),
        "sgd_local_int": sgd("local", False),
        "sgd_device_str": sgd("device", True),
        "custom_updater": custom_updater(),
        "types": {
            t: [mx.kv.create(t).type, mx.kv.create(t).rank, mx.kv.create(t).num_workers]
            for t in ("local", "device", "local_update_cpu", "local_allreduce_cpu", "local_allreduce_device", "Device")
        },
    }
    with open(OUT, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
