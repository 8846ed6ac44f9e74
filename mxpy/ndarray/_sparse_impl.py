"""What ``mx.nd.<op>`` does when an input or ``out=`` is a sparse array.

:func:`dispatch.invoke` hands such calls here (a dense call never looks at
this module). Three ways, tried in order:

1. an op with a sparse form (``_SPARSE``: elementwise sums and products of one
   storage type, scalar products, zero-preserving unary maps, ``dot`` with CSR,
   ``_sparse_retain``, ``add_n``, ``zeros_like``) computes on the components
   and returns the storage type MXNet 1.9.1 returns;
2. an optimizer update with a row_sparse gradient and ``lazy_update`` (the
   ``_LAZY`` ops) runs the op's own dense kernel on just the gradient's rows of
   weight and states and writes those rows back;
3. anything else is MXNet's storage fallback: sparse inputs are densified, the
   dense op runs, and sparse outputs or updated sparse inputs get the result
   cast back to their storage type.
"""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..registry import runtime
from . import _sparse_store as st
from . import dispatch
from .ndarray import NDArray, _new
from .sparse import (
    BaseSparseNDArray,
    CSRNDArray,
    RowSparseNDArray,
    _host,
    _make,
    _write_dense,
    _write_sparse,
    densify,
    push,
)

_CPU_RT = runtime(Context("cpu", 0))
_W = ("write",)


def _is_sp(x) -> bool:
    return isinstance(x, BaseSparseNDArray)


def sparse_invoke(op, args, kwargs: dict, out, ctx, train):
    """``op`` on arguments of which at least one (or ``out``) is sparse."""
    if dispatch.recorder is not None and any(a._ag is not None for a in args):
        return _fallback(op, list(args), kwargs, out, ctx, train)  # recorded: the dense op, differentiable
    impl = _SPARSE.get(op.name)
    if impl is not None and out is None:
        res = impl(op, list(args), dict(kwargs))
        if res is not NotImplemented:
            return res
    if op.name in _LAZY and out is not None:
        res = _lazy_update(op, list(args), kwargs, out)
        if res is not NotImplemented:
            return res
    return _fallback(op, list(args), kwargs, out, ctx, train)


# ---------------------------------------------------------------------------- fallback


def _assign_back(dst: NDArray, src: NDArray) -> None:
    """``dst[:] = src`` for a dense ``src``; a sparse ``dst`` keeps the rows it had."""
    if _is_sp(dst):
        ctx = src._ctx
        _write_sparse(dst, [src], lambda: dst._set_dense(_host(ctx, src._data), keep_rows=True), "_storage_fallback")
    else:
        src.copyto(dst)


def _fallback(op, args, kwargs, out, ctx, train):
    p = op.parse(kwargs)
    dense = []
    for a in args:
        d = densify(a)
        if d is not a and a._ag is not None and dispatch.recorder is not None:
            # the dense copy stands for the marked sparse array in the recorded graph:
            # same mark, and backward writes the sparse gradient buffer (autograd converts)
            d._ag, d._grad = a._ag, a._grad
        dense.append(d)
    written = [(args[i], dense[i]) for i in op.mutated_inputs(p, len(args)) if _is_sp(args[i])]
    given = None if out is None else (list(out) if isinstance(out, (list, tuple)) else [out])
    if given is not None and any(_is_sp(o) for o in given):
        res = dispatch.invoke(op, dense, kwargs, ctx=ctx, train=train)
        res_list = list(res) if isinstance(res, (list, tuple)) else [res]
        for o, r in zip(given, res_list):
            _assign_back(o, r)
        for a, d in written:
            _assign_back(a, d)
        return out
    res = dispatch.invoke(op, dense, kwargs, out=out, ctx=ctx, train=train)
    for a, d in written:
        _assign_back(a, d)
    return res


# ---------------------------------------------------------------------------- lazy updates

# updates whose row_sparse gradient touches only its rows (MXNet's sparse kernels):
# (the op's lazy_update parameter can turn that off, the weight must be row_sparse too)
_LAZY = {
    "sgd_update": (True, False),
    "sgd_mom_update": (True, False),
    "mp_sgd_update": (True, False),
    "mp_sgd_mom_update": (True, False),
    "adam_update": (True, False),
    "ftrl_update": (False, True),
    "_sparse_adagrad_update": (False, False),
}


def _full_host(a: NDArray) -> np.ndarray:
    return a._dense_host() if _is_sp(a) else _host(a._ctx, a._data)


def _scatter_rows(dst: NDArray, idx: np.ndarray, rows: np.ndarray) -> None:
    """Rows ``idx`` of ``dst`` (dense or row_sparse) become ``rows`` (inside engine work)."""
    if _is_sp(dst):
        full = dst._dense_host()
        full[idx] = rows
        old = _host(dst._ctx, dst._aux[0])
        dst._set_parts(*st.rsp_from_dense(full, np.union1d(old, idx)))
        return
    from ..backend import get_backend

    be = get_backend(dst._ctx)
    if be.is_gpu:
        with be.device():
            full = be.to_host(dst._data)
            full[idx] = rows
            be.copy_from_host(dst._data, full)
    else:
        dst._data[idx] = rows


def _lazy_update(op, args, kwargs, out):
    p = op.parse(kwargs)
    grad = args[1]
    switchable, needs_rsp_weight = _LAZY[op.name]
    if not isinstance(grad, RowSparseNDArray) or (switchable and not p.get("lazy_update", True)):
        return NotImplemented
    if needs_rsp_weight and not isinstance(args[0], RowSparseNDArray):
        return NotImplemented
    if any(isinstance(a, CSRNDArray) for a in args):
        return NotImplemented
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    if len(outs) != 1 or tuple(outs[0].shape) != tuple(args[0].shape):
        return NotImplemented
    for i, a in enumerate(args):
        if i != 1 and tuple(a.shape) != tuple(args[0].shape):
            return NotImplemented  # the dense path names the bad shape
    mutated = op.mutated_inputs(p, len(args))
    target = outs[0]

    def run():
        idx = _host(grad._ctx, grad._aux[0])
        if not len(idx):
            return
        ins = [_host(grad._ctx, grad._data) if i == 1 else _full_host(a)[idx].copy() for i, a in enumerate(args)]
        new = np.empty_like(ins[0], dtype=target._data.dtype)
        op.kernel(p, ins, [new], _W, _CPU_RT)
        for i in mutated:
            _scatter_rows(args[i], idx, ins[i])
        _scatter_rows(target, idx, new)

    push(run, args, [target] + [args[i] for i in mutated], target._ctx, op.name)
    return out


# ---------------------------------------------------------------------------- sparse forms


def _same_stype(args) -> str | None:
    kinds = {a.stype for a in args}
    return kinds.pop() if len(kinds) == 1 else None


def _rsp_union_sum(op_name: str, arrs, signs) -> RowSparseNDArray:
    first = arrs[0]
    res = _make(RowSparseNDArray, first._ctx, first.shape, first._data.dtype)

    def run():
        idx = np.unique(np.concatenate([_host(a._ctx, a._aux[0]) for a in arrs])).astype(st.IDX)
        acc = np.zeros((len(idx),) + tuple(first.shape[1:]), first._data.dtype)
        for a, s in zip(arrs, signs):
            data, rows = _host(a._ctx, a._data), _host(a._ctx, a._aux[0])
            pos = np.searchsorted(idx, rows)
            if s > 0:
                acc[pos] += data
            else:
                acc[pos] -= data
        res._set_parts(acc, idx)

    _write_sparse(res, arrs, run, op_name)
    return res


def _via_dense(op_name: str, arrs, stype: str, fn, rows_of=None) -> BaseSparseNDArray:
    """A sparse result of ``stype`` from ``fn(*dense host inputs)``; ``rows_of`` keeps
    the stored rows of that input (row_sparse results)."""
    first = arrs[0]
    cls = RowSparseNDArray if stype == "row_sparse" else CSRNDArray
    res = _make(cls, first._ctx, first.shape, first._data.dtype)

    def run():
        dense = fn(*[_full_host(a) for a in arrs]).astype(first._data.dtype, copy=False)
        if cls is CSRNDArray:
            res._set_parts(*st.csr_from_dense(dense))
        else:
            keep = _host(rows_of._ctx, rows_of._aux[0]) if rows_of is not None else None
            data, idx = st.rsp_from_dense(dense, keep)
            if rows_of is not None:  # only the rows of that input, zero or not
                mask = np.isin(idx, keep)
                data, idx = data[mask], idx[mask]
            res._set_parts(data, idx)

    _write_sparse(res, arrs, run, op_name)
    return res


def _elemwise_add(sign: int):
    def impl(op, args, kwargs):
        lhs, rhs = args
        if tuple(lhs.shape) != tuple(rhs.shape):
            return NotImplemented
        stype = _same_stype(args)
        if stype == "row_sparse":
            return _rsp_union_sum(op.name, args, (1, sign))
        if stype == "csr":
            return _via_dense(op.name, args, "csr", (lambda a, b: a + b) if sign > 0 else (lambda a, b: a - b))
        return NotImplemented  # mixed storage: dense result

    return impl


def _elemwise_mul(op, args, kwargs):
    lhs, rhs = args
    if tuple(lhs.shape) != tuple(rhs.shape):
        return NotImplemented
    sp = [a for a in args if _is_sp(a)]
    stype = sp[0].stype
    if any(a.stype not in (stype, "default") for a in args):
        return NotImplemented
    if stype == "row_sparse":
        keep = lhs if _is_sp(lhs) else rhs
        if _is_sp(lhs) and _is_sp(rhs):
            return _via_dense(op.name, args, stype, lambda a, b: a * b)
        return _via_dense(op.name, args, stype, lambda a, b: a * b, rows_of=keep)
    return _via_dense(op.name, args, "csr", lambda a, b: a * b)


def _out_dtype(op, p, x) -> np.dtype:
    return np.dtype(dispatch.infer(op, p, [tuple(x.shape)], [x._data.dtype])[1][0])


def _values_map(op, args, kwargs):
    """Ops with f(0) == 0 applied to the stored values (the structure is kept)."""
    (x,) = args
    p = op.parse(kwargs)
    dt = _out_dtype(op, p, x)
    res = _make(type(x), x._ctx, x.shape, dt)

    def run():
        data = _host(x._ctx, x._data)
        new = np.empty(data.shape, dt)
        op.kernel(p, [data], [new], _W, _CPU_RT)
        res._set_parts(new, *(_host(x._ctx, a) for a in x._aux))

    _write_sparse(res, [x], run, op.name)
    return res


def _scalar_keeps_zero(op, args, kwargs):
    """Scalar ops keep the storage type where they map 0 to 0 (``x * 2``, ``x == 1``,
    ``quadratic`` with ``c=0``), as MXNet."""
    p = op.parse(kwargs)
    zero = np.zeros(1, args[0]._data.dtype)
    with np.errstate(all="ignore"):
        out = np.empty(1, _out_dtype(op, p, args[0]))
        op.kernel(p, [zero], [out], _W, _CPU_RT)
    if out[0] != 0:
        return NotImplemented  # the zeros become non-zero: dense
    return _values_map(op, args, kwargs)


def _dense_then(stype: str, applies):
    """MXNet's sparse result of an op computed here densely: ``applies(args, params)`` says when."""

    def impl(op, args, kwargs):
        if not applies(args, op.parse(kwargs)):
            return NotImplemented
        res = _fallback(op, list(args), kwargs, None, None, None)
        return res.tostype(stype)

    return impl


def _zeros_like(op, args, kwargs):
    (x,) = args
    return _make(type(x), x._ctx, x.shape, x._data.dtype)


def _copy(op, args, kwargs):
    return args[0].copy()


def _add_n(op, args, kwargs):
    if _same_stype(args) == "row_sparse":
        return _rsp_union_sum(op.name, args, (1,) * len(args))
    return NotImplemented


def _retain(op, args, kwargs):
    data, keep = args
    if not isinstance(data, RowSparseNDArray) or _is_sp(keep):
        return NotImplemented
    res = _make(RowSparseNDArray, data._ctx, data.shape, data._data.dtype)

    def run():
        d, idx = data._host_parts()
        res._set_parts(*st.rsp_retain(d, idx, _host(keep._ctx, keep._data).astype(st.IDX)))

    _write_sparse(res, [data, keep], run, op.name)
    return res


def _csr_rows(a: CSRNDArray):
    data, indptr, idx = a._host_parts()
    return data, np.repeat(np.arange(a.shape[0]), np.diff(indptr)), idx


def _dot(op, args, kwargs):
    lhs, rhs = args
    p = op.parse(kwargs)
    if p.get("forward_stype") is not None:  # the asked storage type, whatever the inputs
        kw = dict(kwargs)
        kw.pop("forward_stype")
        res = dispatch.invoke(op, list(args), kw)
        if res.stype not in ("default", p.forward_stype):
            res = res.tostype("default")  # row_sparse and csr do not convert into each other
        return res if res.stype == p.forward_stype else res.tostype(p.forward_stype)
    if lhs.ndim != 2 or rhs.ndim != 2:
        return NotImplemented
    ta, tb = p.transpose_a, p.transpose_b
    if isinstance(lhs, CSRNDArray) and not _is_sp(rhs) and not tb:
        m, k = (lhs.shape[1], lhs.shape[0]) if ta else lhs.shape
        if rhs.shape[0] != k:
            return NotImplemented  # the dense path names the mismatch
        n = rhs.shape[1]
        if ta:  # csr.T x dense: only the rows the csr's columns touch, as row_sparse
            res = _make(RowSparseNDArray, lhs._ctx, (m, n), np.result_type(lhs._data.dtype, rhs._data.dtype))

            def run_t():
                data, rows, cols = _csr_rows(lhs)
                out = np.zeros((m, n), res._data.dtype)
                np.add.at(out, cols, data[:, None] * _host(rhs._ctx, rhs._data)[rows])
                keep = np.unique(cols)
                res._set_parts(out[keep], keep)

            _write_sparse(res, [lhs, rhs], run_t, op.name)
            return res
        res = _new(lhs._ctx, (m, n), np.result_type(lhs._data.dtype, rhs._data.dtype))

        def run():
            data, rows, cols = _csr_rows(lhs)
            out = np.zeros((m, n), res._data.dtype)
            np.add.at(out, rows, data[:, None] * _host(rhs._ctx, rhs._data)[cols])
            return out

        _write_dense(res, [lhs, rhs], run, op.name)
        return res
    return NotImplemented


def _square_sum(op, args, kwargs):
    """Row sums of a row_sparse array kept as its rows (axis=1, keepdims), as MXNet."""
    (x,) = args
    p = op.parse(kwargs)
    axis = (p.axis,) if isinstance(p.axis, int) else p.axis
    if not isinstance(x, RowSparseNDArray) or x.ndim != 2 or not p.keepdims or p.exclude or tuple(axis or ()) not in ((1,), (-1,)):
        return NotImplemented
    res = _make(RowSparseNDArray, x._ctx, (x.shape[0], 1), x._data.dtype)

    def run():
        data, idx = x._host_parts()
        res._set_parts(np.sum(data * data, axis=1, keepdims=True), idx)

    _write_sparse(res, [x], run, op.name)
    return res


_SPARSE = {
    "elemwise_add": _elemwise_add(1),
    "_grad_add": _elemwise_add(1),
    "elemwise_sub": _elemwise_add(-1),
    "elemwise_mul": _elemwise_mul,
    "_mul_scalar": _scalar_keeps_zero,
    "_div_scalar": _scalar_keeps_zero,
    "_equal_scalar": _scalar_keeps_zero,
    "_not_equal_scalar": _scalar_keeps_zero,
    "_greater_scalar": _scalar_keeps_zero,
    "_greater_equal_scalar": _scalar_keeps_zero,
    "_lesser_scalar": _scalar_keeps_zero,
    "_lesser_equal_scalar": _scalar_keeps_zero,
    "_contrib_quadratic": _scalar_keeps_zero,
    "take": _dense_then("csr", lambda args, p: isinstance(args[0], CSRNDArray) and p.axis == 0 and not _is_sp(args[1])),
    "zeros_like": _zeros_like,
    "_copy": _copy,
    "add_n": _add_n,
    "_sparse_retain": _retain,
    "_square_sum": _square_sum,
    "dot": _dot,
}
# unary maps with f(0) == 0 keep the storage type in MXNet
for _name in (
    "abs",
    "negative",
    "sign",
    "square",
    "sqrt",
    "relu",
    "sin",
    "tan",
    "tanh",
    "arcsin",
    "arctan",
    "sinh",
    "arcsinh",
    "arctanh",
    "expm1",
    "log1p",
    "floor",
    "ceil",
    "round",
    "rint",
    "fix",
    "trunc",
    "degrees",
    "radians",
):
    _SPARSE[_name] = _values_map

dispatch.bind_sparse(sparse_invoke)
