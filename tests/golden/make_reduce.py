"""Golden values for reductions and broadcasting, from real MXNet 1.9.1.

Run with the reference interpreter (never at test time):

    ../shared/tools/mxnet-reference tests/golden/make_reduce.py

It writes tests/golden/reduce.json: for each case the op, its params, the
inputs it was given and MXNet's output (shape, dtype, values), or the fact
that MXNet rejected the call.
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(7)
F = (rs.uniform(-2, 2, (2, 3, 4))).round(3).astype(np.float32)
NAN = np.array([[1, np.nan, 3], [np.nan, np.nan, 2], [4, 5, 6]], np.float32)
I32 = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 10
I8 = np.array([[100, 100, 100], [-100, 27, 1]], np.int8)
U8 = np.array([[255, 255], [3, 200]], np.uint8)
F16 = np.full((3, 4096), 0.1, np.float16)
F16BIG = np.full((100,), 1000.0, np.float16)
F64 = rs.uniform(-1, 1, (3, 5)).astype(np.float64)
TIES = np.array([[1, 3, 3, 1], [0, -1, -1, 0]], np.float32)

CASES = []


def case(op, inputs, **params):
    CASES.append((op, inputs, params))


AXES = [
    {},
    {"axis": 1},
    {"axis": -1, "keepdims": True},
    {"axis": (0, 2)},
    {"axis": ()},
    {"axis": (), "keepdims": True},
    {"axis": 1, "exclude": True},
    {"axis": (0, 2), "exclude": True, "keepdims": True},
    {"axis": (0, 1, 2), "exclude": True},
    {"keepdims": True},
]
for op in ["sum", "mean", "prod", "nansum", "nanprod", "max", "min"]:
    for p in AXES:
        case(op, [F], **p)
    case(op, [NAN], axis=1)
    case(op, [NAN])
    case(op, [I32], axis=(0, 2))
    case(op, [I8], axis=1)
    case(op, [U8], axis=0)
    case(op, [F64], axis=0)
for op in ["sum", "mean", "max"]:
    case(op, [F16], axis=1)
    case(op, [F16BIG])
    case(op, [np.array([5.0], np.float32)])
    case(op, [np.array([5.0, 1.0, 2.0], np.float32)], axis=0, keepdims=True)
case("sum", [I32])
case("mean", [np.array([-3, -4], np.int32)])
case("sum_axis", [F], axis=0)
case("max_axis", [F], axis=(1, 2))
case("min_axis", [F], axis=-2, keepdims=True)

for p in [
    {},
    {"keepdims": True},
    {"ord": 1},
    {"axis": 1},
    {"axis": 1, "ord": 1},
    {"axis": (0, 2)},
    {"axis": (0, 2), "ord": 1},
    {"axis": -1, "keepdims": True},
    {"axis": ()},
]:
    case("norm", [F], **p)
case("norm", [I32])
case("norm", [I32], ord=1)
case("norm", [np.array([[5, 5, 3], [1, -2, 2]], np.int32)], axis=1)
case("norm", [np.array([5, -5, 5, 3], np.int64)])
case("norm", [I8])
case("norm", [I8], ord=1)
case("norm", [F.astype(np.float16)])
case("norm", [F16BIG])
case("norm", [F64], axis=1)
case("norm", [np.array([1e30, 1e30], np.float32)])
case("norm", [np.array([1e-30, 1e-30], np.float32)])
case("norm", [np.array([1, np.inf, 2], np.float32)])
case("norm", [np.array([1, np.inf, np.inf], np.float32)])
case("norm", [NAN], axis=1)

for op in ["argmax", "argmin"]:
    for p in [{}, {"keepdims": True}, {"axis": 1}, {"axis": 0}, {"axis": -1, "keepdims": True}]:
        case(op, [F], **p)
    case(op, [I32], axis=1)
    case(op, [F.astype(np.float16)], axis=2)
    case(op, [F64], axis=1)
    case(op, [NAN], axis=1)
    case(op, [np.array([1, np.nan, 0, 5], np.float32)], axis=0)
    case(op, [TIES], axis=1)
case("argmax_channel", [F])
case("argmax_channel", [F[0]])
case("argmax_channel", [I32])

ROW = np.array([[1, 2, 3]], np.float32)
COL = np.array([[1], [2]], np.float32)
case("broadcast_to", [ROW], shape=(2, 3))
case("broadcast_to", [ROW], shape=(2, 0))
case("broadcast_to", [COL], shape=(0, 3))
case("broadcast_to", [ROW], shape=(0, 3))
case("broadcast_to", [ROW.astype(np.int32)], shape=(4, 3))
case("broadcast_axis", [COL[None]], axis=(0, 2), size=(2, 3))
case("broadcast_axis", [COL], axis=1, size=3)
case("broadcast_axes", [COL], axis=1, size=3)
case("broadcast_axis", [ROW])
case("broadcast_like", [ROW, np.zeros((2, 3), np.float32)])
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(1,), rhs_axes=(0,))
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(-1,), rhs_axes=(-1,))
case("broadcast_like", [COL, np.zeros((7, 5, 4), np.float32)], lhs_axes=(1,), rhs_axes=(0,))
case("broadcast_like", [ROW.astype(np.int32), np.zeros((2, 3), np.float32)])

# calls MXNet rejects
case("sum", [F], axis=3)
case("sum", [F], axis=-4)
case("sum", [F], axis=(0, 0))
case("sum", [F], axis=(0, -3))
case("mean", [F], axis=3, exclude=True)
case("max", [F], axis=5)
case("norm", [F], ord=3)
case("norm", [F], axis=3)
case("argmax", [F], axis=3)
case("argmin", [F], axis=-4)
case("argmax_channel", [np.array([1, 3, 2], np.float32)])
case("broadcast_to", [ROW], shape=(4, 2, 3))
case("broadcast_to", [ROW], shape=(2, 4))
case("broadcast_to", [ROW], shape=(3,))
case("broadcast_axis", [ROW], axis=1, size=3)
case("broadcast_axis", [ROW], axis=2, size=3)
case("broadcast_axis", [ROW], axis=-1, size=3)
case("broadcast_axis", [ROW], axis=(0,), size=(2, 3))
case("broadcast_like", [ROW, np.zeros((2, 4), np.float32)])
case("broadcast_like", [ROW[0], np.zeros((2, 3), np.float32)])
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(1, 0), rhs_axes=(0,))
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(0,), rhs_axes=(0,))
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(2,), rhs_axes=(0,))
case("broadcast_like", [COL, np.zeros((5, 4), np.float32)], lhs_axes=(), rhs_axes=())


def enc(a):
    a = np.asarray(a)
    if a.size > 64 and (a == a.flat[0]).all():  # a constant array is stored as its fill value
        return {"shape": list(a.shape), "dtype": a.dtype.name, "fill": a.flat[0].item()}
    return {"shape": list(a.shape), "dtype": a.dtype.name, "data": a.ravel().tolist()}


out = []
for op, inputs, params in CASES:
    rec = {"op": op, "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}, "inputs": [enc(x) for x in inputs]}
    try:
        r = getattr(mx.nd, op)(*[mx.nd.array(x, dtype=x.dtype) for x in inputs], **params)
        rec["output"] = enc(r.asnumpy())
    except mx.base.MXNetError as e:
        first = [ln for ln in str(e).splitlines() if "Check failed" in ln or "Error" in ln]
        rec["error"] = first[0] if first else str(e).splitlines()[0]
    out.append(rec)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reduce.json")
with open(path, "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": out}, f, indent=None, separators=(",", ":"))
    f.write("\n")
print(len(out), "cases ->", path)
