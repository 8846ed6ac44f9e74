"""``mx.random``: seeding and the sampling functions of ``mx.nd.random``.

>>> import mxpy as mx
>>> mx.random.seed(42)
>>> a = mx.random.uniform(shape=(2,)).asnumpy()
>>> mx.random.seed(42)
>>> bool((mx.random.uniform(shape=(2,)).asnumpy() == a).all())
True
"""

from __future__ import annotations

from . import engine as _eng
from .context import Context
from .ndarray.random import (
    exponential,
    gamma,
    generalized_negative_binomial,
    multinomial,
    negative_binomial,
    normal,
    poisson,
    randint,
    randn,
    shuffle,
    uniform,
)
from .registry.runtime import known_random_states, random_state, set_default_seed

__all__ = [
    "seed",
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
]


def _reseed(state, value) -> None:
    state.reseed(value)


def seed(seed_state: int, ctx="all") -> None:
    """Seed the generators of every context (``ctx='all'``) or of one context.

    The reseed is ordered after random ops already pushed on that context, so
    the same seed gives the same numbers on either engine.

    >>> mx.random.seed(7, ctx=mx.cpu(0))
    """
    try:
        value = int(seed_state)
    except (TypeError, ValueError):
        raise ValueError(f"seed: seed_state must be an integer, got {seed_state!r}") from None
    if ctx == "all":
        set_default_seed(value)
        states = known_random_states()
    else:
        states = [random_state(ctx if isinstance(ctx, Context) else Context(ctx))]
    for st in states:
        per_ctx = value if ctx != "all" else value + 7919 * st.ctx.device_typeid + st.ctx.device_id
        _eng.get().push(_reseed, (st, per_ctx), (), (st.var,), st.ctx, "_random_seed", 0)
