"""``mx.nd.contrib``: the ``_contrib_*`` operators under their short names, isinf/isnan/isfinite and rand_zipfian.

>>> import mxpy as mx
>>> mx.nd.contrib.isnan(mx.nd.array([1.0, float("nan")])).asnumpy().tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import math

import numpy as np

from ..context import current_context
from . import register as _register
from .random import uniform as _uniform

globals().update(_register.prefixed("_contrib_"))


def isinf(data):
    """1 where ``data`` is +inf or -inf, else 0 (same dtype as data).

    >>> mx.nd.contrib.isinf(mx.nd.array([1.0, float("inf")])).asnumpy().tolist()
    [0.0, 1.0]
    """
    return _register.call("_equal_scalar", _register.call("abs", data), scalar=np.inf)


def isnan(data):
    """1 where ``data`` is NaN, else 0 (NaN is the only value unequal to itself).

    >>> mx.nd.contrib.isnan(mx.nd.array([float("nan"), 0.0])).asnumpy().tolist()
    [1.0, 0.0]
    """
    return _register.call("_not_equal", data, data)


def isfinite(data):
    """1 where ``data`` is neither infinite nor NaN, else 0.

    >>> mx.nd.contrib.isfinite(mx.nd.array([1.0, float("inf"), float("nan")])).asnumpy().tolist()
    [1.0, 0.0, 0.0]
    """
    finite = _register.call("_not_equal_scalar", _register.call("abs", data), scalar=np.inf)
    return _register.call("_mul", finite, _register.call("_equal", data, data))


def _zipfian(true_classes, num_sampled: int, range_max: int, uniform):
    """rand_zipfian's arithmetic on NDArrays or Symbols; ``uniform`` draws the float64 log-uniforms."""
    log_range = math.log(range_max + 1)
    rand = uniform(0, log_range, shape=(num_sampled,), dtype="float64")
    # exp(u) - 1 lies in [0, range_max]; the modulo folds the rare range_max back to 0
    sampled = (rand.exp() - 1).astype("int64") % range_max

    def expected_count(classes):
        c = classes.astype("float64")
        return ((c + 2.0) / (c + 1.0)).log() / log_range * num_sampled

    return sampled, expected_count(true_classes), expected_count(sampled)


def rand_zipfian(true_classes, num_sampled, range_max, ctx=None):
    """``num_sampled`` classes of ``[0, range_max)`` drawn with replacement from the log-uniform
    (Zipfian) distribution ``P(c) = log((c + 2) / (c + 1)) / log(range_max + 1)``.

    Returns ``(samples, expected_count_true, expected_count_sampled)``: the int64 samples, and the
    float64 expected counts ``P(c) * num_sampled`` of each of ``true_classes`` and of each sample.
    ``ctx`` is where the samples are drawn (the current context by default).

    >>> s, et, es = mx.nd.contrib.rand_zipfian(mx.nd.array([3]), 4, 5)
    >>> s.shape, s.dtype, round(float(et.asscalar()), 6)
    ((4,), <class 'numpy.int64'>, 0.498155)
    """
    ctx = current_context() if ctx is None else ctx

    def draw(low, high, shape, dtype):
        return _uniform(low, high, shape=shape, dtype=dtype, ctx=ctx)

    return _zipfian(true_classes.as_in_context(ctx), num_sampled, range_max, draw)


from ._contrib_optim import (  # noqa: E402, F401  (the list-taking optimizer front ends, re-exported)
    adamw_update,
    mp_adamw_update,
    multi_adamw_update,
    multi_lamb_update,
    multi_mp_adamw_update,
    multi_mp_lamb_update,
)
