"""``SymbolBlock``: a Block made from a Symbol (exported models, pieces of networks).

>>> import mxpy as mx
>>> data = mx.sym.var("data")
>>> out = mx.sym.FullyConnected(data, num_hidden=2, name="fc")
>>> blk = mx.gluon.SymbolBlock(out, data)
>>> blk.initialize()
>>> blk(mx.nd.ones((3, 4))).shape
(3, 2)
"""

from __future__ import annotations

import copy
import os

import numpy as np

from .. import symbol as sym
from ..ndarray import NDArray
from .block import HybridBlock, _flatten, _regroup
from .parameter import ParameterDict

__all__ = ["SymbolBlock"]


def _param_types(inputs: list, out, names: list[str], aux_names: list[str]):
    """The dtypes of the graph's parameters from the inputs' declared dtypes (float32 when unknown)."""
    given = {}
    for i in inputs:
        dt = i.attr("__dtype__")
        given[i.name] = np.dtype(dt) if dt is not None and not dt.isdigit() else np.float32
    try:
        arg_types, _, aux_types = out.infer_type(**given)
    except Exception:  # noqa: BLE001 - an untyped graph just gets float32 parameters, as MXNet falls back
        arg_types = aux_types = None
    if arg_types is None:
        return [np.float32] * len(names), [np.float32] * len(aux_names)
    return list(arg_types), list(aux_types)


class SymbolBlock(HybridBlock):
    """Run the Symbol ``outputs`` as a Block whose inputs are the variables ``inputs``.

    Every other variable of the graph becomes a Parameter named as in the
    graph (so a checkpoint's ``arg:``/``aux:`` arrays load by name); pass
    ``params`` to reuse existing Parameters.
    """

    @staticmethod
    def imports(symbol_file, input_names, param_file=None, ctx=None, allow_missing=False, ignore_extra=False):
        """A SymbolBlock from ``export``'s files (``path-symbol.json``, ``path-0000.params``).

        >>> net = mx.gluon.nn.HybridSequential(); net.add(mx.gluon.nn.Dense(2, in_units=3))
        >>> net.initialize(); net.hybridize(); _ = net(mx.nd.ones((1, 3)))
        >>> _ = net.export("/tmp/doc_dense")
        >>> blk = mx.gluon.SymbolBlock.imports("/tmp/doc_dense-symbol.json", ["data"], "/tmp/doc_dense-0000.params")
        >>> blk(mx.nd.ones((1, 3))).shape
        (1, 2)
        """
        graph = sym.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        known = graph.list_inputs()
        wrong = [n for n in input_names if n not in known]
        if wrong:
            raise ValueError(
                f"SymbolBlock.imports: input name(s) {wrong} are not variables of the symbol in {os.path.basename(symbol_file)}; its inputs are {known}"
            )
        if param_file is None:
            inputs = [sym.var(n, dtype="float32") for n in input_names]
        else:
            inputs = [sym.var(n) for n in input_names]
        ret = SymbolBlock(graph, inputs)
        if param_file is not None:
            ret.collect_params().load(param_file, ctx, allow_missing, ignore_extra, cast_dtype=True, dtype_source="saved")
        return ret

    def __init__(self, outputs, inputs, params=None):
        super().__init__(prefix=None, params=None)
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, sym.Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = _flatten(inputs, "input")
        out, self._out_format = _flatten(outputs, "output")
        out = sym.Group(out) if len(out) > 1 else out[0]
        graph_inputs = out.list_inputs()
        input_names = set()
        for i in syms:
            if len(i.get_internals().list_outputs()) != 1:
                raise AssertionError(f"Input symbols must be variable, but {i} is an output of operators")
            if i.name not in graph_inputs:
                raise ValueError(f"SymbolBlock: input {i.name!r} is not a variable of the output symbol; its variables are {graph_inputs}")
            input_names.add(i.name)
        for name, attrs in out.attr_dict().items():  # as MXNet: row_sparse parameters are not supported here
            if attrs.get("__storage_type__") == "1":
                raise AssertionError(f"SymbolBlock doesn't support Parameter '{name}' because its storage type is 'row_sparse'.")
        arg_params = out.list_arguments()
        aux_params = out.list_auxiliary_states()
        arg_types, aux_types = _param_types(syms, out, arg_params, aux_params)
        for name, dt in zip(arg_params, arg_types):
            if name not in input_names:
                self.params.get(name, allow_deferred_init=True, dtype=dt)
        for name, dt in zip(aux_params, aux_types):
            if name not in input_names:
                self.params.get(name, grad_req="null", allow_deferred_init=True, dtype=dt)
        self._cached_graph = syms, out
        prefix = os.path.commonprefix(list(self._params.keys())) if len(self._params) > 1 else ""
        self._reg_params = {key[len(prefix) :]: val for key, val in self._params.items()}

    def forward(self, x, *args):
        if isinstance(x, NDArray):
            with x.context:
                return self._call_cached_op(x, *args)
        if not isinstance(x, sym.Symbol):
            raise TypeError(f"HybridBlock input must be (nested) list of Symbol or NDArray, but got {x} of type {type(x)}")
        flat, fmt = _flatten([x, *args], "input")
        if fmt != self._in_format:
            raise ValueError("Invalid input format")
        ret = copy.copy(self._cached_graph[1])
        ret._compose(**{k.name: v for k, v in zip(self._cached_graph[0], flat)})
        outs = [ret[i] for i in range(len(ret.list_outputs()))]
        return _regroup(outs, self._out_format)[0]

    def _clear_cached_op(self) -> None:
        graph = self._cached_graph
        super()._clear_cached_op()
        self._cached_graph = graph

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise AssertionError("SymbolBlock runs its Symbol directly; hybrid_forward is never called")
