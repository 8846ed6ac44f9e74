"""Battery cases for softmax, log_softmax and softmin (float64 NumPy references)."""

from __future__ import annotations

import numpy as np

from . import add, f32

X = f32(2, 3, 4, lo=-3.0, hi=3.0, seed=31)
BIG = np.array([[1, 2, 3], [1000, 0, -1000]], np.float32)
NANS = np.array([[1, np.nan, 3], [np.inf, 1, 2], [0.5, 1, 2]], np.float32)


def _soft(data, axis=-1, temperature=None, dtype=None, log=False, negate=False, length=None):
    x = data.astype(np.float64)
    if negate:
        x = -x
    t = 1.0 if temperature is None else temperature
    valid = None
    if length is not None:
        ax = axis % x.ndim
        n = x.shape[ax]
        pos = np.arange(n).reshape((n,) + (1,) * (x.ndim - 1 - ax))
        valid = pos < np.expand_dims(length, ax)
        x = np.where(valid, x, -np.inf)
    with np.errstate(all="ignore"):
        z = (x - x.max(axis=axis, keepdims=True)) / t
        e = np.exp(z)
        s = e.sum(axis=axis, keepdims=True)
        out = z - np.log(s) if log else e / s
        if valid is not None:
            out = np.where(valid, out, 0.0)
    return out.astype(dtype or data.dtype)


def _softmax(data, length=None, use_length=False, **kw):
    return _soft(data, length=length if use_length else None, **kw)


add("softmax", [X], ref=_softmax)
add("softmax", [X], {"axis": 0}, ref=_softmax)
add("softmax", [BIG], {"temperature": 2.0}, ref=_softmax)
add("softmax", [X], {"axis": 1, "dtype": "float64"}, ref=_softmax)
add("softmax", [X.astype(np.float16)], ref=_softmax, rtol=2e-3, atol=1e-3, note="f16")
add(
    "softmax",
    [X.astype(np.float16)],
    {"dtype": "float32"},
    ref=_softmax,
    rtol=1e-3,
    atol=1e-3,
    note="f16",
    no_grad_reason="float32 output (dtype param): too coarse for float64 central differences",
)
add("softmax", [NANS], ref=_softmax, note="nan", no_grad_reason="NaN inputs: central differences are NaN")
add("softmax", [X, np.array([[1, 2, 4], [0, 3, 2]], np.int32)], {"use_length": True}, ref=_softmax)
add("softmax", [X, np.array([[1, 2, 3, 3], [0, 3, 2, 1]], np.int64)], {"use_length": True, "axis": 1}, ref=_softmax)

add("log_softmax", [X], ref=lambda d, **kw: _soft(d, log=True, **kw))
add("log_softmax", [BIG], {"temperature": 3.0, "axis": 0}, ref=lambda d, **kw: _soft(d, log=True, **kw))
add("log_softmax", [X.astype(np.float64)], {"axis": -2}, ref=lambda d, **kw: _soft(d, log=True, **kw), note="f64")
add("log_softmax", [NANS], ref=lambda d, **kw: _soft(d, log=True, **kw), note="nan", no_grad_reason="NaN inputs: central differences are NaN")

add("softmin", [X], ref=lambda d, **kw: _soft(d, negate=True, **kw))
add("softmin", [BIG], {"temperature": 0.5}, ref=lambda d, **kw: _soft(d, negate=True, **kw))


# -- backward ops: compare with the analytic Jacobian-vector products ------------------------------
OG = f32(2, 3, 4, seed=32)


def _back(og, y, data, axis=-1, temperature=None, log=False, negate=False, **kw):
    og, y = og.astype(np.float64), y.astype(np.float64)
    t = 1.0 if temperature is None else temperature
    g = og - np.exp(y) * og.sum(axis, keepdims=True) if log else y * (og - (og * y).sum(axis, keepdims=True))
    return (g * ((-1.0 if negate else 1.0) / t)).astype(data.dtype)


add("_backward_softmax", [OG, _soft(X, axis=1), X], {"axis": 1}, ref=_back)
add("_backward_softmax", [OG, _soft(X, temperature=2.0), X], {"temperature": 2.0}, ref=_back, note="t")
add("_backward_log_softmax", [OG, _soft(X, log=True), X], ref=lambda og, y, d, **kw: _back(og, y, d, log=True, **kw))
add("_backward_softmin", [OG, _soft(X, negate=True, temperature=0.5), X], {"temperature": 0.5}, ref=lambda og, y, d, **kw: _back(og, y, d, negate=True, **kw))
