"""Depthwise convolution kernels compiled with Numba (the optional ``numba`` extra).

A depthwise layer (``num_group`` equal to the input channels, as in MobileNet)
is a handful of multiply-adds per output: as im2col + GEMM it spends its time
copying columns and running ``C`` tiny products, 5-10x slower than these loops
(see docs/cpu_speed.md). The forward is :mod:`._conv_infer_numba`'s phase-plane
kernel. The gradients walk one ``(image, channel)`` plane at a time, which stays
in the L1/L2 cache, and for every kernel tap add ``weight * input`` over the
output rows the tap reaches; with stride 1 along the width the inner loop is a
unit-stride run that LLVM vectorises.

Only :mod:`mxpy.ops.nn._depthwise` imports this module, and only on the first
depthwise convolution: ``import mxpy`` never loads Numba. ``cache=True``
keeps the compiled code on disk, so only the first process pays the compile.

Layout of every kernel's arguments: ``x``/``dx`` ``(N, C, H, W)`` and
``y``/``dy`` ``(N, F, OH, OW)`` C-contiguous, ``w``/``dw`` ``(F, KH, KW)``,
with ``F = C * m`` (output channel ``f`` reads input channel ``f // m``);
``geo`` is ``(stride_h, stride_w, dilate_h, dilate_w, pad_h, pad_w)``.
"""

from __future__ import annotations

import numba
import numpy as np

from . import _conv_infer_numba as _fast

_OPTS = {"cache": True, "nogil": True, "boundscheck": False}


@numba.njit(fastmath={"contract"}, **_OPTS)
def _span(off: int, stride: int, size: int, out_len: int):
    """Outputs ``[lo, hi)`` whose input index ``o * stride + off`` lies in ``[0, size)``."""
    lo = 0 if off >= 0 else (-off + stride - 1) // stride
    hi = min(out_len, (size - 1 - off) // stride + 1)
    return lo, max(hi, lo)


@numba.njit(**_OPTS)
def forward(x, w, y, geo):
    """``y = depthwise_conv(x, w)`` (overwrites ``y``): the phase-plane kernel of
    ``_conv_infer_numba`` with a zero bias (2-3x faster than tap-by-tap loops over planes)."""
    _fast.depthwise(x, w, np.zeros(y.shape[1], dtype=y.dtype), y, geo, False)


@numba.njit(fastmath={"contract"}, **_OPTS)
def backward_data(dy, w, dx, geo):
    """``dx`` = the data gradient of :func:`forward` for head gradient ``dy`` (overwrites ``dx``)."""
    sh, sw, dh, dw, ph, pw = geo
    n_img, c, h, wd = dx.shape
    f, oh, ow = dy.shape[1], dy.shape[2], dy.shape[3]
    kh, kw = w.shape[1], w.shape[2]
    m = f // c
    dxf = dx.reshape(n_img * c, h * wd)
    dyf = dy.reshape(n_img * f, oh * ow)
    for n in range(n_img):
        for o in range(f):
            dst = dxf[n * c + o // m]
            if o % m == 0:  # the first output channel reading this input channel
                dst[:] = 0
            src = dyf[n * f + o]
            for i in range(kh):
                offh = i * dh - ph
                lo_h, hi_h = _span(offh, sh, h, oh)
                for j in range(kw):
                    offw = j * dw - pw
                    lo, hi = _span(offw, sw, wd, ow)
                    wv = w[o, i, j]
                    for r in range(lo_h, hi_h):
                        xs = dst[(r * sh + offh) * wd + lo * sw + offw :]
                        ys = src[r * ow + lo :]
                        if sw == 1:
                            for k in range(hi - lo):
                                xs[k] += wv * ys[k]
                        else:
                            for k in range(hi - lo):
                                xs[k * sw] += wv * ys[k]


@numba.njit(fastmath={"contract"}, **_OPTS)
def backward_weight(dy, x, dw_out, geo):
    """``dw_out`` = the weight gradient of :func:`forward` (overwrites it; sums in float64)."""
    sh, sw, dh, dw, ph, pw = geo
    n_img, c, h, wd = x.shape
    f, oh, ow = dy.shape[1], dy.shape[2], dy.shape[3]
    kh, kw = dw_out.shape[1], dw_out.shape[2]
    m = f // c
    xf = x.reshape(n_img * c, h * wd)
    dyf = dy.reshape(n_img * f, oh * ow)
    acc = np.zeros((f, kh, kw), dtype=np.float64)
    for n in range(n_img):
        for o in range(f):
            src = xf[n * c + o // m]
            g = dyf[n * f + o]
            for i in range(kh):
                offh = i * dh - ph
                lo_h, hi_h = _span(offh, sh, h, oh)
                for j in range(kw):
                    offw = j * dw - pw
                    lo, hi = _span(offw, sw, wd, ow)
                    s = 0.0
                    for r in range(lo_h, hi_h):
                        xs = src[(r * sh + offh) * wd + lo * sw + offw :]
                        gs = g[r * ow + lo :]
                        for k in range(hi - lo):
                            s += gs[k] * xs[k * sw]
                    acc[o, i, j] += s
    for o in range(f):
        for i in range(kh):
            for j in range(kw):
                dw_out[o, i, j] = acc[o, i, j]
