"""_contrib_ROIAlign: average of bilinear samples per pooled cell of each region of interest (Mask R-CNN).

Each cell of a ``pooled_size`` grid over a ROI averages ``sample_ratio`` x
``sample_ratio`` bilinear samples (``ceil(roi size / pooled size)`` when
``sample_ratio <= 0``); samples more than one pixel outside the image read 0,
others are clamped to the border, as MXNet 1.9.1 does. The gradient flows to
the data only (the ROIs get zeros).
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair
from .boxes import _host

_PARAMS = {
    "pooled_size": Param("shape", doc="(height, width) of the pooled grid"),
    "spatial_scale": Param("float", doc="factor from ROI coordinates to data coordinates"),
    "sample_ratio": Param("int", -1, doc="samples per cell side (<= 0: adaptive)"),
    "position_sensitive": Param("bool", False, doc="each cell reads its own group of channels (R-FCN)"),
    "aligned": Param("bool", False, doc="shift the ROI by half a pixel (pixel-centre model)"),
}


def _samples(p, roi, h, w):
    """Per pooled cell (ph, pw): the flat indices, weights and count of its bilinear samples."""
    ph_n, pw_n = p.pooled_size
    off = 0.5 if p.aligned else 0.0
    sw, sh, ew, eh = (float(v) * p.spatial_scale - off for v in roi[1:5])
    roi_w, roi_h = ew - sw, eh - sh
    if not p.aligned:
        roi_w, roi_h = max(roi_w, 1.0), max(roi_h, 1.0)
    bin_h, bin_w = roi_h / ph_n, roi_w / pw_n
    gh = p.sample_ratio if p.sample_ratio > 0 else int(np.ceil(roi_h / ph_n))
    gw = p.sample_ratio if p.sample_ratio > 0 else int(np.ceil(roi_w / pw_n))
    count = max(gh * gw, 1)
    for ph in range(ph_n):
        for pw in range(pw_n):
            idx, wts = [], []
            for iy in range(gh):
                y = sh + ph * bin_h + (iy + 0.5) * bin_h / gh
                for ix in range(gw):
                    x = sw + pw * bin_w + (ix + 0.5) * bin_w / gw
                    if y < -1.0 or y > h or x < -1.0 or x > w:
                        continue
                    y, x = max(y, 0.0), max(x, 0.0)
                    yl, xl = int(y), int(x)
                    if yl >= h - 1:
                        yl = yh = h - 1
                        y = float(yl)
                    else:
                        yh = yl + 1
                    if xl >= w - 1:
                        xl = xh = w - 1
                        x = float(xl)
                    else:
                        xh = xl + 1
                    ly, lx = y - yl, x - xl
                    idx += [yl * w + xl, yl * w + xh, yh * w + xl, yh * w + xh]
                    wts += [(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx]
            yield ph, pw, np.array(idx, np.int64), np.array(wts), count


def _channels(p, c_out, ph, pw):
    if not p.position_sensitive:
        return np.arange(c_out)
    n = p.pooled_size[0] * p.pooled_size[1]
    return np.arange(c_out) * n + ph * p.pooled_size[1] + pw


def _forward(p, xp, data, rois):
    x = _host(data)
    r = _host(rois)
    n, c, h, w = x.shape
    c_out = c // (p.pooled_size[0] * p.pooled_size[1]) if p.position_sensitive else c
    out = np.zeros((len(r), c_out, *p.pooled_size), np.float64)
    flat = x.reshape(n, c, h * w).astype(np.float64)
    for k, roi in enumerate(r):
        b = int(roi[0])
        for ph, pw, idx, wts, count in _samples(p, roi, h, w):
            if len(idx):
                ch = _channels(p, c_out, ph, pw)
                out[k, :, ph, pw] = (flat[b][ch][:, idx] * wts).sum(axis=1) / count
    return xp.asarray(out.astype(data.dtype))


def _backward(p, xp, og, ins, outs):
    data, rois = ins
    g = _host(og[0]).astype(np.float64)
    r = _host(rois)
    n, c, h, w = data.shape
    c_out = g.shape[1]
    dx = np.zeros((n, c, h * w))
    for k, roi in enumerate(r):
        b = int(roi[0])
        for ph, pw, idx, wts, count in _samples(p, roi, h, w):
            if len(idx):
                ch = _channels(p, c_out, ph, pw)
                contrib = g[k, :, ph, pw][:, None] * wts[None, :] / count
                for j, cc in enumerate(ch):
                    np.add.at(dx[b, cc], idx, contrib[j])
    return [xp.asarray(dx.reshape(data.shape).astype(data.dtype)), None]


def _shape(p, s):
    data, rois = s
    if rois is not None and (len(rois) != 2 or rois[1] != 5):
        raise ShapeError(f"rois must be (num_rois, 5) rows [batch index, x1, y1, x2, y2], given {rois}")
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {data}")
    if data is None or rois is None:
        return list(s), [None]
    c = data[1]
    if p.position_sensitive:
        cells = p.pooled_size[0] * p.pooled_size[1]
        if c % cells:
            raise ShapeError(f"position_sensitive needs channels ({c}) divisible by the pooled cells ({cells})")
        c //= cells
    return list(s), [(rois[0], c, *p.pooled_size)]


register_pair(
    "_contrib_ROIAlign",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=("data", "rois"),
    infer_shape=_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
    no_grad_inputs=("rois",),
    doc=(
        "Region of interest align: each cell of a pooled_size grid over each ROI averages bilinear samples.\n\n"
        "Parameters: data (N, C, H, W); rois (R, 5) [batch index, x1, y1, x2, y2]; pooled_size (required);\n"
        "spatial_scale (required); sample_ratio (-1: adaptive); position_sensitive (False); aligned (False).\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.arange(16).reshape((1, 1, 4, 4))\n"
        ">>> mx.nd.contrib.ROIAlign(x, mx.nd.array([[0, 0, 0, 3, 3]]), pooled_size=(1, 1), spatial_scale=1.0).shape\n"
        "(1, 1, 1, 1)"
    ),
)
