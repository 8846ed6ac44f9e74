"""NDArray operators (``+ - * / % **``, comparisons, in-place forms, negation).

Array-array operators broadcast (MXNet's ``broadcast_*``); array-scalar ones use
the ``_*_scalar`` operators, which cast the scalar to the array's dtype. When
both arrays have one shape, dtype and context and autograd is off, the call
skips parsing and inference and pushes the operator's kernel directly: the
result is the same, the per-op cost much lower.
"""

from __future__ import annotations

import numpy as np

from .. import engine as _eng
from ..base import numeric_types
from ..engine import Var
from ..registry import Params, get, runtime
from . import dispatch
from .ndarray import NDArray, _new

_W1 = ("write",)
_NO_PARAMS = Params()


def _fast_or_invoke(op, lhs: NDArray, rhs: NDArray, out: NDArray | None = None):
    """``op(lhs, rhs)`` into a new array, or into ``lhs`` itself when ``out is lhs``."""
    a, b = lhs._data, rhs._data
    if dispatch.recorder is None and a.shape == b.shape and a.dtype == b.dtype and lhs._ctx is rhs._ctx and lhs._ctx.device_typeid != 2:
        ctx = lhs._ctx
        va, vb = lhs._var, rhs._var
        if out is None:
            res = _new(ctx, a.shape, a.dtype)
            _eng._current.push(
                op.kernel, (_NO_PARAMS, (a, b), (res._data,), _W1, runtime(ctx)), (va,) if va is vb else (va, vb), (res._var,), ctx, op.name, a.size
            )
            return res
        if out is lhs:  # in place: the kernels are elementwise, so aliasing is safe
            _eng._current.push(op.kernel, (_NO_PARAMS, (a, b), (a,), _W1, runtime(ctx)), () if va is vb else (vb,), (va,), ctx, op.name, a.size)
            return out
    return dispatch.invoke(op, (lhs, rhs), {}, out=out)


def _scalar_fast_or_invoke(op, arr: NDArray, scalar, out: NDArray | None = None):
    """``op(arr, scalar)`` into a new array, or into ``arr`` itself when ``out is arr``."""
    if dispatch.recorder is None and (out is None or out is arr) and arr._ctx.device_typeid != 2:
        ctx = arr._ctx
        a = arr._data
        if out is None:
            res = _new(ctx, a.shape, a.dtype)
            _eng._current.push(op.kernel, (Params(scalar=float(scalar)), (a,), (res._data,), _W1, runtime(ctx)), (arr._var,), (res._var,), ctx, op.name, a.size)
            return res
        _eng._current.push(op.kernel, (Params(scalar=float(scalar)), (a,), (a,), _W1, runtime(ctx)), (), (arr._var,), ctx, op.name, a.size)
        return out
    return dispatch.invoke(op, (arr,), {"scalar": float(scalar)}, out=out)


def _make_plain(aop, sop):
    """``self op other`` with the common CPU cases written out: every call of ``a + b``
    in a training loop pays for this function, so it avoids helper calls."""
    akernel, aname = aop.kernel, aop.name
    skernel, sname = sop.kernel, sop.name
    empty = np.empty

    def method(self, other):
        t = type(other)
        ctx = self._ctx
        if dispatch.recorder is None and ctx.device_typeid != 2:
            a = self._data
            if t is NDArray:
                b = other._data
                if a.shape == b.shape and a.dtype == b.dtype and other._ctx is ctx:
                    res = NDArray.__new__(NDArray)
                    data = res._data = empty(a.shape, a.dtype)
                    var = res._var = Var()
                    res._ctx = ctx
                    res._grad = res._ag = None
                    va, vb = self._var, other._var
                    _eng._current.push(akernel, (_NO_PARAMS, (a, b), (data,), _W1, _RT[ctx]), (va,) if va is vb else (va, vb), (var,), ctx, aname, a.size)
                    return res
            elif t is float or t is int:
                res = NDArray.__new__(NDArray)
                data = res._data = empty(a.shape, a.dtype)
                var = res._var = Var()
                res._ctx = ctx
                res._grad = res._ag = None
                _eng._current.push(skernel, (Params(scalar=float(other)), (a,), (data,), _W1, _RT[ctx]), (self._var,), (var,), ctx, sname, a.size)
                return res
        if isinstance(other, NDArray):
            return _fast_or_invoke(aop, self, other)
        if isinstance(other, numeric_types):
            return _scalar_fast_or_invoke(sop, self, other)
        return NotImplemented

    method.__name__ = sname
    return method


class _RuntimeCache(dict):
    """Context -> its inference-mode Runtime (filled on first use)."""

    def __missing__(self, ctx):
        rt = self[ctx] = runtime(ctx)
        return rt


_RT = _RuntimeCache()


def _make_binary(array_op: str, scalar_op: str, rscalar_op: str | None, reflected: bool, inplace: bool = False):
    aop = get(array_op)
    sop = get(scalar_op)
    rsop = get(rscalar_op) if rscalar_op else sop
    scalar_op_used = rsop if reflected else sop
    if not reflected and not inplace:
        return _make_plain(aop, sop)

    def method(self, other):
        t = type(other)
        if t is NDArray:
            if reflected:
                return _fast_or_invoke(aop, other, self)
            return _fast_or_invoke(aop, self, other, self if inplace else None)
        if t is float or t is int or isinstance(other, numeric_types):
            return _scalar_fast_or_invoke(scalar_op_used, self, other, self if inplace else None)
        if isinstance(other, NDArray):
            return _fast_or_invoke(aop, other, self) if reflected else _fast_or_invoke(aop, self, other, self if inplace else None)
        return NotImplemented

    method.__name__ = scalar_op
    return method


# name: (array op, scalar op, reflected-scalar op)
_BINARY = {
    "add": ("broadcast_add", "_plus_scalar", None),
    "sub": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
    "mul": ("broadcast_mul", "_mul_scalar", None),
    "truediv": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
    "mod": ("broadcast_mod", "_mod_scalar", "_rmod_scalar"),
    "pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
}
_COMPARE = {
    "eq": ("broadcast_equal", "_equal_scalar"),
    "ne": ("broadcast_not_equal", "_not_equal_scalar"),
    "gt": ("broadcast_greater", "_greater_scalar"),
    "ge": ("broadcast_greater_equal", "_greater_equal_scalar"),
    "lt": ("broadcast_lesser", "_lesser_scalar"),
    "le": ("broadcast_lesser_equal", "_lesser_equal_scalar"),
}
_SWAPPED = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


def install() -> None:
    """Attach the operators to NDArray (called once the op families are registered)."""
    for name, (aop, sop, rsop) in _BINARY.items():
        setattr(NDArray, f"__{name}__", _make_binary(aop, sop, None, False))
        setattr(NDArray, f"__r{name}__", _make_binary(aop, sop, rsop or sop, True))
        setattr(NDArray, f"__i{name}__", _make_binary(aop, sop, None, False, inplace=True))
    NDArray.__div__ = NDArray.__truediv__
    NDArray.__rdiv__ = NDArray.__rtruediv__
    NDArray.__idiv__ = NDArray.__itruediv__
    for name, (aop, sop) in _COMPARE.items():
        setattr(NDArray, f"__{name}__", _make_binary(aop, sop, None, False))
    neg = get("negative")
    NDArray.__neg__ = lambda self: dispatch.invoke(neg, (self,), {})
    NDArray.__pos__ = lambda self: self
    absop = get("abs")
    NDArray.__abs__ = lambda self: dispatch.invoke(absop, (self,), {})
    NDArray.__hash__ = lambda self: id(self)
