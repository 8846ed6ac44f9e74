"""The functions ``_npi_function`` applies (ops/np_functions.py): each NumPy function's
name, how it computes when NumPy's own function does not serve (MXNet's conventions:
``take`` clips, ``delete`` skips out-of-range positions, windows are float32), its
gradient kind, and ``SPECS``, what the front ends need to call it (output dtype rule,
number of outputs).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable

import numpy as _onp

from .np_functions import EINSUM_FORM, FUNCTIONS, add_function, build_call

# -- the functions ------------------------------------------------------------------------------


def _delete_compute(xp, arr, obj, axis=None):
    if not isinstance(obj, (int, _onp.integer, slice)):  # MXNet skips positions outside [0, n) in an index array
        obj = xp.asarray(obj).astype(xp.int64)
        n = arr.size if axis is None else arr.shape[axis]
        obj = obj[(obj >= 0) & (obj < n)]
    return xp.delete(arr, obj, axis)


add_function("delete", _delete_compute, grad="gather")


def broadcast_target(src: tuple, shape: tuple) -> tuple:
    """``shape`` with MXNet's -2 entries ("keep the input's dim", aligned from the right) resolved.

    >>> broadcast_target((5,), (3, -2))
    (3, 5)
    """
    lead = len(shape) - len(src)
    return tuple(src[k - lead] if d == -2 and k >= lead else int(d) for k, d in enumerate(shape))


def _broadcast_to_compute(xp, a, shape):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    a = xp.asarray(a, dtype=None if hasattr(a, "dtype") else xp.float32)  # a number: float32, as mx.np
    return xp.broadcast_to(a, broadcast_target(a.shape, shape))


add_function("broadcast_to", _broadcast_to_compute, grad="gather")
add_function("unravel_index", lambda xp, indices, shape, order="C": xp.unravel_index(xp.asarray(indices).astype(xp.int64), shape, order=order))
add_function("full", lambda xp, shape, fill_value, dtype=None, order="C": xp.full(shape, fill_value))


def _take_compute(xp, a, indices, axis=None, mode="raise", out=None):
    # MXNet's 'raise' clips (out-of-range indices are not checked on the device)
    return xp.take(a, xp.asarray(indices).astype(xp.int64), axis=axis, mode="clip" if mode == "raise" else mode)


add_function("take", _take_compute, grad="gather")


def _moment_compute(name: str):
    def compute(xp, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return getattr(xp, name)(a, axis=axis, ddof=ddof, keepdims=keepdims)

    return compute


def _moment_vjp(std: bool):
    def vjp(xp, og, ins, args, kwargs):
        a = args[0]
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        ddof = kwargs.get("ddof", 0)
        keep = kwargs.get("keepdims", False)
        ax = tuple(range(a.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        n = math.prod(a.shape[k] for k in ax)
        g = og[0] if keep else xp.expand_dims(og[0], tuple(k % a.ndim for k in ax)) if a.ndim else og[0]
        dev = a - a.mean(axis=ax, keepdims=True)
        grad = g * 2 * dev / max(n - ddof, 1)
        if std:
            grad = grad / (2 * xp.sqrt(xp.var(a, axis=ax, ddof=ddof, keepdims=True)))
        return [grad]

    return vjp


add_function("var", _moment_compute("var"), vjp=_moment_vjp(False))
add_function("std", _moment_compute("std"), vjp=_moment_vjp(True))

for _name in "tril triu roll rot90 flip flipud fliplr moveaxis transpose swapaxes atleast_1d atleast_2d atleast_3d concatenate stack hstack vstack dstack column_stack append split array_split hsplit vsplit dsplit diag diagflat diagonal insert resize pad tile repeat squeeze expand_dims reshape ravel".split():
    add_function(_name, grad="gather")

for _name in "logspace linspace indices eye bitwise_not invert histogram bincount unique argmax argmin floor ceil rint trunc sign around isnan isinf isfinite isposinf isneginf logical_not linalg.matrix_rank".split():
    add_function(_name)
# differentiable in MXNet, not here yet: a backward through them raises instead of giving zeros
for _name in "linalg.eigvalsh linalg.eigh quantile percentile".split():
    add_function(_name, grad="missing")


def _svd_compute(xp, a):
    u, s, vt = xp.linalg.svd(a, full_matrices=False)  # MXNet's (ut, s, v): a = ut @ diag(s) @ v, M <= N
    return u, s, vt


def _svd_vjp(xp, og, ins, args, kwargs):
    # thin SVD a = u diag(s) vt with M <= N (u square); v = vt^T. With F_ij = 1 / (s_j^2 - s_i^2) off the
    # diagonal: da = u [ (F o (u^T gu - gu^T u)) S + diag(gs) + S (F o (v^T gv - gv^T v)) ] vt
    #              + u S^-1 gv^T (I - v vt)
    u, s, vt = xp.linalg.svd(args[0], full_matrices=False)
    gu, gs, gvt = (g if g.shape == x.shape else xp.zeros_like(x) for g, x in zip(og, (u, s, vt)))
    v, gv = xp.swapaxes(vt, -1, -2), xp.swapaxes(gvt, -1, -2)
    m = s.shape[-1]
    eye = xp.eye(m, dtype=bool)
    gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
    f = xp.where(eye, 0.0, 1.0 / xp.where(eye, 1.0, gap))
    j = f * (xp.swapaxes(u, -1, -2) @ gu - xp.swapaxes(gu, -1, -2) @ u)
    k = f * (xp.swapaxes(v, -1, -2) @ gv - xp.swapaxes(gv, -1, -2) @ v)
    inner = j * s[..., None, :] + s[..., :, None] * k + gs[..., :, None] * xp.eye(m)
    proj = xp.eye(v.shape[-2]) - v @ vt
    return [u @ inner @ vt + (u / s[..., None, :]) @ xp.swapaxes(gv, -1, -2) @ proj]


add_function("linalg.svd", _svd_compute, vjp=_svd_vjp)


def _window(name: str):
    def compute(xp, M, dtype=None, ctx=None):  # noqa: N803 -- NumPy's name
        return getattr(xp, name)(M)

    return compute


for _name in ("hanning", "hamming", "blackman"):
    add_function(_name, _window(_name))


# einsum-form functions: (subscripts, operands) of the call
def _tensordot_form(args, kwargs, ins):
    a, b = args[0], args[1]
    axes = kwargs.get("axes", args[2] if len(args) > 2 else 2)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    ax_a = [x % a.ndim for x in ax_a] if a.ndim else []
    ax_b = [x % b.ndim for x in ax_b] if b.ndim else []
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + [c for k, c in enumerate(sb) if k not in ax_b]
    return f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", [a, b]


def _inner_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 0 or b.ndim == 0:
        return _tensordot_form([a, b], {"axes": 0}, ins)
    return _tensordot_form([a, b], {"axes": ([-1], [-1])}, ins)


def _dot_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 0 or b.ndim == 0:
        return _tensordot_form([a, b], {"axes": 0}, ins)
    return _tensordot_form([a, b], {"axes": ([a.ndim - 1], [max(b.ndim - 2, 0)])}, ins)


def _matmul_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 1 and b.ndim == 1:
        return "i,i->", [a, b]
    if a.ndim == 1:
        return "k,...kn->...n", [a, b]
    if b.ndim == 1:
        return "...mk,k->...m", [a, b]
    return "...mk,...kn->...mn", [a, b]


def _einsum_form(args, kwargs, ins):
    return args[0], list(args[1:])


EINSUM_FORM.update({"tensordot": _tensordot_form, "inner": _inner_form, "einsum": _einsum_form, "dot": _dot_form, "matmul": _matmul_form})


def _einsum_compute(xp, subscripts, *operands, optimize=False, **kwargs):
    return xp.einsum(subscripts, *operands, optimize=bool(optimize))


add_function("tensordot", grad="einsum")
add_function("dot", grad="einsum")
add_function("matmul", grad="einsum")
add_function("inner", grad="einsum")
add_function("einsum", _einsum_compute, grad="einsum")


def _trace_compute(xp, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return xp.trace(a, offset, axis1, axis2)


def _trace_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    names = ("offset", "axis1", "axis2")
    opts = {"offset": 0, "axis1": 0, "axis2": 1, **dict(zip(names, args[1:])), **{k: kwargs[k] for k in names if k in kwargs}}
    grad = xp.zeros(a.shape, dtype=og[0].dtype)
    view = xp.moveaxis(grad, (opts["axis1"], opts["axis2"]), (-2, -1))  # a view: writes land in grad
    n1, n2, k = view.shape[-2], view.shape[-1], opts["offset"]
    rows = xp.arange(max(0, -k), min(n1, n2 - k)) if n1 and n2 else xp.arange(0)
    view[..., rows, rows + k] = og[0][..., None]
    return [grad]


add_function("trace", _trace_compute, vjp=_trace_vjp)


# hand-written vector-Jacobian products


def _diff_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    n = kwargs.get("n", args[1] if len(args) > 1 else 1)
    axis = kwargs.get("axis", args[2] if len(args) > 2 else -1)
    g = og[0]
    axis = axis % a.ndim
    for _ in range(n):
        shape = list(g.shape)
        shape[axis] += 1
        up = xp.zeros(shape, dtype=g.dtype)
        lead = (slice(None),) * axis
        up[lead + (slice(1, None),)] += g
        up[lead + (slice(None, -1),)] -= g
        g = up
    return [g] + [None] * (len(ins) - 1)


add_function("diff", vjp=_diff_vjp)


def _ediff1d_compute(xp, ary, to_end=None, to_begin=None):
    parts = []
    if to_begin is not None:
        parts.append(xp.ravel(xp.asarray(to_begin, dtype=ary.dtype)))
    flat = xp.ravel(ary)
    parts.append(flat[1:] - flat[:-1])
    if to_end is not None:
        parts.append(xp.ravel(xp.asarray(to_end, dtype=ary.dtype)))
    return xp.concatenate(parts)


def _ediff1d_vjp(xp, og, ins, args, kwargs):
    ary = args[0]
    to_end = kwargs.get("to_end", args[1] if len(args) > 1 else None)
    to_begin = kwargs.get("to_begin", args[2] if len(args) > 2 else None)
    g = og[0]
    nb = 0 if to_begin is None else int(_onp.size(to_begin))
    n = max(ary.size - 1, 0)
    mid = g[nb : nb + n]
    gx = xp.zeros(ary.size, dtype=g.dtype)
    gx[1:] += mid
    gx[:-1] -= mid
    grads: list = [None] * len(ins)
    for k, x in enumerate(ins):
        if x is ary:
            grads[k] = gx.reshape(ary.shape)
        elif x is to_begin and x.dtype.kind == "f":
            grads[k] = g[:nb].reshape(x.shape)
        elif x is to_end and x.dtype.kind == "f":
            grads[k] = g[nb + n :].reshape(x.shape)
    return grads


add_function("ediff1d", _ediff1d_compute, vjp=_ediff1d_vjp)


def _nan_to_num_compute(xp, x, copy=True, nan=0.0, posinf=None, neginf=None):
    if x.dtype.kind != "f":
        return x.copy()
    return xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _nan_to_num_vjp(xp, og, ins, args, kwargs):
    return [xp.where(xp.isfinite(ins[0]), og[0], 0)]


add_function("nan_to_num", _nan_to_num_compute, vjp=_nan_to_num_vjp)


def _polyval_vjp(xp, og, ins, args, kwargs):
    p, x = args[0], args[1]
    g = og[0]
    n = p.shape[0]
    powers = xp.stack([x ** (n - 1 - k) for k in range(n)]) if n else xp.zeros((0, *x.shape), x.dtype)
    gp = (powers * g).reshape(n, -1).sum(axis=1) if n else xp.zeros(0, g.dtype)
    dp = p[:-1] * xp.arange(n - 1, 0, -1, dtype=p.dtype) if n > 1 else xp.zeros(1, p.dtype)
    gx = g * xp.polyval(dp, x)
    out: list = [None] * len(ins)
    for k, v in enumerate(ins):
        if v is p and v.dtype.kind == "f":
            out[k] = gp
        elif v is x and v.dtype.kind == "f":
            out[k] = gx
    return out


add_function("polyval", vjp=_polyval_vjp)


def _quantile_compute(name: str):
    def compute(xp, a, q, axis=None, out=None, overwrite_input=False, interpolation="linear", keepdims=False):
        return getattr(xp, name)(a, q, axis=axis, method=interpolation, keepdims=keepdims)

    return compute


add_function("quantile", _quantile_compute("quantile"), grad="missing")
add_function("percentile", _quantile_compute("percentile"), grad="missing")


def _solve_vjp(xp, og, ins, args, kwargs):
    a, b = args[0], args[1]
    x = xp.linalg.solve(a, b)
    vec = b.ndim == a.ndim - 1
    g = og[0]
    gb = xp.linalg.solve(xp.swapaxes(a, -1, -2), g)
    if vec:
        ga = -gb[..., :, None] * x[..., None, :]
    else:
        ga = -gb @ xp.swapaxes(x, -1, -2)
    return [ga if ins[0].dtype.kind == "f" else None, gb if ins[1].dtype.kind == "f" else None]


add_function("linalg.solve", vjp=_solve_vjp)


def _tensorinv_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    ind = kwargs.get("ind", args[1] if len(args) > 1 else 2)
    inv = xp.linalg.tensorinv(a, ind)
    rows = math.prod(a.shape[:ind])
    m_inv = inv.reshape(-1, rows)
    g = og[0].reshape(m_inv.shape)
    ga = -(m_inv.T @ g @ m_inv.T)
    return [ga.reshape(a.shape)]


add_function("linalg.tensorinv", vjp=_tensorinv_vjp)


def _pinv_compute(xp, a, rcond=1e-15, hermitian=False):
    return xp.linalg.pinv(a, rcond=rcond, hermitian=hermitian)


add_function("linalg.pinv", _pinv_compute, grad="missing")


def _tensorsolve_vjp(xp, og, ins, args, kwargs):
    a, b = args[0], args[1]
    axes = kwargs.get("axes", args[2] if len(args) > 2 else None)
    order = list(range(a.ndim))
    if axes is not None:  # NumPy moves these axes of a to the end first
        for k in axes:
            order.remove(k % a.ndim)
            order.append(k % a.ndim)
    a2 = a.transpose(order)
    m = b.size
    mat = a2.reshape(m, -1)
    x = xp.linalg.solve(mat, b.ravel())
    gb = xp.linalg.solve(mat.T, og[0].ravel())
    ga2 = -xp.outer(gb, x).reshape(a2.shape)
    return [ga2.transpose(xp.argsort(xp.asarray(order)).tolist()), gb.reshape(b.shape)]


add_function("linalg.tensorsolve", vjp=_tensorsolve_vjp)


def _det_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    return [(og[0] * xp.linalg.det(a))[..., None, None] * xp.swapaxes(xp.linalg.inv(a), -1, -2)]


def _slogdet_vjp(xp, og, ins, args, kwargs):
    return [og[1][..., None, None] * xp.swapaxes(xp.linalg.inv(args[0]), -1, -2)]  # the sign has no gradient


add_function("linalg.det", vjp=_det_vjp)


def _norm_vjp(xp, og, ins, args, kwargs):
    x = args[0]
    names = ("ord", "axis", "keepdims")
    opts = {"ord": None, "axis": None, "keepdims": False, **dict(zip(names, args[1:])), **{k: kwargs[k] for k in names if k in kwargs}}
    order, axis = opts["ord"], opts["axis"]
    n = xp.linalg.norm(x, order, axis, True)
    ax = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    g = og[0] if opts["keepdims"] else og[0].reshape(n.shape)
    safe = xp.where(n == 0, 1, n)
    vector = len(ax) == 1 or (axis is None and x.ndim == 1)
    if order in (None, "fro") or (order == 2 and vector):
        return [g * x / safe]
    if vector and order == 1:
        return [g * xp.sign(x)]
    if vector and order in (math.inf, -math.inf):
        hit = xp.abs(x) == n
        return [g * xp.sign(x) * hit / xp.maximum(hit.sum(axis=ax, keepdims=True), 1)]
    if vector and isinstance(order, (int, float)) and order not in (0,):
        p = float(order)
        return [g * xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1)]
    xm = xp.moveaxis(x, ax, (-2, -1)) if len(ax) == 2 else None
    if xm is not None and order == "nuc":  # d||A||_* = U V^T
        u, _, vt = xp.linalg.svd(xm, full_matrices=False)
        return [g * xp.moveaxis(u @ vt, (-2, -1), ax)]
    if xm is not None and order in (2, -2):  # the extreme singular value: u_k v_k^T
        u, _, vt = xp.linalg.svd(xm, full_matrices=False)
        k = 0 if order == 2 else -1
        return [g * xp.moveaxis(u[..., :, k, None] * vt[..., k, None, :], (-2, -1), ax)]
    if xm is not None and order in (1, -1, math.inf, -math.inf):  # the extreme column (1) or row (inf) sum
        over = -2 if order in (1, -1) else -1
        sums = xp.abs(xm).sum(axis=over)
        pick = sums.argmax(-1) if order in (1, math.inf) else sums.argmin(-1)
        mask = (xp.arange(sums.shape[-1]) == pick[..., None]).astype(x.dtype)
        mask = mask[..., None, :] if over == -2 else mask[..., :, None]
        return [g * xp.moveaxis(xp.sign(xm) * mask, (-2, -1), ax)]
    raise ValueError(f"linalg.norm: no gradient for ord={order!r} over axes {ax}")


def _norm_ord(args, kwargs) -> tuple:
    """The call with a string ``ord`` ('inf', '-inf': MXNet accepts them) made a number."""
    conv = {"inf": math.inf, "-inf": -math.inf}
    if len(args) > 1 and isinstance(args[1], str) and args[1] in conv:
        args = [args[0], conv[args[1]], *args[2:]]
    if isinstance(kwargs.get("ord"), str) and kwargs["ord"] in conv:
        kwargs = {**kwargs, "ord": conv[kwargs["ord"]]}
    return args, kwargs


def _norm_compute(xp, *args, **kwargs):
    args, kwargs = _norm_ord(list(args), kwargs)
    return xp.linalg.norm(*args, **kwargs)


add_function("linalg.norm", _norm_compute, vjp=lambda xp, og, ins, args, kwargs: _norm_vjp(xp, og, ins, *_norm_ord(list(args), kwargs)))


def _real_eig(name: str):
    def compute(xp, a):
        res = getattr(xp.linalg, name)(a)
        parts = res if isinstance(res, tuple) else (res,)
        parts = tuple(x.real if xp.iscomplexobj(x) else x for x in parts)  # MXNet's eig is real-valued
        return parts if isinstance(res, tuple) else parts[0]

    return compute


add_function("linalg.eigvals", _real_eig("eigvals"))
add_function("linalg.eig", _real_eig("eig"), grad="missing")
add_function("linalg.slogdet", lambda xp, a: tuple(xp.linalg.slogdet(a)), vjp=_slogdet_vjp)


def _where_vjp(xp, og, ins, args, kwargs):
    cond, x, y = args[0], args[1], args[2]
    mask = xp.broadcast_to(xp.asarray(cond).astype(bool), og[0].shape)
    out: list = [None] * len(ins)
    for k, v in enumerate(ins):
        if v is x:
            out[k] = _unbroadcast(xp, xp.where(mask, og[0], 0), v.shape)
        elif v is y:
            out[k] = _unbroadcast(xp, xp.where(mask, 0, og[0]), v.shape)
    return out


add_function("where", lambda xp, c, x, y: xp.where(xp.asarray(c).astype(bool), x, y), vjp=_where_vjp)


def _sort_compute(xp, a, axis=-1, kind=None, order=None):
    return xp.sort(a, axis=axis)


def _sort_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    axis = kwargs.get("axis", args[1] if len(args) > 1 else -1)
    flat = axis is None
    src = a.ravel() if flat else a
    ax = 0 if flat else axis
    idx = xp.argsort(src, axis=ax, kind="stable")
    grad = xp.zeros(src.shape, dtype=og[0].dtype)
    xp.put_along_axis(grad, idx, og[0].reshape(idx.shape), axis=ax)
    return [grad.reshape(a.shape)]


add_function("sort", _sort_compute, vjp=_sort_vjp)
add_function("argsort", lambda xp, a, axis=-1, kind=None, order=None: xp.argsort(a, axis=axis, kind="stable"))
add_function("any", lambda xp, a, axis=None, out=None, keepdims=False: xp.any(a, axis=axis, keepdims=keepdims))
add_function("all", lambda xp, a, axis=None, out=None, keepdims=False: xp.all(a, axis=axis, keepdims=keepdims))


# element-wise binary functions: vjp from the two partial derivatives, summed over broadcast axes


def _unbroadcast(xp, g, shape: tuple):
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _binary_vjp(d1: Callable, d2: Callable):
    def vjp(xp, og, ins, args, kwargs):
        x1, x2 = args[0], args[1]
        a1, a2 = xp.asarray(x1, dtype=og[0].dtype), xp.asarray(x2, dtype=og[0].dtype)
        out: list = [None] * len(ins)
        for k, v in enumerate(ins):
            if v is x1:
                out[k] = _unbroadcast(xp, og[0] * d1(xp, a1, a2), v.shape)
            elif v is x2:
                out[k] = _unbroadcast(xp, og[0] * d2(xp, a1, a2), v.shape)
        return out

    return vjp


add_function("arctan2", vjp=_binary_vjp(lambda xp, a, b: b / (a * a + b * b), lambda xp, a, b: -a / (a * a + b * b)))
add_function("copysign", vjp=_binary_vjp(lambda xp, a, b: xp.where((a < 0) == (b < 0), 1.0, -1.0), lambda xp, a, b: xp.zeros_like(b)))
add_function(
    "ldexp", lambda xp, a, b: a * xp.power(2.0, b), vjp=_binary_vjp(lambda xp, a, b: xp.power(2.0, b), lambda xp, a, b: a * xp.power(2.0, b) * math.log(2.0))
)
for _name in "bitwise_and bitwise_or bitwise_xor lcm gcd".split():
    add_function(_name)


def _average_opts(args, kwargs) -> tuple:
    names = ("axis", "weights", "returned")
    opts = {"axis": None, "weights": None, "returned": False, **dict(zip(names, args[1:])), **{k: kwargs[k] for k in names if k in kwargs}}
    return opts["axis"], opts["weights"], bool(opts["returned"])


def _average_compute(xp, a, *args, **kwargs):
    axis, weights, returned = _average_opts([a, *args], kwargs)
    res = xp.average(a, axis=axis, weights=weights, returned=returned)
    return tuple(res) if returned else res


def _average_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    axis, weights, returned = _average_opts(args, kwargs)
    axes = tuple(range(a.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(k % a.ndim for k in axes) if a.ndim else ()
    keep = tuple(1 if k in axes else n for k, n in enumerate(a.shape))
    g = og[0].reshape(keep)
    if weights is None:
        return [xp.broadcast_to(g / max(math.prod(a.shape[k] for k in axes), 1), a.shape)] + [None] * (len(ins) - 1)
    w = weights
    if w.ndim == 1 and a.ndim > 1:  # NumPy: 1-D weights lie along the one axis
        w = w.reshape(tuple(n if k == axes[0] else 1 for k, n in enumerate(a.shape)))
    wb = xp.broadcast_to(w, a.shape)
    total = wb.sum(axis=axes, keepdims=True)
    avg = (a * wb).sum(axis=axes, keepdims=True) / total
    grad_a = g * wb / total
    grad_w = g * (a - avg) / total
    if returned and len(og) > 1 and og[1].size == math.prod(keep):
        grad_w = grad_w + og[1].reshape(keep)
    out: list = [None] * len(ins)
    for k, v in enumerate(ins):
        if v is a:
            out[k] = grad_a
        elif v is weights:
            out[k] = _unbroadcast(xp, grad_w, w.shape).reshape(v.shape)
    return out


def _as_float(xp, a):
    return a if a.dtype.kind == "f" else a.astype(xp.float32)


# floats as they are, integers and bools as float32: what a traced np.mean averages
add_function("as_float", _as_float, vjp=lambda xp, og, ins, args, kwargs: [og[0]])


def _int_mean_compute(xp, a, axis=None, dtype=None, keepdims=False):
    """``mean`` with an integer ``dtype``: integers accumulate in it (wrapping, as NumPy), floats average first."""
    dt = _onp.dtype(dtype)
    if a.dtype.kind in "iu":
        return xp.mean(a, axis=axis, dtype=dt, keepdims=keepdims).astype(dt)
    return xp.mean(a.astype(xp.float64), axis=axis, keepdims=keepdims).astype(dt)


def _int_mean_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
    axes = tuple(range(a.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(k % a.ndim for k in axes) if a.ndim else ()
    keep = tuple(1 if k in axes else n for k, n in enumerate(a.shape))
    n = max(math.prod(a.shape[k] for k in axes), 1)
    return [xp.broadcast_to(og[0].reshape(keep).astype(xp.float64) / n, a.shape)]


# MXNet's diag_indices_from is one int64 array of shape (ndim, n): its rows are NumPy's tuple
add_function("diag_indices_from", lambda xp, a: xp.stack(xp.diag_indices_from(a)).astype(xp.int64))
add_function("int_mean", _int_mean_compute, vjp=_int_mean_vjp)

add_function("average", _average_compute, vjp=_average_vjp)
FUNCTIONS["average"].probe_fill = 1  # zero weights are an error


# -- front-end calls ----------------------------------------------------------------------------

# name -> (output dtype rule, number of outputs: an int or a rule on (args, kwargs))
# dtype rules: 'in<k>' the k-th array input's dtype, 'float' (floating inputs keep
# theirs, others give float32), or a dtype name (the call's dtype= overrides it)


def _sections(args, kwargs) -> int:
    ios = kwargs.get("indices_or_sections", args[1] if len(args) > 1 else None)
    return int(ios) if isinstance(ios, (int, _onp.integer)) else len(ios) + 1


def _n_arrays(args, kwargs) -> int:
    return len(args)


SPECS: dict[str, tuple[str, object]] = {
    "tensordot": ("in0", 1),
    "inner": ("in0", 1),
    "einsum": ("in0", 1),
    "trace": ("in0", 1),
    "tril": ("in0", 1),
    "triu": ("in0", 1),
    "roll": ("in0", 1),
    "rot90": ("in0", 1),
    "flip": ("in0", 1),
    "flipud": ("in0", 1),
    "fliplr": ("in0", 1),
    "moveaxis": ("in0", 1),
    "atleast_1d": ("in0", _n_arrays),
    "atleast_2d": ("in0", _n_arrays),
    "atleast_3d": ("in0", _n_arrays),
    "hstack": ("in0", 1),
    "vstack": ("in0", 1),
    "dstack": ("in0", 1),
    "column_stack": ("in0", 1),
    "split": ("in0", _sections),
    "array_split": ("in0", _sections),
    "hsplit": ("in0", _sections),
    "vsplit": ("in0", _sections),
    "dsplit": ("in0", _sections),
    "diagflat": ("in0", 1),
    "delete": ("in0", 1),
    "insert": ("in0", 1),
    "resize": ("in0", 1),
    "pad": ("in0", 1),
    "diff": ("in0", 1),
    "ediff1d": ("in0", 1),
    "nan_to_num": ("in0", 1),
    "polyval": ("in0", 1),
    "quantile": ("float", 1),
    "percentile": ("float", 1),
    "bitwise_not": ("in0", 1),
    "invert": ("in0", 1),
    "logspace": ("float32", 1),
    "indices": ("int64", lambda a, k: 1),
    "hanning": ("float32", 1),
    "hamming": ("float32", 1),
    "blackman": ("float32", 1),
    "linalg.solve": ("in0", 1),
    "linalg.tensorinv": ("in0", 1),
    "linalg.tensorsolve": ("in0", 1),
    "linalg.pinv": ("in0", 1),
    "linalg.eigvalsh": ("in0", 1),
    "linalg.eigh": ("in0", 2),
    "linalg.svd": ("in0", 3),
    "linalg.eigvals": ("in0", 1),
    "linalg.eig": ("in0", 2),
    "linalg.matrix_rank": ("int64", 1),
    "linalg.det": ("in0", 1),
    "linalg.norm": ("float", 1),
    "random.beta": ("float32", 1),
    "random.chisquare": ("float32", 1),
    "random.gamma": ("float32", 1),
    "random.binomial": ("int64", 1),
    "random.rayleigh": ("float32", 1),
    "average": ("float", lambda args, kwargs: 2 if kwargs.get("returned", args[3] if len(args) > 3 else False) else 1),
    "random.normal": ("float32", 1),
    "random.uniform": ("float32", 1),
    "random.lognormal": ("float32", 1),
    "random.power": ("float32", 1),
    "as_float": ("float", 1),
    "diag_indices_from": ("int64", 1),
    "int_mean": ("in0", 1),
    "random.multivariate_normal": ("in0", 1),
    "npx.random.uniform_n": ("float32", 1),
    "npx.random.normal_n": ("float32", 1),
    "random.logistic": ("float32", 1),
    "random.gumbel": ("float32", 1),
    "random.choice": ("int64", 1),
    "npx.constraint_check": ("bool", 1),
    "random.exponential": ("float32", 1),
    "random.weibull": ("float32", 1),
    "random.pareto": ("float32", 1),
    "argmax": ("int64", 1),
    "argmin": ("int64", 1),
    "eye": ("float32", 1),
    "full": ("in0", 1),
    "append": ("in0", 1),
    "unravel_index": ("int64", lambda args, kwargs: len(args[1]) if isinstance(args[1], (tuple, list)) else 1),
    "dot": ("promote", 1),
    "matmul": ("promote", 1),
    "where": ("promote", 1),
    "sort": ("in0", 1),
    "argsort": ("int64", 1),
    "any": ("bool", 1),
    "all": ("bool", 1),
    "squeeze": ("in0", 1),
    "tile": ("in0", 1),
    "broadcast_to": ("in0", 1),
    "transpose": ("in0", 1),
    "diag": ("in0", 1),
    "diagonal": ("in0", 1),
    "take": ("in0", 1),
    "swapaxes": ("in0", 1),
    "var": ("float", 1),
    "std": ("float", 1),
    "arctan2": ("promote_float", 1),
    "copysign": ("promote_float", 1),
    "ldexp": ("promote_float", 1),
    "bitwise_and": ("promote", 1),
    "bitwise_or": ("promote", 1),
    "bitwise_xor": ("promote", 1),
    "lcm": ("promote", 1),
    "gcd": ("promote", 1),
    "linalg.slogdet": ("in0", 2),
}

_INT_INPUTS = {
    "insert": (1,),
    "delete": (1,),
    "bitwise_not": (0,),
    "invert": (0,),
    **{n: (0, 1) for n in ("bitwise_and", "bitwise_or", "bitwise_xor", "lcm", "gcd")},
}
# where a creation function takes dtype positionally
_DTYPE_POS = {"eye": 3, "logspace": 5, "indices": 1, "hanning": 1, "hamming": 1, "blackman": 1}


def _dtype_rule(name: str, args: tuple, kwargs: dict) -> str:
    dt = kwargs.get("dtype")
    pos = _DTYPE_POS.get(name)
    if dt is None and pos is not None and len(args) > pos:
        dt = args[pos]
    if isinstance(dt, str) and dt[:2] == "in" and dt[2:].isdigit():
        return dt
    if dt is not None:
        return _onp.dtype(dt).name
    return SPECS[name][0]


def call_spec(name: str, args: tuple, kwargs: dict, is_array) -> tuple[list, dict]:
    """Inputs and ``_npi_function`` parameters of ``name(*args, **kwargs)``."""
    n_out = SPECS[name][1]
    n_out = n_out if isinstance(n_out, int) else n_out(args, kwargs)
    inputs, call = build_call(list(args), kwargs, is_array)
    int_inputs = tuple(k for k in _INT_INPUTS.get(name, ()) if k < len(inputs))
    if name == "random.choice" and inputs and (is_array(args[0]) if args else is_array(kwargs.get("a"))):
        kwargs = {**kwargs, "dtype": "in0"}  # samples of an array keep its dtype
    params = {"fn": name, "call": call, "num_args": len(inputs), "num_outputs": n_out, "otype": _dtype_rule(name, args, kwargs), "int_inputs": int_inputs}
    return inputs, params


def record_for(name: str) -> str:
    """The record that applies ``name``: ``_npi_random_function`` for samplers."""
    return "_npi_random_function" if FUNCTIONS[name].rng else "_npi_function"
