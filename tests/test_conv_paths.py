"""Every kernel path of Convolution, forced in turn, against the direct references.

Convolution picks its algorithm from the layer's sizes (batch-first columns with
per-image GEMMs, batch-last columns with one GEMM, a 1x1 layer's data used in place,
the compiled depthwise kernels when Numba is installed); the battery's tiny shapes reach
only some of them. Here the size thresholds are patched so that each path runs on every
geometry (stride, pad, dilate, groups, 1-D/2-D/3-D, channel-last layouts; the compiled
path on the depthwise ones, the NumPy paths with it turned off), and the forward output and the
data, weight and bias gradients are checked against ``tests/battery/conv_pool.py``'s
loop reference and its gradient by linearity (exact in float64, so a numerical check).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from mxpy import cpu, registry
from mxpy.ops.nn import convolution as conv
from tests.battery import f32
from tests.battery.conv_pool import conv_back_ref, conv_ref

BIG = 10**9
# path -> threshold settings of mxpy.ops.nn.convolution that force it
PATHS = {
    "nfirst": {"_FLIP_MIN_POSITIONS": BIG, "_NLAST_MIN_INNER": BIG, "_POINTWISE_MIN_POSITIONS": BIG, "_COMPILED": False},
    "nlast": {"_FLIP_MIN_POSITIONS": BIG, "_NLAST_MIN_INNER": 0, "_NLAST_MAX_POSITIONS": BIG, "_POINTWISE_MIN_POSITIONS": BIG, "_COMPILED": False},
    "pointwise": {"_FLIP_MIN_POSITIONS": BIG, "_POINTWISE_MIN_POSITIONS": 0, "_NLAST_MIN_INNER": 0, "_COMPILED": False},
    "per_image_wgrad": {"_FLIP_MIN_POSITIONS": BIG, "_NLAST_MIN_INNER": BIG, "_PER_IMAGE_MIN_RATIO": 0, "_COMPILED": False},
    "single_wgrad": {"_FLIP_MIN_POSITIONS": BIG, "_NLAST_MIN_INNER": BIG, "_PER_IMAGE_MIN_RATIO": BIG, "_COMPILED": False},
    # the per-image columns one image at a time (a block per image, the last one shorter)
    "nfirst_blocks": {"_FLIP_MIN_POSITIONS": 0, "_NLAST_MIN_INNER": BIG, "_POINTWISE_MIN_POSITIONS": BIG, "_COLUMN_BLOCK_BYTES": 1, "_COMPILED": False},
    # stride 1: the data gradient as the forward convolution of dy by the flipped weight
    "flipped_dgrad": {"_FLIP_MIN_POSITIONS": 0, "_COMPILED": False},
    "compiled_depthwise": {"_COMPILED": True},  # the Numba kernels (2-D depthwise geometries only)
    # Winograd F(2x2, 3x3) through the Numba transforms (2-D 3x3 stride-1 ungrouped geometries only),
    # the data gradient too (as the forward convolution of dy by the flipped weight)
    "compiled_winograd": {"_COMPILED": True, "_WINOGRAD_MIN_POSITIONS": 0, "_WINOGRAD_MIN_CHANNELS": 0, "_FLIP_MIN_POSITIONS": 0},
    # strided 2-D ungrouped layers: the backward a block of images at a time through the compiled
    # col2im (one image per block: the blocks' weight gradients add up)
    "compiled_blocked": {"_COMPILED": True, "_BLOCKED_MIN_POSITIONS": 0, "_COLUMN_BLOCK_BYTES": 1},
}

# (data shape, filters, params): every stride/pad/dilate/group combination in 1, 2 and 3 D
GEOMETRIES = [
    ((2, 3, 7, 6), 4, {"kernel": (3, 3)}),
    ((2, 3, 7, 6), 4, {"kernel": (3, 3), "stride": (2, 1), "pad": (1, 2)}),
    ((2, 4, 8, 7), 6, {"kernel": (3, 2), "dilate": (2, 1), "pad": (1, 1), "num_group": 2}),
    ((2, 4, 9, 8), 4, {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "num_group": 4}),  # depthwise
    ((3, 6, 7, 7), 6, {"kernel": (3, 3), "pad": (2, 2), "dilate": (2, 2), "num_group": 6}),  # depthwise, dilated
    ((2, 3, 8, 7), 6, {"kernel": (3, 2), "stride": (1, 2), "pad": (0, 1), "num_group": 3}),  # depthwise, 2 filters each
    ((2, 3, 5, 9), 3, {"kernel": (2, 4), "stride": (3, 1), "pad": (2, 3), "num_group": 3}),  # pad wider than a tap reaches
    ((2, 5, 6, 5), 3, {"kernel": (1, 1)}),  # pointwise
    ((2, 5, 6, 5), 3, {"kernel": (1, 1), "stride": (2, 2)}),
    ((2, 2, 9), 3, {"kernel": (3,), "stride": (2,), "pad": (1,)}),
    ((2, 4, 9), 4, {"kernel": (3,), "pad": (1,), "num_group": 4}),
    ((1, 2, 4, 5, 4), 2, {"kernel": (2, 3, 2), "pad": (1, 0, 1)}),
    ((1, 2, 4, 5, 4), 2, {"kernel": (1, 1, 1)}),
    # 3x3 stride 1 (Winograd's tiles): odd and even output sizes, no pad, pad 1, pad 2
    ((2, 5, 8, 9), 3, {"kernel": (3, 3), "pad": (1, 1)}),
    ((3, 2, 5, 4), 4, {"kernel": (3, 3), "pad": (2, 1)}),
    ((1, 3, 3, 6), 2, {"kernel": (3, 3), "pad": (0, 2)}),
    # strided and dilated, ungrouped, a pad wider than the columns' taps reach
    ((2, 3, 9, 9), 4, {"kernel": (3, 2), "stride": (2, 3), "dilate": (2, 1), "pad": (3, 2)}),
]
_LAST = {4: "NHWC", 5: "NDHWC"}  # MXNet 1.9.1 has no NWC for Convolution


def _run(name: str, params: dict, ins: list, out_shapes: list, req=None, fill=np.nan) -> list:
    """The op's kernel on NumPy arrays; outputs start as ``fill`` (NaN: every element must be written)."""
    op = registry.get(name)
    p = op.parse({k: str(v) for k, v in params.items()})
    outs = [np.full(s, fill, np.float32) for s in out_shapes]
    op.kernel(p, ins, outs, tuple(req or ["write"] * len(outs)), registry.runtime(cpu(), True))
    return outs


def _last(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def _first(a: np.ndarray) -> np.ndarray:
    return np.moveaxis(a, -1, 1)


def _depthwise_2d(geom: int) -> bool:
    shape, _, extra = GEOMETRIES[geom]
    return len(shape) == 4 and extra.get("num_group", 1) == shape[1]


def _has_numba() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _references(geom: int) -> tuple:
    """Inputs and the loop references of one geometry (the numerical gradients are slow: computed once)."""
    shape, f, extra = GEOMETRIES[geom]
    g = extra.get("num_group", 1)
    x = f32(*shape, seed=geom)
    w = f32(f, shape[1] // g, *extra["kernel"], seed=geom + 50)
    b = f32(f, seed=geom + 90)
    params = {"num_filter": f, **extra}
    want = conv_ref(x, w, b, **params)
    dy = f32(*want.shape, seed=geom + 130)
    want_dx, want_dw = conv_back_ref(dy, x, w, **params, no_bias=True)
    want_db = dy.sum(axis=(0, *range(2, dy.ndim)))
    return x, w, b, dy, want, want_dx, want_dw, want_db


def _winograd_2d(geom: int) -> bool:
    shape, _, extra = GEOMETRIES[geom]
    plain = all(extra.get(k, (1, 1)) == (1, 1) for k in ("stride", "dilate"))
    return len(shape) == 4 and extra["kernel"] == (3, 3) and plain and extra.get("num_group", 1) == 1


def _strided_2d(geom: int) -> bool:
    shape, _, extra = GEOMETRIES[geom]
    return len(shape) == 4 and extra.get("stride", (1, 1)) != (1, 1) and extra.get("num_group", 1) == 1


_ONLY = {"compiled_depthwise": _depthwise_2d, "compiled_winograd": _winograd_2d, "compiled_blocked": _strided_2d}
CASES = [(path, geom) for path in sorted(PATHS) for geom in range(len(GEOMETRIES)) if path not in _ONLY or _ONLY[path](geom)]


@pytest.mark.parametrize("layout", ["first", "last"])
@pytest.mark.parametrize(("path", "geom"), CASES)
def test_conv_path_forward_and_gradients(monkeypatch, path, geom, layout):
    if path.startswith("compiled_") and not _has_numba():
        pytest.skip("the compiled paths need the numba extra")
    for attr, value in PATHS[path].items():
        monkeypatch.setattr(conv, attr, value)
    shape, f, extra = GEOMETRIES[geom]
    if layout == "last" and len(shape) not in _LAST:
        pytest.skip("no channel-last layout for 1-D Convolution in MXNet 1.9.1")
    x, w, b, dy, want, want_dx, want_dw, want_db = _references(geom)
    params = {"num_filter": f, **extra}
    last = layout == "last"
    if last:
        params["layout"] = _LAST[x.ndim]
    tx = (lambda a: _last(a)) if last else (lambda a: a)
    back = _first if last else (lambda a: a)
    (y,) = _run("Convolution", params, [tx(x), tx(w), b], [tx(want).shape])
    np.testing.assert_allclose(back(y), want, rtol=1e-4, atol=1e-5)
    dx, dw, db = _run("_backward_Convolution", params, [tx(dy), tx(x), tx(w)], [tx(x).shape, tx(w).shape, b.shape])
    np.testing.assert_allclose(back(dx), want_dx, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(back(dw), want_dw, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(db, want_db, rtol=1e-4, atol=1e-5)
    # req add accumulates onto what is there, on every path
    # the weight and bias gradients alone (a first layer: no data gradient wanted)
    _, dw_only, db_only = _run("_backward_Convolution", params, [tx(dy), tx(x), tx(w)], [tx(x).shape, tx(w).shape, b.shape], req=["null", "write", "write"])
    np.testing.assert_allclose(back(dw_only), want_dw, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(db_only, want_db, rtol=1e-4, atol=1e-5)
    (acc,) = _run("Convolution", params, [tx(x), tx(w), b], [tx(want).shape], req=["add"], fill=1.0)
    np.testing.assert_allclose(back(acc), want + 1, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("geom", [g for g in range(len(GEOMETRIES)) if _depthwise_2d(g)])
def test_compiled_depthwise_float64_and_taken(monkeypatch, geom):
    """In float64 the compiled kernels run (counted) and equal the NumPy path to rounding."""
    from mxpy.ops.nn import _depthwise

    real = _depthwise._module()
    if real is None:
        pytest.skip("the compiled depthwise path needs the numba extra (and MXPY_NUMBA not 0)")
    shape, f, extra = GEOMETRIES[geom]
    rng = np.random.RandomState(geom)
    x, w = rng.randn(*shape), rng.randn(f, 1, *extra["kernel"])
    op, back = registry.get("Convolution"), registry.get("_backward_Convolution")
    p = op.parse({k: str(v) for k, v in {"num_filter": f, "no_bias": True, **extra}.items()})
    rt = registry.runtime(cpu(), True)
    results = {}
    calls = []
    for name in ("forward", "backward_data", "backward_weight"):
        fn = getattr(real, name)
        monkeypatch.setattr(real, name, lambda *a, _fn=fn, _name=name: calls.append(_name) or _fn(*a))
    for compiled in (True, False):
        monkeypatch.setattr(conv, "_COMPILED", compiled)
        y = np.full((shape[0], f, *conv.conv_geometry(p, shape)[1]), np.nan)
        op.kernel(p, [x, w], [y], ("write",), rt)
        dy = np.random.RandomState(geom + 1).randn(*y.shape)
        dx, dw = np.full(x.shape, np.nan), np.full(w.shape, np.nan)
        back.kernel(p, [dy, x, w], [dx, dw], ("write", "write"), rt)
        results[compiled] = (y, dx, dw)
    assert calls == ["forward", "backward_data", "backward_weight"]
    for got, want in zip(results[True], results[False]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_compiled_depthwise_off_by_environment(monkeypatch):
    from mxpy.ops.nn import _compiled, _depthwise

    monkeypatch.setattr(_compiled, "_loaded", {})
    monkeypatch.setenv("MXPY_NUMBA", "0")
    assert _depthwise._module() is None
    assert _compiled.load("rows") is None
    x = np.zeros((1, 2, 4, 4), np.float32)
    assert not _depthwise.usable(np, x, 2, {"kernel": (3, 3)})
    from mxpy.ops.nn import _winograd

    assert _winograd._module() is None
    assert not _winograd.usable(np, x, 1, {"kernel": (3, 3), "stride": (1, 1), "dilate": (1, 1)})


@pytest.mark.parametrize("geom", [g for g in range(len(GEOMETRIES)) if _winograd_2d(g)])
def test_compiled_winograd_float64_and_taken(monkeypatch, geom):
    """In float64 the Winograd transforms run (counted) and equal the im2col paths to rounding."""
    from mxpy.ops.nn import _winograd

    real = _winograd._module()
    if real is None:
        pytest.skip("the compiled Winograd path needs the numba extra (and MXPY_NUMBA not 0)")
    shape, f, extra = GEOMETRIES[geom]
    rng = np.random.RandomState(geom)
    x, w = rng.randn(*shape), rng.randn(f, shape[1], 3, 3)
    op, back = registry.get("Convolution"), registry.get("_backward_Convolution")
    p = op.parse({k: str(v) for k, v in {"num_filter": f, "no_bias": True, **extra}.items()})
    rt = registry.runtime(cpu(), True)
    results = {}
    calls = []
    for name in ("input_tiles", "output_tiles", "weight_tiles", "grad_tiles", "weight_untiles"):
        fn = getattr(real, name)
        monkeypatch.setattr(real, name, lambda *a, _fn=fn, _name=name: calls.append(_name) or _fn(*a))
    monkeypatch.setattr(conv, "_WINOGRAD_MIN_POSITIONS", 0)
    monkeypatch.setattr(conv, "_WINOGRAD_MIN_CHANNELS", 0)
    monkeypatch.setattr(conv, "_FLIP_MIN_POSITIONS", 0)
    for compiled in (True, False):
        monkeypatch.setattr(conv, "_COMPILED", compiled)
        y = np.full((shape[0], f, *conv.conv_geometry(p, shape)[1]), np.nan)
        op.kernel(p, [x, w], [y], ("write",), rt)
        dy = np.random.RandomState(geom + 1).randn(*y.shape)
        dx, dw = np.full(x.shape, np.nan), np.full(w.shape, np.nan)
        back.kernel(p, [dy, x, w], [dx, dw], ("write", "write"), rt)
        results[compiled] = (y, dx, dw)
    # the forward and the data gradient (a forward convolution of dy by the flipped weight) each
    # take the path once, the weight gradient transforms x and dy (one block of tile rows at these
    # sizes) and turns the tiles' gradient into the weight's
    want_calls = ["weight_tiles", "input_tiles", "output_tiles"] * 2 + ["input_tiles", "grad_tiles", "weight_untiles"]
    assert sorted(calls) == sorted(want_calls)
    for got, want in zip(results[True], results[False]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_compiled_winograd_blocks_and_strided_planes(monkeypatch):
    """Many blocks of tile rows (block boundaries inside and across images) give the direct results."""
    from mxpy.ops.nn import _winograd

    if _winograd._module() is None:
        pytest.skip("the compiled Winograd path needs the numba extra (and MXPY_NUMBA not 0)")
    monkeypatch.setattr(_winograd, "_BLOCK_BYTES", 1)
    monkeypatch.setattr(_winograd, "_GRAD_BLOCK_BYTES", 1)
    monkeypatch.setattr(_winograd, "_MIN_COLUMNS", 5)  # 3 tile rows of 2 tiles per block: 4 rows per image
    x, w = f32(3, 4, 7, 3, seed=7), f32(5, 4, 3, 3, seed=8)
    want = conv_ref(x, w, np.zeros(5, np.float32), num_filter=5, kernel=(3, 3), pad=(1, 1))
    got = _winograd.conv(x, w, (1, 1), want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    dy = f32(*want.shape, seed=9)
    want_dx, want_dw = conv_back_ref(dy, x, w, num_filter=5, kernel=(3, 3), pad=(1, 1), no_bias=True)
    np.testing.assert_allclose(_winograd.weight_grad(dy, x, (1, 1), w.shape), want_dw, rtol=1e-4, atol=1e-5)
    # the data gradient by the flipped weight's tiles: re-ordered copies (many blocks), then views
    for view_blocks in (0, 100):
        monkeypatch.setattr(_winograd, "_VIEW_BLOCKS", view_blocks)
        np.testing.assert_allclose(_winograd.conv(dy, w, (1, 1), x.shape, flipped=True), want_dx, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("geom", [g for g in range(len(GEOMETRIES)) if _strided_2d(g)])
def test_compiled_blocked_backward_float64_and_taken(monkeypatch, geom):
    """In float64 the blocked backward runs (its col2im counted, per image) and equals the NumPy paths to rounding."""
    from mxpy.ops.nn import _compiled

    real = _compiled.load("col2im")
    if real is None:
        pytest.skip("the compiled col2im needs the numba extra (and MXPY_NUMBA not 0)")
    shape, f, extra = GEOMETRIES[geom]
    rng = np.random.RandomState(geom)
    x, w = rng.randn(*shape), rng.randn(f, shape[1], *extra["kernel"])
    back = registry.get("_backward_Convolution")
    p = back.parse({k: str(v) for k, v in {"num_filter": f, "no_bias": True, **extra}.items()})
    rt = registry.runtime(cpu(), True)
    calls = []
    fn = real.col2im
    monkeypatch.setattr(real, "col2im", lambda *a: calls.append(a[0].shape[0]) or fn(*a))
    monkeypatch.setattr(conv, "_BLOCKED_MIN_POSITIONS", 0)
    monkeypatch.setattr(conv, "_COLUMN_BLOCK_BYTES", 1)
    dy = rng.randn(shape[0], f, *conv.conv_geometry(p, shape)[1])
    results = {}
    for compiled in (True, False):
        monkeypatch.setattr(conv, "_COMPILED", compiled)
        dx, dw = np.full(x.shape, np.nan), np.full(w.shape, np.nan)
        back.kernel(p, [dy, x, w], [dx, dw], ("write", "write"), rt)
        results[compiled] = (dx, dw)
        # req add onto what is there (the gradient built apart, then added)
        acc = np.ones(x.shape)
        back.kernel(p, [dy, x, w], [acc, np.zeros(w.shape)], ("add", "add"), rt)
        np.testing.assert_allclose(acc, dx + 1, rtol=1e-12, atol=1e-12)
    assert calls == [1] * (2 * shape[0])  # one image per block, both requests
    for got, want in zip(results[True], results[False]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
