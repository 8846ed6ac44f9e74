"""``mx.lr_scheduler``: learning-rate schedules, as in MXNet 1.9.1.

A scheduler is called with ``num_update`` (the largest number of updates any
weight has received) and returns the learning rate. Factor and MultiFactor
schedulers are stateful: they lower ``base_lr`` in place as updates pass each
step, and never raise it again, exactly like MXNet.

>>> import mxpy as mx
>>> s = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=1.0)
>>> [s(n) for n in range(7)]
[1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
"""

from __future__ import annotations

import logging
from math import cos, pi

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["LRScheduler", "FactorScheduler", "MultiFactorScheduler", "PolyScheduler", "CosineScheduler"]


def _require_int(cls: str, arg: str, value) -> None:
    # MXNet asserts isinstance(..., int); keep the AssertionError but say what was wrong.
    if not isinstance(value, int):
        raise AssertionError(f"{cls}: {arg} must be an int, got {value!r} ({type(value).__name__})")


class LRScheduler:
    """Base class: holds ``base_lr`` and the warmup (``linear`` ramp or ``constant``) before the schedule.

    Subclasses implement ``__call__(num_update)``.

    >>> class Halving(mx.lr_scheduler.LRScheduler):
    ...     def __call__(self, num_update):
    ...         if num_update < self.warmup_steps:
    ...             return self.get_warmup_lr(num_update)
    ...         return self.base_lr / 2
    >>> s = Halving(base_lr=0.2, warmup_steps=2)
    >>> [s(0), s(1), s(2)]
    [0.0, 0.1, 0.1]
    """

    def __init__(self, base_lr: float = 0.01, warmup_steps: int = 0, warmup_begin_lr: float = 0, warmup_mode: str = "linear") -> None:
        self.base_lr = base_lr
        _require_int(type(self).__name__, "warmup_steps", warmup_steps)
        self.warmup_steps = warmup_steps
        self.warmup_final_lr = base_lr
        self.warmup_begin_lr = warmup_begin_lr
        if self.warmup_begin_lr > self.warmup_final_lr:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        if self.warmup_steps < 0:
            raise ValueError("Warmup steps has to be positive or 0")
        if warmup_mode not in ("linear", "constant"):
            raise ValueError("Supports only linear and constant modes of warmup")
        self.warmup_mode = warmup_mode

    def get_warmup_lr(self, num_update: int) -> float:
        """The learning rate at ``num_update`` (< ``warmup_steps``) during warmup."""
        if num_update >= self.warmup_steps:
            raise AssertionError(f"{type(self).__name__}.get_warmup_lr: num_update {num_update} is not below warmup_steps {self.warmup_steps}")
        if self.warmup_mode == "linear":
            return self.warmup_begin_lr + (self.warmup_final_lr - self.warmup_begin_lr) * float(num_update) / float(self.warmup_steps)
        if self.warmup_mode == "constant":
            return self.warmup_begin_lr
        raise ValueError(f"Invalid warmup mode {self.warmup_mode}")

    def __call__(self, num_update: int) -> float:
        raise TypeError(f"{type(self).__name__} has no schedule: LRScheduler is a base class, subclasses define __call__(num_update)")


class FactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` each time ``num_update`` passes another ``step`` updates.

    The rate never goes below ``stop_factor_lr``. Changes are logged at INFO level.

    >>> s = mx.lr_scheduler.FactorScheduler(step=10, factor=0.1, base_lr=1.0)
    >>> s(10), s(11)
    (1.0, 0.1)
    """

    def __init__(
        self,
        step: int,
        factor: float = 1,
        stop_factor_lr: float = 1e-8,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ) -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if step < 1:
            raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        # ``count`` only moves forward: a later call with a smaller num_update
        # keeps the lowered rate (MXNet's behaviour).
        while num_update > self.count + self.step:
            self.count += self.step
            self.base_lr *= self.factor
            if self.base_lr < self.stop_factor_lr:
                self.base_lr = self.stop_factor_lr
                _log.info("Update[%d]: now learning rate arrived at %0.5e, will not change in the future", num_update, self.base_lr)
            else:
                _log.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class MultiFactorScheduler(LRScheduler):
    """Multiply the rate by ``factor`` when ``num_update`` passes each entry of the increasing list ``step``.

    >>> s = mx.lr_scheduler.MultiFactorScheduler(step=[2, 4], factor=0.5, base_lr=1.0)
    >>> [s(n) for n in range(6)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(
        self,
        step: list,
        factor: float = 1,
        base_lr: float = 0.01,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ) -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        if not isinstance(step, list) or len(step) < 1:
            raise AssertionError(f"MultiFactorScheduler: step must be a non-empty list of ints, got {step!r}")
        for i, s in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if s < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        while self.cur_step_ind < len(self.step) and num_update > self.step[self.cur_step_ind]:
            self.count = self.step[self.cur_step_ind]
            self.cur_step_ind += 1
            self.base_lr *= self.factor
            _log.info("Update[%d]: Change learning rate to %0.5e", num_update, self.base_lr)
        return self.base_lr


class _DecayToFinal(LRScheduler):
    """Warmup, then ``final_lr + (base_lr - final_lr) * factor(t / T)`` for ``t`` updates after
    warmup, ``T = max_update - warmup_steps``; past ``max_update`` the last rate is kept.
    Subclasses give ``_factor(t)`` (1 at ``t = 0``, 0 at ``t = T``), in MXNet's arithmetic."""

    def __init__(self, max_update: int, base_lr: float, final_lr: float, warmup_steps: int, warmup_begin_lr: float, warmup_mode: str) -> None:
        super().__init__(base_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        _require_int(type(self).__name__, "max_update", max_update)
        if max_update < 1:
            raise ValueError("maximum number of updates must be strictly positive")
        self.base_lr_orig = self.base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.max_steps = self.max_update - self.warmup_steps

    def __call__(self, num_update: int) -> float:
        if num_update < self.warmup_steps:
            return self.get_warmup_lr(num_update)
        if num_update <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * self._factor(num_update - self.warmup_steps)
        return self.base_lr


class PolyScheduler(_DecayToFinal):
    """Polynomial decay after warmup: ``final_lr + (base_lr - final_lr) * (1 - t/T)**pwr``.

    ``t`` counts updates after warmup and ``T = max_update - warmup_steps``; past
    ``max_update`` the last rate is kept.

    >>> s = mx.lr_scheduler.PolyScheduler(max_update=4, base_lr=1.0, pwr=2)
    >>> [s(n) for n in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        pwr: float = 2,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ) -> None:
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode)
        self.power = pwr

    def _factor(self, t: int) -> float:
        return pow(1 - float(t) / float(self.max_steps), self.power)


class CosineScheduler(_DecayToFinal):
    """Cosine decay after warmup: ``final_lr + (base_lr - final_lr) * (1 + cos(pi * t/T)) / 2``.

    >>> s = mx.lr_scheduler.CosineScheduler(max_update=2, base_lr=1.0)
    >>> [s(n) for n in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(
        self,
        max_update: int,
        base_lr: float = 0.01,
        final_lr: float = 0,
        warmup_steps: int = 0,
        warmup_begin_lr: float = 0,
        warmup_mode: str = "linear",
    ) -> None:
        super().__init__(max_update, base_lr, final_lr, warmup_steps, warmup_begin_lr, warmup_mode)

    def _factor(self, t: int) -> float:
        return (1 + cos(pi * t / self.max_steps)) / 2
