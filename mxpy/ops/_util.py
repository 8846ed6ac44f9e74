"""Small helpers shared by the op families (kernel builders, param shorthands)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..registry import Param


def shape_param(default=(), doc: str = "") -> Param:
    return Param("shape", default, doc)


def dtype_param(default="float32", doc: str = "output dtype") -> Param:
    return Param("dtype", default, doc)


def ctx_param() -> Param:
    return Param("any", None, "context string such as 'cpu(0)'")


def store(out, req: str, value) -> None:
    """Write ``value`` into ``out`` as ``req`` says (write/inplace/add/null)."""
    if req == "add":
        out += value
    elif req != "null":
        out[...] = value


def ufunc_kernel(compute: Callable) -> Callable:
    """Kernel from ``compute(xp, *ins, out=None) -> array``; writes in place when it can."""

    def kernel(p, ins, outs, req, rt):
        r = req[0]
        if r == "write" or r == "inplace":
            compute(rt.xp, *ins, out=outs[0])
        elif r == "add":
            outs[0] += compute(rt.xp, *ins)

    return kernel


def quiet(fn: Callable) -> Callable:
    """Run ``fn`` with floating-point warnings off (MXNet returns inf/nan silently)."""

    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    wrapped.__name__ = getattr(fn, "__name__", "kernel")
    return wrapped
