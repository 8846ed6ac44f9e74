"""``imrotate`` / ``random_rotate``: rotate float32 CHW images (or NCHW batches) about their centre.

Pixels are sampled bilinearly; samples falling outside the source are 0
(as MXNet's BilinearSampler). ``zoom_in`` scales so no padding shows,
``zoom_out`` so the whole source stays visible.

>>> import mxpy as mx
>>> mx.image.imrotate(mx.nd.ones((3, 8, 8)), 10).shape
(3, 8, 8)
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray

__all__ = ["imrotate", "random_rotate"]


def _bilinear(img: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    """Sample C x H x W ``img`` at float source coordinates (H x W each); outside neighbours count as 0."""
    c, h, w = img.shape
    x0 = np.floor(sx).astype(np.int64)
    y0 = np.floor(sy).astype(np.int64)
    fx, fy = (sx - x0).astype(np.float32), (sy - y0).astype(np.float32)
    out = np.zeros((c,) + sx.shape, dtype=np.float32)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yy, xx = y0 + dy, x0 + dx
            inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
            vals = img[:, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
            out += vals * (wy * wx * inside)
    return out


def imrotate(src, rotation_degrees, zoom_in=False, zoom_out=False):
    """Rotate a float32 image (C, H, W) by a scalar angle, or a batch (N, C, H, W) by a scalar or N angles (degrees, counter-clockwise).

    >>> mx.image.imrotate(mx.nd.ones((2, 3, 8, 8)), mx.nd.array([5, 10])).shape
    (2, 3, 8, 8)
    """
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if src.dtype != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = src.ndim == 3
    if single:
        if not isinstance(rotation_degrees, numbers.Number):
            raise TypeError("When a single image is passed the rotation angle is required to be a scalar.")
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    data = src.asnumpy()
    if single:
        data = data[None]
    n, _, h, w = data.shape
    if isinstance(rotation_degrees, numbers.Number):
        angles = np.full(n, float(rotation_degrees))
    else:
        angles = (rotation_degrees.asnumpy() if isinstance(rotation_degrees, NDArray) else np.asarray(rotation_degrees)).astype(np.float64).ravel()
    if angles.size != n:
        raise ValueError("The number of images must be equal to the number of rotation angles")
    rad = np.pi * angles / 180
    hc, wc = (h - 1) / 2, (w - 1) / 2
    hm = (np.arange(h, dtype=np.float64) - hc)[:, None]
    wm = (np.arange(w, dtype=np.float64) - wc)[None, :]
    out = np.empty_like(data)
    for i in range(n):
        c, s = np.cos(rad[i]), np.sin(rad[i])
        scale = 1.0
        if zoom_in or zoom_out:
            rho, corner = np.hypot(h, w), np.arctan(h / w)
            a = abs(rad[i])
            max_x = max(abs(rho * np.cos(corner + a)), abs(rho * np.cos(corner - a)))
            max_y = max(abs(rho * np.sin(corner + a)), abs(rho * np.sin(corner - a)))
            scale = max(max_x / w, max_y / h) if zoom_out else min(w / max_x, h / max_y)
        sx = (wm * c - hm * s) * scale + wc
        sy = (wm * s + hm * c) * scale + hc
        out[i] = _bilinear(data[i], sx, sy)
    res = nd.array(out[0] if single else out, ctx=src.context)
    return res


def random_rotate(src, angle_limits, zoom_in=False, zoom_out=False):
    """Rotate by angles drawn uniformly from ``angle_limits`` (one per image of a batch), from NumPy's global generator.

    >>> mx.image.random_rotate(mx.nd.ones((3, 8, 8)), (-5, 5)).shape
    (3, 8, 8)
    """
    if src.ndim == 3:
        angle = np.random.uniform(*angle_limits)
    else:
        angle = nd.array(np.random.uniform(*angle_limits, size=src.shape[0]))
    return imrotate(src, angle, zoom_in=zoom_in, zoom_out=zoom_out)
