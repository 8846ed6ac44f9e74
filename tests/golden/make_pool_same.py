"""Golden values for Pooling(pooling_convention='same') in tests/test_conv_pool.py, from MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_pool_same.py
MXNet's MKL-DNN path rejects most 'same' shapes ("could not create a descriptor"), so this
runs its plain CPU kernel (MXNET_MKLDNN_ENABLED=0). 'same' needs pad=(0, 0, 0) there:
the shape rule reads three pad entries whatever the kernel's dims.
Writes tests/golden/pool_same.json: per case kernel, stride, pool_type, output, data gradient.
"""

import json
import os

os.environ["MXNET_MKLDNN_ENABLED"] = "0"
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

x = np.arange(11, dtype=np.float32) * np.array([1, -1] * 5 + [1], np.float32)
data = x.reshape(1, 1, 11)
head = np.linspace(0.5, 1.5, 11, dtype=np.float32)
cases = []
for k, s in [(2, 2), (3, 2), (3, 1), (4, 3), (5, 2)]:
    for t in ["max", "avg", "sum"]:
        a = mx.nd.array(data)
        a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.Pooling(a, kernel=k, stride=s, pad=(0, 0, 0), pool_type=t, pooling_convention="same")
        y.backward(mx.nd.array(head[: y.shape[2]].reshape(y.shape)))
        cases.append({"kernel": k, "stride": s, "pool_type": t, "output": y.asnumpy().ravel().tolist(), "grad": a.grad.asnumpy().ravel().tolist()})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pool_same.json"), "w") as f:
    json.dump({"data": x.tolist(), "head": head.tolist(), "cases": cases}, f)
