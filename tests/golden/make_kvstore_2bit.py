"""Golden 2-bit gradient compression results for tests/test_dist_compression.py, from real MXNet 1.9.1.

MXNet's ``local`` store refuses compression; its ``device`` store (CPU
contexts here) quantizes every pushed value with a residual kept per key and
per device, dequantizes and sums: the same quantizer a ``dist`` worker runs
before sending. Run with ``../shared/tools/mxnet-reference
tests/golden/make_kvstore_2bit.py``; writes ``tests/golden/kvstore_2bit.npz``.
"""

import os

import mxnet as mx
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kvstore_2bit.npz")
rng = np.random.RandomState(5)
out = {}

# 1. one device, no optimizer: the stored value is the dequantized push (residual carried over)
for name, threshold, shape in (("t05", 0.5, (4, 7)), ("t02", 0.2, (33,))):
    kv = mx.kv.create("device")
    kv.set_gradient_compression({"type": "2bit", "threshold": threshold})
    kv.init(0, mx.nd.zeros(shape))
    grads = rng.uniform(-0.7, 0.7, (5,) + shape).astype(np.float32)
    pulled = []
    for g in grads:
        kv.push(0, mx.nd.array(g))
        o = mx.nd.zeros(shape)
        kv.pull(0, out=o)
        pulled.append(o.asnumpy())
    out[name + "_grads"] = grads
    out[name + "_pulled"] = np.stack(pulled)

# 2. two devices: each keeps its own residual, the dequantized values are summed
kv = mx.kv.create("device")
kv.set_gradient_compression({"type": "2bit", "threshold": 0.3})
shape = (3, 5)
kv.init("w", mx.nd.zeros(shape))
grads = rng.uniform(-0.5, 0.5, (4, 2) + shape).astype(np.float32)
pulled = []
for step in grads:
    kv.push("w", [mx.nd.array(step[i], ctx=mx.cpu(i)) for i in range(2)])
    o = mx.nd.zeros(shape)
    kv.pull("w", out=o)
    pulled.append(o.asnumpy())
out["two_grads"] = grads
out["two_pulled"] = np.stack(pulled)

# 3. with an SGD optimizer on the store: the update sees the dequantized gradient
kv = mx.kv.create("device")
kv.set_gradient_compression({"type": "2bit", "threshold": 0.25})
w0 = rng.uniform(-1, 1, (6,)).astype(np.float32)
kv.init(1, mx.nd.array(w0))
kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
grads = rng.uniform(-0.6, 0.6, (4, 6)).astype(np.float32)
pulled = []
for g in grads:
    kv.push(1, mx.nd.array(g))
    o = mx.nd.zeros((6,))
    kv.pull(1, out=o)
    pulled.append(o.asnumpy())
out["sgd_w0"] = w0
out["sgd_grads"] = grads
out["sgd_pulled"] = np.stack(pulled)

# 4. the default threshold (0.5) when only the type is given
kv = mx.kv.create("device")
kv.set_gradient_compression({"type": "2bit"})
kv.init(2, mx.nd.zeros((8,)))
g = np.linspace(-1.2, 1.2, 8).astype(np.float32)
kv.push(2, mx.nd.array(g))
o = mx.nd.zeros((8,))
kv.pull(2, out=o)
out["default_grad"] = g
out["default_pulled"] = o.asnumpy()

# 5. what MXNet says about bad parameters
errors = {}
for label, params in (("local", None), ("bad_type", {"type": "3bit"}), ("neg", {"type": "2bit", "threshold": -1})):
    try:
        if label == "local":
            mx.kv.create("local").set_gradient_compression({"type": "2bit"})
        else:
            mx.kv.create("device").set_gradient_compression(params)
        errors[label] = "ok"
    except Exception as e:  # noqa: BLE001 - record the message
        errors[label] = type(e).__name__ + ": " + str(e).splitlines()[0][:200]
print(errors)
np.savez(OUT, **out)
print("wrote", OUT, sorted(out))
