"""Symbol + parameters -> ONNX model file (``mx.onnx.export_model``).

The walk is over mxpy's own graph nodes (``Symbol._order()``): every node's
parsed parameters and inferred input/output shapes and dtypes go to the
converter registered for its op (``_export_ops``), which appends ONNX nodes
and initializers to a :class:`Builder`. Every op of the graph is checked for
a converter before anything is converted, and the file is written last,
through a temporary file and a rename, so a failed export leaves no file and
an earlier file intact.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import numpy as np

from .._atomic_file import atomic_write
from ..base import MXNetError
from ..graph.infer import infer_graph_shapes, infer_graph_types
from ..symbol import Symbol

_log = logging.getLogger(__name__)

MIN_OPSET, MAX_OPSET = 12, 17
CONVERTERS: dict[str, Any] = {}  # mxpy op name (canonical) -> converter(ctx)


def converter(*names: str):
    """Register ``fn(ctx)`` as the ONNX converter for the mxpy ops ``names``."""

    def deco(fn):
        for n in names:
            CONVERTERS[n] = fn
        return fn

    return deco


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("mx.onnx needs the onnx package: pip install 'mxpy[onnx]'") from None
    return onnx


def get_operator_support(opset_version: int | None = None) -> list[str]:
    """Names of the mxpy operators ``export_model`` can convert, sorted.

    >>> import mxpy as mx
    >>> 'FullyConnected' in mx.onnx.get_operator_support()
    True
    """
    from . import _export_ops  # noqa: F401 - registers the converters

    return sorted(CONVERTERS)


class Builder:
    """The ONNX graph under construction: nodes, initializers, unique names."""

    def __init__(self, onnx, opset: int) -> None:
        self.onnx = onnx
        self.helper = onnx.helper
        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self.used: set[str] = set()

    def unique(self, hint: str) -> str:
        name, i = hint, 0
        while name in self.used:
            i += 1
            name = f"{hint}_{i}"
        self.used.add(name)
        return name

    def const(self, value, dtype=None, hint: str = "const") -> str:
        """An initializer holding ``value``; returns its name."""
        arr = np.asarray(value, dtype=dtype)
        name = self.unique(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(self, op_type: str, inputs: list[str], outputs: list[str] | str | None = None, hint: str = "", **attrs) -> list[str]:
        """Append one ONNX node; ``outputs`` given names are used as they are, otherwise made unique."""
        if outputs is None:
            outputs = [self.unique(f"{hint or op_type}_out")]
        elif isinstance(outputs, str):
            outputs = [outputs]
        for o in outputs:
            self.used.add(o)
        self.nodes.append(self.helper.make_node(op_type, inputs, outputs, name=self.unique(f"{hint or op_type}_{op_type}"), **attrs))
        return outputs


class Ctx:
    """What a converter sees of one mxpy node."""

    def __init__(self, builder: Builder, node, name: str, inputs, in_shapes, in_dtypes, outputs, out_shapes, params: dict, dynamic: bool) -> None:
        self.b = builder
        self.opset = builder.opset
        self.node = node
        self.op = node.op.name
        self.p = node.params
        self.name = name
        self.inputs: list[str] = inputs
        self.in_shapes: list[tuple] = in_shapes
        self.in_dtypes: list[np.dtype] = in_dtypes
        self.outputs: list[str] = outputs
        self.out_shapes: list[tuple] = out_shapes
        self.params = params  # name -> numpy array, for converters that repack weights (RNN)
        self.dynamic = dynamic

    def emit(self, op_type: str, inputs: list[str], out: int | str | None = 0, **attrs) -> str:
        """One ONNX node; ``out`` an output index of this mxpy node (its name is used), a name, or None (fresh)."""
        target = self.outputs[out] if isinstance(out, int) else out
        return self.b.node(op_type, inputs, target, hint=self.name, **attrs)[0]

    def const(self, value, dtype=None) -> str:
        return self.b.const(value, dtype if dtype is not None else self.in_dtypes[0], hint=f"{self.name}_const")

    def int64s(self, values) -> str:
        return self.b.const(np.asarray(values, dtype=np.int64), hint=f"{self.name}_i64")

    def fail(self, why: str) -> MXNetError:
        return MXNetError(f"export_model: operator {self.op} (node {self.name!r}) {why}")


def _onnx_output_name(internal: str) -> str:
    """MXNet's names for graph outputs: 'fc_output' -> 'fc', 'slice_output3' -> 'slice3', RNN states -> 'rnn1'/'rnn2'."""
    if internal.endswith("_state_output"):
        return internal[: -len("_state_output")] + "1"
    if internal.endswith("_statecell_output"):
        return internal[: -len("_statecell_output")] + "2"
    if internal.endswith("_output"):
        return internal[: -len("_output")]
    m = re.match(r"(.*)_output(\d+)$", internal)
    if m:
        return m.group(1) + m.group(2)
    return internal


def _load(sym, params) -> tuple[Symbol, dict[str, np.ndarray]]:
    from .. import ndarray as nd
    from .. import symbol as sym_mod

    if isinstance(sym, (str, os.PathLike)) and isinstance(params, (str, os.PathLike)):
        sym = sym_mod.load(os.fspath(sym))
        params = nd.load(os.fspath(params))
    if not isinstance(sym, Symbol):
        raise ValueError("export_model: sym and params must both be file paths, or a Symbol and a dict (or [arg_params, aux_params])")
    if isinstance(params, (list, tuple)) and len(params) == 2 and all(isinstance(p, dict) for p in params):
        merged = dict(params[0])
        merged.update(params[1])
        params = merged
    if not isinstance(params, dict):
        raise ValueError("export_model: params must be a dict of name -> NDArray, [arg_params, aux_params], or a .params path")
    out: dict[str, np.ndarray] = {}
    for k, v in params.items():
        key = k.split(":", 1)[1] if k.startswith(("arg:", "aux:")) else k
        out[key] = v.asnumpy() if hasattr(v, "asnumpy") else np.asarray(v)
    return sym, out


def export_model(
    sym,
    params,
    in_shapes=None,
    in_types=np.float32,
    onnx_file_path: str = "model.onnx",
    verbose: bool = False,
    dynamic: bool = False,
    dynamic_input_shapes=None,
    run_shape_inference: bool = False,
    input_type=None,
    input_shape=None,
    *,
    opset_version: int | None = None,
) -> str:
    """Write ``sym`` with ``params`` as an ONNX model; returns ``onnx_file_path``.

    ``sym`` / ``params``: a Symbol and a dict of NDArrays (arguments and aux
    states together, or ``[arg_params, aux_params]``), or the paths of a
    ``-symbol.json`` and a ``.params`` file. ``in_shapes``: one shape per
    data input (the symbol's inputs that are not parameters, less the
    ``<last node>_label`` of a loss); ``in_types``: one dtype or one per
    input. ``dynamic=True`` leaves every input and output dimension
    symbolic, or as ``dynamic_input_shapes`` gives them (None for a free
    dimension). ``run_shape_inference`` stores ONNX's inferred shapes of the
    intermediate tensors. ``input_type``/``input_shape`` are the old names of
    ``in_types``/``in_shapes``. ``opset_version`` (an mxpy addition)
    chooses the ONNX opset, 12 to 17; the default is the newest of those
    that the installed onnx knows. An operator without an ONNX mapping
    raises MXNetError naming it and its node before anything is written.

    >>> import mxpy as mx, numpy as np
    >>> net = mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=2, name='fc')
    >>> params = {'fc_weight': mx.nd.ones((2, 3)), 'fc_bias': mx.nd.zeros((2,))}
    >>> mx.onnx.export_model(net, params, [(1, 3)], np.float32, '/tmp/fc.onnx')  # doctest: +SKIP
    '/tmp/fc.onnx'
    """
    onnx = _onnx()
    from . import _export_ops  # noqa: F401 - registers the converters

    if input_type is not None:
        in_types = input_type
    if input_shape is not None:
        in_shapes = input_shape
    opset = min(onnx.defs.onnx_opset_version(), MAX_OPSET) if opset_version is None else int(opset_version)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise MXNetError(f"export_model: opset_version must be {MIN_OPSET} to {MAX_OPSET}, got {opset}")
    if not dynamic and dynamic_input_shapes is not None:
        raise MXNetError("export_model: dynamic_input_shapes is given but dynamic=False; pass dynamic=True to use it")
    sym, weights = _load(sym, params)
    model = _convert(onnx, sym, weights, in_shapes, in_types, opset, verbose, dynamic, dynamic_input_shapes)
    if run_shape_inference:
        try:
            model = onnx.shape_inference.infer_shapes(model)
        except Exception as e:  # noqa: BLE001 - as MXNet: keep the model without the inferred shapes
            _log.info("export_model: ONNX shape inference failed (%s); the model is kept without it", e)
    data = model.SerializeToString()
    path = os.fspath(onnx_file_path)
    atomic_write(path, [data], func="export_model")
    return path


def _convert(onnx, sym: Symbol, weights: dict, in_shapes, in_types, opset: int, verbose: bool, dynamic: bool, dynamic_input_shapes):
    order = sym._order()
    # every op must have a mapping before any work is done
    for node in order:
        if node.op is not None and node.op.name not in CONVERTERS:
            raise MXNetError(
                f"export_model: operator {node.op.name} (node {node.name!r}) has no ONNX mapping; operators that export: see mx.onnx.get_operator_support()"
            )
    output_label = order[-1].name + "_label"
    data_inputs = [n for n in order if n.op is None and n.name not in weights and n.name != output_label]
    if in_shapes is None:
        raise MXNetError(f"export_model: in_shapes is required, one shape per data input {[n.name for n in data_inputs]}")
    in_shapes = [tuple(int(d) for d in s) for s in in_shapes]
    if not isinstance(in_types, (list, tuple)):
        in_types = [in_types] * len(in_shapes)
    if len(in_shapes) != len(data_inputs) or len(in_types) != len(in_shapes):
        raise MXNetError(
            f"export_model: got {len(in_shapes)} in_shapes and {len(in_types)} in_types for the data inputs {[n.name for n in data_inputs]} (one each expected)"
        )
    var_shapes = {n.name: s for n, s in zip(data_inputs, in_shapes)}
    var_types = {n.name: np.dtype(t) for n, t in zip(data_inputs, in_types)}
    for n in order:
        if n.op is None and n.name in weights:
            var_shapes[n.name] = weights[n.name].shape
            var_types[n.name] = weights[n.name].dtype
    shapes = infer_graph_shapes(order, var_shapes)
    types = infer_graph_types(order, var_types)
    missing = [n.name for n in order if n.op is None and (id(n), 0) not in shapes and n.name != output_label]
    if missing:
        raise MXNetError(f"export_model: no shape for {missing}: give them in params or in_shapes")
    if dynamic and dynamic_input_shapes is not None and len(dynamic_input_shapes) != len(in_shapes):
        raise MXNetError("export_model: dynamic_input_shapes must have one entry per input shape")

    b = Builder(onnx, opset)
    tensor_type = onnx.helper.np_dtype_to_tensor_dtype
    names: dict[tuple[int, int], str] = {}  # (node id, output index) -> ONNX tensor name
    seen: set[str] = set()
    graph_inputs = []
    for idx, node in enumerate(order):
        name = node.name if node.name not in seen else f"idx_{idx}_{node.name}"
        seen.add(name)
        if verbose:
            _log.info("Converting idx: %d, op: %s, name: %s", idx, node.op.name if node.op else "null", name)
        if node.op is None:
            names[(id(node), 0)] = name
            b.used.add(name)
            if name in weights:
                b.initializers.append(onnx.numpy_helper.from_array(np.ascontiguousarray(weights[node.name]), name))
            elif node.name != output_label:
                i = len(graph_inputs)
                shape = in_shapes[i]
                if dynamic:
                    shape = tuple(dynamic_input_shapes[i]) if dynamic_input_shapes is not None else (None,) * len(shape)
                graph_inputs.append(onnx.helper.make_tensor_value_info(name, tensor_type(var_types[node.name]), list(shape)))
            continue
        n_out = node.num_outputs()
        out_names = []
        for i in range(n_out):
            internal = name + node.output_name(i)[len(node.name) :]
            out_names.append(b.unique(_onnx_output_name(internal)))
        for i, o in enumerate(out_names):
            names[(id(node), i)] = o
        ctx = Ctx(
            b,
            node,
            name,
            [names[(id(src), j)] for src, j in node.inputs],
            [shapes.get((id(src), j)) for src, j in node.inputs],
            [types.get((id(src), j)) for src, j in node.inputs],
            out_names,
            [shapes.get((id(node), i)) for i in range(n_out)],
            weights,
            dynamic,
        )
        CONVERTERS[node.op.name](ctx)
    graph_outputs = []
    for node, i in sym._outputs:
        shape = shapes.get((id(node), i))
        dims = [None] * len(shape) if dynamic else list(shape)
        graph_outputs.append(onnx.helper.make_tensor_value_info(names[(id(node), i)], tensor_type(types[(id(node), i)]), dims))
    # weights only a converter read (an RNN's flat vector, repacked) are not stored
    read = {i for n in b.nodes for i in n.input} | {o.name for o in graph_outputs}
    inits = [t for t in b.initializers if t.name in read]
    graph = onnx.helper.make_graph(b.nodes, "mxnet_converted_model", graph_inputs, graph_outputs, initializer=inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="mxpy")
    model.ir_version = min(model.ir_version, 8)  # opset 12-17 files that older runtimes open as well
    onnx.checker.check_model(model)
    return model


__all__ = ["export_model", "get_operator_support", "converter", "Ctx", "MIN_OPSET", "MAX_OPSET"]
