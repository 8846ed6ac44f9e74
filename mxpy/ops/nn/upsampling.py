"""UpSampling (nearest / bilinear) and Crop, on NCHW images.

Nearest UpSampling takes ``num_args`` images: the first is scaled by ``scale``
and the others by whatever factor brings them to the same size; they are then
concatenated on channels (``multi_input_mode='concat'``) or summed.

Bilinear UpSampling is MXNet's depthwise deconvolution: inputs ``data`` and a
learnable ``weight`` of shape ``(C, 1, k, k)`` with ``k = 2*scale - scale % 2``,
stride ``scale`` and padding ``ceil((scale - 1) / 2)``; MXNet initialises the
weight with the bilinear kernel (``mx.init.Bilinear``). The transposed
convolution loops over the k*k kernel taps; each tap is one strided,
vectorised multiply-add over the whole batch.

Crop cuts ``(h, w)`` out of ``arg0`` at ``offset`` (or centred), with ``(h, w)``
from ``h_w`` or from the spatial size of a second input ``arg1``.
"""

from __future__ import annotations

from ...registry import OpDef, Param, ShapeError, merge_shape, register
from .._util import store

# -- UpSampling ----------------------------------------------------------------------

_UP_PARAMS = {
    "scale": Param("int", low=1, doc="upsampling factor"),
    "num_filter": Param("int", 0, low=0, doc="channels of data (bilinear only)"),
    "sample_type": Param("str", choices=("nearest", "bilinear"), doc="upsampling method"),
    "multi_input_mode": Param("str", "concat", choices=("concat", "sum"), doc="how several nearest inputs combine"),
    "num_args": Param("int", 1, low=1, doc="number of inputs (bilinear: data and weight)"),
    "workspace": Param("int", 512, low=0, doc="ignored (MXNet's deconvolution workspace in MB)"),
}


def _up_inputs(p) -> list[str]:
    if p.sample_type == "bilinear":
        return ["data", "weight"]
    return [f"arg{i}" for i in range(p.num_args)]


class _UpSamplingDef(OpDef):
    """Variadic for nearest (``arg0..``), ``data``/``weight`` for bilinear, as MXNet lists them."""

    def input_names(self, p):
        return _up_inputs(p)


class _UpSamplingBackwardDef(OpDef):
    def input_names(self, p):
        return ["ograd"] + _up_inputs(p)


def _kernel_size(scale: int) -> int:
    return 2 * scale - scale % 2


def _pad(scale: int) -> int:
    return (scale - 1 + 1) // 2  # ceil((scale - 1) / 2)


def _check_4d(shape: tuple, what: str) -> None:
    if len(shape) != 4:
        raise ShapeError(f"{what} must be 4-D (N, C, H, W), given {shape}")


def _up_shape(p, in_shapes):
    shapes = list(in_shapes)
    if p.sample_type == "bilinear":
        data = shapes[0]
        if data is None:
            return shapes, [None]
        _check_4d(data, "data")
        n, c, h, w = data
        if p.num_filter != c:
            raise ShapeError(f"bilinear num_filter given {p.num_filter}, expected the number of data channels {c}")
        k = _kernel_size(p.scale)
        if len(shapes) > 1:
            given = shapes[1]
            if given is not None and tuple(given) != (c, 1, k, k):
                raise ShapeError(f"weight shape given {given}, expected {(c, 1, k, k)}")
            shapes[1] = (c, 1, k, k)
        return shapes, [(n, c, h * p.scale, w * p.scale)]
    if any(s is None for s in shapes):
        return shapes, [None]
    first = shapes[0]
    _check_4d(first, "arg0")
    oh, ow = first[2] * p.scale, first[3] * p.scale
    channels = 0
    for i, s in enumerate(shapes):
        _check_4d(s, f"arg{i}")
        if s[0] != first[0]:
            raise ShapeError(f"arg{i} batch size given {s[0]}, expected {first[0]}")
        if oh % s[2] or ow % s[3] or oh // s[2] != ow // s[3]:
            raise ShapeError(f"arg{i} spatial size given {s[2:]}, expected one that scales evenly to {(oh, ow)}")
        if p.multi_input_mode == "sum" and s[1] != first[1]:
            raise ShapeError(f"arg{i} channels given {s[1]}, expected {first[1]} (multi_input_mode='sum' needs equal channels)")
        channels += s[1]
    c_out = first[1] if p.multi_input_mode == "sum" else channels
    return shapes, [(first[0], c_out, oh, ow)]


def _nearest_up(xp, x, s: int):
    n, c, h, w = x.shape
    return xp.broadcast_to(x[:, :, :, None, :, None], (n, c, h, s, w, s)).reshape(n, c, h * s, w * s)


def _nearest_forward(p, xp, ins, out, req):
    oh = out.shape[2]
    c0 = 0
    for i, x in enumerate(ins):
        up = _nearest_up(xp, x, oh // x.shape[2])
        if p.multi_input_mode == "sum":
            if i == 0:
                store(out, req, up)
            else:
                out += up
        else:
            store(out[:, c0 : c0 + x.shape[1]], req, up)
            c0 += x.shape[1]


def _taps(scale: int, h: int, w: int):
    """(a, b, row slice, col slice) per kernel tap into the un-cropped output."""
    k = _kernel_size(scale)
    for a in range(k):
        for b in range(k):
            yield a, b, slice(a, a + scale * (h - 1) + 1, scale), slice(b, b + scale * (w - 1) + 1, scale)


def _bilinear_forward(p, xp, x, weight):
    s, k, pad = p.scale, _kernel_size(p.scale), _pad(p.scale)
    n, c, h, w = x.shape
    full = xp.zeros((n, c, s * (h - 1) + k, s * (w - 1) + k), dtype=x.dtype)
    for a, b, rows, cols in _taps(s, h, w):
        full[:, :, rows, cols] += x * weight[:, 0, a, b][None, :, None, None]
    return full[:, :, pad : pad + s * h, pad : pad + s * w]


def _up_forward(p, ins, outs, req, rt):
    if p.sample_type == "bilinear":
        store(outs[0], req[0], _bilinear_forward(p, rt.xp, ins[0], ins[1]))
    else:
        _nearest_forward(p, rt.xp, ins, outs[0], req[0])


def _up_backward(p, ins, outs, req, rt):
    xp, og = rt.xp, ins[0]
    if p.sample_type == "bilinear":
        x, weight = ins[1], ins[2]
        s, k, pad = p.scale, _kernel_size(p.scale), _pad(p.scale)
        n, c, h, w = x.shape
        full = xp.zeros((n, c, s * (h - 1) + k, s * (w - 1) + k), dtype=og.dtype)
        full[:, :, pad : pad + s * h, pad : pad + s * w] = og
        dx = xp.zeros_like(x)
        dw = xp.zeros_like(weight)
        for a, b, rows, cols in _taps(s, h, w):
            g = full[:, :, rows, cols]
            dx += g * weight[:, 0, a, b][None, :, None, None]
            dw[:, 0, a, b] = (g * x).sum(axis=(0, 2, 3))
        store(outs[0], req[0], dx)
        store(outs[1], req[1], dw)
        return
    oh = og.shape[2]
    c0 = 0
    for i, x in enumerate(ins[1:]):
        n, c, h, w = x.shape
        s = oh // h
        part = og if p.multi_input_mode == "sum" else og[:, c0 : c0 + c]
        c0 += c
        store(outs[i], req[i], part.reshape(n, c, h, s, w, s).sum(axis=(3, 5)))


def _up_gradient(g, ograds):
    return g.op("_backward_UpSampling", [ograds[0], *g.inputs], g.attrs)


register(
    _UpSamplingDef(
        "UpSampling",
        _up_forward,
        params=_UP_PARAMS,
        variadic="data",
        infer_shape=_up_shape,
        gradient=_up_gradient,
        doc=(
            "Upsample NCHW images by nearest neighbour or bilinear deconvolution.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.arange(4).reshape((1, 1, 2, 2))\n"
            ">>> mx.nd.UpSampling(x, scale=2, sample_type='nearest').asnumpy()[0, 0, 0].tolist()\n"
            "[0.0, 0.0, 1.0, 1.0]"
        ),
    )
)


def _up_bwd_shape(p, in_shapes):
    return list(in_shapes), list(in_shapes[1:])


register(
    _UpSamplingBackwardDef(
        "_backward_UpSampling",
        _up_backward,
        params=_UP_PARAMS,
        variadic="data",
        outputs=lambda p: _up_inputs(p),
        infer_shape=_up_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[0]] * (len(t) - 1)),
        doc="Gradients of UpSampling with respect to each input (and the bilinear weight).",
    )
)

# -- Crop ----------------------------------------------------------------------------

_CROP_PARAMS = {
    "num_args": Param("int", low=1, high=2, doc="1: crop to h_w; 2: crop to the size of the second input"),
    "offset": Param("shape", (0, 0), doc="crop corner (y, x)"),
    "h_w": Param("shape", (0, 0), doc="crop size (h, w) when num_args is 1"),
    "center_crop": Param("bool", False, doc="centre the crop, ignoring offset"),
}


def _crop_box(p, data: tuple, hw: tuple) -> tuple[int, int, int, int]:
    """(y, x, h, w) of the crop, validated against the data size."""
    h, w = hw
    big_h, big_w = data[2], data[3]
    if h > big_h or w > big_w or h < 1 or w < 1:
        raise ShapeError(f"crop size given {(h, w)}, expected between (1, 1) and the data size {(big_h, big_w)}")
    if p.center_crop:
        return (big_h - h) // 2, (big_w - w) // 2, h, w
    y, x = (tuple(p.offset) + (0, 0))[:2]
    if not (0 <= y <= big_h - h and 0 <= x <= big_w - w):
        raise ShapeError(f"offset given {(y, x)}, expected within (0, 0)..{(big_h - h, big_w - w)} for crop {(h, w)} of {(big_h, big_w)}")
    return y, x, h, w


def _crop_hw(p, shapes) -> tuple | None:
    if p.num_args == 2:
        like = shapes[1]
        if like is None:
            return None
        if len(like) < 4:
            raise ShapeError(f"crop_like (arg1) must be 4-D, given {like}")
        return tuple(like[2:4])
    return tuple(p.h_w)


def _crop_shape(p, in_shapes):
    shapes = list(in_shapes)
    if len(shapes) != p.num_args:
        raise ShapeError(f"{len(shapes)} inputs given, expected num_args={p.num_args}")
    data = shapes[0]
    hw = _crop_hw(p, shapes)
    if data is None or hw is None:
        return shapes, [None]
    _check_4d(data, "arg0")
    _, _, h, w = _crop_box(p, data, hw)
    return shapes, [(data[0], data[1], h, w)]


def _crop_forward(p, ins, outs, req, rt):
    data = ins[0]
    hw = tuple(ins[1].shape[2:4]) if p.num_args == 2 else tuple(p.h_w)
    y, x, h, w = _crop_box(p, data.shape, hw)
    store(outs[0], req[0], data[:, :, y : y + h, x : x + w])


def _crop_backward(p, ins, outs, req, rt):
    og, data = ins
    y, x, h, w = _crop_box(p, data.shape, og.shape[2:4])
    if req[0] == "add":
        outs[0][:, :, y : y + h, x : x + w] += og
    elif req[0] != "null":
        outs[0][...] = 0
        outs[0][:, :, y : y + h, x : x + w] = og


def _crop_gradient(g, ograds):
    dx = g.op1("_backward_Crop", [ograds[0], g.inputs[0]], g.attrs)
    return [dx] + [None] * (len(g.inputs) - 1)


register(
    OpDef(
        "Crop",
        _crop_forward,
        params=_CROP_PARAMS,
        variadic="data",
        infer_shape=_crop_shape,
        gradient=_crop_gradient,
        doc=(
            "Crop the spatial dims of an NCHW array to h_w or to a second input's size.\n\n"
            ">>> import mxpy as mx\n>>> x = mx.nd.arange(16).reshape((1, 1, 4, 4))\n"
            ">>> mx.nd.Crop(x, h_w=(2, 2), center_crop=True).asnumpy()[0, 0].tolist()\n"
            "[[5.0, 6.0], [9.0, 10.0]]"
        ),
    )
)


def _crop_bwd_shape(p, in_shapes):
    og, data = in_shapes
    return [og, data], [merge_shape(data, None)]


register(
    OpDef(
        "_backward_Crop",
        _crop_backward,
        params=_CROP_PARAMS,
        inputs=("ograd", "data"),
        infer_shape=_crop_bwd_shape,
        infer_type=lambda p, t: (list(t), [t[0]]),
        doc="Gradient of Crop: the head gradient padded back to the data size with zeros.",
    )
)
