"""_contrib_DeformablePSROIPooling: position-sensitive ROI pooling whose bins move (Deformable R-FCN).

Like PSROIPooling, bin ``(ph, pw)`` of output channel ``ctop`` reads input
channel ``(ctop * group_size + gh) * group_size + gw``; here the ROI is in
pixel-centre coordinates (``round(x) * spatial_scale - 0.5``), and each bin
averages ``sample_per_part`` x ``sample_per_part`` bilinear samples, starting
at the bin's corner shifted by ``trans * trans_std`` times the ROI size. The
shift comes from ``trans`` ``(R, 2 * num_classes, part_size, part_size)``:
(x, y) pairs per class and part cell, the class being ``ctop`` divided by
``output_dim / num_classes``. Samples more than half a pixel outside the map
are skipped; the rest are clamped to the border. The hidden ``top_count``
output is the number of samples each bin averaged.

Every sample of every bin is computed at once; gradients (data and trans,
with MXNet 1.9.1's formulas) are scattered with ``bincount``. ROIs get none.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, names
from .._pair import register_pair

_PARAMS = {
    "spatial_scale": Param("float", low=0.0, high=1.0, doc="ratio of the feature map's size to the image's (1 / total stride)"),
    "output_dim": Param("int", doc="number of output channels"),
    "group_size": Param("int", doc="cells per side of the position-sensitive channel grid"),
    "pooled_size": Param("int", doc="bins per side of each ROI"),
    "part_size": Param("int", 0, doc="cells per side of the trans grid (0: pooled_size)"),
    "sample_per_part": Param("int", 1, doc="samples per side of each bin"),
    "trans_std": Param("float", 0.0, low=0.0, high=1.0, doc="scale of the trans offsets, in ROI sizes"),
    "no_trans": Param("bool", False, doc="no trans input: plain bins (sampled bilinearly)"),
}


def _part(p) -> int:
    return p.part_size if p.part_size > 0 else p.pooled_size


def _samples(p, xp, data, rois, trans):
    """Flat indices and weights of the 4 corners of every sample, the sample mask and what the trans gradient needs."""
    n, c, hgt, wid = data.shape
    dt = np.float32 if data.dtype == np.float16 else data.dtype.type
    k, g, part, s = p.pooled_size, p.group_size, _part(p), p.sample_per_part
    r = rois.astype(dt)
    scale = dt(p.spatial_scale)
    sw, sh = xp.round(r[:, 1]) * scale - dt(0.5), xp.round(r[:, 2]) * scale - dt(0.5)
    rw = xp.maximum((xp.round(r[:, 3]) + 1) * scale - dt(0.5) - sw, dt(0.1))
    rh = xp.maximum((xp.round(r[:, 4]) + 1) * scale - dt(0.5) - sh, dt(0.1))
    bw, bh = rw / dt(k), rh / dt(k)
    steps = xp.arange(k).astype(dt)
    part_idx = np.floor(np.arange(k, dtype=dt) / dt(k) * dt(part)).astype(np.int64)
    num_classes = 1 if p.no_trans else trans.shape[1] // 2
    cls = np.arange(p.output_dim) // (p.output_dim // num_classes)
    if p.no_trans:
        tx = ty = xp.zeros((len(r), p.output_dim, k, k), dt)
    else:
        pi = xp.asarray(part_idx)
        t = trans.astype(dt)[:, :, pi][:, :, :, pi]  # (R, 2*classes, k, k)
        cx = xp.asarray(2 * cls)
        tx = t[:, cx] * dt(p.trans_std)  # (R, D, k, k)
        ty = t[:, cx + 1] * dt(p.trans_std)
    col = lambda v: v[:, None, None, None]  # noqa: E731 - per-ROI scalars against (R, D, k, k)
    wstart = steps[None, None, None, :] * col(bw) + col(sw) + tx * col(rw)
    hstart = steps[None, None, :, None] * col(bh) + col(sh) + ty * col(rh)
    sub = xp.arange(s).astype(dt)
    w = wstart[..., None, None] + (sub * (bw / dt(s))[:, None])[:, None, None, None, None, :]  # (R, D, k, k, s, s)
    h = hstart[..., None, None] + (sub * (bh / dt(s))[:, None])[:, None, None, None, :, None]
    valid = ~((w < -0.5) | (w > wid - 0.5) | (h < -0.5) | (h > hgt - 0.5))
    w = xp.clip(w, 0, wid - 1)
    h = xp.clip(h, 0, hgt - 1)
    x0, y0 = xp.floor(w), xp.floor(h)
    x1, y1 = xp.ceil(w).astype(np.int64), xp.ceil(h).astype(np.int64)
    dx, dy = w - x0, h - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    cell = np.clip(np.floor(np.arange(k) * g / k).astype(np.int64), 0, g - 1)
    chan = (np.arange(p.output_dim)[:, None, None] * g + cell[None, :, None]) * g + cell[None, None, :]  # (D, k, k)
    base = (rois[:, 0].astype(np.int64)[:, None, None, None] * c + xp.asarray(chan)[None]) * (hgt * wid)
    base = base[..., None, None]
    corners = [  # (index, weight): U00 (y0, x0), U01 (y1, x0), U10 (y0, x1), U11 (y1, x1)
        (base + y0 * wid + x0, (1 - dx) * (1 - dy)),
        (base + y1 * wid + x0, (1 - dx) * dy),
        (base + y0 * wid + x1, dx * (1 - dy)),
        (base + y1 * wid + x1, dx * dy),
    ]
    return corners, valid, (dx, dy, rw, rh, cls, part_idx, num_classes)


def _forward(p, xp, data, rois, *trans):
    tr = trans[0] if trans else None
    corners, valid, _ = _samples(p, xp, data, rois, tr)
    flat = data.reshape(-1)
    val = sum(flat[idx] * wt for idx, wt in corners) * valid
    count = valid.sum(axis=(4, 5))
    out = xp.where(count > 0, val.sum(axis=(4, 5)) / xp.maximum(count, 1), 0)
    return out.astype(data.dtype), count.astype(data.dtype)


def _backward(p, xp, og, ins, outs):
    data, rois = ins[0], ins[1]
    tr = ins[2] if len(ins) > 2 else None
    corners, valid, (dx, dy, rw, rh, cls, part_idx, num_classes) = _samples(p, xp, data, rois, tr)
    count = outs[1]
    diff = xp.where(count > 0, og[0] / xp.maximum(count, 1), 0)[..., None, None] * valid  # per sample
    idx = xp.concatenate([xp.broadcast_to(i, diff.shape).ravel() for i, _ in corners])
    val = xp.concatenate([(wt * diff).ravel() for _, wt in corners])
    ddata = xp.bincount(idx, weights=val, minlength=data.size).reshape(data.shape)
    if tr is None:
        return [ddata, None]
    flat = data.reshape(-1)
    u00, u01, u10, u11 = (flat[i] for i, _ in corners)
    std = p.trans_std
    col = lambda v: v[:, None, None, None, None, None]  # noqa: E731
    gx = ((u11 * dy + u10 * (1 - dy) - u01 * dy - u00 * (1 - dy)) * diff * col(rw) * std).sum(axis=(4, 5))
    gy = ((u11 * dx + u01 * (1 - dx) - u10 * dx - u00 * (1 - dx)) * diff * col(rh) * std).sum(axis=(4, 5))
    r_n, _, part, _ = tr.shape
    k = p.pooled_size
    # trans[r, 2*class (+1 for y), part_h, part_w] collects every bin of that class and part cell
    pos = (xp.arange(r_n)[:, None, None, None] * (2 * num_classes) + xp.asarray(2 * cls)[None, :, None, None]) * (part * part)
    pos = pos + xp.asarray(part_idx)[None, None, :, None] * part + xp.asarray(part_idx)[None, None, None, :]
    pos = xp.broadcast_to(pos, (r_n, p.output_dim, k, k)).ravel()
    dtrans = xp.bincount(xp.concatenate([pos, pos + part * part]), weights=xp.concatenate([gx.ravel(), gy.ravel()]), minlength=tr.size)
    return [ddata, None, dtrans.reshape(tr.shape)]


@names("data", "rois", "trans")
def _inputs(p) -> list[str]:
    return ["data", "rois"] if p.no_trans else ["data", "rois", "trans"]


def _shape(p, s):
    data, rois = s[0], s[1]
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (batch, channel, height, width), given {data}")
    if rois is not None and (len(rois) != 2 or rois[1] != 5):
        raise ShapeError(f"rois must be (num_rois, 5) rows [batch index, x1, y1, x2, y2], given {rois}")
    g = p.group_size
    if data is not None and data[1] != p.output_dim * g * g:
        raise ShapeError(f"data channels must be output_dim*group_size^2 = {p.output_dim * g * g}, given {data[1]}")
    if not p.no_trans and s[2] is not None:
        tr = s[2]
        part = _part(p)
        if len(tr) != 4 or tr[1] % 2 or tr[2:] != (part, part) or p.output_dim % (tr[1] // 2):
            raise ShapeError(f"trans must be (num_rois, 2*num_classes, {part}, {part}) with num_classes dividing output_dim={p.output_dim}, given {tr}")
    if rois is None:
        return list(s), [None, None]
    out = (rois[0], p.output_dim, p.pooled_size, p.pooled_size)
    return list(s), [out, out]


register_pair(
    "_contrib_DeformablePSROIPooling",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=_inputs,
    outputs=("output", "top_count"),
    num_visible_outputs=lambda p: 1,
    infer_shape=_shape,
    no_grad_inputs=("rois",),
    doc=(
        "Deformable position-sensitive ROI pooling: PSROIPooling whose bins are shifted by learned offsets.\n\n"
        "Inputs: data (N, output_dim*group_size^2, H, W); rois (R, 5) [batch index, x1, y1, x2, y2];\n"
        "trans (R, 2*num_classes, part_size, part_size) unless no_trans. Parameters: spatial_scale (required);\n"
        "output_dim, group_size, pooled_size (required); part_size (0: pooled_size); sample_per_part (1);\n"
        "trans_std (0.0); no_trans (False). Output (R, output_dim, pooled_size, pooled_size); hidden top_count.\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.ones((1, 8, 6, 6))\n"
        ">>> mx.nd.contrib.DeformablePSROIPooling(x, mx.nd.array([[0, 0, 0, 5, 5]]), mx.nd.zeros((1, 2, 2, 2)), spatial_scale=1.0,\n"
        "...     output_dim=2, group_size=2, pooled_size=2, sample_per_part=2, trans_std=0.1).asnumpy().tolist()\n"
        "[[[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]]]"
    ),
)
