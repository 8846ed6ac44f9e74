"""_contrib_RROIAlign: ROIAlign over rotated regions of interest.

A ROI ``[batch, center_x, center_y, width, height, theta]`` (image
coordinates, theta in degrees, counter-clockwise) is scaled by
``spatial_scale`` (sizes at least 1) and cut into a ``pooled_size`` grid in
its own rotated frame; each cell averages ``sampling_ratio`` x
``sampling_ratio`` bilinear samples (``ceil(roi size / pooled size)`` per side
when ``sampling_ratio <= 0``). Samples more than one pixel outside the map
read 0; others are clamped to the border, as ROIAlign does.

MXNet 1.9.1 has no gradient for this operator (its backward raises); mxpy's
spreads each sample's gradient back through its bilinear weights to the data,
and gives the ROIs none. One loop over ROIs; each ROI's samples are arrays.
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair

_PARAMS = {
    "pooled_size": Param("shape", doc="(height, width) of the pooled grid"),
    "spatial_scale": Param("float", low=0.0, high=1.0, doc="ratio of the feature map's size to the image's (1 / total stride)"),
    "sampling_ratio": Param("int", -1, doc="samples per cell side (<= 0: ceil(roi size / pooled size))"),
}


def _samples(p, roi, h: int, w: int, dt):
    """For one ROI: the flat pixel indices (4, PH, PW, S) and weights (4, PH, PW, S) of its samples, and S."""
    ph_n, pw_n = p.pooled_size
    cx, cy, rw, rh = (dt(v) * dt(p.spatial_scale) for v in roi[1:5])
    theta = dt(float(roi[5]) * math.pi / 180.0)
    rw, rh = max(rw, dt(1.0)), max(rh, dt(1.0))
    bin_h, bin_w = rh / dt(ph_n), rw / dt(pw_n)
    gh = p.sampling_ratio if p.sampling_ratio > 0 else int(math.ceil(rh / dt(ph_n)))
    gw = p.sampling_ratio if p.sampling_ratio > 0 else int(math.ceil(rw / dt(pw_n)))
    yy = -rh / dt(2) + np.arange(ph_n, dtype=dt)[:, None] * bin_h + (np.arange(gh, dtype=dt) + dt(0.5))[None, :] * bin_h / dt(gh)  # (PH, gh)
    xx = -rw / dt(2) + np.arange(pw_n, dtype=dt)[:, None] * bin_w + (np.arange(gw, dtype=dt) + dt(0.5))[None, :] * bin_w / dt(gw)  # (PW, gw)
    yy = yy[:, None, :, None]
    xx = xx[None, :, None, :]
    cos, sin = np.cos(theta, dtype=dt), np.sin(theta, dtype=dt)
    x = xx * cos + yy * sin + cx
    y = yy * cos - xx * sin + cy  # (PH, PW, gh, gw)
    inside = ~((y < -1.0) | (y > h) | (x < -1.0) | (x > w))
    y, x = np.maximum(y, 0), np.maximum(x, 0)
    y0, x0 = y.astype(np.int64), x.astype(np.int64)
    ytop, xtop = y0 >= h - 1, x0 >= w - 1
    y0, x0 = np.where(ytop, h - 1, y0), np.where(xtop, w - 1, x0)
    y1, x1 = np.where(ytop, h - 1, y0 + 1), np.where(xtop, w - 1, x0 + 1)
    ly, lx = np.where(ytop, 0, y - y0), np.where(xtop, 0, x - x0)
    idx = np.stack([y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1])
    wts = np.stack([(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx]) * inside
    return idx.reshape(4, ph_n, pw_n, -1), wts.reshape(4, ph_n, pw_n, -1), gh * gw


def _host(x):
    return x.get() if hasattr(x, "get") else np.asarray(x)


def _dtype(x):
    return np.float32 if x.dtype == np.float16 else x.dtype.type


def _forward(p, xp, data, rois):
    n, c, h, w = data.shape
    flat = data.reshape(n, c, h * w)
    out = xp.zeros((rois.shape[0], c, *p.pooled_size), dtype=data.dtype)
    dt = _dtype(data)
    for k, roi in enumerate(_host(rois)):
        idx, wts, count = _samples(p, roi, h, w, dt)
        vals = flat[int(roi[0])][:, xp.asarray(idx)]  # (C, 4, PH, PW, S)
        out[k] = ((vals * xp.asarray(wts, dtype=data.dtype)).sum(axis=(1, 4)) / dt(count)).astype(data.dtype)
    return out


def _backward(p, xp, og, ins, outs):
    data, rois = ins
    n, c, h, w = data.shape
    dt = _dtype(data)
    idx_all, val_all = [], []
    for k, roi in enumerate(_host(rois)):
        idx, wts, count = _samples(p, roi, h, w, dt)
        base = (int(roi[0]) * c + xp.arange(c)) * (h * w)  # (C,)
        share = og[0][k][:, None, :, :, None] * xp.asarray(wts)[None] / count  # (C, 4, PH, PW, S)
        idx_all.append((base[:, None, None, None, None] + xp.asarray(idx)[None]).ravel())
        val_all.append(xp.broadcast_to(share, (c, *wts.shape)).ravel())
    if not idx_all:
        return [xp.zeros(data.shape), None]
    dx = xp.bincount(xp.concatenate(idx_all), weights=xp.concatenate(val_all).astype(np.float64), minlength=data.size)
    return [dx.reshape(data.shape), None]


def _shape(p, s):
    data, rois = s
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (batch, channel, height, width), given {data}")
    if rois is not None and (len(rois) != 2 or rois[1] != 6):
        raise ShapeError(f"rois must be (num_rois, 6) rows [batch index, center x, center y, width, height, theta], given {rois}")
    if len(p.pooled_size) != 2 or min(p.pooled_size) <= 0:
        raise ShapeError(f"pooled_size must be 2 positive ints (height, width), given {tuple(p.pooled_size)}")
    if data is None or rois is None:
        return list(s), [None]
    return list(s), [(rois[0], data[1], *p.pooled_size)]


register_pair(
    "_contrib_RROIAlign",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=("data", "rois"),
    infer_shape=_shape,
    no_grad_inputs=("rois",),
    doc=(
        "Rotated ROI align: averages bilinear samples over a pooled grid laid in each rotated ROI.\n\n"
        "Inputs: data (N, C, H, W); rois (R, 6) [batch index, center x, center y, width, height, theta in degrees].\n"
        "Parameters: pooled_size (required, (h, w)); spatial_scale (required, in [0, 1]); sampling_ratio (-1: adaptive).\n"
        "Output (R, C, pooled_h, pooled_w).\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.arange(16).reshape((1, 1, 4, 4))\n"
        ">>> mx.nd.contrib.RROIAlign(x, mx.nd.array([[0, 2, 2, 2, 2, 90]]), pooled_size=(1, 1), spatial_scale=1.0).asnumpy().tolist()\n"
        "[[[[10.0]]]]"
    ),
)
