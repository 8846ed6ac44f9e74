"""Battery cases for the vision contrib ops: deformable convolutions, PSROIPooling, RROIAlign, Proposal, boolean_mask.

The references loop over taps, output pixels and ROIs with a scalar bilinear
sampler, independently of the kernels' gathered im2col form.
"""

from __future__ import annotations

import math
import os

import numpy as np

from ._pair import add_pair


def _bilinear_v1(img, h, w):
    """DeformableConvolution's sampler: read only inside [0, H) x [0, W); clamp the far corner."""
    hgt, wid = img.shape[-2:]
    if not (0 <= h < hgt and 0 <= w < wid):
        return np.zeros(img.shape[:-2])
    h0, w0 = int(math.floor(h)), int(math.floor(w))
    if h0 >= hgt - 1:
        h0 = h1 = hgt - 1
        h = float(h0)
    else:
        h1 = h0 + 1
    if w0 >= wid - 1:
        w0 = w1 = wid - 1
        w = float(w0)
    else:
        w1 = w0 + 1
    fh, fw = h - h0, w - w0
    return (1 - fh) * ((1 - fw) * img[..., h0, w0] + fw * img[..., h0, w1]) + fh * ((1 - fw) * img[..., h1, w0] + fw * img[..., h1, w1])


def _bilinear_v2(img, h, w):
    """ModulatedDeformableConvolution's sampler: read inside (-1, H) x (-1, W); outside corners are 0."""
    hgt, wid = img.shape[-2:]
    if not (-1 < h < hgt and -1 < w < wid):
        return np.zeros(img.shape[:-2])
    h0, w0 = int(math.floor(h)), int(math.floor(w))
    fh, fw = h - h0, w - w0
    val = np.zeros(img.shape[:-2])
    for hi, wh in ((h0, 1 - fh), (h0 + 1, fh)):
        for wi, ww in ((w0, 1 - fw), (w0 + 1, fw)):
            if 0 <= hi < hgt and 0 <= wi < wid:
                val = val + wh * ww * img[..., hi, wi]
    return val


def _deform_ref(x, offset, mask, weight, bias, kernel, stride=(), dilate=(), pad=(), num_filter=1, num_group=1, num_deformable_group=1, no_bias=False, **_):
    stride, dilate, pad = stride or (1, 1), dilate or (1, 1), pad or (0, 0)
    sampler = _bilinear_v1 if mask is None else _bilinear_v2
    n, c = x.shape[:2]
    kh, kw = kernel
    ho, wo = offset.shape[2:]
    dg = num_deformable_group
    cg = c // dg
    cols = np.zeros((n, c, kh, kw, ho, wo))
    for b in range(n):
        for d in range(dg):
            for i in range(kh):
                for j in range(kw):
                    tap = i * kw + j
                    for y in range(ho):
                        for z in range(wo):
                            h = y * stride[0] - pad[0] + i * dilate[0] + offset[b, d * 2 * kh * kw + 2 * tap, y, z]
                            w = z * stride[1] - pad[1] + j * dilate[1] + offset[b, d * 2 * kh * kw + 2 * tap + 1, y, z]
                            v = sampler(x[b, d * cg : (d + 1) * cg].astype(np.float64), h, w)
                            if mask is not None:
                                v = v * mask[b, d * kh * kw + tap, y, z]
                            cols[b, d * cg : (d + 1) * cg, i, j, y, z] = v
    g = num_group
    out = np.zeros((n, num_filter, ho, wo))
    fg, cpg = num_filter // g, c // g
    for k in range(g):
        wk = weight[k * fg : (k + 1) * fg].reshape(fg, -1)
        ck = cols[:, k * cpg : (k + 1) * cpg].reshape(n, -1, ho * wo)
        out[:, k * fg : (k + 1) * fg] = np.einsum("fk,nkl->nfl", wk, ck).reshape(n, fg, ho, wo)
    if not no_bias:
        out += bias.reshape(1, -1, 1, 1)
    return out.astype(x.dtype)


def _dcn(x, offset, weight, *bias, **p):
    return _deform_ref(x, offset, None, weight, bias[0] if bias else None, **p)


def _mdcn(x, offset, mask, weight, *bias, **p):
    return _deform_ref(x, offset, mask, weight, bias[0] if bias else None, **p)


def _offsets(rng, shape):
    """Offsets whose samples sit between pixels (fractions in [0.2, 0.8]), some outside the image."""
    return (rng.integers(-2, 2, shape) + rng.uniform(0.2, 0.8, shape)).astype(np.float32)


_R = np.random.default_rng(90)
X = _R.uniform(-1, 1, (1, 2, 4, 4)).astype(np.float32)
OFF = _offsets(_R, (1, 8, 3, 3))
W = _R.uniform(-1, 1, (3, 2, 2, 2)).astype(np.float32)
B = _R.uniform(-1, 1, (3,)).astype(np.float32)
add_pair("_contrib_DeformableConvolution", [X, OFF, W, B], {"kernel": (2, 2), "num_filter": 3}, _dcn, rtol=1e-5, atol=1e-5)
X2 = _R.uniform(-1, 1, (2, 4, 5, 4)).astype(np.float32)
add_pair(
    "_contrib_DeformableConvolution",
    [X2, _offsets(_R, (2, 2 * 2 * 6, 2, 2)), _R.uniform(-1, 1, (2, 2, 3, 2)).astype(np.float32)],
    {"kernel": (3, 2), "stride": (2, 2), "dilate": (1, 2), "pad": (0, 1), "num_filter": 2, "num_group": 2, "num_deformable_group": 2, "no_bias": True},
    _dcn,
    rtol=1e-5,
    atol=1e-5,
    note="groups",
)
MASK = _R.uniform(0, 1, (1, 4, 3, 3)).astype(np.float32)
add_pair("_contrib_ModulatedDeformableConvolution", [X, OFF, MASK, W, B], {"kernel": (2, 2), "num_filter": 3}, _mdcn, rtol=1e-5, atol=1e-5)
add_pair(
    "_contrib_ModulatedDeformableConvolution",
    [X2, _offsets(_R, (2, 2 * 2 * 6, 2, 2)), _R.uniform(0, 1, (2, 12, 2, 2)).astype(np.float32), _R.uniform(-1, 1, (2, 2, 3, 2)).astype(np.float32)],
    {"kernel": (3, 2), "stride": (2, 2), "dilate": (1, 2), "pad": (0, 1), "num_filter": 2, "num_group": 2, "num_deformable_group": 2, "no_bias": True},
    _mdcn,
    rtol=1e-5,
    atol=1e-5,
    note="groups",
)


def _psroi(data, rois, spatial_scale, output_dim, pooled_size, group_size=0):
    g = group_size or pooled_size
    k = pooled_size
    h, w = data.shape[2:]
    out = np.zeros((len(rois), output_dim, k, k))
    for r, roi in enumerate(rois):
        x1, y1 = round(roi[1]) * spatial_scale, round(roi[2]) * spatial_scale
        x2, y2 = (round(roi[3]) + 1) * spatial_scale, (round(roi[4]) + 1) * spatial_scale
        bh, bw = max(y2 - y1, 0.1) / k, max(x2 - x1, 0.1) / k
        for ph in range(k):
            for pw in range(k):
                hs, he = min(max(math.floor(ph * bh + y1), 0), h), min(max(math.ceil((ph + 1) * bh + y1), 0), h)
                ws, we = min(max(math.floor(pw * bw + x1), 0), w), min(max(math.ceil((pw + 1) * bw + x1), 0), w)
                if he <= hs or we <= ws:
                    continue
                gh, gw = min(ph * g // k, g - 1), min(pw * g // k, g - 1)
                for c in range(output_dim):
                    out[r, c, ph, pw] = data[int(roi[0]), (c * g + gh) * g + gw, hs:he, ws:we].mean()
    return out.astype(data.dtype)


FEAT = _R.uniform(-1, 1, (2, 2 * 2 * 2, 5, 6)).astype(np.float32)
ROIS = np.array([[0, 3.3, 6.2, 40.4, 30.1], [1, 20.2, 8.4, 90.3, 75.2], [1, 70.1, 60.3, 71.2, 61.4]], np.float32)
add_pair("_contrib_PSROIPooling", [FEAT, ROIS], {"spatial_scale": 0.0625, "output_dim": 2, "pooled_size": 2}, _psroi, wrt=(0,), grad_wrt=(0,))
add_pair(
    "_contrib_PSROIPooling",
    [_R.uniform(-1, 1, (2, 2 * 2 * 2, 5, 6)).astype(np.float32), ROIS],
    {"spatial_scale": 0.1, "output_dim": 2, "pooled_size": 3, "group_size": 2},
    _psroi,
    wrt=(0,),
    grad_wrt=(0,),
    note="group",
)


def _rroi(data, rois, pooled_size, spatial_scale, sampling_ratio=-1):
    h, w = data.shape[2:]
    ph_n, pw_n = pooled_size
    out = np.zeros((len(rois), data.shape[1], ph_n, pw_n))
    for r, roi in enumerate(rois.astype(np.float64)):
        cx, cy, rw, rh = roi[1:5] * spatial_scale
        t = roi[5] * math.pi / 180
        rw, rh = max(rw, 1.0), max(rh, 1.0)
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph_n)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw_n)
        for ph in range(ph_n):
            for pw in range(pw_n):
                acc = np.zeros(data.shape[1])
                for iy in range(gh):
                    yy = -rh / 2 + ph * rh / ph_n + (iy + 0.5) * rh / ph_n / gh
                    for ix in range(gw):
                        xx = -rw / 2 + pw * rw / pw_n + (ix + 0.5) * rw / pw_n / gw
                        x = xx * math.cos(t) + yy * math.sin(t) + cx
                        y = yy * math.cos(t) - xx * math.sin(t) + cy
                        if -1 <= y <= h and -1 <= x <= w:
                            acc += _bilinear_v1(data[int(roi[0])].astype(np.float64), min(max(y, 0), h - 1), min(max(x, 0), w - 1))
                out[r, :, ph, pw] = acc / (gh * gw)
    return out.astype(data.dtype)


RR = np.array([[0, 30.3, 40.1, 50.2, 30.4, 30.0], [1, 60.2, 20.3, 40.1, 70.2, 120.0], [0, 90.1, 70.2, 20.3, 10.4, -15.0]], np.float32)
add_pair("_contrib_RROIAlign", [FEAT, RR], {"pooled_size": (2, 3), "spatial_scale": 0.0625}, _rroi, wrt=(0,), grad_wrt=(0,), rtol=1e-4, atol=1e-5)
add_pair(
    "_contrib_RROIAlign",
    [FEAT, RR],
    {"pooled_size": (2, 2), "spatial_scale": 0.05, "sampling_ratio": 2},
    _rroi,
    wrt=(0,),
    grad_wrt=(0,),
    rtol=1e-4,
    atol=1e-5,
    note="ratio",
)


def _mask_rows(data, index, axis=0):
    return data[index != 0]


# the output shape depends on the index's values, so the executor-based gradient checks cannot
# bind it; tests/test_vision_ops.py checks its gradient through autograd, and the
# _backward_ case here checks the backward kernel against central differences
_DYNAMIC = "data-dependent output shape: gradient checked through autograd in tests/test_vision_ops.py"
add_pair("_contrib_boolean_mask", [X2[:, 0, 0], np.array([0, 1], np.float32)], {}, _mask_rows, wrt=(0,), no_grad_reason=_DYNAMIC)
add_pair(
    "_contrib_boolean_mask",
    [_R.uniform(-1, 1, (4, 2, 3)).astype(np.float32), np.array([1, 0, -2, 3], np.int32)],
    {},
    _mask_rows,
    wrt=(0,),
    no_grad_reason=_DYNAMIC,
    note="3d",
)


# Proposal / MultiProposal: the reference is real MXNet 1.9.1's output for these inputs
# (tests/golden/make_vision_ops.py); their gradients are zero, as MXNet's
with np.load(os.path.join(os.path.dirname(os.path.dirname(__file__)), "golden", "vision_ops.npz")) as _z:
    _GOLD = {k: _z[k] for k in _z.files if k.split("/")[0] in ("prop", "multiprop")}
_PROP = {"feature_stride": 8, "scales": (2.0, 4.0), "ratios": (0.5, 1.0, 2.0), "rpn_pre_nms_top_n": 60, "rpn_post_nms_top_n": 25, "threshold": 0.5}
_PROP.update(rpn_min_size=4, output_score=True)
_ZERO = "MXNet 1.9.1 gives region proposals a zero gradient (mxpy too)"
for _op, _key in (("_contrib_Proposal", "prop"), ("_contrib_MultiProposal", "multiprop")):
    # wrt=(): the _backward_ case expects zeros for every input
    add_pair(
        _op,
        [_GOLD[f"{_key}/in{i}"] for i in range(3)],
        _PROP,
        lambda *ins, _k=_key, **p: [_GOLD[f"{_k}/out0"], _GOLD[f"{_k}/out1"]],
        wrt=(),
        rtol=1e-5,
        atol=1e-4,
        no_grad_reason=_ZERO,
    )


def _dpsroi_full(data, rois, *trans, spatial_scale, output_dim, group_size, pooled_size, part_size=0, sample_per_part=1, trans_std=0.0, no_trans=False):
    """Both outputs: the pooled bins and the hidden top_count (samples per bin)."""
    k, g, s = pooled_size, group_size, sample_per_part
    part = part_size or k
    h, w = data.shape[2:]
    classes = 1 if no_trans else trans[0].shape[1] // 2
    out = np.zeros((len(rois), output_dim, k, k))
    count = np.zeros_like(out)
    for r, roi in enumerate(rois):
        x1, y1 = round(roi[1]) * spatial_scale - 0.5, round(roi[2]) * spatial_scale - 0.5
        rw = max((round(roi[3]) + 1) * spatial_scale - 0.5 - x1, 0.1)
        rh = max((round(roi[4]) + 1) * spatial_scale - 0.5 - y1, 0.1)
        for c in range(output_dim):
            cls = c // (output_dim // classes)
            for ph in range(k):
                for pw in range(k):
                    qh, qw = math.floor(ph / k * part), math.floor(pw / k * part)
                    tx = 0.0 if no_trans else trans[0][r, 2 * cls, qh, qw] * trans_std
                    ty = 0.0 if no_trans else trans[0][r, 2 * cls + 1, qh, qw] * trans_std
                    img = data[int(roi[0]), (c * g + min(ph * g // k, g - 1)) * g + min(pw * g // k, g - 1)].astype(np.float64)
                    vals = []
                    for ih in range(s):
                        for iw in range(s):
                            y = ph * rh / k + y1 + ty * rh + ih * rh / k / s
                            x = pw * rw / k + x1 + tx * rw + iw * rw / k / s
                            if -0.5 <= x <= w - 0.5 and -0.5 <= y <= h - 0.5:
                                vals.append(_bilinear_v1(img, min(max(y, 0), h - 1), min(max(x, 0), w - 1)))
                    out[r, c, ph, pw] = np.mean(vals) if vals else 0.0
                    count[r, c, ph, pw] = len(vals)
    return [out.astype(data.dtype), count.astype(data.dtype)]


def _dpsroi(*ins, **p):
    return _dpsroi_full(*ins, **p)[0]


DROIS = np.array([[0, 20.2, 25.3, 60.1, 70.4], [1, 30.4, 20.1, 75.3, 58.2]], np.float32)
add_pair(
    "_contrib_DeformablePSROIPooling",
    [_R.uniform(-1, 1, (2, 8, 6, 7)).astype(np.float32), DROIS, _R.uniform(-1, 1, (2, 4, 2, 2)).astype(np.float32)],
    {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 2, "pooled_size": 2, "sample_per_part": 2, "trans_std": 0.1},
    _dpsroi,
    full_ref=_dpsroi_full,
    wrt=(0, 2),
    grad_wrt=(0, 2),
    rtol=1e-5,
    atol=1e-5,
)
add_pair(
    "_contrib_DeformablePSROIPooling",
    [_R.uniform(-1, 1, (2, 8, 6, 7)).astype(np.float32), DROIS],
    {"spatial_scale": 0.0625, "output_dim": 2, "group_size": 2, "pooled_size": 3, "sample_per_part": 2, "no_trans": True},
    _dpsroi,
    full_ref=_dpsroi_full,
    wrt=(0,),
    grad_wrt=(0,),
    rtol=1e-5,
    atol=1e-5,
    note="no_trans",
)
