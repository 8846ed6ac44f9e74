"""What a kernel gets from its device: the array namespace, training flag and RNG."""

from __future__ import annotations

import numpy as np

from ..backend import get_backend
from ..engine import Var


class RandomState:
    """One device's generator and the engine Var that orders its users.

    Every random op writes ``var``, so draws happen in push order whatever the
    engine runs inline or on workers: the same seed gives the same numbers.
    """

    __slots__ = ("var", "generator", "ctx")

    def __init__(self, ctx, seed: int | None) -> None:
        self.ctx = ctx
        self.var = Var()
        self.generator = _make_generator(ctx, seed)

    def reseed(self, seed: int | None) -> None:
        self.generator = _make_generator(self.ctx, seed)


def _make_generator(ctx, seed):
    if seed is not None:
        seed %= 1 << 64  # mx.random.seed takes any int, negative too (MXNet keeps its low bits)
    be = get_backend(ctx)
    if be.is_gpu:
        with be.device():
            return be.xp.random.default_rng(seed)
    return np.random.default_rng(seed)


_random_states: dict = {}
_default_seed: int | None = None


def random_state(ctx) -> RandomState:
    rs = _random_states.get(ctx)
    if rs is None:
        seed = None if _default_seed is None else _default_seed + 7919 * ctx.device_typeid + ctx.device_id
        rs = _random_states[ctx] = RandomState(ctx, seed)
    return rs


def set_default_seed(seed: int) -> None:
    global _default_seed
    _default_seed = int(seed)


def known_random_states() -> list[RandomState]:
    return list(_random_states.values())


class Runtime:
    """The ``rt`` argument of kernels: one per (context, is_train)."""

    __slots__ = ("ctx", "backend", "xp", "is_train")

    def __init__(self, ctx, is_train: bool) -> None:
        self.ctx = ctx
        self.backend = get_backend(ctx)
        self.xp = self.backend.xp
        self.is_train = is_train

    @property
    def rng(self):
        return random_state(self.ctx).generator


_runtimes: dict = {}


def runtime(ctx, is_train: bool = False) -> Runtime:
    rt = _runtimes.get((ctx, is_train))
    if rt is None:
        rt = _runtimes[(ctx, is_train)] = Runtime(ctx, is_train)
    return rt
