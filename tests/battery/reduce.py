"""Battery cases for the reductions (sum, mean, prod, nansum, nanprod, max, min, norm, argmax...)."""

from __future__ import annotations

import numpy as np

from . import add, f32

X = f32(2, 3, 4, seed=11)
NAN = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, -1.0]], np.float32)
I32 = (np.arange(24, dtype=np.int32) - 10).reshape(2, 3, 4)


def _axes(axis, ndim, exclude=False):
    if axis is None or axis == ():
        return tuple(range(ndim))
    ax = tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))
    return tuple(i for i in range(ndim) if i not in ax) if exclude else ax


def _reducer(fn):
    """NumPy reference with MXNet's shape rules: full reductions give (1,), dtype kept."""

    def ref(x, axis=None, keepdims=False, exclude=False):
        axes = _axes(axis, x.ndim, exclude)
        r = np.asarray(fn(x.astype(np.float64) if x.dtype.kind == "f" else x, axis=axes, keepdims=keepdims))
        if r.ndim == 0:
            r = r.reshape(1)
        return r.astype(x.dtype)

    return ref


_PARAMS = [
    {},
    {"axis": 1},
    {"axis": -1, "keepdims": True},
    {"axis": (0, 2)},
    {"axis": ()},
    {"axis": 1, "exclude": True},
    {"axis": (0, 2), "exclude": True, "keepdims": True},
]
_FNS = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "nansum": np.nansum, "nanprod": np.nanprod, "max": np.max, "min": np.min}
for _op, _fn in _FNS.items():
    for _p in _PARAMS:
        add(_op, [X], _p, ref=_reducer(_fn))
    add(_op, [NAN], {"axis": 1}, ref=_reducer(_fn), note="nan", no_grad_reason="NaN inputs: central differences are NaN")
    add(
        _op,
        [I32],
        {"axis": (0, 1)},
        ref=_reducer(
            lambda x, axis, keepdims, fn=_fn: (
                fn(x, axis=axis, keepdims=keepdims, dtype=x.dtype) if fn not in (np.max, np.min) else fn(x, axis=axis, keepdims=keepdims)
            )
        ),
        note="int",
    )
    add(_op, [X.astype(np.float16)], {"axis": 2}, ref=_reducer(_fn), rtol=2e-3, atol=2e-3, note="f16")
# integer mean divides the wrapped sum with truncation toward zero
add("mean", [np.array([[-3, -4, 1], [100, 100, 100]], np.int8)], {"axis": 1}, ref=lambda x, axis: np.array([-2, 14], np.int8), note="int8")


def _norm(x, ord=2, axis=None, keepdims=False, out_dtype=None):
    axes = _axes(axis, x.ndim)
    a = np.abs(x.astype(np.float64))
    r = np.sum(a, axis=axes, keepdims=keepdims) if ord == 1 else np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdims))
    r = np.asarray(r).reshape(-1) if np.ndim(r) == 0 else r
    return r.astype(out_dtype or x.dtype)


for _p in [{}, {"ord": 1}, {"axis": 1}, {"axis": (0, 2), "ord": 1}, {"axis": -1, "keepdims": True}, {"out_dtype": "float64"}]:
    add("norm", [X], _p, ref=_norm)
add("norm", [np.array([1e30, -1e30], np.float32)], ref=_norm, note="big", grad_opts={"eps": 1e24})
add("norm", [np.array([[5, 5, 3], [1, -2, 2]], np.int32)], {"axis": 1}, ref=lambda x, axis: np.array([7, 2], np.int32), note="int")


def _arg(fn):
    def ref(x, axis=None, keepdims=False):
        if axis is None:
            r = np.asarray(fn(x)).reshape((1,) * x.ndim if keepdims else (1,))
        else:
            r = fn(x, axis=axis, keepdims=keepdims)
        return r.astype(x.dtype)

    return ref


for _op, _fn in {"argmax": np.argmax, "argmin": np.argmin}.items():
    for _p in [{}, {"keepdims": True}, {"axis": 1}, {"axis": -1, "keepdims": True}]:
        add(_op, [X], _p, ref=_arg(_fn))
    add(_op, [NAN], {"axis": 1}, ref=_arg(_fn), note="nan")
    add(_op, [I32], {"axis": 0}, ref=_arg(_fn), note="int")
add("argmax_channel", [X], ref=lambda x: np.argmax(x, axis=1).astype(x.dtype))
add("argmax_channel", [X[0]], ref=lambda x: np.argmax(x, axis=1).astype(x.dtype), note="2d")
