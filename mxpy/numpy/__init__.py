"""``mxnet.numpy`` (``mx.np``): MXNet 1.x's NumPy-compatible arrays and functions.

``mx.np.ndarray`` is a subclass of ``mx.nd.NDArray`` with NumPy's semantics
(0-d arrays, NumPy shapes, dtype promotion and indexing); the functions map
onto the same operator records as ``mx.nd``, so arrays stay lazy on the
dependency engine and autograd records them. Call ``mx.npx.set_np()`` first,
as MXNet code does, so Gluon hands out ``mx.np`` arrays too.

>>> import mxpy as mx
>>> from mxpy import np, npx
>>> npx.set_np()
>>> x = np.arange(4.0)
>>> x.attach_grad()
>>> with mx.autograd.record():
...     y = 2 * np.dot(x, x)
>>> y.backward()
>>> x.grad.tolist()
[0.0, 4.0, 8.0, 12.0]
>>> npx.reset_np()
"""

from __future__ import annotations

import numpy as _onp

from . import linalg, random
from ._functions import *  # noqa: F403
from ._functions import __all__ as _fn_all
from ._math import result_type as _result_type
from .multiarray import ndarray

# NumPy's scalar types and constants, as mx.np re-exports them
bool_ = _onp.bool_
bool = _onp.bool_  # noqa: A001
int8, int16, int32, int64 = _onp.int8, _onp.int16, _onp.int32, _onp.int64
uint8, uint16, uint32, uint64 = _onp.uint8, _onp.uint16, _onp.uint32, _onp.uint64
float16, float32, float64 = _onp.float16, _onp.float32, _onp.float64
dtype = _onp.dtype
pi, e, inf, nan, newaxis = _onp.pi, _onp.e, _onp.inf, _onp.nan, None
PZERO, NZERO = 0.0, -0.0


def result_type(*arrays_and_dtypes):
    """The dtype MXNet's np rules give an operation on these arrays/dtypes."""
    dts = [_onp.dtype(getattr(x, "dtype", x)) for x in arrays_and_dtypes]
    out = dts[0]
    for d in dts[1:]:
        out = _result_type(out, d)
    return out


__all__ = [
    "ndarray",
    "random",
    "linalg",
    *_fn_all,
    "bool_",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "float16",
    "float32",
    "float64",
    "dtype",
    "pi",
    "e",
    "inf",
    "nan",
    "newaxis",
    "result_type",
]
