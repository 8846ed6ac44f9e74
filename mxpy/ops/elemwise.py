"""Elementwise unary math (``exp``, ``log``, ``relu``, ``sigmoid``...)."""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, register
from ._util import ufunc_kernel


def _np1(name):
    def compute(xp, a, out=None):
        return getattr(xp, name)(a, out=out)

    compute.__name__ = name
    return compute


_UNARY = {
    "negative": _np1("negative"),
    "abs": _np1("abs"),
}

for _name, _compute in _UNARY.items():
    register(OpDef(_name, ufunc_kernel(_compute), inplace=((0, 0),), doc=f"Elementwise {_name}."))

_ = np
