"""``mx.nd.contrib``: the ``_contrib_*`` operators under their short names, and isinf/isnan/isfinite.

>>> import mxpy as mx
>>> mx.nd.contrib.isnan(mx.nd.array([1.0, float("nan")])).asnumpy().tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from . import register as _register

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


from ._contrib_optim import (  # noqa: E402, F401  (the list-taking optimizer front ends, re-exported)
    adamw_update,
    mp_adamw_update,
    multi_adamw_update,
    multi_lamb_update,
    multi_mp_adamw_update,
    multi_mp_lamb_update,
)
