"""``_contrib_quantize`` and ``_contrib_dequantize``: float32 <-> 8-bit with a calibration range.

The formulas are MXNet 1.9.1's plain CPU kernels (quantize-inl.h, dequantize-inl.h):

- int8 (zero-centred): ``r = max(|min_range|, |max_range|)``,
  ``q = sign(x) * min(|x| * 127 / r + 0.5, 127)`` truncated, outputs ``[-r, r]``;
  dequantize ``q * r / 127``.
- uint8: ``q = (x - min_range) * 255 / (max_range - min_range) + 0.5`` truncated
  (clamped to [0, 255]), outputs ``[min_range, max_range]``; dequantize
  ``q * (max_range - min_range) / 255 + min_range``.

mxpy also accepts float16/float64 data and ranges (computed in float32).
The pip wheel of MXNet 1.9.1 runs these through MKL-DNN, which rounds values
at the ends of the range differently (int8 saturates at -128 there).
Both have zero gradients, as in MXNet.
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, register
from .._util import store


def _range_shapes(p, in_shapes, n_out):
    data = in_shapes[0]
    for i, s in enumerate(in_shapes[1:], 1):
        if s is not None and tuple(s) != (1,):
            raise ShapeError(f"input {i} must hold one value, shape (1,); given {tuple(s)}", slot=i)
    outs = [data] + [(1,)] * (n_out - 1)
    return [data, (1,), (1,)], outs


def _check_float_ranges(in_types, what):
    # MXNet takes float32 only; mxpy also takes other floats and computes in float32
    for i, t in enumerate(in_types[1:], 1):
        if t is not None and np.dtype(t).kind != "f":
            raise ShapeError(f"input {i} ({'min_range' if i == 1 else 'max_range'}) of {what} must be float32; given {np.dtype(t).name}", slot=i)


def _quantize_type(p, in_types):
    t = in_types[0]
    if t is not None and np.dtype(t).kind != "f":
        raise ShapeError(f"data must be float32; given {np.dtype(t).name}")
    _check_float_ranges(in_types, "quantize")
    f32 = np.dtype(np.float32)
    return [t or f32, in_types[1] or f32, in_types[2] or f32], [np.dtype(p.out_type), f32, f32]


def _quantize_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    x, lo, hi = (a.astype(np.float32) for a in ins)
    lo, hi = lo.reshape(()), hi.reshape(())
    with np.errstate(all="ignore"):
        if p.out_type == "int8":
            r = xp.maximum(xp.abs(lo), xp.abs(hi))
            q = xp.sign(x) * xp.minimum(xp.abs(x) * (np.float32(127) / r) + np.float32(0.5), np.float32(127))
            out_lo, out_hi = -r, r
        else:
            q = (x - lo) * (np.float32(255) / (hi - lo)) + np.float32(0.5)
            q = xp.clip(q, 0, 255)
            out_lo, out_hi = lo, hi
    store(outs[0], req[0], xp.trunc(q).astype(outs[0].dtype))
    store(outs[1], req[1], out_lo.reshape(1))
    store(outs[2], req[2], out_hi.reshape(1))


def _dequantize_type(p, in_types):
    t = in_types[0]
    if t is not None and np.dtype(t) not in (np.dtype(np.int8), np.dtype(np.uint8)):
        raise ShapeError(f"data must be int8 or uint8; given {np.dtype(t).name}")
    _check_float_ranges(in_types, "dequantize")
    f32 = np.dtype(np.float32)
    return [t, in_types[1] or f32, in_types[2] or f32], [f32]


def _dequantize_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    q, lo, hi = ins
    lo, hi = lo.astype(np.float32).reshape(()), hi.astype(np.float32).reshape(())
    qf = q.astype(np.float32)
    if q.dtype == np.int8:
        out = qf * (xp.maximum(xp.abs(lo), xp.abs(hi)) / np.float32(127))
    else:
        out = qf * ((hi - lo) / np.float32(255)) + lo
    store(outs[0], req[0], out.astype(np.float32))


_INPUTS = ("data", "min_range", "max_range")

register(
    OpDef(
        "_contrib_quantize",
        _quantize_kernel,
        params={"out_type": Param("str", "uint8", doc="output data type: int8 (zero-centred) or uint8", choices=("int8", "uint8"))},
        inputs=_INPUTS,
        outputs=("output0", "output1", "output2"),
        infer_shape=lambda p, s: _range_shapes(p, s, 3),
        infer_type=_quantize_type,
        gradient=lambda g, og: [None, None, None],
        doc=(
            "Quantizes float32 data with the range [min_range, max_range] (one-element arrays) to 8 bits; "
            "returns the quantized data and the range it stands for.\n\n"
            "Parameters: data (float32); min_range, max_range (float32, shape (1,)); out_type ('uint8' or 'int8', 'uint8').\n\n"
            ">>> import mxpy as mx\n"
            ">>> q, lo, hi = mx.nd.contrib.quantize(mx.nd.array([0.1392, 0.8579]), mx.nd.array([0.0]), mx.nd.array([1.0]), out_type='int8')\n"
            ">>> q.asnumpy().tolist(), lo.asnumpy().tolist(), hi.asnumpy().tolist()\n"
            "([18, 109], [-1.0], [1.0])"
        ),
    )
)

register(
    OpDef(
        "_contrib_dequantize",
        _dequantize_kernel,
        params={"out_type": Param("str", "float32", doc="output data type (float32 only)", choices=("float32",))},
        inputs=_INPUTS,
        infer_shape=lambda p, s: _range_shapes(p, s, 1),
        infer_type=_dequantize_type,
        gradient=lambda g, og: [None, None, None],
        doc=(
            "Turns int8/uint8 data quantized over [min_range, max_range] back into float32.\n\n"
            "Parameters: data (int8 or uint8); min_range, max_range (float32, shape (1,)); out_type ('float32').\n\n"
            ">>> import mxpy as mx\n"
            ">>> mx.nd.contrib.dequantize(mx.nd.array([18], dtype='int8'), mx.nd.array([-1.0]), mx.nd.array([1.0])).asnumpy().round(4).tolist()\n"
            "[0.1417]"
        ),
    )
)
