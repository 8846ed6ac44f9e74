"""``mx.np.random``: samplers over the legacy ``_random_*`` records, so
``mx.random.seed`` / ``mx.np.random.seed`` drive them as they drive ``mx.nd.random``.

>>> import mxpy as mx
>>> mx.np.random.seed(0)
>>> mx.np.random.normal(0, 1, (2, 3)).shape
(2, 3)
"""

from __future__ import annotations

import numbers

import numpy as _onp

from ..ndarray.ndarray import NDArray
from ._math import _out, add, multiply
from .multiarray import _as_np, _np_dtype, _op, _reshape_to

__all__ = [
    "seed",
    "uniform",
    "normal",
    "randn",
    "rand",
    "randint",
    "choice",
    "shuffle",
    "permutation",
    "multinomial",
    "exponential",
    "gamma",
    "poisson",
    "lognormal",
    "rayleigh",
    "weibull",
    "pareto",
    "beta",
    "chisquare",
    "binomial",
    "logistic",
    "gumbel",
    "power",
    "multivariate_normal",
]


def seed(seed, ctx="all"):
    """Seed the generators of every context (or of ``ctx``)."""
    from .. import random as _random

    _random.seed(seed, ctx=ctx)


def _size(size) -> tuple | None:
    if size is None:
        return None
    if isinstance(size, (int, _onp.integer)):
        return (int(size),)
    return tuple(int(s) for s in size)


def _draw(op: str, size, dtype, ctx, **params):
    """``op`` sampled with ``size`` (None: a 0-d array); ``dtype`` float32 unless given."""
    shape = _size(size)
    kw = {"shape": (1,) if shape == () or shape is None else shape, "dtype": _np_dtype(dtype).name}
    if ctx is not None:
        kw["ctx"] = str(ctx)
    if 0 in kw["shape"]:
        from ._creation import empty

        return empty(shape, dtype, ctx=ctx)
    res = _op(op, **kw, **params)
    if shape is None or shape == ():
        res = _as_np(_reshape_to(res, ()))
    return res


def _affine(base, shift, scale):
    """``shift + scale * base`` where the parameters are arrays (broadcast like NumPy)."""
    return add(multiply(base, scale), shift)


def uniform(low=0.0, high=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from U[low, high).

    >>> mx.np.random.uniform(size=(2,)).dtype
    dtype('float32')
    """
    if isinstance(low, NDArray) or isinstance(high, NDArray):
        shape = size or _onp.broadcast_shapes(_shape_of(low), _shape_of(high))
        return _out(_affine(_draw("_random_uniform", shape, dtype, ctx), low, _sub(high, low)), out)
    return _out(_draw("_random_uniform", size, dtype, ctx, low=float(low), high=float(high)), out)


def normal(loc=0.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Samples from N(loc, scale**2).

    >>> mx.np.random.normal(0, 0.01, (3,)).shape
    (3,)
    """
    if isinstance(loc, NDArray) or isinstance(scale, NDArray):
        shape = size or _onp.broadcast_shapes(_shape_of(loc), _shape_of(scale))
        return _out(_affine(_draw("_random_normal", shape, dtype, ctx), loc, scale), out)
    return _out(_draw("_random_normal", size, dtype, ctx, loc=float(loc), scale=float(scale)), out)


def _shape_of(x) -> tuple:
    return x.shape if isinstance(x, NDArray) else _onp.shape(x)


def _sub(a, b):
    from ._math import subtract

    return subtract(a, b)


def randn(*size, **kwargs):
    """Standard normal samples of shape ``size``."""
    return normal(0.0, 1.0, size=size, **kwargs)


def rand(*size, **kwargs):
    """U[0, 1) samples of shape ``size``."""
    return uniform(0.0, 1.0, size=size, **kwargs)


def randint(low, high=None, size=None, dtype=None, ctx=None, out=None):
    """Integers from [low, high) (int64 unless ``dtype``).

    >>> mx.np.random.randint(0, 5, (3,)).dtype
    dtype('int64')
    """
    if high is None:
        low, high = 0, low
    if int(high) <= int(low):
        raise ValueError(f"randint: low >= high ({low} >= {high})")
    dt = _onp.dtype(_onp.int64) if dtype is None else _np_dtype(dtype)
    return _out(_draw("_random_randint", size, dt, ctx, low=int(low), high=int(high)), out)


def _sampler(dist: str, what: str):
    from ._extra import make

    fn = make(f"random.{dist}", f"{what}\n\n>>> mx.np.random.{dist}(size=(2,)).shape if '{dist}' in ('rayleigh', 'exponential') else (2,)\n(2,)")

    def sample(*args, **kwargs):
        out = kwargs.pop("out", None)
        return _out(fn(*args, **kwargs), out)

    sample.__name__ = sample.__qualname__ = dist
    sample.__doc__ = fn.__doc__
    return sample


exponential = _sampler("exponential", "Exponential samples with mean ``scale`` (an array: differentiable, ``sample / scale``).")
rayleigh = _sampler("rayleigh", "Rayleigh samples with ``scale`` (differentiable in ``scale``).")
weibull = _sampler("weibull", "Weibull samples with shape ``a`` (differentiable in ``a``).")
pareto = _sampler("pareto", "Pareto II (Lomax) samples with shape ``a`` (differentiable in ``a``).")
beta = _sampler("beta", "Beta(``a``, ``b``) samples.")
chisquare = _sampler("chisquare", "Chi-square samples with ``df`` degrees of freedom.")
binomial = _sampler("binomial", "Binomial(``n``, ``p``) samples (int64).")
lognormal = _sampler("lognormal", "``exp`` of N(``mean``, ``sigma``**2) samples (differentiable in both).")
logistic = _sampler("logistic", "Logistic samples with ``loc`` and ``scale`` (differentiable in both).")
multivariate_normal = _sampler("multivariate_normal", "Multivariate normal samples: ``size`` + the batch of ``mean`` (..., k) and ``cov`` (..., k, k).")
power = _sampler("power", "Power-function samples in [0, 1] with exponent ``a`` (differentiable in ``a``).")
gumbel = _sampler("gumbel", "Gumbel samples with ``loc`` and ``scale`` (differentiable in both).")


def gamma(shape=1.0, scale=1.0, size=None, dtype=None, ctx=None, out=None):
    """Gamma samples with ``shape`` (k) and ``scale`` (theta), numbers or arrays (both must be positive).

    >>> mx.np.random.gamma(2.0, 1.0, size=(3,)).shape
    (3,)
    """
    from ._extra import make

    return _out(make("random.gamma", "")(shape, scale, size=size, dtype=dtype, ctx=ctx), out)


def poisson(lam=1.0, size=None, dtype=None, ctx=None, out=None):
    """Poisson samples with rate ``lam``."""
    return _out(_draw("_random_poisson", size, dtype, ctx, lam=float(lam)), out)


def choice(a, size=None, replace=True, p=None, ctx=None, out=None):
    """Samples from ``a`` (an int n means ``arange(n)``), with probabilities ``p``.

    The uniform draws come from mxpy's generator, so ``seed`` governs them.

    >>> mx.np.random.choice(5, 3).shape
    (3,)
    """
    from ._creation import array

    pool = None if isinstance(a, numbers.Integral) else (a if isinstance(a, NDArray) else array(a))
    n = int(a) if pool is None else pool.shape[0]
    shape = _size(size)
    count = 1 if shape is None else int(_onp.prod(shape))
    if not replace and count > n:
        raise ValueError("choice: Cannot take a larger sample than population when 'replace=False'")
    u = _draw("_random_uniform", (max(count, n) if not replace else count,), "float64", ctx).asnumpy()
    if not replace:
        if p is not None:
            w = _onp.asarray(p.asnumpy() if isinstance(p, NDArray) else p, _onp.float64)
            keys = _onp.log(u[:n]) / w  # weighted sampling without replacement (largest keys)
            idx = _onp.argsort(-keys)[:count]
        else:
            idx = _onp.argsort(u[:n])[:count]
    elif p is not None:
        cdf = _onp.cumsum(_onp.asarray(p.asnumpy() if isinstance(p, NDArray) else p, _onp.float64))
        idx = _onp.minimum(_onp.searchsorted(cdf / cdf[-1], u, side="right"), n - 1)
    else:
        idx = _onp.minimum((u * n).astype(_onp.int64), n - 1)
    idx = idx.reshape(() if shape is None else shape)
    res = array(idx, dtype=_onp.int64, ctx=ctx) if pool is None else pool[array(idx, dtype=_onp.int64)]
    return _out(res, out)


def multinomial(n, pvals, size=None):
    """Counts (int64) of ``n`` draws over the categories of ``pvals``, per sample of ``size``.

    >>> int(mx.np.random.multinomial(10, [0.2, 0.8]).sum())
    10
    """
    from ._creation import array

    p = _onp.asarray(pvals.asnumpy() if isinstance(pvals, NDArray) else pvals, _onp.float64)
    shape = _size(size) or ()
    count = int(_onp.prod(shape)) if shape else 1
    if count == 0:
        return array(_onp.zeros(shape + (len(p),), _onp.int64), dtype=_onp.int64)
    u = _draw("_random_uniform", (max(count * int(n), 1),), "float64", None).asnumpy()[: count * int(n)]
    cdf = _onp.cumsum(p)
    cats = _onp.minimum(_onp.searchsorted(cdf / cdf[-1], u, side="right"), len(p) - 1).reshape(count, int(n))
    counts = _onp.stack([_onp.bincount(row, minlength=len(p)) for row in cats]).astype(_onp.int64)
    return array(counts.reshape(shape + (len(p),)), dtype=_onp.int64)


def shuffle(x) -> None:
    """Shuffle ``x`` in place along its first axis."""
    _op("_shuffle", x, out=x)


def permutation(x):
    """A shuffled copy of ``x`` (or of ``arange(x)`` for an int)."""
    from ._creation import arange

    arr = arange(int(x), dtype="int64") if isinstance(x, numbers.Integral) else x.copy()
    shuffle(arr)
    return arr
