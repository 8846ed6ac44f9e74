"""_contrib_DeformableConvolution (v1) and _contrib_ModulatedDeformableConvolution (v2).

A deformable convolution is a 2-D convolution whose kernel taps read the input
at learned fractional positions: tap ``(i, j)`` of output ``(y, x)`` reads
``(y*stride - pad + i*dilate + offset_h, x*stride - pad + j*dilate + offset_w)``
by bilinear interpolation. The offsets come per output position from the
``offset`` input, laid out ``(N, num_deformable_group * kh*kw * 2, Ho, Wo)``
with ``(dy, dx)`` pairs per tap; the channels of the data are split into
``num_deformable_group`` groups that each use their own offsets. The modulated
version multiplies each sample by ``mask`` ``(N, num_deformable_group*kh*kw, Ho, Wo)``.

The kernel is vectorised: the four bilinear corners of every sample are
gathered at once (rows of channel-last data, so one index serves a whole
channel group) into batch-last im2col columns ``(C*kh*kw, N*Ho*Wo)``, and one
GEMM per convolution group does the rest. The gradients are the transposes:
a GEMM back to columns, then a row scatter-add of the columns onto the data
through the same corners and weights.

Sampling rules follow MXNet 1.9.1's CPU kernels: v1 reads a sample only when
``0 <= h < H`` and ``0 <= w < W`` and clamps the far corner to the last row or
column; v2 reads a sample when ``-1 < h < H`` and ``-1 < w < W`` and treats
corners outside the image as zeros. Gradients are the derivatives of exactly
these forwards (MXNet computes the v2 gradients on GPU only; mxpy on every device).
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import Param, ShapeError, merge_shape, names
from .._pair import register_pair
from ..nn import _im2col as im
from ..nn.embedding import scatter_add_rows

_PARAMS = {
    "kernel": Param("shape", doc="convolution kernel size (h, w)"),
    "stride": Param("shape", (), doc="convolution stride (h, w); default 1 in each dim"),
    "dilate": Param("shape", (), doc="convolution dilation (h, w); default 1 in each dim"),
    "pad": Param("shape", (), doc="zero padding (h, w); default 0 in each dim"),
    "num_filter": Param("int", low=1, doc="number of output channels"),
    "num_group": Param("int", 1, low=1, doc="number of groups the channels are split into (grouped convolution)"),
    "num_deformable_group": Param("int", 1, low=1, doc="number of channel groups that each have their own offsets"),
    "workspace": Param("int", 1024, low=0, doc="temporary workspace limit in MB (accepted; NumPy/CuPy manage memory)"),
    "no_bias": Param("bool", False, doc="omit the bias term"),
    "layout": im.layout_param(("NCW", "NCHW", "NCDHW")),
}
_MOD_PARAMS = dict(_PARAMS)
_MOD_PARAMS["im2col_step"] = Param("int", 64, doc="images per im2col batch in MXNet (accepted; mxpy samples the whole batch at once)")


def _geometry(name: str, p):
    if len(p.kernel) != 2:
        raise ShapeError(f"{name} supports 2-D kernels only, given kernel={tuple(p.kernel)}")
    if p.layout not in (None, "None", "NCHW"):
        raise ShapeError(f"{name} supports layout NCHW only, given layout={p.layout}")
    return im.geometry(name, p, 2)


def _shape_rule(name: str, modulated: bool):
    def infer(p, in_shapes):
        geo = _geometry(name, p)
        k = math.prod(geo["kernel"])
        dg = p.num_deformable_group
        shapes = list(in_shapes)
        data = shapes[0]
        if data is None:
            return shapes, [None]
        if len(data) != 4:
            raise ShapeError(f"data must be 4-D (batch, channel, height, width), given {data}")
        n, c = data[:2]
        if p.num_filter % p.num_group:
            raise ShapeError(f"num_filter={p.num_filter} must be divisible by num_group={p.num_group}")
        if c % p.num_group or c % dg:
            raise ShapeError(f"data channels {c} must be divisible by num_group={p.num_group} and num_deformable_group={dg}")
        out_sp = tuple(im.conv_out_len(d, kk, s, dl, q) for d, kk, s, dl, q in zip(data[2:], geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]))
        shapes[1] = merge_shape(shapes[1], (n, dg * 2 * k, *out_sp), "offset", f"(batch, num_deformable_group*2*kh*kw, out_h, out_w) for data {data}")
        w_at = 3 if modulated else 2
        if modulated:
            shapes[2] = merge_shape(shapes[2], (n, dg * k, *out_sp), "mask", f"(batch, num_deformable_group*kh*kw, out_h, out_w) for data {data}")
        shapes[w_at] = merge_shape(shapes[w_at], (p.num_filter, c // p.num_group, *geo["kernel"]), "weight", "(num_filter, channels/num_group, kh, kw)")
        if not p.no_bias:
            shapes[w_at + 1] = merge_shape(shapes[w_at + 1], (p.num_filter,), "bias", f"(num_filter,) = ({p.num_filter},)")
        return shapes, [(n, p.num_filter, *out_sp)]

    return infer


def _axis(xp, coord, size: int, modulated: bool):
    """Bilinear corners along one axis: (low, high, frac, dfrac/dcoord, low in range, high in range)."""
    low_f = xp.floor(coord)
    frac = coord - low_f
    low = low_f.astype(np.int64)
    high = low + 1
    if modulated:
        return low, high, frac, 1.0, low >= 0, high <= size - 1
    # v1 clamps at the far border: both corners on the last row, which then weighs 1
    edge = low >= size - 1
    low = xp.where(edge, size - 1, low)
    high = xp.where(edge, size - 1, high)
    frac = xp.where(edge, 0, frac)
    return low, high, frac, (~edge).astype(coord.dtype), True, True


def _corners(xp, p, geo, x_shape, offset, modulated: bool):
    """Per sample ``(N, dg, K*L)``: the 4 corners' flat indices, weights and d weight/d(h, w)."""
    n, _, hgt, wid = x_shape
    kh, kw = geo["kernel"]
    ho, wo = offset.shape[2:]
    dg = p.num_deformable_group
    dt = offset.dtype
    base_h = (xp.arange(ho) * geo["stride"][0] - geo["pad"][0])[None, :] + (xp.arange(kh) * geo["dilate"][0])[:, None]  # (kh, Ho)
    base_w = (xp.arange(wo) * geo["stride"][1] - geo["pad"][1])[None, :] + (xp.arange(kw) * geo["dilate"][1])[:, None]  # (kw, Wo)
    off = offset.reshape(n, dg, kh, kw, 2, ho, wo)
    h = base_h[:, None, :, None].astype(dt) + off[:, :, :, :, 0]  # (N, dg, kh, kw, Ho, Wo)
    w = base_w[None, :, None, :].astype(dt) + off[:, :, :, :, 1]
    h = h.reshape(n, dg, -1)
    w = w.reshape(n, dg, -1)
    if modulated:
        valid = (h > -1) & (w > -1) & (h < hgt) & (w < wid)
    else:
        valid = (h >= 0) & (w >= 0) & (h < hgt) & (w < wid)
    hl, hh, fh, dfh, okhl, okhh = _axis(xp, h, hgt, modulated)
    wl, wh, fw, dfw, okwl, okwh = _axis(xp, w, wid, modulated)
    out = []
    for hi, oh, wth, dwth in ((hl, okhl, 1 - fh, -dfh), (hh, okhh, fh, dfh)):
        for wi, ow, wtw, dwtw in ((wl, okwl, 1 - fw, -dfw), (wh, okwh, fw, dfw)):
            ok = (valid & oh & ow).astype(dt)
            idx = xp.clip(hi, 0, hgt - 1) * wid + xp.clip(wi, 0, wid - 1)
            out.append((idx, wth * wtw * ok, dwth * wtw * ok, wth * dwtw * ok))
    return out


def _split(modulated: bool, ins):
    if modulated:
        return ins[0], ins[1], ins[2], ins[3], (ins[4] if len(ins) > 4 else None)
    return ins[0], ins[1], None, ins[2], (ins[3] if len(ins) > 3 else None)


def _samples(xp, p, geo, x, offset, mask, modulated):
    """Every sample as a row of its group's channels.

    Returns the masked samples (N, dg, S, Cg) with S = kh*kw*Ho*Wo, the corners
    (flat row indices into the channel-last data (N*dg*H*W, Cg), weights and
    their derivatives), the corner values, and the unmasked samples. Rows of
    channel-last data are gathered whole, so an index serves all Cg channels.
    """
    n, c, hgt, wid = x.shape
    dg = p.num_deformable_group
    xt = xp.ascontiguousarray(x.reshape(n, dg, c // dg, hgt * wid).transpose(0, 1, 3, 2)).reshape(n * dg * hgt * wid, c // dg)
    base = (xp.arange(n * dg, dtype=np.int64) * (hgt * wid)).reshape(n, dg, 1)
    corners = [(base + idx, wt, dwh, dww) for idx, wt, dwh, dww in _corners(xp, p, geo, x.shape, offset, modulated)]
    vals = [xp.take(xt, rows, axis=0) for rows, _, _, _ in corners]  # (N, dg, S, Cg) each
    sample = sum(v * wt[..., None] for v, (_, wt, _, _) in zip(vals, corners))
    cols = sample if mask is None else sample * mask.reshape(n, dg, -1, 1)
    return cols, corners, vals, sample


def _to_gemm(cols, g: int, k: int, lsz: int):
    """(N, dg, K*L, Cg) samples -> batch-last im2col columns (g, C/g*K, N*L), in the weight's (channel, tap) order.

    With the batch folded into the columns, each convolution group is one GEMM.
    """
    n, dg, _, cg = cols.shape
    return cols.reshape(n, dg, k, lsz, cg).transpose(1, 4, 2, 0, 3).reshape(g, -1, n * lsz)


def _forward_for(name: str, modulated: bool):
    def forward(p, xp, *ins):
        x, offset, mask, weight, bias = _split(modulated, ins)
        geo = _geometry(name, p)
        n = x.shape[0]
        g = p.num_group
        f = p.num_filter
        lsz = offset.shape[2] * offset.shape[3]
        cols, _, _, _ = _samples(xp, p, geo, x, offset, mask, modulated)
        out = xp.matmul(weight.reshape(g, f // g, -1), _to_gemm(cols, g, math.prod(geo["kernel"]), lsz))  # (g, F/g, N*L)
        out = out.reshape(f, n, lsz).transpose(1, 0, 2)
        if bias is not None:
            out = out + bias.reshape(1, f, 1)
        return out.reshape(n, f, *offset.shape[2:]).astype(x.dtype, copy=False)

    return forward


def _backward_for(name: str, modulated: bool):
    def backward(p, xp, og, ins, outs):
        x, offset, mask, weight, bias = _split(modulated, ins)
        geo = _geometry(name, p)
        n, c, hgt, wid = x.shape
        dg = p.num_deformable_group
        g = p.num_group
        f = p.num_filter
        k = math.prod(geo["kernel"])
        lsz = offset.shape[2] * offset.shape[3]
        cg = c // dg
        dy = og[0].reshape(n, f, lsz).transpose(1, 0, 2).reshape(g, f // g, n * lsz)  # batch-last, as the columns
        cols, corners, vals, sample = _samples(xp, p, geo, x, offset, mask, modulated)
        dweight = xp.matmul(dy, _to_gemm(cols, g, k, lsz).transpose(0, 2, 1)).reshape(weight.shape)
        dcols = xp.matmul(weight.reshape(g, f // g, -1).transpose(0, 2, 1), dy)  # (g, C/g*K, N*L)
        dcols = dcols.reshape(dg, cg, k, n, lsz).transpose(3, 0, 2, 4, 1).reshape(n, dg, k * lsz, cg)
        dsample = dcols if mask is None else dcols * mask.reshape(n, dg, -1, 1)
        # data: every corner's share of the sample gradient goes back to its pixel's row
        dxt = xp.zeros((n * dg * hgt * wid, cg), dtype=dsample.dtype)
        for rows, wt, _, _ in corners:
            scatter_add_rows(xp, dxt, rows.ravel(), (dsample * wt[..., None]).reshape(-1, cg))
        dx = dxt.reshape(n, dg, hgt * wid, cg).transpose(0, 1, 3, 2).reshape(x.shape)
        # offsets: the derivative of the bilinear weights along h and along w
        dh = sum(v * dwh[..., None] for v, (_, _, dwh, _) in zip(vals, corners))
        dw = sum(v * dww[..., None] for v, (_, _, _, dww) in zip(vals, corners))
        doff_h = (dsample * dh).sum(axis=3).reshape(n, dg, k, 1, lsz)
        doff_w = (dsample * dw).sum(axis=3).reshape(n, dg, k, 1, lsz)
        doffset = xp.concatenate([doff_h, doff_w], axis=3).reshape(offset.shape)
        grads = [dx, doffset]
        if modulated:
            grads.append((dcols * sample).sum(axis=3).reshape(mask.shape))
        grads.append(dweight)
        if bias is not None:
            grads.append(og[0].sum(axis=(0, 2, 3)))
        return grads

    return backward


@names("data", "offset", "weight", "bias")
def _inputs(p) -> list[str]:
    return ["data", "offset", "weight"] if p.no_bias else ["data", "offset", "weight", "bias"]


@names("data", "offset", "mask", "weight", "bias")
def _mod_inputs(p) -> list[str]:
    return ["data", "offset", "mask", "weight"] if p.no_bias else ["data", "offset", "mask", "weight", "bias"]


_PARAM_DOC = (
    "kernel (required, (kh, kw)); stride, dilate, pad ((h, w); defaults 1, 1, 0); num_filter (required);\n"
    "num_group (1); num_deformable_group (1); workspace (1024, accepted); no_bias (False); layout (None = NCHW)"
)

register_pair(
    "_contrib_DeformableConvolution",
    _forward_for("DeformableConvolution", False),
    _backward_for("DeformableConvolution", False),
    params=_PARAMS,
    inputs=_inputs,
    infer_shape=_shape_rule("DeformableConvolution", False),
    doc=(
        "2-D deformable convolution (v1): each kernel tap reads the data at a learned offset by bilinear interpolation.\n\n"
        "Inputs: data (N, C, H, W); offset (N, num_deformable_group*2*kh*kw, Ho, Wo), (dy, dx) per tap;\n"
        "weight (num_filter, C/num_group, kh, kw); bias (num_filter,) unless no_bias.\n"
        f"Parameters: {_PARAM_DOC}.\n\n"
        ">>> import mxpy as mx\n"
        ">>> x = mx.nd.ones((1, 2, 4, 4))\n"
        ">>> y = mx.nd.contrib.DeformableConvolution(x, mx.nd.zeros((1, 18, 4, 4)), mx.nd.ones((3, 2, 3, 3)),\n"
        "...     mx.nd.zeros((3,)), kernel=(3, 3), pad=(1, 1), num_filter=3)\n"
        ">>> y.shape, float(y[0, 0, 1, 1].asscalar())\n"
        "((1, 3, 4, 4), 18.0)"
    ),
)

register_pair(
    "_contrib_ModulatedDeformableConvolution",
    _forward_for("ModulatedDeformableConvolution", True),
    _backward_for("ModulatedDeformableConvolution", True),
    params=_MOD_PARAMS,
    inputs=_mod_inputs,
    infer_shape=_shape_rule("ModulatedDeformableConvolution", True),
    doc=(
        "2-D modulated deformable convolution (v2): deformable convolution whose samples are scaled by a mask.\n\n"
        "Inputs: data (N, C, H, W); offset (N, num_deformable_group*2*kh*kw, Ho, Wo), (dy, dx) per tap;\n"
        "mask (N, num_deformable_group*kh*kw, Ho, Wo); weight (num_filter, C/num_group, kh, kw); bias unless no_bias.\n"
        f"Parameters: {_PARAM_DOC}; im2col_step (64, accepted).\n\n"
        ">>> import mxpy as mx\n"
        ">>> x = mx.nd.ones((1, 2, 4, 4))\n"
        ">>> y = mx.nd.contrib.ModulatedDeformableConvolution(x, mx.nd.zeros((1, 18, 4, 4)), 0.5 * mx.nd.ones((1, 9, 4, 4)),\n"
        "...     mx.nd.ones((3, 2, 3, 3)), kernel=(3, 3), pad=(1, 1), num_filter=3, no_bias=True)\n"
        ">>> y.shape, float(y[0, 0, 1, 1].asscalar())\n"
        "((1, 3, 4, 4), 9.0)"
    ),
)
