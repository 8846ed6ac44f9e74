"""``mx.nd.random``: sampling functions with MXNet 1.9.1's signatures.

Number parameters draw with the ``_random_*`` operators; NDArray parameters
draw ``shape`` samples per entry with the ``_sample_*`` operators.

>>> import mxpy as mx
>>> mx.random.seed(0)
>>> mx.nd.random.uniform(0, 1, shape=(2, 3)).shape
(2, 3)
>>> mx.nd.random.normal(mx.nd.zeros((2,)), mx.nd.ones((2,)), shape=(4,)).shape
(2, 4)
"""

from __future__ import annotations

import numpy as np

from ..base import numeric_types
from ..context import current_context
from . import register as _register
from .ndarray import NDArray

__all__ = [
    "uniform",
    "normal",
    "randn",
    "randint",
    "exponential",
    "gamma",
    "poisson",
    "negative_binomial",
    "generalized_negative_binomial",
    "multinomial",
    "shuffle",
    "uniform_like",
    "normal_like",
    "exponential_like",
    "gamma_like",
    "poisson_like",
    "negative_binomial_like",
    "generalized_negative_binomial_like",
]


class _NullType:
    """MXNet's "argument not given" marker (``_Null`` in its signatures)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "_Null"

    def __bool__(self) -> bool:
        return False


_Null = _NullType()


def _helper(fname: str, dist: str, names: tuple, params: list, shape, dtype, ctx, out, kwargs: dict):
    """Draw from ``_random_<dist>`` (numbers) or ``_sample_<dist>`` (NDArrays).

    ``names`` are the ``_random_<dist>`` parameter names of ``params``.
    """
    if dtype is _Null and out is not None and hasattr(out, "dtype"):
        dtype = np.dtype(out.dtype).name  # MXNet samples in the dtype of ``out``
    if dtype is not _Null:
        kwargs["dtype"] = dtype
    if isinstance(params[0], NDArray):
        for x in params[1:]:
            if not isinstance(x, NDArray):
                raise AssertionError(f"{fname}: distribution parameters must all have the same type, but got both NDArray and {type(x).__name__}")
        if shape is not _Null:
            kwargs["shape"] = shape
        return _register.call(f"_sample_{dist}", *params, out=out, **kwargs)
    if isinstance(params[0], numeric_types):
        for x in params[1:]:
            if not isinstance(x, numeric_types):
                raise AssertionError(
                    f"{fname}: distribution parameters must all have the same type, but got both {type(params[0]).__name__} and {type(x).__name__}"
                )
        if shape is _Null:
            # MXNet draws one number, or fills out= when it is given
            shape = out.shape if isinstance(out, NDArray) else (1,)
        kwargs.update(zip(names, params))
        return _register.call(f"_random_{dist}", shape=shape, ctx=current_context() if ctx is None else ctx, out=out, **kwargs)
    raise ValueError(f"{fname}: distribution parameters must be either NDArray or numbers, but got {type(params[0]).__name__}")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from the uniform distribution on ``[low, high)``.

    >>> mx.nd.random.uniform(-1, 1, shape=(2,)).shape
    (2,)
    """
    return _helper("uniform", "uniform", ("low", "high"), [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from the normal distribution with mean ``loc`` and deviation ``scale``.

    >>> mx.nd.random.normal(0, 1, shape=(2, 2)).shape
    (2, 2)
    """
    return _helper("normal", "normal", ("loc", "scale"), [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape, **kwargs):
    """Standard normal samples of the given shape (``loc``/``scale`` keywords allowed).

    >>> mx.nd.random.randn(2, 3).shape
    (2, 3)
    """
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    return _helper("randn", "normal", ("loc", "scale"), [loc, scale], shape, dtype, ctx, out, kwargs)


def randint(low, high, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Integers drawn uniformly from ``[low, high)`` (int32 unless ``dtype='int64'``).

    >>> mx.nd.random.randint(0, 10, shape=(3,)).dtype
    <class 'numpy.int32'>
    """
    if not isinstance(low, numeric_types) or not isinstance(high, numeric_types):
        raise TypeError(f"randint: low and high must be numbers, got {type(low).__name__} and {type(high).__name__}")
    return _helper("randint", "randint", ("low", "high"), [low, high], shape, dtype, ctx, out, kwargs)


def exponential(scale=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from the exponential distribution with scale ``scale`` (rate ``1/scale``).

    >>> mx.nd.random.exponential(2.0, shape=(3,)).shape
    (3,)
    """
    return _helper("exponential", "exponential", ("lam",), [1.0 / scale], shape, dtype, ctx, out, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from the gamma distribution with shape ``alpha`` and scale ``beta``.

    >>> mx.nd.random.gamma(2.0, 0.5, shape=(3,)).shape
    (3,)
    """
    return _helper("gamma", "gamma", ("alpha", "beta"), [alpha, beta], shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples from the Poisson distribution with rate ``lam`` (as floating point).

    >>> mx.nd.random.poisson(3.0, shape=(3,)).dtype
    <class 'numpy.float32'>
    """
    return _helper("poisson", "poisson", ("lam",), [lam], shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Failures before the ``k``-th success, each trial succeeding with probability ``p``.

    >>> mx.nd.random.negative_binomial(3, 0.4, shape=(3,)).shape
    (3,)
    """
    return _helper("negative_binomial", "negative_binomial", ("k", "p"), [k, p], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, ctx=None, out=None, **kwargs):
    """Samples with mean ``mu`` and variance ``mu + alpha * mu**2``.

    >>> mx.nd.random.generalized_negative_binomial(2.0, 0.5, shape=(3,)).shape
    (3,)
    """
    return _helper("generalized_negative_binomial", "generalized_negative_binomial", ("mu", "alpha"), [mu, alpha], shape, dtype, ctx, out, kwargs)


def multinomial(data, shape=_Null, get_prob=False, out=None, dtype="int32", **kwargs):
    """Category indices drawn from the distributions on ``data``'s last axis.

    With ``get_prob=True`` also returns the log probability of each draw.

    >>> mx.nd.random.multinomial(mx.nd.array([[0.0, 1.0]]), shape=2).asnumpy()
    array([[1, 1]], dtype=int32)
    """
    if shape is not _Null:
        kwargs["shape"] = shape
    return _register.call("_sample_multinomial", data, get_prob=get_prob, dtype=dtype, out=out, **kwargs)


def shuffle(data, **kwargs):
    """A copy of ``data`` with its first axis randomly permuted.

    >>> sorted(mx.nd.random.shuffle(mx.nd.array([3, 1, 2])).asnumpy().tolist())
    [1.0, 2.0, 3.0]
    """
    return _register.call("_shuffle", data, **kwargs)


def _like(dist: str, doc: str):
    opname = f"_random_{dist}_like"

    def fn(data=None, out=None, name=None, **kwargs):
        return _register.call(opname, data, out=out, **kwargs)

    fn.__name__ = fn.__qualname__ = f"{dist}_like"
    fn.__doc__ = f"{doc} with the shape and dtype of ``data``.\n\n>>> mx.nd.random.{dist}_like(mx.nd.zeros((2, 2))).shape\n(2, 2)"
    return fn


uniform_like = _like("uniform", "Uniform samples")
normal_like = _like("normal", "Normal samples")
exponential_like = _like("exponential", "Exponential samples")
gamma_like = _like("gamma", "Gamma samples")
poisson_like = _like("poisson", "Poisson samples")
negative_binomial_like = _like("negative_binomial", "Negative binomial samples")
generalized_negative_binomial_like = _like("generalized_negative_binomial", "Generalized negative binomial samples")
