"""diag, depth_to_space, space_to_depth, shape_array and size_array."""

from __future__ import annotations

import numpy as np

from ..registry import Param, ShapeError, fixed_type, forward_shape
from ._pair import register_pair

# -- diag ------------------------------------------------------------------------------


def _diag_axes(p, ndim):
    a1, a2 = (p.axis1 + ndim if p.axis1 < 0 else p.axis1), (p.axis2 + ndim if p.axis2 < 0 else p.axis2)
    if not (0 <= a1 < ndim and 0 <= a2 < ndim) or a1 == a2:
        raise ShapeError(f"axis1={p.axis1} and axis2={p.axis2} must be two different axes of data with {ndim} dims")
    return a1, a2


def _diag_shape(p, data):
    if len(data) == 0:
        raise ShapeError("data must have at least 1 dim")
    if len(data) == 1:
        n = data[0] + abs(p.k)
        return (n, n)
    a1, a2 = _diag_axes(p, len(data))
    n1, n2 = data[a1], data[a2]
    size = min(n1, n2 - p.k) if p.k >= 0 else min(n1 + p.k, n2)
    if size <= 0:
        raise ShapeError(f"k={p.k} selects no diagonal of a {n1} x {n2} matrix")
    return tuple(d for i, d in enumerate(data) if i not in (a1, a2)) + (size,)


def _diag_forward(p, xp, x):
    if x.ndim == 1:
        return xp.diag(x, p.k)
    a1, a2 = _diag_axes(p, x.ndim)
    return xp.diagonal(x, p.k, a1, a2).copy()


def _diag_backward(p, xp, og, ins, outs):
    x = ins[0]
    g = og[0]
    if x.ndim == 1:
        return [xp.diagonal(g, p.k).copy()]
    a1, a2 = _diag_axes(p, x.ndim)
    dx = xp.zeros(x.shape, g.dtype)
    n = g.shape[-1]
    i = xp.arange(n) + max(-p.k, 0)
    j = xp.arange(n) + max(p.k, 0)
    moved = xp.moveaxis(dx, (a1, a2), (-2, -1))
    moved[..., i, j] = g
    return [xp.moveaxis(moved, (-2, -1), (a1, a2))]


register_pair(
    "diag",
    _diag_forward,
    _diag_backward,
    params={
        "k": Param("int", 0, doc="which diagonal: 0 main, >0 above, <0 below"),
        "axis1": Param("int", 0, doc="first axis of the 2-D sub-arrays (data with more than 1 dim)"),
        "axis2": Param("int", 1, doc="second axis of the 2-D sub-arrays"),
    },
    infer_shape=forward_shape(_diag_shape),
    doc=(
        "Extract a diagonal (data with 2 or more dims) or build a diagonal matrix (1-D data).\n\n"
        "Parameters: data; k (int, 0); axis1 (int, 0); axis2 (int, 1).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.diag(mx.nd.array([[1, 2], [3, 4]])).asnumpy().tolist()\n[1.0, 4.0]"
    ),
)

# -- depth_to_space / space_to_depth ---------------------------------------------------------


def _check4(name, data, b):
    if len(data) != 4 or min(data) <= 0:
        raise ShapeError(f"data must be 4-D (N, C, H, W) with no zero-size axis, given {data}")
    if b <= 0:
        raise ShapeError(f"block_size must be positive, given {b}")


def _d2s_shape(p, data):
    _check4("depth_to_space", data, p.block_size)
    n, c, h, w = data
    b = p.block_size
    if c % (b * b):
        raise ShapeError(f"channels {c} of data {data} are not a multiple of block_size**2 = {b * b}")
    return (n, c // (b * b), h * b, w * b)


def _s2d_shape(p, data):
    _check4("space_to_depth", data, p.block_size)
    n, c, h, w = data
    b = p.block_size
    if h % b or w % b:
        raise ShapeError(f"height and width of data {data} are not multiples of block_size {b}")
    return (n, c * b * b, h // b, w // b)


def _d2s(xp, x, b):
    n, c, h, w = x.shape
    return x.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2).reshape(n, c // (b * b), h * b, w * b)


def _s2d(xp, x, b):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4).reshape(n, c * b * b, h // b, w // b)


_BLOCK = {"block_size": Param("int", doc="size of the square blocks moved between depth and space")}

register_pair(
    "depth_to_space",
    lambda p, xp, x: _d2s(xp, x, p.block_size),
    lambda p, xp, og, ins, outs: [_s2d(xp, og[0], p.block_size)],
    params=_BLOCK,
    infer_shape=forward_shape(_d2s_shape),
    doc=(
        "Move blocks of channels into (block_size x block_size) spatial blocks: (N, C, H, W) ->\n"
        "(N, C / block_size**2, H * block_size, W * block_size).\n\n"
        "Parameters: data; block_size (int, required).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.depth_to_space(mx.nd.zeros((1, 4, 2, 2)), 2).shape\n(1, 1, 4, 4)"
    ),
)
register_pair(
    "space_to_depth",
    lambda p, xp, x: _s2d(xp, x, p.block_size),
    lambda p, xp, og, ins, outs: [_d2s(xp, og[0], p.block_size)],
    params=_BLOCK,
    infer_shape=forward_shape(_s2d_shape),
    doc=(
        "The inverse of depth_to_space: (N, C, H, W) -> (N, C * block_size**2, H / block_size, W / block_size).\n\n"
        "Parameters: data; block_size (int, required).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.space_to_depth(mx.nd.zeros((1, 1, 4, 4)), 2).shape\n(1, 4, 2, 2)"
    ),
)

# -- shape_array / size_array -----------------------------------------------------------------

register_pair(
    "shape_array",
    lambda p, xp, x: xp.asarray(x.shape, np.int64),
    None,
    infer_shape=forward_shape(lambda p, data: (len(data),)),
    infer_type=fixed_type(np.int64),
    doc=(
        "The shape of data as a 1-D int64 array (no gradient).\n\n>>> import mxpy as mx\n>>> mx.nd.shape_array(mx.nd.zeros((2, 3))).asnumpy().tolist()\n[2, 3]"
    ),
)
register_pair(
    "size_array",
    lambda p, xp, x: xp.asarray([x.size], np.int64),
    None,
    infer_shape=forward_shape(lambda p, data: (1,)),
    infer_type=fixed_type(np.int64),
    doc=(
        "The number of elements of data as a (1,) int64 array (no gradient).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.size_array(mx.nd.zeros((2, 3))).asnumpy().tolist()\n[6]"
    ),
)
