"""2-D max pooling kernels compiled with Numba (the optional ``numba`` extra).

NumPy's max pooling makes a padded copy of the input and one strided
``maximum`` pass per kernel row and column; its gradient one compare, mask
and add pass per kernel tap. These loops read each ``(image, channel)`` plane
once, in cache. They give NumPy's results exactly: padding cells hold the
lowest float (they win only when a window holds nothing higher), NaN
propagates as ``np.maximum`` does, and the gradient goes to the first cell in
row-major window order that equals the output (nowhere when that cell is
padding, or the output is NaN), as MXNet 1.9.1 does.

Arguments: ``x``/``dx`` ``(P, H, W)`` and ``y``/``dy`` ``(P, OH, OW)`` C-contiguous
planes (``P = N * C``); ``geo`` is ``(kh, kw, sh, sw, dh, dw, ph, pw)``. Only
:mod:`mxpy.ops.nn.pooling` loads this module (through ``_compiled``).
"""

from __future__ import annotations

import numba
import numpy as np

_OPTS = {"cache": True, "nogil": True, "boundscheck": False}


@numba.njit(**_OPTS)
def _span(off: int, stride: int, size: int, out_len: int):
    """Outputs ``[lo, hi)`` whose input index ``o * stride + off`` lies in ``[0, size)``."""
    lo = 0 if off >= 0 else (-off + stride - 1) // stride
    hi = min(out_len, (size - 1 - off) // stride + 1)
    return lo, max(hi, lo)


@numba.njit(**_OPTS)
def _max_row(acc, src, lo: int, hi: int, off: int, stride: int):
    """``acc[o] = max(acc[o], src[o * stride + off])`` for ``o`` in ``[lo, hi)``.

    NaN from either side wins, as in np.maximum; the non-short-circuit ``|`` keeps the loop branch-free.
    """
    for o in range(lo, hi):
        v = src[o * stride + off]
        a = acc[o]
        acc[o] = v if (v > a) | (v != v) else a


@numba.njit(**_OPTS)
def _max_row2(acc, src, lo: int, hi: int, off: int):
    """:func:`_max_row` for stride 2, a constant in its own function: LLVM vectorises it (3-4x faster)."""
    for o in range(lo, hi):
        v = src[2 * o + off]
        a = acc[o]
        acc[o] = v if (v > a) | (v != v) else a


@numba.njit(**_OPTS)
def _mx(a, v):
    """np.maximum's choice between the running maximum ``a`` and ``v`` (NaN from either side wins)."""
    return v if (v > a) | (v != v) else a


@numba.njit(**_OPTS)
def _max_inner3(xp, yp, r_lo, r_hi, c_lo, c_hi, sh, sw, ph, pw):
    """``yp``'s outputs ``[r_lo, r_hi) x [c_lo, c_hi)`` of a 3x3 undilated window lying inside the plane.

    The 9 taps unrolled per output, in the generic path's order: ResNet's 3x3 stride-2
    pool 12.8 -> 6.7 ms for these outputs (8x64x112x112, one thread).
    """
    for r in range(r_lo, r_hi):
        row0 = r * sh - ph
        s0, s1, s2 = xp[row0], xp[row0 + 1], xp[row0 + 2]
        acc = yp[r]
        for o in range(c_lo, c_hi):
            c = o * sw - pw
            a = _mx(_mx(s0[c], s0[c + 1]), s0[c + 2])
            a = _mx(_mx(_mx(a, s1[c]), s1[c + 1]), s1[c + 2])
            acc[o] = _mx(_mx(_mx(a, s2[c]), s2[c + 1]), s2[c + 2])


@numba.njit(**_OPTS)
def _max_checked(xp, r, o, geo, lowest):
    """Output ``(r, o)`` of a window that may reach into the padding (whose cells hold ``lowest``)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    h, wd = xp.shape
    a = -np.inf
    clipped = False
    for i in range(kh):
        row = r * sh + i * dh - ph
        for j in range(kw):
            col = o * sw + j * dw - pw
            if 0 <= row < h and 0 <= col < wd:
                a = _mx(a, xp[row, col])
            else:
                clipped = True
    return (lowest if lowest > a else a) if clipped else a


@numba.njit(**_OPTS)
def _max_rows(xp, yp, r, lowest, full_lo, full_hi, geo):
    """Output row ``r`` of one plane, a strided ``maximum`` pass per tap (any window)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    h, wd = xp.shape
    ow = yp.shape[1]
    acc = yp[r]
    acc[:] = -np.inf
    clipped_rows = False
    for i in range(kh):
        row = r * sh + i * dh - ph
        if row < 0 or row >= h:
            clipped_rows = True
            continue
        src = xp[row]
        for j in range(kw):
            off = j * dw - pw
            lo, hi = _span(off, sw, wd, ow)
            if sw == 2:
                _max_row2(acc, src, lo, hi, off)
            else:
                _max_row(acc, src, lo, hi, off, sw)
    # windows reaching into the padding also hold the lowest float
    edge = ow if clipped_rows else min(full_lo, ow)
    for o in range(edge):
        a = acc[o]
        acc[o] = lowest if lowest > a else a
    for o in range(max(edge, full_hi), ow):
        a = acc[o]
        acc[o] = lowest if lowest > a else a


@numba.njit(**_OPTS)
def forward_max(x, y, geo):
    """``y`` = the max over each (padded) window of ``x`` (overwrites ``y``)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    planes, h, wd = x.shape
    oh, ow = y.shape[1], y.shape[2]
    lowest = np.finfo(x.dtype).min
    # the outputs whose window holds every column inside the input: [full_lo, full_hi)
    full_lo, _ = _span(-pw, sw, wd, ow)
    _, full_hi = _span((kw - 1) * dw - pw, sw, wd, ow)
    # ... and every row: [r_lo, r_hi)
    r_lo, _ = _span(-ph, sh, h, oh)
    _, r_hi = _span((kh - 1) * dh - ph, sh, h, oh)
    c_lo, c_hi = full_lo, max(full_lo, full_hi)
    r_hi = max(r_lo, r_hi)
    three = kh == 3 and kw == 3 and dh == 1 and dw == 1
    for pl in range(planes):
        xp, yp = x[pl], y[pl]
        if not three:
            for r in range(oh):
                _max_rows(xp, yp, r, lowest, full_lo, full_hi, geo)
            continue
        _max_inner3(xp, yp, r_lo, r_hi, c_lo, c_hi, sh, sw, ph, pw)
        for r in range(oh):
            if r < r_lo or r >= r_hi:
                _max_rows(xp, yp, r, lowest, full_lo, full_hi, geo)
            else:
                for o in range(c_lo):
                    yp[r, o] = _max_checked(xp, r, o, geo, lowest)
                for o in range(c_hi, ow):
                    yp[r, o] = _max_checked(xp, r, o, geo, lowest)


@numba.njit(**_OPTS)
def _first_max_inner(xp, gp, yp, dp, r_lo, r_hi, c_lo, c_hi, geo):
    """The gradient of the outputs ``[r_lo, r_hi) x [c_lo, c_hi)``, whose windows lie inside the plane.

    The first match in window order is found by selects from the last tap back: no early
    exit, whose branch the maximum's random place keeps mispredicting.
    """
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    for r in range(r_lo, r_hi):
        row0 = r * sh - ph
        for o in range(c_lo, c_hi):
            target = yp[r, o]
            col0 = o * sw - pw
            best = -1
            for i in range(kh - 1, -1, -1):
                row = row0 + i * dh
                for j in range(kw - 1, -1, -1):
                    best = i * kw + j if xp[row, col0 + j * dw] == target else best
            if best >= 0:
                bi = best // kw
                gp[row0 + bi * dh, col0 + (best - bi * kw) * dw] += dp[r, o]


@numba.njit(**_OPTS)
def _first_max_inner3(xp, gp, yp, dp, r_lo, r_hi, c_lo, c_hi, sh, sw, ph, pw):
    """:func:`_first_max_inner` for a 3x3 undilated window, its loops unrolled (2.3x faster)."""
    for r in range(r_lo, r_hi):
        row0 = r * sh - ph
        for o in range(c_lo, c_hi):
            target = yp[r, o]
            col0 = o * sw - pw
            best = -1
            for i in range(2, -1, -1):
                for j in range(2, -1, -1):
                    best = i * 3 + j if xp[row0 + i, col0 + j] == target else best
            if best >= 0:
                bi = best // 3
                gp[row0 + bi, col0 + best - bi * 3] += dp[r, o]


@numba.njit(**_OPTS)
def _first_max_checked(xp, gp, yp, dp, r, o, geo, lowest):
    """The gradient of output ``(r, o)`` whose window may reach into the padding (never chosen)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    h, wd = xp.shape
    target = yp[r, o]
    for i in range(kh):
        row = r * sh + i * dh - ph
        for j in range(kw):
            col = o * sw + j * dw - pw
            inside = 0 <= row < h and 0 <= col < wd
            v = xp[row, col] if inside else lowest
            if v == target:
                if inside:
                    gp[row, col] += dp[r, o]
                return


@numba.njit(**_OPTS)
def backward_max(dy, x, y, dx, geo):
    """``dx`` = the max-pool gradient: each ``dy`` to its window's first cell equal to ``y`` (overwrites ``dx``).

    Windows wholly inside the plane (all but its border ones) take a scan without the
    padding checks, unrolled for 3x3 windows: ResNet's 3x3 stride-2 pool 27 -> 12 ms
    (8x64x112x112, one thread).
    """
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    planes, h, wd = x.shape
    oh, ow = y.shape[1], y.shape[2]
    lowest = np.finfo(x.dtype).min
    # the outputs whose window lies inside the plane: rows [r_lo, r_hi), columns [c_lo, c_hi)
    r_lo, _ = _span(-ph, sh, h, oh)
    _, r_hi = _span((kh - 1) * dh - ph, sh, h, oh)
    c_lo, _ = _span(-pw, sw, wd, ow)
    _, c_hi = _span((kw - 1) * dw - pw, sw, wd, ow)
    r_hi, c_hi = max(r_lo, r_hi), max(c_lo, c_hi)
    three = kh == 3 and kw == 3 and dh == 1 and dw == 1
    for pl in range(planes):
        xp, gp, yp, dp = x[pl], dx[pl], y[pl], dy[pl]
        gp[:, :] = 0
        if three:
            _first_max_inner3(xp, gp, yp, dp, r_lo, r_hi, c_lo, c_hi, sh, sw, ph, pw)
        else:
            _first_max_inner(xp, gp, yp, dp, r_lo, r_hi, c_lo, c_hi, geo)
        for r in range(oh):
            inner_row = r_lo <= r < r_hi
            for o in range(ow):
                if not (inner_row and c_lo <= o < c_hi):
                    _first_max_checked(xp, gp, yp, dp, r, o, geo, lowest)
