"""Battery cases for GridGenerator, BilinearSampler, SpatialTransformer, SVMOutput, Correlation and ROIPooling.

References loop over output elements, written from the operators' definitions.
"""

from __future__ import annotations

import numpy as np

from . import add, f32
from ._pair import add_pair


def _grid_affine(theta, transform_type, target_shape):
    h, w = target_shape
    out = np.zeros((theta.shape[0], 2, h, w))
    for n in range(theta.shape[0]):
        t = theta[n].reshape(2, 3).astype(np.float64)
        for i in range(h):
            for j in range(w):
                xt, yt = -1 + 2 * j / (w - 1), -1 + 2 * i / (h - 1)
                out[n, :, i, j] = t @ [xt, yt, 1]
    return out.astype(theta.dtype)


def _grid_warp(flow, transform_type, target_shape=(0, 0)):
    n, _, h, w = flow.shape
    out = np.zeros(flow.shape)
    for i in range(h):
        for j in range(w):
            out[:, 0, i, j] = (flow[:, 0, i, j] + j) / ((w - 1) / 2) - 1
            out[:, 1, i, j] = (flow[:, 1, i, j] + i) / ((h - 1) / 2) - 1
    return out.astype(flow.dtype)


THETA = np.array([[0.9, 0.1, 0.05, -0.2, 1.1, 0.1], [0.5, 0.0, 0.3, 0.0, 0.5, -0.2]], np.float32)
add_pair("GridGenerator", [THETA], {"transform_type": "affine", "target_shape": (3, 4)}, _grid_affine, rtol=1e-5)
add_pair("GridGenerator", [f32(1, 2, 3, 3, seed=80)], {"transform_type": "warp"}, _grid_warp, rtol=1e-5, note="warp")


def _sample(img, x, y):
    """Bilinear read of img (C, H, W) at pixel position (x, y); zero outside."""
    c, h, w = img.shape
    x0, y0 = int(np.floor(x)), int(np.floor(y))
    out = np.zeros(c)
    for yy, xx, wt in (
        (y0, x0, (1 - (y - y0)) * (1 - (x - x0))),
        (y0, x0 + 1, (1 - (y - y0)) * (x - x0)),
        (y0 + 1, x0, (y - y0) * (1 - (x - x0))),
        (y0 + 1, x0 + 1, (y - y0) * (x - x0)),
    ):
        if 0 <= yy < h and 0 <= xx < w:
            out += wt * img[:, yy, xx]
    return out


def _bilinear(data, grid, **_):
    n, c, h, w = data.shape
    out = np.zeros((n, c) + grid.shape[2:])
    for b in range(n):
        for i in range(grid.shape[2]):
            for j in range(grid.shape[3]):
                x = (grid[b, 0, i, j] + 1) * (w - 1) / 2
                y = (grid[b, 1, i, j] + 1) * (h - 1) / 2
                out[b, :, i, j] = _sample(data[b].astype(np.float64), x, y)
    return out.astype(data.dtype)


# grid points away from pixel boundaries (where the bilinear weights have kinks)
GRID = np.array([[[[-0.93, 0.27, 0.61], [1.07, -0.41, 0.13]], [[-0.71, 0.37, -0.17], [0.83, 0.55, -1.13]]]], np.float32)
add_pair("BilinearSampler", [f32(1, 2, 3, 4, seed=81), GRID], {}, _bilinear, rtol=1e-5, atol=1e-6)


def _stn(data, loc, target_shape, transform_type="affine", sampler_type="bilinear", cudnn_off=None):
    return _bilinear(data, _grid_affine(loc, "affine", target_shape))


add_pair(
    "SpatialTransformer",
    [f32(1, 2, 4, 5, seed=82), np.array([[0.83, 0.11, 0.07, -0.13, 0.91, 0.03]], np.float32)],
    {"target_shape": (3, 3), "transform_type": "affine", "sampler_type": "bilinear"},
    _stn,
    rtol=1e-5,
    atol=1e-6,
)


def _hinge(x, label, margin=1.0, regularization_coefficient=1.0, use_linear=False):
    """d/dx of the one-vs-all hinge loss (squared unless use_linear), by central differences."""
    s = -np.ones(x.shape)
    s[np.arange(len(x)), label.astype(int)] = 1

    def loss(v):
        slack = np.maximum(0, margin - s * v)
        return regularization_coefficient * (slack.sum() if use_linear else (slack**2).sum())

    g = np.zeros(x.shape)
    x64 = x.astype(np.float64)
    for idx in np.ndindex(x.shape):
        up, down = x64.copy(), x64.copy()
        up[idx] += 1e-6
        down[idx] -= 1e-6
        g[idx] = (loss(up) - loss(down)) / 2e-6
    return g.astype(x.dtype)


SVM_X = np.array([[0.3, -0.6, 1.4], [2.2, 0.7, -1.6]], np.float32)
SVM_L = np.array([0, 2], np.float32)
HINGE = "a loss layer: its gradient is the hinge loss's, checked by the _backward_SVMOutput cases"
for linear in (False, True):
    add("SVMOutput", [SVM_X, SVM_L], {"use_linear": linear}, lambda x, label, **p: x, no_grad_reason=HINGE)
    add(
        "_backward_SVMOutput",
        [np.zeros_like(SVM_X), SVM_X, SVM_L, SVM_X],
        {"use_linear": linear},
        lambda og, x, label, out, **p: [_hinge(x, label, **p), np.zeros_like(label)],
        rtol=1e-4,
        atol=1e-5,
    )


def _corr(a, b, kernel_size=1, max_displacement=1, stride1=1, stride2=1, pad_size=0, is_multiply=True):
    pa = np.pad(a.astype(np.float64), ((0, 0), (0, 0), (pad_size,) * 2, (pad_size,) * 2))
    pb = np.pad(b.astype(np.float64), ((0, 0), (0, 0), (pad_size,) * 2, (pad_size,) * 2))
    radius = max_displacement // stride2
    width = 2 * radius + 1
    border = max_displacement + (kernel_size - 1) // 2
    th = -(-(pa.shape[2] - 2 * border) // stride1)
    tw = -(-(pa.shape[3] - 2 * border) // stride1)
    out = np.zeros((a.shape[0], width * width, th, tw))
    for n, tc, i, j in np.ndindex(out.shape):
        y1, x1 = i * stride1 + max_displacement, j * stride1 + max_displacement
        dy, dx = (tc // width - radius) * stride2, (tc % width - radius) * stride2
        p1 = pa[n, :, y1 : y1 + kernel_size, x1 : x1 + kernel_size]
        p2 = pb[n, :, y1 + dy : y1 + dy + kernel_size, x1 + dx : x1 + dx + kernel_size]
        out[n, tc, i, j] = (p1 * p2 if is_multiply else np.abs(p1 - p2)).sum()
    return (out / (kernel_size * kernel_size * a.shape[1])).astype(a.dtype)


add_pair("Correlation", [f32(1, 2, 4, 4, seed=83), f32(1, 2, 4, 4, seed=84)], {"pad_size": 1, "max_displacement": 1}, _corr, rtol=1e-5)
add_pair(
    "Correlation",
    [f32(1, 1, 5, 5, seed=85), f32(1, 1, 5, 5, seed=86)],
    {"kernel_size": 3, "max_displacement": 2, "stride2": 2, "pad_size": 2, "is_multiply": False},
    _corr,
    rtol=1e-5,
    note="abs",
)


def _roipool(data, rois, pooled_size, spatial_scale, full=False):
    n, c, h, w = data.shape
    ph, pw = pooled_size
    out = np.zeros((len(rois), c, ph, pw), data.dtype)
    arg = np.full(out.shape, -1, data.dtype)
    for k, roi in enumerate(rois):
        x1, y1, x2, y2 = (int(np.floor(v * spatial_scale + 0.5)) for v in roi[1:])
        rh, rw = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
        for i in range(ph):
            for j in range(pw):
                hs = min(max(int(np.floor(i * rh / ph)) + y1, 0), h)
                he = min(max(int(np.ceil((i + 1) * rh / ph)) + y1, 0), h)
                ws = min(max(int(np.floor(j * rw / pw)) + x1, 0), w)
                we = min(max(int(np.ceil((j + 1) * rw / pw)) + x1, 0), w)
                if he > hs and we > ws:
                    win = data[int(roi[0]), :, hs:he, ws:we]
                    out[k, :, i, j] = win.max(axis=(1, 2))
                    for ch in range(c):
                        r, q = np.unravel_index(win[ch].argmax(), win[ch].shape)
                        arg[k, ch, i, j] = (hs + r) * w + ws + q
    return [out, arg] if full else out


ROIS = np.array([[0, 0.2, 1.1, 4.6, 3.4], [1, 1.0, 0.0, 2.0, 4.0]], np.float32)
add_pair(
    "ROIPooling",
    [f32(2, 2, 5, 6, seed=87), ROIS],
    {"pooled_size": (2, 2), "spatial_scale": 1.0},
    _roipool,
    full_ref=lambda *a, **p: _roipool(*a, full=True, **p),
    wrt=(0,),
    grad_wrt=(0,),  # the rois are coordinates and batch indices: rounded, they give no gradient
)


def _bilinear_clamped(img, y, x):
    """One ROIAlign sample of img (H, W): zero beyond one pixel outside, else clamped to the border."""
    h, w = img.shape
    if y < -1 or y > h or x < -1 or x > w:
        return 0.0
    y, x = min(max(y, 0.0), h - 1), min(max(x, 0.0), w - 1)
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
    fy, fx = y - y0, x - x0
    return (1 - fy) * ((1 - fx) * img[y0, x0] + fx * img[y0, x1]) + fy * ((1 - fx) * img[y1, x0] + fx * img[y1, x1])


def _roialign(data, rois, pooled_size, spatial_scale, sample_ratio=-1, position_sensitive=False, aligned=False):
    ph_n, pw_n = pooled_size
    out = np.zeros((len(rois), data.shape[1], ph_n, pw_n))
    for k, roi in enumerate(rois):
        sw, sh, ew, eh = roi[1:] * spatial_scale
        rw, rh = max(ew - sw, 1.0), max(eh - sh, 1.0)
        gh = sample_ratio if sample_ratio > 0 else int(np.ceil(rh / ph_n))
        gw = sample_ratio if sample_ratio > 0 else int(np.ceil(rw / pw_n))
        for c, i, j in np.ndindex(out.shape[1:]):
            vals = [
                _bilinear_clamped(
                    data[int(roi[0]), c].astype(np.float64), sh + i * rh / ph_n + (a + 0.5) * rh / ph_n / gh, sw + j * rw / pw_n + (b + 0.5) * rw / pw_n / gw
                )
                for a in range(gh)
                for b in range(gw)
            ]
            out[k, c, i, j] = sum(vals) / (gh * gw)
    return out.astype(data.dtype)


RA_ROIS = np.array([[0, 0.3, 1.2, 4.7, 3.9], [1, -1.4, 0.6, 2.3, 5.6]], np.float32)
add_pair(
    "_contrib_ROIAlign",
    [f32(2, 2, 5, 6, seed=88), RA_ROIS],
    {"pooled_size": (2, 2), "spatial_scale": 1.0, "sample_ratio": 2},
    _roialign,
    wrt=(0,),
    grad_wrt=(0,),
    rtol=1e-5,
)
