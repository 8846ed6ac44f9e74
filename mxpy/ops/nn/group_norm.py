"""GroupNorm: normalise each (sample, group of channels), then scale and shift per group.

As in MXNet 1.9.1, ``gamma`` and ``beta`` have one entry per *group*
(shape ``(num_groups,)``), and the hidden outputs ``mean`` and ``std`` have
shape ``(batch, num_groups)``. Statistics accumulate in float32 for float16.
"""

from __future__ import annotations

import numpy as np

from ...registry import Param, ShapeError, merge_shape
from .._pair import register_pair

_PARAMS = {
    "num_groups": Param("int", 1, low=1, doc="number of channel groups"),
    "eps": Param("float", 1e-5, doc="added to the variance before the square root"),
    "output_mean_var": Param("bool", False, doc="also return the mean and standard deviation"),
}


def _shape(p, in_shapes):
    data, gamma, beta = (list(in_shapes) + [None, None])[:3]
    g = merge_shape((p.num_groups,), gamma, "gamma shape")
    g = merge_shape(g, beta, "beta shape")
    stat = None
    if data is not None:
        if len(data) < 2:
            raise ShapeError(f"data must have at least 2 dims (batch, channel, ...), given {data}")
        if data[1] % p.num_groups:
            raise ShapeError(f"the {data[1]} channels of data {data} do not split into num_groups={p.num_groups} groups")
        stat = (data[0], p.num_groups)
    return [data, g, g], [data, stat, stat]


def _grouped(p, x):
    return x.reshape((x.shape[0], p.num_groups, -1))


def _acc(x):
    return np.float32 if x.dtype == np.float16 else x.dtype


def _forward(p, xp, x, gamma, beta):
    xg = _grouped(p, x).astype(_acc(x), copy=False)
    mean = xg.mean(axis=2, keepdims=True)
    std = xp.sqrt(xp.square(xg - mean).mean(axis=2, keepdims=True) + p.eps)
    out = (xg - mean) / std * gamma.reshape(1, -1, 1) + beta.reshape(1, -1, 1)
    return out.reshape(x.shape).astype(x.dtype, copy=False), mean[..., 0], std[..., 0]


def _backward(p, xp, ograds, ins, outs):
    x, gamma, _ = ins
    _, mean, std = outs
    og = _grouped(p, ograds[0]).astype(_acc(x), copy=False)
    xhat = (_grouped(p, x).astype(_acc(x), copy=False) - mean[..., None]) / std[..., None]
    ga = og * gamma.reshape(1, -1, 1)
    dx = (ga - ga.mean(axis=2, keepdims=True) - xhat * (ga * xhat).mean(axis=2, keepdims=True)) / std[..., None]
    return dx.reshape(x.shape), (og * xhat).sum(axis=(0, 2)), og.sum(axis=(0, 2))


register_pair(
    "GroupNorm",
    _forward,
    _backward,
    params=_PARAMS,
    inputs=("data", "gamma", "beta"),
    outputs=("output", "mean", "std"),
    num_visible_outputs=lambda p: 3 if p.output_mean_var else 1,
    infer_shape=_shape,
    doc=(
        "Group normalization: split the channels (axis 1) into ``num_groups`` groups, normalize each\n"
        "(sample, group) to zero mean and unit variance, then scale by gamma and shift by beta (one\n"
        "value per group).\n\n"
        "Parameters: data (N, C, ...), gamma (num_groups,), beta (num_groups,); num_groups (int, 1);\n"
        "eps (float, 1e-5); output_mean_var (bool, False: also return mean and std, (N, num_groups)).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.GroupNorm(mx.nd.ones((1, 4, 2)), mx.nd.ones((2,)), mx.nd.zeros((2,)), num_groups=2).shape\n(1, 4, 2)"
    ),
)
