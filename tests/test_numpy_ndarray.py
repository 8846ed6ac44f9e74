"""mx.np arrays and functions: memory sharing, autograd, the engine, errors, files
(values and dtypes are checked against MXNet in test_numpy_golden.py)."""

from __future__ import annotations

import pickle

import numpy as onp
import pytest

import mxpy as mx
from mxpy import autograd, np, npx
from mxpy.numpy_extension._ops import npx_reshape_target


@pytest.fixture(autouse=True)
def np_mode():
    npx.set_np()
    yield
    npx.reset_np()


def test_ndarray_is_an_ndarray_subclass_and_results_keep_the_class():
    x = np.arange(6.0).reshape(2, 3)
    assert isinstance(x, mx.nd.NDArray) and type(x) is np.ndarray
    for r in (x + 1, x.T, x[0], x.sum(), np.exp(x), x > 2, x.astype("int32"), np.dot(x, x.T), x.copy(), npx.relu(x)):
        assert type(r) is np.ndarray
    assert type(x.as_nd_ndarray()) is mx.nd.NDArray
    assert type(mx.nd.ones(2).as_np_ndarray()) is np.ndarray


def test_legacy_operators_accept_np_arrays():
    x = np.ones((2, 3))
    out = mx.nd.FullyConnected(x, np.ones((4, 3)), np.zeros(4), num_hidden=4)
    assert type(out) is mx.nd.NDArray
    assert out.asnumpy().tolist() == [[3.0] * 4] * 2


def test_basic_indexing_and_as_nd_ndarray_share_memory():
    x = np.zeros((3, 4))
    row = x[1]
    row[:] = 5
    x.as_nd_ndarray()[2] = 7
    assert x.asnumpy()[:, 0].tolist() == [0.0, 5.0, 7.0]
    s = x[1, 2]  # a 0-d view
    assert s.shape == () and float(s) == 5.0


def test_setitem_forms():
    x = np.zeros((2, 3))
    x[0] = np.arange(3.0)
    x[:, 2] = 9
    x[x > 1] = -1
    x[np.array([1]), np.array([0])] = 4
    x[1, 1] = np.array(6.0)
    assert x.tolist() == [[0.0, 1.0, -1.0], [4.0, 6.0, -1.0]]


def test_autograd_through_np_functions_matches_numpy():
    a = onp.random.RandomState(0).uniform(0.5, 1.5, (3, 4)).astype("float32")
    x = np.array(a)
    x.attach_grad()
    with autograd.record():
        y = (np.log(x) * np.sqrt(x)).sum(axis=1).mean() + np.maximum(x, 1.0).max()
    y.backward()
    grad = (1 / a * onp.sqrt(a) + onp.log(a) / (2 * onp.sqrt(a))) / 3
    grad[onp.unravel_index(onp.argmax(onp.maximum(a, 1.0)), a.shape)] += 1
    onp.testing.assert_allclose(x.grad.asnumpy(), grad, rtol=1e-5)
    assert type(x.grad) is np.ndarray and y.shape == ()


def test_autograd_through_reshape_to_0d_and_indexing():
    x = np.arange(1.0, 4.0)
    x.attach_grad()
    with autograd.record():
        y = np.reshape(x[1:], (-1,)).prod() * x[0]
    y.backward()
    assert y.item() == 6.0
    assert x.grad.tolist() == [6.0, 3.0, 2.0]


def test_pushed_reads_finish_before_later_writes():
    x = np.ones((64, 64))
    y = np.dot(x, x) + 1  # pushed to the engine, read x
    x[:] = 0  # a later write to x must not be seen by y
    z = x.sum()
    npx.waitall()
    assert y[0, 0].item() == 65.0 and z.item() == 0.0


def test_errors_name_the_operator_and_shapes():
    with pytest.raises(mx.MXNetError, match=r"broadcast_add.*\(2, 3\).*\(3, 2\)"):
        np.ones((2, 3)) + np.ones((3, 2))
    with pytest.raises(mx.MXNetError, match=r"_np_reshape.*size 6 into shape \(4, 2\)"):
        np.ones(6).reshape(4, 2)
    with pytest.raises(IndexError):
        np.ones(3)[5]
    with pytest.raises(ValueError, match="as_np_ndarray"):
        np.array(mx.nd.ones(2))
    with pytest.raises(TypeError):
        np.ones(2) // 2
    with pytest.raises(ValueError, match="ambiguous"):
        bool(np.ones(2))


def test_repr_str_and_pickle():
    assert repr(np.ones((2,))) == "array([1., 1.])"
    assert repr(np.array(3.0)) == "array(3.)"
    assert repr(np.arange(2, dtype="int64")) == "array([0, 1], dtype=int64)"
    assert str(np.ones(2)) == "[1. 1.]"
    x = np.arange(4.0).reshape(2, 2)
    y = pickle.loads(pickle.dumps(x))
    assert type(y) is np.ndarray and y.tolist() == x.tolist()


def test_npx_save_load_round_trip(tmp_path):
    f = str(tmp_path / "a.npx")
    npx.save(f, {"w": np.arange(3.0), "s": np.array(2.5), "e": np.zeros((0, 2))})
    got = npx.load(f)
    assert {k: (type(v).__name__, v.shape) for k, v in got.items()} == {"w": ("ndarray", (3,)), "s": ("ndarray", ()), "e": ("ndarray", (0, 2))}
    with open(f, "rb") as fh:
        assert fh.read()[24:28].hex() == "cafa93f9"  # the V3 record of NumPy shapes, as MXNet
    npx.save(f, np.ones(2))
    assert [a.tolist() for a in npx.load(f)] == [[1.0, 1.0]]


def test_random_seed_reproduces_and_samplers_follow_numpy_shapes():
    np.random.seed(3)
    a = np.random.normal(0, 1, (2, 3))
    np.random.seed(3)
    assert np.random.normal(0, 1, (2, 3)).tolist() == a.tolist()
    assert np.random.uniform().shape == ()
    assert np.random.randint(0, 5, (4,)).dtype == onp.int64
    c = np.random.choice(5, 5, replace=False).asnumpy()
    assert sorted(c.tolist()) == [0, 1, 2, 3, 4]
    assert set(np.random.choice(3, 50, p=[0.0, 1.0, 0.0]).tolist()) == {1}
    x = np.arange(10.0)
    np.random.shuffle(x)
    assert sorted(x.tolist()) == list(range(10))
    mu = np.random.normal(np.zeros(3), np.array([0.0, 0.0, 1.0]))
    assert mu[:2].tolist() == [0.0, 0.0]


def test_linalg():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    onp.testing.assert_allclose(np.linalg.inv(a).asnumpy(), onp.linalg.inv(a.asnumpy()), rtol=1e-5)
    assert abs(np.linalg.det(a).item() - 5.0) < 1e-5
    assert np.linalg.norm(np.array([[3.0, 0.0], [0.0, 4.0]])).item() == 5.0
    assert np.linalg.norm(np.array([-3.0, 4.0]), ord=1).item() == 7.0


def test_npx_reshape_codes():
    assert npx_reshape_target((2, 3, 4), (-6, -1, 1, -4)) == (2, 1, 3, 4)
    assert npx_reshape_target((10, 5, 4), (-1, -2), reverse=True) == (50, 4)
    with pytest.raises(ValueError, match="-3 skips"):
        npx_reshape_target((2, 3), (-3, -2))


def test_parameter_shapes_read_minus_one_under_np_shape():
    p = mx.gluon.Parameter("w", shape=(4, 0))
    assert p.shape == (4, -1)
    npx.reset_np()
    assert p.shape == (4, 0)


def test_zero_size_and_whole_array_keys_stay_on_the_tape():
    for shape, key in [((), ()), ((0, 3), (slice(0, 0),)), ((2, 0), (1,)), ((2, 3), Ellipsis)]:
        x = np.ones(shape)
        x.attach_grad()
        with autograd.record():
            out = x[key] * 2
        out.backward()
        assert x.grad.shape == shape
        assert x.grad.asnumpy().sum() == 2 * out.size


def test_roll_diag_nan_to_num_match_numpy():
    a = onp.arange(12.0).reshape(3, 4)
    x = np.array(a)
    for shift, axis in [(1, 1), (-2, 0), (5, None), ((1, 2), (0, 1))]:
        assert np.roll(x, shift, axis).tolist() == onp.roll(a, shift, axis).tolist()
    assert np.diag(x, 1).tolist() == onp.diag(a, 1).tolist()
    assert np.diagonal(x, 1).tolist() == onp.diagonal(a, 1).tolist()
    v = onp.array([1.0, onp.nan, onp.inf, -onp.inf], onp.float32)
    assert np.nan_to_num(np.array(v)).tolist() == onp.nan_to_num(v).tolist()
    y = np.arange(4.0)
    y.attach_grad()
    with autograd.record():
        z = (np.roll(y, 1) * np.arange(4.0)).sum()
    z.backward()
    assert y.grad.tolist() == [1.0, 2.0, 3.0, 0.0]
