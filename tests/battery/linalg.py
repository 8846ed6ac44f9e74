"""Battery cases for the linalg family; references written with numpy.linalg.

Inputs are float64 so the central differences of the backward cases are exact
enough. potrf and syevd read a symmetric matrix: their references symmetrize
the input, and the numerical gradient of that is MXNet's symmetric convention.
"""

from __future__ import annotations

import numpy as np

from ._pair import add_pair

rs = np.random.default_rng(5)


def u(*shape):
    return rs.uniform(-1, 1, shape)


def spd(n):
    a = u(n, n)
    return a @ a.T + n * np.eye(n)


def tri(n, lower=True):
    a = u(n, n) + 3 * np.eye(n)
    return np.tril(a) if lower else np.triu(a)


def T(x):
    return np.swapaxes(x, -1, -2)


def _op(x, t):
    return T(x) if t else x


def _gemm(a, b, c=None, transpose_a=False, transpose_b=False, alpha=1.0, beta=1.0, axis=-2):
    out = alpha * _op(a, transpose_a) @ _op(b, transpose_b)
    return out if c is None else out + beta * c


OPTS = {"rtol": 1e-9, "atol": 1e-10}
add_pair("_linalg_gemm", [u(2, 3), u(3, 2), u(2, 2)], {"alpha": 1.5, "beta": 0.5}, _gemm, **OPTS)
add_pair("_linalg_gemm", [u(2, 2, 3), u(2, 3, 2), u(2, 3, 3)], {"transpose_a": True, "transpose_b": True}, _gemm, note="tt", **OPTS)
add_pair("_linalg_gemm2", [u(2, 3), u(2, 3)], {"transpose_b": True, "alpha": 2.0}, lambda a, b, **p: _gemm(a, b, **p), **OPTS)


def _sym(a):
    return (a + T(a)) / 2


# the op reads one triangle, so central differences of the op itself see a one-sided
# gradient; MXNet's (and mxpy's) is the symmetric one, checked by the _backward_ case
SYM = "reads one triangle; the symmetric gradient is checked by the _backward_ case and tests/test_linalg.py"
add_pair("_linalg_potrf", [spd(3)], {}, lambda a: np.linalg.cholesky(_sym(a)), no_grad_reason=SYM, **OPTS)
add_pair("_linalg_potrf", [spd(3)], {"lower": False}, lambda a, lower: T(np.linalg.cholesky(_sym(a))), note="upper", no_grad_reason=SYM, **OPTS)
add_pair("_linalg_potri", [tri(3)], {}, lambda a: np.linalg.inv(np.tril(a) @ T(np.tril(a))), **OPTS)
add_pair("_linalg_potri", [tri(3, False)], {"lower": False}, lambda a, lower: np.linalg.inv(T(np.triu(a)) @ np.triu(a)), note="upper", **OPTS)


def _tri_of(a, lower):
    return np.tril(a) if lower else np.triu(a)


def _trsm(a, b, transpose=False, rightside=False, lower=True, alpha=1.0):
    opa = _op(_tri_of(a, lower), transpose)
    return alpha * (b @ np.linalg.inv(opa) if rightside else np.linalg.solve(opa, b))


def _trmm(a, b, transpose=False, rightside=False, lower=True, alpha=1.0):
    opa = _op(_tri_of(a, lower), transpose)
    return alpha * (b @ opa if rightside else opa @ b)


add_pair("_linalg_trsm", [tri(3), u(3, 2)], {"alpha": 1.5, "transpose": True}, _trsm, **OPTS)
add_pair("_linalg_trsm", [tri(3, False), u(2, 3)], {"rightside": True, "lower": False}, _trsm, note="right", **OPTS)
add_pair("_linalg_trmm", [tri(3), u(3, 2)], {"alpha": 2.0}, _trmm, **OPTS)
add_pair("_linalg_trmm", [tri(3, False), u(2, 3)], {"rightside": True, "lower": False, "transpose": True}, _trmm, note="right", **OPTS)
add_pair("_linalg_syrk", [u(2, 3)], {"alpha": 1.5}, lambda a, alpha: alpha * a @ T(a), **OPTS)
add_pair("_linalg_syrk", [u(2, 3)], {"transpose": True}, lambda a, transpose: T(a) @ a, note="t", **OPTS)


def _gelqf(a):
    q, r = np.linalg.qr(T(a))
    return [T(q), T(r)]


add_pair("_linalg_gelqf", [u(2, 3)], {}, _gelqf, **OPTS)


def _syevd(a):
    lam, v = np.linalg.eigh(_sym(a))
    uu = T(v)
    sign = np.sign(np.take_along_axis(uu, np.abs(uu).argmax(-1)[..., None], -1))
    return [uu * sign, lam]


add_pair("_linalg_syevd", [spd(3)], {}, _syevd, no_grad_reason=SYM, **OPTS)
add_pair("_linalg_sumlogdiag", [spd(3)], {}, lambda a: np.log(np.diagonal(a, 0, -2, -1)).sum(-1, keepdims=True), **OPTS)
add_pair("_linalg_extractdiag", [u(2, 3, 3)], {"offset": 1}, lambda a, offset: np.diagonal(a, offset, -2, -1).copy(), **OPTS)


def _makediag(a, offset=0):
    n = a.shape[-1] + abs(offset)
    out = np.zeros(a.shape[:-1] + (n, n))
    for idx in np.ndindex(a.shape[:-1]):
        out[idx] = np.diag(a[idx], offset)
    return out


add_pair("_linalg_makediag", [u(2, 2)], {"offset": -1}, _makediag, **OPTS)


def _trian_idx(n, offset, lower):
    low = offset < 0 or (offset == 0 and lower)
    r, c = np.tril_indices(n, -abs(offset))
    return (r, c) if low else (c, r)


def _extracttrian(a, offset=0, lower=True):
    r, c = _trian_idx(a.shape[-1], offset, lower)
    return a[..., r, c]


def _maketrian(v, offset=0, lower=True):
    m = int((np.sqrt(8 * v.shape[-1] + 1) - 1) / 2)
    n = m + abs(offset)
    out = np.zeros(v.shape[:-1] + (n, n))
    r, c = _trian_idx(n, offset, lower)
    out[..., r, c] = v
    return out


add_pair("_linalg_extracttrian", [u(3, 3)], {"lower": False}, _extracttrian, **OPTS)
add_pair("_linalg_extracttrian", [u(2, 3, 3)], {"offset": -1}, _extracttrian, note="off", **OPTS)
add_pair("_linalg_maketrian", [u(6)], {"lower": False}, _maketrian, **OPTS)
add_pair("_linalg_maketrian", [u(2, 3)], {"offset": 1}, _maketrian, note="off", **OPTS)
add_pair("_linalg_inverse", [spd(3)], {}, np.linalg.inv, **OPTS)
add_pair("_linalg_det", [u(2, 3, 3)], {}, np.linalg.det, **OPTS)
add_pair("_linalg_slogdet", [u(3, 3) + 2 * np.eye(3)], {}, lambda a: [np.linalg.slogdet(a)[0].reshape(1), np.linalg.slogdet(a)[1].reshape(1)], wrt=(0,), **OPTS)
