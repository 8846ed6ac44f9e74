"""Battery cases for _contrib_AdaptiveAvgPooling2D and _contrib_BilinearResize2D.

The references loop over output pixels, independently of the kernels' matrix form.
"""

from __future__ import annotations

import math

import numpy as np

from . import f32
from ._pair import add_pair


def _aap(x, output_size=()):
    oh, ow = (1, 1) if not output_size else (output_size * 2 if len(output_size) == 1 else output_size)
    n, c, h, w = x.shape
    out = np.zeros((n, c, oh, ow), np.float64)
    for i in range(oh):
        for j in range(ow):
            h0, h1 = (i * h) // oh, math.ceil((i + 1) * h / oh)
            w0, w1 = (j * w) // ow, math.ceil((j + 1) * w / ow)
            out[:, :, i, j] = x[:, :, h0:h1, w0:w1].mean((2, 3))
    return out.astype(x.dtype)


add_pair("_contrib_AdaptiveAvgPooling2D", [f32(1, 2, 5, 4, seed=60)], {"output_size": (2, 3)}, _aap)
add_pair("_contrib_AdaptiveAvgPooling2D", [f32(2, 1, 3, 3, seed=61)], {}, _aap, note="global")


def _sample(img, y, x):
    h, w = img.shape[-2:]
    y0, x0 = min(int(y), h - 1), min(int(x), w - 1)
    y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
    fy, fx = y - y0, x - x0
    return (1 - fy) * ((1 - fx) * img[..., y0, x0] + fx * img[..., y0, x1]) + fy * ((1 - fx) * img[..., y1, x0] + fx * img[..., y1, x1])


def _resize(x, *like, height=1, width=1, mode="size", align_corners=True, scale_height=None, scale_width=None):
    h, w = x.shape[2:]
    if mode == "like":
        oh, ow = like[0].shape[2:]
    else:
        oh, ow = height, width
    out = np.zeros(x.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            if align_corners:
                sy = i * (h - 1) / (oh - 1) if oh > 1 else 0.0
                sx = j * (w - 1) / (ow - 1) if ow > 1 else 0.0
            else:
                sy = max((i + 0.5) * h / oh - 0.5, 0.0)
                sx = max((j + 0.5) * w / ow - 0.5, 0.0)
            out[:, :, i, j] = _sample(x.astype(np.float64), sy, sx)
    return out.astype(x.dtype)


add_pair("_contrib_BilinearResize2D", [f32(1, 2, 3, 4, seed=62)], {"height": 5, "width": 3}, _resize, rtol=1e-5)
add_pair("_contrib_BilinearResize2D", [f32(1, 1, 4, 3, seed=63)], {"height": 3, "width": 5, "align_corners": False}, _resize, rtol=1e-5, note="half-pixel")
add_pair("_contrib_BilinearResize2D", [f32(1, 1, 2, 3, seed=64), f32(1, 1, 4, 2, seed=65)], {"mode": "like"}, _resize, wrt=(0,), rtol=1e-5, note="like")
