"""Inference pass: BatchNorm folded into the Convolution before it, a ReLU after it fused.

MXNet 1.9.1's oneDNN backend rewrites ``Convolution -> BatchNorm -> Activation(relu)``
into one fused convolution for inference; this is mxpy's equivalent, applied by
executors bound without gradients (``Symbol.simple_bind(grad_req='null')``, Module
bound for inference, a hybridized Gluon block called outside ``autograd.record``)
when they run ``forward(is_train=False)``. Each chain

    Convolution [-> BatchNorm] [-> Activation(act_type='relu')]     (at least one of the two)

becomes one node of :data:`mxpy.ops.nn._conv_infer.CONV_ACT`. With a BatchNorm, the
node reads a *folded* weight and bias (``weight * scale``, ``(bias - mean) * scale +
beta`` with ``scale = gamma / sqrt(moving_var + eps)``) that one extra node, the
*fold node*, computes at the start of every forward from the current parameters, but
only for the layers one of whose parameter arrays has been written since it last
did (it compares the arrays' engine write counts, see :func:`mxpy.engine.var.write_count`):
``set_params``, ``copy_params_from``, an optimizer step or ``arr[:] = ...`` are all
seen, and nothing stale is ever served.

A chain is fused only when nothing else can see its intermediate values: the
convolution's and the BatchNorm's outputs each have one reader (the next node of the
chain) and are not graph outputs, the BatchNorm's mean/variance outputs are unused,
the layout is channel-first, the BatchNorm normalises axis 1, every parameter is a
variable, and the dtype is float32 or float64. The executor keeps the unfused graph
for ``forward(is_train=True)`` (batch statistics) and for monitors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..ops.nn import _conv_infer
from ..registry import OpDef
from ..symbol.node import Node

Entry = tuple  # (Node, output index)

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_CHANNEL_FIRST = (None, "None", "NCW", "NCHW", "NCDHW")


@dataclass
class FoldedLayer:
    """One fused chain: the conv's weight (and bias) entries, and with a BatchNorm its
    settings, its statistics entries (gamma, beta, moving_mean, moving_var) and the fold
    node's outputs that hold the folded weight and bias (``folded``: their indices)."""

    weight: Entry
    bias: Entry | None
    eps: float = 0.0
    fix_gamma: bool = False
    stats: list = field(default_factory=list)
    folded: tuple | None = None


@dataclass
class FoldedGraph:
    """The rewritten forward graph: its nodes in execution order (the fold node first,
    when a BatchNorm was folded), its heads (same positions as the original's), the fused
    layers and the fold node (whose outputs the caller binds to arrays of its own)."""

    order: list[Node]
    heads: list[Entry]
    layers: list[FoldedLayer]
    fold_node: Node | None


def _readers(order: list[Node]) -> tuple[dict, dict]:
    """Per entry ``(id(node), i)``: how many node inputs read it, and one reader."""
    count: dict = {}
    reader: dict = {}
    for n in order:
        for src, i in n.inputs:
            key = (id(src), i)
            count[key] = count.get(key, 0) + 1
            reader[key] = n
    return count, reader


def _only_reader(key, count: dict, reader: dict, heads: set) -> Node | None:
    return reader[key] if count.get(key, 0) == 1 and key not in heads else None


def _is_var(entry: Entry) -> bool:
    return entry[0].op is None


def _chain(conv: Node, count: dict, reader: dict, heads: set, dtypes: dict):
    """``(bn, act, last entry key)`` of a fusable chain starting at ``conv``, or None."""
    p = conv.params
    key = (id(conv), 0)
    if p.layout not in _CHANNEL_FIRST or dtypes.get(key) not in _FLOATS:
        return None
    if not all(_is_var(e) for e in conv.inputs[1:]):
        return None
    bn = act = None
    nxt = _only_reader(key, count, reader, heads)
    if nxt is not None and nxt.op.name == "BatchNorm" and nxt.inputs[0] == (conv, 0):
        q = nxt.params
        hidden_used = any(count.get((id(nxt), j), 0) or (id(nxt), j) in heads for j in (1, 2))
        same_dtype = all(dtypes.get((id(s), i)) == dtypes[key] for s, i in nxt.inputs[1:])
        axis = q.axis + len(conv.params.kernel) + 2 if q.axis < 0 else q.axis
        if axis == 1 and not hidden_used and same_dtype and all(_is_var(e) for e in nxt.inputs[1:]):
            bn = nxt
            key = (id(bn), 0)
            nxt = _only_reader(key, count, reader, heads)
    if nxt is not None and nxt.op.name == "Activation" and nxt.params.act_type == "relu" and (id(nxt.inputs[0][0]), nxt.inputs[0][1]) == key:
        act = nxt
        key = (id(act), 0)
    if bn is None and act is None:
        return None
    return bn, act, key


def fold_conv_bn_act(order: list[Node], heads: list[Entry], shapes: dict, dtypes: dict, fold_op: Callable[[list[FoldedLayer]], OpDef]) -> FoldedGraph | None:
    """The forward graph ``order``/``heads`` with every fusable chain fused (see the module
    doc), or None when there is none. ``shapes``/``dtypes`` (entry -> shape/dtype) get the
    new entries; ``fold_op(layers)`` makes the fold node's op."""
    count, reader = _readers(order)
    head_keys = {(id(n), i) for n, i in heads}
    chains: dict = {}  # id(conv) -> (bn, act, last key)
    absorbed: set = set()
    for n in order:
        if n.op is not None and n.op.name == "Convolution" and id(n) not in absorbed:
            found = _chain(n, count, reader, head_keys, dtypes)
            if found is not None:
                chains[id(n)] = found
                absorbed.update(id(m) for m in found[:2] if m is not None)
    if not chains:
        return None
    layers: list[FoldedLayer] = []
    fold_node = Node(None, "_fold_batchnorm", {}, [])  # its op and inputs are set at the end
    n_folded = 0
    mapped: dict = {}  # old entry key -> new entry
    new_order: list[Node] = []
    for orig in order:
        if orig.op is None:
            mapped[(id(orig), 0)] = (orig, 0)
            continue
        if id(orig) in absorbed:
            continue
        inputs = [mapped[(id(s), i)] for s, i in orig.inputs]
        chain = chains.get(id(orig))
        if chain is None:
            node = orig
            if any(new[0] is not old[0] for new, old in zip(inputs, orig.inputs)):
                node = Node(orig.op, orig.name, dict(orig.attrs), inputs)
                node._params = orig._params
                node.versions = orig.versions
                node.subgraphs = orig.subgraphs
                for j in range(orig.num_outputs()):
                    shapes[(id(node), j)] = shapes[(id(orig), j)]
                    dtypes[(id(node), j)] = dtypes[(id(orig), j)]
            for j in range(orig.num_outputs()):
                mapped[(id(orig), j)] = (node, j)
            new_order.append(node)
            continue
        bn, act, last = chain
        attrs = {k: v for k, v in orig.attrs.items() if not (k.startswith("__") and k.endswith("__"))}
        attrs["act_type"] = "relu" if act is not None else "None"
        layer = FoldedLayer(weight=orig.inputs[1], bias=None if orig.params.no_bias else orig.inputs[2])
        wkey = (id(orig.inputs[1][0]), orig.inputs[1][1])
        if bn is not None:
            q = bn.params
            layer.eps, layer.fix_gamma, layer.stats = float(q.eps), bool(q.fix_gamma), list(bn.inputs[1:5])
            layer.folded = (2 * n_folded, 2 * n_folded + 1)
            n_folded += 1
            shapes[(id(fold_node), layer.folded[0])] = shapes[wkey]
            shapes[(id(fold_node), layer.folded[1])] = (shapes[wkey][0],)
            dtypes[(id(fold_node), layer.folded[0])] = dtypes[(id(fold_node), layer.folded[1])] = dtypes[wkey]
            attrs["no_bias"] = "False"
            inputs = [inputs[0], (fold_node, layer.folded[0]), (fold_node, layer.folded[1])]
        node = Node(_conv_infer.CONV_ACT, orig.name, attrs, inputs)
        shapes[(id(node), 0)] = shapes[last]
        dtypes[(id(node), 0)] = dtypes[last]
        mapped[last] = (node, 0)
        layers.append(layer)
        new_order.append(node)
    folded = [layer for layer in layers if layer.folded is not None]
    if folded:
        for layer in folded:
            fold_node.inputs += [layer.weight] + ([layer.bias] if layer.bias is not None else []) + layer.stats
        fold_node.op = fold_op(folded)
        new_order.insert(0, fold_node)
    new_heads = [mapped[(id(n), i)] for n, i in heads]
    return FoldedGraph(new_order, new_heads, layers, fold_node if folded else None)


def make_fold_op(layers: list[FoldedLayer], write_counts: Callable[[], list]) -> OpDef:
    """The fold node's op: refolds each layer whose inputs' write counts changed.

    ``write_counts()`` returns, when the kernel runs, one count per fold-node input (None:
    unknown, always refold); the executor supplies it once the arrays are bound.
    """
    sizes = [(1 if layer.bias is None else 2) + 4 for layer in layers]
    stamps: list = [None] * len(layers)

    def kernel(p, ins, outs, req, rt):
        counts = write_counts()
        k = 0
        for li, layer in enumerate(layers):
            n = sizes[li]
            stamp = tuple(counts[k : k + n])
            if stamps[li] is None or stamp != stamps[li] or None in stamp:
                w = ins[k]
                bias = ins[k + 1] if layer.bias is not None else None
                gamma, beta, mean, var = ins[k + n - 4 : k + n]
                _conv_infer.fold_weights(rt.xp, w, bias, gamma, beta, mean, var, layer.eps, layer.fix_gamma, outs[2 * li], outs[2 * li + 1])
                stamps[li] = stamp
            k += n

    names = [f"folded{j}" for j in range(2 * len(layers))]
    return OpDef("_fold_batchnorm", kernel, inputs=[f"in{j}" for j in range(sum(sizes))], outputs=names, doc="Folds BatchNorm into convolution weights.")
