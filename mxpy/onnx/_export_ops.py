"""The ONNX converters, one function per mxpy operator family (inference semantics).

Each converter reads ``ctx.p`` (the node's parsed parameters), ``ctx.inputs``
(ONNX tensor names) and the inferred shapes, and emits ONNX nodes whose
outputs carry ``ctx.outputs``' names. Ops that only matter in training
(Dropout, BlockGrad) become Identity; loss layers become their forward.
"""

from __future__ import annotations

import numpy as np

from ._export import Ctx, converter

# -- layers ---------------------------------------------------------------------------------------


def _spatial(values, nd: int, default: int) -> list[int]:
    return [int(v) for v in values] if values else [default] * nd


def _check_layout(c: Ctx) -> None:
    layout = c.p.get("layout")
    if layout is not None and layout not in ("NCW", "NCHW", "NCDHW"):
        raise c.fail(f"with layout={layout!r} has no ONNX mapping (ONNX convolutions are channels-first)")


@converter("Convolution")
def _convolution(c: Ctx) -> None:
    p = c.p
    _check_layout(c)
    nd = len(p.kernel)
    pads = _spatial(p.pad, nd, 0)
    ins = c.inputs[:2] if p.no_bias else c.inputs[:3]
    c.emit(
        "Conv", ins, kernel_shape=list(p.kernel), strides=_spatial(p.stride, nd, 1), dilations=_spatial(p.dilate, nd, 1), pads=pads + pads, group=p.num_group
    )


@converter("Deconvolution")
def _deconvolution(c: Ctx) -> None:
    p = c.p
    _check_layout(c)
    nd = len(p.kernel)
    attrs = dict(kernel_shape=list(p.kernel), strides=_spatial(p.stride, nd, 1), dilations=_spatial(p.dilate, nd, 1), group=p.num_group)
    if p.target_shape:
        attrs["output_shape"] = list(c.out_shapes[0][2:])
    else:
        pads = _spatial(p.pad, nd, 0)
        attrs["pads"] = pads + pads
        attrs["output_padding"] = _spatial(p.adj, nd, 0)
    c.emit("ConvTranspose", c.inputs[:2] if p.no_bias else c.inputs[:3], **attrs)


@converter("BatchNorm")
def _batchnorm(c: Ctx) -> None:
    p = c.p
    if p.axis not in (1, 1 - len(c.in_shapes[0])):
        raise c.fail(f"with axis={p.axis} has no ONNX mapping (BatchNormalization normalises axis 1)")
    if p.output_mean_var:
        raise c.fail("with output_mean_var=True has no ONNX mapping")
    data, gamma, beta, mean, var = c.inputs
    if p.fix_gamma:  # MXNet uses 1 for gamma whatever its stored value
        gamma = c.const(np.ones(c.in_shapes[1]))
    c.emit("BatchNormalization", [data, gamma, beta, mean, var], epsilon=float(p.eps), momentum=float(p.momentum))


@converter("InstanceNorm")
def _instancenorm(c: Ctx) -> None:
    c.emit("InstanceNormalization", c.inputs[:3], epsilon=float(c.p.eps))


@converter("LayerNorm")
def _layernorm(c: Ctx) -> None:
    if c.opset < 17:
        raise c.fail(f"needs ONNX opset 17 (LayerNormalization); exporting at opset {c.opset}")
    c.emit("LayerNormalization", c.inputs[:3], axis=int(c.p.axis), epsilon=float(c.p.eps))


@converter("LRN")
def _lrn(c: Ctx) -> None:
    p = c.p
    c.emit("LRN", c.inputs[:1], alpha=float(p.alpha), beta=float(p.beta), bias=float(p.knorm), size=int(p.nsize))


@converter("FullyConnected")
def _fully_connected(c: Ctx) -> None:
    p = c.p
    x = c.inputs[0]
    ndim = len(c.in_shapes[0])
    if p.flatten or ndim == 2:
        if ndim != 2:
            x = c.emit("Flatten", [x], None, axis=1)
        c.emit("Gemm", [x, c.inputs[1]] + ([] if p.no_bias else [c.inputs[2]]), alpha=1.0, beta=1.0, transB=1)
        return
    wt = c.emit("Transpose", [c.inputs[1]], None, perm=[1, 0])
    if p.no_bias:
        c.emit("MatMul", [x, wt])
    else:
        c.emit("Add", [c.emit("MatMul", [x, wt], None), c.inputs[2]])


@converter("Pooling")
def _pooling(c: Ctx) -> None:
    p = c.p
    if p.layout not in (None, "NCW", "NCHW", "NCDHW"):
        raise c.fail(f"with layout={p.layout!r} has no ONNX mapping")
    kind = p.pool_type
    if p.global_pool:
        if kind == "sum":
            raise c.fail("with pool_type='sum' and global_pool has no ONNX mapping")
        op = {"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}[kind]
        c.emit(op, c.inputs[:1], **({"p": int(p.p_value or 2)} if kind == "lp" else {}))
        return
    if p.pooling_convention not in ("valid", "full"):
        raise c.fail(f"with pooling_convention={p.pooling_convention!r} has no ONNX mapping")
    nd = len(p.kernel)
    pads = _spatial(p.pad, nd, 0)
    attrs = dict(kernel_shape=list(p.kernel), strides=_spatial(p.stride, nd, 1), pads=pads + pads)
    ceil = 1 if p.pooling_convention == "full" else 0
    if kind == "max":
        c.emit("MaxPool", c.inputs[:1], ceil_mode=ceil, **attrs)
    elif kind == "avg":
        include = 1 if p.count_include_pad in (None, True) else 0
        c.emit("AveragePool", c.inputs[:1], ceil_mode=ceil, count_include_pad=include, **attrs)
    else:
        # sum and Lp pooling: pad with zeros explicitly, covering the windows that the 'full'
        # convention adds at the end, so every window is whole (AveragePool would divide
        # those by fewer elements; LpPool has no ceil_mode before opset 18)
        shape, out = c.in_shapes[0], c.out_shapes[0]
        ends = [max(pd, (o - 1) * st + k - i - pd) for i, o, k, st, pd in zip(shape[2:], out[2:], p.kernel, attrs["strides"], pads)]
        x = c.inputs[0]
        if any(pads) or any(ends):
            x = c.emit("Pad", [x, c.int64s([0, 0] + pads + [0, 0] + ends), c.const(0.0)], None, mode="constant")
        plain = dict(kernel_shape=attrs["kernel_shape"], strides=attrs["strides"])
        if kind == "sum":
            avg = c.emit("AveragePool", [x], None, **plain)
            c.emit("Mul", [avg, c.const(float(np.prod(p.kernel)))])
        else:
            c.emit("LpPool", [x], p=int(p.p_value or 2), **plain)


# -- activations ----------------------------------------------------------------------------------

_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softrelu": "Softplus", "softsign": "Softsign"}


@converter("Activation")
def _activation(c: Ctx) -> None:
    act = c.p.act_type
    if act not in _ACTIVATIONS:
        raise c.fail(f"with act_type={act!r} has no ONNX mapping")
    c.emit(_ACTIVATIONS[act], c.inputs[:1])


_SELU_ALPHA, _SELU_GAMMA = 1.6732632423543772, 1.0507009873554805


@converter("LeakyReLU")
def _leaky_relu(c: Ctx) -> None:
    p = c.p
    x = c.inputs[0]
    act = p.act_type
    if act == "leaky":
        c.emit("LeakyRelu", [x], alpha=float(p.slope))
    elif act == "rrelu":  # inference uses the middle of the range
        c.emit("LeakyRelu", [x], alpha=float((p.lower_bound + p.upper_bound) / 2))
    elif act == "elu":
        c.emit("Elu", [x], alpha=float(p.slope))
    elif act == "selu":
        c.emit("Selu", [x], alpha=_SELU_ALPHA, gamma=_SELU_GAMMA)
    elif act == "gelu":  # MXNet's erf form: x/2 * (1 + erf(x/sqrt(2)))
        erf = c.emit("Erf", [c.emit("Div", [x, c.const(np.sqrt(2.0))], None)], None)
        half = c.emit("Mul", [x, c.const(0.5)], None)
        c.emit("Mul", [half, c.emit("Add", [erf, c.const(1.0)], None)])
    elif act == "prelu":
        gamma = c.inputs[1]
        ndim = len(c.in_shapes[0])
        if ndim > 2:  # gamma (C,) broadcasts along axis 1
            src = c.node.inputs[1][0]
            if src.op is None and src.name in c.params:
                gamma = c.const(np.asarray(c.params[src.name]).reshape([-1] + [1] * (ndim - 2)))
            else:
                gamma = c.emit("Reshape", [gamma, c.int64s([-1] + [1] * (ndim - 2))], None)
        c.emit("PRelu", [x, gamma])
    else:
        raise c.fail(f"with act_type={act!r} has no ONNX mapping")


_UNARY = {
    "relu": "Relu",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "exp": "Exp",
    "log": "Log",
    "sqrt": "Sqrt",
    "abs": "Abs",
    "negative": "Neg",
    "floor": "Floor",
    "ceil": "Ceil",
    "erf": "Erf",
    "reciprocal": "Reciprocal",
    "sin": "Sin",
    "cos": "Cos",
    "tan": "Tan",
    "sign": "Sign",
    "softsign": "Softsign",
    "_copy": "Identity",
    "BlockGrad": "Identity",
    "Dropout": "Identity",  # inference: Dropout passes its input through
}


@converter(*_UNARY)
def _unary(c: Ctx) -> None:
    c.emit(_UNARY[c.op], c.inputs[:1])


@converter("square")
def _square(c: Ctx) -> None:
    c.emit("Mul", [c.inputs[0], c.inputs[0]])


@converter("rsqrt")
def _rsqrt(c: Ctx) -> None:
    c.emit("Reciprocal", [c.emit("Sqrt", c.inputs[:1], None)])


@converter("clip")
def _clip(c: Ctx) -> None:
    c.emit("Clip", [c.inputs[0], c.const(float(c.p.a_min)), c.const(float(c.p.a_max))])


# -- arithmetic -----------------------------------------------------------------------------------

_BINARY = {
    "elemwise_add": "Add",
    "broadcast_add": "Add",
    "elemwise_sub": "Sub",
    "broadcast_sub": "Sub",
    "elemwise_mul": "Mul",
    "broadcast_mul": "Mul",
    "elemwise_div": "Div",
    "broadcast_div": "Div",
    "_maximum": "Max",
    "broadcast_maximum": "Max",
    "_minimum": "Min",
    "broadcast_minimum": "Min",
    "_power": "Pow",
    "broadcast_power": "Pow",
}


@converter(*_BINARY)
def _binary(c: Ctx) -> None:
    c.emit(_BINARY[c.op], c.inputs[:2])


_SCALAR = {
    "_plus_scalar": ("Add", False),
    "_minus_scalar": ("Sub", False),
    "_rminus_scalar": ("Sub", True),
    "_mul_scalar": ("Mul", False),
    "_div_scalar": ("Div", False),
    "_rdiv_scalar": ("Div", True),
    "_power_scalar": ("Pow", False),
    "_rpower_scalar": ("Pow", True),
    "_maximum_scalar": ("Max", False),
    "_minimum_scalar": ("Min", False),
}


@converter(*_SCALAR)
def _scalar(c: Ctx) -> None:
    op, reverse = _SCALAR[c.op]
    k = c.const(float(c.p.scalar))
    c.emit(op, [k, c.inputs[0]] if reverse else [c.inputs[0], k])


@converter("add_n")
def _add_n(c: Ctx) -> None:
    c.emit("Sum", c.inputs)


@converter("dot")
def _dot(c: Ctx) -> None:
    a, b = c.inputs[:2]
    if len(c.in_shapes[0]) != 2 or len(c.in_shapes[1]) != 2:
        raise c.fail("on arrays of more than 2 dimensions has no ONNX mapping here (MatMul broadcasts differently)")
    if c.p.transpose_a:
        a = c.emit("Transpose", [a], None, perm=[1, 0])
    if c.p.transpose_b:
        b = c.emit("Transpose", [b], None, perm=[1, 0])
    c.emit("MatMul", [a, b])


@converter("batch_dot")
def _batch_dot(c: Ctx) -> None:
    a, b = c.inputs[:2]
    perm = list(range(len(c.in_shapes[0])))
    perm[-2:] = perm[-1], perm[-2]
    if c.p.transpose_a:
        a = c.emit("Transpose", [a], None, perm=perm)
    if c.p.transpose_b:
        b = c.emit("Transpose", [b], None, perm=perm)
    c.emit("MatMul", [a, b])


# -- shape ----------------------------------------------------------------------------------------


@converter("Flatten")
def _flatten(c: Ctx) -> None:
    c.emit("Flatten", c.inputs[:1], axis=1)


@converter("Reshape")
def _reshape(c: Ctx) -> None:
    out = list(c.out_shapes[0])
    if c.dynamic and c.in_shapes[0] and out and out[0] == c.in_shapes[0][0]:
        out[0] = 0  # keep the (dynamic) batch dimension
    c.emit("Reshape", [c.inputs[0], c.int64s(out)])


@converter("Concat")
def _concat(c: Ctx) -> None:
    c.emit("Concat", c.inputs, axis=int(c.p.dim))


def _axes_input(c: Ctx, op: str, x: str, axes: list[int], out=0, **attrs) -> str:
    """Squeeze/Unsqueeze/ReduceSum take axes as an input from opset 13, as an attribute before."""
    if c.opset >= 13:
        return c.emit(op, [x, c.int64s(axes)], out, **attrs)
    return c.emit(op, [x], out, axes=axes, **attrs)


@converter("expand_dims")
def _expand_dims(c: Ctx) -> None:
    axis = int(c.p.axis)
    _axes_input(c, "Unsqueeze", c.inputs[0], [axis if axis >= 0 else axis + len(c.in_shapes[0]) + 1])


@converter("squeeze")
def _squeeze(c: Ctx) -> None:
    axis = c.p.axis
    shape = c.in_shapes[0]
    axes = [i for i, d in enumerate(shape) if d == 1] if axis is None else [int(a) % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))]
    _axes_input(c, "Squeeze", c.inputs[0], axes)


@converter("transpose")
def _transpose(c: Ctx) -> None:
    axes = list(c.p.axes) or list(range(len(c.in_shapes[0])))[::-1]
    c.emit("Transpose", c.inputs[:1], perm=[int(a) for a in axes])


@converter("SliceChannel")
def _slice_channel(c: Ctx) -> None:
    p = c.p
    n = int(p.num_outputs)
    axis = int(p.axis) % len(c.in_shapes[0])
    sizes = [c.in_shapes[0][axis] // n] * n
    parts = c.outputs if not p.squeeze_axis else [c.b.unique(f"{c.name}_part{i}") for i in range(n)]
    if c.opset >= 13:
        c.b.node("Split", [c.inputs[0], c.int64s(sizes)], parts, hint=c.name, axis=axis)
    else:
        c.b.node("Split", [c.inputs[0]], parts, hint=c.name, axis=axis, split=sizes)
    if p.squeeze_axis:
        for part, out in zip(parts, c.outputs):
            _axes_input(c, "Squeeze", part, [axis], out)


@converter("slice_axis")
def _slice_axis(c: Ctx) -> None:
    p = c.p
    axis = int(p.axis) % len(c.in_shapes[0])
    end = c.in_shapes[0][axis] if p.end is None else int(p.end)
    c.emit("Slice", [c.inputs[0], c.int64s([int(p.begin)]), c.int64s([end]), c.int64s([axis])])


@converter("Embedding")
def _embedding(c: Ctx) -> None:
    idx = c.emit("Cast", [c.inputs[0]], None, to=c.b.onnx.TensorProto.INT64)
    c.emit("Gather", [c.inputs[1], idx], axis=0)


@converter("Cast")
def _cast(c: Ctx) -> None:
    c.emit("Cast", c.inputs[:1], to=int(c.b.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(c.p.dtype))))


@converter("Pad")
def _pad(c: Ctx) -> None:
    p = c.p
    width = [int(w) for w in p.pad_width]
    pads = width[0::2] + width[1::2]
    c.emit("Pad", [c.inputs[0], c.int64s(pads), c.const(p.constant_value)], mode=p.mode)


_REDUCE = {"sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax", "min": "ReduceMin", "prod": "ReduceProd"}


@converter(*_REDUCE)
def _reduce(c: Ctx) -> None:
    p = c.p
    ndim = len(c.in_shapes[0])
    if p.axis is None or p.axis == ():
        axes = list(range(ndim))
    else:
        axes = sorted(int(a) % ndim for a in (p.axis if isinstance(p.axis, tuple) else (p.axis,)))
    if p.exclude:
        axes = [a for a in range(ndim) if a not in axes]
    op = _REDUCE[c.op]
    scalar = not p.keepdims and len(axes) == ndim  # MXNet returns shape (1,), ONNX a scalar
    target = None if scalar else 0
    if op == "ReduceSum":
        y = _axes_input(c, op, c.inputs[0], axes, target, keepdims=int(bool(p.keepdims)))
    else:
        y = c.emit(op, [c.inputs[0]], target, axes=axes, keepdims=int(bool(p.keepdims)))
    if scalar:
        c.emit("Reshape", [y, c.int64s([1])])


# -- softmax and losses ---------------------------------------------------------------------------


def _softmax(c: Ctx, x: str, axis: int, ndim: int, op: str = "Softmax", out=0) -> str:
    axis %= ndim
    if c.opset >= 13 or axis == ndim - 1:
        return c.emit(op, [x], out, axis=axis)
    # before opset 13 Softmax flattens everything from `axis` on: move the axis last
    perm = [i for i in range(ndim) if i != axis] + [axis]
    back = [perm.index(i) for i in range(ndim)]
    moved = c.emit("Transpose", [x], None, perm=perm)
    return c.emit("Transpose", [c.emit(op, [moved], None, axis=ndim - 1)], out, perm=back)


@converter("softmax", "log_softmax")
def _softmax_op(c: Ctx) -> None:
    p = c.p
    if p.use_length:
        raise c.fail("with use_length=True has no ONNX mapping")
    x = c.inputs[0]
    if p.temperature not in (None, 1.0):
        x = c.emit("Div", [x, c.const(p.temperature)], None)
    _softmax(c, x, int(p.axis), len(c.in_shapes[0]), "Softmax" if c.op == "softmax" else "LogSoftmax")


@converter("SoftmaxActivation")
def _softmax_activation(c: Ctx) -> None:
    ndim = len(c.in_shapes[0])
    if c.p.mode == "channel":
        _softmax(c, c.inputs[0], 1, ndim)
    else:
        flat = c.emit("Flatten", c.inputs[:1], None, axis=1) if ndim > 2 else c.inputs[0]
        y = _softmax(c, flat, 1, 2, out=0 if ndim == 2 else None)
        if ndim > 2:
            c.emit("Reshape", [y, c.int64s(c.out_shapes[0])])


@converter("SoftmaxOutput")
def _softmax_output(c: Ctx) -> None:
    p = c.p
    ndim = len(c.in_shapes[0])
    if p.multi_output:
        _softmax(c, c.inputs[0], 1, ndim)
    elif p.preserve_shape or ndim == 2:
        _softmax(c, c.inputs[0], ndim - 1, ndim)
    else:  # softmax over everything but the batch axis
        y = _softmax(c, c.emit("Flatten", c.inputs[:1], None, axis=1), 1, 2, out=None)
        c.emit("Reshape", [y, c.int64s(c.out_shapes[0])])


@converter("LinearRegressionOutput", "MAERegressionOutput")
def _regression(c: Ctx) -> None:
    c.emit("Identity", c.inputs[:1])


@converter("LogisticRegressionOutput")
def _logistic(c: Ctx) -> None:
    c.emit("Sigmoid", c.inputs[:1])


# -- recurrent ------------------------------------------------------------------------------------

_GATES = {"lstm": (4, "LSTM", [0, 3, 1, 2]), "gru": (3, "GRU", [1, 0, 2]), "rnn_tanh": (1, "RNN", [0]), "rnn_relu": (1, "RNN", [0])}


def _rnn_weights(flat: np.ndarray, mode: str, layers: int, dirs: int, input_size: int, hidden: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Split MXNet's flat RNN parameter vector into ONNX (W, R, B) per layer.

    MXNet (cuDNN's layout): all weights first, per layer and direction the
    input-to-hidden then hidden-to-hidden matrix; then all biases in the
    same order. Gates are reordered to ONNX's order.
    """
    g, _, order = _GATES[mode]
    pos = 0

    def take(n: int) -> np.ndarray:
        nonlocal pos
        part = flat[pos : pos + n]
        pos += n
        return part

    def gates(m: np.ndarray) -> np.ndarray:
        return np.concatenate([m.reshape(g, hidden, -1)[i] for i in order]).reshape(g * hidden, *m.shape[1:])

    mats = []
    for layer in range(layers):
        width = input_size if layer == 0 else dirs * hidden
        per_dir = []
        for _ in range(dirs):
            w = take(g * hidden * width).reshape(g * hidden, width)
            r = take(g * hidden * hidden).reshape(g * hidden, hidden)
            per_dir.append((gates(w), gates(r)))
        mats.append(per_dir)
    out = []
    for layer in range(layers):
        ws, rs, bs = [], [], []
        for d in range(dirs):
            bw = gates(take(g * hidden)[:, None])[:, 0]
            br = gates(take(g * hidden)[:, None])[:, 0]
            ws.append(mats[layer][d][0])
            rs.append(mats[layer][d][1])
            bs.append(np.concatenate([bw, br]))
        out.append((np.stack(ws), np.stack(rs), np.stack(bs)))
    if pos != flat.size:
        raise ValueError(f"parameter vector has {flat.size} values, the layout needs {pos}")
    return out


@converter("RNN")
def _rnn(c: Ctx) -> None:
    p = c.p
    mode = p.mode
    if p.projection_size is not None or p.lstm_state_clip_min is not None or p.use_sequence_length:
        raise c.fail("with projection_size, lstm_state_clip_* or use_sequence_length has no ONNX mapping")
    src = c.node.inputs[1][0]
    if src.op is not None or src.name not in c.params:
        raise c.fail("needs its flat 'parameters' input as a stored parameter (found a computed value)")
    g, onnx_op, _ = _GATES[mode]
    layers, dirs, hidden = int(p.num_layers), 2 if p.bidirectional else 1, int(p.state_size)
    seq, batch, width = c.in_shapes[0]
    try:
        per_layer = _rnn_weights(np.asarray(c.params[src.name]).ravel(), mode, layers, dirs, width, hidden)
    except ValueError as e:
        raise c.fail(str(e)) from None
    dtype = c.in_dtypes[0]
    x = c.inputs[0]
    hs, cs = [], []
    for layer, (w, r, bias) in enumerate(per_layer):
        sl = [c.int64s([layer * dirs]), c.int64s([(layer + 1) * dirs]), c.int64s([0])]
        h0 = c.emit("Slice", [c.inputs[2], *sl], None)
        ins = [x, c.const(w, dtype), c.const(r, dtype), c.const(bias, dtype), "", h0]
        attrs = dict(hidden_size=hidden, direction="bidirectional" if dirs == 2 else "forward")
        n_out = 2
        if mode == "lstm":
            ins.append(c.emit("Slice", [c.inputs[3], *sl], None))
            n_out = 3
        elif mode == "gru":
            attrs["linear_before_reset"] = 1  # cuDNN's GRU applies the reset gate after the matrix product
        else:
            attrs["activations"] = ["Relu" if mode == "rnn_relu" else "Tanh"] * dirs
        outs = [c.b.unique(f"{c.name}_l{layer}_{k}") for k in ("y", "h", "c")[:n_out]]
        c.b.node(onnx_op, ins, outs, hint=f"{c.name}_l{layer}", **attrs)
        hs.append(outs[1])
        if mode == "lstm":
            cs.append(outs[2])
        # (seq, dirs, batch, hidden) -> (seq, batch, dirs * hidden), MXNet's layout
        moved = c.emit("Transpose", [outs[0]], None, perm=[0, 2, 1, 3])
        x = c.emit("Reshape", [moved, c.int64s([0, 0, -1])], 0 if layer == layers - 1 else None)
    if p.state_outputs:
        c.emit("Concat", hs, 1, axis=0) if layers > 1 else c.emit("Identity", hs, 1)
        if mode == "lstm":
            c.emit("Concat", cs, 2, axis=0) if layers > 1 else c.emit("Identity", cs, 2)
