"""Write the golden NDArray files for tests/test_serialization.py with real MXNet 1.9.1.

Run with:  /work/shared/tools/mxnet-reference tests/golden/make_nd_files.py

Every file under tests/golden/nd_files/ is either written by ``mx.nd.save`` /
``mx.npx.save`` of real MXNet, or (for layouts MXNet 1.9.1 can no longer
write: V1, the magic-less 2016 layout, bfloat16, V3 "none", a stale sparse
storage shape) assembled byte by byte here from the documented layout and
then loaded back with real MXNet wherever MXNet can load it.

``expected.json`` records, per file, what real MXNet's loader returns (shape,
dtype, values flattened in C order, dense for sparse records), the context
each array was saved from, and whether mxpy must reproduce the file byte for
byte (``bytes_identical``: true for everything ``mx.nd.save`` wrote).
"""

import json
import os
import struct

import mxnet as mx
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nd_files")
os.makedirs(OUT, exist_ok=True)
EXPECTED = {}

HEADER = struct.pack("<QQ", 0x112, 0)
V1, V2, V3 = 0xF993FAC8, 0xF993FAC9, 0xF993FACA


def shape_bytes(shape):
    return struct.pack("<i", len(shape)) + struct.pack("<%dq" % len(shape), *shape)


def keys_bytes(keys):
    out = struct.pack("<Q", len(keys))
    for k in keys:
        b = k.encode("utf-8")
        out += struct.pack("<Q", len(b)) + b
    return out


def jsonable(values):
    return [bool(v) if isinstance(v, np.bool_) else v.item() for v in values.reshape(-1)]


def describe(arr, saved_ctx=(1, 0)):
    """What MXNet's loader gave for one array, as json."""
    if arr.stype != "default":
        arr = arr.tostype("default")
    host = arr.asnumpy()
    return {
        "shape": list(host.shape),
        "dtype": host.dtype.name,
        "values": jsonable(host),
        "saved_ctx": list(saved_ctx),
        "loaded_ctx": str(arr.context),
    }


def record(name, loaded, *, bytes_identical, source, saved_ctx=None, kind=None):
    """Record MXNet's loaded result for ``name``."""
    if isinstance(loaded, dict):
        kind = kind or "dict"
        items = list(loaded.items())
    else:
        kind = kind or "list"
        items = [(None, a) for a in loaded]
    arrays = []
    for i, (k, a) in enumerate(items):
        d = describe(a, saved_ctx[i] if saved_ctx else (1, 0)) if a is not None else None
        if d is not None:
            d["key"] = k
        arrays.append(d if d is not None else {"key": k, "none": True})
    EXPECTED[name] = {"kind": kind, "bytes_identical": bytes_identical, "source": source, "arrays": arrays}


def path(name):
    return os.path.join(OUT, name)


# 1. every dense dtype MXNet 1.9.1's Python API can create, in a list
dtype_arrays = [
    mx.nd.array(np.arange(-6, 6).reshape(3, 4) * 0.25, dtype="float32"),
    mx.nd.array(np.arange(5) * 1.1 - 2.0, dtype="float64"),
    mx.nd.array(np.arange(-4, 4).reshape(2, 2, 2) * 0.5, dtype="float16"),
    mx.nd.array([0, 1, 127, 128, 255], dtype="uint8"),
    mx.nd.array([[-2147483648, -1], [0, 2147483647]], dtype="int32"),
    mx.nd.array([-128, -1, 0, 1, 127], dtype="int8"),
    mx.nd.array(np.array([-(2**62), -1, 0, 2**40 + 7, 2**62], dtype=np.int64), dtype="int64"),
    mx.nd.array(np.array([[True, False, True], [False, False, True]]), dtype="bool"),
]
mx.nd.save(path("dtypes.nd"), dtype_arrays)
record("dtypes.nd", mx.nd.load(path("dtypes.nd")), bytes_identical=True, source="mx.nd.save(list)")

# 2. a dict with zero-size arrays and a non-ASCII key
named = {
    "weight": mx.nd.array(np.arange(6).reshape(2, 3) / 8.0),
    "empty_rows": mx.nd.array(np.zeros((0, 3))),
    "ünïcode_κλειδί": mx.nd.array([42], dtype="int32"),
    "zero_middle": mx.nd.array(np.zeros((2, 0, 4)), dtype="int8"),
}
mx.nd.save(path("named.nd"), named)
record("named.nd", mx.nd.load(path("named.nd")), bytes_identical=True, source="mx.nd.save(dict)")

# 3, 4. empty list and empty dict (the same bytes; both load as [])
mx.nd.save(path("empty_list.nd"), [])
record("empty_list.nd", mx.nd.load(path("empty_list.nd")), bytes_identical=True, source="mx.nd.save([])")
mx.nd.save(path("empty_dict.nd"), {})
EXPECTED["empty_dict.nd"] = dict(EXPECTED["empty_list.nd"], source="mx.nd.save({})", kind="list", save_as="dict")
assert mx.nd.load(path("empty_dict.nd")) == []

# 5. a single NDArray (saved as a one-element list)
mx.nd.save(path("single.nd"), mx.nd.array([[1.5, -2.5]]))
record("single.nd", mx.nd.load(path("single.nd")), bytes_identical=True, source="mx.nd.save(NDArray)")
EXPECTED["single.nd"]["save_as"] = "single"

# 6. a checkpoint-style .params dict
params = {
    "arg:fc1_weight": mx.nd.array(np.arange(12).reshape(4, 3) * 0.125 - 0.5),
    "arg:fc1_bias": mx.nd.array([0.25, -0.25, 0.5, 0.0]),
    "aux:bn0_moving_mean": mx.nd.array([0.5, 1.5, 2.5]),
    "aux:bn0_moving_var": mx.nd.array([1.0, 2.0, 4.0]),
}
mx.nd.save(path("model-0001.params"), params)
record("model-0001.params", mx.nd.load(path("model-0001.params")), bytes_identical=True, source="mx.nd.save(dict), arg:/aux: keys")

# 7. arrays on other cpu-side contexts: MXNet writes their dev_type/dev_id and loads them on cpu(0)
ctx_list = [(mx.cpu(0), (1, 0)), (mx.cpu(3), (1, 3)), (mx.cpu_pinned(1), (3, 1)), (mx.Context("cpu_shared", 0), (5, 0))]
mx.nd.save(path("contexts.nd"), [mx.nd.array([float(i), -float(i)], ctx=c) for i, (c, _) in enumerate(ctx_list)])
record(
    "contexts.nd",
    mx.nd.load(path("contexts.nd")),
    bytes_identical=True,
    source="mx.nd.save(list) on cpu(3), cpu_pinned(1), cpu_shared(0)",
    saved_ctx=[t for _, t in ctx_list],
)

# 8. special floating point values keep their bits
special = [
    mx.nd.array(np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38], dtype=np.float32), dtype="float32"),
    mx.nd.array(np.array([np.nan, np.inf, -0.0, 6e-8, 65504.0], dtype=np.float16), dtype="float16"),
    mx.nd.array(np.array([5e-324, -1.7976931348623157e308, 0.1], dtype=np.float64), dtype="float64"),
]
mx.nd.save(path("special.nd"), special)
record("special.nd", mx.nd.load(path("special.nd")), bytes_identical=True, source="mx.nd.save(list) of nan/inf/-0/denormals")

# 9. a 0-d array saved in legacy shape mode: MXNet 1.9.1 writes a V2 record with
# ndim 0 followed by the context, type flag and one element; its own loader then
# reads ndim 0 as "none" and fails, so the expected values are the saved ones.
scalar = mx.nd.array(np.array(5.0))
assert scalar.shape == ()
mx.nd.save(path("scalar_v2.nd"), [scalar, mx.nd.array([7.0])])
try:
    mx.nd.load(path("scalar_v2.nd"))
    raise AssertionError("MXNet 1.9.1 was expected to fail loading its own 0-d V2 record")
except mx.base.MXNetError:
    pass
EXPECTED["scalar_v2.nd"] = {
    "kind": "list",
    "bytes_identical": True,
    "source": "mx.nd.save of a 0-d array (MXNet 1.9.1 cannot load it back; values are the saved ones)",
    "arrays": [describe(scalar) | {"key": None}, describe(mx.nd.array([7.0])) | {"key": None}],
}

# 10. V3 records: saved under numpy shape semantics
mx.npx.set_np()
v3_arrays = [
    mx.np.array(3.5, dtype="float32"),
    mx.np.ones((2, 0), dtype="float32"),
    mx.np.array([[1, -2, 3], [4, 5, -6]], dtype="int64"),
    mx.np.array([True, False], dtype="bool"),
]
mx.npx.save(path("np_v3.nd"), {"scalar": v3_arrays[0], "empty": v3_arrays[1], "ints": v3_arrays[2], "flags": v3_arrays[3]})
loaded = mx.npx.load(path("np_v3.nd"))
record("np_v3.nd", {k: v.as_nd_ndarray() for k, v in loaded.items()}, bytes_identical=False, source="mx.npx.save under mx.npx.set_np() (V3 magic)")

# 11. V3 'none' record (ndim -1) followed by a normal one, hand-made. MXNet 1.9.1
# crashes (segfault) on a none record inside MXNDArrayLoad, so only the second
# record's values come from MXNet: the same record bytes saved on their own.
none_rec = struct.pack("<Iii", V3, 0, -1)
vec_rec = struct.pack("<Ii", V3, 0) + shape_bytes((2,)) + struct.pack("<iii", 1, 0, 0) + np.array([1.0, 2.0], "<f4").tobytes()
open(path("v3_none.nd"), "wb").write(HEADER + struct.pack("<Q", 2) + none_rec + vec_rec + keys_bytes([]))
check = mx.nd.load_frombuffer(HEADER + struct.pack("<Q", 1) + vec_rec + keys_bytes([]))
EXPECTED["v3_none.nd"] = {
    "kind": "list",
    "bytes_identical": False,
    "source": "hand-made V3 (ndim -1 none + (2,) float32); MXNet segfaults on the none record, second entry checked alone",
    "arrays": [{"key": None, "none": True}, describe(check[0].as_nd_ndarray()) | {"key": None}],
}
mx.npx.reset_np()

# 12. sparse records written by MXNet (they load as dense in mxpy)
rs = mx.nd.sparse.row_sparse_array((np.array([[1, 2], [3, 4]], dtype="float32"), np.array([1, 3])), shape=(5, 2))
csr = mx.nd.sparse.csr_matrix((np.array([1.0, 2, 3], dtype="float32"), np.array([0, 2, 1]), np.array([0, 2, 2, 3])), shape=(3, 4))
rs_empty = mx.nd.sparse.zeros("row_sparse", (3, 2))
csr_empty = mx.nd.sparse.zeros("csr", (2, 3), dtype="float64")
mx.nd.save(path("sparse.nd"), {"rs": rs, "csr": csr, "rs_empty": rs_empty, "csr_empty": csr_empty, "dense": mx.nd.array([9.0])})
record("sparse.nd", mx.nd.load(path("sparse.nd")), bytes_identical=False, source="mx.nd.save of row_sparse/csr/dense")


# 13. hand-made legacy layouts, loaded back by real MXNet
def v2_dense(shape, type_flag, data, magic=V2, ctx=(1, 0)):
    head = struct.pack("<I", magic) + (b"" if magic == V1 else struct.pack("<i", 0))
    return head + shape_bytes(shape) + struct.pack("<iii", ctx[0], ctx[1], type_flag) + data


buf = HEADER + struct.pack("<Q", 2)
buf += v2_dense((2, 3), 0, np.arange(6, dtype="<f4").tobytes(), magic=V1)
buf += v2_dense((), 1, np.array([2.25], "<f8").tobytes(), magic=V1)
buf += keys_bytes(["a", "b"])
open(path("v1.nd"), "wb").write(buf)
record("v1.nd", mx.nd.load(path("v1.nd")), bytes_identical=False, source="hand-made V1 records (no stype), loaded by mx.nd.load")

buf = HEADER + struct.pack("<Q", 3)
buf += struct.pack("<III", 2, 2, 2) + struct.pack("<iii", 1, 0, 4) + np.array([1, -2, 3, -4], "<i4").tobytes()
buf += struct.pack("<II", 1, 3) + struct.pack("<iii", 1, 0, 3) + bytes([7, 8, 9])
buf += struct.pack("<I", 0) + struct.pack("<iii", 1, 0, 0) + np.array([0.5], "<f4").tobytes()
buf += keys_bytes([])
open(path("legacy2016.nd"), "wb").write(buf)
record(
    "legacy2016.nd",
    mx.nd.load(path("legacy2016.nd")),
    bytes_identical=False,
    source="hand-made magic-less 2016 records (u32 ndim, u32 dims), loaded by mx.nd.load",
)

# bfloat16 (type flag 12): MXNet loads it; amp_cast gives the exact float32 values
f32 = np.array([1.0, 2.5, -3.140625, 1e30, -0.0, np.inf], "<f4")
bf16 = (f32.view("<u4") >> 16).astype("<u2")
buf = HEADER + struct.pack("<Q", 1) + v2_dense((2, 3), 12, bf16.tobytes()) + keys_bytes(["bf"])
open(path("bf16.nd"), "wb").write(buf)
loaded = mx.nd.load(path("bf16.nd"))
as_f32 = mx.nd.amp_cast(loaded["bf"], dtype="float32")
record("bf16.nd", {"bf": as_f32}, bytes_identical=False, source="hand-made bfloat16 record; values from MXNet amp_cast(bfloat16 -> float32)")

# sparse records whose storage shape is a stale zero: the data count comes from the aux shapes
rs_rec = struct.pack("<Ii", V2, 1) + shape_bytes((0,)) + shape_bytes((4, 2)) + struct.pack("<iii", 1, 0, 0)
rs_rec += struct.pack("<i", 6) + shape_bytes((2,))
rs_rec += np.array([1, 2, 3, 4], "<f4").tobytes() + np.array([0, 2], "<i8").tobytes()
csr_rec = struct.pack("<Ii", V2, 2) + shape_bytes((0,)) + shape_bytes((2, 3)) + struct.pack("<iii", 1, 0, 1)
csr_rec += struct.pack("<i", 6) + shape_bytes((3,)) + struct.pack("<i", 6) + shape_bytes((2,))
csr_rec += np.array([5.0, 6.0], "<f8").tobytes() + np.array([0, 1, 2], "<i8").tobytes() + np.array([2, 0], "<i8").tobytes()
buf = HEADER + struct.pack("<Q", 2) + rs_rec + csr_rec + keys_bytes(["rs", "csr"])
open(path("sparse_stale.nd"), "wb").write(buf)
record(
    "sparse_stale.nd",
    mx.nd.load(path("sparse_stale.nd")),
    bytes_identical=False,
    source="hand-made sparse records with a zero storage shape, loaded by mx.nd.load",
)

with open(path("expected.json"), "w", encoding="utf-8") as f:
    json.dump(EXPECTED, f, indent=1, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print("wrote", sorted(os.listdir(OUT)))
print("total bytes", sum(os.path.getsize(path(n)) for n in os.listdir(OUT)))
