"""``mx.npx.random``: MXNet's NumPy-extension samplers (``bernoulli``) and ``seed``.

>>> import mxpy as mx
>>> mx.npx.random.seed(1)
>>> mx.npx.random.bernoulli(prob=0.5, size=(2, 3)).shape
(2, 3)
"""

from __future__ import annotations

import numpy as _onp

from ..ndarray.ndarray import NDArray

__all__ = ["seed", "bernoulli", "uniform_n", "normal_n"]


def seed(seed, ctx="all"):
    """Seed the generators of every context (or of ``ctx``); as ``mx.random.seed``."""
    from .. import random as _random

    _random.seed(seed, ctx=ctx)


def bernoulli(prob=None, logit=None, size=None, dtype=None, ctx=None, out=None):
    """Bernoulli draws (0 or 1) with success probability ``prob``, or ``sigmoid(logit)``.

    Exactly one of ``prob`` and ``logit`` is given; ``prob`` must lie in [0, 1]. The result
    has ``size`` (default: the parameter's shape) and ``dtype`` (float32 by default).

    >>> mx.npx.random.bernoulli(logit=mx.np.zeros(4)).shape
    (4,)
    """
    from .. import numpy as np

    if (prob is None) == (logit is None):
        raise ValueError(f"npx.random.bernoulli: give exactly one of prob and logit (prob={prob!r}, logit={logit!r})")
    if prob is not None:
        host = prob.asnumpy() if isinstance(prob, NDArray) else _onp.asarray(prob)
        if host.size and (host.min() < 0 or host.max() > 1):
            raise ValueError("npx.random.bernoulli: prob must lie in [0, 1]")
        p = prob
    else:
        p = 1 / (1 + np.exp(-logit)) if isinstance(logit, NDArray) else 1 / (1 + _onp.exp(-float(logit)))
    if size is None:
        shape = p.shape if isinstance(p, NDArray) else ()
    else:
        shape = (int(size),) if isinstance(size, (int, _onp.integer)) else tuple(size)
    draws = np.random.uniform(size=shape, ctx=ctx)
    res = np.less(draws, p).astype(_onp.dtype("float32") if dtype is None else dtype)
    if out is not None:
        out[...] = res
        return out
    return res


def _batch_sampler(name: str, what: str):
    def fn(*args, **kwargs):
        if any(isinstance(v, NDArray) for v in (*args, *kwargs.values())) or not any(hasattr(v, "list_outputs") for v in (*args, *kwargs.values())):
            from ..numpy._extra import make

            return make(f"npx.random.{name}", "")(*args, **kwargs)
        from ..symbol.numpy import _np_function

        return _np_function(f"npx.random.{name}")(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{what}\n\n>>> mx.npx.random.{name}(mx.np.zeros(2), mx.np.ones(2), batch_shape=(3,)).shape\n(3, 2)"
    return fn


uniform_n = _batch_sampler("uniform_n", "U[low, high) samples of shape ``batch_shape`` + the parameters' shape (differentiable in both).")
normal_n = _batch_sampler("normal_n", "N(loc, scale**2) samples of shape ``batch_shape`` + the parameters' shape (differentiable in both).")
