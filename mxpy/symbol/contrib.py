"""``mx.sym.contrib``: the ``_contrib_*`` operators under their short names, and isinf/isnan/isfinite.

>>> import mxpy as mx
>>> mx.sym.contrib.isnan(mx.sym.var("x")).list_arguments()
['x']
"""

from __future__ import annotations

import numpy as np

from . import register as _register

globals().update(_register.prefixed("_contrib_"))


def isinf(data):
    """1 where ``data`` is +inf or -inf, else 0.

    >>> mx.sym.contrib.isinf(mx.sym.var("x")).list_arguments()
    ['x']
    """
    return _register.function("_equal_scalar")(_register.function("abs")(data), scalar=np.inf)


def isnan(data):
    """1 where ``data`` is NaN, else 0.

    >>> mx.sym.contrib.isnan(mx.sym.var("x")).list_outputs()[0].startswith("_not_equal")
    True
    """
    return _register.function("_not_equal")(data, data)


def isfinite(data):
    """1 where ``data`` is neither infinite nor NaN, else 0.

    >>> mx.sym.contrib.isfinite(mx.sym.var("x")).list_arguments()
    ['x']
    """
    finite = _register.function("_not_equal_scalar")(_register.function("abs")(data), scalar=np.inf)
    return _register.function("_mul")(finite, _register.function("_equal")(data, data))
