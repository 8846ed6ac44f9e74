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
def forward_max(x, y, geo):
    """``y`` = the max over each (padded) window of ``x`` (overwrites ``y``)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    planes, h, wd = x.shape
    oh, ow = y.shape[1], y.shape[2]
    lowest = np.finfo(x.dtype).min
    # the outputs whose window holds every column inside the input: [full_lo, full_hi)
    full_lo, _ = _span(-pw, sw, wd, ow)
    _, full_hi = _span((kw - 1) * dw - pw, sw, wd, ow)
    for pl in range(planes):
        xp = x[pl]
        for r in range(oh):
            acc = y[pl, r]
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
def backward_max(dy, x, y, dx, geo):
    """``dx`` = the max-pool gradient: each ``dy`` to its window's first cell equal to ``y`` (overwrites ``dx``)."""
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    planes, h, wd = x.shape
    oh, ow = y.shape[1], y.shape[2]
    lowest = np.finfo(x.dtype).min
    for pl in range(planes):
        xp = x[pl]
        gp = dx[pl]
        gp[:, :] = 0
        for r in range(oh):
            for o in range(ow):
                target = y[pl, r, o]
                found = False
                for i in range(kh):
                    row = r * sh + i * dh - ph
                    for j in range(kw):
                        col = o * sw + j * dw - pw
                        inside = 0 <= row < h and 0 <= col < wd
                        v = xp[row, col] if inside else lowest
                        if v == target:
                            if inside:
                                gp[row, col] += dy[pl, r, o]
                            found = True
                            break
                    if found:
                        break
