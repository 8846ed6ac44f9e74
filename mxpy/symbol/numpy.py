"""``mx.sym.np``: the symbolic side of ``mx.np``, what ``F.np`` reaches when
``hybridize()`` traces a ``hybrid_forward`` under ``npx.set_np()``.

``_Symbol`` is a Symbol with NumPy-style operators and methods (broadcasting
``+``, ``reshape`` with NumPy's rule, ``sum`` giving 0-d results, basic
slicing); the functions build graphs from the same op records as ``mx.np``.
Shapes and dtypes are not known while tracing, so the dtype promotion of
``mx.np`` is left out: a traced graph computes in its inputs' dtype.

>>> import mxpy as mx
>>> x = mx.sym.var('x').as_np_ndarray()
>>> y = mx.sym.np.sum(x * 2, axis=1)
>>> y.infer_shape(x=(2, 3))[1]
[(2,)]
"""

from __future__ import annotations

import builtins
import numbers

import numpy as _onp

from ..ops.np_function_table import SPECS, call_spec, record_for
from .symbol import Symbol, _invoke_named

__all__ = ["_Symbol"]

_SCALARS = (numbers.Number, _onp.generic)


def _as_np_sym(s):
    """Re-class Symbol(s) (nested lists/tuples too) as ``_Symbol``."""
    if isinstance(s, Symbol):
        if type(s) is not _Symbol:
            s.__class__ = _Symbol
        return s
    if type(s) in (list, tuple):
        return type(s)(_as_np_sym(v) for v in s)
    return s


def _op(name: str, *inputs, **params):
    return _as_np_sym(_invoke_named(name, [x for x in inputs if x is not None], {k: v for k, v in params.items() if v is not None}))


def _binary(aop: str, sop: str, rsop: str | None = None, to_bool: bool = False):
    def fn(x1, x2, out=None, **kwargs):
        if isinstance(x1, Symbol) and isinstance(x2, Symbol):
            res = _op(aop, x1, x2)
        elif isinstance(x1, Symbol):
            res = _op(sop, x1, scalar=float(x2))
        elif isinstance(x2, Symbol):
            res = _op(rsop or sop, x2, scalar=float(x1))
        else:
            raise TypeError(f"mx.sym.np.{aop}: one operand must be a Symbol, got {type(x1).__name__} and {type(x2).__name__}")
        return _op("Cast", res, dtype="bool") if to_bool else res

    fn.__name__ = aop
    return fn


add = _binary("broadcast_add", "_plus_scalar")
subtract = _binary("broadcast_sub", "_minus_scalar", "_rminus_scalar")
multiply = _binary("broadcast_mul", "_mul_scalar")
true_divide = divide = _binary("broadcast_div", "_div_scalar", "_rdiv_scalar")
mod = remainder = _binary("broadcast_mod", "_mod_scalar", "_rmod_scalar")
power = _binary("broadcast_power", "_power_scalar", "_rpower_scalar")
maximum = _binary("broadcast_maximum", "_maximum_scalar")
minimum = _binary("broadcast_minimum", "_minimum_scalar")
equal = _binary("broadcast_equal", "_equal_scalar", to_bool=True)
not_equal = _binary("broadcast_not_equal", "_not_equal_scalar", to_bool=True)
greater = _binary("broadcast_greater", "_greater_scalar", "_lesser_scalar", True)
greater_equal = _binary("broadcast_greater_equal", "_greater_equal_scalar", "_lesser_equal_scalar", True)
less = _binary("broadcast_lesser", "_lesser_scalar", "_greater_scalar", True)
less_equal = _binary("broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar", True)


def _unary(op: str):
    def fn(x, out=None, **kwargs):
        return _op(op, x)

    fn.__name__ = op
    return fn


_UNARY = {
    "negative": "negative",
    "abs": "abs",
    "absolute": "abs",
    "exp": "exp",
    "expm1": "expm1",
    "log": "log",
    "log2": "log2",
    "log10": "log10",
    "log1p": "log1p",
    "sqrt": "sqrt",
    "cbrt": "cbrt",
    "square": "square",
    "reciprocal": "reciprocal",
    "sign": "sign",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "arcsin": "arcsin",
    "arccos": "arccos",
    "arctan": "arctan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "floor": "floor",
    "ceil": "ceil",
    "trunc": "fix",
    "fix": "fix",
    "rint": "rint",
    "arcsinh": "arcsinh",
    "arccosh": "arccosh",
    "arctanh": "arctanh",
    "degrees": "degrees",
    "radians": "radians",
}
for _name, _opname in _UNARY.items():
    globals()[_name] = _unary(_opname)


def _reduce(op: str, x, axis, keepdims: bool):
    if isinstance(axis, (list, tuple)) and not axis:  # NumPy: reduce over no axis
        return _op("_copy", x)
    if axis is None:
        res = _op(op, x, keepdims=keepdims)
        return res if keepdims else _op("_np_reshape", res, newshape=())
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)
    return _op(op, x, axis=axes, keepdims=keepdims)


def sum(a, axis=None, dtype=None, out=None, keepdims=False):  # noqa: A001 -- NumPy's name
    """Sum over ``axis`` (0-d for all axes); with ``dtype``, accumulated in int64 / float32 or wider."""
    if dtype is None:
        return _reduce("sum", a, axis, keepdims)
    dt = _onp.dtype(dtype)
    acc = "int64" if dt.kind in "iub" else ("float32" if dt == _onp.float16 else dt.name)
    return _op("Cast", _reduce("sum", _op("Cast", a, dtype=acc), axis, keepdims), dtype=dt.name)


def mean(a, axis=None, dtype=None, out=None, keepdims=False):
    """Mean over ``axis``; integers and bools average as float32 (as ``mx.np.mean``)."""
    if dtype is None:
        return _reduce("mean", as_float(a), axis, keepdims)  # noqa: F821 -- made from SPECS
    dt = _onp.dtype(dtype)
    if dt.kind in "iu":  # integer inputs accumulate in dt, wrapping (NumPy's rule): one node that sees the input dtype
        return int_mean(a, axis=axis, dtype=dt.name, keepdims=keepdims)  # noqa: F821 -- made from SPECS
    return _op("Cast", _reduce("mean", as_float(a), axis, keepdims), dtype=dt.name)  # noqa: F821


def max(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Maximum over ``axis``."""
    return _reduce("max", a, axis, keepdims)


def min(a, axis=None, out=None, keepdims=False):  # noqa: A001
    """Minimum over ``axis``."""
    return _reduce("min", a, axis, keepdims)


def prod(a, axis=None, dtype=None, out=None, keepdims=False):
    """Product over ``axis``."""
    return _reduce("prod", a, axis, keepdims)


def reshape(a, newshape, order="C"):
    """Reshape with NumPy's rule (one -1 inferred)."""
    if isinstance(newshape, (int, _onp.integer)):
        newshape = (int(newshape),)
    newshape = tuple(int(d) for d in newshape)
    if newshape and 0 not in newshape and order == "C":
        # the legacy record means the same here, and its rule also infers shapes backwards
        # (an RNN layer's flattened weights get their sizes from the RNN operator)
        return _op("Reshape", a, shape=newshape)
    return _op("_np_reshape", a, newshape=newshape, order=order)


def swapaxes(a, axis1, axis2):
    """Interchange two axes."""
    return _op("SwapAxis", a, dim1=int(axis1), dim2=int(axis2))


def expand_dims(a, axis):
    """Insert a length-1 axis at ``axis``."""
    return _op("expand_dims", a, axis=int(axis))


def squeeze(a, axis=None):
    """Remove length-1 axes."""
    return _op("squeeze", a, axis=None if axis is None else (tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)))


def concatenate(seq, axis=0, out=None):
    """Join along an existing axis (of the flattened arrays when ``axis`` is None)."""
    if axis is None:
        seq = [reshape(x, (-1,)) for x in seq]
        axis = 0
    return _op("Concat", *seq, dim=int(axis), num_args=len(seq))


def stack(arrays, axis=0, out=None):
    """Join along a new axis."""
    return _op("stack", *arrays, axis=int(axis), num_args=len(arrays))


def split(ary, indices_or_sections, axis=0):
    """Split into equal sections (an int) along ``axis``; a list of Symbols."""
    if not isinstance(indices_or_sections, (int, _onp.integer)):
        res = _op("_split_v2", ary, indices=(0, *indices_or_sections), axis=int(axis))
        n = len(indices_or_sections) + 1
    else:
        n = int(indices_or_sections)
        res = _op("SliceChannel", ary, num_outputs=n, axis=int(axis))
    # output selection (Symbol's own [i]; an np Symbol's [i] indexes the array)
    return [_as_np_sym(Symbol.__getitem__(res, i)) for i in range(n)]


def hsplit(ary, indices_or_sections):
    """Split along axis 1 (the Symbol must have 2 or more dims)."""
    return split(ary, indices_or_sections, axis=1)


def vsplit(ary, indices_or_sections):
    """Split along axis 0."""
    return split(ary, indices_or_sections, axis=0)


def where(condition, x, y):
    """``x`` where ``condition`` else ``y`` (same shapes)."""
    return _op("where", condition, x, y)


def clip(a, a_min, a_max, out=None):
    """Limit values to ``[a_min, a_max]``."""
    return _op("clip", a, a_min=-_onp.inf if a_min is None else float(a_min), a_max=_onp.inf if a_max is None else float(a_max))


def tile(A, reps):  # noqa: N803
    """Repeat the whole array ``reps`` times per axis."""
    return _op("tile", A, reps=(reps,) if isinstance(reps, int) else tuple(reps))


def repeat(a, repeats, axis=None):
    """Repeat each element ``repeats`` times."""
    return _op("repeat", a, repeats=int(repeats), axis=axis)


def flip(m, axis):
    """Reverse the order along ``axis``."""
    return _op("reverse", m, axis=axis)


def zeros_like(a, dtype=None):
    """Zeros shaped like ``a``."""
    return _op("zeros_like", a)


def ones_like(a, dtype=None):
    """Ones shaped like ``a``."""
    return _op("ones_like", a)


def _dt(dtype) -> str:
    """A dtype name; None is mx.np's default float32."""
    return "float32" if dtype is None else _onp.dtype(dtype).name


def zeros(shape, dtype=None, **kwargs):
    """A constant zeros Symbol."""
    return _op("_zeros", shape=tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_dt(dtype))


def ones(shape, dtype=None, **kwargs):
    """A constant ones Symbol."""
    return _op("_ones", shape=tuple(shape) if not isinstance(shape, int) else (shape,), dtype=_dt(dtype))


def identity(n, dtype=None, **kwargs):
    """A constant ``n`` x ``n`` identity Symbol."""
    return eye(n, dtype=dtype)  # noqa: F821 -- made from SPECS


def arange(start, stop=None, step=1.0, dtype=None, **kwargs):
    """Evenly spaced values (float32 by default)."""
    if stop is None:
        start, stop = 0, start
    step = 1.0 if step is None else step
    return _op("_arange", start=float(start), stop=float(stop), step=float(step), dtype=_dt(dtype))


def ravel(a, order="C"):
    """``a`` flattened to 1-D."""
    return reshape(a, (-1,))


def vstack(arrays, out=None):
    """Join 2-D (or more) Symbols along axis 0."""
    return concatenate(arrays, axis=0)


def hstack(arrays):
    """Join 2-D (or more) Symbols along axis 1."""
    return concatenate(arrays, axis=1)


column_stack = hstack


def isnan(x, out=None, **kwargs):
    """True where ``x`` is NaN (``x != x``)."""
    return not_equal(x, x)


def isinf(x, out=None, **kwargs):
    """True where ``x`` is infinite."""
    return equal(_op("abs", x), float("inf"))


def logical_not(x, out=None, **kwargs):
    """True where ``x`` is zero (False)."""
    return _op("Cast", _op("logical_not", x), dtype="bool")


hypot = _binary("broadcast_hypot", "_hypot_scalar")


def isposinf(x, out=None, **kwargs):
    """True where ``x`` is +inf."""
    return equal(x, float("inf"))


def isneginf(x, out=None, **kwargs):
    """True where ``x`` is -inf."""
    return equal(x, float("-inf"))


def isfinite(x, out=None, **kwargs):
    """True where ``x`` is finite (``x - x == 0`` only there)."""
    return equal(subtract(x, x), 0.0)


def around(x, decimals=0, out=None):
    """Round half to even to ``decimals`` places."""
    return _op("_npi_around", x, decimals=int(decimals))


round = around  # noqa: A001 -- NumPy's name


def sort(a, axis=-1, kind=None, order=None):
    """Sorted copy along ``axis``."""
    return _op("sort", a, axis=axis, is_ascend=True)


def argsort(a, axis=-1, kind=None, order=None):
    """Indices (int64) that sort ``a`` along ``axis``."""
    return _op("argsort", a, axis=axis, is_ascend=True, dtype="int64")


def take(a, indices, axis=None, mode="raise", out=None):
    """Elements at ``indices`` along ``axis`` (of the flattened Symbol when None)."""
    if axis is None:
        a, axis = ravel(a), 0
    return _op("take", a, indices, axis=int(axis), mode="clip" if mode == "raise" else mode)


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    return _op("_np_cumsum", a, axis=axis, dtype=None if dtype is None else _onp.dtype(dtype).name)


def full_like(a, fill_value, dtype=None, **kwargs):
    """``fill_value`` shaped like ``a``."""
    zeros = _op("zeros_like", a) if dtype is None else _op("Cast", _op("zeros_like", a), dtype=_dt(dtype))
    return _op("_plus_scalar", zeros, scalar=float(fill_value))


def flipud(m):
    """Reverse the order along axis 0."""
    return flip(m, 0)


def fliplr(m):
    """Reverse the order along axis 1."""
    return flip(m, 1)


def outer(a, b):
    """Outer product of the flattened ``a`` and ``b``."""
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def vdot(a, b):
    """Dot product of the flattened Symbols."""
    return sum(multiply(ravel(a), ravel(b)))


class _Namespace:
    """A plain namespace for ``mx.sym.np.random`` / ``mx.sym.np.linalg``."""

    def __init__(self, **fns):
        self.__dict__.update(fns)


_SPLITS = ("split", "array_split", "hsplit", "vsplit", "dsplit", "unravel_index")  # list results


def _np_function(name: str):
    """``mx.sym.np.<name>``: the ``_npi_function`` record, as ``mx.np.<name>`` uses it."""

    def fn(*args, **kwargs):
        inputs, params = call_spec(name, args, kwargs, lambda v: isinstance(v, Symbol))
        res = _op(record_for(name), *inputs, **params)
        n = params["num_outputs"]
        if n > 1 or name in _SPLITS:
            return [_as_np_sym(Symbol.__getitem__(res, i)) for i in range(n)]
        return res

    fn.__name__ = fn.__qualname__ = name.rsplit(".", 1)[-1]
    fn.__doc__ = f"Symbolic ``mx.np.{name}`` (one ``_npi_function`` node)."
    return fn


# every SPECS function, including the ones whose legacy mapping above only covers
# some arguments (flip without an axis, 1-D hstack, unequal splits)
for _name in SPECS:
    if "." not in _name:
        globals()[_name] = _np_function(_name)


_transpose_any = _np_function("transpose")


def transpose(a, axes=None):
    """Permute the axes (reverse them by default; negative axes count from the end)."""
    axes = None if axes is None else tuple(int(x) for x in axes)
    if axes is not None and builtins.min(axes, default=0) < 0:
        return _transpose_any(a, axes)
    return _op("transpose", a, axes=() if axes is None else axes)


_full_any = _np_function("full")


def full(shape, fill_value, dtype=None, **kwargs):
    """A Symbol of ``shape`` filled with ``fill_value`` (a number, or a Symbol broadcast to ``shape``)."""
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    if isinstance(fill_value, Symbol):
        return _full_any(shape, fill_value, dtype=dtype)
    return _op("_full", shape=shape, value=float(fill_value), dtype=_dt(dtype))


def _linalg_legacy(op: str):
    def fn(a):
        return _op(op, a)

    fn.__name__ = op
    return fn


random = _Namespace(
    **{n.split(".", 1)[1]: _np_function(n) for n in SPECS if n.startswith("random.")},
)
linalg = _Namespace(
    inv=_linalg_legacy("_linalg_inverse"),
    cholesky=_linalg_legacy("_linalg_potrf"),
    **{n.split(".", 1)[1]: _np_function(n) for n in SPECS if n.startswith("linalg.")},
)


# -- the Symbol type --------------------------------------------------------------------------


def _method(fn, reflected: bool = False):
    if reflected:
        return lambda self, other: fn(other, self)
    return lambda self, other: fn(self, other)


class _Symbol(Symbol):
    """A Symbol with ``mx.np`` semantics for its operators and methods."""

    __slots__ = ()

    __add__ = _method(add)
    __radd__ = _method(add, True)
    __sub__ = _method(subtract)
    __rsub__ = _method(subtract, True)
    __mul__ = _method(multiply)
    __rmul__ = _method(multiply, True)
    __truediv__ = _method(true_divide)
    __rtruediv__ = _method(true_divide, True)
    __mod__ = _method(mod)
    __rmod__ = _method(mod, True)
    __pow__ = _method(power)
    __rpow__ = _method(power, True)
    __matmul__ = _method(matmul)  # noqa: F821 -- made from SPECS
    __eq__ = _method(equal)
    __ne__ = _method(not_equal)
    __gt__ = _method(greater)
    __ge__ = _method(greater_equal)
    __lt__ = _method(less)
    __le__ = _method(less_equal)

    def __neg__(self):
        return _op("negative", self)

    def __hash__(self) -> int:
        return id(self)

    def __getitem__(self, key):
        """Basic slicing (ints, slices) of the array; a string picks an output by name."""
        if isinstance(key, str):
            return _as_np_sym(Symbol.__getitem__(self, key))
        items = key if isinstance(key, tuple) else (key,)
        if not builtins.all(isinstance(k, (int, _onp.integer, slice)) for k in items):
            raise TypeError(f"mx.sym.np: only basic indexing (ints and slices) is supported on Symbols, got {key!r}")
        begin, end, step, drop = [], [], [], []
        for ax, k in enumerate(items):
            if isinstance(k, slice):
                begin.append(k.start)
                end.append(k.stop)
                step.append(k.step)
            else:
                k = int(k)
                begin.append(k)
                end.append(k + 1 if k != -1 else None)
                step.append(None)
                drop.append(ax)
        res = _op("slice", self, begin=tuple(begin), end=tuple(end), step=tuple(step))
        return _op("squeeze", res, axis=tuple(drop)) if drop else res

    @property
    def T(self):
        return transpose(self)

    def reshape(self, *args, **kwargs):
        shape = kwargs.pop("newshape", None) or kwargs.pop("shape", None) or (args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args)
        return reshape(self, shape)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (list, tuple))):
            axes = axes[0]
        return transpose(self, axes or None)

    def astype(self, dtype, copy=True):
        return _op("Cast", self, dtype=_onp.dtype(dtype).name)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False):
        return sum(self, axis, dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False):
        return mean(self, axis, dtype, keepdims=keepdims)

    def max(self, axis=None, out=None, keepdims=False):
        return max(self, axis, keepdims=keepdims)

    def min(self, axis=None, out=None, keepdims=False):
        return min(self, axis, keepdims=keepdims)

    def argmax(self, axis=None, out=None):
        return argmax(self, axis)  # noqa: F821 -- made from SPECS

    def argmin(self, axis=None, out=None):
        return argmin(self, axis)  # noqa: F821

    def squeeze(self, axis=None):
        return squeeze(self, axis)

    def clip(self, min=None, max=None, out=None):  # noqa: A002 -- NumPy's names
        return clip(self, min, max)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False):
        return prod(self, axis, keepdims=keepdims)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return std(self, axis, dtype=dtype, ddof=ddof, keepdims=keepdims)  # noqa: F821 -- made from SPECS

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return var(self, axis, dtype=dtype, ddof=ddof, keepdims=keepdims)  # noqa: F821

    def cumsum(self, axis=None, dtype=None, out=None):
        return cumsum(self, axis, dtype)

    def argsort(self, axis=-1, kind=None, order=None):
        return argsort(self, axis)

    def take(self, indices, axis=None, mode="raise"):
        return take(self, indices, axis, mode)

    def ravel(self, order="C"):
        return ravel(self)

    def repeat(self, repeats, axis=None):
        return repeat(self, repeats, axis)

    def tile(self, reps):
        return tile(self, reps)

    def round(self, decimals=0, out=None):
        return around(self, decimals)

    def expand_dims(self, axis):
        return expand_dims(self, axis)

    def swapaxes(self, axis1, axis2):
        return swapaxes(self, axis1, axis2)

    def flatten(self, order="C"):
        return reshape(self, (-1,))

    def dot(self, b):
        return dot(self, b)  # noqa: F821 -- made from SPECS

    def as_nd_ndarray(self) -> Symbol:
        return Symbol(list(self._outputs))

    def as_np_ndarray(self):
        return self


def _sym_as_np_ndarray(self):
    """``Symbol.as_np_ndarray()``: the same graph entry as an ``mx.sym.np`` Symbol."""
    return _Symbol(list(self._outputs))


Symbol.as_np_ndarray = _sym_as_np_ndarray

__all__ += ["random", "linalg"] + [
    n for n in list(globals()) if not n.startswith("_") and callable(globals()[n]) and n not in ("Symbol", "numbers", "call_spec")
]
