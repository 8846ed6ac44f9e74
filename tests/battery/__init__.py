"""The op battery table: every registered operator has sample cases here.

Each family module in this package calls :func:`add` for its operators.
``tests/test_op_battery.py`` runs every case under both engines and fails
when a registered operator has no case.

A case gives NumPy inputs, the operator's keyword params, and either a NumPy
reference ``ref(*inputs, **params)`` returning the expected output(s), or a
``check(outputs, inputs, params)`` function for ops without a closed-form
reference (random samplers). Inputs may be a callable ``rng -> list``.

Gradient annotations (used by ``tests/test_battery_grad.py``, which checks
float64 central-difference gradients, autograd == symbolic and in-place on ==
off for every case whose op has a gradient rule):

- ``grad_inputs``: inputs for the gradient checks instead of ``inputs``
  (smaller, or away from kinks where central differences are meaningless);
- ``grad_wrt``: indices of the inputs to differentiate (default: every float
  argument, except whole-number ones the op's gradient rule gives no gradient
  for, i.e. indices and lengths; for loss ops the prediction only);
- ``grad_outputs``: indices of the outputs given a head gradient (default all;
  the others get zeros, e.g. the mean/var outputs whose gradient MXNet ignores);
- ``grad_opts``: ``eps`` / ``rtol`` / ``atol`` overrides for the comparison;
- ``no_grad_reason``: skip the numerical check of this case, saying why;
- ``grad_xfail``: a known wrong gradient rule (strict xfail, with the defect).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Case:
    op: str
    inputs: Any  # list of np.ndarray, or callable(rng) -> list
    params: dict = field(default_factory=dict)
    ref: Callable | None = None
    check: Callable | None = None
    rtol: float = 1e-5
    atol: float = 1e-6
    # set False for ops whose kernel cannot be compared by the 'out=' test
    # (e.g. creation ops take no inputs but still accept out=)
    out_ok: bool = True
    note: str = ""
    # gradient-check annotations (see the module docstring)
    grad_inputs: Any = None
    grad_wrt: tuple[int, ...] | None = None
    grad_outputs: tuple[int, ...] | None = None
    grad_opts: dict = field(default_factory=dict)
    no_grad_reason: str = ""
    grad_xfail: str = ""

    def make_inputs(self, rng: np.random.Generator) -> list[np.ndarray]:
        ins = self.inputs(rng) if callable(self.inputs) else self.inputs
        return [np.asarray(x) for x in ins]

    def make_grad_inputs(self, rng: np.random.Generator) -> list[np.ndarray]:
        """The inputs of the gradient checks: ``grad_inputs`` when given, else ``inputs``."""
        if self.grad_inputs is None:
            return self.make_inputs(rng)
        ins = self.grad_inputs(rng) if callable(self.grad_inputs) else self.grad_inputs
        return [np.asarray(x) for x in ins]

    @property
    def id(self) -> str:
        keys = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.op}[{keys}]{self.note}"


CASES: list[Case] = []


def add(op: str, inputs, params: dict | None = None, ref: Callable | None = None, **kw) -> Case:
    """Register a battery case for ``op`` (its canonical registry name)."""
    c = Case(op, inputs, dict(params or {}), ref, **kw)
    CASES.append(c)
    return c


def load_all() -> list[Case]:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return CASES


def f32(*shape, lo=-1.0, hi=1.0, seed=0) -> np.ndarray:
    """A deterministic float32 array with values in [lo, hi)."""
    return np.random.default_rng(seed + 17 * len(shape)).uniform(lo, hi, shape).astype(np.float32)
