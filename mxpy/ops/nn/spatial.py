"""Spatial transformer pieces: GridGenerator, BilinearSampler and SpatialTransformer.

A sampling grid holds, per output pixel, the source position (x, y) in
normalised coordinates: -1 is the first pixel centre and 1 the last, so
``x_src = (x + 1) * (W - 1) / 2``. Sampling is bilinear and reads zero
outside the input; the gradients reach both the data and the grid.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair

# -- grids ------------------------------------------------------------------------------


def _target_grid(h: int, w: int) -> np.ndarray:
    """(3, h*w): normalised x, y and 1 of every target pixel, row by row."""
    ys, xs = np.meshgrid(np.linspace(-1, 1, h) if h > 1 else np.zeros(1), np.linspace(-1, 1, w) if w > 1 else np.zeros(1), indexing="ij")
    return np.stack([xs.ravel(), ys.ravel(), np.ones(h * w)])


def _affine_grid(xp, theta, h, w):
    base = xp.asarray(_target_grid(h, w), theta.dtype)
    return (theta.reshape(-1, 2, 3) @ base).reshape(-1, 2, h, w)


def _warp_grid(xp, flow):
    n, _, h, w = flow.shape
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    gx = (flow[:, 0] + xp.asarray(xs, flow.dtype)) / ((w - 1) / 2.0) - 1
    gy = (flow[:, 1] + xp.asarray(ys, flow.dtype)) / ((h - 1) / 2.0) - 1
    return xp.stack([gx, gy], axis=1)


def _gg_shape(p, s):
    d = s[0]
    if d is None:
        return list(s), [None]
    if p.transform_type == "affine":
        if len(d) != 2 or d[1] != 6:
            raise ShapeError(f"affine data must be (batch, 6), given {d}")
        if min(p.target_shape) <= 0:
            raise ShapeError(f"target_shape must be positive for 'affine', given {p.target_shape}")
        return list(s), [(d[0], 2, *p.target_shape)]
    if len(d) != 4 or d[1] != 2:
        raise ShapeError(f"warp data must be (batch, 2, H, W), given {d}")
    return list(s), [d]


def _gg_forward(p, xp, data):
    if p.transform_type == "affine":
        return _affine_grid(xp, data, *p.target_shape).astype(data.dtype, copy=False)
    return _warp_grid(xp, data).astype(data.dtype, copy=False)


def _gg_backward(p, xp, og, ins, outs):
    g = og[0]
    if p.transform_type == "affine":
        h, w = p.target_shape
        base = xp.asarray(_target_grid(h, w), g.dtype)
        return [(g.reshape(-1, 2, h * w) @ base.T).reshape(-1, 6)]
    _, _, h, w = g.shape
    return [xp.stack([g[:, 0] / ((w - 1) / 2.0), g[:, 1] / ((h - 1) / 2.0)], axis=1)]


register_pair(
    "GridGenerator",
    _gg_forward,
    _gg_backward,
    params={
        "transform_type": Param("str", choices=("affine", "warp"), doc="affine: data is (N, 6) 2x3 matrices; warp: data is a (N, 2, H, W) flow"),
        "target_shape": Param("shape", (0, 0), doc="(H, W) of the grid (affine)"),
    },
    infer_shape=_gg_shape,
    doc=(
        "A sampling grid (N, 2, H, W) of normalised source positions, from affine matrices or a pixel flow.\n\n"
        "Parameters: data; transform_type ('affine' or 'warp', required); target_shape ((0, 0)).\n\n"
        ">>> import mxpy as mx\n>>> theta = mx.nd.array([[1, 0, 0, 0, 1, 0]])\n"
        ">>> mx.nd.GridGenerator(theta, transform_type='affine', target_shape=(2, 2))[0, 0].asnumpy().tolist()\n"
        "[[-1.0, 1.0], [-1.0, 1.0]]"
    ),
)

# -- bilinear sampling ---------------------------------------------------------------------


def _corners(xp, data, grid):
    """Per output pixel the four neighbours: (flat index, weight, in-bounds) lists and the fractions."""
    n, c, h, w = data.shape
    x = (grid[:, 0] + 1) * (w - 1) / 2.0
    y = (grid[:, 1] + 1) * (h - 1) / 2.0
    x0 = xp.floor(x)
    y0 = xp.floor(y)
    fx, fy = x - x0, y - y0
    x0 = x0.astype(np.int64)
    y0 = y0.astype(np.int64)
    out = []
    for dy, dx, wgt in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx), (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = y0 + dy, x0 + dx
        ok = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        out.append((xp.clip(yy, 0, h - 1), xp.clip(xx, 0, w - 1), wgt, ok, dy, dx))
    return out, fx, fy


def _gather(xp, data, yy, xx):
    """data[n, :, yy[n], xx[n]] for (N, Ho, Wo) index maps: (N, C, Ho, Wo)."""
    n = data.shape[0]
    b = xp.arange(n).reshape(n, 1, 1)
    return data[b, :, yy, xx].transpose(0, 3, 1, 2)


def _bs_forward(p, xp, data, grid):
    corners, _, _ = _corners(xp, data, grid)
    out = xp.zeros((data.shape[0], data.shape[1]) + grid.shape[2:], data.dtype)
    for yy, xx, wgt, ok, _, _ in corners:
        out += _gather(xp, data, yy, xx) * (wgt * ok)[:, None].astype(data.dtype)
    return out


def _bs_backward(p, xp, og, ins, outs):
    data, grid = ins
    g = og[0]
    n, c, h, w = data.shape
    corners, fx, fy = _corners(xp, data, grid)
    d_data = xp.zeros(data.shape, data.dtype)
    d_fx = xp.zeros(grid.shape[:1] + grid.shape[2:], data.dtype)
    d_fy = xp.zeros_like(d_fx)
    b = xp.broadcast_to(xp.arange(n).reshape(n, 1, 1), fx.shape)
    for yy, xx, wgt, ok, dy, dx in corners:
        contrib = g * (wgt * ok)[:, None]
        for ch in range(c):
            xp.add.at(d_data, (b, ch, yy, xx), contrib[:, ch])
        v = (_gather(xp, data, yy, xx) * g).sum(axis=1) * ok
        # d wgt / d fx and d fy of this corner's bilinear weight
        d_fx += v * ((1 - fy) if dy == 0 else fy) * (1 if dx else -1)
        d_fy += v * ((1 - fx) if dx == 0 else fx) * (1 if dy else -1)
    d_grid = xp.stack([d_fx * (w - 1) / 2.0, d_fy * (h - 1) / 2.0], axis=1)
    return [d_data, d_grid]


def _bs_shape(p, s):
    data, grid = s
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {data}")
    if grid is not None and (len(grid) != 4 or grid[1] != 2):
        raise ShapeError(f"grid must be (N, 2, H, W), given {grid}")
    if data is None or grid is None:
        return list(s), [None]
    if data[0] != grid[0]:
        raise ShapeError(f"data {data} and grid {grid} have different batch sizes")
    return list(s), [(data[0], data[1], grid[2], grid[3])]


register_pair(
    "BilinearSampler",
    _bs_forward,
    _bs_backward,
    params={"cudnn_off": Param("bool", None, doc="accepted for compatibility")},
    inputs=("data", "grid"),
    infer_shape=_bs_shape,
    doc=(
        "Sample data (N, C, H, W) bilinearly at the normalised positions of grid (N, 2, Ho, Wo) (x first);\n"
        "positions outside the input read 0.\n\n"
        "Parameters: data; grid; cudnn_off (accepted).\n\n"
        ">>> import mxpy as mx\n>>> grid = mx.nd.GridGenerator(mx.nd.array([[1, 0, 0, 0, 1, 0]]), transform_type='affine', target_shape=(2, 2))\n"
        ">>> mx.nd.BilinearSampler(mx.nd.array([[[[1, 2], [3, 4]]]]), grid).asnumpy().tolist()\n[[[[1.0, 2.0], [3.0, 4.0]]]]"
    ),
)

# -- SpatialTransformer ----------------------------------------------------------------------


def _st_shape(p, s):
    data, loc = s
    if loc is not None and (len(loc) != 2 or loc[1] != 6):
        raise ShapeError(f"loc must be (batch, 6), given {loc}")
    if data is None:
        return list(s), [None]
    if len(data) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {data}")
    h, w = p.target_shape
    if h <= 0 or w <= 0:
        raise ShapeError(f"target_shape must be positive, given {p.target_shape}")
    return [data, loc or (data[0], 6)], [(data[0], data[1], h, w)]


def _st_forward(p, xp, data, loc):
    return _bs_forward(p, xp, data, _affine_grid(xp, loc, *p.target_shape).astype(data.dtype))


def _st_backward(p, xp, og, ins, outs):
    data, loc = ins
    h, w = p.target_shape
    grid = _affine_grid(xp, loc, h, w).astype(data.dtype)
    d_data, d_grid = _bs_backward(p, xp, og, [data, grid], outs)
    base = xp.asarray(_target_grid(h, w), data.dtype)
    return [d_data, (d_grid.reshape(-1, 2, h * w) @ base.T).reshape(-1, 6)]


register_pair(
    "SpatialTransformer",
    _st_forward,
    _st_backward,
    params={
        "target_shape": Param("shape", (0, 0), doc="(H, W) of the output"),
        "transform_type": Param("str", choices=("affine",), doc="the transform (affine)"),
        "sampler_type": Param("str", choices=("bilinear",), doc="the sampler (bilinear)"),
        "cudnn_off": Param("bool", None, doc="accepted for compatibility"),
    },
    inputs=("data", "loc"),
    infer_shape=_st_shape,
    doc=(
        "Warp data with per-sample affine matrices loc (N, 6): GridGenerator then BilinearSampler.\n\n"
        "Parameters: data (N, C, H, W); loc (N, 6); target_shape ((0, 0)); transform_type ('affine',\n"
        "required); sampler_type ('bilinear', required); cudnn_off (accepted).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.SpatialTransformer(mx.nd.ones((1, 1, 4, 4)), mx.nd.array([[1, 0, 0, 0, 1, 0]]),\n"
        "...     target_shape=(2, 2), transform_type='affine', sampler_type='bilinear').shape\n(1, 1, 2, 2)"
    ),
)
