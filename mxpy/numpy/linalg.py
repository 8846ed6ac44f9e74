"""``mx.np.linalg``: ``norm`` and the common decompositions over the legacy ``linalg_*`` records.

>>> import mxpy as mx
>>> float(mx.np.linalg.norm(mx.np.array([3., 4.])))
5.0
"""

from __future__ import annotations

import math

from ._math import _arr, abs, max, sqrt, sum
from .multiarray import _as_np, _op, _reshape_to

__all__ = ["norm", "inv", "det", "slogdet", "cholesky"]


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 -- NumPy's name
    """Vector 2-norm (default), 1-norm, inf-norm, or the Frobenius norm of a matrix.

    >>> mx.np.linalg.norm(mx.np.ones((2, 2)))
    array(2.)
    """
    x = _arr(x)
    if ord in (None, 2, "fro") and (ord != 2 or axis is None or isinstance(axis, int) or x.ndim == 1):
        return sqrt(sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1 and (isinstance(axis, int) or x.ndim == 1):
        return sum(abs(x), axis=axis, keepdims=keepdims)
    if ord == math.inf and (isinstance(axis, int) or x.ndim == 1):
        return max(abs(x), axis=axis, keepdims=keepdims)
    from ._extra import make  # the other orders (matrix 1/2/inf/nuc norms, vector p-norms): NumPy's function

    return make("linalg.norm", "")(x, ord=ord, axis=axis, keepdims=keepdims)


def inv(a):
    """The inverse of each square matrix in ``a``."""
    return _op("_linalg_inverse", _arr(a))


def det(a):
    """The determinant of each square matrix in ``a``."""
    a = _arr(a)
    res = _op("_linalg_det", a)
    want = a.shape[:-2]
    return res if res.shape == want else _as_np(_reshape_to(res, want))


def slogdet(a):
    """``(sign, log|det|)`` of each square matrix in ``a``."""
    a = _arr(a)
    sign, logdet = _op("_linalg_slogdet", a)
    want = a.shape[:-2]
    if sign.shape != want:
        sign, logdet = _as_np(_reshape_to(sign, want)), _as_np(_reshape_to(logdet, want))
    return sign, logdet


def cholesky(a):
    """The lower Cholesky factor of each symmetric positive-definite matrix in ``a``."""
    return _op("_linalg_potrf", _arr(a))


def _extra():
    from ._extra import LINALG  # after the package's functions exist (it imports multiarray only)

    globals().update(LINALG)
    __all__.extend(sorted(LINALG))


_extra()
