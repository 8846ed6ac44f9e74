"""``mx.sym.contrib``: the ``_contrib_*`` operators under their short names, isinf/isnan/isfinite and rand_zipfian.

>>> import mxpy as mx
>>> mx.sym.contrib.isnan(mx.sym.var("x")).list_arguments()
['x']
"""

from __future__ import annotations

import numpy as np

from ..ndarray.contrib import _zipfian
from . import register as _register
from .random import uniform as _uniform
from .symbol import Symbol

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


def rand_zipfian(true_classes, num_sampled, range_max):
    """``num_sampled`` classes of ``[0, range_max)`` drawn with replacement from the log-uniform
    (Zipfian) distribution ``P(c) = log((c + 2) / (c + 1)) / log(range_max + 1)``.

    Returns three Symbols: the int64 samples, and the float64 expected counts
    ``P(c) * num_sampled`` of each of ``true_classes`` and of each sample.

    >>> s, et, es = mx.sym.contrib.rand_zipfian(mx.sym.var("true_cls"), 4, 5)
    >>> et.eval(true_cls=mx.nd.array([3]))[0].asnumpy().round(6).tolist()
    [0.498155]
    """
    if not isinstance(true_classes, Symbol):
        raise TypeError(f"rand_zipfian: true_classes must be a Symbol; given {type(true_classes).__name__}")
    return _zipfian(true_classes, num_sampled, range_max, _uniform)
