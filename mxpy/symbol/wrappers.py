"""MXNet 1.x's Python-level ``mx.sym`` functions that are not single operators.

``pow``/``power``/``maximum``/``minimum``/``hypot`` take Symbols or numbers on
either side and pick the operator, as MXNet 1.9.1 does:

- two Symbols: ``_Power``/``_Maximum``/``_Minimum``/``_hypot`` (elementwise,
  same shapes; the ``broadcast_*`` operators broadcast);
- a Symbol and a number: the ``*Scalar`` operator (``_RPowerScalar`` when the
  base is the number);
- two numbers: a plain Python number.

``zeros``/``ones``/``full``/``arange``/``linspace``/``eye`` default ``dtype`` to
float32. The node names follow MXNet: the lower-cased internal function name
plus a counter (``_maximumscalar0``, ``_zeros0``).

>>> import mxpy as mx
>>> a = mx.sym.Variable("a")
>>> mx.sym.maximum(a, 2).list_outputs()
['_maximumscalar0_output']
>>> mx.sym.pow(2, 3)
8
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import registry
from ..base import integer_types
from .register import function
from .symbol import Symbol

__all__ = ["pow", "power", "maximum", "minimum", "hypot", "zeros", "ones", "full", "arange", "linspace", "eye"]

# functions whose operator may not be registered yet: exported by __init__ only when it is
OPTIONAL: dict[str, str] = {"split_v2": "_split_v2", "histogram": "_histogram"}


def _pair(fname: str, left, right, array_fn: str, scalar_fn: str, rscalar_fn: str, numbers_fn):
    """Dispatch a two-argument function on (Symbol | number) x (Symbol | number)."""
    if isinstance(left, Symbol):
        if isinstance(right, Symbol):
            return function(array_fn)(left, right)
        if isinstance(right, numbers.Number):
            return function(scalar_fn)(left, scalar=right)
    elif isinstance(left, numbers.Number):
        if isinstance(right, Symbol):
            return function(rscalar_fn)(right, scalar=left)
        if isinstance(right, numbers.Number):
            return numbers_fn(left, right)
    raise TypeError(f"{fname}: types ({type(left)}, {type(right)}) not supported; expected Symbols or numbers")


_POW = ("_Power", "_PowerScalar", "_RPowerScalar", lambda x, y: x**y)


def pow(base, exp):  # noqa: A001  (MXNet's name)
    """``base ** exp`` elementwise; either side may be a number.

    >>> import mxpy as mx
    >>> mx.sym.pow(mx.sym.Variable("a"), 2).name
    '_powerscalar0'
    """
    return _pair("pow", base, exp, *_POW)


def power(base, exp):
    """Same as :func:`pow`.

    >>> import mxpy as mx
    >>> mx.sym.power(2, mx.sym.Variable("a")).name
    '_rpowerscalar0'
    """
    return _pair("power", base, exp, *_POW)


def maximum(left, right):
    """The larger of ``left`` and ``right``, elementwise; either side may be a number.

    >>> import mxpy as mx
    >>> mx.sym.maximum(mx.sym.Variable("a"), mx.sym.Variable("b")).name
    '_maximum0'
    """
    return _pair("maximum", left, right, "_Maximum", "_MaximumScalar", "_MaximumScalar", lambda x, y: x if x > y else y)


def minimum(left, right):
    """The smaller of ``left`` and ``right``, elementwise; either side may be a number.

    >>> import mxpy as mx
    >>> mx.sym.minimum(1, mx.sym.Variable("a")).name
    '_minimumscalar0'
    """
    return _pair("minimum", left, right, "_Minimum", "_MinimumScalar", "_MinimumScalar", lambda x, y: x if x < y else y)


def hypot(left, right):
    """``sqrt(left**2 + right**2)`` elementwise; either side may be a number.

    >>> import mxpy as mx
    >>> float(mx.sym.hypot(3, 4))
    5.0
    """
    # MXNet calls _internal._Hypot, an alias whose node is the _hypot operator named _hypotN
    return _pair("hypot", left, right, "_hypot", "_HypotScalar", "_HypotScalar", lambda x, y: np.hypot(x, y))


def _dtype(dtype):
    return np.float32 if dtype is None else dtype


def zeros(shape, dtype=None, **kwargs) -> Symbol:
    """A Symbol of zeros (float32 unless ``dtype`` is given); ``name``/``attr`` as for operators.

    >>> import mxpy as mx
    >>> mx.sym.zeros((2, 3)).list_attr()["dtype"]
    'float32'
    """
    return function("_zeros")(shape=shape, dtype=_dtype(dtype), **kwargs)


def ones(shape, dtype=None, **kwargs) -> Symbol:
    """A Symbol of ones (float32 unless ``dtype`` is given).

    >>> import mxpy as mx
    >>> mx.sym.ones((3,)).name
    '_ones0'
    """
    return function("_ones")(shape=shape, dtype=_dtype(dtype), **kwargs)


def full(shape, val, dtype=None, **kwargs) -> Symbol:
    """A Symbol filled with ``val`` (float32 unless ``dtype`` is given).

    >>> import mxpy as mx
    >>> mx.sym.full((2,), 7).list_attr()["value"]
    '7.0'
    """
    return function("_full")(shape=shape, dtype=_dtype(dtype), value=float(val), **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None) -> Symbol:
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times.

    With ``stop=None`` the range is ``[0, start)``; ``infer_range=True`` takes the
    length from the graph (deprecated in MXNet).

    >>> import mxpy as mx
    >>> mx.sym.arange(1, 10, 2).list_attr()["stop"]
    '10'
    """
    return function("_arange")(start=start, stop=stop, step=step, repeat=repeat, infer_range=infer_range, name=name, dtype=_dtype(dtype))


def linspace(start, stop, num, endpoint=True, name=None, dtype=None) -> Symbol:
    """``num`` evenly spaced values from ``start`` to ``stop`` (included unless ``endpoint=False``).

    >>> import mxpy as mx
    >>> mx.sym.linspace(0, 1, 5).name
    '_linspace0'
    """
    return function("_linspace")(start=start, stop=stop, num=num, endpoint=endpoint, name=name, dtype=_dtype(dtype))


def eye(N, M=0, k=0, dtype=None, **kwargs) -> Symbol:
    """An ``N x M`` matrix (``M=0`` means ``N``) with ones on diagonal ``k``.

    >>> import mxpy as mx
    >>> mx.sym.eye(3, 4, 1).list_attr()["M"]
    '4'
    """
    return function("_eye")(N, M, k, dtype=_dtype(dtype), **kwargs)


def split_v2(ary, indices_or_sections, axis=0, squeeze_axis=False) -> Symbol:
    """Split ``ary`` along ``axis`` into equal sections (an int) or at the given indices (a tuple).

    Exported as ``mx.sym.split_v2`` once the ``_split_v2`` operator is registered.

    >>> import mxpy as mx
    >>> mx.sym.split_v2(mx.sym.Variable("x"), 2).list_outputs()  # doctest: +SKIP
    ['_split_v20_output0', '_split_v20_output1']
    """
    if isinstance(indices_or_sections, int):
        indices, sections = [], indices_or_sections
    elif isinstance(indices_or_sections, tuple):
        indices, sections = [0, *indices_or_sections], 0
    else:
        raise ValueError(f"split_v2: indices_or_sections must either int or tuple of ints, got {type(indices_or_sections).__name__}")
    return function("_split_v2")(ary, indices=indices, axis=axis, squeeze_axis=squeeze_axis, sections=sections)


def histogram(a, bins=10, range=None, **kwargs) -> Symbol:  # noqa: A002  (MXNet's name)
    """Histogram of ``a``: ``bins`` is a Symbol of bin edges, or a count with ``range=(low, high)``.

    Two outputs (counts, bin edges). Exported as ``mx.sym.histogram`` once the
    ``_histogram`` operator is registered.

    >>> import mxpy as mx
    >>> h = mx.sym.histogram(mx.sym.Variable("a"), bins=5, range=(0, 1))  # doctest: +SKIP
    """
    if isinstance(bins, Symbol):
        return function("_histogram")(data=a, bins=bins, **kwargs)
    if isinstance(bins, integer_types):
        if range is None:
            raise ValueError("histogram: null range is not supported in symbol mode; pass range=(low, high)")
        return function("_histogram")(data=a, bin_cnt=bins, range=range, **kwargs)
    raise ValueError(f"histogram: bins argument should be either an integer or a Symbol, got {type(bins).__name__}")


def available() -> dict:
    """{name: function} of every wrapper here whose operators are registered now."""
    out = {name: globals()[name] for name in __all__}
    for name, op_name in OPTIONAL.items():
        if registry.find(op_name) is not None:
            out[name] = globals()[name]
    return out
