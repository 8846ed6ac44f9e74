"""mx.np / mx.sym.np functions computed through ``_npi_function`` (ops/np_functions.py):
values against NumPy, gradients against closed forms, hybridized == imperative."""

from __future__ import annotations

import numpy as onp
import pytest

import mxpy as mx
from mxpy import autograd, np, npx
from mxpy.base import MXNetError
from mxpy.gluon import HybridBlock


@pytest.fixture(autouse=True)
def _np_mode():
    npx.set_np()
    yield
    npx.reset_np()


A = onp.arange(12.0, dtype=onp.float32).reshape(3, 4) / 7 - 0.5


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("tril", [onp.arange(1.0, 4.0, dtype=onp.float32)], {}),  # 1-D: a row broadcast to 2-D
        ("rot90", [A], {"k": 3}),
        ("pad", [A], {"pad_width": ((1, 0), (2, 1)), "mode": "reflect"}),
        ("insert", [A], {"obj": 1, "values": 9.0, "axis": 1}),
        ("delete", [A], {"obj": [0, 2], "axis": 1}),
        ("trace", [A], {"offset": 1}),
        ("diff", [A], {"n": 2, "axis": 1}),
        ("ediff1d", [A], {"to_begin": -1.0}),
        ("polyval", [onp.array([1.0, -2.0, 3.0], onp.float32), A], {}),
        ("einsum", ["ij,kj->ik", A, A], {}),
        ("tensordot", [A, A.T], {"axes": 1}),
        ("diag", [A], {"k": -6}),  # beyond the matrix: empty, as NumPy
        ("squeeze", [onp.ones((1,), onp.float32)], {"axis": 0}),
        ("dstack", [[A, A]], {}),
        ("column_stack", [[A[0], A[1]]], {}),
    ],
)
def test_values_match_numpy(name, args, kwargs):
    mx_args = [np.array(a) if isinstance(a, onp.ndarray) else [np.array(x) for x in a] if isinstance(a, list) else a for a in args]
    got = getattr(np, name)(*mx_args, **kwargs)
    want = getattr(onp, name)(*args, **kwargs)
    assert got.shape == want.shape
    onp.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_creation_dtypes_follow_mxnet():
    assert np.hanning(4).dtype == onp.float32  # NumPy gives float64
    assert np.logspace(0, 1, 3).dtype == onp.float32
    assert np.indices((2, 3)).dtype == onp.int64
    onp.testing.assert_allclose(np.hanning(4).asnumpy(), onp.hanning(4), rtol=1e-6)


def _grad(fn, *arrays):
    xs = [np.array(a) for a in arrays]
    for x in xs:
        x.attach_grad()
    with autograd.record():
        y = fn(*xs)
    y.backward()
    return [x.grad.asnumpy() for x in xs]


def test_gather_gradient_scatters_back_to_the_source_elements():
    # rot90 moves each element once; pad's constants (5.0) take no gradient; hstack joins two inputs
    w = onp.arange(12.0).reshape(4, 3)
    (g,) = _grad(lambda x: (np.rot90(x) * np.array(w)).sum(), A)
    onp.testing.assert_allclose(g, onp.rot90(w, -1))
    (g,) = _grad(lambda x: np.pad(x, 1, constant_values=5.0).sum(), A)
    onp.testing.assert_allclose(g, onp.ones_like(A))
    g1, g2 = _grad(lambda x, y: (np.hstack([x, y]) * np.arange(8.0)).sum(), A, A)
    onp.testing.assert_allclose(g1, onp.tile(onp.arange(4.0), (3, 1)))
    onp.testing.assert_allclose(g2, onp.tile(onp.arange(4.0, 8.0), (3, 1)))


def test_einsum_gradient_with_a_repeated_operand_and_a_diagonal():
    s = A[:3, :3]
    (g,) = _grad(lambda x: np.einsum("ij,ij->", x, x), A)  # d(sum x^2) = 2x, both slots counted once
    onp.testing.assert_allclose(g, 2 * A, rtol=1e-6)
    (g,) = _grad(lambda x: np.einsum("ii->i", x).sum(), s)
    onp.testing.assert_allclose(g, onp.eye(3))
    (g,) = _grad(lambda x: np.trace(x, offset=1).sum(), A)
    onp.testing.assert_allclose(g, onp.eye(3, 4, k=1))


def test_vjp_gradients_match_closed_forms():
    (g,) = _grad(lambda x: np.diff(x, axis=1).sum(), A)  # telescopes to x[:, -1] - x[:, 0]
    want = onp.zeros_like(A)
    want[:, 0], want[:, -1] = -1, 1
    onp.testing.assert_allclose(g, want)
    m = onp.array([[3.0, 1.0], [1.0, 2.0]], onp.float32)
    (g,) = _grad(lambda x: np.linalg.det(x), m)  # d det / dA = det * inv(A).T
    onp.testing.assert_allclose(g, onp.linalg.det(m) * onp.linalg.inv(m).T, rtol=1e-5)
    x = onp.array([0.5, -1.0, 2.0], onp.float32)
    g1, g2 = _grad(lambda a, b: np.arctan2(a, b).sum(), x, x[::-1].copy())
    onp.testing.assert_allclose(g1, x[::-1] / (x**2 + x[::-1] ** 2), rtol=1e-6)


class _Apply(HybridBlock):
    def __init__(self, fn):
        super().__init__()
        self._fn = fn

    def hybrid_forward(self, F, x):
        return self._fn(F, x)


@pytest.mark.parametrize(
    "fn",
    [
        lambda F, x: F.np.tril(x, k=-1),
        lambda F, x: F.np.roll(x, 2, axis=1),
        lambda F, x: F.np.trace(x),
        lambda F, x: F.np.tensordot(x, x, ([0], [0])),
        lambda F, x: F.np.moveaxis(F.np.atleast_3d(x), 0, -1),
        lambda F, x: F.np.concatenate(F.np.array_split(x, 3, axis=1)[::-1], axis=1),
        lambda F, x: F.np.where(x > 0, x, F.np.zeros((1, 4))),
        lambda F, x: F.np.dot(x, F.np.transpose(x, (-1, 0))),
        lambda F, x: F.np.linalg.norm(x) * F.np.var(x, axis=0, ddof=1),
    ],
)
def test_hybridized_equals_imperative_values_and_gradients(fn):
    results = []
    for hybridize in (False, True):
        block = _Apply(fn)
        if hybridize:
            block.hybridize()
        x = np.array(A)
        x.attach_grad()
        with autograd.record():
            y = block(x)
        y.backward()
        results.append((y.asnumpy(), x.grad.asnumpy()))
    (y0, g0), (y1, g1) = results
    onp.testing.assert_allclose(y1, y0, rtol=1e-5, atol=1e-6)
    onp.testing.assert_allclose(g1, g0, rtol=1e-5, atol=1e-6)


def test_sym_np_graph_shapes_and_json_round_trip():
    x = mx.sym.var("x").as_np_ndarray()
    y = mx.sym.np.rot90(mx.sym.np.pad(x, 1), k=1)
    assert y.infer_shape(x=(2, 3))[1] == [(5, 4)]
    y2 = mx.sym.load_json(y.tojson())
    assert y2.infer_shape(x=(2, 3))[1] == [(5, 4)]


def test_ufunc_keywords_are_checked_as_mxnet():
    x = np.ones(2)
    with pytest.raises(NotImplementedError):
        np.add(x, x, where=False)
    with pytest.raises(TypeError):
        np.exp(x, dtype="abcdefg")
    with pytest.raises(TypeError):
        np.isnan(x, out=np.empty(2))  # out must be bool
    with pytest.raises(TypeError):
        np.bitwise_not(np.array([1], dtype="int32"), casting="mxnet")
    assert np.add(x, x, casting="same_kind").tolist() == [2.0, 2.0]


def test_reductions_over_no_axis_and_zero_size():
    x = np.ones((2, 0, 3))
    assert np.any(x, axis=1).tolist() == [[False] * 3] * 2
    assert np.all(x, axis=1).tolist() == [[True] * 3] * 2
    assert np.sum(np.ones((2, 3)), axis=()).shape == (2, 3)


def test_as_np_ndarray_keeps_the_autograd_identity():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x.as_np_ndarray() * 3).sum()
    y.backward()
    assert x.grad.asnumpy().tolist() == [3.0, 3.0]


def test_random_zero_size_and_scalar_shapes_under_np():
    assert mx.nd.random.uniform(shape=(3, 0)).shape == (3, 0)
    assert mx.nd.random.uniform(shape=()).shape == ()


def test_errors_name_the_function():
    with pytest.raises(MXNetError, match="rot90"):
        np.rot90(np.ones(3))  # needs two axes
    with pytest.raises(MXNetError, match="einsum"):
        np.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(MXNetError, match="transpose"):
        np.ones((2, 3)).transpose((0, 2))


def test_samplers_shapes_errors_and_reparameterized_gradients():
    mx.random.seed(3)
    scale = np.full((2, 3), 2.0)
    scale.attach_grad()
    with autograd.record():
        s = np.random.rayleigh(scale, (2, 3))
    s.backward()
    onp.testing.assert_allclose(scale.grad.asnumpy(), s.asnumpy() / 2.0, rtol=1e-6)  # d(scale * R) / d scale
    a = np.full((4,), 1.5)
    a.attach_grad()
    with autograd.record():
        w = np.random.weibull(a)
    w.backward()
    wn = w.asnumpy()
    onp.testing.assert_allclose(a.grad.asnumpy(), -wn * onp.log(wn) / 1.5, rtol=1e-4)  # E ** (1 / a)
    assert np.random.beta(np.ones(3), np.ones(3), size=(2, 3)).shape == (2, 3)
    assert np.random.chisquare(2.0, size=(0, 4)).shape == (0, 4)
    with pytest.raises(ValueError):
        np.random.rayleigh(-1.0)


def test_mxnet_conventions_kept():
    # diag_indices_from is one (ndim, n) int64 array; broadcast_to's -2 keeps the input's dim
    d = np.diag_indices_from(np.ones((3, 3, 3)))
    assert d.shape == (3, 3) and d.dtype == onp.int64
    assert np.broadcast_to(np.ones(5), (2, -2)).shape == (2, 5)
    assert np.random.multivariate_normal(np.zeros((4, 2)), np.eye(2), size=3).shape == (3, 4, 2)
    g = np.linalg.svd(np.array(A))
    onp.testing.assert_allclose(((g[0] * g[1][None, :]) @ g[2]).asnumpy(), A, rtol=1e-5, atol=1e-5)


def test_traced_mean_of_integers_is_float32_as_imperative():
    x = np.array([[1, 2], [3, 5]], dtype="int32")
    block = _Apply(lambda F, v: F.np.mean(v, axis=0))
    want = np.mean(x, axis=0)
    block.hybridize()
    got = block(x)
    assert got.dtype == want.dtype == onp.float32
    assert got.tolist() == want.tolist() == [2.0, 3.5]


def test_bool_arithmetic_is_logical_as_numpy():
    a, b = np.array(onp.array([True, False, False])), np.array(onp.array([True, True, False]))
    assert (a + b).dtype == onp.bool_ and (a + b).tolist() == [True, True, False]
    assert (a * b).tolist() == [True, False, False]
