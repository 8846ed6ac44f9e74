"""Compiled kernels of the inference convolutions (the optional ``numba`` extra).

Loaded by :mod:`mxpy.ops.nn._compiled` only (``load("conv_infer")``), so ``import
mxpy`` never loads Numba.

:func:`depthwise` is the forward of a 2-D depthwise convolution (``num_group`` equal
to the input channels) with a per-channel bias and an optional ReLU applied as the
result is written. Each input plane is first split into ``stride_h * stride_w``
zero-padded *phase planes* (phase ``(a, b)`` holds the padded rows ``a, a + sh, ...``
and columns ``b, b + sw, ...``). In a phase plane every kernel tap reads a block of
the same shape as the output, shifted by a constant: with the output rows laid out
``wq`` wide (the phase plane's width, a few columns wider than the output) each tap
is one contiguous multiply-add over the whole block, a long unit-stride loop that
LLVM vectorises, whatever the stride, padding or dilation. The extra columns are
computed and dropped. The accumulator is walked in blocks of rows that stay in the
L1 cache, and the bias and ReLU are applied when the block is copied out.

:func:`bias_act` and :func:`rows_to_batch` are the output passes of the 1x1 and
generic paths (``out += bias``, then ReLU, in one pass).

Array layouts: ``x`` ``(N, C, H, W)`` and ``y`` ``(N, F, OH, OW)`` C-contiguous,
``w`` ``(F, KH, KW)``, ``b`` ``(F,)``, ``F = C * m`` (output channel ``f`` reads
input channel ``f // m``); ``geo`` is ``(stride_h, stride_w, dilate_h, dilate_w,
pad_h, pad_w)``.
"""

from __future__ import annotations

import sys

import numba
import numpy as np

_OPTS = {"cache": True, "nogil": True, "boundscheck": False}
# accumulator elements per block of output rows (16 KB of float32: stays in L1)
_BLOCK = 4096
# 3x3 layers with output rows at least this wide are computed row by row, straight into
# the output; narrower ones (28x28 and below) by blocks of rows through the accumulator, where
# fewer, longer loops pay for the extra pass
_WIDE_ROWS = 56
# the paired copy of stride-2 rows reads two float32 as one 64-bit word, low half first
_LITTLE = sys.byteorder == "little"


@numba.njit(fastmath={"contract"}, **_OPTS)
def depthwise(x, w, b, y, geo, relu):
    """``y = act(depthwise_conv(x, w) + b)`` (overwrites ``y``; ``act`` is ReLU when ``relu``)."""
    sh, sw, dh, dw, ph, pw = geo
    n_img, c, h, wd = x.shape
    f, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    kh, kw = w.shape[1], w.shape[2]
    m = f // c
    # the phase planes: wq columns (the widest tap offset plus the output width), hq rows
    # (plus one: a tap's block may run one row past the last output row's end)
    wq = ow + ((kw - 1) * dw) // sw
    hq = oh + ((kh - 1) * dh) // sh + 1
    if kh == 3 and kw == 3 and ow >= _WIDE_ROWS:
        phases = np.zeros((sh * sw, hq * wq + wq), dtype=x.dtype)
        for n in range(n_img):
            for o in range(f):
                if o % m == 0:
                    _fill_phases(x[n, o // m], phases, 0, sh, sw, ph, pw, hq, wq)
                _rows_3x3(phases, w[o], b[o], y[n, o], sh, sw, dh, dw, wq, relu)
        return
    # narrower rows: the batch's planes of one channel stacked in the phase planes (image n's
    # rows from n * hq), so that each tap is one long loop over all of them; a tap never
    # reaches the next image's rows, and the rows computed between images are dropped
    span = hq * wq
    phases = np.zeros((sh * sw, n_img * span + wq), dtype=x.dtype)
    total = (n_img - 1) * hq + oh
    rows_per_block = max(1, _BLOCK // wq)
    acc = np.empty(min(total, rows_per_block) * wq, dtype=x.dtype)
    zero = y.dtype.type(0)
    for o in range(f):
        if o % m == 0:
            for n in range(n_img):
                _fill_phases(x[n, o // m], phases, n * span, sh, sw, ph, pw, hq, wq)
        bias = b[o]
        for r0 in range(0, total, rows_per_block):
            r1 = min(total, r0 + rows_per_block)
            lo = r0 * wq
            size = (r1 - r0) * wq
            # (slices indexed by range variables: no negative-index wraparound, so LLVM vectorises)
            blk = acc[:size]
            if kh == 3 and kw == 3:
                _block_3x3(phases, w[o], bias, blk, lo, sh, sw, dh, dw, wq)
            else:
                _block_taps(phases, w[o], bias, blk, lo, sh, sw, dh, dw, wq)
            for sr in range(r0, r1):
                n = sr // hq
                r = sr - n * hq
                if r >= oh:
                    continue
                row = y[n, o, r]
                got = blk[(sr - r0) * wq : (sr - r0) * wq + ow]
                if relu:
                    for k in range(ow):
                        v = got[k]
                        # NaN passes through, as np.maximum(v, 0) does
                        row[k] = zero if v < zero else v
                else:
                    for k in range(ow):
                        row[k] = got[k]


@numba.njit(fastmath={"contract"}, **_OPTS)
def _block_taps(phases, w, bias, blk, lo, sh, sw, dh, dw, wq):
    """A block of :func:`depthwise`'s accumulator (``blk``, rows from ``lo // wq``): the bias,
    then one contiguous multiply-add over the block per kernel tap."""
    size = blk.shape[0]
    kh, kw = w.shape
    for t in range(size):
        blk[t] = bias
    for i in range(kh):
        offh = i * dh
        for j in range(kw):
            offw = j * dw
            start = lo + (offh // sh) * wq + offw // sw
            src = phases[(offh % sh) * sw + offw % sw, start : start + size]
            wv = w[i, j]
            for t in range(size):
                blk[t] += wv * src[t]


@numba.njit(fastmath={"contract"}, **_OPTS)
def _rows_3x3(phases, w, bias, yo, sh, sw, dh, dw, wq, relu):
    """The 3x3 case of :func:`depthwise` for one plane with wide rows: each output row as
    one pass summing its nine taps, written straight into the output."""
    oh, ow = yo.shape
    zero = yo.dtype.type(0)
    w00, w01, w02 = w[0, 0], w[0, 1], w[0, 2]
    w10, w11, w12 = w[1, 0], w[1, 1], w[1, 2]
    w20, w21, w22 = w[2, 0], w[2, 1], w[2, 2]
    p0, p1, p2 = 0, dw % sw, (2 * dw) % sw
    c0, c1, c2 = 0, dw // sw, (2 * dw) // sw
    q0, q1, q2 = 0, (dh % sh) * sw, ((2 * dh) % sh) * sw
    d1, d2 = (dh // sh) * wq, ((2 * dh) // sh) * wq
    for r in range(oh):
        row = yo[r]
        r0 = r * wq
        r1 = r0 + d1
        r2 = r0 + d2
        a0 = phases[q0 + p0, r0 + c0 : r0 + c0 + ow]
        a1 = phases[q0 + p1, r0 + c1 : r0 + c1 + ow]
        a2 = phases[q0 + p2, r0 + c2 : r0 + c2 + ow]
        m0 = phases[q1 + p0, r1 + c0 : r1 + c0 + ow]
        m1 = phases[q1 + p1, r1 + c1 : r1 + c1 + ow]
        m2 = phases[q1 + p2, r1 + c2 : r1 + c2 + ow]
        z0 = phases[q2 + p0, r2 + c0 : r2 + c0 + ow]
        z1 = phases[q2 + p1, r2 + c1 : r2 + c1 + ow]
        z2 = phases[q2 + p2, r2 + c2 : r2 + c2 + ow]
        for k in range(ow):
            v = bias + w00 * a0[k] + w01 * a1[k] + w02 * a2[k] + w10 * m0[k] + w11 * m1[k] + w12 * m2[k] + w20 * z0[k] + w21 * z1[k] + w22 * z2[k]
            if relu and v < zero:  # NaN passes through, as np.maximum(v, 0) does
                v = zero
            row[k] = v


@numba.njit(fastmath={"contract"}, **_OPTS)
def _block_3x3(phases, w, bias, blk, lo, sh, sw, dh, dw, wq):
    """The 3x3 case of a block of :func:`depthwise`'s accumulator: one pass summing all
    nine taps (nine unit-stride reads and one write per element)."""
    size = blk.shape[0]
    w00, w01, w02 = w[0, 0], w[0, 1], w[0, 2]
    w10, w11, w12 = w[1, 0], w[1, 1], w[1, 2]
    w20, w21, w22 = w[2, 0], w[2, 1], w[2, 2]
    # each tap's phase plane and the start of its block there
    p0, p1, p2 = 0, dw % sw, (2 * dw) % sw
    c0, c1, c2 = 0, dw // sw, (2 * dw) // sw
    q0, q1, q2 = 0, (dh % sh) * sw, ((2 * dh) % sh) * sw
    r0, r1, r2 = lo, lo + (dh // sh) * wq, lo + ((2 * dh) // sh) * wq
    a0 = phases[q0 + p0, r0 + c0 : r0 + c0 + size]
    a1 = phases[q0 + p1, r0 + c1 : r0 + c1 + size]
    a2 = phases[q0 + p2, r0 + c2 : r0 + c2 + size]
    m0 = phases[q1 + p0, r1 + c0 : r1 + c0 + size]
    m1 = phases[q1 + p1, r1 + c1 : r1 + c1 + size]
    m2 = phases[q1 + p2, r1 + c2 : r1 + c2 + size]
    z0 = phases[q2 + p0, r2 + c0 : r2 + c0 + size]
    z1 = phases[q2 + p1, r2 + c1 : r2 + c1 + size]
    z2 = phases[q2 + p2, r2 + c2 : r2 + c2 + size]
    for t in range(size):
        blk[t] = bias + w00 * a0[t] + w01 * a1[t] + w02 * a2[t] + w10 * m0[t] + w11 * m1[t] + w12 * m2[t] + w20 * z0[t] + w21 * z1[t] + w22 * z2[t]


@numba.njit(**_OPTS)
def _fill_phases(plane, phases, base, sh, sw, ph, pw, hq, wq):
    """Copy ``plane`` ``(H, W)`` into the interior of the phase planes from element ``base``
    on (the padding stays 0)."""
    h, wd = plane.shape
    if _LITTLE and sw == 2 and plane.itemsize == 4 and wd % 2 == 0 and wd // 2 + (pw + 1) // 2 <= wq:
        _fill_pairs(plane, phases, base, sh, ph, pw, hq, wq)
        return
    for r in range(h):
        pr = r + ph
        rr = pr // sh
        if rr >= hq:
            break
        qr = pr % sh
        src = plane[r]
        if sw == 1:  # one contiguous run per row
            n_cols = min(wd, wq - pw)
            at = base + rr * wq + pw
            dst = phases[qr, at : at + n_cols]
            for mm in range(n_cols):
                dst[mm] = src[mm]
            continue
        for qc in range(sw):
            # padded column M * sw + qc holds input column M * sw + qc - pw
            m0 = max(0, (pw - qc + sw - 1) // sw)
            m1 = min(wq, (wd - 1 + pw - qc) // sw + 1)
            if m1 <= m0:
                continue
            dst = phases[qr * sw + qc, base + rr * wq + m0 : base + rr * wq + m1]
            got = src[m0 * sw + qc - pw :: sw]  # (a strided view: no index arithmetic in the loop)
            for mm in range(m1 - m0):
                dst[mm] = got[mm]


@numba.njit(**_OPTS)
def _fill_pairs(plane, phases, base, sh, ph, pw, hq, wq):
    """:func:`_fill_phases` for stride 2 along the rows of a 4-byte, even-width plane: each
    pair of columns read as one 64-bit word whose halves go to the two phase planes (a
    loop LLVM vectorises, 2-3x faster than strided copies). Little-endian: the low half is
    the even column."""
    h, wd = plane.shape
    src64 = plane.view(np.uint64)
    dst32 = phases.view(np.uint32)
    low = np.uint64(0xFFFFFFFF)
    shift = np.uint64(32)
    # padded column c + pw: even input columns go to phase pw % 2 at c // 2 + pw // 2,
    # odd ones to the other phase at c // 2 + (pw + 1) // 2
    q_even, q_odd = pw % 2, 1 - pw % 2
    s_even, s_odd = pw // 2, (pw + 1) // 2
    n = wd // 2
    for r in range(h):
        pr = r + ph
        rr = pr // sh
        if rr >= hq:
            break
        qr = pr % sh
        src = src64[r]
        at = base + rr * wq
        de = dst32[qr * 2 + q_even, at + s_even : at + s_even + n]
        do = dst32[qr * 2 + q_odd, at + s_odd : at + s_odd + n]
        for k in range(n):
            u = src[k]
            de[k] = np.uint32(u & low)
            do[k] = np.uint32(u >> shift)


@numba.njit(fastmath={"contract"}, inline="always", **_OPTS)
def _bias_act_row(src, dst, bias, relu):
    """``dst[:] = act(src + bias)`` (``src`` may be ``dst``): the ReLU test outside the loop."""
    zero = dst.dtype.type(0)
    if relu:
        for k in range(dst.shape[0]):
            v = src[k] + bias
            dst[k] = zero if v < zero else v
    else:
        for k in range(dst.shape[0]):
            dst[k] = src[k] + bias


@numba.njit(fastmath={"contract"}, **_OPTS)
def bias_act(y3, b, relu):
    """``y3[n, f, :] = act(y3[n, f, :] + b[f])`` in place (``y3`` is ``(N, F, P)``)."""
    for n in range(y3.shape[0]):
        for o in range(y3.shape[1]):
            _bias_act_row(y3[n, o], y3[n, o], b[o], relu)


@numba.njit(fastmath={"contract"}, **_OPTS)
def rows_to_batch(o2, b, relu, y3):
    """``y3[n, f, :] = act(o2[f, n*P:(n+1)*P] + b[f])``: a batch-last product back to ``(N, F, P)``."""
    p = y3.shape[2]
    for n in range(y3.shape[0]):
        for o in range(y3.shape[1]):
            _bias_act_row(o2[o, n * p : (n + 1) * p], y3[n, o], b[o], relu)
