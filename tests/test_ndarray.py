"""NDArray basics: creation, attributes, copies, casts, in-place operators,
indexing/assignment on the engine, fluent methods and bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, registry
from mxpy.base import MXNetError
from mxpy.ndarray import dispatch, fluent
from tests.conftest import queued_engine

# -- creation -------------------------------------------------------------------------


def test_array_from_sources(each_engine):
    a = mx.nd.array([[1, 2], [3, 4]])
    assert a.shape == (2, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a.asnumpy(), [[1, 2], [3, 4]])
    b = mx.nd.array(np.arange(6, dtype=np.int64).reshape(2, 3), dtype="int32")
    assert b.dtype == np.int32
    c = mx.nd.array(b)
    assert c.dtype == np.int32 and c._var is not b._var
    d = mx.nd.array(a, ctx=mx.cpu(1))
    assert d.context == mx.cpu(1)


def test_zeros_ones_empty_full(each_engine):
    z = mx.nd.zeros((2, 3), ctx=mx.cpu(1), dtype="float64")
    assert z.shape == (2, 3) and z.dtype == np.float64 and z.context == mx.cpu(1)
    assert not z.asnumpy().any()
    o = mx.nd.ones(4, dtype="int32")
    assert o.shape == (4,) and o.dtype == np.int32 and o.asnumpy().tolist() == [1, 1, 1, 1]
    e = mx.nd.empty((3, 1))
    assert e.shape == (3, 1) and e.dtype == np.float32
    f = mx.nd.full((2, 2), 7, dtype="uint8")
    assert f.dtype == np.uint8 and f.asnumpy().tolist() == [[7, 7], [7, 7]]


def test_arange_eye_linspace(each_engine):
    np.testing.assert_array_equal(mx.nd.arange(5).asnumpy(), np.arange(5, dtype=np.float32))
    np.testing.assert_array_equal(mx.nd.arange(1, 7, 2, repeat=2).asnumpy(), [1, 1, 3, 3, 5, 5])
    assert mx.nd.arange(3, dtype="int64").dtype == np.int64
    np.testing.assert_array_equal(mx.nd.eye(2, 3, 1).asnumpy(), np.eye(2, 3, 1, dtype=np.float32))
    np.testing.assert_allclose(mx.nd.linspace(0, 1, 5).asnumpy(), np.linspace(0, 1, 5, dtype=np.float32))
    np.testing.assert_allclose(mx.nd.linspace(0, 1, 4, endpoint=False, ctx=mx.cpu(1)).asnumpy(), [0, 0.25, 0.5, 0.75])


def test_bad_creation_inputs():
    with pytest.raises(TypeError, match="dtype"):
        mx.nd.zeros((2,), dtype="complex64")
    with pytest.raises(TypeError, match="array"):
        mx.nd.array([[1, 2], [3]])
    with pytest.raises(MXNetError, match="NDArray"):
        mx.nd.NDArray()


# -- attributes -------------------------------------------------------------------------


def test_attributes():
    a = mx.nd.zeros((2, 3, 4), dtype="float16")
    assert a.shape == (2, 3, 4)
    assert a.dtype is np.float16
    assert a.size == 24 and a.ndim == 3
    assert a.context == mx.cpu(0) and a.ctx == a.context
    assert a.stype == "default"
    m = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    assert m.T.shape == (3, 2)
    np.testing.assert_array_equal(m.T.asnumpy(), m.asnumpy().T)
    assert len(m) == 2


# -- copies and casts ---------------------------------------------------------------------


def test_copy_copyto_as_in_context(each_engine):
    a = mx.nd.array([1, 2, 3])
    b = a.copy()
    b[:] = 0
    assert a.asnumpy().tolist() == [1, 2, 3]
    c = a.copyto(mx.cpu(1))
    assert c.context == mx.cpu(1) and c.asnumpy().tolist() == [1, 2, 3]
    d = mx.nd.zeros((3,))
    assert a.copyto(d) is d and d.asnumpy().tolist() == [1, 2, 3]
    assert a.as_in_context(mx.cpu(0)) is a
    e = a.as_in_context(mx.cpu(1))
    assert e is not a and e.context == mx.cpu(1)
    with pytest.raises(mx.MXNetError, match=r"copyto: shape mismatch, source \(3,\) vs destination \(4,\)"):
        a.copyto(mx.nd.zeros((4,)))  # MXNet raises MXNetError here (issue 11)
    with pytest.raises(TypeError):
        a.copyto("cpu")


def test_astype(each_engine):
    a = mx.nd.array([1.7, -2.7])
    b = a.astype("int32")
    assert b.dtype == np.int32 and b.asnumpy().tolist() == [1, -2]
    assert a.astype(np.float32, copy=False) is a
    assert a.astype("float32") is not a
    with pytest.raises(TypeError):
        a.astype("complex128")


def test_inplace_operators(each_engine):
    a = mx.nd.ones((2, 2))
    ident = id(a)
    a += 1
    a *= mx.nd.array([[2, 3], [4, 5]])
    a -= 1
    a /= 2
    assert id(a) == ident
    np.testing.assert_allclose(a.asnumpy(), [[1.5, 2.5], [3.5, 4.5]])
    v = a[1]
    v += 10  # in-place on a view writes the base
    np.testing.assert_allclose(a.asnumpy()[1], [13.5, 14.5])


# -- indexing on the engine ---------------------------------------------------------------


def test_first_axis_views_share_chunk():
    a = mx.nd.zeros((4, 3))
    for view in (a[1], a[-1], a[1:3], a[2:], a[(1,)], a[1, 1:3]):
        assert view._var is a._var
    for copy in (a[:, 1], a[::2], a[[0, 1]], a[1:3, 1]):
        assert copy._var is not a._var
    one = mx.nd.array([5, 6, 7])[0]
    assert one.shape == (1,) and one.asnumpy().tolist() == [5]


def test_setitem_orders_with_pending_work():
    # under the threaded engine the assignment must wait for earlier readers
    # and later readers must see it
    with mx.engine.engine_type(queued_engine()):
        a = mx.nd.ones((64, 64))
        before = a * 2
        a[:] = 5
        a[3:5] = mx.nd.zeros((2, 64))
        a[:, 0] = 7
        after = a + 0
        assert before.asnumpy().max() == 2
        got = after.asnumpy()
        assert got[0, 0] == 7 and got[3, 1] == 0 and got[10, 10] == 5


def test_setitem_whole_array_is_one_push(monkeypatch):
    # a[:] = x is on every training loop's path: no operator dispatch
    w = mx.nd.ones((3, 3))
    g = mx.nd.ones((3, 3))
    calls = []
    monkeypatch.setattr(dispatch, "invoke", lambda *a, **k: calls.append(a))
    w[:] = g
    w[:] = 0.5
    w[:] = np.full((3, 3), 2.0)
    assert calls == []
    assert w.asnumpy().tolist() == [[2.0] * 3] * 3


def test_setitem_self_aliasing(each_engine):
    a = mx.nd.array(np.arange(6))
    a[:] = a
    assert a.asnumpy().tolist() == [0, 1, 2, 3, 4, 5]
    b = mx.nd.array(np.arange(4).reshape(2, 2))
    b[0:1] = b[1:2]
    assert b.asnumpy().tolist() == [[2, 3], [2, 3]]


@pytest.mark.parametrize("kind", ["NaiveEngine", "ThreadedEngine", "queued"])
def test_setitem_same_shape_array_copies_in_order(kind):
    """``w[:] = v`` for a same-shape array on the same context (the common case, one
    push): a copy, ordered after pending writes of ``v`` and before later ones (every
    op queued to a worker in the third run), that casts to ``w``'s dtype, and that
    leaves ``w``'s views seeing the new values."""
    from mxpy.engine.threaded import ThreadedEngine

    with engine.engine_type(ThreadedEngine(inline_max=-1) if kind == "queued" else kind):
        _same_shape_copies(mx.nd.zeros((2, 3)))


def _same_shape_copies(w):
    view = w.reshape((3, 2))
    v = mx.nd.array(np.arange(6, dtype=np.float64).reshape(2, 3), dtype="float64")
    v += 1  # pending write before the copy
    w[:] = v
    v += 100  # a later write must not reach w
    assert w.dtype == np.float32 and w.asnumpy().tolist() == [[1, 2, 3], [4, 5, 6]]
    assert view.asnumpy().tolist() == [[1, 2], [3, 4], [5, 6]]
    w[:] = w * 2  # the value is computed from w itself
    assert w.asnumpy().tolist() == [[2, 4, 6], [8, 10, 12]]
    w[:] = view.reshape((2, 3))  # same Var and same memory: nothing to do
    assert w.asnumpy().tolist() == [[2, 4, 6], [8, 10, 12]]


def test_setitem_cross_context_and_dtype(each_engine):
    a = mx.nd.zeros((2, 3))
    a[:] = mx.nd.array([1, 2, 3], ctx=mx.cpu(1))
    a[1] = mx.nd.array([7, 8, 9], dtype="int32", ctx=mx.cpu(1))
    assert a.asnumpy().tolist() == [[1, 2, 3], [7, 8, 9]]
    assert a.dtype == np.float32


def test_bad_index_and_value_errors():
    a = mx.nd.zeros((2, 3))
    with pytest.raises(IndexError, match="index 2 is out of bounds for axis 0 with size 2"):
        a[2]
    with pytest.raises(IndexError, match="axis 1 with size 3"):
        a[0, -4]
    with pytest.raises(IndexError, match="too many indices"):
        a[0, 0, 0]
    with pytest.raises(IndexError, match="ellipsis"):
        a[..., ...]
    with pytest.raises(ValueError, match=r"\(4,\) and requested shape \(3,\)"):
        a[0] = mx.nd.ones((4,))
    with pytest.raises(TypeError, match="non-array-like"):
        a[:] = "x"
    with pytest.raises(ValueError, match="does not support slicing"):
        a[0.5]
    assert not a.asnumpy().any()  # nothing was written by the failed calls


# -- operators behind indexing --------------------------------------------------------------


def test_slice_assign_operators_errors():
    a = mx.nd.zeros((3, 4))
    with pytest.raises(MXNetError, match=r"_slice_assign: rhs has shape \(3, 2\), expected \(2, 2\)"):
        mx.nd._internal._slice_assign(a, mx.nd.ones((3, 2)), begin=(0, 1), end=(2, 3))
    with pytest.raises(MXNetError, match="step"):
        mx.nd._internal._slice_assign_scalar(a, scalar=1, begin=(0,), end=(2,), step=(0,))
    with pytest.raises(MXNetError, match="gather_nd: indices.shape"):
        mx.nd.gather_nd(a, mx.nd.zeros((3, 1)))
    bad = mx.nd.gather_nd(a, mx.nd.array([[5]]))
    with pytest.raises(MXNetError, match="index 5 is out of bounds for axis 0 with size 3"):
        bad.asnumpy()


def test_slice_assign_methods(each_engine):
    a = mx.nd.zeros((2, 3))
    assert a.slice_assign(mx.nd.ones((1, 2)), (0, 1), (1, 3), ()) is a
    assert a.slice_assign_scalar(4, (1,), (2,), ()) is a
    assert a.asnumpy().tolist() == [[0, 1, 1], [4, 4, 4]]


# -- fluent methods ----------------------------------------------------------------------------


def test_fluent_methods_follow_the_registry():
    attached = fluent.install()
    for name in attached:
        assert callable(getattr(mx.nd.NDArray, name)), name
        assert getattr(mx.nd.NDArray, name).__doc__, name
    for name, op_name in fluent.FLUENT.items():
        assert (registry.find(op_name) is not None) == hasattr(mx.nd.NDArray, name) or name in mx.nd.NDArray.__dict__, name


def test_fluent_calls_match_functions(each_engine):
    x = mx.nd.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    pairs = {
        "abs": ((), {}),
        "sum": ((), {"axis": 1}),
        "clip": ((-1.0, 2.0), {}),
        "transpose": ((), {}),
        "expand_dims": ((), {"axis": 0}),
        "flip": ((), {"axis": 1}),
        "tile": ((), {"reps": (1, 2)}),
        "argmax": ((), {"axis": 1}),
    }
    checked = 0
    for name, (args, kwargs) in pairs.items():
        if not hasattr(mx.nd.NDArray, name):
            continue
        got = getattr(x, name)(*args, **kwargs)
        want = getattr(mx.nd, name)(x, *args, **kwargs)
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy(), err_msg=name)
        checked += 1
    assert checked >= 1
    np.testing.assert_array_equal(mx.nd.array([1, 2]).broadcast_to((2, 2)).asnumpy(), [[1, 2], [1, 2]])
    with pytest.raises(ValueError, match="requested shape"):
        mx.nd.array([1, 2]).broadcast_to((3,))
