"""Winograd F(2x2, 3x3) tile transforms compiled with Numba (the optional ``numba`` extra).

A 3x3 stride-1 convolution computes each 2x2 block of outputs from a 4x4 tile
of input with 16 products per (input channel, filter) pair instead of im2col's
36 (Lavin and Gray, 2015). The products are 16 independent GEMMs that NumPy's
BLAS runs (see :mod:`mxpy.ops.nn._winograd`); these kernels do the two
transforms around them, which are only additions and subtractions: the
F(2x2, 3x3) matrices hold 0 and +-1 (and 1/2 in the weight transform, done in
NumPy), so the result loses about a factor 2 of float32 precision against the
direct sum, not the 10-50x of the larger F(4x4, 3x3) tiles.

Tiles are numbered by tile row ``r = image * tiles_h + tile_y`` and column
``tx``; a call handles the tile rows ``[r0, r1)`` so that the caller can keep
its transformed block in cache. Layouts: ``x`` ``(N, C, H, W)`` and ``y``
``(N, F, OH, OW)`` C-contiguous; ``v`` ``(16, C, T)`` and ``m`` ``(16, F, T)``
with ``T = (r1 - r0) * tiles_w`` and column ``(r - r0) * tiles_w + tx``.

Only :mod:`mxpy.ops.nn._winograd` imports this module, on the first layer that
takes the path: ``import mxpy`` never loads Numba.
"""

from __future__ import annotations

import numba
import numpy as np

_OPTS = {"cache": True, "nogil": True, "boundscheck": False}


@numba.njit(fastmath={"contract"}, **_OPTS)
def input_tiles(x, v, pad_h, pad_w, tiles_h, tiles_w, r0, r1):
    """``v[:, c, t]`` = ``B^T d B`` of each 4x4 input tile ``d`` (zero outside the image)."""
    n_img, c_in, h, wd = x.shape
    width = 2 * tiles_w + 2
    most = min(tiles_h, r1 - r0) + 1
    buf = np.zeros(width, dtype=x.dtype)  # one input row, zero-padded
    # separable: each padded row transformed along the row once (d0 - d2, d1 + d2, d2 - d1,
    # d1 - d3 of each tile's 4 columns), the even rows into ue and the odd ones into uo, flat
    # over (row pair, tile column): ue[k, j * tiles_w + tx] holds padded row 2j. Tile row ty
    # reads rows 2ty .. 2ty + 3 = ue[ty], uo[ty], ue[ty + 1], uo[ty + 1], so the same combination
    # down the columns runs over all the tile rows of an image in one long unit-stride loop
    # per value (per tile row, 16-tile loops ran 1.2x slower; one tile at a time with 16
    # scattered stores 5x slower)
    ue = np.empty((4, most * tiles_w), dtype=x.dtype)
    uo = np.empty((4, most * tiles_w), dtype=x.dtype)
    for n in range(r0 // tiles_h, (r1 - 1) // tiles_h + 1):
        ty0 = max(r0 - n * tiles_h, 0)
        ty1 = min(r1 - n * tiles_h, tiles_h)
        base = (n * tiles_h + ty0 - r0) * tiles_w
        row0 = 2 * ty0 - pad_h
        nrows = 2 * (ty1 - ty0) + 2
        c_lo = pad_w
        c_hi = min(width, wd + pad_w)
        span = (ty1 - ty0) * tiles_w
        for ch in range(c_in):
            for i in range(nrows):
                row = row0 + i
                dst = ue if i % 2 == 0 else uo
                off = (i // 2) * tiles_w
                if row < 0 or row >= h:
                    for k in range(4):
                        for tx in range(tiles_w):
                            dst[k, off + tx] = 0
                    continue
                src = x[n, ch, row]
                for k in range(c_lo):
                    buf[k] = 0
                for k in range(c_lo, c_hi):
                    buf[k] = src[k - c_lo]
                for k in range(c_hi, width):
                    buf[k] = 0
                for tx in range(tiles_w):
                    j = 2 * tx
                    dst[0, off + tx] = buf[j] - buf[j + 2]
                    dst[1, off + tx] = buf[j + 1] + buf[j + 2]
                    dst[2, off + tx] = buf[j + 2] - buf[j + 1]
                    dst[3, off + tx] = buf[j + 1] - buf[j + 3]
            for k in range(4):
                e = ue[k]
                o = uo[k]
                v0 = v[k, ch]
                v1 = v[4 + k, ch]
                v2 = v[8 + k, ch]
                v3 = v[12 + k, ch]
                for t in range(span):
                    e1 = e[t + tiles_w]
                    o0 = o[t]
                    v0[base + t] = e[t] - e1
                    v1[base + t] = o0 + e1
                    v2[base + t] = e1 - o0
                    v3[base + t] = o0 - o[t + tiles_w]


@numba.njit(fastmath={"contract"}, **_OPTS)
def output_tiles(m, y, tiles_h, tiles_w, r0, r1):
    """``y``'s 2x2 output blocks of tile rows ``[r0, r1)`` = ``A^T M A`` (overwrites them)."""
    f, oh, ow = y.shape[1], y.shape[2], y.shape[3]
    full = ow // 2  # tiles whose two output columns both exist
    spare = np.empty(2 * tiles_w, dtype=y.dtype)  # the row below an odd output height
    for o in range(f):
        for r in range(r0, r1):
            n = r // tiles_h
            ty = r - n * tiles_h
            y0 = y[n, o, 2 * ty]
            y1 = y[n, o, 2 * ty + 1] if 2 * ty + 1 < oh else spare
            base = (r - r0) * tiles_w
            for tx in range(tiles_w):
                t = base + tx
                # rows: (m0 + m1 + m2, m1 - m2 - m3) for each of the 4 columns
                s00 = m[0, o, t] + m[4, o, t] + m[8, o, t]
                s01 = m[1, o, t] + m[5, o, t] + m[9, o, t]
                s02 = m[2, o, t] + m[6, o, t] + m[10, o, t]
                s03 = m[3, o, t] + m[7, o, t] + m[11, o, t]
                s10 = m[4, o, t] - m[8, o, t] - m[12, o, t]
                s11 = m[5, o, t] - m[9, o, t] - m[13, o, t]
                s12 = m[6, o, t] - m[10, o, t] - m[14, o, t]
                s13 = m[7, o, t] - m[11, o, t] - m[15, o, t]
                j = 2 * tx
                y0[j] = s00 + s01 + s02
                y1[j] = s10 + s11 + s12
                if tx < full:
                    y0[j + 1] = s01 - s02 - s03
                    y1[j + 1] = s11 - s12 - s13


@numba.njit(fastmath={"contract"}, **_OPTS)
def weight_tiles(w9, u):
    """``u[:, i]`` = ``G g G^T`` of each 3x3 filter ``g = w9[i]`` (``w9`` ``(F*C, 9)``, ``u`` ``(16, F*C)``)."""
    total = w9.shape[0]
    chunk = 256
    # a chunk of filters tap-major first, so that the arithmetic runs on unit-stride rows
    g = np.empty((9, chunk), dtype=w9.dtype)
    for start in range(0, total, chunk):
        size = min(chunk, total - start)
        for i in range(size):
            for k in range(9):
                g[k, i] = w9[start + i, k]
        for i in range(size):
            # down the columns: (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2) of the 3 rows
            t00, t01, t02 = g[0, i], g[1, i], g[2, i]
            t30, t31, t32 = g[6, i], g[7, i], g[8, i]
            q0, q1, q2 = t00 + t30, t01 + t31, t02 + t32
            t10, t11, t12 = 0.5 * (q0 + g[3, i]), 0.5 * (q1 + g[4, i]), 0.5 * (q2 + g[5, i])
            t20, t21, t22 = 0.5 * (q0 - g[3, i]), 0.5 * (q1 - g[4, i]), 0.5 * (q2 - g[5, i])
            # along the rows: the same combination of each row's 3 values
            p0, p1, p2, p3 = t00 + t02, t10 + t12, t20 + t22, t30 + t32
            j = start + i
            u[0, j] = t00
            u[1, j] = 0.5 * (p0 + t01)
            u[2, j] = 0.5 * (p0 - t01)
            u[3, j] = t02
            u[4, j] = t10
            u[5, j] = 0.5 * (p1 + t11)
            u[6, j] = 0.5 * (p1 - t11)
            u[7, j] = t12
            u[8, j] = t20
            u[9, j] = 0.5 * (p2 + t21)
            u[10, j] = 0.5 * (p2 - t21)
            u[11, j] = t22
            u[12, j] = t30
            u[13, j] = 0.5 * (p3 + t31)
            u[14, j] = 0.5 * (p3 - t31)
            u[15, j] = t32


@numba.njit(fastmath={"contract"}, **_OPTS)
def weight_untiles(du, w9):
    """``w9[i]`` = ``G^T d G`` of each 4x4 tile ``d = du[:, i]``: the weight gradient from the tiles' (``du`` ``(16, F*C)``)."""
    total = du.shape[1]
    for i in range(total):
        # G^T down the columns: rows (d0 + (d1 + d2) / 2, (d1 - d2) / 2, (d1 + d2) / 2 + d3)
        a0 = du[0, i] + 0.5 * (du[4, i] + du[8, i])
        a1 = du[1, i] + 0.5 * (du[5, i] + du[9, i])
        a2 = du[2, i] + 0.5 * (du[6, i] + du[10, i])
        a3 = du[3, i] + 0.5 * (du[7, i] + du[11, i])
        b0 = 0.5 * (du[4, i] - du[8, i])
        b1 = 0.5 * (du[5, i] - du[9, i])
        b2 = 0.5 * (du[6, i] - du[10, i])
        b3 = 0.5 * (du[7, i] - du[11, i])
        c0 = 0.5 * (du[4, i] + du[8, i]) + du[12, i]
        c1 = 0.5 * (du[5, i] + du[9, i]) + du[13, i]
        c2 = 0.5 * (du[6, i] + du[10, i]) + du[14, i]
        c3 = 0.5 * (du[7, i] + du[11, i]) + du[15, i]
        # then G along the rows: (x0 + (x1 + x2) / 2, (x1 - x2) / 2, (x1 + x2) / 2 + x3)
        w9[i, 0] = a0 + 0.5 * (a1 + a2)
        w9[i, 1] = 0.5 * (a1 - a2)
        w9[i, 2] = 0.5 * (a1 + a2) + a3
        w9[i, 3] = b0 + 0.5 * (b1 + b2)
        w9[i, 4] = 0.5 * (b1 - b2)
        w9[i, 5] = 0.5 * (b1 + b2) + b3
        w9[i, 6] = c0 + 0.5 * (c1 + c2)
        w9[i, 7] = 0.5 * (c1 - c2)
        w9[i, 8] = 0.5 * (c1 + c2) + c3


@numba.njit(fastmath={"contract"}, **_OPTS)
def grad_tiles(dy, d, tiles_h, tiles_w, r0, r1):
    """``d[:, f, t]`` = ``A dY A^T`` of each 2x2 block ``dY`` of the head gradient (zero past its end).

    ``dy`` ``(N, F, OH, OW)``, ``d`` ``(16, F, T)``: the gradient with respect to the
    products ``M`` of :func:`output_tiles`, to be multiplied by the input tiles.
    """
    f, oh, ow = dy.shape[1], dy.shape[2], dy.shape[3]
    zeros = np.zeros(2 * tiles_w, dtype=dy.dtype)
    full = ow // 2
    for o in range(f):
        for r in range(r0, r1):
            n = r // tiles_h
            ty = r - n * tiles_h
            y0 = dy[n, o, 2 * ty]
            y1 = dy[n, o, 2 * ty + 1] if 2 * ty + 1 < oh else zeros
            base = (r - r0) * tiles_w
            for tx in range(tiles_w):
                j = 2 * tx
                a = y0[j]
                c = y1[j]
                b = y0[j + 1] if tx < full else 0.0
                e = y1[j + 1] if tx < full else 0.0
                # down the columns: (y0, y0 + y1, y0 - y1, -y1); then the same along the rows
                p0, q0 = a, b
                p1, q1 = a + c, b + e
                p2, q2 = a - c, b - e
                p3, q3 = -c, -e
                t = base + tx
                d[0, o, t] = p0
                d[1, o, t] = p0 + q0
                d[2, o, t] = p0 - q0
                d[3, o, t] = -q0
                d[4, o, t] = p1
                d[5, o, t] = p1 + q1
                d[6, o, t] = p1 - q1
                d[7, o, t] = -q1
                d[8, o, t] = p2
                d[9, o, t] = p2 + q2
                d[10, o, t] = p2 - q2
                d[11, o, t] = -q2
                d[12, o, t] = p3
                d[13, o, t] = p3 + q3
                d[14, o, t] = p3 - q3
                d[15, o, t] = -q3
