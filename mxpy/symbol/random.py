"""``mx.sym.random``: sampling Symbols with MXNet 1.9.1's signatures.

Number parameters build a ``_random_*`` node (``shape`` samples); Symbol
parameters build a ``_sample_*`` node drawing ``shape`` samples per entry of
the parameter arrays, as ``mx.nd.random`` does imperatively.

>>> import mxpy as mx
>>> mx.sym.random.uniform(0, 1, shape=(2, 3)).list_outputs()
['_random_uniform0_output']
>>> a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
>>> ex = mx.sym.random.normal(a, b, shape=(4,)).simple_bind(mx.cpu(), a=(2,), b=(2,))
>>> ex.forward()[0].shape
(2, 4)
"""

from __future__ import annotations

from .. import registry
from ..base import numeric_types
from ..ndarray.random import __all__ as _ND_ALL
from ..ndarray.random import _Null
from .register import function, make_function
from .symbol import Symbol

__all__ = list(_ND_ALL)  # the same sampling functions as mx.nd.random


def _given(**kwargs) -> dict:
    """The keyword arguments that are not MXNet's "not given" marker."""
    return {k: v for k, v in kwargs.items() if v is not _Null}


def _helper(fname: str, dist: str, names: tuple, params: list, shape, dtype, kwargs: dict, sampler: bool = True) -> Symbol:
    """A ``_random_<dist>`` node (numbers) or ``_sample_<dist>`` node (Symbols)."""
    if isinstance(params[0], Symbol):
        for x in params[1:]:
            if not isinstance(x, Symbol):
                raise AssertionError(f"{fname}: distribution parameters must all have the same type, but got both Symbol and {type(x).__name__}")
        if not sampler:
            raise TypeError(f"{fname}: parameters must be numbers, got Symbol (there is no _sample_{dist} operator)")
        return function(f"_sample_{dist}")(*params, **_given(shape=shape, dtype=dtype), **kwargs)
    if isinstance(params[0], numeric_types):
        for x in params[1:]:
            if not isinstance(x, numeric_types):
                raise AssertionError(
                    f"{fname}: distribution parameters must all have the same type, but got both {type(params[0]).__name__} and {type(x).__name__}"
                )
        return function(f"_random_{dist}")(**dict(zip(names, params)), **_given(shape=shape, dtype=dtype), **kwargs)
    raise ValueError(f"{fname}: distribution parameters must be either Symbol or numbers, but got {type(params[0]).__name__}")


def uniform(low=0, high=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples from the uniform distribution on ``[low, high)``.

    >>> import mxpy as mx
    >>> mx.sym.random.uniform(-1, 1, shape=(2,)).infer_shape()[1]
    [(2,)]
    """
    return _helper("uniform", "uniform", ("low", "high"), [low, high], shape, dtype, kwargs)


def normal(loc=0, scale=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples from the normal distribution with mean ``loc`` and deviation ``scale``.

    >>> import mxpy as mx
    >>> mx.sym.random.normal(0, 1, shape=(2, 2)).infer_shape()[1]
    [(2, 2)]
    """
    return _helper("normal", "normal", ("loc", "scale"), [loc, scale], shape, dtype, kwargs)


def randn(*shape, **kwargs) -> Symbol:
    """Standard normal samples of the given shape (``loc``/``scale``/``dtype`` keywords allowed).

    >>> import mxpy as mx
    >>> mx.sym.random.randn(2, 3).infer_shape()[1]
    [(2, 3)]
    """
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", _Null)
    for what, v in (("loc", loc), ("scale", scale)):
        if not isinstance(v, (int, float, Symbol)):
            raise AssertionError(f"randn: {what} must be a number or a Symbol, got {type(v).__name__}")
    return _helper("randn", "normal", ("loc", "scale"), [loc, scale], shape, dtype, kwargs)


def randint(low, high, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Integers drawn uniformly from ``[low, high)`` (int32 unless ``dtype='int64'``).

    >>> import mxpy as mx
    >>> mx.sym.random.randint(0, 10, shape=(3,)).infer_type()[1]
    [<class 'numpy.int32'>]
    """
    return _helper("randint", "randint", ("low", "high"), [low, high], shape, dtype, kwargs, sampler=False)


def exponential(scale=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples from the exponential distribution with scale ``scale`` (rate ``1/scale``).

    A Symbol ``scale`` becomes ``1.0 / scale`` in the graph, as in MXNet.

    >>> import mxpy as mx
    >>> mx.sym.random.exponential(2.0, shape=(3,)).list_attr()["lam"]
    '0.5'
    """
    return _helper("exponential", "exponential", ("lam",), [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples from the gamma distribution with shape ``alpha`` and scale ``beta``.

    >>> import mxpy as mx
    >>> mx.sym.random.gamma(2.0, 0.5, shape=(3,)).infer_shape()[1]
    [(3,)]
    """
    return _helper("gamma", "gamma", ("alpha", "beta"), [alpha, beta], shape, dtype, kwargs)


def poisson(lam=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples from the Poisson distribution with rate ``lam`` (as floating point).

    >>> import mxpy as mx
    >>> mx.sym.random.poisson(3.0, shape=(3,)).infer_shape()[1]
    [(3,)]
    """
    return _helper("poisson", "poisson", ("lam",), [lam], shape, dtype, kwargs)


def negative_binomial(k=1, p=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Failures before the ``k``-th success, each trial succeeding with probability ``p``.

    >>> import mxpy as mx
    >>> mx.sym.random.negative_binomial(3, 0.4, shape=(3,)).infer_shape()[1]
    [(3,)]
    """
    return _helper("negative_binomial", "negative_binomial", ("k", "p"), [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=_Null, dtype=_Null, **kwargs) -> Symbol:
    """Samples with mean ``mu`` and variance ``mu + alpha * mu**2``.

    >>> import mxpy as mx
    >>> mx.sym.random.generalized_negative_binomial(2.0, 0.5, shape=(3,)).infer_shape()[1]
    [(3,)]
    """
    return _helper("generalized_negative_binomial", "generalized_negative_binomial", ("mu", "alpha"), [mu, alpha], shape, dtype, kwargs)


def multinomial(data, shape=_Null, get_prob=True, dtype="int32", **kwargs) -> Symbol:
    """Category indices drawn from the distributions on ``data``'s last axis.

    Unlike ``mx.nd.random.multinomial``, ``get_prob`` defaults to True (as in
    MXNet): the Symbol has two outputs, the indices and their log probabilities.

    >>> import mxpy as mx
    >>> mx.sym.random.multinomial(mx.sym.Variable("d"), shape=(3,)).list_outputs()
    ['_sample_multinomial0_output0', '_sample_multinomial0_output1']
    """
    return function("_sample_multinomial")(data, **_given(shape=shape, get_prob=get_prob), dtype=dtype, **kwargs)


def shuffle(data, **kwargs) -> Symbol:
    """``data`` with its first axis randomly permuted.

    >>> import mxpy as mx
    >>> mx.sym.random.shuffle(mx.sym.Variable("d")).list_outputs()
    ['_shuffle0_output']
    """
    return function("_shuffle")(data, **kwargs)


# MXNet files the _random_*_like operators here under their short names; the
# short name is also the node's name hint (uniform_like0)
def _like(dist: str):
    fn = make_function(registry.get(f"_random_{dist}_like"), f"{dist}_like")
    fn.__module__ = __name__
    return fn


uniform_like = _like("uniform")
normal_like = _like("normal")
exponential_like = _like("exponential")
gamma_like = _like("gamma")
poisson_like = _like("poisson")
negative_binomial_like = _like("negative_binomial")
generalized_negative_binomial_like = _like("generalized_negative_binomial")
