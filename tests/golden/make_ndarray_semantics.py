"""Golden values for NDArray semantics (indexing, setitem, repr, dtype rules).

Run with real MXNet 1.9.1:

    ../shared/tools/mxnet-reference tests/golden/make_ndarray_semantics.py

It writes ``tests/golden/ndarray_semantics.json``; tests/test_ndarray_semantics.py
replays every case on mxpy. Keys and values are encoded as small JSON objects
(see ``decode_key``/``decode_value``) so the test can rebuild them without MXNet.
"""

import functools
import json
import os

import mxnet as mx
import numpy as np
from mirror import decode_key as _decode_key
from mirror import decode_value as _decode_value
from mirror import index_bases

HERE = os.path.dirname(os.path.abspath(__file__))


BASES = index_bases(mx)
decode_key = functools.partial(_decode_key, mx)
decode_value = functools.partial(_decode_value, mx)


IX = lambda v: {"int": v}
S = lambda *v: {"slice": list(v)}
NONE = {"none": 0}
ELL = {"ellipsis": 0}
L = lambda v: {"list": v}
NP = lambda v: {"np": v}
ND = lambda v: {"nd": v}

GET_KEYS = {
    "a1": [IX(0), IX(-1), IX(4), IX(5), S(1, 3), S(None, None, 2), L([0, 3]), [IX(2)], NONE, ND([4])],
    "a2": [
        IX(1),
        IX(-1),
        IX(4),
        IX(-5),
        S(1, 3),
        S(2, 10),
        S(10, 20),
        S(None, None, 2),
        S(None, None, -1),
        S(-3, -1),
        [IX(1)],
        [S(1, 3)],
        [IX(1), S(None)],
        [S(1, 3), S(None)],
        [IX(1), IX(2)],
        [S(None), IX(1)],
        [IX(1), S(1, 3)],
        ELL,
        [ELL, IX(1)],
        NONE,
        [NONE, IX(1)],
        [S(None), NONE, IX(1)],
        [],
        [IX(1), IX(10)],
        L([0, 2]),
        NP([0, 2]),
        ND([0, 2]),
        L([0, 10]),
        [L([0, 1]), L([1, 2])],
        [S(None), L([0, 2])],
        [ND([0, 1]), IX(1)],
        [NP([[0, 1], [1, 2]])],
        L([True, False, True, False]),
        [L([[0], [1]]), L([1, 2])],
        [IX(1), L([0, 1])],
        [S(1, 3), L([0, 1])],
        [{"np0": 1}, IX(2)],
        L([-1]),
        ND([-1]),
        L([1.7]),
        [S(None), S(None, None, -1)],
        {"float": 1.5},
        [L([0, 1]), S(None)],
        [S(None, None, 2), L([5, 0])],
    ],
    "a3": [
        [IX(0), IX(1)],
        [IX(0), IX(1), IX(2)],
        [S(None), IX(0), S(None)],
        [IX(0), S(None), IX(1)],
        [ELL, IX(0)],
        [L([0, 1]), L([0, 1]), L([0, 1])],
        [L([0, 1]), S(None), L([1, 2])],
        [IX(1), S(None, None, 2)],
        [S(None), S(1, 3), L([0, 3])],
        [ELL, L([3, 0]), NONE],
        [IX(-1), ELL, IX(-1)],
    ],
}

SET_CASES = [
    (IX(1), {"scalar": 5}),
    (IX(1), ND([1] * 6)),
    (IX(1), ND([[1] * 6])),
    (IX(1), ND([[1] * 6] * 2)),
    (S(1, 3), ND([1, 2, 3, 4, 5, 6])),
    (S(1, 3), ND([[1], [2]])),
    (S(1, 3), ND([[7]])),
    (S(1, 3), ND([[1] * 6] * 3)),
    (S(1, 3), {"np": [[1.5] * 6] * 2}),
    (S(1, 3), {"list": [1, 2, 3, 4, 5, 6]}),
    (S(None), {"scalar": 3.5}),
    (S(None), {"np": [[2.0] * 6] * 4}),
    (S(None), {"np": [1, 2, 3, 4, 5, 6]}),
    (S(None), {"np": [[1.0] * 6] * 5}),
    (S(None), ND([[1] * 5] * 4)),
    ([S(None), IX(1)], {"scalar": 7}),
    ([S(None), IX(1)], {"list": [1, 2, 3, 4]}),
    ([S(None), IX(1)], ND([1, 2, 3, 4])),
    ([S(None), IX(1)], ND([1, 2, 3])),
    ([IX(1), IX(2)], {"scalar": 9}),
    ([IX(1), IX(2)], ND([9])),
    (S(None, None, 2), {"scalar": 1}),
    ([S(None, None, 2), S(None, None, -1)], ND([0, 1, 2, 3, 4, 5])),
    (L([0, 2]), {"scalar": 1}),
    (L([0, 2]), ND([0, 1, 2, 3, 4, 5])),
    ([L([0, 2]), L([1, 3])], ND([100, 200])),
    ([L([0, 2]), L([1, 3])], {"scalar": 5}),
    (NP([0, 2]), ND([[3] * 6] * 2)),
    (ND([0, 2]), ND([[1] * 6] * 3)),
    (IX(5), {"scalar": 1}),
    (IX(-5), {"scalar": 1}),
    (ELL, {"scalar": 2}),
    (NONE, {"scalar": 2}),
    ({"float": 1.5}, {"scalar": 2}),
    ([S(None), L([0, 2])], ND([[1, 2]] * 4)),
    (L([0, 0]), ND([[0] * 6, [1] * 6])),
    (S(1, 3), {"nd_int32": [[4] * 6] * 2}),
    (S(1, 3), {"str": "x"}),
    ([IX(-1), S(1, None, 2)], ND([7, 8, 9])),
    ([S(1, 3), S(2, 4)], ND([[1, 2], [3, 4]])),
    ([ELL, IX(0)], ND([9, 8, 7, 6])),
    ([NONE, S(0, 2)], {"scalar": -1}),
    (S(2, 10), {"scalar": 4}),
    ([IX(1), S(None)], {"scalar": 6}),
]


def err(e):
    return {"error": type(e).__name__, "message": str(e).strip().splitlines()[-1][:300]}


def getitem_cases():
    out = []
    for base, keys in GET_KEYS.items():
        for k in keys:
            a = BASES[base]()
            rec = {"base": base, "key": k}
            try:
                r = a[decode_key(k)]
                rec.update(shape=list(r.shape), values=r.asnumpy().ravel().tolist(), dtype=np.dtype(r.dtype).name)
                if r.size:
                    r[:] = -1
                    rec["shares"] = bool((a.asnumpy() == -1).any())
            except Exception as e:
                rec.update(err(e))
            out.append(rec)
    return out


def setitem_cases():
    out = []
    for k, v in SET_CASES:
        a = BASES["a2"]()
        rec = {"key": k, "value": v}
        try:
            a[decode_key(k)] = decode_value(v)
            rec["result"] = a.asnumpy().ravel().tolist()
        except Exception as e:
            rec.update(err(e))
            rec["after"] = a.asnumpy().ravel().tolist()
        out.append(rec)
    # writes through views reach the base array
    x = mx.nd.zeros((3, 4))
    x[1][:] = 5
    x[2][1:3] = 4
    v = x[0:2]
    v[:] += 1
    y = mx.nd.zeros((3, 4), dtype="int32")
    y[:] = 2.7
    z = mx.nd.zeros((3,))
    n = np.ones(3)
    z[:] = n
    n[:] = 5
    w = mx.nd.zeros((2, 2))
    w[:] = mx.nd.array([[1, 2]])
    extra = {
        "view_writes": x.asnumpy().tolist(),
        "int_fill": y.asnumpy().tolist(),
        "numpy_copied_at_call": z.asnumpy().tolist(),
        "broadcast_row": w.asnumpy().tolist(),
    }
    return out, extra


def array_dtypes():
    srcs = {
        "np_int64": np.arange(3),
        "np_int32": np.arange(3, dtype=np.int32),
        "np_float64": np.array([1.5, 2.5]),
        "np_float16": np.array([1.5], dtype=np.float16),
        "np_bool": np.array([True, False]),
        "np_uint8": np.array([1, 2], dtype=np.uint8),
        "list_int": [1, 2, 3],
        "list_float": [1.5, 2.0],
        "nested_list": [[1, 2], [3, 4]],
        "tuple": (1, 2),
        "nd_int32": mx.nd.array([1, 2], dtype="int32"),
        "nd_float64": mx.nd.array([1, 2], dtype="float64"),
        "nd_uint8": mx.nd.array([1, 2], dtype="uint8"),
    }
    out = {}
    for name, s in srcs.items():
        out[name] = np.dtype(mx.nd.array(s).dtype).name
        out[name + "+dtype=float64"] = np.dtype(mx.nd.array(s, dtype="float64").dtype).name
    return out


def reprs():
    cases = {
        "f32_2x3": mx.nd.array(np.arange(6).reshape(2, 3)),
        "i32_1d": mx.nd.array([1, -2, 3], dtype="int32"),
        "f64_frac": mx.nd.array([1.5, -2.25], dtype="float64"),
        "f32_3d": mx.nd.array(np.arange(8).reshape(2, 2, 2) / 3.0),
        "cpu1": mx.nd.array([1, 2], ctx=mx.cpu(1)),
        "uint8": mx.nd.array([255, 0], dtype="uint8"),
        "row_view": mx.nd.array(np.arange(6).reshape(2, 3))[1],
        "one_elem": mx.nd.array([7]),
    }
    return {k: repr(v) for k, v in cases.items()}


def misc():
    out = {}

    def rec(name, fn):
        try:
            v = fn()
            out[name] = {"value": v}
        except Exception as e:
            out[name] = err(e)

    rec("bool_zero", lambda: bool(mx.nd.array([0])))
    rec("bool_one", lambda: bool(mx.nd.array([1])))
    rec("bool_2d_one", lambda: bool(mx.nd.array([[3]])))
    rec("bool_two", lambda: bool(mx.nd.array([1, 2])))
    rec("bool_empty", lambda: bool(mx.nd.zeros((0,))))
    rec("len_2d", lambda: len(mx.nd.zeros((4, 6))))
    rec("len_1d", lambda: len(mx.nd.zeros((3,))))
    rec("iter_2d_shapes", lambda: [list(r.shape) for r in mx.nd.zeros((3, 2))])
    rec("iter_1d_shapes", lambda: [list(r.shape) for r in mx.nd.zeros((2,))])
    rec("asscalar_1", lambda: [float(mx.nd.array([3.5]).asscalar()), type(mx.nd.array([3.5]).asscalar()).__name__])
    rec("asscalar_1x1_int", lambda: [int(mx.nd.array([[4]], dtype="int32").asscalar()), type(mx.nd.array([[4]], dtype="int32").asscalar()).__name__])
    rec("asscalar_two", lambda: mx.nd.array([1, 2]).asscalar())
    a = mx.nd.array([1, 2, 3])
    b = mx.nd.array([3, 2, 1])
    ai = mx.nd.array([1, 2, 3], dtype="int32")
    rec("eq", lambda: [np.dtype((a == b).dtype).name, (a == b).asnumpy().tolist()])
    rec("gt_scalar", lambda: [np.dtype((a > 1).dtype).name, (a > 1).asnumpy().tolist()])
    rec("le_broadcast", lambda: [np.dtype((mx.nd.ones((2, 1)) <= a).dtype).name, (mx.nd.ones((2, 1)) <= a).asnumpy().tolist()])
    rec("int_ne", lambda: [np.dtype((ai != 2).dtype).name, (ai != 2).asnumpy().tolist()])
    rec("reverse_lt", lambda: [np.dtype((2 < a).dtype).name, (2 < a).asnumpy().tolist()])

    def reshape_shares():
        x = mx.nd.zeros((2, 3))
        r = x.reshape((3, 2))
        r[:] = 1
        return x.asnumpy().tolist()

    def astype_copies():
        x = mx.nd.zeros((2,))
        y = x.astype("float32")
        y[:] = 1
        return [x.asnumpy().tolist(), y is x]

    def astype_nocopy():
        x = mx.nd.zeros((2,))
        return x.astype("float32", copy=False) is x

    def copy_independent():
        x = mx.nd.zeros((2,))
        y = x.copy()
        y[:] = 1
        return x.asnumpy().tolist()

    rec("reshape_shares", reshape_shares)
    rec("astype_copies", astype_copies)
    rec("astype_nocopy", astype_nocopy)
    rec("copy_independent", copy_independent)
    rec("T_shape", lambda: list(mx.nd.zeros((2, 3)).T.shape))
    rec("size_ndim", lambda: [mx.nd.zeros((2, 3)).size, mx.nd.zeros((2, 3)).ndim])
    rec("dtype_repr", lambda: repr(mx.nd.zeros((1,)).dtype))
    rec("sum_all_shape", lambda: list(mx.nd.ones((2, 3)).sum().shape))
    rec("iadd_same_object", lambda: [(lambda x: (x.__iadd__(1) is x, x.asnumpy().tolist()))(mx.nd.zeros((2,)))])
    rec("int_div", lambda: (mx.nd.array([7, -7], dtype="int32") / 2).asnumpy().tolist())
    rec("neg_index_view", lambda: (lambda x: (x[-1].__setitem__(slice(None), 9), x.asnumpy().tolist())[1])(mx.nd.zeros((2, 2))))
    return out


def main():
    sets, extra = setitem_cases()
    data = {
        "getitem": getitem_cases(),
        "setitem": sets,
        "setitem_extra": extra,
        "array_dtype": array_dtypes(),
        "repr": reprs(),
        "misc": misc(),
    }
    path = os.path.join(HERE, "ndarray_semantics.json")
    with open(path, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
