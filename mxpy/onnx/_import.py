"""ONNX model file -> Symbol + parameters (``mx.onnx.import_model``).

ONNX nodes come in topological order; each is turned into mxpy symbols by
the converter for its op type. Initializers become parameters when an op
takes them as weights (BatchNorm's running mean and variance become aux
states), and constants when an op takes them as attributes (Reshape's
shape, Clip's bounds). ONNX's shape inference supplies the shapes a few
conversions need.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..base import MXNetError
from ._export import _onnx

IMPORTERS: dict[str, Any] = {}


def importer(*op_types: str):
    def deco(fn):
        for t in op_types:
            IMPORTERS[t] = fn
        return fn

    return deco


class Graph:
    """Symbols, constants and parameters built so far."""

    def __init__(self, onnx, model) -> None:
        from .. import symbol as sym

        self.sym = sym
        self.onnx = onnx
        self.tensors: dict[str, Any] = {}  # ONNX name -> Symbol
        self.consts: dict[str, np.ndarray] = {init.name: onnx.numpy_helper.to_array(init) for init in model.graph.initializer}
        self.arg_params: dict[str, np.ndarray] = {}
        self.aux_params: dict[str, np.ndarray] = {}
        self.shapes: dict[str, tuple] = {}
        self.model_nodes = list(model.graph.node)
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        try:
            inferred = onnx.shape_inference.infer_shapes(model)
            for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
                dims = vi.type.tensor_type.shape.dim
                self.shapes[vi.name] = tuple(d.dim_value if d.HasField("dim_value") else None for d in dims)
        except Exception:  # noqa: BLE001 - shapes only help a few conversions
            pass
        for name, value in self.consts.items():
            self.shapes[name] = value.shape

    def get(self, name: str):
        """The Symbol for tensor ``name``; an initializer becomes a parameter variable."""
        if name in self.tensors:
            return self.tensors[name]
        if name in self.consts:
            return self.param(name, self.consts[name])
        raise MXNetError(f"import_model: tensor {name!r} is used before it is produced")

    def param(self, name: str, value: np.ndarray, aux: bool = False):
        """A variable holding ``value`` (created once per name)."""
        if name not in self.tensors:
            (self.aux_params if aux else self.arg_params)[name] = np.asarray(value)
            self.tensors[name] = self.sym.Variable(name)
        return self.tensors[name]

    def const(self, name: str) -> np.ndarray:
        if name not in self.consts:
            raise MXNetError(f"import_model: input {name!r} must be a constant (an initializer or Constant node) for this conversion")
        return self.consts[name]


def _attrs(onnx, node) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _decode(v):
    return v.decode() if isinstance(v, bytes) else v


def import_model(model_file: str):
    """Read an ONNX model; returns ``(sym, arg_params, aux_params)`` as MXNet's ``onnx.import_model``.

    >>> import mxpy as mx
    >>> sym, arg_params, aux_params = mx.onnx.import_model('model.onnx')  # doctest: +SKIP
    """
    onnx = _onnx()
    from .. import ndarray as nd
    from ..symbol import Group

    if not os.path.exists(os.fspath(model_file)):
        raise MXNetError(f"import_model: no such file {os.fspath(model_file)!r}")
    model = onnx.load(os.fspath(model_file))
    g = Graph(onnx, model)
    for vi in model.graph.input:
        if vi.name not in g.consts:
            g.tensors[vi.name] = g.sym.Variable(vi.name)
    unknown = sorted({n.op_type for n in model.graph.node if n.op_type not in IMPORTERS and n.op_type != "Constant"})
    if unknown:
        raise MXNetError(f"import_model: ONNX operators without an mxpy mapping: {', '.join(unknown)}")
    for node in model.graph.node:
        attrs = _attrs(onnx, node)
        if node.op_type == "Constant":
            g.consts[node.output[0]] = onnx.numpy_helper.to_array(attrs["value"])
            continue
        name = node.name or node.output[0]
        try:
            outs = IMPORTERS[node.op_type](g, node, attrs, name)
        except MXNetError:
            raise
        except (KeyError, ValueError, IndexError) as e:
            raise MXNetError(f"import_model: cannot convert {node.op_type} node {name!r}: {e}") from None
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for o, s in zip(node.output, outs):
            if o:
                g.tensors[o] = s
    heads = [g.get(o.name) for o in model.graph.output]
    sym = heads[0] if len(heads) == 1 else Group(heads)
    used = set(sym.list_arguments()) | set(sym.list_auxiliary_states())
    arg = {k: nd.array(v, dtype=v.dtype) for k, v in g.arg_params.items() if k in used}
    aux = {k: nd.array(v, dtype=v.dtype) for k, v in g.aux_params.items() if k in used}
    return sym, arg, aux


def get_model_metadata(model_file: str) -> dict:
    """Input and output names and shapes: ``{'input_tensor_data': [(name, shape)], 'output_tensor_data': [...]}``."""
    onnx = _onnx()
    model = onnx.load(os.fspath(model_file))
    inits = {i.name for i in model.graph.initializer}

    def dims(vi):
        return tuple(d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim)

    return {
        "input_tensor_data": [(vi.name, dims(vi)) for vi in model.graph.input if vi.name not in inits],
        "output_tensor_data": [(vi.name, dims(vi)) for vi in model.graph.output],
    }


from . import _import_ops  # noqa: E402, F401 - registers the importers
