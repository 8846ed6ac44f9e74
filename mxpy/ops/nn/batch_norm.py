"""BatchNorm: normalise each channel with batch (training) or moving statistics.

MXNet 1.9.1 behaviour mirrored here (checked against the reference build):

- three outputs ``output, mean, var``; only ``output`` is visible unless
  ``output_mean_var=True``. ``mean`` is the mean used (batch or moving) and
  ``var`` holds the *inverse standard deviation* ``1/sqrt(var + eps)`` of the
  statistics used, not the variance.
- the moving statistics are updated in the *backward* pass (as MXNet's CPU
  kernel does), from the biased batch variance:
  ``moving = moving * momentum + batch_stat * (1 - momentum)``.
- ``fix_gamma=True`` treats gamma as 1 and gives it a zero gradient. (MXNet's
  MKLDNN/cuDNN kernels additionally overwrite the gamma array with ones; mxpy
  leaves the argument untouched, which changes no output or gradient.)
- float16 data uses float32 gamma/beta/statistics and accumulates in float32.
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import OpDef, Param, ShapeError, get, merge_shape, names, register
from .._util import store
from . import _compiled
from ._im2col import workspace

_PARAMS = {
    "eps": Param("float", 1e-3, doc="added to the variance before the square root"),
    "momentum": Param("float", 0.9, doc="moving-average momentum"),
    "fix_gamma": Param("bool", True, doc="treat gamma as 1 (its gradient is 0)"),
    "use_global_stats": Param("bool", False, doc="use the moving statistics in training too"),
    "output_mean_var": Param("bool", False, doc="also return mean and inverse std"),
    "axis": Param("int", 1, doc="the channel axis"),
    "cudnn_off": Param("bool", False, doc="accepted for compatibility"),
    "min_calib_range": Param("float", None, doc="quantization calibration (accepted)"),
    "max_calib_range": Param("float", None, doc="quantization calibration (accepted)"),
}


@names("data", "gamma", "beta", "moving_mean", "moving_var")
def _inputs(p):
    return ["data", "gamma", "beta"]


def _channel_axis(p, ndim: int) -> int:
    ax = p.axis + ndim if p.axis < 0 else p.axis
    if not 0 <= ax < ndim:
        raise ShapeError(f"axis {p.axis} is out of range for data with {ndim} dims")
    return ax


def _infer_shape(p, in_shapes):
    shapes = list(in_shapes) + [None] * (5 - len(in_shapes))
    if len(in_shapes) != 5:
        raise ShapeError(f"expected 5 inputs (data, gamma, beta, moving_mean, moving_var), given {len(in_shapes)}")
    data = shapes[0]
    names = ("gamma", "beta", "moving_mean", "moving_var")
    c_shape = None
    if data is not None:
        if len(data) == 0:
            raise ShapeError("data must have at least 1 dim, given ()")
        ax = _channel_axis(p, len(data))
        c_shape = (data[ax],)
        for name, s in zip(names, shapes[1:]):
            merge_shape(s, c_shape, name, f"from axis={p.axis}: the data {data} has {data[ax]} channels")
    else:
        first = None
        for name, s in zip(names, shapes[1:]):
            if s is not None and first is None:
                first, c_shape = name, s
            elif s is not None:
                merge_shape(s, c_shape, name, f"the shape of {first}")
    return [data] + [c_shape] * 4, [data, c_shape, c_shape]


def _param_type(t):
    return np.dtype(np.float32) if t is not None and np.dtype(t) == np.float16 else t


def _infer_type(p, in_types):
    data = in_types[0]
    pt = _param_type(data)
    if pt is None:
        pt = next((t for t in in_types[1:] if t is not None), None)
    return [data] + [pt] * 4, [data, pt, pt]


def _bshape(ndim: int, ax: int, c: int) -> tuple:
    return tuple(c if i == ax else 1 for i in range(ndim))


# the fast kernels below view the data as (pre, C, post) and reduce each channel's
# rows of ``post`` contiguous elements; below this many the rows are too short
_MIN_ROW = 16
# the row kernels use the compiled passes of _rows_numba when Numba is there (inference's
# scale-and-shift, training's statistics and output, the backward's sums and data gradient;
# tests turn this off to check the NumPy path that stays the fallback)
_COMPILED = True


def _rows(x, ax: int):
    """``x`` as a ``(pre, C, post)`` view when that view is contiguous with rows of at least ``_MIN_ROW``, else None."""
    post = math.prod(x.shape[ax + 1 :])
    if post < _MIN_ROW or not x.flags.c_contiguous or x.dtype not in (np.float32, np.float64):
        return None
    return x.reshape(math.prod(x.shape[:ax]), x.shape[ax], post)


def _channel_dot(xp, a3, b3):
    """Per-channel sum of ``a * b`` over ``(pre, C, post)`` arrays: one BLAS dot per row
    (as accurate as NumPy's pairwise sums here, 4x faster than square-then-mean)."""
    pre, c, post = a3.shape
    return xp.matmul(a3.reshape(pre, c, 1, post), b3.reshape(pre, c, post, 1)).sum(axis=0).reshape(c)


def _direct(out, req: str, *others) -> bool:
    """Can the kernel build its result inside ``out`` (plain write, contiguous, no overlap with ``others``)?"""
    if req not in ("write", "inplace") or not out.flags.c_contiguous:
        return False
    return not any(np.may_share_memory(out, o) for o in others)


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, gamma, beta, m_mean, m_var = ins
    ax = _channel_axis(p, x.ndim)
    x3 = _rows(x, ax) if xp is np else None
    if x3 is not None and _direct(outs[0], req[0], gamma, beta, m_mean, m_var):
        _forward_rows(p, x3, ins, outs, req, rt)
        return
    red = tuple(i for i in range(x.ndim) if i != ax)
    bs = _bshape(x.ndim, ax, x.shape[ax])
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    if rt.is_train and not p.use_global_stats:
        xa = x.astype(acc, copy=False)
        mean = xa.mean(axis=red)
        var = xp.square(xa - mean.reshape(bs)).mean(axis=red)
    else:
        mean, var = m_mean, m_var
    invstd = 1.0 / xp.sqrt(var + p.eps)
    scale = invstd if p.fix_gamma else gamma * invstd
    shift = beta - mean * scale
    # one fused pass over the data: out = x * scale + shift
    store(outs[0], req[0], (x * scale.reshape(bs).astype(acc) + shift.reshape(bs).astype(acc)).astype(x.dtype, copy=False))
    store(outs[1], req[1], mean)
    store(outs[2], req[2], invstd)


def _forward_rows(p, x3, ins, outs, req, rt):
    """The forward on ``(pre, C, post)`` rows, built in the output: no full-size temporaries.

    Inference is two passes (``out = x * scale``, ``out += shift``); training centres the
    data into the output first, takes the variance as per-row dot products of it and then
    scales it in place. MXNet's 224x224 ResNet stem layer (8 x 64 x 112 x 112): inference
    38 -> 2.8 ms, batch statistics 62 -> 13 ms (one thread).
    """
    xp = np
    x, gamma, beta, m_mean, m_var = ins
    pre, c, post = x3.shape
    o3 = outs[0].reshape(pre, c, post)
    kernels = _compiled.load("rows") if _COMPILED else None
    if rt.is_train and not p.use_global_stats and kernels is not None:
        # compiled: statistics summed in float64 (two reads), then one pass writing the output
        stats = np.empty((2, c))
        kernels.channel_stats(x3, stats[0], stats[1])
        mean, var = stats.astype(x3.dtype)
        invstd = 1.0 / xp.sqrt(var + p.eps)
        scale = invstd if p.fix_gamma else gamma * invstd
        dt = x3.dtype
        kernels.center_scale_shift(x3, mean, scale.astype(dt, copy=False), beta.astype(dt, copy=False), o3)
    elif rt.is_train and not p.use_global_stats:
        count = pre * post
        mean = x3.sum(axis=2).sum(axis=0) / count
        xp.subtract(x3, mean.reshape(1, c, 1), out=o3)
        var = _channel_dot(xp, o3, o3) / count
        invstd = 1.0 / xp.sqrt(var + p.eps)
        scale = invstd if p.fix_gamma else gamma * invstd
        o3 *= scale.reshape(1, c, 1).astype(x3.dtype, copy=False)
        o3 += beta.reshape(1, c, 1).astype(x3.dtype, copy=False)
    else:
        mean = m_mean
        invstd = 1.0 / xp.sqrt(m_var + p.eps)
        scale = invstd if p.fix_gamma else gamma * invstd
        shift = beta - mean * scale
        if kernels is not None:  # one compiled pass instead of two (3-4x faster)
            kernels.scale_shift(x3, scale.astype(x3.dtype), shift.astype(x3.dtype), o3)
        else:
            xp.multiply(x3, scale.reshape(1, c, 1).astype(x3.dtype, copy=False), out=o3)
            o3 += shift.reshape(1, c, 1).astype(x3.dtype, copy=False)
    store(outs[1], req[1], mean)
    store(outs[2], req[2], invstd)


def _backward(p, ins, outs, req, rt):
    """Inputs: out-grad, data, gamma, saved mean, saved inverse std, moving_mean, moving_var (aux)."""
    xp = rt.xp
    og, x, gamma, mean, invstd, m_mean, m_var = ins
    ax = _channel_axis(p, x.ndim)
    if xp is np and og.dtype == x.dtype and og.flags.c_contiguous:
        x3 = _rows(x, ax)
        if x3 is not None and _direct(outs[0], req[0], og, x, *ins[2:]):
            _backward_rows(p, og.reshape(x3.shape), x3, ins, outs, req, rt)
            return
    red = tuple(i for i in range(x.ndim) if i != ax)
    bs = _bshape(x.ndim, ax, x.shape[ax])
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    ga = og.astype(acc, copy=False)
    xhat = (x.astype(acc, copy=False) - mean.reshape(bs)) * invstd.reshape(bs)
    dbeta = ga.sum(axis=red)
    dgamma = (ga * xhat).sum(axis=red)
    g_eff = xp.ones_like(invstd) if p.fix_gamma else gamma
    k = (g_eff * invstd).reshape(bs)
    if rt.is_train and not p.use_global_stats:
        n = x.size // x.shape[ax]
        dx = k * (ga - (dbeta / n).reshape(bs) - xhat * (dgamma / n).reshape(bs))
        # moving statistics follow the batch ones (MXNet updates them here)
        var = 1.0 / xp.square(invstd) - p.eps
        m_mean *= p.momentum
        m_mean += (1 - p.momentum) * mean
        m_var *= p.momentum
        m_var += (1 - p.momentum) * var
    else:
        dx = ga * k
    store(outs[0], req[0], dx.astype(x.dtype, copy=False))
    store(outs[1], req[1], 0 if p.fix_gamma else dgamma)
    store(outs[2], req[2], dbeta)


def _backward_rows(p, g3, x3, ins, outs, req, rt):
    """The backward on ``(pre, C, post)`` rows, with one full-size scratch array (the centred data).

    With ``d = x - mean`` and ``k = gamma * invstd``: ``dbeta = sum(g)``,
    ``dgamma = invstd * sum(g * d)`` and, with batch statistics,
    ``dx = k * g - k * dbeta / m - (k * invstd * dgamma / m) * d``.
    """
    xp = np
    _, _, gamma, mean, invstd, m_mean, m_var = ins
    pre, c, post = x3.shape
    dt = x3.dtype
    dx3 = outs[0].reshape(pre, c, post)
    kernels = _compiled.load("rows") if _COMPILED else None
    if kernels is not None:
        _backward_compiled(kernels, p, g3, x3, ins, outs, req, rt)
        return
    dbeta = g3.sum(axis=2).sum(axis=0)
    d = workspace(xp, x3.shape, dt, "batchnorm_centred")
    xp.subtract(x3, mean.reshape(1, c, 1).astype(dt, copy=False), out=d)
    dgamma = _channel_dot(xp, g3, d) * invstd
    k = invstd if p.fix_gamma else gamma * invstd
    xp.multiply(g3, k.reshape(1, c, 1).astype(dt, copy=False), out=dx3)
    if rt.is_train and not p.use_global_stats:
        count = pre * post
        d *= (k * invstd * dgamma / count).reshape(1, c, 1).astype(dt, copy=False)
        dx3 -= d
        dx3 -= (k * dbeta / count).reshape(1, c, 1).astype(dt, copy=False)
        var = 1.0 / xp.square(invstd) - p.eps
        m_mean *= p.momentum
        m_mean += (1 - p.momentum) * mean
        m_var *= p.momentum
        m_var += (1 - p.momentum) * var
    store(outs[1], req[1], 0 if p.fix_gamma else dgamma)
    store(outs[2], req[2], dbeta)


def _backward_compiled(kernels, p, g3, x3, ins, outs, req, rt):
    """:func:`_backward_rows` in two compiled passes: the per-channel sums (float64), then ``dx``."""
    _, _, gamma, mean, invstd, m_mean, m_var = ins
    pre, c, post = x3.shape
    dt = x3.dtype
    mean_dt = mean.astype(dt, copy=False)
    sums = np.empty((2, c))
    kernels.grad_sums(g3, x3, mean_dt, sums)
    dbeta = sums[0].astype(dt)
    dgamma = sums[1].astype(dt) * invstd
    k = invstd if p.fix_gamma else gamma * invstd
    if rt.is_train and not p.use_global_stats:
        count = pre * post
        a, b = k * invstd * dgamma / count, k * dbeta / count
        var = 1.0 / np.square(invstd) - p.eps
        m_mean *= p.momentum
        m_mean += (1 - p.momentum) * mean
        m_var *= p.momentum
        m_var += (1 - p.momentum) * var
    else:
        a = b = np.zeros(c, dt)
    cast = [v.astype(dt, copy=False) for v in (k, a, b)]
    kernels.grad_data(g3, x3, mean_dt, *cast, outs[0].reshape(pre, c, post))
    store(outs[1], req[1], 0 if p.fix_gamma else dgamma)
    store(outs[2], req[2], dbeta)


def _gradient(g, ograds):
    i = g.inputs
    dx, dgamma, dbeta = g.op("_backward_BatchNorm", [ograds[0], i[0], i[1], g.outputs[1], g.outputs[2], i[3], i[4]], g.attrs)
    return [dx, dgamma, dbeta, None, None]


register(
    OpDef(
        "BatchNorm",
        _forward,
        params=_PARAMS,
        inputs=_inputs,
        aux=("moving_mean", "moving_var"),
        outputs=("output", "mean", "var"),
        num_visible_outputs=lambda p: 3 if p.output_mean_var else 1,
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_gradient,
        doc=(
            "Batch normalization over the channel axis.\n\n"
            ">>> import mxpy as mx\n"
            ">>> x = mx.nd.array([[1.0, 2.0], [3.0, 6.0]])\n"
            ">>> c = mx.nd.ones((2,)), mx.nd.zeros((2,)), mx.nd.zeros((2,)), mx.nd.ones((2,))\n"
            ">>> mx.nd.BatchNorm(x, *c).shape\n"
            "(2, 2)"
        ),
    )
)


def _bwd_shape(p, in_shapes):
    data, gamma = in_shapes[1], in_shapes[2]
    return list(in_shapes), [data, gamma, gamma]


register(
    OpDef(
        "_backward_BatchNorm",
        _backward,
        params=_PARAMS,
        inputs=names("ograd", "data", "gamma", "mean", "invstd", "moving_mean", "moving_var")(lambda p: ["ograd", "data", "gamma", "mean", "invstd"]),
        aux=("moving_mean", "moving_var"),
        outputs=("data", "gamma", "beta"),
        infer_shape=_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[1], t[2], t[2]]),
        doc="Gradients of BatchNorm for data, gamma and beta; updates the moving statistics in training.",
    )
)

# -- BatchNorm_v1 and _contrib_SyncBatchNorm: BatchNorm's kernels under their own parameters --------

_BN_KEYS = ("eps", "momentum", "fix_gamma", "use_global_stats", "output_mean_var")


def _variant_gradient(g, ograds):
    i = g.inputs
    attrs = {k: v for k, v in g.attrs.items() if k in _BN_KEYS}
    invstd = g.outputs[2]
    if g.node.op.name == "_contrib_SyncBatchNorm":  # its third output is the variance
        invstd = g.op1("rsqrt", [g.op1("_plus_scalar", [invstd], scalar=g.p.eps)])
    dx, dgamma, dbeta = g.op("_backward_BatchNorm", [ograds[0], i[0], i[1], g.outputs[1], invstd, i[3], i[4]], attrs)
    return [dx, dgamma, dbeta, None, None]


def _as_bn(p):
    """BatchNorm's Params for a variant's parsed params (axis 1, the rest as given)."""
    return get("BatchNorm").parse({k: p[k] for k in _BN_KEYS})


def _variant(name: str, extra: dict, doc: str) -> None:
    def forward(p, ins, outs, req, rt):
        _forward(_as_bn(p), ins, outs, req, rt)
        if name == "_contrib_SyncBatchNorm" and req[2] != "null":
            # MXNet's SyncBatchNorm returns the variance where BatchNorm returns 1/sqrt(var + eps)
            outs[2][...] = 1.0 / rt.xp.square(outs[2]) - p.eps

    register(
        OpDef(
            name,
            forward,
            params={**{k: _PARAMS[k] for k in _BN_KEYS}, **extra},
            inputs=_inputs,
            aux=("moving_mean", "moving_var"),
            outputs=("output", "mean", "var"),
            num_visible_outputs=lambda p: 3 if p.output_mean_var else 1,
            infer_shape=lambda p, s: _infer_shape(_as_bn(p), s),
            infer_type=lambda p, t: _infer_type(_as_bn(p), t),
            gradient=_variant_gradient,
            doc=doc,
        )
    )


_variant(
    "BatchNorm_v1",
    {},
    "MXNet's first BatchNorm (channel axis 1, no cuDNN switch); computes as BatchNorm.\n\n"
    "Parameters: data, gamma, beta, moving_mean, moving_var (aux); eps (1e-3); momentum (0.9);\n"
    "fix_gamma (True); use_global_stats (False); output_mean_var (False).\n\n"
    ">>> import mxpy as mx\n>>> c = mx.nd.ones((2,)), mx.nd.zeros((2,)), mx.nd.zeros((2,)), mx.nd.ones((2,))\n"
    ">>> mx.nd.BatchNorm_v1(mx.nd.ones((2, 2)), *c).shape\n(2, 2)",
)
_variant(
    "_contrib_SyncBatchNorm",
    {"ndev": Param("int", 1, doc="devices sharing the batch statistics"), "key": Param("str", "", doc="name of the shared statistics")},
    "Batch normalization with statistics shared across ``ndev`` devices; on one device (mxpy's\n"
    "executors run each device's copy separately) it computes as BatchNorm, except that its third\n"
    "(hidden) output is the variance, not 1/sqrt(var + eps).\n\n"
    "Parameters: as BatchNorm_v1, plus ndev (1) and key (str).\n\n"
    ">>> import mxpy as mx\n>>> c = mx.nd.ones((2,)), mx.nd.zeros((2,)), mx.nd.zeros((2,)), mx.nd.ones((2,))\n"
    ">>> mx.nd.contrib.SyncBatchNorm(mx.nd.ones((2, 2)), *c, key='bn').shape\n(2, 2)",
)
