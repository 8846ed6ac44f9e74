"""Golden values for unary math, binary arithmetic, NDArray operators and mx.nd wrappers.

Run with real MXNet 1.9.1 (never at test time):

    /work/shared/tools/mxnet-reference tests/golden/make_elemwise.py

Writes tests/golden/elemwise.json, read by tests/test_arith_semantics.py.
Integer division by zero is left out: MXNet 1.9.1 dies with SIGFPE there.
"""

from __future__ import annotations

import json
import math
import os

import mxnet as mx
from mirror import OPERATORS as OPS

nd = mx.nd
NAN, INF = float("nan"), float("inf")

UNARY = [
    "exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "cbrt", "rcbrt", "square", "reciprocal",
    "abs", "sign", "negative", "floor", "ceil", "round", "rint", "fix", "trunc", "sin", "cos", "tan", "arcsin",
    "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "degrees", "radians", "relu",
    "sigmoid", "softsign", "erf", "erfinv", "gamma", "gammaln", "logical_not",
]  # fmt: skip
FLOATS = [-3.5, -2.5, -1.5, -1.0, -0.999, -0.5, -0.0, 0.0, 1e-8, 0.3, 0.5, 0.999, 1.0, 1.5, 2.5, 4.0, 10.0, 100.0, NAN, INF, -INF]
INTS = [-7, -3, -1, 0, 1, 2, 3, 5, 10, 20]
UINT8 = [0, 1, 3, 6, 100, 200]
# values where MXNet's integer results depend on its own special-function code are left out
INT_SKIP = {"erfinv": {-7, -3, 2, 3, 5, 10, 20}, "gamma": {20}}


def enc(v):
    """JSON has no nan/inf: encode them as strings."""
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def arr(x, dtype):
    return nd.array(x, dtype=dtype)


def result(r) -> dict:
    r = r.asnumpy()
    flat = r.ravel()
    if r.dtype.kind == "f" and r.dtype.itemsize < 8:
        # the shortest decimal that reads back as the same float32/float16 value
        vals = [enc(float(str(v))) for v in flat]
    else:
        vals = [enc(v) for v in flat.tolist()]
    return {"dtype": r.dtype.name, "value": vals, "shape": list(r.shape)}


cases = []
VECTORS: dict = {}  # filled below, before any record() call


def record(kind: str, name: str, dtype: str, inputs: list, fn, **extra) -> None:
    """One case; an input that is one of the shared vectors is stored by name."""
    ins = [next((k for k, v in VECTORS.items() if v is x), None) or [enc(v) for v in x] for x in inputs]
    cases.append({"kind": kind, "op": name, "dtype": dtype, "inputs": ins, **extra, "out": result(fn())})


VECTORS.update(FLOATS=FLOATS, INTS=INTS, UINT8=UINT8)
for op in UNARY:
    for dt in ("float32", "float16", "float64"):
        if dt != "float32" and op not in ("round", "rint", "sign", "relu", "erf", "erfinv", "gamma", "gammaln", "sigmoid", "exp", "log"):
            continue
        record("unary", op, dt, [FLOATS], lambda op=op, dt=dt: getattr(nd, op)(arr(FLOATS, dt)))
    for dt, vals in (("int32", INTS), ("int64", INTS), ("int8", INTS), ("uint8", UINT8)):
        vals = [v for v in vals if v not in INT_SKIP.get(op, ())]
        record("unary", op, dt, [vals], lambda op=op, dt=dt, vals=vals: getattr(nd, op)(arr(vals, dt)))

# binary: broadcast_* on arrays, _*_scalar / _r*_scalar with scalars
FAMS = ["add", "sub", "mul", "div", "mod", "power", "maximum", "minimum", "hypot", "equal", "not_equal", "greater",
        "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"]  # fmt: skip
CMP = {"equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"}
SCALAR_NAME = {"add": "_plus_scalar", "sub": "_minus_scalar"}
RSCALAR = {"sub": "_rminus_scalar", "div": "_rdiv_scalar", "mod": "_rmod_scalar", "power": "_rpower_scalar"}
FL = [5.5, -5.5, 5.5, -5.5, 1.0, 0.0, -1.0, NAN, INF, 0.0, 3.0, -INF]
FR = [2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 1.0, 2.0, NAN, INF, 3.0]
IL = [7, -7, 7, -7, 5, 100, 0, 3, -3]
IR = [2, 2, -2, -2, 3, 3, 5, -1, 4]
UL = [7, 250, 7, 9, 5, 100, 0]
UR = [2, 2, 3, 2, 3, 3, 5]
VECTORS.update(FL=FL, FR=FR, IL=IL, IR=IR, UL=UL, UR=UR)
SCALARS = [-3.0, 2.9, 0.0, 300.0, 1e10, NAN]
CMP_SCALARS = [2.9, 300.0, NAN]  # comparisons and logical ops: the cast is what matters
for fam in FAMS:
    bname = f"broadcast_{fam}"
    sname = SCALAR_NAME.get(fam, f"_{fam}_scalar")
    for dt, lhs, rhs in (("float32", FL, FR), ("float16", FL, FR), ("int32", IL, IR), ("int64", IL, IR), ("int8", IL, IR), ("uint8", UL, UR)):
        record("binary", bname, dt, [lhs, rhs], lambda b=bname, dt=dt, lhs=lhs, rhs=rhs: getattr(nd, b)(arr(lhs, dt), arr(rhs, dt)))
        for s in CMP_SCALARS if fam in CMP else SCALARS:
            small = dt in ("int8", "uint8")
            if dt[0] in "iu" and fam == "div" and (s == 0.0 or (small and (s == 1e10 or s != s))):
                continue  # the scalar casts to integer 0: SIGFPE in MXNet
            record("scalar", sname, dt, [lhs], lambda sn=sname, dt=dt, lhs=lhs, s=s: getattr(nd._internal, sn)(arr(lhs, dt), scalar=s), scalar=enc(s))
        if fam in RSCALAR:
            for s in (3.0, -2.5, 1e10):
                rs = RSCALAR[fam]
                record("scalar", rs, dt, [lhs], lambda rs=rs, dt=dt, lhs=lhs, s=s: getattr(nd._internal, rs)(arr(lhs, dt), scalar=s), scalar=enc(s))
# broadcasting shapes
record(
    "binary2d",
    "broadcast_sub",
    "float32",
    [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [10.0, 20.0, 30.0]],
    lambda: nd.broadcast_sub(nd.array([[1, 2, 3], [4, 5, 6]]), nd.array([[10], [20], [30]]).reshape((1, 3))),
)
record(
    "binary2d",
    "broadcast_mul",
    "float32",
    [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [10.0, 20.0]],
    lambda: nd.broadcast_mul(nd.array([[1, 2, 3], [4, 5, 6]]), nd.array([[10], [20]])),
)
record("add_n", "add_n", "float32", [[1.0, 2.0], [3.0, 4.0], [5.0, NAN]], lambda: nd.add_n(nd.array([1, 2]), nd.array([3, 4]), nd.array([5, NAN])))
record("add_n", "ElementWiseSum", "int8", [[100, 2], [100, 4]], lambda: nd.ElementWiseSum(arr([100, 2], "int8"), arr([100, 4], "int8")))

# NDArray operators (names shared with the test's table)
OPA = [1.5, -2.0, 0.0, 3.0, -0.5, NAN]
OPB = [2.0, 0.0, 0.0, -4.0, 0.25, 1.0]
for dt, la, lb in (("float32", OPA, OPB), ("int32", [3, -7, 0, 9, -1, 4], [2, 3, -5, -4, 1, 1])):
    for key, fn in OPS.items():
        if dt == "int32" and key in ("a/0",):
            continue
        record("operator", key, dt, [la, lb], lambda fn=fn, dt=dt, la=la, lb=lb: fn(arr(la, dt), arr(lb, dt)))


def _inplace(op, dt, la, lb):
    a, b = arr(la, dt), arr(lb, dt)
    if op == "+=":
        a += b
    elif op == "-=":
        a -= b
    elif op == "*=":
        a *= 2.5
    elif op == "/=":
        a /= b
    elif op == "%=":
        a %= 3
    return a


for dt, la, lb in (("float32", OPA, OPB), ("int32", [3, -7, 0, 9, -1, 4], [2, 3, -5, -4, 1, 1])):
    for op in ("+=", "-=", "*=", "/=", "%="):
        record("inplace", op, dt, [la, lb], lambda op=op, dt=dt, la=la, lb=lb: _inplace(op, dt, la, lb))

# mx.nd Python-level wrappers: array/scalar on either side, scalar-scalar gives a Python number
WRAP = ["add", "subtract", "multiply", "divide", "true_divide", "modulo", "power", "maximum", "minimum", "equal", "not_equal",
        "greater", "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"]  # fmt: skip
WA = [1.0, -2.0, 0.0, 3.5]
WB = [[2.0], [-1.0]]
wrappers = []
for w in WRAP:
    f = getattr(nd, w)
    entry = {"name": w, "scalar_scalar": [[x, y, f(x, y)] for x, y in ((7, 2), (-7, 2), (2.5, 0.5), (0, 3), (3, 3))]}
    for tag, call in (
        ("array_array", lambda f=f: f(nd.array(WA), nd.array(WB))),
        ("array_scalar", lambda f=f: f(nd.array(WA), 2)),
        ("scalar_array", lambda f=f: f(2, nd.array(WA))),
        ("int_scalar", lambda f=f: f(nd.array([5, -3, 0], dtype="int32"), 2.5)),
        ("scalar_int", lambda f=f: f(3.5, nd.array([5, -3, 2], dtype="int32"))),
    ):
        entry[tag] = result(call())
    wrappers.append(entry)

vectors = {k: [enc(v) for v in x] for k, x in VECTORS.items()}
out = {"mxnet": mx.__version__, "vectors": vectors, "cases": cases, "wrappers": wrappers, "wrap_a": WA, "wrap_b": WB}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elemwise.json")
with open(path, "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print(f"wrote {len(cases)} cases, {len(wrappers)} wrappers to {path}")
