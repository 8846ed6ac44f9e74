"""Pictures and tables of a Symbol's graph (``mx.viz``).

``print_summary`` prints MXNet's layer table (name and op, output shape,
parameter count, previous layers, total); ``plot_network`` returns a
Graphviz ``Digraph`` in MXNet's colours and shapes, with tensor shapes and
dtypes on the edges when input shapes/dtypes are given. Both read the graph
from the Symbol's JSON, as MXNet does, so they show exactly what
``Symbol.save`` writes. ``graphviz`` (the ``mxpy[viz]`` extra) is imported
only by ``plot_network``; rendering to a file also needs Graphviz's ``dot``.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

from .symbol import Symbol

__all__ = ["print_summary", "plot_network"]

# fill colours by kind of node (MXNet's palette)
_INPUT, _LAYER, _ACTIVATION, _NORM, _POOL, _SHAPE, _SOFTMAX, _OTHER = "#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5"
_WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean", "_running_var", "_running_mean")


def _numbers(text: str) -> list[str]:
    """The integers in an attr string: ``'(3, 3)'`` -> ``['3', '3']``."""
    return re.findall(r"\d+", text)


def _dims(shape) -> str:
    """``(64, 20, 24, 24)`` -> ``'20x24x24'``: the shape without the batch axis."""
    return "x".join(str(d) for d in tuple(shape)[1:])


def _internal_shapes(symbol: Symbol, shape: dict) -> dict[str, tuple]:
    internals = symbol.get_internals()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None:
        raise ValueError("Input shape is incomplete")
    return dict(zip(internals.list_outputs(), out_shapes))


def _graph(symbol: Symbol, api: str) -> tuple[list[dict], list]:
    if not isinstance(symbol, Symbol):
        raise TypeError(f"{api}: symbol must be a Symbol, got {type(symbol).__name__}")
    conf = json.loads(symbol.tojson())
    return conf["nodes"], conf["heads"]


def _param_count(node: dict, in_channels: int, shapes: dict | None) -> int:
    """Parameters of a layer as MXNet's summary counts them (weights and biases; BatchNorm's gamma and beta)."""
    op, attrs = node["op"], node.get("attrs", {})
    if op == "Convolution":
        count = in_channels * int(attrs["num_filter"]) // int(attrs.get("num_group", "1"))
        for k in _numbers(attrs["kernel"]):
            count *= int(k)
        return count if attrs.get("no_bias") == "True" else count + int(attrs["num_filter"])
    if op == "FullyConnected":
        inputs = in_channels if attrs.get("no_bias") == "True" else in_channels + 1
        return inputs * int(attrs["num_hidden"])
    if op == "BatchNorm":
        return 2 * int(shapes[node["name"] + "_output"][1]) if shapes is not None else 0
    if op == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def print_summary(symbol: Symbol, shape: dict | None = None, line_length: int = 120, positions: Any = (0.44, 0.64, 0.74, 1.0)) -> None:
    """Print a table of the layers of ``symbol`` with output shapes and parameter counts.

    ``shape`` maps input names to shapes (then the output shapes and the
    counts that need them are filled in); ``line_length`` is the width;
    ``positions`` are the right edges of the four columns, as fractions of
    ``line_length`` (all <= 1) or as character positions.

    >>> import mxpy as mx
    >>> net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=10, name='fc')
    >>> mx.viz.print_summary(net, {'data': (1, 5)}, line_length=60)  # doctest: +ELLIPSIS
    ______...
    Layer (type)...
    """
    nodes, heads = _graph(symbol, "print_summary")
    shapes = _internal_shapes(symbol, shape) if shape is not None else None
    # MXNet tests "is a head" against the numbers of the first head entry (node id,
    # output index, version), so node 0 and the first head's node count as heads
    head_ids = set(heads[0])
    positions = list(positions)
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def row(fields: list) -> None:
        line = ""
        for field, end in zip(fields, positions):
            line = (line + str(field))[:end]
            line += " " * (end - len(line))
        print(line)

    def output_key(node: dict) -> str:
        return node["name"] if node["op"] == "null" else node["name"] + "_output"

    print("_" * line_length)
    row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"])
    print("=" * line_length)
    total = 0
    for i, node in enumerate(nodes):
        is_var = node["op"] == "null"
        if is_var and i > 0:
            continue
        out_shape = ""
        if shapes is not None and (not is_var or i in head_ids):
            key = output_key(node)
            if key in shapes:
                out_shape = _dims(shapes[key])
        previous: list[str] = []
        in_channels = 0
        if not is_var:
            for entry in node["inputs"]:
                src = nodes[entry[0]]
                if src["op"] != "null" or entry[0] in head_ids:
                    previous.append(src["name"])
                    if shapes is not None and output_key(src) in shapes:
                        in_channels += int(shapes[output_key(src)][1])
        params = _param_count(node, in_channels, shapes)
        total += params
        row([f"{node['name']}({node['op']})", out_shape, params, previous[0] if previous else ""])
        for name in previous[1:]:
            row(["", "", "", name])
        print("=" * line_length if i == len(nodes) - 1 else "_" * line_length)
    print(f"Total params: {total}")
    print("_" * line_length)


def _label_and_colour(node: dict) -> tuple[str, str]:
    op, name, attrs = node["op"], node["name"], node.get("attrs") or {}
    if op == "Convolution":
        stride = "x".join(_numbers(attrs["stride"])) if "stride" in attrs else "1"
        return f"Convolution\n{'x'.join(_numbers(attrs['kernel']))}/{stride}, {attrs['num_filter']}", _LAYER
    if op == "FullyConnected":
        return f"FullyConnected\n{attrs['num_hidden']}", _LAYER
    if op == "BatchNorm":
        return name, _NORM
    if op == "Activation":
        return f"Activation\n{attrs['act_type']}", _ACTIVATION
    if op == "LeakyReLU":
        return f"LeakyReLU\n{attrs.get('act_type', 'Leaky')}", _ACTIVATION
    if op == "Pooling":
        kernel = "x".join(_numbers(attrs["kernel"])) if "kernel" in attrs else "[]"
        stride = "x".join(_numbers(attrs["stride"])) if "stride" in attrs else "1"
        return f"Pooling\n{attrs['pool_type']}, {kernel}/{stride}", _POOL
    if op in ("Concat", "Flatten", "Reshape"):
        return name, _SHAPE
    if op == "Softmax":
        return name, _SOFTMAX
    if op == "Custom":
        return attrs["op_type"], _OTHER
    return name, _OTHER


def plot_network(
    symbol: Symbol,
    title: str = "plot",
    save_format: str = "pdf",
    shape: dict | None = None,
    dtype: dict | None = None,
    node_attrs: dict | None = None,
    hide_weights: bool = True,
):
    """A Graphviz ``Digraph`` of ``symbol``'s graph, drawn as MXNet draws it.

    ``title`` names the graph, ``save_format`` is the format ``render()``
    writes; ``shape`` / ``dtype`` map input names to shapes / dtypes and put
    each tensor's shape (without the batch axis) and dtype on its edge;
    ``node_attrs`` overrides Graphviz node attributes (``{"shape": "oval"}``);
    ``hide_weights`` leaves out inputs named ``*_weight``, ``*_bias``,
    ``*_gamma``... Needs the ``graphviz`` package (``pip install mxpy[viz]``).

    >>> import mxpy as mx
    >>> net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=10, name='fc')
    >>> dot = mx.viz.plot_network(net, shape={'data': (1, 5)})  # doctest: +SKIP
    >>> dot.render('net')  # doctest: +SKIP
    """
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("plot_network: drawing a network needs the graphviz package (pip install 'mxpy[viz]')") from None
    nodes, _ = _graph(symbol, "plot_network")
    shapes = _internal_shapes(symbol, shape) if shape is not None else None
    types = None
    if dtype is not None:
        internals = symbol.get_internals()
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        types = dict(zip(internals.list_outputs(), out_types))
    names = [n["name"] for n in nodes]
    if len(names) != len(set(names)):
        repeated = sorted({n for n in names if names.count(n) > 1})
        warnings.warn(
            "There are multiple variables with the same name in your graph, this may result in cyclic graph. Repeated names: " + ",".join(repeated),
            RuntimeWarning,
            stacklevel=2,
        )
    base_attrs = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034", "style": "filled"}
    base_attrs.update(node_attrs or {})
    dot = Digraph(name=title, format=save_format)
    hidden: set[str] = set()
    for node in nodes:
        attrs = dict(base_attrs)
        if node["op"] == "null":
            if node["name"].endswith(_WEIGHT_SUFFIXES):
                if hide_weights:
                    hidden.add(node["name"])
                # shown weights get no node of their own: Graphviz draws a plain oval
                continue
            attrs["shape"] = "oval"
            label, attrs["fillcolor"] = node["name"], _INPUT
        else:
            label, attrs["fillcolor"] = _label_and_colour(node)
        dot.node(name=node["name"], label=label, **attrs)

    def edge_key(src: dict) -> str:
        if src["op"] == "null":
            return src["name"]
        key = src["name"] + "_output"
        num_outputs = (src.get("attrs") or {}).get("num_outputs")
        # MXNet labels an edge from a multi-output node with its last output
        return key + str(int(num_outputs) - 1) if num_outputs is not None else key

    for node in nodes:
        if node["op"] == "null":
            continue
        inputs = node["inputs"][:1] if node["op"] == "_contrib_BilinearResize2D" else node["inputs"]
        for entry in inputs:
            src = nodes[entry[0]]
            if src["name"] in hidden:
                continue
            label = ""
            if shapes is not None:
                label = _dims(shapes[edge_key(src)])
            if types is not None:
                label += f"({types[edge_key(src)].__name__})"
            dot.edge(tail_name=node["name"], head_name=src["name"], label=label, dir="back", arrowtail="open")
    return dot
