"""_contrib_PSROIPooling: position-sensitive ROI average pooling (R-FCN).

Each ROI ``[batch, x1, y1, x2, y2]`` (image coordinates, rounded, ``x2``/``y2``
inclusive) is scaled by ``spatial_scale`` and cut into ``pooled_size`` x
``pooled_size`` bins; bin ``(ph, pw)`` of output channel ``ctop`` averages the
integer pixels ``[floor(start), ceil(end))`` of input channel
``(ctop * group_size + gh) * group_size + gw``, where ``(gh, gw)`` is the bin's
cell in a ``group_size`` grid. Empty bins give 0. The sums come from one
integral image of the data, so every bin of every ROI is four lookups; the
gradient spreads each bin's gradient evenly over its pixels with a 2-D
difference array (four scattered corners, then two cumulative sums). ROIs get
no gradient.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair

_PARAMS = {
    "spatial_scale": Param("float", low=0.0, high=1.0, doc="ratio of the feature map's size to the image's (1 / total stride)"),
    "output_dim": Param("int", doc="number of output channels"),
    "pooled_size": Param("int", doc="bins per side of each ROI"),
    "group_size": Param("int", 0, doc="cells per side of the position-sensitive channel grid (0: pooled_size)"),
}


def _group(p) -> int:
    return p.group_size if p.group_size > 0 else p.pooled_size


def _bins(p, xp, rois, h: int, w: int, dtype):
    """Per (roi, ph, pw): hstart, hend, wstart, wend (clipped ints) and the input channel grid cell."""
    # MXNet does this arithmetic in the data's dtype; float32 keeps its bin edges
    dt = np.float32 if dtype == np.float16 else np.dtype(dtype).type
    r = rois.astype(dt)
    scale = dt(p.spatial_scale)
    sw, sh = xp.round(r[:, 1]) * scale, xp.round(r[:, 2]) * scale
    ew, eh = (xp.round(r[:, 3]) + 1) * scale, (xp.round(r[:, 4]) + 1) * scale
    rw = xp.maximum(ew - sw, dt(0.1))
    rh = xp.maximum(eh - sh, dt(0.1))
    k = p.pooled_size
    steps = xp.arange(k + 1).astype(dt)
    bh = rh / dt(k)
    bw = rw / dt(k)
    hs = xp.floor(steps[None, :-1] * bh[:, None] + sh[:, None]).astype(np.int64)
    he = xp.ceil(steps[None, 1:] * bh[:, None] + sh[:, None]).astype(np.int64)
    ws = xp.floor(steps[None, :-1] * bw[:, None] + sw[:, None]).astype(np.int64)
    we = xp.ceil(steps[None, 1:] * bw[:, None] + sw[:, None]).astype(np.int64)
    hs, he = xp.clip(hs, 0, h), xp.clip(he, 0, h)
    ws, we = xp.clip(ws, 0, w), xp.clip(we, 0, w)
    # (R, k, 1) rows against (R, 1, k) columns
    return hs[:, :, None], he[:, :, None], ws[:, None, :], we[:, None, :]


def _channels(p, xp):
    """Input channel of output (ctop, ph, pw): (output_dim, k, k)."""
    k, g = p.pooled_size, _group(p)
    cell = np.clip(np.floor(np.arange(k) * g / k).astype(np.int64), 0, g - 1)
    c = (np.arange(p.output_dim)[:, None, None] * g + cell[None, :, None]) * g + cell[None, None, :]
    return xp.asarray(c)


def _forward(p, xp, data, rois):
    n, c, h, w = data.shape
    hs, he, ws, we = _bins(p, xp, rois, h, w, data.dtype)
    integral = xp.zeros((n, c, h + 1, w + 1), np.float64)
    integral[:, :, 1:, 1:] = data.astype(np.float64).cumsum(axis=2).cumsum(axis=3)
    b = rois[:, 0].astype(np.int64)[:, None, None, None]
    ch = _channels(p, xp)[None]
    hs, he, ws, we = (a[:, None] for a in (hs, he, ws, we))  # (R, 1, k, k)-broadcastable
    total = integral[b, ch, he, we] - integral[b, ch, hs, we] - integral[b, ch, he, ws] + integral[b, ch, hs, ws]
    area = (he - hs) * (we - ws)
    out = xp.where(area > 0, total / xp.maximum(area, 1), 0.0)
    return out.astype(data.dtype)


def _backward(p, xp, og, ins, outs):
    data, rois = ins
    n, c, h, w = data.shape
    hs, he, ws, we = (a[:, None] for a in _bins(p, xp, rois, h, w, data.dtype))
    area = (he - hs) * (we - ws)
    share = xp.where(area > 0, og[0].astype(np.float64) / xp.maximum(area, 1), 0.0)  # (R, D, k, k)
    b = rois[:, 0].astype(np.int64)[:, None, None, None]
    plane = (b * c + _channels(p, xp)[None]) * ((h + 1) * (w + 1))
    # a rectangle [hs, he) x [ws, we) adds `share` to each of its pixels: +share at the top-left
    # and bottom-right corners, -share at the other two, then cumulative sums along h and w
    idx, val = [], []
    for hh, ww, sign in ((hs, ws, 1), (hs, we, -1), (he, ws, -1), (he, we, 1)):
        idx.append(xp.broadcast_to(plane + hh * (w + 1) + ww, share.shape).ravel())
        val.append((sign * share).ravel())
    diff = xp.bincount(xp.concatenate(idx), weights=xp.concatenate(val), minlength=n * c * (h + 1) * (w + 1))
    dx = diff.reshape(n, c, h + 1, w + 1).cumsum(axis=2).cumsum(axis=3)[:, :, :h, :w]
    return [dx, None]


def _shape(p, s):
    data, rois = s
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (batch, channel, height, width), given {data}")
    if rois is not None and (len(rois) != 2 or rois[1] != 5):
        raise ShapeError(f"rois must be (num_rois, 5) rows [batch index, x1, y1, x2, y2], given {rois}")
    g = _group(p)
    if data is not None and data[1] is not None and data[1] != p.output_dim * g * g:
        raise ShapeError(f"data channels must be output_dim*group_size^2 = {p.output_dim}*{g}^2 = {p.output_dim * g * g}, given {data[1]}")
    if rois is None:
        return list(s), [None]
    return list(s), [(rois[0], p.output_dim, p.pooled_size, p.pooled_size)]


register_pair(
    "_contrib_PSROIPooling",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=("data", "rois"),
    infer_shape=_shape,
    no_grad_inputs=("rois",),
    doc=(
        "Position-sensitive ROI pooling (R-FCN): each bin of each ROI averages its own group of channels.\n\n"
        "Inputs: data (N, output_dim*group_size^2, H, W); rois (R, 5) [batch index, x1, y1, x2, y2] in image\n"
        "coordinates. Parameters: spatial_scale (required, in [0, 1]); output_dim (required); pooled_size (required);\n"
        "group_size (0: pooled_size). Output (R, output_dim, pooled_size, pooled_size).\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.ones((1, 8, 6, 6))\n"
        ">>> mx.nd.contrib.PSROIPooling(x, mx.nd.array([[0, 0, 0, 5, 5]]), spatial_scale=1.0, output_dim=2, pooled_size=2).shape\n"
        "(1, 2, 2, 2)"
    ),
)
