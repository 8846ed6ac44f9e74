"""Per-channel row kernels compiled with Numba (the optional ``numba`` extra).

Loaded by :mod:`mxpy.ops.nn._compiled` only. NumPy's ``out = x * scale;
out += shift`` over ``(pre, C, post)`` rows is two passes over the data with
broadcasting on the middle axis; one compiled pass is 3-4x faster (BatchNorm
in inference, docs/cpu_speed.md).
"""

from __future__ import annotations

import numba


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
