"""NDArray semantics against golden values from real MXNet 1.9.1.

The fixture ``tests/golden/ndarray_semantics.json`` comes from
``tests/golden/make_ndarray_semantics.py`` (run with mxnet-reference): indexing
results and which keys give views, setitem results and errors, the dtype of
``mx.nd.array``, repr strings, and truthiness/len/iter/asscalar/comparison rules.
"""

from __future__ import annotations

import functools
import json
import os
import re

import numpy as np
import pytest

import mxpy as mx
from tests.golden.mirror import decode_key as _decode_key
from tests.golden.mirror import decode_value as _decode_value
from tests.golden.mirror import index_bases

with open(os.path.join(os.path.dirname(__file__), "golden", "ndarray_semantics.json")) as _f:
    GOLD = json.load(_f)


BASES = index_bases(mx)
decode_key = functools.partial(_decode_key, mx)
decode_value = functools.partial(_decode_value, mx)


def _id(rec):
    return json.dumps(rec["key"]).replace(" ", "") + ("<-" + json.dumps(rec["value"])[:30] if "value" in rec else "")


def _check_error(exc: BaseException, rec: dict) -> None:
    assert type(exc).__name__ == rec["error"], f"{type(exc).__name__}: {exc} (MXNet: {rec['error']}: {rec['message']})"
    msg = rec["message"]
    if rec["error"] == "IndexError":
        # MXNet names axis 0 whatever the axis (a[1, 10]); mxpy names the real one
        want = re.sub(r"axis \d+", "axis N", msg.replace("IndexError: ", ""))
        assert want in re.sub(r"axis \d+", "axis N", str(exc))


@pytest.mark.parametrize("rec", GOLD["getitem"], ids=lambda r: r["base"] + _id(r))
def test_getitem_matches_mxnet(rec, each_engine):
    a = BASES[rec["base"]]()
    key = decode_key(rec["key"])
    if "error" in rec:
        with pytest.raises(Exception) as info:
            a[key]
        _check_error(info.value, rec)
        return
    r = a[key]
    assert list(r.shape) == rec["shape"]
    assert np.dtype(r.dtype).name == rec["dtype"]
    np.testing.assert_array_equal(r.asnumpy().ravel(), np.array(rec["values"], np.float32))
    if "shares" in rec:
        r[:] = -1
        assert bool((a.asnumpy() == -1).any()) == rec["shares"], "view/copy differs from MXNet"


@pytest.mark.parametrize("rec", GOLD["setitem"], ids=_id)
def test_setitem_matches_mxnet(rec, each_engine):
    a = BASES["a2"]()
    key, value = decode_key(rec["key"]), decode_value(rec["value"])
    if "error" in rec:
        with pytest.raises(Exception) as info:
            a[key] = value
        _check_error(info.value, rec)
        if rec["error"] == "ValueError" and "requested shape" in rec["message"]:
            assert "requested shape" in str(info.value)
        # a rejected assignment changes nothing
        np.testing.assert_array_equal(a.asnumpy().ravel(), np.array(rec["after"], np.float32))
        return
    a[key] = value
    np.testing.assert_array_equal(a.asnumpy().ravel(), np.array(rec["result"], np.float32))


def test_setitem_through_views_and_casts(each_engine):
    want = GOLD["setitem_extra"]
    x = mx.nd.zeros((3, 4))
    x[1][:] = 5
    x[2][1:3] = 4
    v = x[0:2]
    v[:] += 1
    assert x.asnumpy().tolist() == want["view_writes"]
    y = mx.nd.zeros((3, 4), dtype="int32")
    y[:] = 2.7
    assert y.asnumpy().tolist() == want["int_fill"]
    assert y.dtype == np.int32
    z = mx.nd.zeros((3,))
    n = np.ones(3)
    z[:] = n
    n[:] = 5  # the values were taken when the assignment was made
    assert z.asnumpy().tolist() == want["numpy_copied_at_call"]
    w = mx.nd.zeros((2, 2))
    w[:] = mx.nd.array([[1, 2]])
    assert w.asnumpy().tolist() == want["broadcast_row"]


def _array_source(name):
    return {
        "np_int64": lambda: np.arange(3),
        "np_int32": lambda: np.arange(3, dtype=np.int32),
        "np_float64": lambda: np.array([1.5, 2.5]),
        "np_float16": lambda: np.array([1.5], dtype=np.float16),
        "np_bool": lambda: np.array([True, False]),
        "np_uint8": lambda: np.array([1, 2], dtype=np.uint8),
        "list_int": lambda: [1, 2, 3],
        "list_float": lambda: [1.5, 2.0],
        "nested_list": lambda: [[1, 2], [3, 4]],
        "tuple": lambda: (1, 2),
        "nd_int32": lambda: mx.nd.array([1, 2], dtype="int32"),
        "nd_float64": lambda: mx.nd.array([1, 2], dtype="float64"),
        "nd_uint8": lambda: mx.nd.array([1, 2], dtype="uint8"),
    }[name]()


@pytest.mark.parametrize("case", sorted(GOLD["array_dtype"]))
def test_array_dtype_matches_mxnet(case):
    name, _, dtype = case.partition("+dtype=")
    src = _array_source(name)
    got = mx.nd.array(src, dtype=dtype) if dtype else mx.nd.array(src)
    assert np.dtype(got.dtype).name == GOLD["array_dtype"][case]


def _repr_source(name):
    return {
        "f32_2x3": lambda: mx.nd.array(np.arange(6).reshape(2, 3)),
        "i32_1d": lambda: mx.nd.array([1, -2, 3], dtype="int32"),
        "f64_frac": lambda: mx.nd.array([1.5, -2.25], dtype="float64"),
        "f32_3d": lambda: mx.nd.array(np.arange(8).reshape(2, 2, 2) / 3.0),
        "cpu1": lambda: mx.nd.array([1, 2], ctx=mx.cpu(1)),
        "uint8": lambda: mx.nd.array([255, 0], dtype="uint8"),
        "row_view": lambda: mx.nd.array(np.arange(6).reshape(2, 3))[1],
        "one_elem": lambda: mx.nd.array([7]),
    }[name]()


@pytest.mark.parametrize("case", sorted(GOLD["repr"]))
def test_repr_matches_mxnet(case):
    a = _repr_source(case)
    assert repr(a) == GOLD["repr"][case]
    assert str(a) == GOLD["repr"][case]


MISC = GOLD["misc"]


def _misc(name):
    rec = MISC[name]
    assert "value" in rec, rec
    return rec["value"]


def test_truthiness():
    assert bool(mx.nd.array([0])) is _misc("bool_zero")
    assert bool(mx.nd.array([1])) is _misc("bool_one")
    assert bool(mx.nd.array([[3]])) is _misc("bool_2d_one")
    with pytest.raises(ValueError, match="ambiguous"):
        bool(mx.nd.array([1, 2]))
    assert MISC["bool_two"]["error"] == "ValueError"


def test_len_and_iter():
    assert len(mx.nd.zeros((4, 6))) == _misc("len_2d")
    assert len(mx.nd.zeros((3,))) == _misc("len_1d")
    assert [list(r.shape) for r in mx.nd.zeros((3, 2))] == _misc("iter_2d_shapes")
    assert [list(r.shape) for r in mx.nd.zeros((2,))] == _misc("iter_1d_shapes")


def test_asscalar():
    value, type_name = _misc("asscalar_1")
    got = mx.nd.array([3.5]).asscalar()
    assert got == value and type(got).__name__ == type_name
    with pytest.raises(ValueError):
        mx.nd.array([1, 2]).asscalar()
    assert MISC["asscalar_two"]["error"] == "ValueError"


def test_comparisons_are_float32_like_mxnet():
    a = mx.nd.array([1, 2, 3])
    b = mx.nd.array([3, 2, 1])
    ai = mx.nd.array([1, 2, 3], dtype="int32")
    for name, res in [("eq", a == b), ("gt_scalar", a > 1), ("le_broadcast", mx.nd.ones((2, 1)) <= a), ("int_ne", ai != 2), ("reverse_lt", 2 < a)]:
        dtype, values = _misc(name)
        assert np.dtype(res.dtype).name == dtype, name
        assert res.asnumpy().tolist() == values, name


def test_views_copies_and_shapes(each_engine):
    x = mx.nd.zeros((2, 3))
    r = x.reshape((3, 2))
    r[:] = 1
    assert x.asnumpy().tolist() == _misc("reshape_shares")
    x = mx.nd.zeros((2,))
    y = x.astype("float32")
    y[:] = 1
    assert [x.asnumpy().tolist(), y is x] == _misc("astype_copies")
    x = mx.nd.zeros((2,))
    assert (x.astype("float32", copy=False) is x) is _misc("astype_nocopy")
    x = mx.nd.zeros((2,))
    y = x.copy()
    y[:] = 1
    assert x.asnumpy().tolist() == _misc("copy_independent")
    assert list(mx.nd.zeros((2, 3)).T.shape) == _misc("T_shape")
    z = mx.nd.zeros((2, 3))
    assert [z.size, z.ndim] == _misc("size_ndim")
    assert repr(mx.nd.zeros((1,)).dtype) == _misc("dtype_repr")
    x = mx.nd.zeros((2,))
    assert [[x.__iadd__(1) is x, x.asnumpy().tolist()]] == _misc("iadd_same_object")
    assert (mx.nd.array([7, -7], dtype="int32") / 2).asnumpy().tolist() == _misc("int_div")
    x = mx.nd.zeros((2, 2))
    x[-1][:] = 9
    assert x.asnumpy().tolist() == _misc("neg_index_view")


def test_sum_all_axes_shape():
    if not hasattr(mx.nd, "sum"):
        pytest.skip("the sum operator is not registered in this build")
    assert list(mx.nd.ones((2, 3)).sum().shape) == _misc("sum_all_shape")
