"""Golden values for selection, sorting and softmax ops from real MXNet 1.9.1.

Run with the reference interpreter (it writes select.json next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_select.py

Each case records the op, its inputs and params, and either MXNet's outputs
or the fact that MXNet rejected the call. float16 softmax runs with
MXNET_SAFE_ACCUMULATION=1, the float32 accumulation mxpy always uses.
"""

import json
import os

os.environ["MXNET_SAFE_ACCUMULATION"] = "1"

import mxnet as mx
import numpy as np

nd = mx.nd
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(7)


def enc(a):
    a = np.asarray(a)
    return {"dtype": a.dtype.name, "shape": list(a.shape), "data": [None if isinstance(v, float) and np.isnan(v) else v for v in a.ravel().tolist()]}


CASES = []


def case(op, inputs, params, note=""):
    arrs = [nd.array(x, dtype=x.dtype) for x in inputs]
    rec = {"op": op, "inputs": [enc(x) for x in inputs], "params": params, "note": note}
    try:
        res = getattr(nd, op)(*arrs, **params)
        res = res if isinstance(res, list) else [res]
        rec["outputs"] = [enc(r.asnumpy()) for r in res]
    except mx.base.MXNetError as e:
        lines = [ln for ln in str(e).splitlines() if "Check failed" in ln or "MXNetError:" in ln]
        rec["error"] = (lines[0] if lines else str(e))[:200]
    CASES.append(rec)


f32 = np.float32
TIES = np.array([[3, 1, 2, 1, 3, 2, 1], [0, 0, 5, -1, 0, 7, 2]], f32)
TIES16 = rng.randint(0, 4, size=(3, 16)).astype(f32)  # ties; rows of <= 16 sort stably in MXNet
DIST = rng.permutation(60).reshape(3, 4, 5).astype(f32)  # distinct values: any correct sort agrees

# -- topk: every ret_typ, ties, both directions, axis None, k <= 0, dtypes
for ret in ["value", "indices", "mask", "both"]:
    case("topk", [TIES], {"k": 3, "ret_typ": ret})
    case("topk", [TIES16], {"k": 5, "ret_typ": ret, "is_ascend": True})
    case("topk", [DIST], {"k": 2, "axis": 1, "ret_typ": ret})
    case("topk", [TIES], {"k": 4, "axis": None, "ret_typ": ret})
case("topk", [TIES], {})
case("topk", [TIES], {"k": 0, "ret_typ": "both"})
case("topk", [TIES], {"k": -1, "ret_typ": "value"})
case("topk", [TIES], {"k": 3, "ret_typ": "mask", "dtype": "int32"})
case("topk", [TIES], {"k": 3, "ret_typ": "both", "dtype": "float64"})
case("topk", [TIES.astype(np.int32)], {"k": 3, "ret_typ": "both"})
case("topk", [TIES], {"k": 8}, note="k too large")
case("topk", [TIES], {"axis": 2}, note="bad axis")

# -- sort / argsort: ties, directions, dtypes
for asc in [True, False]:
    case("sort", [TIES16], {"is_ascend": asc})
    case("argsort", [TIES16], {"is_ascend": asc})
    case("sort", [DIST], {"axis": 0, "is_ascend": asc})
    case("argsort", [DIST], {"axis": None, "is_ascend": asc})
for dt in ["float16", "float32", "float64", "int32", "int64", "uint8"]:
    case("argsort", [TIES], {"dtype": dt})
case("argsort", [TIES.astype(np.int32)], {"is_ascend": False})
case("sort", [TIES], {"axis": -3}, note="bad axis")

# -- take: modes, float indices, axes
A = np.arange(12, dtype=f32).reshape(3, 4)
IDX = np.array([-1, 0.7, 1.5, 2.9, 5, -4.2], f32)
for mode in ["clip", "wrap"]:
    case("take", [A, IDX], {"mode": mode})
    case("take", [A, np.array([[0, 3], [1, -1]], f32)], {"axis": -1, "mode": mode})
case("take", [A, np.array([0, 2, 1], f32)], {"mode": "raise"})
case("take", [A.astype(np.int32), np.array([[2], [0]], np.int32)], {})
case("take", [A, np.array([1], f32)], {"axis": 2}, note="bad axis")

# -- pick: modes, keepdims, axes
for mode in ["clip", "wrap"]:
    case("pick", [A, np.array([0, 5, -1], f32)], {"mode": mode})
    case("pick", [A, np.array([0, 5, -1, 1.7], f32)], {"axis": 0, "keepdims": True, "mode": mode})
case("pick", [np.arange(24, dtype=f32).reshape(2, 3, 4), np.array([[0, 1, 2, 3], [1, 1, 1, 1]], f32)], {"axis": 1})
case("pick", [A, np.array([[0], [5], [-1]], f32)], {"axis": 1})
case("pick", [A, np.array([0, 1, 2], f32)], {"axis": None}, note="axis None")
case("pick", [A, np.array([0, 1], f32)], {}, note="bad index shape")

# -- one_hot: dtypes and values
OH = np.array([[1, 0, -1], [3, 2.7, 2]], f32)
for dt in ["float32", "float16", "float64", "int32", "int64", "int8", "uint8"]:
    case("one_hot", [OH], {"depth": 3, "dtype": dt})
case("one_hot", [OH], {"depth": 4, "on_value": 5, "off_value": -2, "dtype": "int32"})
case("one_hot", [OH], {"depth": 3, "on_value": 2.5, "off_value": 0.5, "dtype": "uint8"})
case("one_hot", [OH], {"depth": 3, "on_value": 300, "off_value": -1, "dtype": "uint8"})
case("one_hot", [np.array([1, 0], np.int32)], {"depth": 0})
case("one_hot", [np.array([1, 0], np.int32)], {"depth": -1}, note="bad depth")

# -- where / clip
X = np.arange(6, dtype=f32).reshape(2, 3)
case("where", [np.array([[1, 0, 1], [0, np.nan, -0.0]], f32), X, -X], {})
case("where", [np.array([1, 0], np.int32), X, -X], {})
case("where", [np.array([1, 0, 1], f32), X, -X], {}, note="bad condition")
CL = np.array([-3, 0.5, 4, np.nan, 1], f32)
case("clip", [CL], {"a_min": -1, "a_max": 2})
case("clip", [CL], {"a_min": 2, "a_max": -1})
case("clip", [np.array([0.05, 0.2], np.float64)], {"a_min": 0.1, "a_max": 0.15})
case("clip", [np.array([-3, 0, 4], np.int32)], {"a_min": -1.5, "a_max": 2.5})
case("clip", [np.array([1, 0, 3], np.int32)], {"a_min": 0.2, "a_max": 0.8})
case("clip", [np.array([-100, 0, 100], np.int8)], {"a_min": -200.5, "a_max": -150.2})

# -- softmax family: temperature, axis, dtype, length, float16, NaN (native kernel path)
S = rng.uniform(-3, 3, size=(2, 3, 4)).astype(f32)
BIG = np.array([[1, 2, 3], [1000, 0, -1000]], f32)
for op in ["softmax", "log_softmax", "softmin"]:
    case(op, [S], {})
    case(op, [S], {"axis": 0})
    case(op, [S], {"axis": -2, "temperature": 2.5})
    case(op, [BIG], {"temperature": 0.5})
    case(op, [S], {"dtype": "float64"})
    case(op, [S.astype(np.float16)], {})
    case(op, [S.astype(np.float16)], {"dtype": "float32"})
    case(op, [S.astype(np.float64)], {"axis": 1, "dtype": "float16"})
    case(op, [S.astype(np.int32)], {}, note="int data")
NANS = np.array([[1, np.nan, 3], [np.inf, 1, 2], [-np.inf, -np.inf, -np.inf], [0.5, 1, 2]], np.float64)
case("softmax", [NANS], {})
case("log_softmax", [NANS], {"temperature": 2.0})
case("softmax", [S, np.array([[1, 2, 4], [0, 3, 2]], np.int32)], {"use_length": True})
case("softmax", [S, np.array([[1, 2, 3, 3], [0, 3, 2, 1]], np.int64)], {"use_length": True, "axis": 1, "temperature": 2.0})
case("softmax", [S], {"axis": 3}, note="bad axis")

with open(os.path.join(HERE, "select.json"), "w") as f:
    json.dump({"mxnet": mx.__version__, "cases": CASES}, f, separators=(",", ":"))
print(len(CASES), "cases")
