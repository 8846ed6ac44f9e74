"""InstanceNorm, LayerNorm, L2Normalization and LRN, with their backward records.

Each keeps MXNet's hidden outputs (InstanceNorm ``mean, var``; LayerNorm
``mean, std``; L2Normalization ``norm``; LRN ``tmp_norm``) so the backward can
reuse them. Statistics accumulate in float32 for float16 data.
"""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, ShapeError, merge_shape, register, same_type
from .._util import store


def _acc(x):
    return np.float32 if x.dtype == np.float16 else x.dtype


def _normalize_backward(ga, xhat, invstd, red: tuple):
    """d(loss)/dx of ``xhat = (x - mean(x)) * invstd`` given ``ga = d(loss)/d(xhat)``."""
    return invstd * (ga - ga.mean(axis=red, keepdims=True) - xhat * (ga * xhat).mean(axis=red, keepdims=True))


# -- InstanceNorm ----------------------------------------------------------------------

_IN_PARAMS = {"eps": Param("float", 1e-3, doc="added to the variance before the square root")}


def _in_shape(p, in_shapes):
    data, gamma, beta = (list(in_shapes) + [None, None])[:3]
    c = None if data is not None else merge_shape(beta, gamma, "beta", "from gamma's shape") if beta is not None else gamma
    stat = None
    if data is not None:
        if len(data) < 2:
            raise ShapeError(f"data must have at least 2 dims (batch, channel, spatial...), given {data}")
        c = (data[1],)
        for name, s in (("gamma", gamma), ("beta", beta)):
            merge_shape(s, c, name, f"from the data {data}'s {data[1]} channels")
        stat = (data[0], data[1]) + (1,) * (len(data) - 2)
    return [data, c, c], [data, stat, stat]


def _in_forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, gamma, beta = ins
    red = tuple(range(2, x.ndim))
    bs = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    xa = x.astype(_acc(x), copy=False)
    mean = xa.mean(axis=red, keepdims=True)
    var = xp.square(xa - mean).mean(axis=red, keepdims=True)
    invstd = 1.0 / xp.sqrt(var + p.eps)
    out = (xa - mean) * invstd * gamma.reshape(bs) + beta.reshape(bs)
    store(outs[0], req[0], out.astype(x.dtype, copy=False))
    store(outs[1], req[1], mean)
    store(outs[2], req[2], var)


def _in_backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, x, gamma, mean, var = ins
    red = tuple(range(2, x.ndim))
    bs = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    invstd = 1.0 / xp.sqrt(var + p.eps)
    xhat = (x.astype(_acc(x), copy=False) - mean) * invstd
    ga = og.astype(_acc(x), copy=False)
    dx = _normalize_backward(ga * gamma.reshape(bs), xhat, invstd, red)
    store(outs[0], req[0], dx.astype(x.dtype, copy=False))
    store(outs[1], req[1], (ga * xhat).sum(axis=(0,) + red))
    store(outs[2], req[2], ga.sum(axis=(0,) + red))


register(
    OpDef(
        "InstanceNorm",
        _in_forward,
        params=_IN_PARAMS,
        inputs=("data", "gamma", "beta"),
        outputs=("output", "mean", "var"),
        num_visible_outputs=lambda p: 1,
        infer_shape=_in_shape,
        infer_type=lambda p, t: same_type(p, t, 3),
        gradient=lambda g, og: g.op("_backward_InstanceNorm", [og[0], g.inputs[0], g.inputs[1], g.outputs[1], g.outputs[2]], g.attrs),
        doc=(
            "Normalize each (sample, channel) over its spatial positions, then scale by gamma and shift by beta.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.InstanceNorm(mx.nd.ones((1, 2, 3)), mx.nd.ones((2,)), mx.nd.zeros((2,))).shape\n(1, 2, 3)"
        ),
    )
)
register(
    OpDef(
        "_backward_InstanceNorm",
        _in_backward,
        params=_IN_PARAMS,
        inputs=("ograd", "data", "gamma", "mean", "var"),
        outputs=("data", "gamma", "beta"),
        infer_shape=lambda p, s: (list(s), [s[1], s[2], s[2]]),
        infer_type=lambda p, t: (list(t), [t[1], t[2], t[2]]),
        doc="Gradients of InstanceNorm for data, gamma and beta.",
    )
)

# -- LayerNorm ------------------------------------------------------------------------

_LN_PARAMS = {
    "axis": Param("int", -1, doc="the axis to normalize over"),
    "eps": Param("float", 1e-5, doc="added to the variance before the square root"),
    "output_mean_var": Param("bool", False, doc="also return the mean and standard deviation"),
}


def _ln_axis(p, ndim: int) -> int:
    ax = p.axis + ndim if p.axis < 0 else p.axis
    if not 0 <= ax < ndim:
        raise ShapeError(f"axis {p.axis} is out of range for data with {ndim} dims")
    return ax


def _ln_shape(p, in_shapes):
    data, gamma, beta = (list(in_shapes) + [None, None])[:3]
    c = None if data is not None else merge_shape(beta, gamma, "beta", "from gamma's shape") if beta is not None else gamma
    stat = None
    if data is not None:
        if len(data) == 0:
            raise ShapeError("data must have at least 1 dim, given ()")
        ax = _ln_axis(p, len(data))
        c = (data[ax],)
        for name, s in (("gamma", gamma), ("beta", beta)):
            merge_shape(s, c, name, f"from axis={p.axis}: size {data[ax]} in the data {data}")
        stat = tuple(1 if i == ax else d for i, d in enumerate(data))
    return [data, c, c], [data, stat, stat]


def _ln_forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, gamma, beta = ins
    ax = _ln_axis(p, x.ndim)
    bs = tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim))
    xa = x.astype(_acc(x), copy=False)
    mean = xa.mean(axis=ax, keepdims=True)
    std = xp.sqrt(xp.square(xa - mean).mean(axis=ax, keepdims=True) + p.eps)
    out = (xa - mean) / std * gamma.reshape(bs) + beta.reshape(bs)
    store(outs[0], req[0], out.astype(x.dtype, copy=False))
    store(outs[1], req[1], mean)
    store(outs[2], req[2], std)


def _ln_backward(p, ins, outs, req, rt):
    og, x, gamma, mean, std = ins
    ax = _ln_axis(p, x.ndim)
    bs = tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim))
    rest = tuple(i for i in range(x.ndim) if i != ax)
    invstd = 1.0 / std
    xhat = (x.astype(_acc(x), copy=False) - mean) * invstd
    ga = og.astype(_acc(x), copy=False)
    dx = _normalize_backward(ga * gamma.reshape(bs), xhat, invstd, (ax,))
    store(outs[0], req[0], dx.astype(x.dtype, copy=False))
    store(outs[1], req[1], (ga * xhat).sum(axis=rest))
    store(outs[2], req[2], ga.sum(axis=rest))


register(
    OpDef(
        "LayerNorm",
        _ln_forward,
        params=_LN_PARAMS,
        inputs=("data", "gamma", "beta"),
        outputs=("output", "mean", "std"),
        num_visible_outputs=lambda p: 3 if p.output_mean_var else 1,
        infer_shape=_ln_shape,
        infer_type=lambda p, t: same_type(p, t, 3),
        gradient=lambda g, og: g.op("_backward_LayerNorm", [og[0], g.inputs[0], g.inputs[1], g.outputs[1], g.outputs[2]], g.attrs),
        doc=(
            "Normalize over one axis (default the last), then scale by gamma and shift by beta.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.LayerNorm(mx.nd.array([[1, 3]]), mx.nd.ones((2,)), mx.nd.zeros((2,))).asnumpy().round(3).tolist()\n"
            "[[-1.0, 1.0]]"
        ),
    )
)
register(
    OpDef(
        "_backward_LayerNorm",
        _ln_backward,
        params=_LN_PARAMS,
        inputs=("ograd", "data", "gamma", "mean", "std"),
        outputs=("data", "gamma", "beta"),
        infer_shape=lambda p, s: (list(s), [s[1], s[2], s[2]]),
        infer_type=lambda p, t: (list(t), [t[1], t[2], t[2]]),
        doc="Gradients of LayerNorm for data, gamma and beta.",
    )
)

# -- L2Normalization ----------------------------------------------------------------

_L2_PARAMS = {
    "eps": Param("float", 1e-10, doc="added to the sum of squares before the square root"),
    "mode": Param("str", "instance", choices=("instance", "channel", "spatial"), doc="which axes share one norm"),
}


def _l2_axes(p, ndim: int) -> tuple:
    if p.mode == "instance":
        return tuple(range(1, ndim))
    if p.mode == "channel":
        return (1,)
    return tuple(range(2, ndim))


def _l2_shape(p, in_shapes):
    data = in_shapes[0]
    if data is None:
        return [None], [None, None]
    low = 2 if p.mode == "instance" else 3 if p.mode == "spatial" else 2
    if len(data) < low:
        raise ShapeError(f"data must have at least {low} dims for mode='{p.mode}', given {data}")
    axes = _l2_axes(p, len(data))
    norm = tuple(d for i, d in enumerate(data) if i not in axes)
    return [data], [data, norm]


def _l2_forward(p, ins, outs, req, rt):
    xp = rt.xp
    x = ins[0]
    axes = _l2_axes(p, x.ndim)
    xa = x.astype(_acc(x), copy=False)
    norm = xp.sqrt(xp.square(xa).sum(axis=axes, keepdims=True) + p.eps)
    store(outs[0], req[0], (xa / norm).astype(x.dtype, copy=False))
    store(outs[1], req[1], norm.reshape(outs[1].shape))


def _l2_backward(p, ins, outs, req, rt):
    og, out, norm = ins
    axes = _l2_axes(p, out.ndim)
    keep = tuple(1 if i in axes else d for i, d in enumerate(out.shape))
    n = norm.reshape(keep)
    ga = og.astype(_acc(out), copy=False)
    y = out.astype(_acc(out), copy=False)
    dx = (ga - y * (ga * y).sum(axis=axes, keepdims=True)) / n
    store(outs[0], req[0], dx.astype(out.dtype, copy=False))


register(
    OpDef(
        "L2Normalization",
        _l2_forward,
        params=_L2_PARAMS,
        outputs=("output", "norm"),
        num_visible_outputs=lambda p: 1,
        infer_shape=_l2_shape,
        infer_type=lambda p, t: same_type(p, t, 2),
        gradient=lambda g, og: g.op("_backward_L2Normalization", [og[0], g.outputs[0], g.outputs[1]], g.attrs),
        doc=(
            "Divide by the L2 norm over the axes ``mode`` names: instance (all but the batch axis), channel (axis 1), spatial (axes 2...).\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.L2Normalization(mx.nd.array([[3, 4]])).asnumpy().tolist()\n[[0.6000000238418579, 0.800000011920929]]"
        ),
    )
)
register(
    OpDef(
        "_backward_L2Normalization",
        _l2_backward,
        params=_L2_PARAMS,
        inputs=("ograd", "output", "norm"),
        infer_shape=lambda p, s: (list(s), [s[1]]),
        infer_type=lambda p, t: (list(t), [t[1]]),
        doc="Gradient of L2Normalization.",
    )
)

# -- LRN --------------------------------------------------------------------------------

_LRN_PARAMS = {
    "alpha": Param("float", 1e-4, doc="scale of the sum of squares"),
    "beta": Param("float", 0.75, doc="exponent"),
    "knorm": Param("float", 2.0, doc="additive constant"),
    "nsize": Param("int", low=1, doc="number of neighbouring channels summed (window size)"),
}


def _window_sum(xp, a, nsize: int):
    """Sum over the channels ``c - (nsize-1)//2 ... c + (nsize-1)//2`` (zero padded).

    MXNet 1.9.1 uses this symmetric window for even ``nsize`` too (checked
    against the reference), while still dividing ``alpha`` by ``nsize``.
    Loops over the window offsets only (a handful), each a vectorised slice add.
    """
    c = a.shape[1]
    half = (nsize - 1) // 2
    out = a.copy()
    for d in range(1, min(half, c - 1) + 1):
        out[:, :-d] += a[:, d:]
        out[:, d:] += a[:, :-d]
    return out


def _lrn_shape(p, in_shapes):
    data = in_shapes[0]
    if data is not None and len(data) < 2:
        raise ShapeError(f"data must have at least 2 dims (batch, channel, ...), given {data}")
    return [data], [data, data]


def _lrn_forward(p, ins, outs, req, rt):
    xp = rt.xp
    x = ins[0]
    xa = x.astype(_acc(x), copy=False)
    s = p.knorm + (p.alpha / p.nsize) * _window_sum(xp, xp.square(xa), p.nsize)
    store(outs[0], req[0], (xa * s ** (-p.beta)).astype(x.dtype, copy=False))
    store(outs[1], req[1], s)


def _lrn_backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, x, s = ins
    xa = x.astype(_acc(x), copy=False)
    ga = og.astype(_acc(x), copy=False)
    sb = s ** (-p.beta)
    # each output i depends on x_j for j in i's window; the window is symmetric
    t = ga * xa * sb / s
    dx = ga * sb - (2.0 * p.alpha * p.beta / p.nsize) * xa * _window_sum(xp, t, p.nsize)
    store(outs[0], req[0], dx.astype(x.dtype, copy=False))


register(
    OpDef(
        "LRN",
        _lrn_forward,
        params=_LRN_PARAMS,
        outputs=("output", "tmp_norm"),
        num_visible_outputs=lambda p: 1,
        infer_shape=_lrn_shape,
        infer_type=lambda p, t: same_type(p, t, 2),
        gradient=lambda g, og: g.op("_backward_LRN", [og[0], g.inputs[0], g.outputs[1]], g.attrs),
        doc=(
            "Local response normalization across channels: ``x / (knorm + alpha/nsize * sum(x^2 over nsize channels))^beta``.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.LRN(mx.nd.ones((1, 3, 2, 2)), nsize=3).shape\n(1, 3, 2, 2)"
        ),
    )
)
register(
    OpDef(
        "_backward_LRN",
        _lrn_backward,
        params=_LRN_PARAMS,
        inputs=("ograd", "data", "tmp_norm"),
        infer_shape=lambda p, s: (list(s), [s[1]]),
        infer_type=lambda p, t: (list(t), [t[1]]),
        doc="Gradient of LRN.",
    )
)
