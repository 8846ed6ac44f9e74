"""_contrib_AdaptiveAvgPooling2D and _contrib_BilinearResize2D.

Both are linear in the data, separately along height and width, so each is
``out = Mh @ x @ Mw.T`` with small interpolation (or averaging) matrices, and
the backward is the transposed product.
"""

from __future__ import annotations

import functools

import numpy as np

from ...registry import Param, ShapeError, names
from .._pair import register_pair


def _apply(xp, x, mh, mw):
    return (xp.asarray(mh, x.dtype) @ x @ xp.asarray(mw.T, x.dtype)).astype(x.dtype, copy=False)


def _apply_t(xp, g, mh, mw):
    return xp.asarray(mh.T, g.dtype) @ g @ xp.asarray(mw, g.dtype)


def _need4(what, s):
    if s is not None and len(s) != 4:
        raise ShapeError(f"{what} must be 4-D (N, C, H, W), given {s}")


# -- AdaptiveAvgPooling2D ---------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _pool_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Row i averages input positions [floor(i*n_in/n_out), ceil((i+1)*n_in/n_out))."""
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        lo = (i * n_in) // n_out
        hi = -((-(i + 1) * n_in) // n_out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def _out_hw(p):
    size = p.output_size
    if len(size) == 0:
        return 1, 1
    return (size[0], size[0]) if len(size) == 1 else (size[0], size[1])


def _aap_shape(p, in_shapes):
    data = in_shapes[0]
    _need4("data", data)
    if len(p.output_size) > 2:
        raise ShapeError(f"output_size must hold 1 or 2 values, given {p.output_size}")
    return [data], [None if data is None else (*data[:2], *_out_hw(p))]


def _aap_mats(p, x_shape):
    oh, ow = _out_hw(p)
    return _pool_matrix(x_shape[2], oh), _pool_matrix(x_shape[3], ow)


register_pair(
    "_contrib_AdaptiveAvgPooling2D",
    lambda p, xp, x: _apply(xp, x, *_aap_mats(p, x.shape)),
    lambda p, xp, og, ins, outs: [_apply_t(xp, og[0], *_aap_mats(p, ins[0].shape))],
    params={"output_size": Param("shape", (), doc="output (height, width), or one int for both; empty means 1")},
    infer_shape=_aap_shape,
    doc=(
        "Adaptive average pooling: average each of output_size[0] x output_size[1] near-equal bins of\n"
        "the (H, W) plane of a (N, C, H, W) input.\n\n"
        "Parameters: data (N, C, H, W); output_size (shape, (): 1x1; one int: square).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.contrib.AdaptiveAvgPooling2D(mx.nd.ones((1, 1, 5, 5)), output_size=(2, 3)).shape\n(1, 1, 2, 3)"
    ),
)

# -- BilinearResize2D -----------------------------------------------------------------

_BR_PARAMS = {
    "height": Param("int", 1, doc="output height (mode 'size')"),
    "width": Param("int", 1, doc="output width (mode 'size')"),
    "scale_height": Param("float", None, doc="output height as a multiple of the input's"),
    "scale_width": Param("float", None, doc="output width as a multiple of the input's"),
    "mode": Param(
        "str", "size", choices=("like", "odd_scale", "size", "to_even_down", "to_even_up", "to_odd_down", "to_odd_up"), doc="how the output size is chosen"
    ),
    "align_corners": Param("bool", True, doc="map corner pixels onto corner pixels (else pixel centres)"),
}


@names("data", "like")
def _br_inputs(p):
    return ["data", "like"] if p.mode == "like" else ["data"]


def _br_size(p, dshape, like):
    h, w = dshape[2], dshape[3]
    m = p.mode
    if m == "size":
        oh = int(p.scale_height * h) if p.scale_height is not None else p.height
        ow = int(p.scale_width * w) if p.scale_height is not None else p.width
        return oh, ow
    if m == "odd_scale":
        if p.scale_height is None or p.scale_width is None:
            raise ShapeError("mode 'odd_scale' needs scale_height and scale_width")
        return tuple(int(n * s) if n % 2 == 0 else int((n - 1) * s) + 1 for n, s in ((h, p.scale_height), (w, p.scale_width)))
    if m == "like":
        return like[2], like[3]
    want_even = m.startswith("to_even")
    step = 1 if m.endswith("up") else -1
    return tuple(n if (n % 2 == 0) == want_even else n + step for n in (h, w))


def _br_shape(p, in_shapes):
    data = in_shapes[0]
    like = in_shapes[1] if len(in_shapes) > 1 else None
    _need4("data", data)
    _need4("like", like)
    if data is None or (p.mode == "like" and like is None):
        return list(in_shapes), [None]
    oh, ow = _br_size(p, data, like)
    if oh <= 0 or ow <= 0:
        raise ShapeError(f"output size ({oh}, {ow}) from data {data} and mode '{p.mode}' is not positive")
    return list(in_shapes), [(*data[:2], oh, ow)]


@functools.lru_cache(maxsize=64)
def _interp_matrix(n_in: int, n_out: int, align_corners: bool) -> np.ndarray:
    i = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = i * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(n_out)
    else:
        src = np.maximum((i + 0.5) * n_in / n_out - 0.5, 0.0)
    lo = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), lo), 1.0 - frac)
    np.add.at(m, (np.arange(n_out), hi), frac)
    return m


def _br_mats(p, x_shape, out_shape):
    return _interp_matrix(x_shape[2], out_shape[2], p.align_corners), _interp_matrix(x_shape[3], out_shape[3], p.align_corners)


def _br_forward(p, xp, x, *like):
    oh, ow = _br_size(p, x.shape, like[0].shape if like else None)
    return _apply(xp, x, *_br_mats(p, x.shape, (0, 0, oh, ow)))


def _br_backward(p, xp, og, ins, outs):
    g = _apply_t(xp, og[0], *_br_mats(p, ins[0].shape, outs[0].shape))
    return [g] + [None] * (len(ins) - 1)


register_pair(
    "_contrib_BilinearResize2D",
    _br_forward,
    _br_backward,
    params=_BR_PARAMS,
    inputs=_br_inputs,
    infer_shape=_br_shape,
    infer_type=lambda p, t: ([t[0]] + [x or t[0] for x in t[1:]], [t[0]]),
    no_grad_inputs=("like",),
    doc=(
        "Resize the (H, W) plane of a (N, C, H, W) input by bilinear interpolation.\n\n"
        "Parameters: data; like (mode 'like': take H, W from it); height, width (int, 1); scale_height,\n"
        "scale_width (float or None); mode ('size', 'like', 'odd_scale', 'to_even_down', 'to_even_up',\n"
        "'to_odd_down', 'to_odd_up'); align_corners (bool, True).\n\n"
        ">>> import mxpy as mx\n>>> mx.nd.contrib.BilinearResize2D(mx.nd.ones((1, 1, 4, 4)), height=3, width=5).shape\n(1, 1, 3, 5)"
    ),
)
