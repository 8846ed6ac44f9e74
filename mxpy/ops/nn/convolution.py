"""Convolution (1-D/2-D/3-D, grouped, dilated): im2col + one GEMM per call."""

from __future__ import annotations

import math

import numpy as np

from ...registry import UNKNOWN, OpDef, Param, ShapeError, merge_shape, partial_rule, register
from .._split import SplitSpec
from . import _compiled
from . import _depthwise as dwc
from . import _im2col as im
from . import _winograd as wino
from ._weight_layer import layer_gradient, layer_inputs, register_layer_backward

CONV_PARAMS = {
    "kernel": Param("shape", doc="convolution kernel size: (w,), (h, w) or (d, h, w)"),
    "stride": Param("shape", (), doc="stride per spatial dim (default 1)"),
    "dilate": Param("shape", (), doc="dilation per spatial dim (default 1)"),
    "pad": Param("shape", (), doc="zero padding per spatial dim (default 0)"),
    "num_filter": Param("int", low=1, high=100000, doc="number of output channels"),
    "num_group": Param("int", 1, low=1, doc="number of groups channels are split into"),
    "workspace": Param("int", 1024, low=0, doc="workspace limit in MB (accepted; NumPy/CuPy manage memory)"),
    "no_bias": Param("bool", False, doc="omit the bias term"),
    "cudnn_tune": Param("str", None, doc="cuDNN algorithm choice (accepted, unused)", choices=("fastest", "limited_workspace", "off", "None")),
    "cudnn_off": Param("bool", False, doc="turn off cuDNN (accepted, unused)"),
    "layout": im.layout_param(("NCW", "NCHW", "NCDHW", "NHWC", "NDHWC")),
}


def conv_geometry(p, data: tuple):
    """Validated geometry and output spatial shape for channel-first ``data``."""
    nsp = len(p.kernel)
    if len(data) != nsp + 2:
        raise ShapeError(f"data should be {nsp + 2}D (batch, channel, {nsp} spatial dims) for kernel {tuple(p.kernel)}, given shape {data}")
    geo = im.geometry("Convolution", p)
    out_sp = tuple(im.conv_out_len(n, k, s, d, q) for n, k, s, d, q in zip(data[2:], geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]))
    return geo, out_sp


def _partial_infer(p, in_shapes, out_shapes, last: bool):
    """The rule on partly known shapes, as MXNet's: unknown data dims leave the
    matching output dims (and the weight's channels) unknown; a known output gives
    back the batch size and, where the stride is 1, the spatial sizes."""
    data = im.to_first(in_shapes[0], last)
    geo = im.geometry("Convolution", p)
    nsp = len(geo["kernel"])
    if len(data) != nsp + 2:
        raise ShapeError(f"data should be {nsp + 2}D (batch, channel, {nsp} spatial dims) for kernel {tuple(p.kernel)}, given shape {data}")
    g, c = p.num_group, data[1]
    if p.num_filter % g or (c != UNKNOWN and c % g):
        raise ShapeError(f"num_filter={p.num_filter} and the data's {c} channels must be divisible by num_group={g}")
    weight = merge_shape(
        in_shapes[1] if len(in_shapes) > 1 else None, im.to_last((p.num_filter, UNKNOWN if c == UNKNOWN else c // g, *geo["kernel"]), last), "weight"
    )
    dims = zip(data[2:], geo["kernel"], geo["stride"], geo["dilate"], geo["pad"])
    out = (data[0], p.num_filter, *(UNKNOWN if n == UNKNOWN else im.conv_out_len(n, k, st, dl, q) for n, k, st, dl, q in dims))
    given = out_shapes[0] if out_shapes else None
    if given is not None:
        out = merge_shape(im.to_first(tuple(given), last), out, "output", "from the data's shape")
    back = [out[0], c]
    for o, n, k, st, dl, q in zip(out[2:], data[2:], geo["kernel"], geo["stride"], geo["dilate"], geo["pad"]):
        back.append(o + dl * (k - 1) - 2 * q if o != UNKNOWN and st == 1 else n)
    data = merge_shape(data, tuple(back), "data", "from the output's shape")
    shapes = [im.to_last(data, last), weight]
    if not p.no_bias:
        shapes.append(merge_shape(in_shapes[2] if len(in_shapes) > 2 else None, (p.num_filter,), "bias", f"from num_filter={p.num_filter}"))
    return shapes, [im.to_last(out, last)]


@partial_rule
def _infer_shape(p, in_shapes, out_shapes=None):
    last = im.channel_last(p)
    im.geometry("Convolution", p)
    data = in_shapes[0]
    if data is None:  # MXNet's rule waits for data before it fills weight or bias
        return list(in_shapes), [None]
    if out_shapes is not None and UNKNOWN in data:
        im.check_layout(p, data)
        return _partial_infer(p, in_shapes, out_shapes, last)
    im.check_layout(p, data)
    data = im.to_first(data, last)
    g = p.num_group
    if p.num_filter % g:
        raise ShapeError(f"num_filter={p.num_filter} must be divisible by num_group={g}")
    weight, out = None, None
    if data is not None:
        geo, out_sp = conv_geometry(p, data)
        if data[1] % g:
            raise ShapeError(f"data channels {data[1]} must be divisible by num_group={g}")
        weight = (p.num_filter, data[1] // g, *geo["kernel"])
        out = im.to_last((data[0], p.num_filter, *out_sp), last)
    wgiven = in_shapes[1] if len(in_shapes) > 1 else None
    why = "(num_filter, channels/num_group, *kernel)" + (
        f" from num_filter={p.num_filter}, num_group={g}, kernel={p.kernel} and the data's {data[1]} channels" if data is not None else ""
    )
    weight = merge_shape(wgiven, im.to_last(weight, last), "weight", why)
    shapes = [in_shapes[0], weight]
    if not p.no_bias:
        shapes.append(merge_shape(in_shapes[2] if len(in_shapes) > 2 else None, (p.num_filter,), "bias", f"from num_filter={p.num_filter}"))
    return shapes, [out]


def _bias_shape(nd: int) -> tuple:
    return (1, -1) + (1,) * nd


# GEMM inner size (input channels x kernel elements) from which the forward
# uses batch-last columns and one big GEMM (im.conv_nlast); below it, as for
# LeNet's first layer (1 x 25), transposing the result costs more than it saves.
_NLAST_MIN_INNER = 128
# ... but only for small outputs: from this many output positions per image, one
# GEMM per image writing its own (F, P) block of the output straight away beats it,
# since the batch-last result's transposed copy into the output costs as much as the
# GEMM (ResNet-18 at batch 8, one thread: the 7x7 stem 75 -> 22 ms, a 3x3 layer at
# 56x56 36 -> 24 ms; at 14x14 both take 12 ms, at 7x7 batch-last wins 12 to 16 ms)
_NLAST_MAX_POSITIONS = 256
# a 1x1 stride-1 convolution multiplies each image's (C, P) data in place from this
# many positions; below it (7x7) the per-image GEMMs are too thin and batch-last wins
_POINTWISE_MIN_POSITIONS = 64
# a narrow layer's weight gradient uses per-image GEMMs when the output size P is at
# least this many times F/num_group (see _narrow_weight_grad)
_PER_IMAGE_MIN_RATIO = 4
# a stride-1 layer's data gradient runs as the forward convolution of dy by the flipped
# weight from this many output positions per image (16x16: CIFAR ResNet 32x32 117 -> 68 ms,
# ResNet-18 56x56 211 -> 173 ms; at 14x14 and below the batch-last GEMM ties or wins)
_FLIP_MIN_POSITIONS = 256
# the per-image column path builds the columns of this many bytes of images at a time
# (at least one image): ResNet-18's 3x3 layer at 56x56 and the CIFAR ResNet's 32x32 one
# run 1.2-1.5x faster than with the whole batch's columns built first
_COLUMN_BLOCK_BYTES = 4 << 20
# depthwise layers take the compiled kernels of _depthwise when Numba is there
# (tests turn this off to check the NumPy path that stays the fallback)
_COMPILED = True
# 3x3 stride-1 layers take the compiled Winograd F(2x2, 3x3) path of _winograd from this
# many output positions per image (one thread, batch 8: ResNet-18's 3x3 layers at 56x56,
# 28x28 and 14x14 0.70-0.74x the time; at 7x7, despite the tiles' padding (49 -> 64 outputs)
# and the 512x512 weight transforms, forward 17.8 -> 14.8 ms and backward 34.2 -> 32.1 ms
# once the data gradient reads the weight's own tiles; CIFAR ResNet at batch 64: 0.68-0.76x
# from 8x8 up)
_WINOGRAD_MIN_POSITIONS = 49
# ... and from this many input channels and filters: the GEMMs contract over the input
# channels (forward) or the filters (data gradient), and a net's first layer (3 channels)
# runs 1.8x faster forward and 2x backward on the column paths (CIFAR ResNet's, batch 64)
_WINOGRAD_MIN_CHANNELS = 8
# strided 2-D layers (no flipped data gradient) take the image-block backward of
# _blocked_backward from this many output positions per image (see there: at 7x7 it loses)
_BLOCKED_MIN_POSITIONS = 64


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    last = im.channel_last(p)
    x, w = im.first_view(xp, ins[0], last), im.first_view(xp, ins[1], last)
    geo, out_sp = conv_geometry(p, x.shape)
    out = im.first_view(xp, outs[0], last)
    _conv_into(xp, x, w, p.num_group, geo, out_sp, out, req[0])
    if not p.no_bias and req[0] != "null":
        out += ins[2].reshape(_bias_shape(len(out_sp)))


def _conv_into(xp, x, w, groups: int, geo: dict, out_sp: tuple, out, req: str) -> None:
    """``out`` (channel first) gets (``req``) the convolution of ``x`` by ``w``, by the path its sizes call for."""
    positions = math.prod(out_sp)
    direct = req in ("write", "inplace") and out.flags.c_contiguous
    if _COMPILED and dwc.usable(xp, x, groups, geo):
        # depthwise (MobileNet): compiled per-plane loops, no columns (see _depthwise)
        res = dwc.conv(x, w, geo, out.shape, out=out if direct and not xp.may_share_memory(x, out) else None)
        if res is not out:
            im.store_into(out, req, res)
    elif _COMPILED and positions >= _WINOGRAD_MIN_POSITIONS and min(x.shape[1], w.shape[0]) >= _WINOGRAD_MIN_CHANNELS and wino.usable(xp, x, groups, geo):
        # 3x3 stride 1 (ResNet): Winograd tiles, 16/36 of the multiply-adds (see _winograd)
        res = wino.conv(x, w, geo["pad"], out.shape, out=out if direct and not xp.may_share_memory(x, out) else None)
        if res is not out:
            im.store_into(out, req, res)
    elif groups == 1 and positions >= _POINTWISE_MIN_POSITIONS and _pointwise(geo) and x.flags.c_contiguous and not xp.may_share_memory(x, out):
        # 1x1, stride 1, no padding: each image already is its column matrix (C, P); one GEMM
        # per image at np.dot's speed, 5-14x faster than copying it to batch-last columns
        n, c = x.shape[:2]
        res = xp.matmul(w.reshape(w.shape[0], c), x.reshape(n, c, positions), out=out.reshape(n, -1, positions) if direct else None)
        if not direct:
            im.store_into(out, req, res.reshape(out.shape))
    elif groups == 1 and x.shape[1] * math.prod(geo["kernel"]) >= _NLAST_MIN_INNER and positions < _NLAST_MAX_POSITIONS:
        im.store_into(out, req, im.conv_nlast(xp, x, w, geo, out_sp))
    elif direct:
        # a block of images at a time: its columns (a few MB) are still in cache when the
        # GEMMs read them, instead of the whole batch's columns going out to memory and back
        n = x.shape[0]
        block = _image_block(x, geo, positions)
        for i in range(0, n, block):
            j = min(n, i + block)
            cols = im.im2col(xp, x[i:j], groups, geo, out_sp)
            im.gemm_out_nfirst(xp, w, cols, groups, j - i, out_sp, out=out[i:j])
    else:
        cols = im.im2col(xp, x, groups, geo, out_sp)
        im.store_into(out, req, im.gemm_out_nfirst(xp, w, cols, groups, x.shape[0], out_sp))


def _image_block(x, geo: dict, positions: int) -> int:
    """How many images' batch-first columns fit in ``_COLUMN_BLOCK_BYTES`` (at least one)."""
    col_bytes = x.shape[1] * math.prod(geo["kernel"]) * positions * x.itemsize
    return max(1, min(x.shape[0], _COLUMN_BLOCK_BYTES // max(col_bytes, 1)))


def _pointwise(geo: dict) -> bool:
    return all(k == 1 for k in geo["kernel"]) and all(s == 1 for s in geo["stride"]) and not any(geo["pad"])


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    last = im.channel_last(p)
    dy, x, w = (im.first_view(xp, a, last) for a in ins[:3])
    geo, out_sp = conv_geometry(p, x.shape)
    g = p.num_group
    f = w.shape[0]
    # narrow layers (LeNet's first) take the weight gradient from batch-first columns:
    # transposing dy to batch-last costs more there than the GEMM saves
    # a layer without a data gradient (a net's first) has no batch-last dy to share: the
    # batch-first weight gradient is then 10-35% faster at every size (ResNet, CIFAR ResNet)
    if _COMPILED and dwc.usable(xp, x, g, geo):
        if req[0] != "null":
            im.store_into(im.first_view(xp, outs[0], last), req[0], dwc.data_grad(dy, w, geo, x.shape))
        if req[1] != "null":
            im.store_into(im.first_view(xp, outs[1], last), req[1], dwc.weight_grad(dy, x, geo, w.shape))
        if not p.no_bias and req[2] != "null":
            im.store_into(outs[2], req[2], dy.sum(axis=(0, 2, 3)))
        return
    winograd = (
        _COMPILED and math.prod(out_sp) >= _WINOGRAD_MIN_POSITIONS and min(x.shape[1], w.shape[0]) >= _WINOGRAD_MIN_CHANNELS and wino.usable(xp, x, g, geo)
    )
    if winograd and req[1] != "null":
        # 3x3 stride 1: the weight gradient from Winograd tiles of x and dy (see _winograd)
        im.store_into(im.first_view(xp, outs[1], last), req[1], wino.weight_grad(dy, x, geo["pad"], w.shape))
        req = (req[0], "null", *req[2:])
    # with Winograd the flipped data gradient (a Winograd forward) pays from its smaller sizes too
    flip_min = min(_FLIP_MIN_POSITIONS, _WINOGRAD_MIN_POSITIONS) if winograd else _FLIP_MIN_POSITIONS
    flipped = _flipped_geometry(geo, g) if req[0] != "null" and math.prod(out_sp) >= flip_min else None
    if flipped is not None:
        # stride 1: the data gradient is dy convolved with the flipped, transposed weight,
        # through the forward's per-image GEMMs (columns of one image at a time instead of
        # batch-last columns of the whole batch: 1.2-1.7x faster from 16x16 outputs up)
        dx = im.first_view(xp, outs[0], last)
        if winograd:
            _winograd_data_grad(xp, dy, w, flipped, dx, req[0])
        else:
            wf = xp.ascontiguousarray(xp.flip(w, axis=tuple(range(2, w.ndim))).swapaxes(0, 1))
            _conv_into(xp, dy, wf, 1, flipped, x.shape[2:], dx, req[0])
        req = ("null", *req[1:])
    if flipped is None and req[0] != "null" and _blocked_usable(xp, x, dy, g, geo, out_sp):
        _blocked_backward(xp, dy, x, w, geo, out_sp, outs, req, last)
        req = ("null", "null", *req[2:])
    narrow = x.shape[1] // g * math.prod(geo["kernel"]) < _NLAST_MIN_INNER or req[0] == "null"
    dy_rows = None  # dy as (g, F/g, columns), in whichever column order was built
    if req[0] != "null" or (req[1] != "null" and not narrow):
        # batch-last layout (see _im2col): dy as (g, F/g, P*N), read by both GEMMs
        dy_rows = im.batch_last(xp, dy).reshape(g, f // g, -1)
    if req[0] != "null":
        dcols = xp.matmul(im.weight_kc(xp, w, g).transpose(0, 2, 1), dy_rows)
        im.store_into(im.first_view(xp, outs[0], last), req[0], im.col2im_nlast(xp, dcols, x.shape, g, geo, out_sp))
    if req[1] != "null":
        if narrow:
            # summed over blocks of images whose columns stay in cache (as in the forward)
            n = x.shape[0]
            block = _image_block(x, geo, math.prod(out_sp))
            dw = None
            for i in range(0, n, block):
                j = min(n, i + block)
                part = _narrow_weight_grad(xp, dy[i:j], im.im2col(xp, x[i:j], g, geo, out_sp), g, w.shape)
                dw = part if dw is None else xp.add(dw, part, out=dw)
            im.store_into(im.first_view(xp, outs[1], last), req[1], dw)
        else:
            cols = im.im2col_nlast(xp, im.batch_last(xp, x), g, geo, out_sp)
            dw = xp.matmul(dy_rows, cols.transpose(0, 2, 1))
            im.store_into(im.first_view(xp, outs[1], last), req[1], im.weight_from_kc(dw, w.shape))
    if not p.no_bias and req[2] != "null":
        bias = dy_rows.reshape(f, -1).sum(axis=1) if dy_rows is not None else dy.sum(axis=(0, *range(2, dy.ndim)))
        im.store_into(outs[2], req[2], bias)


def _blocked_usable(xp, x, dy, groups: int, geo: dict, out_sp: tuple) -> bool:
    """Whether a layer's backward takes :func:`_blocked_backward`: 2-D, ungrouped, strided,
    channel-first contiguous float data, large enough outputs, the compiled col2im there."""
    return (
        _COMPILED
        and xp is np
        and groups == 1
        and len(out_sp) == 2
        and any(s != 1 for s in geo["stride"])
        and math.prod(out_sp) >= _BLOCKED_MIN_POSITIONS
        and x.dtype in (np.float32, np.float64)
        and dy.dtype == x.dtype
        and x.flags.c_contiguous
        and dy.flags.c_contiguous
        and _compiled.load("col2im") is not None
    )


def _blocked_backward(xp, dy, x, w, geo: dict, out_sp: tuple, outs, req, last: bool) -> None:
    """Data and weight gradients of a strided 2-D layer, a block of images at a time.

    Per block: ``W^T dy`` per image into columns that the compiled col2im adds into
    the data gradient's own buffer while they are in cache, and the weight gradient
    from the forward's batch-first columns (see :func:`_narrow_weight_grad`), instead
    of batch-last copies of x and dy and the whole batch's columns. One thread,
    both gradients: ResNet-18's stride-2 3x3 layers 8x64x56x56 34.9 -> 21.0 ms,
    8x128x28x28 22.6 -> 18.0 ms, its 1x1 stride-2 shortcut 6.9 -> 3.3 ms; the CIFAR
    ResNet's (batch 64) 3x3 at 32x32 19.7 -> 9.8 ms, 1x1 at 32x32 9.6 -> 1.2 ms. At
    7x7 outputs (49 positions) the per-image GEMMs are too thin: 18 -> 27 ms there.
    """
    mod = _compiled.load("col2im")
    n, f = x.shape[0], w.shape[0]
    positions = math.prod(out_sp)
    wt = w.reshape(f, -1).T.astype(x.dtype, copy=False)  # (C*K, F)
    dx_view = im.first_view(xp, outs[0], last)
    direct = (
        req[0] in ("write", "inplace")
        and dx_view.flags.c_contiguous
        and dx_view.dtype == x.dtype
        and not any(np.may_share_memory(dx_view, a) for a in (dy, x, w))
    )
    dx = dx_view if direct else np.empty(x.shape, dtype=x.dtype)
    geo8 = (*geo["kernel"], *geo["stride"], *geo["dilate"], *geo["pad"])
    block = _image_block(x, geo, positions)
    dw = None
    for i in range(0, n, block):
        j = min(n, i + block)
        dyb = dy[i:j].reshape(j - i, f, positions)
        dcols = im.workspace(np, (j - i, wt.shape[0], positions), x.dtype, "blocked_dcols")
        np.matmul(wt, dyb, out=dcols)
        mod.col2im(dcols, dx[i:j], out_sp[0], out_sp[1], geo8)
        if req[1] != "null":
            part = _narrow_weight_grad(xp, dy[i:j], im.im2col(xp, x[i:j], 1, geo, out_sp), 1, w.shape)
            dw = part if dw is None else xp.add(dw, part, out=dw)
    if not direct:
        im.store_into(dx_view, req[0], dx)
    if req[1] != "null":
        im.store_into(im.first_view(xp, outs[1], last), req[1], dw)


def _winograd_data_grad(xp, dy, w, flipped: dict, dx, req: str) -> None:
    """``dx`` gets (``req``) the data gradient of a Winograd layer: the Winograd forward of
    ``dy`` by the flipped, transposed weight, whose tiles come from ``w``'s own (see _winograd.conv)."""
    direct = req in ("write", "inplace") and dx.flags.c_contiguous and not xp.may_share_memory(dy, dx)
    res = wino.conv(dy, w, flipped["pad"], dx.shape, out=dx if direct else None, flipped=True)
    if res is not dx:
        im.store_into(dx, req, res)


def _flipped_geometry(geo: dict, groups: int) -> dict | None:
    """Geometry of the data gradient as a forward convolution of dy, or None when it is not one.

    For stride 1 (ungrouped) ``dx = conv(dy, flip(w).T)`` with the same dilation and pad
    ``dilate * (kernel - 1) - pad``, which must not be negative.
    """
    if groups != 1 or any(s != 1 for s in geo["stride"]):
        return None
    pad = tuple(d * (k - 1) - q for k, d, q in zip(geo["kernel"], geo["dilate"], geo["pad"]))
    if any(q < 0 for q in pad):
        return None
    return {"kernel": geo["kernel"], "stride": geo["stride"], "dilate": geo["dilate"], "pad": pad}


def _narrow_weight_grad(xp, dy, cols, g: int, wshape: tuple):
    """Weight gradient of a narrow layer from batch-first columns ``(g, C/g*K, N*P)``.

    The product contracts the long ``N*P`` axis into a tiny ``(F, C/g*K)`` result.
    As one GEMM, BLAS runs it far below speed (LeNet's first layer: 37 MFLOP in
    ~1 ms) and dy first needs a channel-major copy. Per-image GEMMs read dy as it
    is and are ~2x faster, provided the per-image partial results (``N`` weight
    gradients) stay small next to the columns: that is when ``F/g`` is well below
    the output size ``P``; otherwise one GEMM.
    """
    n, f, p = dy.shape[0], dy.shape[1], math.prod(dy.shape[2:])
    ck = cols.shape[1]
    if f // g * _PER_IMAGE_MIN_RATIO <= p:
        per_image = cols.reshape(g, ck, n, p).transpose(0, 2, 1, 3)  # (g, N, C/g*K, P), no copy
        dyg = dy.reshape(n, g, f // g, p).transpose(1, 0, 3, 2)  # (g, N, P, F/g), no copy
        dw = xp.matmul(per_image, dyg).sum(axis=1)  # (g, C/g*K, F/g)
    else:
        dy_rows = xp.ascontiguousarray(xp.moveaxis(dy, 1, 0)).reshape(g, f // g, -1)  # (g, F/g, N*P)
        dw = xp.matmul(cols, dy_rows.transpose(0, 2, 1))
    return dw.transpose(0, 2, 1).reshape(wshape)


def _cost(p, ins, outs):
    return 2 * int(outs[0].size) * int(math.prod(ins[1].shape[1:]))


def _backward_cost(p, ins, outs):
    return 4 * int(ins[0].size) * int(math.prod(ins[2].shape[1:]))


register(
    OpDef(
        "Convolution",
        _forward,
        params=CONV_PARAMS,
        inputs=layer_inputs,
        infer_shape=_infer_shape,
        infer_type=im.float_types("Convolution"),
        gradient=layer_gradient("_backward_Convolution"),
        cost=_cost,
        # data and output cut on the batch axis
        split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=_cost),
        doc=(
            "N-D convolution over channel-first data with weight (num_filter, channels/num_group, *kernel).\n\n"
            "Output spatial size is (x + 2*pad - dilate*(kernel-1) - 1) // stride + 1.\n\n"
            ">>> import mxpy as mx\n"
            ">>> mx.nd.Convolution(mx.nd.ones((1, 1, 5, 5)), mx.nd.ones((2, 1, 3, 3)), mx.nd.zeros((2,)), kernel=(3, 3), num_filter=2).shape\n"
            "(1, 2, 3, 3)"
        ),
    )
)


register_layer_backward(
    "_backward_Convolution",
    _backward,
    CONV_PARAMS,
    "num_filter",
    _backward_cost,
    "Gradients of Convolution with respect to data, weight and bias.",
)
