"""Column sums of a 2-D convolution's data gradient compiled with Numba (the optional ``numba`` extra).

The data gradient of a strided layer is ``col2im(W^T dy)``: each column entry
added back into the input cell its tap read. NumPy does it one strided slab
per tap over the whole batch, then a transposed copy into the output; here a
block of images at a time adds its columns (still in cache from the GEMM that
made them) plane by plane into the gradient's own buffer. Loaded by
:mod:`mxpy.ops.nn._compiled` only.
"""

from __future__ import annotations

import numba

from ._pool_numba import _OPTS, _span  # the same output-range rule as pooling's windows


@numba.njit(**_OPTS)
def col2im(cols, dx, out_h, out_w, geo):
    """``dx`` (overwritten) = the sum of ``cols`` into the cells their taps read.

    ``cols`` ``(N, C * KH * KW, OH * OW)`` (channel, then taps row-major), ``dx``
    ``(N, C, H, W)``; ``geo`` is ``(kh, kw, sh, sw, dh, dw, ph, pw)``.
    """
    kh, kw, sh, sw, dh, dw, ph, pw = geo
    n, c, h, wd = dx.shape
    for b in range(n):
        for ch in range(c):
            plane = dx[b, ch]
            plane[:, :] = 0
            for i in range(kh):
                r_lo, r_hi = _span(i * dh - ph, sh, h, out_h)
                for j in range(kw):
                    c_lo, c_hi = _span(j * dw - pw, sw, wd, out_w)
                    src = cols[b, (ch * kh + i) * kw + j]
                    off = j * dw - pw
                    for r in range(r_lo, r_hi):
                        dst = plane[r * sh + i * dh - ph]
                        base = r * out_w
                        for o in range(c_lo, c_hi):
                            dst[o * sw + off] += src[base + o]
