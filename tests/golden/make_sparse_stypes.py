"""The storage type and dtype MXNet 1.9.1 gives the result of each operation on a
row_sparse and a csr input (sparse forms vs storage fallback).

Run with the reference interpreter (writes sparse_stypes.json next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_sparse_stypes.py

tests/test_sparse.py runs the same expressions (``CASES`` there) and compares.
"""

import json
import os

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
DENSE = [[0, 1, 2], [0, 0, 0], [3, 0, 1]]
CASES = {
    "eq1": lambda a: a == 1,
    "eq0": lambda a: a == 0,
    "gt0": lambda a: a > 0,
    "lt0": lambda a: a < 0,
    "ge0": lambda a: a >= 0,
    "ne0": lambda a: a != 0,
    "pow2": lambda a: a**2,
    "neg": lambda a: -a,
    "plus1": lambda a: a + 1,
    "times3": lambda a: a * 3,
    "exp": lambda a: mx.nd.exp(a),
    "sqrt": lambda a: mx.nd.sqrt(a),
    "abs": lambda a: mx.nd.abs(a),
    "sum0": lambda a: mx.nd.sum(a, axis=0),
    "self_add": lambda a: a + a,
    "self_mul": lambda a: a * a,
    "zeros_like": lambda a: mx.nd.zeros_like(a),
}
out = {}
for name, fn in CASES.items():
    for stype in ("row_sparse", "csr"):
        r = fn(mx.nd.array(DENSE).tostype(stype))
        out[f"{name}/{stype}"] = {"stype": r.stype, "dtype": r.dtype.__name__, "value": r.asnumpy().tolist()}
with open(os.path.join(HERE, "sparse_stypes.json"), "w") as f:
    json.dump(out, f, indent=0, sort_keys=True)
print("wrote", len(out), "cases")
