"""Matrix products: ``dot`` and ``batch_dot``.

Both call the BLAS-backed ``xp.dot``/``xp.matmul`` straight into the output
buffer; transposes are strided views, so BLAS reads them with a transpose flag
and nothing is copied. ``dot`` on N-D arrays contracts the last axis of lhs
with the first axis of rhs (``transpose_a`` makes it lhs's first axis,
``transpose_b`` rhs's last), giving ``lhs_rest + rhs_rest``; a vector times a
vector gives shape ``(1,)``. As in MXNet 1.9.1 only floating point inputs of
one dtype are accepted.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import UNKNOWN, OpDef, Param, ShapeError, forward_shape, partial_rule, register, shape_is_known


def _dot_dims(p, lhs: tuple, rhs: tuple) -> tuple[int, int, int, tuple]:
    """``(m, k, n, out_shape)`` of ``dot``; ShapeError when the contracted sizes differ."""
    if len(lhs) == 0 or len(rhs) == 0:
        raise ShapeError(f"inputs must have at least 1 dim, given lhs {tuple(lhs)} and rhs {tuple(rhs)}")
    if (len(lhs) == 1 and p.transpose_a) or (len(rhs) == 1 and p.transpose_b):
        raise ShapeError("cannot transpose a 1-D input (transpose_a/transpose_b apply to matrices)")
    if p.transpose_a:
        k, lrest = lhs[0], tuple(lhs[1:])
    else:
        k, lrest = lhs[-1], tuple(lhs[:-1])
    if p.transpose_b:
        kr, rrest = rhs[-1], tuple(rhs[:-1])
    else:
        kr, rrest = rhs[0], tuple(rhs[1:])
    if k != kr:
        raise ShapeError(
            f"lhs {tuple(lhs)} and rhs {tuple(rhs)} (transpose_a={p.transpose_a}, transpose_b={p.transpose_b}) contract sizes {k} and {kr}; expected equal"
        )
    out = lrest + rrest
    return math.prod(lrest), k, math.prod(rrest), out if out else (1,)


def _dot_rule(p, lhs, rhs):
    return _dot_dims(p, lhs, rhs)[3]


_dot_forward = forward_shape(_dot_rule)


@partial_rule
def _dot_infer(p, in_shapes, out_shapes=None):
    """dot's rule; a 2-D rhs with unknown dims takes the contracted size from a known lhs,
    as MXNet's rule does (a deferred-init weight used as ``x.dot(w)`` gets its shape)."""
    lhs, rhs = in_shapes
    if out_shapes is not None and shape_is_known(lhs) and rhs is not None and len(rhs) == 2 and not shape_is_known(rhs) and lhs:
        k = lhs[0] if p["transpose_a"] else lhs[-1]
        slot = 1 if p["transpose_b"] else 0
        if rhs[slot] == UNKNOWN:
            rhs = tuple(k if i == slot else d for i, d in enumerate(rhs))
        if shape_is_known(rhs):
            return [lhs, rhs], [_dot_rule(p, lhs, rhs)]
        return [lhs, rhs], [None]
    return _dot_forward(p, in_shapes, out_shapes) if out_shapes is not None else _dot_forward(p, in_shapes)


def _float_type(p, in_types, n_out=1):
    known = None
    for i, t in enumerate(in_types):
        if t is None:
            continue
        t = np.dtype(t)
        if t.kind != "f":
            raise ShapeError(f"input {i} has dtype {t.name}; expected float16, float32 or float64", slot=i)
        if known is not None and t != known:
            raise ShapeError(f"input {i} has dtype {t.name}, expected {known.name} (same as the other input)", slot=i)
        known = t
    return [known] * len(in_types), [known]


def _dot_kernel(p, ins, outs, req, rt):
    a, b, out = ins[0], ins[1], outs[0]
    ta, tb = p["transpose_a"], p["transpose_b"]
    if a.ndim != 2 or b.ndim != 2:
        # N-D and vector cases are one (m, k) x (k, n) GEMM on reshaped views
        m, k, n, _ = _dot_dims(p, a.shape, b.shape)
        a = a.reshape(k, m) if ta else a.reshape(m, k)
        b = b.reshape(n, k) if tb else b.reshape(k, n)
        out = out.reshape(m, n)
    if ta:
        a = a.T  # a strided view: BLAS reads it with a transpose flag
    if tb:
        b = b.T
    r = req[0]
    if r == "write" or r == "inplace":
        rt.xp.dot(a, b, out=out)
    elif r == "add":
        out += rt.xp.dot(a, b)


def _dot_cost(p, ins, outs):
    # m * k * n == size(lhs) * size(rhs) / k; shapes were checked by infer_shape
    a, b = ins
    k = a.shape[0] if p["transpose_a"] else a.shape[-1]
    return a.size * b.size // k if k else 0


def _grad_product(backward: str):
    """Rule adding ``backward(ograd, lhs, rhs)``, which writes both input gradients."""

    def rule(g, ograds):
        if ograds[0] is None:
            return [None, None]
        return g.op(backward, [ograds[0], g.inputs[0], g.inputs[1]], g.attrs)

    return rule


_FLAGS = {
    "transpose_a": Param("bool", False, "transpose lhs first"),
    "transpose_b": Param("bool", False, "transpose rhs first"),
    "forward_stype": Param("str", None, "storage type of the result (mx.nd gives it; graphs compute densely)", choices=("default", "row_sparse", "csr")),
}

register(
    OpDef(
        "dot",
        _dot_kernel,
        params=_FLAGS,
        inputs=("lhs", "rhs"),
        infer_shape=_dot_infer,
        infer_type=_float_type,
        cost=_dot_cost,
        gradient=_grad_product("_backward_dot"),
        doc=("Dot product; N-D inputs contract lhs's last axis with rhs's first.\n\n>>> mx.nd.dot(mx.nd.ones((2, 3, 4)), mx.nd.ones((4, 5))).shape\n(2, 3, 5)"),
    )
)


def _batch_dims(p, lhs: tuple, rhs: tuple) -> tuple[int, int, int, int, tuple]:
    """``(batch, m, k, n, out_shape)`` of ``batch_dot``."""
    if len(lhs) < 3 or len(lhs) != len(rhs):
        raise ShapeError(f"lhs {tuple(lhs)} and rhs {tuple(rhs)} must both be N-D with the same N >= 3")
    if tuple(lhs[:-2]) != tuple(rhs[:-2]):
        raise ShapeError(f"leading batch dims of lhs {tuple(lhs)} and rhs {tuple(rhs)} must be equal")
    m, k = (lhs[-1], lhs[-2]) if p.transpose_a else (lhs[-2], lhs[-1])
    kr, n = (rhs[-1], rhs[-2]) if p.transpose_b else (rhs[-2], rhs[-1])
    if k != kr:
        raise ShapeError(
            f"lhs {tuple(lhs)} and rhs {tuple(rhs)} (transpose_a={p.transpose_a}, transpose_b={p.transpose_b}) contract sizes {k} and {kr}; expected equal"
        )
    return math.prod(lhs[:-2]), m, k, n, tuple(lhs[:-2]) + (m, n)


def _batch_rule(p, lhs, rhs):
    return _batch_dims(p, lhs, rhs)[4]


def _batch_kernel(p, ins, outs, req, rt):
    a, b = ins
    if p.transpose_a:
        a = a.swapaxes(-1, -2)
    if p.transpose_b:
        b = b.swapaxes(-1, -2)
    r = req[0]
    if r == "write" or r == "inplace":
        rt.xp.matmul(a, b, out=outs[0])
    elif r == "add":
        outs[0] += rt.xp.matmul(a, b)


def _batch_cost(p, ins, outs):
    # batch * m * k * n == size(lhs) * n
    b = ins[1]
    return ins[0].size * (b.shape[-2] if p["transpose_b"] else b.shape[-1])


register(
    OpDef(
        "batch_dot",
        _batch_kernel,
        params=_FLAGS,
        inputs=("lhs", "rhs"),
        infer_shape=forward_shape(_batch_rule),
        infer_type=_float_type,
        cost=_batch_cost,
        gradient=_grad_product("_backward_batch_dot"),
        doc=(
            "Matrix product of the last two axes, batched over the leading ones.\n\n"
            ">>> mx.nd.batch_dot(mx.nd.ones((2, 3, 4)), mx.nd.ones((2, 4, 5))).shape\n(2, 3, 5)"
        ),
    )
)


# -- backward: both gradients by GEMM ---------------------------------------------------------
# With A = op(lhs) (m, k), B = op(rhs) (k, n) and G = d out (m, n): dA = G B^T and
# dB = A^T G; when an input was used transposed its gradient is the transpose,
# which is again one GEMM with the operands swapped (lhs: B G^T, rhs: G^T A).


def _gemm(xp, x, y, out, r: str) -> None:
    if r == "add":
        out += xp.matmul(x, y)
    elif r != "null":
        xp.matmul(x, y, out=out)


def _backward_dot_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, a, b = ins
    ta, tb = p["transpose_a"], p["transpose_b"]
    m, k, n, _ = _dot_dims(p, a.shape, b.shape)
    a = a.reshape(k, m) if ta else a.reshape(m, k)
    b = b.reshape(n, k) if tb else b.reshape(k, n)
    g = og.reshape(m, n)
    a_op = a.T if ta else a  # (m, k)
    b_op = b.T if tb else b  # (k, n)
    da, db = outs[0].reshape(a.shape), outs[1].reshape(b.shape)
    if ta:
        _gemm(xp, b_op, g.T, da, req[0])
    else:
        _gemm(xp, g, b_op.T, da, req[0])
    if tb:
        _gemm(xp, g.T, a_op, db, req[1])
    else:
        _gemm(xp, a_op.T, g, db, req[1])


def _backward_batch_dot_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    og, a, b = ins
    ta, tb = p["transpose_a"], p["transpose_b"]
    a_op = a.swapaxes(-1, -2) if ta else a
    b_op = b.swapaxes(-1, -2) if tb else b
    if ta:
        _gemm(xp, b_op, og.swapaxes(-1, -2), outs[0], req[0])
    else:
        _gemm(xp, og, b_op.swapaxes(-1, -2), outs[0], req[0])
    if tb:
        _gemm(xp, og.swapaxes(-1, -2), a_op, outs[1], req[1])
    else:
        _gemm(xp, a_op.swapaxes(-1, -2), og, outs[1], req[1])


def _backward_shape(dims):
    def rule(p, og, lhs, rhs):
        want = dims(p, lhs, rhs)[-1]
        if tuple(og) != want:
            raise ShapeError(f"ograd has shape {tuple(og)}, expected {want} (the output shape for lhs {tuple(lhs)} and rhs {tuple(rhs)})")
        return [tuple(lhs), tuple(rhs)]

    return forward_shape(rule)


def _backward_type(p, in_types, n_out=2):
    ins, _ = _float_type(p, in_types)
    return ins, [ins[1], ins[2]]


for _name, _kernel, _dims, _cost in (
    ("_backward_dot", _backward_dot_kernel, _dot_dims, _dot_cost),
    ("_backward_batch_dot", _backward_batch_dot_kernel, _batch_dims, _batch_cost),
):
    register(
        OpDef(
            _name,
            _kernel,
            params=_FLAGS,
            inputs=("ograd", "lhs", "rhs"),
            outputs=("lhs", "rhs"),
            infer_shape=_backward_shape(_dims),
            infer_type=_backward_type,
            cost=lambda p, ins, outs, _c=_cost: 2 * _c(p, ins[1:], outs),
            doc=f"Gradients of {_name[10:]} with respect to lhs and rhs (two GEMMs).",
        )
    )
