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

import numpy as np

from ...registry import OpDef, Param, ShapeError, get, merge_shape, names, register
from .._util import store

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
    c_shape = None
    for s in shapes[1:]:
        c_shape = merge_shape(c_shape, s, "gamma/beta/moving statistics shape")
    if data is not None:
        if len(data) == 0:
            raise ShapeError("data must have at least 1 dim, given ()")
        want = (data[_channel_axis(p, len(data))],)
        c_shape = merge_shape(c_shape, want, f"gamma/beta/moving statistics shape (channels of data {data})")
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


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, gamma, beta, m_mean, m_var = ins
    ax = _channel_axis(p, x.ndim)
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


def _backward(p, ins, outs, req, rt):
    """Inputs: out-grad, data, gamma, saved mean, saved inverse std, moving_mean, moving_var (aux)."""
    xp = rt.xp
    og, x, gamma, mean, invstd, m_mean, m_var = ins
    ax = _channel_axis(p, x.ndim)
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
