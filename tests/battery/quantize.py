"""Battery cases for _contrib_quantize / _contrib_dequantize (MXNet's plain CPU formulas)."""

from __future__ import annotations

import numpy as np

from . import add

X = np.array([[0.1392, -0.5928, 1.6027], [2.5, -3.0, 0.0039]], np.float32)
LO, HI = np.array([-1.0], np.float32), np.array([2.0], np.float32)


def _quantize(x, lo, hi, out_type="uint8"):
    x, lo, hi = x.astype(np.float64), float(lo[0]), float(hi[0])
    if out_type == "int8":
        r = max(abs(lo), abs(hi))
        q = np.trunc(np.sign(x) * np.minimum(np.abs(x) * 127 / r + 0.5, 127))
        return [q.astype(np.int8), np.array([-r], np.float32), np.array([r], np.float32)]
    q = np.trunc(np.clip((x - lo) * 255 / (hi - lo) + 0.5, 0, 255))
    return [q.astype(np.uint8), np.array([lo], np.float32), np.array([hi], np.float32)]


def _dequantize(q, lo, hi, out_type="float32"):
    lo, hi = float(lo[0]), float(hi[0])
    if q.dtype == np.int8:
        return (q * max(abs(lo), abs(hi)) / 127).astype(np.float32)
    return (q * (hi - lo) / 255 + lo).astype(np.float32)


NO_GRAD = "MXNet gives quantize/dequantize zero gradients"
add("_contrib_quantize", [X, LO, HI], {"out_type": "int8"}, ref=_quantize, no_grad_reason=NO_GRAD)
add("_contrib_quantize", [X, LO, HI], {}, ref=_quantize, note="uint8", no_grad_reason=NO_GRAD)
add("_contrib_dequantize", [np.array([[9, -38], [127, -127]], np.int8), LO, HI], ref=_dequantize, no_grad_reason=NO_GRAD)
add("_contrib_dequantize", [np.array([[0, 97], [255, 85]], np.uint8), LO, HI], ref=_dequantize, note="uint8", no_grad_reason=NO_GRAD)
