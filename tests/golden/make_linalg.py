"""Golden values for tests/test_linalg.py from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_linalg.py
Writes tests/golden/linalg.json: per case the op, its params, the inputs, a
head gradient per output, MXNet's outputs and input gradients (autograd).
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(13)


def L(x):
    return np.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=np.float64).round(8).tolist()


def spd(n, batch=()):
    a = rs.uniform(-1, 1, batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float64)


def tri(n, lower=True, batch=()):
    a = rs.uniform(-1, 1, batch + (n, n)) + 3 * np.eye(n)
    return np.tril(a) if lower else np.triu(a)


def u(*shape):
    return rs.uniform(-1, 1, shape)


CASES = [
    ("gemm", [u(2, 3), u(3, 4), u(2, 4)], {"alpha": 1.5, "beta": 0.5}),
    ("gemm", [u(2, 3, 2), u(2, 4, 3), u(2, 2, 4)], {"transpose_a": True, "transpose_b": True, "alpha": 0.7, "beta": 2.0}),
    ("gemm", [u(3, 2, 5), u(5, 2, 4), u(3, 2, 4)], {"axis": -3}),
    ("gemm2", [u(2, 3), u(3, 4)], {"alpha": 2.0}),
    ("gemm2", [u(2, 3, 2), u(2, 3, 4)], {"transpose_a": True}),
    ("gemm2", [u(2, 3), u(4, 3)], {"transpose_b": True}),
    ("potrf", [spd(3)], {}),
    ("potrf", [spd(3, (2,))], {"lower": False}),
    ("potri", [tri(3)], {}),
    ("potri", [tri(3, False)], {"lower": False}),
    ("trsm", [tri(3), u(3, 2)], {"alpha": 1.5}),
    ("trsm", [tri(3, False), u(2, 3)], {"rightside": True, "lower": False}),
    ("trsm", [tri(3), u(3, 2)], {"transpose": True}),
    ("trmm", [tri(3), u(3, 2)], {"alpha": 2.0}),
    ("trmm", [tri(3, False), u(2, 3)], {"rightside": True, "lower": False, "transpose": True}),
    ("syrk", [u(2, 3)], {"alpha": 1.5}),
    ("syrk", [u(2, 3)], {"transpose": True}),
    ("gelqf", [u(2, 3)], {}),
    ("gelqf", [u(2, 2, 4)], {}),
    ("syevd", [spd(3)], {}),
    ("sumlogdiag", [spd(3)], {}),
    ("sumlogdiag", [spd(2, (2,))], {}),
    ("extractdiag", [u(3, 3)], {}),
    ("extractdiag", [u(2, 3, 3)], {"offset": 1}),
    ("makediag", [u(3)], {}),
    ("makediag", [u(2, 2)], {"offset": -1}),
    ("extracttrian", [u(3, 3)], {}),
    ("extracttrian", [u(3, 3)], {"offset": 1}),
    ("extracttrian", [u(3, 3)], {"offset": -1, "lower": False}),
    ("extracttrian", [u(3, 3)], {"lower": False}),
    ("maketrian", [u(6)], {}),
    ("maketrian", [u(3)], {"offset": 1}),
    ("maketrian", [u(2, 3)], {"offset": -1, "lower": False}),
    ("maketrian", [u(6)], {"lower": False}),
    ("inverse", [spd(3) - 2 * np.eye(3)], {}),
    ("det", [u(2, 3, 3)], {}),
    ("slogdet", [u(3, 3)], {}),
]

out = []
for name, ins, params in CASES:
    arrs = [mx.nd.array(x, dtype="float64") for x in ins]
    for a in arrs:
        a.attach_grad()
    with mx.autograd.record():
        res = getattr(mx.nd.linalg, name)(*arrs, **params)
    res = res if isinstance(res, list) else [res]
    heads = [rs.uniform(-1, 1, r.shape) for r in res]
    if name == "syevd":
        heads = [np.zeros(res[0].shape), heads[1]]  # eigenvector gradients depend on the sign choice
    mx.autograd.backward(res, [mx.nd.array(h, dtype="float64") for h in heads])
    out.append(
        {
            "op": name,
            "params": params,
            "inputs": [L(x) for x in ins],
            "heads": [L(h) for h in heads],
            "outputs": [L(r) for r in res],
            "grads": [L(a.grad) for a in arrs],
        }
    )

# errors MXNet raises at the sync point for a non-positive-definite or singular input
errors = {}
for name, x in (("potrf", -np.eye(2)), ("inverse", np.zeros((2, 2)))):
    try:
        getattr(mx.nd.linalg, name)(mx.nd.array(x, dtype="float64")).asnumpy()
        errors[name] = None
    except mx.base.MXNetError as e:
        errors[name] = str(e).splitlines()[-1][:200]
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg.json"), "w") as f:
    json.dump({"cases": out, "errors": errors}, f)
print(len(out), "cases", errors)
