"""Inference convolution: Convolution with a folded BatchNorm and a ReLU, as one kernel.

The executor's inference pass (:mod:`mxpy.graph.fold_bn`) replaces each
``Convolution -> BatchNorm(global statistics) [-> Activation(relu)]`` chain
(and ``Convolution -> Activation(relu)``) of an executor bound without gradients
by one node of :data:`CONV_ACT`, whose weight and bias are the BatchNorm folded
into the convolution's (:func:`fold_weights`):

    scale = gamma / sqrt(moving_var + eps)        (1 / sqrt(...) with fix_gamma)
    weight' = weight * scale[f]                   bias' = (bias - moving_mean) * scale + beta

The op is an internal record, never registered: it exists only in the graphs
that pass builds, so no front end, JSON file or gradient sees it.

Its kernel picks the path the layer's shape calls for, writing the planned
output buffer directly:

- 2-D depthwise layers: the compiled kernel of :mod:`._conv_infer_numba`, bias and
  ReLU applied as each output row is written (NumPy fallback: Convolution's own path);
- 1x1, stride 1, unpadded layers: straight GEMMs on the data as it lies (one per
  image, ``W (F, C) @ x[n] (C, H*W)``), or for small images one GEMM over a
  batch-last copy of the data, whose ``(F, N*H*W)`` result is written back per
  image with the bias and ReLU;
- everything else: Convolution's own path, then one bias + ReLU pass.
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import OpDef, Param
from .._split import SplitSpec
from . import _compiled
from . import _im2col as im
from . import convolution as conv

# a 1x1 layer runs per-image GEMMs from this many positions per image; below it (MobileNet's
# 7x7 layers at batch 8, K = 512 and 1024 over 49 columns) one GEMM over a batch-last copy is
# 1.3x faster, copies included; at 14x14 per-image GEMMs are 1-10% faster (bench/RESULTS.md)
_POINTWISE_MIN_POSITIONS = 100
# the compiled kernels are used when Numba is there (tests turn them off to check the
# NumPy fallbacks)
_COMPILED = True

_PARAMS = dict(conv.CONV_PARAMS)
_PARAMS["act_type"] = Param("str", None, doc="'relu' applies a ReLU to the output; None none", choices=("relu", "None"))


def _kernels():
    return _compiled.load("conv_infer") if _COMPILED else None


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x, w = ins[0], ins[1]
    b = None if p.no_bias else ins[2]
    geo, out_sp = conv.conv_geometry(p, x.shape)
    conv_bias_act(xp, x, w, b, p.num_group, geo, out_sp, outs[0], req[0], p.act_type == "relu")


def conv_bias_act(xp, x, w, b, groups: int, geo: dict, out_sp: tuple, out, req: str, relu: bool) -> None:
    """``out`` gets (``req``) ``act(conv(x, w) + b)``, channel-first arrays; ``b`` may be None."""
    if req == "null":
        return
    direct = req in ("write", "inplace") and out.flags.c_contiguous and not xp.may_share_memory(x, out)
    if not direct:  # an output that overlaps the data or is added to: through a temporary
        tmp = xp.empty(out.shape, dtype=out.dtype)
        conv_bias_act(xp, x, w, b, groups, geo, out_sp, tmp, "write", relu)
        im.store_into(out, req, tmp)
        return
    kernels = _kernels() if xp is np else None
    if kernels is not None and _depthwise_ok(x, w, groups, geo):
        bias = b if b is not None else np.zeros(w.shape[0], dtype=x.dtype)
        w3 = np.ascontiguousarray(w).reshape(w.shape[0], *w.shape[2:])
        kernels.depthwise(np.ascontiguousarray(x), w3, np.ascontiguousarray(bias, dtype=x.dtype), out, _geo(geo), relu)
        return
    if groups == 1 and conv._pointwise(geo) and x.flags.c_contiguous:
        _pointwise(xp, kernels, x, w, b, out, relu)
        return
    conv._conv_into(xp, x, w, groups, geo, out_sp, out, "write")
    _bias_act(xp, kernels, out, b, relu)


def _depthwise_ok(x, w, groups: int, geo: dict) -> bool:
    return groups > 1 and len(geo["kernel"]) == 2 and x.shape[1] == groups and x.dtype in (np.float32, np.float64) and w.dtype == x.dtype


def _geo(geo: dict) -> tuple:
    return (*geo["stride"], *geo["dilate"], *geo["pad"])


def _pointwise(xp, kernels, x, w, b, out, relu: bool) -> None:
    """A 1x1, stride-1, unpadded layer as GEMMs on the data as it lies (see the module doc)."""
    n, c = x.shape[:2]
    f = w.shape[0]
    p = math.prod(x.shape[2:])
    w2 = w.reshape(f, c)
    x3 = x.reshape(n, c, p)
    y3 = out.reshape(n, f, p)
    if p >= _POINTWISE_MIN_POSITIONS or n == 1:
        for i in range(n):  # the bias and ReLU pass while the image's result is still in cache
            xp.matmul(w2, x3[i], out=y3[i])
            _bias_act(xp, kernels, y3[i : i + 1], b, relu)
        return
    xt = im.workspace(xp, (c, n, p), x.dtype, "pointwise_in")
    xt[...] = x3.transpose(1, 0, 2)
    o2 = im.workspace(xp, (f, n * p), x.dtype, "pointwise_out")
    xp.matmul(w2, xt.reshape(c, n * p), out=o2)
    if kernels is not None and out.dtype in (np.float32, np.float64):
        bias = b if b is not None else np.zeros(f, dtype=out.dtype)
        kernels.rows_to_batch(o2, np.ascontiguousarray(bias, dtype=out.dtype), relu, y3)
        return
    y3[...] = o2.reshape(f, n, p).transpose(1, 0, 2)
    _bias_act(xp, None, y3, b, relu)


def _bias_act(xp, kernels, out, b, relu: bool) -> None:
    """``out = act(out + b)`` in place over channel-first ``out``."""
    if b is None and not relu:
        return
    y3 = out.reshape(out.shape[0], out.shape[1], -1)
    if kernels is not None and out.dtype in (np.float32, np.float64) and y3.flags.c_contiguous:
        bias = b if b is not None else np.zeros(out.shape[1], dtype=out.dtype)
        kernels.bias_act(y3, np.ascontiguousarray(bias, dtype=out.dtype), relu)
        return
    if b is not None:
        y3 += b.reshape(1, -1, 1).astype(out.dtype, copy=False)
    if relu:
        xp.maximum(y3, 0, out=y3)


def fold_weights(xp, w, bias, gamma, beta, mean, var, eps: float, fix_gamma: bool, w_out, b_out) -> None:
    """Write BatchNorm(eps, fix_gamma) with the given statistics folded into a convolution's
    weight ``w`` (``(F, ...)``) and bias (None: zero): ``w_out`` and ``b_out`` ``(F,)``.

    Computed in float64, then rounded once to the weight's dtype.

    >>> import numpy as np
    >>> w, wo, bo = np.ones((2, 1, 1, 1), np.float32), np.empty((2, 1, 1, 1), np.float32), np.empty(2, np.float32)
    >>> fold_weights(np, w, None, np.array([2.0, 1.0]), np.zeros(2), np.zeros(2), np.full(2, 3.0), 1.0, False, wo, bo)
    >>> wo.ravel().tolist(), bo.tolist()
    ([1.0, 0.5], [0.0, 0.0])
    """
    f64 = xp.float64
    scale = 1.0 / xp.sqrt(var.astype(f64) + eps)
    if not fix_gamma:
        scale = scale * gamma.astype(f64)
    w_out[...] = (w.astype(f64) * scale.reshape((-1,) + (1,) * (w.ndim - 1))).astype(w_out.dtype)
    shift = beta.astype(f64) - mean.astype(f64) * scale
    if bias is not None:
        shift = shift + bias.astype(f64) * scale
    b_out[...] = shift.astype(b_out.dtype)


def _infer_shape(p, in_shapes):
    return conv._infer_shape(p, in_shapes)


# the fused layer: Convolution's inputs and params, plus act_type; cut on the batch axis as
# Convolution is, so executors in split mode run it on batch slices
CONV_ACT = OpDef(
    "_conv_bn_act",
    _forward,
    params=_PARAMS,
    inputs=lambda p: ["data", "weight"] if p.no_bias else ["data", "weight", "bias"],
    infer_shape=_infer_shape,
    infer_type=im.float_types("_conv_bn_act"),
    cost=conv._cost,
    split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=conv._cost),
    doc="Convolution with a folded BatchNorm and an optional ReLU (internal to inference executors).",
)
