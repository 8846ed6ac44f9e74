"""Math of ``mx.np``: ufuncs with NumPy broadcasting and MXNet's np dtype rules,
reductions with NumPy shapes (0-d scalars), products, ``where``, ``clip``.

Everything maps onto the legacy op records (``broadcast_add``, ``_plus_scalar``,
``sum``, ``dot``...), adding ``Cast`` where MXNet's np dtype rules differ from
the legacy ones and ``_np_reshape`` where NumPy's result shape does:

* array op array: int with float gives the float type, bool gives way to the
  other, same kinds follow NumPy; ``/`` of integers is float32;
* array op Python scalar keeps the array's dtype (``int32 + 1.5`` is int32,
  as MXNet 1.9.1), except ``/`` which makes integers float32;
* comparisons give bool; ``argmax``/``argmin``/``argsort`` int64; the sum of
  bools int64; the mean of integers float32.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as _onp

from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from .multiarray import _DEFAULT_FLOAT, _as_np, _np_dtype, _op, _reshape_to

_SCALARS = (numbers.Number, _onp.generic)
_BOOL = _onp.dtype(_onp.bool_)
_INT64 = _onp.dtype(_onp.int64)

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "mod",
    "remainder",
    "power",
    "maximum",
    "minimum",
    "hypot",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "negative",
    "absolute",
    "abs",
    "exp",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sqrt",
    "cbrt",
    "square",
    "reciprocal",
    "sign",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "floor",
    "ceil",
    "trunc",
    "fix",
    "rint",
    "round",
    "around",
    "degrees",
    "radians",
    "isnan",
    "isinf",
    "isfinite",
    "isposinf",
    "isneginf",
    "nan_to_num",
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "std",
    "var",
    "argmax",
    "argmin",
    "cumsum",
    "all",
    "any",
    "dot",
    "matmul",
    "tensordot",
    "inner",
    "outer",
    "vdot",
    "where",
    "clip",
]


def _arr(x, like: NDArray | None = None) -> NDArray:
    """``x`` as an array: NDArrays as they are, anything else through ``mx.np.array``."""
    if isinstance(x, NDArray):
        return x
    from ._creation import array

    return array(x, ctx=None if like is None else like._ctx)


def result_type(a: _onp.dtype, b: _onp.dtype) -> _onp.dtype:
    """MXNet np's promotion of two array dtypes.

    >>> import numpy
    >>> result_type(numpy.dtype('int32'), numpy.dtype('float16'))
    dtype('float16')
    """
    if a == b:
        return a
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return _onp.result_type(a, b)


def _cast(a: NDArray, dt: _onp.dtype) -> NDArray:
    return a if a._data.dtype == dt else _op("Cast", a, dtype=dt.name)


def _out(res, out):
    if out is None:
        return res
    out[...] = res
    return out


_BOOL_ARITH = {"broadcast_add": "broadcast_logical_or", "broadcast_mul": "broadcast_logical_and"}


def _binary(aop: str, sop: str, rsop: str, x1, x2, out=None, kind: str = ""):
    """``x1 op x2`` for arrays and scalars. ``kind``: '' arithmetic, 'div' true division, 'cmp' comparison."""
    a_arr, b_arr = isinstance(x1, NDArray), isinstance(x2, NDArray)
    if a_arr and b_arr:
        dt = result_type(x1._data.dtype, x2._data.dtype)
        if kind == "div" and dt.kind in "iub":
            dt = _DEFAULT_FLOAT
        if dt.kind == "b" and aop in _BOOL_ARITH:  # NumPy: bool + bool is or, bool * bool is and
            return _out(_cast(_op(_BOOL_ARITH[aop], x1, x2), _BOOL), out)
        res = _op(aop, _cast(x1, dt), _cast(x2, dt))
    elif a_arr or b_arr:
        arr, scalar = (x1, x2) if a_arr else (x2, x1)
        if not isinstance(scalar, _SCALARS):
            return _binary(aop, sop, rsop, x1 if a_arr else _arr(x1, x2), x2 if b_arr else _arr(x2, x1), out, kind)
        if kind == "div" and arr._data.dtype.kind in "iub":
            arr = _cast(arr, _DEFAULT_FLOAT)
        elif kind != "cmp" and arr._data.dtype.kind == "b" and not isinstance(scalar, (bool, _onp.bool_)):
            arr = _cast(arr, _INT64)  # as MXNet 1.9.1: bool * 1.5 is int64
        res = _op(sop if a_arr else rsop, arr, scalar=float(scalar))
    else:
        return _binary(aop, sop, rsop, _arr(x1), x2, out, kind)
    if kind == "cmp":
        res = _cast(res, _BOOL)
    return _out(res, out)


# NumPy's ufunc keywords and their defaults: MXNet 1.9.1 accepts them at the default
# only, raising NotImplementedError for another legal value and TypeError otherwise
_UFUNC_DEFAULTS = {"where": True, "casting": "same_kind", "order": "K", "dtype": None, "subok": True}
_UFUNC_DTYPES = {"int8", "uint8", "int32", "int64", "float16", "float32", "float64"}


def _ufunc_legal(key: str, value) -> bool:
    if key == "where":
        return True
    if key == "casting":
        return value in ("no", "equiv", "safe", "same_kind", "unsafe")
    if key == "order":
        return isinstance(value, str)
    if key == "dtype":
        try:
            return _onp.dtype(value).name in _UFUNC_DTYPES
        except TypeError:
            return False
    return key == "subok" and isinstance(value, bool)


def check_ufunc_kwargs(name: str, kwargs: dict) -> None:
    """Reject NumPy ufunc keywords other than their defaults, as MXNet 1.9.1 does.

    >>> check_ufunc_kwargs("add", {"casting": "same_kind"})
    """
    for key, value in kwargs.items():
        if key not in _UFUNC_DEFAULTS:
            raise TypeError(f"{key} is an invalid keyword to function '{name}'")
        default = _UFUNC_DEFAULTS[key]
        if value is default or (type(value) is type(default) and value == default):
            continue
        if _ufunc_legal(key, value):
            raise NotImplementedError(f"{key}={value} is not implemented yet for operator {name}")
        raise TypeError(f"{key}={value} not understood for operator {name}")


def _make_binary(name: str, aop: str, sop: str, rsop: str | None = None, kind: str = ""):
    def fn(x1, x2, out=None, **kwargs):
        if kwargs:
            check_ufunc_kwargs(name, kwargs)
        return _binary(aop, sop, rsop or sop, x1, x2, out, kind)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Element-wise ``{name}`` of two arrays (or an array and a scalar), with NumPy broadcasting.\n\n>>> mx.np.{name}(mx.np.array([1., 2.]), 2.).shape\n(2,)"
    )
    return fn


add = _make_binary("add", "broadcast_add", "_plus_scalar")
subtract = _make_binary("subtract", "broadcast_sub", "_minus_scalar", "_rminus_scalar")
multiply = _make_binary("multiply", "broadcast_mul", "_mul_scalar")
true_divide = _make_binary("true_divide", "broadcast_div", "_div_scalar", "_rdiv_scalar", "div")
divide = _make_binary("divide", "broadcast_div", "_div_scalar", "_rdiv_scalar", "div")
mod = _make_binary("mod", "broadcast_mod", "_mod_scalar", "_rmod_scalar")
remainder = _make_binary("remainder", "broadcast_mod", "_mod_scalar", "_rmod_scalar")
power = _make_binary("power", "broadcast_power", "_power_scalar", "_rpower_scalar")
maximum = _make_binary("maximum", "broadcast_maximum", "_maximum_scalar")
minimum = _make_binary("minimum", "broadcast_minimum", "_minimum_scalar")
hypot = _make_binary("hypot", "broadcast_hypot", "_hypot_scalar")
equal = _make_binary("equal", "broadcast_equal", "_equal_scalar", kind="cmp")
not_equal = _make_binary("not_equal", "broadcast_not_equal", "_not_equal_scalar", kind="cmp")
greater = _make_binary("greater", "broadcast_greater", "_greater_scalar", "_lesser_scalar", "cmp")
greater_equal = _make_binary("greater_equal", "broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar", "cmp")
less = _make_binary("less", "broadcast_lesser", "_lesser_scalar", "_greater_scalar", "cmp")
less_equal = _make_binary("less_equal", "broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar", "cmp")
logical_and = _make_binary("logical_and", "broadcast_logical_and", "_logical_and_scalar", kind="cmp")
logical_or = _make_binary("logical_or", "broadcast_logical_or", "_logical_or_scalar", kind="cmp")
logical_xor = _make_binary("logical_xor", "broadcast_logical_xor", "_logical_xor_scalar", kind="cmp")


def _make_unary(name: str, op: str, to_bool: bool = False):
    def fn(x, out=None, **kwargs):
        if kwargs:
            check_ufunc_kwargs(name, kwargs)
        res = _op(op, _arr(x))
        return _out(_cast(res, _BOOL) if to_bool else res, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Element-wise ``{name}`` (the ``{op}`` operator).\n\n>>> mx.np.{name}(mx.np.ones((2,))).shape\n(2,)"
    return fn


negative = _make_unary("negative", "negative")
absolute = _make_unary("absolute", "abs")
abs = _make_unary("abs", "abs")  # noqa: A001 -- NumPy's name
exp = _make_unary("exp", "exp")
expm1 = _make_unary("expm1", "expm1")
log = _make_unary("log", "log")
log2 = _make_unary("log2", "log2")
log10 = _make_unary("log10", "log10")
log1p = _make_unary("log1p", "log1p")
sqrt = _make_unary("sqrt", "sqrt")
cbrt = _make_unary("cbrt", "cbrt")
square = _make_unary("square", "square")
reciprocal = _make_unary("reciprocal", "reciprocal")
sign = _make_unary("sign", "sign")
sin = _make_unary("sin", "sin")
cos = _make_unary("cos", "cos")
tan = _make_unary("tan", "tan")
arcsin = _make_unary("arcsin", "arcsin")
arccos = _make_unary("arccos", "arccos")
arctan = _make_unary("arctan", "arctan")
sinh = _make_unary("sinh", "sinh")
cosh = _make_unary("cosh", "cosh")
tanh = _make_unary("tanh", "tanh")
arcsinh = _make_unary("arcsinh", "arcsinh")
arccosh = _make_unary("arccosh", "arccosh")
arctanh = _make_unary("arctanh", "arctanh")
floor = _make_unary("floor", "floor")
ceil = _make_unary("ceil", "ceil")
trunc = _make_unary("trunc", "fix")
fix = _make_unary("fix", "fix")
rint = _make_unary("rint", "rint")
degrees = _make_unary("degrees", "degrees")
radians = _make_unary("radians", "radians")
logical_not = _make_unary("logical_not", "logical_not", to_bool=True)


def round(x, decimals=0, out=None):  # noqa: A001 -- NumPy's name
    """Round half to even to ``decimals`` places (as NumPy).

    >>> mx.np.round(mx.np.array([0.5, 1.5, 2.5])).tolist()
    [0.0, 2.0, 2.0]
    """
    return _out(_op("_npi_around", _arr(x), decimals=int(decimals)), out)


around = round


def _check_bool_ufunc(name: str, out, kwargs: dict) -> None:
    if kwargs:
        check_ufunc_kwargs(name, kwargs)
    if out is not None and out.dtype != _BOOL:
        raise TypeError(f"{name}: out= must be a bool array, got dtype {out.dtype}")


def isnan(x, out=None, **kwargs):
    """True where ``x`` is NaN.

    >>> mx.np.isnan(mx.np.array([1., float('nan')])).tolist()
    [False, True]
    """
    _check_bool_ufunc("isnan", out, kwargs)
    x = _arr(x)
    return _out(not_equal(x, x), out)


def isinf(x, out=None, **kwargs):
    """True where ``x`` is +inf or -inf."""
    _check_bool_ufunc("isinf", out, kwargs)
    return _out(equal(abs(_arr(x)), math.inf), out)


def isfinite(x, out=None, **kwargs):
    """True where ``x`` is neither NaN nor infinite (``x - x`` is 0 only there)."""
    _check_bool_ufunc("isfinite", out, kwargs)
    x = _arr(x)
    return _out(equal(subtract(x, x), 0.0), out)


def isposinf(x, out=None, **kwargs):
    """True where ``x`` is +inf.

    >>> mx.np.isposinf(mx.np.array([1., float('inf')])).tolist()
    [False, True]
    """
    _check_bool_ufunc("isposinf", out, kwargs)
    return _out(equal(_arr(x), math.inf), out)


def isneginf(x, out=None, **kwargs):
    """True where ``x`` is -inf."""
    _check_bool_ufunc("isneginf", out, kwargs)
    return _out(equal(_arr(x), -math.inf), out)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """``x`` with NaN replaced by ``nan`` and infinities by the largest finite values (or ``posinf``/``neginf``)."""
    x = _arr(x)
    if x._data.dtype.kind != "f":
        return x.copy() if copy else x
    big = float(_onp.finfo(x._data.dtype).max)
    res = where(isnan(x), nan, x)
    res = where(equal(res, math.inf), big if posinf is None else posinf, res)
    res = where(equal(res, -math.inf), -big if neginf is None else neginf, res)
    if not copy:
        x[...] = res
        return x
    return res


# -- reductions -----------------------------------------------------------------------


def _axes(axis, ndim: int, what: str) -> tuple | None:
    """``axis`` (None, int or tuple) as a tuple of non-negative axes; None for all."""
    if axis is None:
        return None
    items = axis if isinstance(axis, (list, tuple)) else (axis,)
    out = []
    for a in items:
        a = int(a)
        if not -ndim <= a < ndim:
            raise _onp.exceptions.AxisError(f"{what}: axis {a} is out of bounds for array of dimension {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{what}: duplicate value in 'axis'")
    return tuple(out)


def _reduced_shape(shape: tuple, axes: tuple | None, keepdims: bool) -> tuple:
    if axes is None:
        axes = tuple(range(len(shape)))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _reduce(op: str, a, axis, keepdims: bool, what: str, pre=None, out=None, **params):
    a = _arr(a)
    if pre is not None:
        a = _cast(a, pre)
    axes = _axes(axis, a.ndim, what)
    want = _reduced_shape(a.shape, axes, keepdims)
    if a.ndim == 0:  # the legacy reductions have no 0-d input: reduce a (1,) view
        a, axes = _as_np(_reshape_to(a, (1,))), None
    if axes == ():
        res = _op("_copy", a)
    elif axes is None:
        res = _op(op, a, keepdims=keepdims, **params)
    else:
        res = _op(op, a, axis=axes, keepdims=keepdims, **params)
    if res.shape != want:
        res = _as_np(_reshape_to(res, want))
    return _out(res, out)


def _sum_dtype(a: NDArray, dtype) -> _onp.dtype | None:
    if dtype is not None:
        return _np_dtype(dtype)
    return _INT64 if a._data.dtype.kind == "b" else None


def _acc_dtype(it: _onp.dtype, dt: _onp.dtype) -> _onp.dtype:
    """The dtype to reduce ``it`` in for a result of ``dt``: float16 in float32, integers in int64 (as MXNet)."""
    if it.kind in "iub":
        return _INT64 if dt.kind in "iub" else (_onp.dtype(_onp.float32) if dt == _onp.float16 else dt)
    acc = _onp.dtype(_onp.float32) if it == _onp.float16 else it
    return dt if dt.kind == "f" and dt.itemsize > acc.itemsize else acc


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """Sum over ``axis`` (all axes by default; the result of a full sum is 0-d).

    >>> mx.np.ones((2, 3)).sum(), mx.np.ones((2, 3)).sum(axis=0).shape
    (array(6.), (3,))
    """
    a = _arr(a)
    it = a._data.dtype
    dt = _np_dtype(dtype) if dtype is not None else (_INT64 if it.kind == "b" else it)
    res = _cast(_reduce("sum", a, axis, keepdims, "sum", _acc_dtype(it, dt)), dt)
    if initial is not None:
        res = add(res, initial)
    return _out(res, out)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product over ``axis`` (all axes by default)."""
    a = _arr(a)
    res = _reduce("prod", a, axis, keepdims, "prod", _sum_dtype(a, dtype))
    if initial is not None:
        res = multiply(res, initial)
    return _out(res, out)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """Arithmetic mean over ``axis``; integers and bools average as float32.

    >>> mx.np.array([1, 2], dtype='int32').mean()
    array(1.5)
    """
    a = _arr(a)
    it = a._data.dtype
    dt = _np_dtype(dtype) if dtype is not None else (_DEFAULT_FLOAT if it.kind in "iub" else it)
    if dt.kind == "b":  # a mean is a fraction: NumPy's mean(dtype=bool) is one too
        dt = _DEFAULT_FLOAT
    if it.kind in "iu" and dt.kind in "iu":
        # NumPy (and MXNet) accumulate in the integer dtype, wrapping around, then divide
        total = _cast(_cast(_reduce("sum", a, axis, keepdims, "mean", _INT64), dt), _onp.dtype(_onp.float64))
        n = a.size // builtins.max(total.size, 1) if a.size else 1
        return _out(_cast(multiply(total, 1.0 / builtins.max(n, 1)), dt), out)
    acc = _acc_dtype(it, dt if dt.kind == "f" else _DEFAULT_FLOAT)  # averages are fractions even for an int result
    return _out(_cast(_reduce("mean", a, axis, keepdims, "mean", acc), dt), out)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """Maximum over ``axis``."""
    return _reduce("max", a, axis, keepdims, "max", None, out)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    """Minimum over ``axis``."""
    return _reduce("min", a, axis, keepdims, "min", None, out)


amax = max
amin = min


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Variance over ``axis`` (``ddof`` is subtracted from the count).

    >>> float(mx.np.arange(4.0).var())
    1.25
    """
    a = _arr(a)
    if a._data.dtype.kind in "iub" or dtype is not None:
        a = _cast(a, _np_dtype(dtype))
    mu = mean(a, axis, keepdims=True)
    dev = subtract(a, mu)
    res = mean(multiply(dev, dev), axis, keepdims=keepdims)
    axes = _axes(axis, a.ndim, "var")
    n = math.prod(a.shape) if axes is None else math.prod(a.shape[i] for i in axes)
    if ddof:
        res = multiply(res, n / (n - ddof) if n > ddof else math.inf)
    return _out(res, out)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis``."""
    return _out(sqrt(var(a, axis, dtype, None, ddof, keepdims)), out)


def _arg(op: str, a, axis, out, what: str):
    a = _arr(a)
    try:
        _axes(axis, builtins.max(a.ndim, 1), what)
    except _onp.exceptions.AxisError as e:  # the operator's error in MXNet
        raise MXNetError(str(e)) from None
    n = a.size if axis is None else (a.shape[int(axis)] if a.ndim else 1)
    if n == 0:
        raise MXNetError(f"{what}: attempt to get {what} of an empty sequence (shape {a.shape}, axis {axis})")
    if a.ndim == 0:  # NumPy: the one element's index is 0 (axis None, 0 or -1)
        _axes(axis, 1, what)
        a = _as_np(_reshape_to(a, (1,)))
        axis = None
    if axis is None:
        flat = _as_np(_reshape_to(a, (a.size,)))
        res = _op(op, flat, axis=0)
    else:
        ax = _axes(axis, a.ndim, what)[0]
        res = _op(op, a, axis=ax)
        want = _reduced_shape(a.shape, (ax,), False)
        if res.shape != want:
            res = _as_np(_reshape_to(res, want))
    if res.shape != () and axis is None:
        res = _as_np(_reshape_to(res, ()))
    return _out(_cast(res, _INT64), out)


def argmax(a, axis=None, out=None):
    """Indices (int64) of the maxima along ``axis`` (of the flattened array by default).

    >>> mx.np.argmax(mx.np.array([[1., 3.], [4., 2.]]), axis=1).tolist()
    [1, 0]
    """
    return _arg("argmax", a, axis, out, "argmax")


def argmin(a, axis=None, out=None):
    """Indices (int64) of the minima along ``axis``."""
    return _arg("argmin", a, axis, out, "argmin")


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (of the flattened array by default)."""
    params = {} if dtype is None else {"dtype": _np_dtype(dtype).name}
    return _out(_op("_np_cumsum", _arr(a), axis=axis, **params), out)


def all(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """True when every element along ``axis`` is non-zero."""
    # count the zeros: a sum, unlike min, is defined over zero-size axes (all() of nothing is True)
    zeros = _cast(_op("_equal_scalar", _arr(a), scalar=0.0), _DEFAULT_FLOAT)
    return _out(_cast(_op("_equal_scalar", _reduce("sum", zeros, axis, keepdims, "all"), scalar=0.0), _BOOL), out)


def any(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """True when some element along ``axis`` is non-zero."""
    nz = _cast(_op("_not_equal_scalar", _arr(a), scalar=0.0), _DEFAULT_FLOAT)
    return _out(_cast(_reduce("sum", nz, axis, keepdims, "any"), _BOOL), out)


# -- products ---------------------------------------------------------------------------


def _same_dtype(a: NDArray, b: NDArray) -> tuple:
    dt = result_type(a._data.dtype, b._data.dtype)
    return _cast(a, dt), _cast(b, dt)


def dot(a, b, out=None):
    """NumPy's ``dot``: inner product of vectors (0-d), matrix products, sum over
    ``a``'s last and ``b``'s second-to-last axis for N-D.

    >>> mx.np.dot(mx.np.arange(4.0), mx.np.arange(4.0))
    array(14.)
    """
    a, b = _same_dtype(_arr(a), _arr(b))
    if a.ndim == 0 or b.ndim == 0:
        return _out(multiply(a, b), out)
    if b.ndim > 2:
        return _out(tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 2])), out)
    res = _op("dot", a, b)
    want = a.shape[:-1] + b.shape[:-2] + b.shape[-1:] if b.ndim == 2 else a.shape[:-1]
    if res.shape != want:
        res = _as_np(_reshape_to(res, want))
    return _out(res, out)


def vdot(a, b):
    """Dot product of the flattened arrays."""
    a, b = _arr(a), _arr(b)
    return dot(_as_np(_reshape_to(a, (a.size,))), _as_np(_reshape_to(b, (b.size,))))


def inner(a, b):
    """Sum product over the last axes of ``a`` and ``b``."""
    a, b = _arr(a), _arr(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


def outer(a, b):
    """Outer product of the flattened ``a`` and ``b``."""
    a, b = _arr(a), _arr(b)
    return multiply(_as_np(_reshape_to(a, (a.size, 1))), _as_np(_reshape_to(b, (1, b.size))))


def tensordot(a, b, axes=2):
    """Sum products over ``axes`` (an int: the last N of ``a`` with the first N of ``b``).

    >>> mx.np.tensordot(mx.np.ones((2, 3, 4)), mx.np.ones((3, 4, 5))).shape
    (2, 5)
    """
    from ._shape import transpose

    a, b = _same_dtype(_arr(a), _arr(b))
    if isinstance(axes, (int, _onp.integer)):
        n = int(axes)
        ax_a, ax_b = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    ax_a = [x % a.ndim for x in ax_a] if a.ndim else []
    ax_b = [x % b.ndim for x in ax_b] if b.ndim else []
    if len(ax_a) != len(ax_b) or builtins.any(a.shape[i] != b.shape[j] for i, j in zip(ax_a, ax_b)):
        raise ValueError(f"tensordot: shape-mismatch for sum: {a.shape} axes {ax_a} vs {b.shape} axes {ax_b}")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = math.prod(a.shape[i] for i in ax_a)
    at = transpose(a, free_a + ax_a) if free_a + ax_a != list(range(a.ndim)) else a
    bt = transpose(b, ax_b + free_b) if ax_b + free_b != list(range(b.ndim)) else b
    m = math.prod(a.shape[i] for i in free_a)
    n2 = math.prod(b.shape[i] for i in free_b)
    res = _op("dot", _as_np(_reshape_to(at, (m, k))), _as_np(_reshape_to(bt, (k, n2))))
    return _as_np(_reshape_to(res, tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)))


def matmul(a, b, out=None):
    """NumPy's ``matmul`` (``@``): matrix products broadcast over leading batch axes.

    >>> (mx.np.ones((5, 2, 3)) @ mx.np.ones((3, 4))).shape
    (5, 2, 4)
    """
    from ._shape import broadcast_to

    a, b = _same_dtype(_arr(a), _arr(b))
    if a.ndim == 0 or b.ndim == 0:
        raise MXNetError("matmul: Input operand does not have enough dimensions (0-d operands are not allowed)")
    if a.ndim <= 2 and b.ndim <= 2:
        return _out(dot(a, b), out)
    a2 = _as_np(_reshape_to(a, (1,) + a.shape)) if a.ndim == 1 else a
    b2 = _as_np(_reshape_to(b, b.shape + (1,))) if b.ndim == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise MXNetError(f"matmul: Input operand 1 has a mismatch in its core dimension 0 ({a.shape} @ {b.shape})")
    try:
        batch = tuple(_onp.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]))
    except ValueError:
        raise MXNetError(f"matmul: batch dimensions of {a.shape} and {b.shape} do not broadcast") from None
    n, k, m = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    bsz = math.prod(batch)
    a3 = _as_np(_reshape_to(broadcast_to(a2, batch + (n, k)), (bsz, n, k)))
    b3 = _as_np(_reshape_to(broadcast_to(b2, batch + (k, m)), (bsz, k, m)))
    res = _op("batch_dot", a3, b3)
    shape = batch + ((n,) if a.ndim > 1 else ()) + ((m,) if b.ndim > 1 else ())
    return _out(_as_np(_reshape_to(res, shape)), out)


def where(condition, x=None, y=None):
    """Elements of ``x`` where ``condition`` is true, else of ``y`` (broadcast together);
    with only ``condition``, ``nonzero(condition)``.

    >>> mx.np.where(mx.np.array([1., 0.]) > 0, 1., -1.).tolist()
    [1.0, -1.0]
    """
    from ._shape import broadcast_to, nonzero

    if x is None and y is None:
        return nonzero(condition)
    cond = _arr(condition)
    if not isinstance(x, NDArray) and not isinstance(y, NDArray):
        x, y = _arr(x, cond), _arr(y, cond)
    elif not isinstance(x, NDArray):
        x = _arr(_onp.array(x, dtype=y.dtype), cond)
    elif not isinstance(y, NDArray):
        y = _arr(_onp.array(y, dtype=x.dtype), cond)
    x, y = _same_dtype(x, y)
    shape = tuple(_onp.broadcast_shapes(cond.shape, x.shape, y.shape))
    cond, x, y = (v if v.shape == shape else broadcast_to(v, shape) for v in (cond, x, y))
    if shape == ():
        one = (1,)
        res = _op("where", *(_as_np(_reshape_to(v, one)) for v in (cond, x, y)))
        return _as_np(_reshape_to(res, ()))
    return _op("where", cond, x, y)


def clip(a, a_min=None, a_max=None, out=None):
    """``a`` limited to ``[a_min, a_max]`` (either may be None).

    >>> mx.np.clip(mx.np.arange(4.0), 1, 2).tolist()
    [1.0, 1.0, 2.0, 2.0]
    """
    if a_min is None and a_max is None:
        raise ValueError("clip: One of max or min must be given")
    lo = -math.inf if a_min is None else float(a_min)
    hi = math.inf if a_max is None else float(a_max)
    return _out(_op("clip", _arr(a), a_min=lo, a_max=hi), out)
