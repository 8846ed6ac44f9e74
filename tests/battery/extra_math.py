"""Battery cases for smooth_l1, hard_sigmoid, softmax_cross_entropy, moments and the layout ops."""

from __future__ import annotations

import numpy as np

from . import f32
from ._pair import add_pair


def _sl1(x, scalar=1.0):
    s2 = scalar * scalar
    return np.where(np.abs(x) < 1 / s2, 0.5 * s2 * x * x, np.abs(x) - 0.5 / s2).astype(x.dtype)


# points away from the kinks at |x| = 1/sigma**2 (0.25 for sigma 2)
add_pair("smooth_l1", [np.array([-2.0, -0.1, 0.2, 0.6, 1.5], np.float32)], {"scalar": 2.0}, _sl1)
add_pair(
    "hard_sigmoid",
    [np.array([-4.0, -1.0, 0.3, 2.0, 3.5], np.float32)],
    {"alpha": 0.25, "beta": 0.4},
    lambda x, alpha, beta: np.clip(alpha * x + beta, 0, 1).astype(x.dtype),
)


def _sce(x, label):
    z = x.astype(np.float64) - x.max(1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return np.array([-lp[np.arange(len(x)), label.astype(int)].sum()], x.dtype)


add_pair("softmax_cross_entropy", [f32(3, 4, seed=44), np.array([0, 3, 1], np.float32)], {}, _sce, wrt=(0,), rtol=1e-5)


def _moments(x, axes=None, keepdims=False):
    ax = tuple(range(x.ndim)) if axes is None else axes
    x64 = x.astype(np.float64)
    return [x64.mean(ax, keepdims=keepdims).astype(x.dtype), x64.var(ax, keepdims=keepdims).astype(x.dtype)]


add_pair("moments", [f32(2, 3, 4, seed=45)], {"axes": (0, 2)}, _moments, rtol=1e-5)
add_pair("moments", [f32(2, 3, seed=46)], {"axes": (1,), "keepdims": True}, _moments, rtol=1e-5, note="keep")


def _diag(x, k=0, axis1=0, axis2=1):
    return np.diag(x, k) if x.ndim == 1 else np.diagonal(x, k, axis1, axis2).copy()


add_pair("diag", [f32(3, 4, seed=47)], {"k": 1}, _diag)
add_pair("diag", [f32(2, 3, 4, seed=48)], {"k": -1, "axis1": 2, "axis2": 0}, _diag, note="3d")
add_pair("diag", [f32(3, seed=49)], {"k": -1}, _diag, note="1d")


def _d2s(x, block_size):
    n, c, h, w = x.shape
    b = block_size
    return x.reshape(n, b, b, c // b // b, h, w).transpose(0, 3, 4, 1, 5, 2).reshape(n, c // b // b, h * b, w * b)


def _s2d(x, block_size):
    n, c, h, w = x.shape
    b = block_size
    return x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h // b, w // b)


add_pair("depth_to_space", [f32(1, 8, 2, 1, seed=50)], {"block_size": 2}, _d2s)
add_pair("space_to_depth", [f32(1, 2, 2, 4, seed=51)], {"block_size": 2}, _s2d)
add_pair("shape_array", [f32(2, 3, seed=52)], {}, lambda x: np.array(x.shape, np.int64))
add_pair("size_array", [f32(2, 3, seed=53)], {}, lambda x: np.array([x.size], np.int64))
