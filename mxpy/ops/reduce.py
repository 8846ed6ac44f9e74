"""Reductions: sum, mean, prod, max, min, nansum, nanprod, norm, argmax, argmin.

MXNet 1.9.1 semantics, checked against the reference:

- ``axis`` is an int, a tuple or None; None and ``()`` reduce every axis.
  Negative axes count from the end; an axis out of range or given twice is
  an error at call time. ``exclude=True`` reduces every axis *except* those.
- Reducing every axis without ``keepdims`` gives shape ``(1,)``, never ``()``.
- The result keeps the input dtype. Integer sums and products wrap around in
  that dtype, and an integer mean is that (wrapped) sum divided with
  truncation toward zero. float16 sums and means accumulate in float32 and
  the mean divides in float32 before rounding to float16, so the mean of
  100000 halves is 0.5 (MXNet 1.9.1's CPU build stores the sum in float16
  first and divides by a count that is inf in float16, giving 0; its
  ``MXNET_SAFE_ACCUMULATION=1`` mode gives 0.5, as mxpy always does).
- ``argmax``/``argmin`` return indices in the input dtype (float32 for
  float32 data); the first maximum wins and NaN counts as the maximum.
- ``norm`` scales by the largest magnitude as MXNet's reducer does, so huge
  and tiny float inputs neither overflow nor underflow; for integer data its
  integer arithmetic reduces to ``max|x| * sqrt(count of |x| == max|x|)``.

>>> import mxpy as mx
>>> mx.nd.sum(mx.nd.ones((2, 3))).shape
(1,)
>>> mx.nd.argmax(mx.nd.array([[1, 5, 2]]), axis=1).asnumpy()
array([1.], dtype=float32)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..registry import OpDef, Param, ShapeError, forward_shape, register
from ._util import store

# -- axes ------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def reduce_axes(axis, ndim: int, exclude: bool = False) -> tuple[int, ...]:
    """The sorted, non-negative axes a reduction runs over.

    >>> reduce_axes(-1, 3)
    (2,)
    >>> reduce_axes((0,), 3, exclude=True)
    (1, 2)
    >>> reduce_axes((), 2)
    (0, 1)
    """
    if axis is None or axis == ():
        return tuple(range(ndim))  # exclude has no effect on an empty axis list (as MXNet)
    given = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in given:
        b = a + ndim if a < 0 else a
        if not 0 <= b < ndim:
            raise ShapeError(f"axis {a} is out of range for an input with {ndim} dimension(s); expected an axis in [{-ndim}, {ndim - 1}]")
        out.append(b)
    axes = tuple(sorted(out))
    if len(set(axes)) != len(axes):
        raise ShapeError(f"axis {axis} names the same dimension twice (input has {ndim} dimension(s))")
    if exclude:
        axes = tuple(i for i in range(ndim) if i not in axes)
    return axes


@lru_cache(maxsize=4096)
def reduced_shape(shape: tuple, axes: tuple, keepdims: bool) -> tuple:
    """Output shape of reducing ``axes`` of ``shape``; an empty result is ``(1,)``."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    out = tuple(d for i, d in enumerate(shape) if i not in axes)
    return out or (1,)


def _rule(p, data):
    axes = reduce_axes(p.axis, len(data), p.get("exclude", False))
    return reduced_shape(tuple(data), axes, p.keepdims)


def _extremum_rule(p, data):
    axes = reduce_axes(p.axis, len(data), p.exclude)
    _no_empty(data, axes)
    return reduced_shape(tuple(data), axes, p.keepdims)


def _no_empty(shape, axes) -> None:
    for a in axes:
        if shape[a] == 0:
            raise ShapeError(f"cannot take the maximum/minimum over axis {a} of size 0 (input shape {tuple(shape)})")


# -- accumulation ------------------------------------------------------------------------


def _trailing(axes: tuple, ndim: int) -> bool:
    # NumPy sums a C-contiguous array pairwise (accurately) only along its
    # innermost axes; other float32 sums accumulate one by one in float32
    return axes == tuple(range(ndim - len(axes), ndim))


def _acc_dtype(xp, x, axes: tuple):
    """dtype to accumulate a sum of ``x`` over ``axes`` in.

    float16 in float32 (as MXNet); float32 in float64 on the CPU when NumPy
    would otherwise add a long run one by one (MXNet adds with Kahan
    compensation, so its float32 sums are accurate); integers wrap in their
    own dtype, as MXNet's do.
    """
    dt = x.dtype
    if dt == np.float16:
        return np.float32
    if dt == np.float32 and xp is np and not (_trailing(axes, x.ndim) and x.flags.c_contiguous):
        n = 1
        for a in axes:
            n *= x.shape[a]
        if n > 256:
            return np.float64
    return dt


def _sum(xp, x, axes, nan: bool = False):
    fn = xp.nansum if nan and x.dtype.kind == "f" else xp.sum
    return fn(x, axis=axes, dtype=_acc_dtype(xp, x, axes))


def _prod(xp, x, axes, nan: bool = False):
    fn = xp.nanprod if nan and x.dtype.kind == "f" else xp.prod
    return fn(x, axis=axes, dtype=np.float32 if x.dtype == np.float16 else x.dtype)


def _mean(xp, x, axes):
    n = 1
    for a in axes:
        n *= x.shape[a]
    if x.dtype == np.float16:
        # divide the float32 sum in float32: 100000 is inf in float16, and a sum
        # over 65504 would be too
        return (xp.asarray(_sum(xp, x, axes)) / np.float32(n)).astype(np.float16)
    s = xp.asarray(_sum(xp, x, axes)).astype(x.dtype, copy=False)  # MXNet divides the sum stored in the output dtype
    if x.dtype.kind == "f":
        return s / x.dtype.type(n)  # 0/0 is NaN for an empty axis, quietly
    if x.dtype.kind == "b" or n == 0:
        return s
    # integer division truncating toward zero (C semantics)
    q = s // n
    return q + ((s < 0) & (s % n != 0)).astype(x.dtype)


def _reduce_kernel(reduce):
    def kernel(p, ins, outs, req, rt):
        x = ins[0]
        axes = reduce_axes(p.axis, x.ndim, p.exclude)
        if x.dtype.kind != "f":  # integers wrap silently; no floating-point state to guard
            r = reduce(rt.xp, x, axes) if axes else x
            store(outs[0], req[0], rt.xp.asarray(r).reshape(outs[0].shape))
            return
        with np.errstate(all="ignore"):  # overflow to inf and 0/0 stay quiet, as in MXNet
            r = reduce(rt.xp, x, axes) if axes else x
            store(outs[0], req[0], rt.xp.asarray(r).reshape(outs[0].shape))

    return kernel


# -- gradients ------------------------------------------------------------------------------
# ``_backward_<op>`` takes (ograd, data) -- plus the forward output for prod,
# nanprod, max, min and norm -- and spreads the out-grad back over the reduced
# axes. As MXNet: max/min give the whole out-grad to *every* element equal to
# the extremum (a NaN extremum matches nothing); prod's gradient is out / x
# (nan at a zero that made the product zero).


def _spread(xp, og, x, y, kind: str, axes: tuple):
    """Gradient of reduction ``kind`` with respect to ``x``; og and y have the keepdims shape."""
    if kind == "sum":
        return xp.broadcast_to(og, x.shape)
    if kind == "mean":
        n = 1
        for a in axes:
            n *= x.shape[a]
        return xp.broadcast_to(og / og.dtype.type(n) if og.dtype.kind == "f" else og / n, x.shape)
    if kind == "nansum":
        return og * ~xp.isnan(x)
    if kind == "prod":
        return og * (y / x)
    if kind == "nanprod":
        return og * xp.where(xp.isnan(x), 0, y / x)
    if kind in ("max", "min"):
        return og * (x == y)
    raise AssertionError(kind)


def _backward_kernel(kind: str):
    def kernel(p, ins, outs, req, rt):
        if req[0] == "null":
            return
        xp = rt.xp
        x = ins[1]
        axes = reduce_axes(p.axis, x.ndim, p.exclude)
        kshape = reduced_shape(x.shape, axes, True)
        og = ins[0].reshape(kshape)
        y = ins[2].reshape(kshape) if len(ins) > 2 else None
        with np.errstate(all="ignore"):  # 0/0 -> nan as in MXNet
            store(outs[0], req[0], _spread(xp, og, x, y, kind, axes))

    return kernel


_USES_OUTPUT = ("prod", "nanprod", "max", "min")


def _reduce_gradient(kind: str):
    def rule(g, ograds):
        if ograds[0] is None:
            return [None]
        ins = [ograds[0], g.inputs[0]] + ([g.outputs[0]] if kind in _USES_OUTPUT else [])
        return [g.op1(f"_backward_{kind}", ins, g.attrs)]

    return rule


def _grad_shape(p, in_shapes):
    return list(in_shapes), [in_shapes[1]]


def _grad_type(p, in_types):
    return list(in_types), [in_types[1]]


_AXIS_PARAMS = {
    "axis": Param("axis", None, "axis or axes to reduce; None or () reduces all of them"),
    "keepdims": Param("bool", False, "keep the reduced axes as size-1 dimensions"),
    "exclude": Param("bool", False, "reduce every axis except those in `axis`"),
}

_FAMILY = {
    "sum": (lambda xp, x, axes: _sum(xp, x, axes), ("sum_axis",), "Sum"),
    "mean": (_mean, (), "Mean"),
    "prod": (lambda xp, x, axes: _prod(xp, x, axes), (), "Product"),
    "nansum": (lambda xp, x, axes: _sum(xp, x, axes, nan=True), (), "Sum, treating NaN as zero,"),
    "nanprod": (lambda xp, x, axes: _prod(xp, x, axes, nan=True), (), "Product, treating NaN as one,"),
    "max": (lambda xp, x, axes: xp.max(x, axis=axes), ("max_axis",), "Maximum (NaN propagates)"),
    "min": (lambda xp, x, axes: xp.min(x, axis=axes), ("min_axis",), "Minimum (NaN propagates)"),
}

for _name, (_fn, _aliases, _what) in _FAMILY.items():
    register(
        OpDef(
            _name,
            _reduce_kernel(_fn),
            params=_AXIS_PARAMS,
            aliases=_aliases,
            infer_shape=forward_shape(_extremum_rule if _name in ("max", "min") else _rule),
            gradient=_reduce_gradient(_name),
            doc=f"{_what} of array elements over the given axes.\n\n"
            f"Reducing every axis gives shape (1,). Example: ``mx.nd.{_name}(x, axis=1, keepdims=True)``.",
        )
    )


for _name in _FAMILY:
    register(
        OpDef(
            f"_backward_{_name}",
            _backward_kernel(_name),
            params=_AXIS_PARAMS,
            inputs=("ograd", "data", "output") if _name in _USES_OUTPUT else ("ograd", "data"),
            infer_shape=_grad_shape,
            infer_type=_grad_type,
            doc=f"Gradient of {_name} with respect to data (the out-grad spread over the reduced axes).",
        )
    )


# -- norm ---------------------------------------------------------------------------------


def _l2_scaled(xp, a, axes):
    """``sqrt(sum(a**2))`` computed as ``scale * sqrt(sum((a/scale)**2))``, MXNet's way."""
    m = xp.abs(a)
    scale = m.max(axis=axes, keepdims=True)
    peak = m == scale
    count = peak.sum(axis=axes)
    safe = xp.where((scale > 0) & xp.isfinite(scale), scale, 1)
    ratio = xp.where(peak, 0, m / safe)
    ssq = count + (ratio * ratio).sum(axis=axes)
    scale = scale.reshape(ssq.shape)
    r = scale * xp.sqrt(ssq)
    # MXNet's reducer turns a second infinite element into inf/inf = NaN
    return xp.where(xp.isinf(scale) & (count > 1), np.nan, r).astype(a.dtype, copy=False)


def _norm_float(xp, x, axes, ord_: int):
    a = x.astype(np.float32) if x.dtype == np.float16 else x
    if ord_ == 1:
        return _sum(xp, xp.abs(a), axes)
    if a.size == 0:
        return xp.zeros([d for i, d in enumerate(a.shape) if i not in axes], a.dtype)
    acc = _acc_dtype(xp, a, axes)
    sq = xp.square(a, dtype=acc) if acc != a.dtype else xp.square(a)
    ssq = sq.sum(axis=axes)
    # the plain sum of squares is exact enough unless it overflowed, lost
    # precision to underflow, or met NaN/inf; then redo it scaled
    tiny = np.finfo(a.dtype).tiny / np.finfo(a.dtype).eps
    if not bool(xp.all(xp.isfinite(ssq) & (ssq > tiny))):
        return _l2_scaled(xp, a, axes)
    return xp.sqrt(ssq).astype(a.dtype, copy=False)


def _norm_int(xp, x, axes, ord_: int):
    if ord_ == 1:
        return xp.abs(x).sum(axis=axes, dtype=x.dtype)
    if x.size == 0:
        return xp.zeros([d for i, d in enumerate(x.shape) if i not in axes], x.dtype)
    # MXNet runs its scaled L2 reducer in integer arithmetic, where every ratio
    # below one is 0: what survives is max|x| times sqrt(how often it occurs)
    m = xp.abs(x)
    scale = m.max(axis=axes, keepdims=True)
    count = (m == scale).sum(axis=axes)
    r = scale.reshape(count.shape).astype(np.float64) * xp.sqrt(count.astype(np.float64))
    return r.astype(np.int64).astype(x.dtype)  # truncate, then wrap into the dtype as C casts do


def _norm_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    x = ins[0]
    axes = reduce_axes(p.axis, x.ndim)
    out_dt = outs[0].dtype
    if x.dtype.kind in "iub" and out_dt.kind == "f":
        x = x.astype(out_dt if out_dt != np.float16 else np.float32)  # a float norm of integer data
    with np.errstate(all="ignore"):
        r = _norm_float(xp, x, axes, p.ord) if x.dtype.kind == "f" else _norm_int(xp, x, axes, p.ord)
        store(outs[0], req[0], xp.asarray(r).reshape(outs[0].shape).astype(out_dt, copy=False))


def _norm_type(p, in_types, n_out=1):
    t = in_types[0]
    if p.out_dtype is not None:
        return list(in_types), [np.dtype(p.out_dtype)]
    return list(in_types), [t]


_NORM_PARAMS = {
    "ord": Param("int", 2, "order of the norm: 1 or 2", choices=None, low=1, high=2),
    "axis": Param("axis", None, "axis or axes to reduce; None or () reduces all of them"),
    "out_dtype": Param("dtype", None, "dtype of the output", choices=("float16", "float32", "float64", "int32", "int64", "int8")),
    "keepdims": Param("bool", False, "keep the reduced axes as size-1 dimensions"),
}
_NORM_DOC = (
    "L1 (``ord=1``) or L2 (``ord=2``) norm over the given axes; over several axes it is the\n"
    "norm of all their elements (Frobenius for two). Example: ``mx.nd.norm(x, axis=1)``."
)


def _norm_backward_kernel(p, ins, outs, req, rt):
    if req[0] == "null":
        return
    xp = rt.xp
    og, x, y = ins
    axes = reduce_axes(p.axis, x.ndim)
    kshape = reduced_shape(x.shape, axes, True)
    og = og.reshape(kshape)
    with np.errstate(all="ignore"):
        # L1: og * sign(x); L2: og * x / norm (nan where the norm is 0, as MXNet)
        g = og * xp.sign(x) if p.ord == 1 else og * (x / y.reshape(kshape))
        store(outs[0], req[0], g)


def _norm_gradient(g, ograds):
    if ograds[0] is None:
        return [None]
    return [g.op1("_backward_norm", [ograds[0], g.inputs[0], g.outputs[0]], g.attrs)]


register(
    OpDef(
        "norm",
        _norm_kernel,
        params=_NORM_PARAMS,
        infer_shape=forward_shape(_rule),
        infer_type=_norm_type,
        gradient=_norm_gradient,
        doc=_NORM_DOC,
    )
)


register(
    OpDef(
        "_backward_norm",
        _norm_backward_kernel,
        params=_NORM_PARAMS,
        inputs=("ograd", "data", "output"),
        infer_shape=_grad_shape,
        infer_type=_grad_type,
        doc="Gradient of norm with respect to data: ograd * sign(data) (ord=1) or ograd * data / norm (ord=2).",
    )
)


# -- argmax / argmin ------------------------------------------------------------------------


def _arg_rule(p, data):
    if p.axis is None:
        axes = tuple(range(len(data)))
    else:
        axes = reduce_axes(p.axis, len(data))
    _no_empty(data, axes)
    return reduced_shape(tuple(data), axes, p.keepdims)


def _arg_kernel(which: str):
    def kernel(p, ins, outs, req, rt):
        xp = rt.xp
        x = ins[0]
        fn = xp.argmax if which == "max" else xp.argmin
        # NumPy and CuPy return the first extreme and treat NaN as extreme, as MXNet does
        if p.axis is None:
            r = fn(x.reshape(-1))
        else:
            r = fn(x, axis=reduce_axes(p.axis, x.ndim)[0])
        store(outs[0], req[0], xp.asarray(r).reshape(outs[0].shape).astype(outs[0].dtype))

    return kernel


_ARG_PARAMS = {
    "axis": Param("int", None, "axis to search; None searches the flattened array"),
    "keepdims": Param("bool", False, "keep the reduced axis as a size-1 dimension"),
}

for _which in ("max", "min"):
    register(
        OpDef(
            f"arg{_which}",
            _arg_kernel(_which),
            params=_ARG_PARAMS,
            infer_shape=forward_shape(_arg_rule),
            gradient=lambda g, ograds: [None],  # indices are piecewise constant
            doc=f"Index of the {_which}imum along ``axis`` (the first one on ties), in the input dtype.\n\n"
            f"Example: ``mx.nd.arg{_which}(x, axis=1)``; ``axis=None`` searches all elements and gives shape (1,).",
        )
    )


def _argmax_channel_rule(p, data):
    axes = reduce_axes(1, len(data))
    _no_empty(data, axes)
    return reduced_shape(tuple(data), axes, False)


def _argmax_channel_kernel(p, ins, outs, req, rt):
    r = rt.xp.argmax(ins[0], axis=1)
    store(outs[0], req[0], r.reshape(outs[0].shape).astype(outs[0].dtype))


register(
    OpDef(
        "argmax_channel",
        _argmax_channel_kernel,
        infer_shape=forward_shape(_argmax_channel_rule),
        gradient=lambda g, ograds: [None],
        doc="Index of the maximum along axis 1 (the channel axis), in the input dtype.\n\n"
        "Example: ``mx.nd.argmax_channel(mx.nd.array([[0, 2, 1]]))`` is ``[1.]``.",
    )
)
