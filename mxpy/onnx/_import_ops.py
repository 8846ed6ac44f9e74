"""The ONNX -> mxpy converters, one function per ONNX op family."""

from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ._import import Graph, _decode, importer


def _sym(g: Graph):
    return g.sym


def _pads(attrs: dict, nd: int, name: str, op: str) -> tuple:
    if _decode(attrs.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
        raise MXNetError(f"import_model: {op} node {name!r}: auto_pad={_decode(attrs['auto_pad'])} is not supported")
    pads = list(attrs.get("pads", [0] * (2 * nd)))
    begin, end = pads[:nd], pads[nd:]
    if begin != end:
        raise MXNetError(f"import_model: {op} node {name!r}: asymmetric pads {pads} are not supported")
    return tuple(begin)


@importer("Conv", "ConvTranspose")
def _conv(g: Graph, node, attrs, name):
    w = g.const(node.input[1])
    nd = w.ndim - 2
    kw = dict(
        kernel=tuple(attrs.get("kernel_shape", w.shape[2:])),
        stride=tuple(attrs.get("strides", [1] * nd)),
        dilate=tuple(attrs.get("dilations", [1] * nd)),
        pad=_pads(attrs, nd, name, node.op_type),
        num_group=int(attrs.get("group", 1)),
        name=name,
    )
    has_bias = len(node.input) > 2 and node.input[2]
    ins = [g.get(node.input[0]), g.get(node.input[1])] + ([g.get(node.input[2])] if has_bias else [])
    if node.op_type == "Conv":
        return _sym(g).Convolution(*ins, num_filter=w.shape[0], no_bias=not has_bias, **kw)
    if "output_shape" in attrs:
        raise MXNetError(f"import_model: ConvTranspose node {name!r}: output_shape is not supported")
    adj = tuple(attrs.get("output_padding", [0] * nd))
    return _sym(g).Deconvolution(*ins, num_filter=w.shape[1] * kw["num_group"], no_bias=not has_bias, adj=adj, **kw)


@importer("BatchNormalization")
def _batchnorm(g: Graph, node, attrs, name):
    data, gamma, beta = (g.get(n) for n in node.input[:3])
    mean = g.param(node.input[3], g.const(node.input[3]), aux=True)
    var = g.param(node.input[4], g.const(node.input[4]), aux=True)
    return _sym(g).BatchNorm(
        data, gamma, beta, mean, var, eps=float(attrs.get("epsilon", 1e-5)), momentum=float(attrs.get("momentum", 0.9)), fix_gamma=False, name=name
    )


@importer("InstanceNormalization")
def _instancenorm(g: Graph, node, attrs, name):
    return _sym(g).InstanceNorm(*(g.get(n) for n in node.input[:3]), eps=float(attrs.get("epsilon", 1e-5)), name=name)


@importer("LayerNormalization")
def _layernorm(g: Graph, node, attrs, name):
    return _sym(g).LayerNorm(*(g.get(n) for n in node.input[:3]), axis=int(attrs.get("axis", -1)), eps=float(attrs.get("epsilon", 1e-5)), name=name)


@importer("LRN")
def _lrn(g: Graph, node, attrs, name):
    return _sym(g).LRN(
        g.get(node.input[0]),
        alpha=float(attrs.get("alpha", 1e-4)),
        beta=float(attrs.get("beta", 0.75)),
        knorm=float(attrs.get("bias", 1.0)),
        nsize=int(attrs["size"]),
        name=name,
    )


_ACT = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softrelu", "Softsign": "softsign"}


@importer(*_ACT)
def _activation(g: Graph, node, attrs, name):
    return _sym(g).Activation(g.get(node.input[0]), act_type=_ACT[node.op_type], name=name)


@importer("LeakyRelu", "Elu", "Selu", "PRelu")
def _leaky(g: Graph, node, attrs, name):
    x = g.get(node.input[0])
    s = _sym(g)
    if node.op_type == "LeakyRelu":
        return s.LeakyReLU(x, act_type="leaky", slope=float(attrs.get("alpha", 0.01)), name=name)
    if node.op_type == "Elu":
        return s.LeakyReLU(x, act_type="elu", slope=float(attrs.get("alpha", 1.0)), name=name)
    if node.op_type == "Selu":
        return s.LeakyReLU(x, act_type="selu", name=name)
    if node.input[1] in g.consts:
        slope = g.param(node.input[1] + "_flat", g.consts[node.input[1]].reshape(-1))
    else:  # MXNet's gamma is one value per channel
        slope = s.Reshape(g.get(node.input[1]), shape=(-1,))
    return s.LeakyReLU(x, slope, act_type="prelu", name=name)


_UNARY = {
    "Exp": "exp",
    "Log": "log",
    "Sqrt": "sqrt",
    "Abs": "abs",
    "Neg": "negative",
    "Floor": "floor",
    "Ceil": "ceil",
    "Erf": "erf",
    "Reciprocal": "reciprocal",
    "Sin": "sin",
    "Cos": "cos",
    "Tan": "tan",
    "Sign": "sign",
    "Identity": "_copy",
    "Dropout": "_copy",
}


@importer(*_UNARY)
def _unary(g: Graph, node, attrs, name):
    return getattr(_sym(g), _UNARY[node.op_type])(g.get(node.input[0]), name=name)


_BINARY = {
    "Add": ("broadcast_add", "_plus_scalar", "_plus_scalar"),
    "Sub": ("broadcast_sub", "_minus_scalar", "_rminus_scalar"),
    "Mul": ("broadcast_mul", "_mul_scalar", "_mul_scalar"),
    "Div": ("broadcast_div", "_div_scalar", "_rdiv_scalar"),
    "Pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
    "Max": ("broadcast_maximum", "_maximum_scalar", "_maximum_scalar"),
    "Min": ("broadcast_minimum", "_minimum_scalar", "_minimum_scalar"),
}


@importer(*_BINARY)
def _binary(g: Graph, node, attrs, name):
    s = _sym(g)
    full, scalar, rscalar = _BINARY[node.op_type]
    if len(node.input) != 2:
        raise MXNetError(f"import_model: {node.op_type} node {name!r} with {len(node.input)} inputs is not supported")
    a, b = node.input[:2]
    # a one-value constant operand becomes a scalar op, as MXNet writes x + 1
    for const, other, op in ((b, a, scalar), (a, b, rscalar)):
        if const in g.consts and g.consts[const].size == 1 and other not in g.consts:
            return getattr(s, op)(g.get(other), scalar=float(g.consts[const].reshape(())), name=name)
    return getattr(s, full)(g.get(a), g.get(b), name=name)


@importer("Sum")
def _sum(g: Graph, node, attrs, name):
    return _sym(g).add_n(*(g.get(n) for n in node.input), name=name)


@importer("Gemm")
def _gemm(g: Graph, node, attrs, name):
    s = _sym(g)
    alpha, beta = float(attrs.get("alpha", 1.0)), float(attrs.get("beta", 1.0))
    if alpha == 1.0 and beta == 1.0 and not attrs.get("transA", 0) and node.input[1] in g.consts:
        w = g.consts[node.input[1]]
        weight = g.get(node.input[1]) if attrs.get("transB", 0) else g.param(node.input[1] + "_T", w.T.copy())
        has_bias = len(node.input) > 2 and node.input[2]
        ins = [g.get(node.input[0]), weight] + ([g.get(node.input[2])] if has_bias else [])
        n_hidden = w.shape[0] if attrs.get("transB", 0) else w.shape[1]
        return s.FullyConnected(*ins, num_hidden=int(n_hidden), no_bias=not has_bias, name=name)
    y = s.dot(g.get(node.input[0]), g.get(node.input[1]), transpose_a=bool(attrs.get("transA", 0)), transpose_b=bool(attrs.get("transB", 0)))
    if alpha != 1.0:
        y = y * alpha
    if len(node.input) > 2 and node.input[2]:
        c = g.get(node.input[2])
        y = s.broadcast_add(y, c * beta if beta != 1.0 else c)
    return s._copy(y, name=name)


@importer("MatMul")
def _matmul(g: Graph, node, attrs, name):
    s = _sym(g)
    a, b = node.input
    if b in g.consts and g.consts[b].ndim == 2:
        w = g.consts[b]
        return s.FullyConnected(g.get(a), g.param(b + "_T", w.T.copy()), num_hidden=w.shape[1], no_bias=True, flatten=False, name=name)
    ranks = (len(g.shapes.get(a, ())), len(g.shapes.get(b, ())))
    if ranks == (2, 2):
        return s.dot(g.get(a), g.get(b), name=name)
    if ranks[0] == ranks[1] and ranks[0] >= 3:
        return s.batch_dot(g.get(a), g.get(b), name=name)
    raise MXNetError(f"import_model: MatMul node {name!r}: operand ranks {ranks} are not supported")


@importer("MaxPool", "AveragePool", "LpPool")
def _pool(g: Graph, node, attrs, name):
    kernel = tuple(attrs["kernel_shape"])
    nd = len(kernel)
    if any(d != 1 for d in attrs.get("dilations", [1] * nd)):
        raise MXNetError(f"import_model: {node.op_type} node {name!r}: dilations are not supported")
    kind = {"MaxPool": "max", "AveragePool": "avg", "LpPool": "lp"}[node.op_type]
    kw = dict(kernel=kernel, stride=tuple(attrs.get("strides", [1] * nd)), pad=_pads(attrs, nd, name, node.op_type), pool_type=kind, name=name)
    kw["pooling_convention"] = "full" if attrs.get("ceil_mode", 0) else "valid"
    if kind == "avg":
        kw["count_include_pad"] = bool(attrs.get("count_include_pad", 0))
    if kind == "lp":
        kw["p_value"] = int(attrs.get("p", 2))
    return _sym(g).Pooling(g.get(node.input[0]), **kw)


@importer("GlobalMaxPool", "GlobalAveragePool", "GlobalLpPool")
def _global_pool(g: Graph, node, attrs, name):
    kind = {"GlobalMaxPool": "max", "GlobalAveragePool": "avg", "GlobalLpPool": "lp"}[node.op_type]
    kw = {"p_value": int(attrs.get("p", 2))} if kind == "lp" else {}
    return _sym(g).Pooling(g.get(node.input[0]), global_pool=True, kernel=(1, 1), pool_type=kind, name=name, **kw)


@importer("Flatten")
def _flatten(g: Graph, node, attrs, name):
    axis = int(attrs.get("axis", 1))
    if axis == 1:
        return _sym(g).Flatten(g.get(node.input[0]), name=name)
    if axis == 0:
        return _sym(g).Reshape(g.get(node.input[0]), shape=(1, -1), name=name)
    shape = g.shapes.get(node.input[0])
    if shape is None or any(d is None for d in shape[:axis]):
        raise MXNetError(f"import_model: Flatten node {name!r}: axis={axis} needs a known input shape")
    return _sym(g).Reshape(g.get(node.input[0]), shape=(int(np.prod(shape[:axis])), -1), name=name)


@importer("Reshape")
def _reshape(g: Graph, node, attrs, name):
    shape = tuple(int(d) for d in g.const(node.input[1]))
    if attrs.get("allowzero", 0) and 0 in shape:
        raise MXNetError(f"import_model: Reshape node {name!r}: allowzero=1 with a 0 in the shape is not supported")
    return _sym(g).Reshape(g.get(node.input[0]), shape=shape, name=name)


@importer("Concat")
def _concat(g: Graph, node, attrs, name):
    return _sym(g).Concat(*(g.get(n) for n in node.input), dim=int(attrs["axis"]), name=name)


@importer("Softmax", "LogSoftmax")
def _softmax(g: Graph, node, attrs, name):
    s = _sym(g)
    axis = int(attrs.get("axis", -1))
    shape = g.shapes.get(node.input[0])
    fn = s.softmax if node.op_type == "Softmax" else s.log_softmax
    x = g.get(node.input[0])
    if g.opset < 13 and shape is not None and axis % len(shape) != len(shape) - 1:
        # before opset 13 the softmax runs over all dims from `axis` on
        flat = s.Reshape(x, shape=tuple(shape[: axis % len(shape)]) + (-1,))
        return s.reshape_like(fn(flat, axis=-1), x, name=name)
    return fn(x, axis=axis, name=name)


def _scalar(g: Graph, node, slot: int, default: float) -> float:
    """The one value of constant input ``slot`` (``default`` when the input is absent)."""
    if len(node.input) <= slot or not node.input[slot]:
        return float(default)
    value = g.const(node.input[slot])
    if value.size != 1:
        raise MXNetError(f"import_model: {node.op_type} node {node.name!r}: input {slot} must hold one value, got shape {value.shape}")
    return float(value.reshape(-1)[0])


@importer("Clip")
def _clip(g: Graph, node, attrs, name):
    lo = _scalar(g, node, 1, attrs.get("min", -np.inf))
    hi = _scalar(g, node, 2, attrs.get("max", np.inf))
    return _sym(g).clip(g.get(node.input[0]), a_min=lo, a_max=hi, name=name)


@importer("Transpose")
def _transpose(g: Graph, node, attrs, name):
    return _sym(g).transpose(g.get(node.input[0]), axes=tuple(attrs.get("perm", ())), name=name)


def _axes(g: Graph, node, attrs) -> list[int]:
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    if len(node.input) > 1 and node.input[1]:
        return [int(a) for a in g.const(node.input[1])]
    return []


@importer("Unsqueeze")
def _unsqueeze(g: Graph, node, attrs, name):
    x = g.get(node.input[0])
    axes = sorted(_axes(g, node, attrs))
    for i, a in enumerate(axes):
        x = _sym(g).expand_dims(x, axis=a, name=name if i == len(axes) - 1 else None)
    return x


@importer("Squeeze")
def _squeeze(g: Graph, node, attrs, name):
    axes = _axes(g, node, attrs)
    return _sym(g).squeeze(g.get(node.input[0]), axis=tuple(axes) if axes else None, name=name)


@importer("Split")
def _split(g: Graph, node, attrs, name):
    axis = int(attrs.get("axis", 0))
    sizes = list(attrs["split"]) if "split" in attrs else ([int(v) for v in g.const(node.input[1])] if len(node.input) > 1 and node.input[1] else None)
    n = len(node.output)
    if sizes is not None and len(set(sizes)) != 1:
        raise MXNetError(f"import_model: Split node {name!r}: unequal parts {sizes} are not supported")
    out = _sym(g).SliceChannel(g.get(node.input[0]), num_outputs=n, axis=axis, name=name)
    return [out[i] for i in range(n)]


@importer("Slice")
def _slice(g: Graph, node, attrs, name):
    starts, ends = g.const(node.input[1]), g.const(node.input[2])
    axes = g.const(node.input[3]) if len(node.input) > 3 and node.input[3] else np.arange(len(starts))
    if len(node.input) > 4 and node.input[4] and np.any(g.const(node.input[4]) != 1):
        raise MXNetError(f"import_model: Slice node {name!r}: steps other than 1 are not supported")
    x = g.get(node.input[0])
    big = np.iinfo(np.int64).max // 2
    for i, (b, e, a) in enumerate(zip(starts, ends, axes)):
        end = None if e >= big else int(e)
        x = _sym(g).slice_axis(x, axis=int(a), begin=int(b), end=end, name=name if i == len(starts) - 1 else None)
    return x


@importer("Gather")
def _gather(g: Graph, node, attrs, name):
    data, idx = node.input
    if int(attrs.get("axis", 0)) != 0:
        raise MXNetError(f"import_model: Gather node {name!r}: only axis 0 is supported")
    if data in g.consts and g.consts[data].ndim == 2:
        w = g.consts[data]
        return _sym(g).Embedding(g.get(idx), g.get(data), input_dim=w.shape[0], output_dim=w.shape[1], name=name)
    return _sym(g).take(g.get(data), g.get(idx), axis=0, name=name)


@importer("Cast")
def _cast(g: Graph, node, attrs, name):
    dtype = g.onnx.helper.tensor_dtype_to_np_dtype(int(attrs["to"]))
    if dtype == np.int64 and node.output[0] in _index_only(g, node.output[0]):
        return g.get(node.input[0])  # MXNet's Embedding and take read float indices directly
    return _sym(g).Cast(g.get(node.input[0]), dtype=np.dtype(dtype).name, name=name)


def _index_only(g: Graph, tensor: str) -> set:
    """``{tensor}`` when every user of ``tensor`` reads it as Gather indices."""
    users = [n for n in g.model_nodes if tensor in n.input]
    if users and all(n.op_type == "Gather" and list(n.input).index(tensor) == 1 for n in users):
        return {tensor}
    return set()


_REDUCE = {"ReduceSum": "sum", "ReduceMean": "mean", "ReduceMax": "max", "ReduceMin": "min", "ReduceProd": "prod"}


@importer(*_REDUCE)
def _reduce(g: Graph, node, attrs, name):
    axes = _axes(g, node, attrs)
    kw = {"axis": tuple(axes)} if axes else {}
    return getattr(_sym(g), _REDUCE[node.op_type])(g.get(node.input[0]), keepdims=bool(attrs.get("keepdims", 1)), name=name, **kw)


@importer("Pad")
def _pad(g: Graph, node, attrs, name):
    pads = [int(p) for p in (g.const(node.input[1]) if len(node.input) > 1 else attrs["pads"])]
    nd = len(pads) // 2
    width = tuple(v for pair in zip(pads[:nd], pads[nd:]) for v in pair)
    value = _scalar(g, node, 2, attrs.get("value", 0.0))
    return _sym(g).Pad(g.get(node.input[0]), mode=_decode(attrs.get("mode", "constant")), pad_width=width, constant_value=value, name=name)


# -- recurrent ------------------------------------------------------------------------------------

_RNN = {"LSTM": ("lstm", 4, [0, 3, 1, 2]), "GRU": ("gru", 3, [1, 0, 2]), "RNN": (None, 1, [0])}


@importer("LSTM", "GRU", "RNN")
def _rnn(g: Graph, node, attrs, name):
    s = _sym(g)
    mode, gates, order = _RNN[node.op_type]
    hidden = int(attrs["hidden_size"])
    direction = _decode(attrs.get("direction", "forward"))
    if direction == "reverse" or int(attrs.get("layout", 0)) != 0 or "clip" in attrs:
        raise MXNetError(f"import_model: {node.op_type} node {name!r}: reverse direction, batch-major layout and clip are not supported")
    if node.op_type == "GRU" and not attrs.get("linear_before_reset", 0):
        raise MXNetError(f"import_model: GRU node {name!r}: MXNet's GRU needs linear_before_reset=1")
    if node.op_type == "RNN":
        acts = [_decode(a) for a in attrs.get("activations", [b"Tanh"])]
        mode = {"Relu": "rnn_relu", "Tanh": "rnn_tanh"}.get(acts[0])
        if mode is None or len(set(acts)) != 1:
            raise MXNetError(f"import_model: RNN node {name!r}: activations {acts} are not supported")
    ins = list(node.input) + [""] * (7 - len(node.input))
    if ins[4]:
        raise MXNetError(f"import_model: {node.op_type} node {name!r}: sequence_lens is not supported")
    w, r = g.const(ins[1]), g.const(ins[2])
    dirs = w.shape[0]
    b = g.const(ins[3]) if ins[3] else np.zeros((dirs, 2 * gates * hidden), w.dtype)
    inv = [order.index(k) for k in range(gates)]

    def mx_gates(m):
        return np.concatenate([m.reshape(gates, hidden, -1)[i] for i in inv]).reshape(-1)

    parts = []
    for d in range(dirs):
        parts += [mx_gates(w[d]), mx_gates(r[d])]
    for d in range(dirs):
        parts += [mx_gates(b[d, : gates * hidden, None]), mx_gates(b[d, gates * hidden :, None])]
    params = g.param(f"{name}_parameters", np.concatenate(parts).astype(w.dtype))
    x = g.get(ins[0])
    batch = g.shapes.get(ins[0], (None, None))[1]

    def state(idx: int):
        if ins[idx]:
            return g.get(ins[idx])
        if batch is None:
            raise MXNetError(f"import_model: {node.op_type} node {name!r}: without an initial state the batch size must be known")
        return s.zeros(shape=(dirs, batch, hidden))

    args = [x, params, state(5)] + ([state(6)] if mode == "lstm" else [])
    out = s.RNN(*args, state_size=hidden, num_layers=1, bidirectional=dirs == 2, mode=mode, state_outputs=True, name=name)
    # MXNet gives (seq, batch, dirs * hidden); ONNX's Y is (seq, dirs, batch, hidden)
    y = s.transpose(s.Reshape(out[0], shape=(0, 0, dirs, hidden)), axes=(0, 2, 1, 3))
    return [y, out[1]] + ([out[2]] if mode == "lstm" else [])
