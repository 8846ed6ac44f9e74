"""The compiled ReLU gradient (the numba extra) against the NumPy path it replaces.

Both must give the same bits: ``ograd * (output > 0)``, including a NaN or
infinite ograd where the output is not positive (NaN), negative ograds there
(-0.0), NaN outputs (no gradient), in place over ograd, and the write/add
requests (add stays on NumPy).
"""

from __future__ import annotations

import numpy as np
import pytest

from mxpy import cpu, registry
from mxpy.ops.nn import _compiled, activation


def _grad(monkeypatch, compiled: bool, og, out, req: str, dx=None):
    monkeypatch.setattr(activation, "_COMPILED", compiled)
    op = registry.get("_backward_Activation")
    p = op.parse({"act_type": "relu"})
    dx = np.full(og.shape, 7.0, og.dtype) if dx is None else dx
    with np.errstate(invalid="ignore"):  # NumPy warns at inf * 0
        op.kernel(p, [og, out], [dx], (req,), registry.runtime(cpu(), True))
    return dx


def _data(shape, dtype):
    rng = np.random.RandomState(3)
    og = rng.randn(*shape).astype(dtype)
    out = np.maximum(rng.randn(*shape), 0).astype(dtype)
    og.flat[::13] = np.nan
    og.flat[5::17] = np.inf
    og.flat[6::19] = -np.inf
    out.flat[::23] = np.nan
    return og, out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 40, 40), (5000,), (3, 7)])
@pytest.mark.parametrize("req", ["write", "add"])
def test_relu_grad_paths_equal(monkeypatch, dtype, shape, req):
    if _compiled.load("act") is None:
        pytest.skip("the compiled ReLU gradient needs the numba extra (and MXPY_NUMBA not 0)")
    og, out = _data(shape, dtype)
    a = _grad(monkeypatch, True, og, out, req)
    b = _grad(monkeypatch, False, og, out, req)
    np.testing.assert_array_equal(a, b)
    assert np.array_equal(np.signbit(a), np.signbit(b))  # -0.0 where a negative ograd meets out <= 0
    with np.errstate(invalid="ignore"):
        ref = og * (out > 0) + (7.0 if req == "add" else 0.0)
    np.testing.assert_array_equal(a, ref.astype(dtype))


@pytest.mark.parametrize("compiled", [True, False])
def test_relu_grad_in_place_and_strided(monkeypatch, compiled):
    og, out = _data((4, 8, 16, 16), np.float32)
    with np.errstate(invalid="ignore"):
        want = og * (out > 0)
    same = og.copy()
    np.testing.assert_array_equal(_grad(monkeypatch, compiled, same, out, "inplace", dx=same), want)
    # a gradient overlapping ograd at an offset, or the output, takes the NumPy path
    shifted = np.zeros(og.size + 8, og.dtype)
    shifted[8:] = og.reshape(-1)
    got = _grad(monkeypatch, compiled, shifted[8:].reshape(og.shape), out, "write", dx=shifted[:-8].reshape(og.shape))
    np.testing.assert_array_equal(got, want)
    y = out.copy()
    np.testing.assert_array_equal(_grad(monkeypatch, compiled, og, y, "write", dx=y), want)
    # a non-contiguous ograd takes the NumPy path on either setting
    big = np.repeat(og, 2, axis=-1)[..., ::2]
    np.testing.assert_array_equal(_grad(monkeypatch, compiled, big, out, "write"), want)
