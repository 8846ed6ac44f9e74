"""``mx.random``: seeding and the sampling functions of ``mx.nd.random``.

>>> import mxpy as mx
>>> mx.random.seed(42)
"""

from __future__ import annotations

from . import engine as _eng
from .context import Context
from .registry import runtime as _runtime_fn  # noqa: F401  (ensures the package is loaded)
from .registry.runtime import known_random_states, random_state, set_default_seed

__all__ = ["seed"]


def _reseed(state, value) -> None:
    state.reseed(value)


def seed(seed_state: int, ctx="all") -> None:
    """Seed the generators of every context (``ctx='all'``) or of one context.

    The reseed is ordered after random ops already pushed on that context.
    """
    value = int(seed_state)
    if ctx == "all":
        set_default_seed(value)
        states = known_random_states()
    else:
        c = Context(ctx)
        states = [random_state(c)]
    for st in states:
        per_ctx = value if ctx != "all" else value + 7919 * st.ctx.device_typeid + st.ctx.device_id
        _eng.get().push(_reseed, (st, per_ctx), (), (st.var,), st.ctx, "_random_seed", 0)
