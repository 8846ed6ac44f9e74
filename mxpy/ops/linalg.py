"""The linalg family: ``_linalg_*`` (aliases ``linalg_*``; ``mx.nd.linalg.*``).

Matrices are the last two axes and any leading axes are a batch (``gemm`` and
``gemm2`` take the row axis from ``axis``). Triangular inputs are read only
in their triangle, as LAPACK does. A factorization of a matrix that is not
positive definite, or the inverse of a singular one, fails inside the kernel,
so the error surfaces at the sync point (``asnumpy``, ``wait_to_read``) as an
MXNetError naming the operator, as in MXNet.

The gradients follow MXNet 1.9.1 (checked against its outputs in
tests/golden/linalg.json), including its symmetric conventions for
``potrf`` and ``syevd``.
"""

from __future__ import annotations

import numpy as np

from ..registry import Param, ShapeError
from ._pair import register_pair


def _t(x):
    return x.swapaxes(-1, -2)


def _tri(xp, x, lower: bool):
    return xp.tril(x) if lower else xp.triu(x)


def _need(name: str, shape, ndim: int = 2, square: bool = False):
    if shape is None:
        return
    if len(shape) < ndim:
        raise ShapeError(f"{name} must have at least {ndim} dims, given {shape}")
    if square and shape[-1] != shape[-2]:
        raise ShapeError(f"{name} must hold square matrices, given {shape}")


def _doc(summary: str, params: str, example: str) -> str:
    return f"{summary}\n\nParameters: {params}\n\n>>> import mxpy as mx\n{example}"


def _reg(short: str, forward, backward, *, doc: str, **kw):
    register_pair(f"_linalg_{short}", forward, backward, aliases=(f"linalg_{short}",), doc=doc, **kw)


# -- gemm / gemm2 ----------------------------------------------------------------------

_GEMM_PARAMS = {
    "transpose_a": Param("bool", False, doc="use the transpose of A"),
    "transpose_b": Param("bool", False, doc="use the transpose of B"),
    "alpha": Param("float", 1.0, doc="scale of A @ B"),
    "axis": Param("int", -2, doc="the row axis of the matrices (the column axis is the last)"),
}


def _to_rows(x, axis):
    """The row axis moved to -2 (the order of the others kept), as a view."""
    ax = axis + x.ndim if axis < 0 else axis
    if ax == x.ndim - 2:
        return x
    order = [i for i in range(x.ndim - 1) if i != ax] + [ax, x.ndim - 1]
    return x.transpose(order)


def _from_rows(x, axis, ndim):
    ax = axis + ndim if axis < 0 else axis
    if ax == ndim - 2:
        return x
    order = [i for i in range(ndim - 1) if i != ax] + [ax, ndim - 1]
    return x.transpose(list(np.argsort(order)))


def _gemm_shape(p, in_shapes, with_c: bool):
    a, b = in_shapes[0], in_shapes[1]
    c = in_shapes[2] if with_c else None
    if a is None or b is None:
        return list(in_shapes), [c]
    _need("A", a)
    _need("B", b)
    ax = p.axis
    a2, b2 = _axis_view(a, ax), _axis_view(b, ax)
    m, k = (a2[-1], a2[-2]) if p.transpose_a else (a2[-2], a2[-1])
    k2, n = (b2[-1], b2[-2]) if p.transpose_b else (b2[-2], b2[-1])
    if k != k2 or a2[:-2] != b2[:-2]:
        raise ShapeError(f"A {a} and B {b} do not multiply (transpose_a={p.transpose_a}, transpose_b={p.transpose_b}, axis={ax})")
    out2 = a2[:-2] + (m, n)
    out = _axis_unview(out2, ax, len(a))
    if with_c and c is not None and c != out:
        raise ShapeError(f"C has shape {c}, expected {out}")
    return ([a, b, out] if with_c else [a, b]), [out]


def _axis_view(shape, axis):
    s = list(shape)
    ax = axis + len(s) if axis < 0 else axis
    row = s.pop(ax)
    return tuple(s[:-1] + [row, s[-1]])


def _axis_unview(shape, axis, ndim):
    s = list(shape)
    ax = axis + ndim if axis < 0 else axis
    row = s.pop(-2)
    s.insert(ax, row)
    return tuple(s)


def _op(x, trans):
    return _t(x) if trans else x


def _gemm_core(p, a, b):
    a2, b2 = _to_rows(a, p.axis), _to_rows(b, p.axis)
    return p.alpha * (_op(a2, p.transpose_a) @ _op(b2, p.transpose_b))


def _gemm_grads(p, g, a, b):
    a2, b2 = _to_rows(a, p.axis), _to_rows(b, p.axis)
    g2 = _to_rows(g, p.axis)
    opa, opb = _op(a2, p.transpose_a), _op(b2, p.transpose_b)
    da = p.alpha * (g2 @ _t(opb))
    db = p.alpha * (_t(opa) @ g2)
    da = _t(da) if p.transpose_a else da
    db = _t(db) if p.transpose_b else db
    return _from_rows(da, p.axis, a.ndim), _from_rows(db, p.axis, b.ndim)


def _gemm_fwd(p, xp, a, b, c):
    out = _gemm_core(p, a, b) + p.beta * _to_rows(c, p.axis)
    return _from_rows(out, p.axis, a.ndim)


def _gemm_bwd(p, xp, og, ins, outs):
    a, b, _ = ins
    da, db = _gemm_grads(p, og[0], a, b)
    return [da, db, p.beta * og[0]]


_reg(
    "gemm",
    _gemm_fwd,
    _gemm_bwd,
    params={**_GEMM_PARAMS, "beta": Param("float", 1.0, doc="scale of C")},
    inputs=("A", "B", "C"),
    infer_shape=lambda p, s: _gemm_shape(p, s, True),
    doc=_doc(
        "General matrix multiply-add: alpha * op(A) @ op(B) + beta * C, batched over leading axes.",
        "A, B, C; transpose_a, transpose_b (bool, False); alpha, beta (float, 1.0); axis (int, -2).",
        ">>> mx.nd.linalg.gemm(mx.nd.ones((2, 3)), mx.nd.ones((3, 2)), mx.nd.ones((2, 2)), beta=2).asnumpy().tolist()\n[[5.0, 5.0], [5.0, 5.0]]",
    ),
)
_reg(
    "gemm2",
    lambda p, xp, a, b: _from_rows(_gemm_core(p, a, b), p.axis, a.ndim),
    lambda p, xp, og, ins, outs: list(_gemm_grads(p, og[0], *ins)),
    params=_GEMM_PARAMS,
    inputs=("A", "B"),
    infer_shape=lambda p, s: _gemm_shape(p, s, False),
    doc=_doc(
        "Matrix product alpha * op(A) @ op(B), batched over leading axes.",
        "A, B; transpose_a, transpose_b (bool, False); alpha (float, 1.0); axis (int, -2).",
        ">>> mx.nd.linalg.gemm2(mx.nd.ones((2, 3)), mx.nd.ones((3, 2))).asnumpy().tolist()\n[[3.0, 3.0], [3.0, 3.0]]",
    ),
)

# -- square-matrix helpers --------------------------------------------------------------


def _square(p, in_shapes):
    _need("A", in_shapes[0], square=True)
    return list(in_shapes), [in_shapes[0]]


_LOWER = {"lower": Param("bool", True, doc="the lower (True) or upper triangle")}


def _inv(xp, a):
    return xp.linalg.inv(a)


# -- potrf / potri -------------------------------------------------------------------------


def _potrf_fwd(p, xp, a):
    lo = xp.linalg.cholesky(a if p.lower else _t(a))
    if not bool(xp.isfinite(lo).all()):  # CuPy returns NaN instead of raising
        raise np.linalg.LinAlgError("potrf: the input matrix is not symmetric positive definite")
    return lo if p.lower else _t(lo)


def _copy_ltu(xp, x):
    """The lower triangle mirrored onto the upper one."""
    return xp.tril(x) + _t(xp.tril(x, -1))


def _potrf_bwd(p, xp, og, ins, outs):
    lo = outs[0] if p.lower else _t(outs[0])
    dl = og[0] if p.lower else _t(og[0])
    linv = _inv(xp, lo)
    s = _copy_ltu(xp, _t(lo) @ dl)
    return [0.5 * (_t(linv) @ s @ linv)]


_reg(
    "potrf",
    _potrf_fwd,
    _potrf_bwd,
    params=_LOWER,
    inputs=("A",),
    infer_shape=_square,
    doc=_doc(
        "Cholesky factor of a symmetric positive definite A: L with A = L @ L.T (lower) or U with A = U.T @ U.",
        "A; lower (bool, True).",
        ">>> mx.nd.linalg.potrf(mx.nd.array([[4.0, 2.0], [2.0, 5.0]])).asnumpy().tolist()\n[[2.0, 0.0], [1.0, 2.0]]",
    ),
)


def _potri_fwd(p, xp, a):
    lo = _tri(xp, a, p.lower)
    inv = _inv(xp, lo)
    return _t(inv) @ inv if p.lower else inv @ _t(inv)


def _potri_bwd(p, xp, og, ins, outs):
    m = outs[0]
    g = og[0]
    lo = _tri(xp, ins[0], p.lower)
    if p.lower:
        return [_tri(xp, -(m @ (g + _t(g)) @ m @ lo), True)]
    return [_tri(xp, -(lo @ m @ (g + _t(g)) @ m), False)]


_reg(
    "potri",
    _potri_fwd,
    _potri_bwd,
    params=_LOWER,
    inputs=("A",),
    infer_shape=_square,
    doc=_doc(
        "Inverse of L @ L.T (lower) or U.T @ U given the Cholesky factor (the output of potrf).",
        "A (triangular); lower (bool, True).",
        ">>> mx.nd.linalg.potri(mx.nd.array([[2.0, 0.0], [0.0, 1.0]])).asnumpy().tolist()\n[[0.25, 0.0], [0.0, 1.0]]",
    ),
)

# -- trsm / trmm -----------------------------------------------------------------------------

_TRI_PARAMS = {
    "transpose": Param("bool", False, doc="use the transpose of A"),
    "rightside": Param("bool", False, doc="A multiplies from the right"),
    "lower": Param("bool", True, doc="A is lower (True) or upper triangular"),
    "alpha": Param("float", 1.0, doc="scale"),
}


def _tri_shape(p, in_shapes):
    a, b = in_shapes
    _need("A", a, square=True)
    _need("B", b)
    if a is not None and b is not None:
        n = b[-1] if p.rightside else b[-2]
        if a[-1] != n or a[:-2] != b[:-2]:
            raise ShapeError(f"A {a} does not fit B {b} (rightside={p.rightside})")
    return list(in_shapes), [b]


def _opa(p, xp, a):
    t = _tri(xp, a, p.lower)
    return _t(t) if p.transpose else t


def _back_a(p, xp, d_opa):
    return _tri(xp, _t(d_opa) if p.transpose else d_opa, p.lower)


def _trsm_fwd(p, xp, a, b):
    inv = _inv(xp, _opa(p, xp, a))
    return p.alpha * (b @ inv if p.rightside else inv @ b)


def _trsm_bwd(p, xp, og, ins, outs):
    a, b = ins
    x = outs[0]
    g = og[0]
    inv_t = _t(_inv(xp, _opa(p, xp, a)))
    if p.rightside:
        db = p.alpha * (g @ inv_t)
        d_opa = -(_t(x) @ g @ inv_t)
    else:
        db = p.alpha * (inv_t @ g)
        d_opa = -(inv_t @ g @ _t(x))
    return [_back_a(p, xp, d_opa), db]


_reg(
    "trsm",
    _trsm_fwd,
    _trsm_bwd,
    params=_TRI_PARAMS,
    inputs=("A", "B"),
    infer_shape=_tri_shape,
    doc=_doc(
        "Solve op(A) @ X = alpha * B (or X @ op(A) = alpha * B with rightside) for triangular A.",
        "A, B; transpose, rightside (bool, False); lower (bool, True); alpha (float, 1.0).",
        ">>> mx.nd.linalg.trsm(mx.nd.array([[2.0, 0.0], [0.0, 4.0]]), mx.nd.ones((2, 1))).asnumpy().tolist()\n[[0.5], [0.25]]",
    ),
)


def _trmm_fwd(p, xp, a, b):
    opa = _opa(p, xp, a)
    return p.alpha * (b @ opa if p.rightside else opa @ b)


def _trmm_bwd(p, xp, og, ins, outs):
    a, b = ins
    g = og[0]
    opa = _opa(p, xp, a)
    if p.rightside:
        return [_back_a(p, xp, p.alpha * (_t(b) @ g)), p.alpha * (g @ _t(opa))]
    return [_back_a(p, xp, p.alpha * (g @ _t(b))), p.alpha * (_t(opa) @ g)]


_reg(
    "trmm",
    _trmm_fwd,
    _trmm_bwd,
    params=_TRI_PARAMS,
    inputs=("A", "B"),
    infer_shape=_tri_shape,
    doc=_doc(
        "Triangular matrix product alpha * op(A) @ B (or alpha * B @ op(A) with rightside).",
        "A, B; transpose, rightside (bool, False); lower (bool, True); alpha (float, 1.0).",
        ">>> mx.nd.linalg.trmm(mx.nd.array([[1.0, 0.0], [1.0, 1.0]]), mx.nd.ones((2, 1))).asnumpy().tolist()\n[[1.0], [2.0]]",
    ),
)

# -- syrk ----------------------------------------------------------------------------------


def _syrk_shape(p, in_shapes):
    a = in_shapes[0]
    _need("A", a)
    if a is None:
        return [a], [None]
    n = a[-1] if p.transpose else a[-2]
    return [a], [a[:-2] + (n, n)]


def _syrk_bwd(p, xp, og, ins, outs):
    g, a = og[0], ins[0]
    sym = g + _t(g)
    return [p.alpha * (a @ sym if p.transpose else sym @ a)]


_reg(
    "syrk",
    lambda p, xp, a: p.alpha * (_t(a) @ a if p.transpose else a @ _t(a)),
    _syrk_bwd,
    params={"transpose": Param("bool", False, doc="A.T @ A instead of A @ A.T"), "alpha": Param("float", 1.0, doc="scale")},
    inputs=("A",),
    infer_shape=_syrk_shape,
    doc=_doc(
        "Symmetric rank-k update alpha * A @ A.T (or alpha * A.T @ A).",
        "A; transpose (bool, False); alpha (float, 1.0).",
        ">>> mx.nd.linalg.syrk(mx.nd.array([[1.0, 2.0]])).asnumpy().tolist()\n[[5.0]]",
    ),
)

# -- gelqf ----------------------------------------------------------------------------------


def _gelqf_shape(p, in_shapes):
    a = in_shapes[0]
    _need("A", a)
    if a is None:
        return [a], [None, None]
    if a[-2] > a[-1]:
        raise ShapeError(f"gelqf needs rows <= columns, given {a}")
    return [a], [a, a[:-2] + (a[-2], a[-2])]


def _gelqf_fwd(p, xp, a):
    q, r = xp.linalg.qr(_t(a))
    return _t(q).copy(), _t(r).copy()


def _gelqf_bwd(p, xp, og, ins, outs):
    q, lo = outs
    dq, dl = og
    m = _t(lo) @ dl - dq @ _t(q)
    return [_t(_inv(xp, lo)) @ (dq + _copy_ltu(xp, m) @ q)]


_reg(
    "gelqf",
    _gelqf_fwd,
    _gelqf_bwd,
    inputs=("A",),
    outputs=("Q", "L"),
    infer_shape=_gelqf_shape,
    doc=_doc(
        "LQ factorization A = L @ Q of a wide matrix: Q with orthonormal rows, L lower triangular. Outputs (Q, L).",
        "A (rows <= columns).",
        ">>> [x.shape for x in mx.nd.linalg.gelqf(mx.nd.array([[1.0, 2.0, 3.0]]))]\n[(1, 3), (1, 1)]",
    ),
)

# -- syevd -----------------------------------------------------------------------------------


def _syevd_fwd(p, xp, a):
    lam, v = xp.linalg.eigh(a)
    u = _t(v)
    # each eigenvector's sign: the entry of largest magnitude is positive (as MXNet's outputs)
    idx = xp.abs(u).argmax(axis=-1)[..., None]
    sign = xp.sign(xp.take_along_axis(u, idx, axis=-1))
    return (u * xp.where(sign == 0, 1, sign)).copy(), lam


def _syevd_bwd(p, xp, og, ins, outs):
    u, lam = outs
    du, dlam = og
    diff = lam[..., None, :] - lam[..., :, None]  # lam_j - lam_i
    n = lam.shape[-1]
    eye = xp.eye(n, dtype=bool)
    f = xp.where(eye, 0.0, 1.0 / xp.where(eye, 1.0, diff))
    inner = xp.zeros(u.shape, u.dtype)
    inner[..., xp.arange(n), xp.arange(n)] = dlam
    inner = inner + f * (u @ _t(du))
    da = _t(u) @ inner @ u
    return [0.5 * (da + _t(da))]


_reg(
    "syevd",
    _syevd_fwd,
    _syevd_bwd,
    inputs=("A",),
    outputs=("U", "L"),
    infer_shape=lambda p, s: (_need("A", s[0], square=True), (list(s), [s[0], None if s[0] is None else s[0][:-1]]))[1],
    doc=_doc(
        "Eigendecomposition of a symmetric A = U.T @ diag(L) @ U: rows of U are eigenvectors, L ascending.",
        "A (symmetric).",
        ">>> mx.nd.linalg.syevd(mx.nd.array([[2.0, 0.0], [0.0, 1.0]]))[1].asnumpy().tolist()\n[1.0, 2.0]",
    ),
)

# -- sumlogdiag / extractdiag / makediag --------------------------------------------------------


def _diag_of(xp, a, k=0):
    return xp.diagonal(a, k, -2, -1)


def _sld_shape(p, s):
    _need("A", s[0], square=True)
    # one matrix gives shape (1,), as MXNet's legacy front end has no 0-d arrays
    return list(s), [None if s[0] is None else (s[0][:-2] or (1,))]


def _sld_bwd(p, xp, og, ins, outs):
    a = ins[0]
    n = a.shape[-1]
    out = xp.zeros(a.shape, a.dtype)
    out[..., xp.arange(n), xp.arange(n)] = og[0].reshape(a.shape[:-2] + (1,)) / _diag_of(xp, a)
    return [out]


_reg(
    "sumlogdiag",
    lambda p, xp, a: xp.log(_diag_of(xp, a)).sum(axis=-1).reshape(a.shape[:-2] or (1,)),
    _sld_bwd,
    inputs=("A",),
    infer_shape=_sld_shape,
    doc=_doc(
        "Sum of the logarithms of the diagonal of each square matrix.",
        "A (square).",
        ">>> mx.nd.linalg.sumlogdiag(mx.nd.array([[1.0, 0.0], [0.0, 2.0]])).asnumpy().round(4).tolist()\n[0.6931]",
    ),
)

_OFFSET = {"offset": Param("int", 0, doc="which diagonal: 0 main, >0 above, <0 below")}


def _ed_shape(p, s):
    a = s[0]
    _need("A", a, square=True)
    if a is None:
        return list(s), [None]
    n = a[-1] - abs(p.offset)
    if n <= 0:
        raise ShapeError(f"offset {p.offset} is outside matrices of size {a[-1]}")
    return list(s), [a[:-2] + (n,)]


def _scatter_diag(xp, vals, n, k, dtype):
    out = xp.zeros(vals.shape[:-1] + (n, n), dtype)
    m = vals.shape[-1]
    rows = xp.arange(m) + max(-k, 0)
    cols = xp.arange(m) + max(k, 0)
    out[..., rows, cols] = vals
    return out


_reg(
    "extractdiag",
    lambda p, xp, a: _diag_of(xp, a, p.offset).copy(),
    lambda p, xp, og, ins, outs: [_scatter_diag(xp, og[0], ins[0].shape[-1], p.offset, ins[0].dtype)],
    params=_OFFSET,
    inputs=("A",),
    infer_shape=_ed_shape,
    doc=_doc(
        "One diagonal of each square matrix.",
        "A (square); offset (int, 0).",
        ">>> mx.nd.linalg.extractdiag(mx.nd.array([[1.0, 2.0], [3.0, 4.0]])).asnumpy().tolist()\n[1.0, 4.0]",
    ),
)


def _md_shape(p, s):
    a = s[0]
    _need("A", a, ndim=1)
    if a is None:
        return list(s), [None]
    n = a[-1] + abs(p.offset)
    return list(s), [a[:-1] + (n, n)]


_reg(
    "makediag",
    lambda p, xp, a: _scatter_diag(xp, a, a.shape[-1] + abs(p.offset), p.offset, a.dtype),
    lambda p, xp, og, ins, outs: [_diag_of(xp, og[0], p.offset).copy()],
    params=_OFFSET,
    inputs=("A",),
    infer_shape=_md_shape,
    doc=_doc(
        "Square matrices with the given vectors on one diagonal, zero elsewhere.",
        "A (vectors); offset (int, 0).",
        ">>> mx.nd.linalg.makediag(mx.nd.array([1.0, 2.0])).asnumpy().tolist()\n[[1.0, 0.0], [0.0, 2.0]]",
    ),
)

# -- extracttrian / maketrian ------------------------------------------------------------------

_TRIAN = {
    "offset": Param("int", 0, doc="0: the triangle with the diagonal; >0 above it; <0 below it"),
    "lower": Param("bool", True, doc="the lower triangle (offset 0)"),
}


def _trian_index(p, n):
    """Row and column indices, in MXNet's packing order, of the triangle of an n x n matrix."""
    lower = p.offset < 0 or (p.offset == 0 and p.lower)
    rows, cols = np.tril_indices(n, -abs(p.offset))
    # an upper triangle is packed as the lower triangle of the transpose
    return (rows, cols) if lower else (cols, rows)


def _et_shape(p, s):
    a = s[0]
    _need("A", a, square=True)
    if a is None:
        return list(s), [None]
    m = a[-1] - abs(p.offset)
    if m <= 0:
        raise ShapeError(f"offset {p.offset} is outside matrices of size {a[-1]}")
    return list(s), [a[:-2] + (m * (m + 1) // 2,)]


def _mt_size(p, k):
    m = int(round((np.sqrt(8 * k + 1) - 1) / 2))
    if m * (m + 1) // 2 != k:
        raise ShapeError(f"the last axis ({k}) is not a triangular number m * (m + 1) / 2")
    return m + abs(p.offset)


def _mt_shape(p, s):
    a = s[0]
    _need("A", a, ndim=1)
    if a is None:
        return list(s), [None]
    n = _mt_size(p, a[-1])
    return list(s), [a[:-1] + (n, n)]


def _make_trian(p, xp, v, n, dtype):
    rows, cols = _trian_index(p, n)
    out = xp.zeros(v.shape[:-1] + (n, n), dtype)
    out[..., xp.asarray(rows), xp.asarray(cols)] = v
    return out


def _take_trian(p, xp, a):
    rows, cols = _trian_index(p, a.shape[-1])
    return a[..., xp.asarray(rows), xp.asarray(cols)]


_reg(
    "extracttrian",
    _take_trian,
    lambda p, xp, og, ins, outs: [_make_trian(p, xp, og[0], ins[0].shape[-1], ins[0].dtype)],
    params=_TRIAN,
    inputs=("A",),
    infer_shape=_et_shape,
    doc=_doc(
        "One triangle of each square matrix, packed into a vector (lower: row by row; upper: column by column).",
        "A (square); offset (int, 0); lower (bool, True).",
        ">>> mx.nd.linalg.extracttrian(mx.nd.array([[1.0, 2.0], [3.0, 4.0]])).asnumpy().tolist()\n[1.0, 3.0, 4.0]",
    ),
)
_reg(
    "maketrian",
    lambda p, xp, a: _make_trian(p, xp, a, _mt_size(p, a.shape[-1]), a.dtype),
    lambda p, xp, og, ins, outs: [_take_trian(p, xp, og[0])],
    params=_TRIAN,
    inputs=("A",),
    infer_shape=_mt_shape,
    doc=_doc(
        "Square triangular matrices from packed vectors (the inverse of extracttrian).",
        "A (packed vectors); offset (int, 0); lower (bool, True).",
        ">>> mx.nd.linalg.maketrian(mx.nd.array([1.0, 3.0, 4.0])).asnumpy().tolist()\n[[1.0, 0.0], [3.0, 4.0]]",
    ),
)

# -- inverse / det / slogdet ------------------------------------------------------------------


def _inverse_bwd(p, xp, og, ins, outs):
    inv_t = _t(outs[0])
    return [-(inv_t @ og[0] @ inv_t)]


_reg(
    "inverse",
    lambda p, xp, a: _inv(xp, a),
    _inverse_bwd,
    inputs=("A",),
    infer_shape=_square,
    doc=_doc(
        "Inverse of each square matrix; a singular matrix is an error at the sync point.",
        "A (square).",
        ">>> mx.nd.linalg.inverse(mx.nd.array([[2.0, 0.0], [0.0, 4.0]])).asnumpy().tolist()\n[[0.5, 0.0], [0.0, 0.25]]",
    ),
)


def _det_bwd(p, xp, og, ins, outs):
    a = ins[0]
    scale = (og[0] * outs[0]).reshape(a.shape[:-2] + (1, 1))
    return [scale * _t(_inv(xp, a))]


_reg(
    "det",
    lambda p, xp, a: xp.linalg.det(a).reshape(a.shape[:-2] or (1,)),
    _det_bwd,
    inputs=("A",),
    infer_shape=_sld_shape,
    doc=_doc(
        "Determinant of each square matrix.",
        "A (square).",
        ">>> mx.nd.linalg.det(mx.nd.array([[2.0, 1.0], [1.0, 2.0]])).asnumpy().round(4).tolist()\n[3.0]",
    ),
)


def _slogdet_shape(p, s):
    _, out = _sld_shape(p, s)
    return list(s), [out[0], out[0]]


_reg(
    "slogdet",
    lambda p, xp, a: tuple(x.reshape(a.shape[:-2] or (1,)) for x in xp.linalg.slogdet(a)),
    lambda p, xp, og, ins, outs: [og[1].reshape(ins[0].shape[:-2] + (1, 1)) * _t(_inv(xp, ins[0]))],
    inputs=("A",),
    outputs=("sign", "logdet"),
    infer_shape=_slogdet_shape,
    doc=_doc(
        "Sign and log of the absolute determinant of each square matrix. Outputs (sign, logdet).",
        "A (square).",
        ">>> [x.asnumpy().round(4).tolist() for x in mx.nd.linalg.slogdet(mx.nd.array([[-2.0, 0.0], [0.0, 1.0]]))]\n[[-1.0], [0.6931]]",
    ),
)
