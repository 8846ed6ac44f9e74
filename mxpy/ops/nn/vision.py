"""SVMOutput, Correlation (FlowNet's cost volume) and ROIPooling, with their gradients."""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError
from .._pair import register_pair
from ..contrib.boxes import _host

# -- SVMOutput --------------------------------------------------------------------------


def _svm_sign(xp, x, label):
    """+1 at each row's label, -1 elsewhere."""
    s = -xp.ones(x.shape, x.dtype)
    s[xp.arange(x.shape[0]), label.astype(np.int64).reshape(-1)] = 1
    return s


def _svm_backward(p, xp, og, ins, outs):
    x, label = ins
    x2 = x.reshape(x.shape[0], -1)
    s = _svm_sign(xp, x2, label)
    slack = p.margin - s * x2
    active = slack > 0
    if p.use_linear:
        g = -s * active * p.regularization_coefficient
    else:
        g = -s * 2 * slack * active * p.regularization_coefficient
    return [g.reshape(x.shape), None]


def _svm_shape(p, s):
    data, label = s
    if data is not None and label is not None and label != (data[0],):
        raise ShapeError(f"label must be (batch,) = ({data[0]},), given {label}")
    return [data, label or (None if data is None else (data[0],))], [data]


register_pair(
    "SVMOutput",
    lambda p, xp, x, label: x.copy(),
    _svm_backward,
    params={
        "margin": Param("float", 1.0, doc="the hinge margin"),
        "regularization_coefficient": Param("float", 1.0, doc="scale of the gradient"),
        "use_linear": Param("bool", False, doc="L1 (linear) hinge instead of the squared L2 hinge"),
    },
    inputs=("data", "label"),
    infer_shape=_svm_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0]]),
    no_grad_inputs=("label",),
    is_loss=True,
    doc=(
        "Support vector machine output layer: identity forward; the backward is the gradient of the\n"
        "one-vs-all hinge loss (squared unless use_linear), ignoring the head gradient.\n\n"
        "Parameters: data (batch, classes); label (batch,); margin (1.0); regularization_coefficient (1.0);\n"
        "use_linear (False).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.SVMOutput(mx.nd.array([[0.5, -0.5]]), mx.nd.array([0])).asnumpy().tolist()\n[[0.5, -0.5]]"
    ),
)

# -- Correlation -------------------------------------------------------------------------

_CORR_PARAMS = {
    "kernel_size": Param("int", 1, low=1, doc="side of the patches compared"),
    "max_displacement": Param("int", 1, low=0, doc="largest displacement compared"),
    "stride1": Param("int", 1, low=1, doc="stride over the first input"),
    "stride2": Param("int", 1, low=1, doc="stride of the displacements"),
    "pad_size": Param("int", 0, low=0, doc="zero padding of both inputs"),
    "is_multiply": Param("bool", True, doc="multiply the patches (else take absolute differences)"),
}


def _corr_geometry(p, h, w):
    radius = p.max_displacement // p.stride2
    border = p.max_displacement + (p.kernel_size - 1) // 2
    hp, wp = h + 2 * p.pad_size, w + 2 * p.pad_size
    top_h = -(-(hp - 2 * border) // p.stride1)
    top_w = -(-(wp - 2 * border) // p.stride1)
    return radius, top_h, top_w


def _corr_shape(p, s):
    a, b = s
    d = a or b
    if d is None:
        return list(s), [None]
    if len(d) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {d}")
    if a is not None and b is not None and a != b:
        raise ShapeError(f"data1 {a} and data2 {b} must have one shape")
    radius, top_h, top_w = _corr_geometry(p, d[2], d[3])
    if top_h < 1 or top_w < 1:
        raise ShapeError(f"data {d} is too small for max_displacement={p.max_displacement}, kernel_size={p.kernel_size}, pad_size={p.pad_size}")
    return [d, d], [(d[0], (2 * radius + 1) ** 2, top_h, top_w)]


def _corr_terms(p, xp, shape):
    """(output channel, rows and columns into the padded data1, the displacement) of every term;
    the index arrays live where the data does (a device array cannot be indexed by host arrays)."""
    radius, top_h, top_w = _corr_geometry(p, shape[2], shape[3])
    width = 2 * radius + 1
    base_r = p.max_displacement + p.stride1 * xp.arange(top_h)
    base_c = p.max_displacement + p.stride1 * xp.arange(top_w)
    for tc in range(width * width):
        dy = (tc // width - radius) * p.stride2
        dx = (tc % width - radius) * p.stride2
        for kh in range(p.kernel_size):
            for kw in range(p.kernel_size):
                yield tc, base_r + kh, base_c + kw, dy, dx


def _pad(xp, x, n):
    return xp.pad(x, ((0, 0), (0, 0), (n, n), (n, n))) if n else x


def _corr_forward(p, xp, a, b):
    pa, pb = _pad(xp, a, p.pad_size), _pad(xp, b, p.pad_size)
    radius, top_h, top_w = _corr_geometry(p, a.shape[2], a.shape[3])
    out = xp.zeros((a.shape[0], (2 * radius + 1) ** 2, top_h, top_w), a.dtype)
    norm = p.kernel_size * p.kernel_size * a.shape[1]
    for tc, rows, cols, dy, dx in _corr_terms(p, xp, a.shape):
        x1 = pa[:, :, rows[:, None], cols[None, :]]
        x2 = pb[:, :, (rows + dy)[:, None], (cols + dx)[None, :]]
        out[:, tc] += (x1 * x2 if p.is_multiply else xp.abs(x1 - x2)).sum(axis=1)
    return out / a.dtype.type(norm)


def _corr_backward(p, xp, og, ins, outs):
    a, b = ins
    pa, pb = _pad(xp, a, p.pad_size), _pad(xp, b, p.pad_size)
    da, db = xp.zeros(pa.shape, a.dtype), xp.zeros(pb.shape, b.dtype)
    norm = p.kernel_size * p.kernel_size * a.shape[1]
    g = og[0] / norm
    n, c = a.shape[:2]
    for tc, rows, cols, dy, dx in _corr_terms(p, xp, a.shape):
        r1, c1 = rows[:, None], cols[None, :]
        r2, c2 = (rows + dy)[:, None], (cols + dx)[None, :]
        x1, x2 = pa[:, :, r1, c1], pb[:, :, r2, c2]
        gt = g[:, tc][:, None]
        if p.is_multiply:
            ga, gb = gt * x2, gt * x1
        else:
            sgn = xp.where(x1 >= x2, 1.0, -1.0).astype(a.dtype)  # ties count as +1, as MXNet
            ga, gb = gt * sgn, -gt * sgn
        rr1, cc1 = xp.broadcast_arrays(r1, c1)
        rr2, cc2 = xp.broadcast_arrays(r2, c2)
        for ch in range(c):
            xp.add.at(da, (slice(None), ch, rr1, cc1), ga[:, ch])
            xp.add.at(db, (slice(None), ch, rr2, cc2), gb[:, ch])
    k = p.pad_size
    h, w = a.shape[2:]
    return [da[:, :, k : k + h, k : k + w], db[:, :, k : k + h, k : k + w]]


register_pair(
    "Correlation",
    _corr_forward,
    _corr_backward,
    params=_CORR_PARAMS,
    inputs=("data1", "data2"),
    infer_shape=_corr_shape,
    doc=(
        "FlowNet's correlation layer: for every displacement within max_displacement (step stride2),\n"
        "the mean over channels and a kernel_size window of data1 * shifted data2 (or |difference|).\n"
        "Output (N, (2 * (max_displacement // stride2) + 1) ** 2, H', W').\n\n"
        "Parameters: data1, data2 (N, C, H, W); kernel_size (1); max_displacement (1); stride1 (1);\n"
        "stride2 (1); pad_size (0); is_multiply (True).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.Correlation(mx.nd.ones((1, 1, 3, 3)), mx.nd.ones((1, 1, 3, 3)), pad_size=1).shape\n(1, 9, 3, 3)"
    ),
)

# -- ROIPooling ----------------------------------------------------------------------------


def _roi_bins(p, roi, h, w):
    """Per pooled cell the input window [hs, he) x [ws, we) of one ROI (MXNet's rounding)."""
    ph, pw = p.pooled_size
    x1, y1, x2, y2 = (int(np.floor(v * p.spatial_scale + 0.5)) for v in roi[1:5])
    rh, rw = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
    for i in range(ph):
        hs = min(max(int(np.floor(i * rh / ph)) + y1, 0), h)
        he = min(max(int(np.ceil((i + 1) * rh / ph)) + y1, 0), h)
        for j in range(pw):
            ws = min(max(int(np.floor(j * rw / pw)) + x1, 0), w)
            we = min(max(int(np.ceil((j + 1) * rw / pw)) + x1, 0), w)
            yield i, j, hs, he, ws, we


def _roip_forward(p, xp, data, rois):
    x = _host(data)
    r = _host(rois).astype(np.float64)
    n, c, h, w = x.shape
    out = np.zeros((len(r), c) + tuple(p.pooled_size), x.dtype)
    arg = np.full(out.shape, -1.0, x.dtype)
    for k, roi in enumerate(r):
        b = int(roi[0])
        for i, j, hs, he, ws, we in _roi_bins(p, roi, h, w):
            if he <= hs or we <= ws:
                continue
            win = x[b, :, hs:he, ws:we].reshape(c, -1)
            best = win.argmax(axis=1)
            out[k, :, i, j] = win[np.arange(c), best]
            arg[k, :, i, j] = (hs + best // (we - ws)) * w + ws + best % (we - ws)
    return xp.asarray(out), xp.asarray(arg)


def _roip_backward(p, xp, og, ins, outs):
    data, rois = ins
    g = _host(og[0])
    arg = _host(outs[1]).astype(np.int64)
    r = _host(rois)
    n, c, h, w = data.shape
    dx = np.zeros((n, c, h * w), g.dtype)
    for k in range(len(r)):
        b = int(r[k, 0])
        for ch in range(c):
            ok = arg[k, ch] >= 0
            np.add.at(dx[b, ch], arg[k, ch][ok], g[k, ch][ok])
    return [xp.asarray(dx.reshape(data.shape)), None]


def _roip_shape(p, s):
    data, rois = s
    if rois is not None and (len(rois) != 2 or rois[1] != 5):
        raise ShapeError(f"rois must be (num_rois, 5) rows [batch index, x1, y1, x2, y2], given {rois}")
    if data is not None and len(data) != 4:
        raise ShapeError(f"data must be 4-D (N, C, H, W), given {data}")
    if data is None or rois is None:
        return list(s), [None, None]
    out = (rois[0], data[1], *p.pooled_size)
    return list(s), [out, out]


register_pair(
    "ROIPooling",
    _roip_forward,
    _roip_backward,
    params={
        "pooled_size": Param("shape", doc="(height, width) of each pooled region"),
        "spatial_scale": Param("float", doc="factor from ROI coordinates to data coordinates"),
    },
    inputs=("data", "rois"),
    outputs=("output", "maxidx"),
    num_visible_outputs=lambda p: 1,
    infer_shape=_roip_shape,
    infer_type=lambda p, t: ([t[0], t[1] or t[0]], [t[0], t[0]]),
    no_grad_inputs=("rois",),
    doc=(
        "Max pooling of each region of interest into a pooled_size grid (Fast R-CNN).\n\n"
        "Parameters: data (N, C, H, W); rois (R, 5) [batch index, x1, y1, x2, y2]; pooled_size (required);\n"
        "spatial_scale (required).\n\n"
        ">>> import mxpy as mx\n>>> x = mx.nd.arange(16).reshape((1, 1, 4, 4))\n"
        ">>> mx.nd.ROIPooling(x, mx.nd.array([[0, 0, 0, 3, 3]]), pooled_size=(2, 2), spatial_scale=1.0).asnumpy().tolist()\n"
        "[[[[5.0, 7.0], [13.0, 15.0]]]]"
    ),
)
