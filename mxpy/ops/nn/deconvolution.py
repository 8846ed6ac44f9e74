"""Deconvolution (transposed convolution): the data gradient of Convolution.

Output spatial size is ``stride*(x-1) + dilate*(kernel-1) + 1 - 2*pad + adj``;
a non-zero ``target_shape`` overrides pad and adj (MXNet derives them so the
output is exactly ``target_shape``).
"""

from __future__ import annotations

import math

from ...registry import OpDef, Param, ShapeError, merge_shape, register
from .._split import SplitSpec
from . import _im2col as im
from ._weight_layer import layer_gradient, layer_inputs, register_layer_backward

DECONV_PARAMS = {
    "kernel": Param("shape", doc="deconvolution kernel size: (w,), (h, w) or (d, h, w)"),
    "stride": Param("shape", (), doc="stride per spatial dim (default 1)"),
    "dilate": Param("shape", (), doc="dilation per spatial dim (default 1)"),
    "pad": Param("shape", (), doc="padding removed from each side of the output (default 0)"),
    "adj": Param("shape", (), doc="extra size added at the end of each output dim (default 0)"),
    "target_shape": Param("shape", (), doc="output spatial shape; overrides pad and adj"),
    "num_filter": Param("int", low=1, high=100000, doc="number of output channels"),
    "num_group": Param("int", 1, low=1, doc="number of groups channels are split into"),
    "workspace": Param("int", 512, low=0, doc="workspace limit in MB (accepted; NumPy/CuPy manage memory)"),
    "no_bias": Param("bool", True, doc="omit the bias term (True by default, as in MXNet)"),
    "cudnn_tune": Param("str", None, doc="cuDNN algorithm choice (accepted, unused)", choices=("fastest", "limited_workspace", "off", "None")),
    "cudnn_off": Param("bool", False, doc="turn off cuDNN (accepted, unused)"),
    "layout": im.layout_param(("NCW", "NCHW", "NCDHW", "NHWC", "NDHWC")),
}


def deconv_geometry(p, data: tuple):
    """Geometry of the equivalent convolution (pad and adj resolved) and the output spatial shape."""
    nsp = len(p.kernel)
    if len(data) != nsp + 2:
        raise ShapeError(f"data should be {nsp + 2}D (batch, channel, {nsp} spatial dims) for kernel {tuple(p.kernel)}, given shape {data}")
    geo = im.geometry("Deconvolution", p, names=("stride", "dilate", "pad", "adj"))
    target = tuple(p.target_shape)
    if target and len(target) != nsp:
        raise ShapeError(f"target_shape must have the same number of dims as kernel {geo['kernel']}, given target_shape={target}")
    use_target = any(t != 0 for t in target)
    pads, adjs, out_sp = [], [], []
    for i, n in enumerate(data[2:]):
        full = geo["stride"][i] * (n - 1) + geo["dilate"][i] * (geo["kernel"][i] - 1) + 1
        if use_target:
            if full < target[i]:
                raise ShapeError(f"target_shape {target} is too big: dim {i} can be at most {full} for input {data}")
            extra = full - target[i]
            pad, adj = (extra + 1) // 2, extra % 2
        else:
            pad, adj = geo["pad"][i], geo["adj"][i]
        if adj > geo["stride"][i] - 1:
            raise ShapeError(
                f"adj must be smaller than stride in every dim, given adj={tuple(geo['adj'])} (derived {adj} in dim {i}) and stride={geo['stride']}"
            )
        size = full - 2 * pad + adj
        if size < 0:
            raise ShapeError(f"pad={geo['pad']} is too large: output dim {i} would be {size} for input {data}")
        pads.append(pad)
        adjs.append(adj)
        out_sp.append(size)
    conv = {"kernel": geo["kernel"], "stride": geo["stride"], "dilate": geo["dilate"], "pad": tuple(pads)}
    return conv, tuple(adjs), tuple(out_sp)


def _infer_shape(p, in_shapes):
    last = im.channel_last(p)
    im.geometry("Deconvolution", p, names=("stride", "dilate", "pad", "adj"))
    data = in_shapes[0]
    if data is None:  # MXNet's rule waits for data before it fills weight or bias
        return list(in_shapes), [None]
    im.check_layout(p, data)
    data = im.to_first(data, last)
    g = p.num_group
    if p.num_filter % g:
        raise ShapeError(f"num_filter={p.num_filter} must be divisible by num_group={g}")
    weight, out = None, None
    if data is not None:
        _, _, out_sp = deconv_geometry(p, data)
        if data[1] % g:
            raise ShapeError(f"data channels {data[1]} must be divisible by num_group={g}")
        weight = (data[1], p.num_filter // g, *p.kernel)
        out = im.to_last((data[0], p.num_filter, *out_sp), last)
    wgiven = in_shapes[1] if len(in_shapes) > 1 else None
    why = "(channels, num_filter/num_group, *kernel)" + (
        f" from the data's {data[1]} channels, num_filter={p.num_filter}, num_group={g} and kernel={p.kernel}" if data is not None else ""
    )
    weight = merge_shape(wgiven, im.to_last(weight, last), "weight", why)
    shapes = [in_shapes[0], weight]
    if not p.no_bias:
        shapes.append(merge_shape(in_shapes[2] if len(in_shapes) > 2 else None, (p.num_filter,), "bias", f"from num_filter={p.num_filter}"))
    return shapes, [out]


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    last = im.channel_last(p)
    x, w = im.first_view(xp, ins[0], last), im.first_view(xp, ins[1], last)
    conv, _, out_sp = deconv_geometry(p, x.shape)
    # deconvolution = data gradient of a convolution whose output is x
    dcols = im.grad_cols(xp, w, x, p.num_group)
    res = im.col2im(xp, dcols, (x.shape[0], p.num_filter, *out_sp), p.num_group, conv, x.shape[2:])
    if not p.no_bias:
        res = res + ins[2].reshape((1, -1) + (1,) * len(out_sp))
    im.store_into(im.first_view(xp, outs[0], last), req[0], res)


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    last = im.channel_last(p)
    dy, x, w = (im.first_view(xp, a, last) for a in ins[:3])
    conv, _, _ = deconv_geometry(p, x.shape)
    g = p.num_group
    in_sp = x.shape[2:]
    need_cols = req[0] != "null" or req[1] != "null"
    cols = im.im2col(xp, dy, g, conv, in_sp) if need_cols else None
    if req[0] != "null":  # a forward convolution of dy with the same weight
        im.store_into(im.first_view(xp, outs[0], last), req[0], im.gemm_out(xp, w, cols, g, x.shape[0], in_sp))
    if req[1] != "null":
        im.store_into(im.first_view(xp, outs[1], last), req[1], im.grad_weight(xp, x, cols, g, w.shape))
    if not p.no_bias and req[2] != "null":
        im.store_into(outs[2], req[2], dy.sum(axis=(0, *range(2, dy.ndim))))


def _cost(p, ins, outs):
    return 2 * int(ins[0].size) * int(math.prod(ins[1].shape[1:]))


def _backward_cost(p, ins, outs):
    return 4 * int(ins[1].size) * int(math.prod(ins[2].shape[1:]))


register(
    OpDef(
        "Deconvolution",
        _forward,
        params=DECONV_PARAMS,
        inputs=layer_inputs,
        infer_shape=_infer_shape,
        infer_type=im.float_types("Deconvolution"),
        gradient=layer_gradient("_backward_Deconvolution"),
        cost=_cost,
        # data and output cut on the batch axis
        split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=_cost),
        doc=(
            "Transposed convolution with weight (channels, num_filter/num_group, *kernel).\n\n"
            ">>> import mxpy as mx\n"
            ">>> mx.nd.Deconvolution(mx.nd.ones((1, 2, 4, 4)), mx.nd.ones((2, 3, 3, 3)), kernel=(3, 3), stride=(2, 2), adj=(1, 1), num_filter=3).shape\n"
            "(1, 3, 10, 10)"
        ),
    )
)


register_layer_backward(
    "_backward_Deconvolution",
    _backward,
    DECONV_PARAMS,
    "num_filter",
    _backward_cost,
    "Gradients of Deconvolution with respect to data, weight and bias.",
)
