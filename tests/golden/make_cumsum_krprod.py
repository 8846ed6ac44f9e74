"""Golden values for tests/test_cumsum_krprod.py from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_cumsum_krprod.py
Writes tests/golden/cumsum_krprod.json: cumsum outputs, dtypes and gradients, khatri_rao outputs.
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(3)
out = {"cumsum": [], "khatri_rao": []}
for shape, axis, dtype, in_dtype in [
    ((2, 3), None, None, "float32"),
    ((2, 3, 4), 1, None, "float64"),
    ((3, 4), 0, "int32", "float32"),
    ((5,), 0, None, "int8"),
    ((2, 2), 1, "float64", "int32"),
    ((3, 2), None, None, "bool"),
]:
    x = rs.randint(-3, 4, shape)
    a = mx.nd.array(x, dtype=in_dtype)
    kw = {} if axis is None else {"axis": axis}
    if dtype:
        kw["dtype"] = dtype
    y = mx.nd.cumsum(a, **kw)
    case = {
        "x": x.tolist(),
        "in_dtype": in_dtype,
        "params": kw,
        "output": y.asnumpy().tolist(),
        "dtype": y.dtype.__name__ if hasattr(y.dtype, "__name__") else str(y.dtype),
    }
    if in_dtype.startswith("float") and dtype is None:
        a.attach_grad()
        with mx.autograd.record():
            y = mx.nd.cumsum(a, **kw)
        head = rs.uniform(-1, 1, y.shape)
        y.backward(mx.nd.array(head, dtype=y.dtype))
        case["head"] = head.tolist()
        case["grad"] = a.grad.asnumpy().tolist()
    out["cumsum"].append(case)

for shapes in [[(2, 3), (4, 3)], [(3, 2), (1, 2), (2, 2)], [(4, 5)]]:
    mats = [rs.uniform(-1, 1, s) for s in shapes]
    y = mx.nd.khatri_rao(*[mx.nd.array(m, dtype="float64") for m in mats])
    out["khatri_rao"].append({"inputs": [m.tolist() for m in mats], "output": y.asnumpy().tolist()})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cumsum_krprod.json"), "w") as f:
    json.dump(out, f)
