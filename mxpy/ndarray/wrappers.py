"""MXNet 1.x's Python-level ``mx.nd`` arithmetic helpers (``mx.nd.add``, ``mx.nd.maximum``...).

Each takes NDArrays or numbers on either side, as in MXNet 1.9.1:

- two arrays: the ``broadcast_*`` operator;
- array and number: the ``_*_scalar`` operator (``_r*_scalar`` or the mirrored
  comparison when the number is on the left), the number cast to the array's dtype;
- two numbers: a plain Python number (comparisons and logical ops give 1 or 0).

``add_n``/``ElementWiseSum`` are registered operators (see mxpy/ops/binary.py).

>>> import mxpy as mx
>>> mx.nd.maximum(mx.nd.array([1.0, 5.0]), 3).asnumpy()
array([3., 5.], dtype=float32)
>>> mx.nd.subtract(10, mx.nd.array([1.0, 2.0])).asnumpy()
array([9., 8.], dtype=float32)
>>> mx.nd.equal(2, 2)
1
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from .. import ops as _ops
from .. import registry
from ..base import numeric_types
from . import dispatch
from .ndarray import NDArray

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "modulo",
    "power",
    "maximum",
    "minimum",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "lesser",
    "lesser_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "split_v2",
    "histogram",
    "moveaxis",
]


_ops.load_all()  # the records are looked up once, when the wrappers are built


def _flag(fn: Callable) -> Callable:
    return lambda x, y: 1 if fn(x, y) else 0


# name: (array-array op, array-scalar op, scalar-array op, scalar-scalar function, argument names, doc)
_SPECS: dict[str, tuple[str, str, str, Callable, tuple[str, str], str]] = {
    "add": ("broadcast_add", "_plus_scalar", "_plus_scalar", operator.add, ("lhs", "rhs"), "lhs + rhs"),
    "subtract": ("broadcast_sub", "_minus_scalar", "_rminus_scalar", operator.sub, ("lhs", "rhs"), "lhs - rhs"),
    "multiply": ("broadcast_mul", "_mul_scalar", "_mul_scalar", operator.mul, ("lhs", "rhs"), "lhs * rhs"),
    "divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv, ("lhs", "rhs"), "lhs / rhs"),
    "true_divide": ("broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv, ("lhs", "rhs"), "lhs / rhs (same as divide)"),
    "modulo": ("broadcast_mod", "_mod_scalar", "_rmod_scalar", operator.mod, ("lhs", "rhs"), "lhs % rhs, with the divisor's sign"),
    "power": ("broadcast_power", "_power_scalar", "_rpower_scalar", operator.pow, ("base", "exp"), "base ** exp"),
    "maximum": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar", lambda x, y: x if x > y else y, ("lhs", "rhs"), "the larger of lhs and rhs"),
    "minimum": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar", lambda x, y: x if x < y else y, ("lhs", "rhs"), "the smaller of lhs and rhs"),
    "equal": ("broadcast_equal", "_equal_scalar", "_equal_scalar", _flag(operator.eq), ("lhs", "rhs"), "1 where lhs == rhs, else 0"),
    "not_equal": ("broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar", _flag(operator.ne), ("lhs", "rhs"), "1 where lhs != rhs, else 0"),
    "greater": ("broadcast_greater", "_greater_scalar", "_lesser_scalar", _flag(operator.gt), ("lhs", "rhs"), "1 where lhs > rhs, else 0"),
    "greater_equal": (
        "broadcast_greater_equal",
        "_greater_equal_scalar",
        "_lesser_equal_scalar",
        _flag(operator.ge),
        ("lhs", "rhs"),
        "1 where lhs >= rhs, else 0",
    ),
    "lesser": ("broadcast_lesser", "_lesser_scalar", "_greater_scalar", _flag(operator.lt), ("lhs", "rhs"), "1 where lhs < rhs, else 0"),
    "lesser_equal": (
        "broadcast_lesser_equal",
        "_lesser_equal_scalar",
        "_greater_equal_scalar",
        _flag(operator.le),
        ("lhs", "rhs"),
        "1 where lhs <= rhs, else 0",
    ),
    "logical_and": (
        "broadcast_logical_and",
        "_logical_and_scalar",
        "_logical_and_scalar",
        _flag(lambda x, y: x and y),
        ("lhs", "rhs"),
        "1 where both are non-zero",
    ),
    "logical_or": (
        "broadcast_logical_or",
        "_logical_or_scalar",
        "_logical_or_scalar",
        _flag(lambda x, y: x or y),
        ("lhs", "rhs"),
        "1 where either is non-zero",
    ),
    "logical_xor": (
        "broadcast_logical_xor",
        "_logical_xor_scalar",
        "_logical_xor_scalar",
        _flag(lambda x, y: bool(x) != bool(y)),
        ("lhs", "rhs"),
        "1 where exactly one is non-zero",
    ),
}


def _make(name: str) -> Callable:
    array_name, scalar_name, rscalar_name, scalar_fn, (lname, rname), what = _SPECS[name]
    array_op = registry.get(array_name)
    scalar_op = registry.get(scalar_name)
    rscalar_op = registry.get(rscalar_name)

    def wrapper(lhs, rhs):
        if isinstance(lhs, numeric_types):
            if isinstance(rhs, numeric_types):
                return scalar_fn(lhs, rhs)
            if isinstance(rhs, NDArray):
                return dispatch.invoke(rscalar_op, (rhs,), {"scalar": float(lhs)})
            raise TypeError(f"{name}: argument '{rname}' must be an NDArray or a number, got {type(rhs).__name__}")
        if not isinstance(lhs, NDArray):
            raise TypeError(f"{name}: argument '{lname}' must be an NDArray or a number, got {type(lhs).__name__}")
        if isinstance(rhs, numeric_types):
            return dispatch.invoke(scalar_op, (lhs,), {"scalar": float(rhs)})
        if isinstance(rhs, NDArray):
            return dispatch.invoke(array_op, (lhs, rhs), {})
        raise TypeError(f"{name}: argument '{rname}' must be an NDArray or a number, got {type(rhs).__name__}")

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__module__ = __name__
    wrapper.__doc__ = (
        f"Elementwise {what}; NDArrays broadcast, numbers may sit on either side.\n\n"
        f"Two arrays use ``{array_name}``, an array and a number ``{scalar_name}``/``{rscalar_name}``;\n"
        f"two numbers give a Python number.\n\n"
        f">>> y = mx.nd.{name}(mx.nd.ones((2, 3)), mx.nd.ones((1, 3)))\n"
        f">>> z = mx.nd.{name}(mx.nd.ones((2, 3)), 2)\n"
    )
    # keep MXNet's parameter names (power(base, exp)) for keyword callers
    if (lname, rname) != ("lhs", "rhs"):

        def named(base, exp):
            return wrapper(base, exp)

        named.__name__ = named.__qualname__ = name
        named.__module__ = __name__
        named.__doc__ = wrapper.__doc__
        return named
    return wrapper


add = _make("add")
subtract = _make("subtract")
multiply = _make("multiply")
divide = _make("divide")
true_divide = _make("true_divide")
modulo = _make("modulo")
power = _make("power")
maximum = _make("maximum")
minimum = _make("minimum")
equal = _make("equal")
not_equal = _make("not_equal")
greater = _make("greater")
greater_equal = _make("greater_equal")
lesser = _make("lesser")
lesser_equal = _make("lesser_equal")
logical_and = _make("logical_and")
logical_or = _make("logical_or")
logical_xor = _make("logical_xor")


# -- front ends of operators with a Python-level signature in MXNet (ndarray.py) ---------------


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False):
    """Split ``ary`` along ``axis`` into equal sections (an int) or at the given indices (a tuple).

    >>> import mxpy as mx
    >>> [p.shape for p in mx.nd.split_v2(mx.nd.zeros((5, 2)), 5)][:2]
    [(1, 2), (1, 2)]
    """
    from .fluent import split_v2 as _method

    return _method(ary, indices_or_sections, axis=axis, squeeze_axis=squeeze_axis)


def histogram(a, bins=10, range=None):  # noqa: A002  (MXNet's name)
    """Counts of ``a`` per bin and the bin edges: ``bins`` is an NDArray of edges, or a count with ``range``.

    >>> import mxpy as mx
    >>> [x.asnumpy().tolist() for x in mx.nd.histogram(mx.nd.array([0.5, 1.5, 1.7]), bins=2, range=(0, 2))]
    [[1, 2], [0.0, 1.0, 2.0]]
    """
    if isinstance(bins, NDArray):
        return dispatch.invoke(registry.get("_histogram"), (a, bins), {})
    if isinstance(bins, int):
        if range is None:
            raise ValueError("histogram: range=(low, high) is required with a bin count")
        return dispatch.invoke(registry.get("_histogram"), (a,), {"bin_cnt": bins, "range": range})
    raise ValueError(f"histogram: bins must be an integer or an NDArray, got {type(bins).__name__}")


def moveaxis(tensor, source, destination):
    """``tensor`` with axes ``source`` (an int or a sequence) moved to ``destination`` (the others keep their order).

    >>> import mxpy as mx
    >>> mx.nd.moveaxis(mx.nd.zeros((2, 3, 4)), 0, 2).shape
    (3, 4, 2)
    """
    from numpy.lib.array_utils import normalize_axis_tuple  # raises AxisError, a ValueError

    ndim = tensor.ndim
    src = normalize_axis_tuple(source, ndim, "source")
    dst = normalize_axis_tuple(destination, ndim, "destination")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} must have the same number of elements")
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return dispatch.invoke(registry.get("transpose"), (tensor,), {"axes": tuple(order)})
