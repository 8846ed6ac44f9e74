"""The compiled 2-D max-pool kernels (the numba extra) against the NumPy path they replace.

Both paths must give identical outputs (bit for bit) and gradients (to the rounding
of the order in which overlapping windows add into a cell): over kernel,
stride, pad and the valid/full/same conventions, both layouts, float32 and
float64, ties (the first cell in row-major window order takes the gradient),
NaN and -inf inputs, and windows whose maximum is the padding's lowest float.
"""

from __future__ import annotations

import numpy as np
import pytest

from mxpy import cpu, registry
from mxpy.ops.nn import _compiled, pooling
from tests.battery.conv_pool import pool_ref

GEOMETRIES = [
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)},  # ResNet's stem pool
    {"kernel": (2, 2), "stride": (2, 2)},
    {"kernel": (3, 2), "stride": (1, 2), "pad": (1, 1)},
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
    {"kernel": (2, 3), "stride": (3, 1), "pad": (0, 1), "pooling_convention": "full"},
    {"kernel": (3, 3), "stride": (2, 2), "pooling_convention": "same"},
    {"kernel": (1, 1)},
]


def _kernels():
    mod = _compiled.load("pool")
    if mod is None:
        pytest.skip("the compiled pooling kernels need the numba extra (and MXPY_NUMBA not 0)")
    return mod


def _run(name: str, params: dict, ins: list, out_shape: tuple, dtype) -> np.ndarray:
    op = registry.get(name)
    p = op.parse({k: str(v) for k, v in params.items()})
    out = np.full(out_shape, np.nan, dtype)
    op.kernel(p, ins, [out], ("write",), registry.runtime(cpu(), True))
    return out


def _data(kind: str, shape: tuple, dtype) -> np.ndarray:
    rng = np.random.RandomState(len(kind) + shape[-1])
    if kind == "ties":  # few distinct values: many windows hold their maximum twice
        return rng.randint(0, 3, shape).astype(dtype)
    x = rng.randn(*shape).astype(dtype)
    if kind == "special":
        x.flat[::7] = np.nan
        x.flat[3::11] = -np.inf
        x[0, 0] = np.finfo(dtype).min  # windows over the padding whose maximum is the padding value
    return x


def _both(monkeypatch, params: dict, x: np.ndarray, last: bool):
    """Forward and gradient of both paths (compiled first); channel-first results."""
    if last:
        params = {**params, "layout": "NHWC"}
        x = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    results = []
    for compiled in (True, False):
        monkeypatch.setattr(pooling, "_COMPILED", compiled)
        op = registry.get("Pooling")
        p = op.parse({k: str(v) for k, v in params.items()})
        yshape = tuple(op.infer_shape(p, [x.shape])[1][0])
        with np.errstate(all="ignore"):
            y = _run("Pooling", params, [x], yshape, x.dtype)
            dy = np.random.RandomState(3).randn(*yshape).astype(x.dtype)
            dx = _run("_backward_Pooling", params, [dy, x, y], x.shape, x.dtype)
        if last:
            y, dx = np.moveaxis(y, -1, 1), np.moveaxis(dx, -1, 1)
        results.append((y, dx))
    return results


@pytest.mark.parametrize("layout", ["first", "last"])
@pytest.mark.parametrize("kind", ["random", "ties", "special"])
@pytest.mark.parametrize("geom", range(len(GEOMETRIES)))
def test_compiled_max_pool_equals_numpy_path(monkeypatch, geom, kind, layout):
    mod = _kernels()
    calls = []
    for name in ("forward_max", "backward_max"):
        fn = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _fn=fn, _name=name: calls.append(_name) or _fn(*a))
    for dtype in (np.float32, np.float64):
        x = _data(kind, (2, 3, 7, 8), dtype)
        (y, dx), (y_np, dx_np) = _both(monkeypatch, GEOMETRIES[geom], x, layout == "last")
        np.testing.assert_array_equal(y, y_np)
        # overlapping windows add their gradients into a cell in another order: rounding only
        np.testing.assert_allclose(dx, dx_np, rtol=1e-6, atol=1e-6 if dtype == np.float32 else 1e-14)
        np.testing.assert_array_equal(dx == 0, dx_np == 0)
        if kind == "random" and layout == "first" and GEOMETRIES[geom].get("pooling_convention") != "same":
            np.testing.assert_array_equal(y, pool_ref(x, **GEOMETRIES[geom]))
    assert calls == ["forward_max", "backward_max"] * 2


def test_compiled_max_pool_gradient_sums_overlapping_windows(monkeypatch):
    """A cell that is the maximum of several overlapping windows takes all their gradients."""
    _kernels()
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 2, 2] = 5.0
    params = {"kernel": (3, 3), "stride": (1, 1), "pad": (1, 1)}
    (y, dx), _ = _both(monkeypatch, params, x, False)
    dy = np.random.RandomState(3).randn(*y.shape).astype(np.float32)
    assert dx[0, 0, 2, 2] == pytest.approx(dy[0, 0, 1:4, 1:4].sum(), rel=1e-6)
