"""Per-channel row kernels of BatchNorm compiled with Numba (the optional ``numba`` extra).

Loaded by :mod:`mxpy.ops.nn._compiled` only. Data is viewed as ``(pre, C, post)``
rows. NumPy's ``out = x * scale; out += shift`` is two passes with broadcasting
on the middle axis, one compiled pass 3-4x faster (inference); in training the
statistics (float64 sums) and the normalised output take two reads and one
write instead of NumPy's seven passes, and the backward two passes instead of
seven (1.6-3x faster, bench/RESULTS.md).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"})
def scale_shift(x3, scale, shift, o3):
    """``o3[n, c, :] = x3[n, c, :] * scale[c] + shift[c]`` (``o3`` may be ``x3``)."""
    pre, c, post = x3.shape
    for n in range(pre):
        for ch in range(c):
            s = scale[ch]
            b = shift[ch]
            xs = x3[n, ch]
            os_ = o3[n, ch]
            for i in range(post):
                os_[i] = xs[i] * s + b


# the reductions may reorder their float64 sums (vectorised, several accumulators):
# "reassoc" only, NaN and infinity keep their IEEE behaviour
_SUMS = {"cache": True, "nogil": True, "boundscheck": False, "fastmath": {"reassoc", "contract"}}


@numba.njit(**_SUMS)
def channel_stats(x3, mean, var):
    """Per-channel ``mean`` and biased ``var`` of ``x3`` ``(pre, C, post)``, summed in float64.

    One pass: the sums of ``d = x - k`` and ``d * d`` for a value ``k`` of the channel
    itself, so that ``var = E[d^2] - E[d]^2`` does not cancel when the mean is large
    against the spread (``E[d]`` is then small); float32 data squares exactly in float64.
    One read of the data instead of two (CIFAR ResNet's 64x16x32x32 statistics in cache,
    one thread: 0.34 -> 0.18 ms). A channel whose first value is not finite takes the two
    passes, which give NumPy's inf and NaN results.
    """
    pre, c, post = x3.shape
    count = pre * post
    for ch in range(c):
        if count == 0:  # NumPy's mean of nothing
            mean[ch] = np.nan
            var[ch] = np.nan
            continue
        k = np.float64(x3[0, ch, 0])
        if not np.isfinite(k):  # the two-pass sums (NumPy's inf and NaN results)
            s = 0.0
            for n in range(pre):
                row = x3[n, ch]
                for i in range(post):
                    s += row[i]
            m = s / count
            q = 0.0
            for n in range(pre):
                row = x3[n, ch]
                for i in range(post):
                    d = row[i] - m
                    q += d * d
            mean[ch] = m
            var[ch] = q / count
            continue
        s = 0.0
        q = 0.0
        for n in range(pre):
            row = x3[n, ch]
            for i in range(post):
                d = row[i] - k
                s += d
                q += d * d
        m = s / count
        v = q / count - m * m
        mean[ch] = k + m
        var[ch] = 0.0 if v < 0.0 else v  # rounding below zero; NaN stays


@numba.njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"})
def center_scale_shift(x3, mean, scale, shift, o3):
    """``o3[n, c, :] = (x3[n, c, :] - mean[c]) * scale[c] + shift[c]`` (``o3`` may be ``x3``)."""
    pre, c, post = x3.shape
    for n in range(pre):
        for ch in range(c):
            m = mean[ch]
            s = scale[ch]
            b = shift[ch]
            xs = x3[n, ch]
            os_ = o3[n, ch]
            for i in range(post):
                os_[i] = (xs[i] - m) * s + b


@numba.njit(**_SUMS)
def grad_sums(g3, x3, mean, sums):
    """``sums[0, c] = sum(g)`` and ``sums[1, c] = sum(g * (x - mean[c]))`` over channel ``c``, in float64."""
    pre, c, post = x3.shape
    for ch in range(c):
        m = mean[ch]
        sg = 0.0
        sgd = 0.0
        for n in range(pre):
            gs = g3[n, ch]
            xs = x3[n, ch]
            for i in range(post):
                sg += gs[i]
                sgd += gs[i] * (xs[i] - m)
        sums[0, ch] = sg
        sums[1, ch] = sgd


@numba.njit(cache=True, nogil=True, boundscheck=False, fastmath={"contract"})
def grad_data(g3, x3, mean, k, a, b, dx3):
    """``dx3[n, c, :] = k[c] * g - a[c] * (x - mean[c]) - b[c]`` (BatchNorm's data gradient in one pass)."""
    pre, c, post = x3.shape
    for n in range(pre):
        for ch in range(c):
            m = mean[ch]
            kk = k[ch]
            aa = a[ch]
            bb = b[ch]
            gs = g3[n, ch]
            xs = x3[n, ch]
            ds = dx3[n, ch]
            for i in range(post):
                ds[i] = kk * gs[i] - aa * (xs[i] - m) - bb
