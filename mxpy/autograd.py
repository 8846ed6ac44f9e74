"""Imperative autodiff: ``record`` NDArray ops, then ``backward``.

Recording builds the same graph nodes symbols use (one per op call), and
``backward`` runs the same gradient pass as executors over it, so every
operator's gradient rule serves both.

>>> import mxpy as mx
>>> x = mx.nd.array([1.0, 2.0, 3.0])
>>> x.attach_grad()
>>> with mx.autograd.record():
...     y = x * x
>>> y.backward()
>>> x.grad.asnumpy().tolist()
[2.0, 4.0, 6.0]
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from .base import MXNetError
from .ndarray import NDArray, dispatch
from .ndarray.ndarray import _new
from .registry import Param
from .symbol.node import Node, aux_variables, topo_order
from .symbol.symbol import Symbol

__all__ = [
    "record",
    "pause",
    "train_mode",
    "predict_mode",
    "is_recording",
    "is_training",
    "mark_variables",
    "backward",
    "grad",
    "set_recording",
    "set_training",
]

_state = threading.local()


def _get(name: str, default: bool) -> bool:
    return getattr(_state, name, default)


def is_recording() -> bool:
    """Whether operations are being recorded for autodiff."""
    return _get("recording", False)


def is_training() -> bool:
    """Whether ops run in training mode (Dropout active, BatchNorm uses batch statistics)."""
    return _get("training", False)


def set_recording(is_recording: bool) -> bool:
    """Turn recording on or off; returns the previous state."""
    prev = _get("recording", False)
    _state.recording = bool(is_recording)
    dispatch.recorder = _record_op if is_recording else None
    return prev


def set_training(train_mode: bool) -> bool:
    """Turn training mode on or off; returns the previous state."""
    prev = _get("training", False)
    _state.training = bool(train_mode)
    dispatch.is_train = bool(train_mode)
    return prev


@contextmanager
def _scope(recording: bool | None, training: bool | None):
    old_r = set_recording(recording) if recording is not None else None
    old_t = set_training(training) if training is not None else None
    try:
        yield
    finally:
        if recording is not None:
            set_recording(old_r)
        if training is not None:
            set_training(old_t)


def record(train_mode: bool = True):
    """Record operations inside the block (training mode unless ``train_mode=False``)."""
    return _scope(True, train_mode)


def pause(train_mode: bool = False):
    """Stop recording inside the block."""
    return _scope(False, train_mode)


def train_mode():
    """Training-mode behaviour inside the block, recording unchanged."""
    return _scope(None, True)


def predict_mode():
    """Inference-mode behaviour inside the block, recording unchanged."""
    return _scope(None, False)


class _Mark:
    """Autograd data of a marked variable: its gradient array and request."""

    __slots__ = ("node", "grad_req")

    def __init__(self, node: Node, grad_req: str):
        self.node = node
        self.grad_req = grad_req


def mark_variables(variables, gradients, grad_reqs="write") -> None:
    """Attach gradient buffers to arrays so ``backward`` fills them."""
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    for v, g, r in zip(variables, gradients, reqs):
        if r not in ("write", "add", "null"):
            raise ValueError(f"mark_variables: grad_req must be write, add or null, got {r!r}")
        v._grad = g
        v._ag = (_Mark(Node(None, f"var{id(v)}", {}, []), r), 0)


def _attach_grad(self: NDArray, grad_req: str = "write", stype=None) -> None:
    """Allocate ``self.grad`` (zeros) and mark this array for autodiff."""
    g = _new(self._ctx, self.shape, self._data.dtype)
    g._data[...] = 0
    mark_variables([self], [g], grad_req)


def _entry_of(arr: NDArray, consts: dict) -> tuple:
    ag = arr._ag
    if ag is not None:
        src, i = ag
        return (src.node, 0) if isinstance(src, _Mark) else (src, i)
    node = consts.get(id(arr))
    if node is None:
        node = consts[id(arr)] = Node(None, "const", {}, [])
        node.tape = arr
    return (node, 0)


def _record_op(op, p, inputs, outputs) -> None:
    if not any(a._ag is not None for a in inputs):
        return
    consts: dict = {}
    node = Node(op, op.name.lower(), {}, [_entry_of(a, consts) for a in inputs])
    node._params = p
    for j, o in enumerate(outputs):
        o._ag = (node, j)
    # arrays <-> node form a reference cycle, which the garbage collector frees
    node.tape = (list(inputs), list(outputs))


def _arrays_of(order: list[Node]) -> dict:
    """Map every entry of a recorded graph to its NDArray."""
    out: dict = {}
    for node in order:
        if node.op is None:
            if node.tape is not None:
                out[(id(node), 0)] = node.tape
            continue
        ins, outs = node.tape
        for (src, i), a in zip(node.inputs, ins):
            out.setdefault((id(src), i), a)
        for j, o in enumerate(outs):
            out[(id(node), j)] = o
    return out


def _run_backward(heads, head_grads, variables, grads_out, reqs, train_mode: bool) -> None:
    from .executor import Executor

    entries = []
    for h in heads:
        if h._ag is None:
            raise MXNetError("backward: the head array was not computed inside autograd.record() from a marked variable")
        entries.append(_entry_of(h, {}))
    order = topo_order(entries)
    arrays = _arrays_of(order)
    for v in variables:
        mark = v._ag[0] if v._ag is not None else None
        if not isinstance(mark, _Mark):
            raise MXNetError("backward: a variable was not marked with attach_grad()/mark_variables()")
        arrays[(id(mark.node), 0)] = v
    aux_ids = aux_variables(order)
    var_nodes = [n for n in order if n.op is None and id(n) not in aux_ids]
    aux_nodes = [n for n in order if n.op is None and id(n) in aux_ids]
    var_arrays = [arrays[(id(n), 0)] for n in var_nodes]
    aux_arrays = [arrays[(id(n), 0)] for n in aux_nodes]
    wanted = {id(v._ag[0].node): k for k, v in enumerate(variables)}
    grad_arrays = [grads_out[wanted[id(n)]] if id(n) in wanted else None for n in var_nodes]
    grad_reqs = [reqs[wanted[id(n)]] if id(n) in wanted else "null" for n in var_nodes]
    # variables the heads do not depend on get zero gradients for 'write'
    seen = {id(n) for n in var_nodes}
    for k, v in enumerate(variables):
        if id(v._ag[0].node) not in seen and reqs[k] == "write":
            grads_out[k][:] = 0
    sym = Symbol(entries)
    _patch_names(var_nodes, aux_nodes)
    bound = {(id(n), 0) for n in var_nodes + aux_nodes}
    recorded = {k: a for k, a in arrays.items() if k not in bound}
    ex = Executor(sym, heads[0]._ctx, var_arrays, grad_arrays, grad_reqs, aux_arrays, recorded=recorded)
    hg = []
    for h, g in zip(heads, head_grads if head_grads is not None else [None] * len(heads)):
        if g is None:
            g = _new(h._ctx, h.shape, h._data.dtype)
            g._data[...] = 1
        hg.append(g)
    ex.backward(hg, is_train=train_mode)


def _patch_names(var_nodes: list[Node], aux_nodes: list[Node]) -> None:
    # list_arguments() of the tape symbol must be unique names
    for k, n in enumerate(var_nodes):
        n.name = f"_ag_var{k}"
    for k, n in enumerate(aux_nodes):
        n.name = f"_ag_aux{k}"


def backward(heads, head_grads=None, retain_graph: bool = False, train_mode: bool = True) -> None:
    """Compute gradients of ``heads`` into every marked variable's ``.grad``."""
    if isinstance(heads, NDArray):
        heads = [heads]
        head_grads = [head_grads] if isinstance(head_grads, NDArray) else head_grads
    variables = _marked_in(heads)
    _run_backward(heads, head_grads, variables, [v._grad for v in variables], [v._ag[0].grad_req for v in variables], train_mode)


def _marked_in(heads) -> list[NDArray]:
    entries = [_entry_of(h, {}) for h in heads if h._ag is not None]
    out = []
    for node in topo_order(entries):
        if node.op is None:
            continue
        for a in node.tape[0]:
            if a._ag is not None and isinstance(a._ag[0], _Mark) and a._ag[0].grad_req != "null" and all(a is not b for b in out):
                out.append(a)
    return out


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph: bool = False, train_mode: bool = True):
    """Gradients of ``heads`` with respect to ``variables``, returned (``.grad`` untouched)."""
    if create_graph:
        raise MXNetError("autograd.grad: create_graph=True (higher-order gradients) is not supported by mxpy yet")
    single = isinstance(variables, NDArray)
    variables = [variables] if single else list(variables)
    heads = [heads] if isinstance(heads, NDArray) else list(heads)
    outs = [_new(v._ctx, v.shape, v._data.dtype) for v in variables]
    _run_backward(heads, head_grads, variables, outs, ["write"] * len(variables), train_mode)
    return outs[0] if single else outs


NDArray.attach_grad = _attach_grad
NDArray.backward = lambda self, out_grad=None, retain_graph=False, train_mode=True: backward(
    [self], None if out_grad is None else [out_grad], retain_graph, train_mode
)
_ = Param
