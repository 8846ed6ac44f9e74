"""Battery cases for Convolution, Deconvolution and Pooling (and their backward ops).

The references are written the obvious way (loops over output positions and
kernel offsets) so they are easy to trust; shapes are tiny.
"""

from __future__ import annotations

import itertools

import numpy as np

from . import add, f32


def _tup(v, n, default):
    return tuple(v) if v else (default,) * n


def conv_ref(x, w, b=None, kernel=(), stride=(), dilate=(), pad=(), num_filter=None, num_group=1, no_bias=False, **_):
    """Direct N-D grouped convolution, float64 accumulation."""
    nd = len(kernel)
    s, d, q = _tup(stride, nd, 1), _tup(dilate, nd, 1), _tup(pad, nd, 0)
    xpad = np.pad(x.astype(np.float64), [(0, 0), (0, 0)] + [(p, p) for p in q])
    n, c = x.shape[:2]
    f = w.shape[0]
    cg, fg = c // num_group, f // num_group
    out_sp = [(xpad.shape[2 + i] - d[i] * (kernel[i] - 1) - 1) // s[i] + 1 for i in range(nd)]
    out = np.zeros((n, f, *out_sp))
    for o in itertools.product(*[range(v) for v in out_sp]):
        for k in itertools.product(*[range(v) for v in kernel]):
            idx = tuple(o[i] * s[i] + k[i] * d[i] for i in range(nd))
            patch = xpad[(slice(None), slice(None), *idx)]  # (n, c)
            for g in range(num_group):
                wk = w[(slice(g * fg, (g + 1) * fg), slice(None), *k)]  # (fg, cg)
                out[(slice(None), slice(g * fg, (g + 1) * fg), *o)] += patch[:, g * cg : (g + 1) * cg] @ wk.T.astype(np.float64)
    if b is not None and not no_bias:
        out += b.reshape((1, -1) + (1,) * nd)
    return out.astype(x.dtype)


def deconv_full_ref(x, w, kernel, stride, dilate, num_group):
    """Scatter form of the transposed convolution, before cropping pad."""
    nd = len(kernel)
    n, c = x.shape[:2]
    fg = w.shape[1]
    cg = c // num_group
    full = [stride[i] * (x.shape[2 + i] - 1) + dilate[i] * (kernel[i] - 1) + 1 for i in range(nd)]
    out = np.zeros((n, fg * num_group, *full))
    for i_ in itertools.product(*[range(v) for v in x.shape[2:]]):
        for k in itertools.product(*[range(v) for v in kernel]):
            o = tuple(i_[j] * stride[j] + k[j] * dilate[j] for j in range(nd))
            for g in range(num_group):
                xv = x[(slice(None), slice(g * cg, (g + 1) * cg), *i_)].astype(np.float64)  # (n, cg)
                wk = w[(slice(g * cg, (g + 1) * cg), slice(None), *k)]  # (cg, fg)
                out[(slice(None), slice(g * fg, (g + 1) * fg), *o)] += xv @ wk
    return out


def deconv_ref(x, w, b=None, kernel=(), stride=(), dilate=(), pad=(), adj=(), target_shape=(), num_filter=None, num_group=1, no_bias=True, **_):
    nd = len(kernel)
    s, d = _tup(stride, nd, 1), _tup(dilate, nd, 1)
    q, a = _tup(pad, nd, 0), _tup(adj, nd, 0)
    full = deconv_full_ref(x, w, kernel, s, d, num_group)
    if target_shape:
        extra = [full.shape[2 + i] - target_shape[i] for i in range(nd)]
        q, a = tuple((e + 1) // 2 for e in extra), tuple(e % 2 for e in extra)
    full = np.pad(full, [(0, 0), (0, 0)] + [(0, ai) for ai in a])
    out = full[(slice(None), slice(None), *[slice(q[i], full.shape[2 + i] - q[i]) for i in range(nd)])]
    if b is not None and not no_bias:
        out = out + b.reshape((1, -1) + (1,) * nd)
    return out.astype(x.dtype)


def pool_ref(x, kernel=(), pool_type="max", global_pool=False, pooling_convention="valid", stride=(), pad=(), p_value=None, count_include_pad=None, **_):
    """Direct pooling following MXNet's window rule (clip at the padded end, then at the data)."""
    nd = x.ndim - 2
    if global_pool:
        kernel, stride, pad = x.shape[2:], (1,) * nd, (0,) * nd
    s, q = _tup(stride, nd, 1), _tup(pad, nd, 0)
    sp = x.shape[2:]
    if pooling_convention == "valid":
        out_sp = [(sp[i] + 2 * q[i] - kernel[i]) // s[i] + 1 for i in range(nd)]
    else:
        out_sp = [-(-(sp[i] + 2 * q[i] - kernel[i]) // s[i]) + 1 for i in range(nd)]
    out = np.zeros((*x.shape[:2], *out_sp))
    xd = x.astype(np.float64)
    for o in itertools.product(*[range(v) for v in out_sp]):
        lo = [o[i] * s[i] - q[i] for i in range(nd)]
        hi = [min(lo[i] + kernel[i], sp[i] + q[i]) for i in range(nd)]
        size = np.prod([hi[i] - lo[i] for i in range(nd)])
        clo = [max(v, 0) for v in lo]
        chi = [min(hi[i], sp[i]) for i in range(nd)]
        win = xd[(slice(None), slice(None), *[slice(a, b) for a, b in zip(clo, chi)])].reshape(*x.shape[:2], -1)
        if count_include_pad is False:
            size = np.prod([chi[i] - clo[i] for i in range(nd)])
        if pool_type == "max":
            val = win.max(-1)
        elif pool_type == "avg":
            val = win.sum(-1) / size
        elif pool_type == "sum":
            val = win.sum(-1)
        else:
            val = np.cbrt((win**p_value).sum(-1)) if p_value == 3 else (win**p_value).sum(-1) ** (1.0 / p_value)
        out[(slice(None), slice(None), *o)] = val
    return out.astype(x.dtype)


def _numeric_vjp(fn, inputs, head, wrt):
    """Gradient of sum(fn(*inputs) * head) w.r.t. inputs[wrt], by linearity where fn is linear in it."""
    x = inputs[wrt].astype(np.float64)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = 1.0
        args = list(inputs)
        args[wrt] = e
        grad.flat[i] = (fn(*args).astype(np.float64) * head).sum()
    return grad


# -- Convolution -----------------------------------------------------------------
X = f32(2, 3, 6, 5, seed=1)
W = f32(4, 3, 3, 3, seed=2)
B = f32(4, seed=3)
add("Convolution", [X, W, B], {"kernel": (3, 3), "num_filter": 4}, ref=conv_ref, rtol=1e-4, atol=1e-5)
add("Convolution", [X, W, B], {"kernel": (3, 3), "num_filter": 4, "stride": (2, 1), "pad": (1, 2)}, ref=conv_ref, rtol=1e-4, atol=1e-5, note="stride-pad")
add(
    "Convolution",
    [f32(1, 4, 7, 7, seed=4), f32(6, 2, 2, 3, seed=5)],
    {"kernel": (2, 3), "num_filter": 6, "num_group": 2, "dilate": (2, 1), "no_bias": True},
    ref=conv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="group-dilate",
)
add(
    "Convolution",
    [f32(2, 2, 9, seed=6), f32(3, 2, 3, seed=7), f32(3, seed=8)],
    {"kernel": (3,), "num_filter": 3, "stride": (2,), "pad": (1,)},
    ref=conv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="1d",
)
add(
    "Convolution",
    [f32(1, 2, 4, 5, 4, seed=9), f32(2, 2, 2, 3, 2, seed=10), f32(2, seed=11)],
    {"kernel": (2, 3, 2), "num_filter": 2, "pad": (1, 0, 1)},
    ref=conv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="3d",
)

G2 = f32(2, 4, 4, 3, seed=12)


def conv_back_ref(dy, x, w, kernel=(), num_filter=None, no_bias=False, **kw):
    p = {"kernel": kernel, "num_filter": num_filter, "no_bias": True, **kw}
    dx = _numeric_vjp(lambda a: conv_ref(a, w, **p), [x], dy, 0).astype(x.dtype)
    dw = _numeric_vjp(lambda a: conv_ref(x, a, **p), [w], dy, 0).astype(x.dtype)
    outs = [dx, dw]
    if not no_bias:
        outs.append(dy.sum(axis=(0, 2, 3)).astype(x.dtype))
    return outs


add("_backward_Convolution", [G2, X, W], {"kernel": (3, 3), "num_filter": 4}, ref=conv_back_ref, rtol=1e-4, atol=1e-5)
add(
    "_backward_Convolution",
    [f32(2, 4, 3, 3, seed=13), X, W],
    {"kernel": (3, 3), "num_filter": 4, "stride": (2, 1), "pad": (1, 0), "no_bias": True},
    ref=conv_back_ref,
    rtol=1e-4,
    atol=1e-5,
    note="nobias",
)

# -- Deconvolution ---------------------------------------------------------------
XD = f32(2, 4, 3, 4, seed=14)
WD = f32(4, 3, 3, 2, seed=15)
add("Deconvolution", [XD, WD], {"kernel": (3, 2), "num_filter": 3}, ref=deconv_ref, rtol=1e-4, atol=1e-5)
add(
    "Deconvolution",
    [XD, WD, f32(3, seed=16)],
    {"kernel": (3, 2), "num_filter": 3, "stride": (2, 3), "pad": (1, 0), "adj": (1, 2), "no_bias": False},
    ref=deconv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="adj",
)
add(
    "Deconvolution",
    [XD, f32(4, 2, 3, 3, seed=17)],
    {"kernel": (3, 3), "num_filter": 4, "num_group": 2, "stride": (2, 2), "dilate": (1, 2), "target_shape": (7, 10)},
    ref=deconv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="group-target",
)
add(
    "Deconvolution",
    [f32(1, 2, 5, seed=18), f32(2, 3, 3, seed=19)],
    {"kernel": (3,), "num_filter": 3, "stride": (2,)},
    ref=deconv_ref,
    rtol=1e-4,
    atol=1e-5,
    note="1d",
)


def deconv_back_ref(dy, x, w, kernel=(), num_filter=None, no_bias=True, **kw):
    p = {"kernel": kernel, "num_filter": num_filter, "no_bias": True, **kw}
    dx = _numeric_vjp(lambda a: deconv_ref(a, w, **p), [x], dy, 0).astype(x.dtype)
    dw = _numeric_vjp(lambda a: deconv_ref(x, a, **p), [w], dy, 0).astype(x.dtype)
    outs = [dx, dw]
    if not no_bias:
        outs.append(dy.sum(axis=(0, 2, 3)).astype(x.dtype))
    return outs


add("_backward_Deconvolution", [f32(2, 3, 5, 5, seed=20), XD, WD], {"kernel": (3, 2), "num_filter": 3}, ref=deconv_back_ref, rtol=1e-4, atol=1e-5)
add(
    "_backward_Deconvolution",
    [f32(2, 3, 6, 13, seed=21), XD, WD],
    {"kernel": (3, 2), "num_filter": 3, "stride": (2, 3), "pad": (1, 0), "adj": (1, 2), "no_bias": False},
    ref=deconv_back_ref,
    rtol=1e-4,
    atol=1e-5,
    note="adj",
)

# -- Pooling ---------------------------------------------------------------------
XP = f32(2, 3, 7, 6, seed=22)
for params in (
    {"kernel": (2, 2), "stride": (2, 2)},
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pooling_convention": "full"},
    {"kernel": (3, 2), "stride": (2, 1), "pad": (1, 1), "pool_type": "avg"},
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1), "pool_type": "avg", "pooling_convention": "full", "count_include_pad": False},
    {"kernel": (2, 3), "stride": (1, 2), "pool_type": "sum", "pooling_convention": "full"},
    {"kernel": (2, 2), "pool_type": "lp", "p_value": 2},
    {"kernel": (2, 2), "pool_type": "lp", "p_value": 3, "stride": (2, 2)},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "avg"},
    {"kernel": (1, 1), "global_pool": True, "pool_type": "max"},
):
    add("Pooling", [XP], params, ref=pool_ref, rtol=1e-5, atol=1e-5)
add("Pooling", [f32(2, 2, 9, seed=23)], {"kernel": (3,), "stride": (2,), "pad": (1,), "pool_type": "avg"}, ref=pool_ref, rtol=1e-5, atol=1e-6, note="1d")
add("Pooling", [f32(1, 2, 5, 4, 5, seed=24)], {"kernel": (2, 2, 2), "stride": (2, 1, 2), "pooling_convention": "full"}, ref=pool_ref, note="3d")


def pool_back_ref(dy, x, y, **params):
    """Max: the first maximum of each window gets the gradient; others: linear VJP."""
    if params.get("pool_type", "max") == "max":
        eps_grad = np.zeros(x.shape, np.float64)
        base = pool_ref(x.astype(np.float64), **params)
        # perturb each input upward; an element is the window's winner iff the output moves
        for i in range(x.size):
            xp = x.astype(np.float64).copy()
            xp.flat[i] += 1e-3
            eps_grad.flat[i] = ((pool_ref(xp, **params) - base) * dy).sum() / 1e-3
        return eps_grad.astype(x.dtype)
    return _numeric_vjp(lambda a: pool_ref(a, **params), [x], dy, 0).astype(x.dtype)


XB = f32(1, 2, 5, 6, seed=25)
for params in (
    {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)},
    {"kernel": (3, 3), "stride": (2, 2), "pool_type": "avg", "pooling_convention": "full"},
    {"kernel": (2, 2), "stride": (1, 2), "pool_type": "sum"},
):
    y = pool_ref(XB, **params)
    add("_backward_Pooling", [f32(*y.shape, seed=26), XB, y], params, ref=pool_back_ref, rtol=1e-3, atol=1e-4)
