"""Imperative autodiff: ``record`` NDArray ops, then ``backward``.

Recording puts one graph node per op call on the output arrays (``arr._ag``),
the same :class:`~mxpy.symbol.node.Node` symbols use, so every operator's
gradient rule serves both. ``backward`` copies the recorded graph reachable
from the heads (nodes freed by an earlier backward are cut off there, as MXNet
does) and runs the gradient pass over it: through an :class:`Executor` in the
common case, or node by node (``_interpret``) when the backward computation
must itself be recorded (``create_graph=True``) or the graph holds a custom
:class:`Function`, whose backward is Python code run on the caller's thread.

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
from contextlib import ContextDecorator

from . import _autograd_plan as _plan
from . import _autograd_sparse
from ._autograd_calls import fold_calls
from ._autograd_higher_order import higher_order_ops
from .backend.cpu_threads import adapt_threads
from .base import MXNetError
from .ndarray import NDArray, dispatch
from .ndarray.creation import copy_into
from .ndarray.ndarray import _new
from .registry import Params, get
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
    "Function",
    "get_symbol",
    "NDArray",
    "Symbol",
]

# MXNet 1.9.1's messages, word for word, so code matching on them keeps working
_NOT_IN_GRAPH = (
    "Cannot differentiate node because it is not in a computational graph. You need to set is_recording to true "
    "or use autograd.record() to save computational graphs for backward. If you want to differentiate the same "
    "graph twice, you need to pass retain_graph=True to backward."
)
_ASSIGN = (
    "Assigning to NDArrays that are already in a computational graph will cause undefined behavior when "
    "evaluating gradients. Please call backward first to clear the graph or do this out side of a record "
    "section. Also note that you cannot use inplace operations like +=, *=, relu(x, out=x), y[idx]=x, etc "
    "inside a record section."
)
_INPLACE = "Inplace operations (+=, -=, x[:]=, etc) are not supported when recording with autograd."
_NO_INPUTS = "There are no inputs in computation graph that require gradients."
_GRAD_REQS = ("write", "add", "null")


class _State(threading.local):
    # class-level defaults: reading an unset flag then raises no AttributeError inside getattr
    recording = False
    training = False


_state = _State()


def _get(name: str, default: bool) -> bool:
    return getattr(_state, name, default)


def is_recording() -> bool:
    """Whether operations are being recorded for autodiff.

    >>> with mx.autograd.record():
    ...     mx.autograd.is_recording()
    True
    """
    return _get("recording", False)


def is_training() -> bool:
    """Whether ops run in training mode (Dropout active, BatchNorm uses batch statistics).

    >>> with mx.autograd.train_mode():
    ...     mx.autograd.is_training()
    True
    """
    return _get("training", False)


def set_recording(is_recording: bool) -> bool:
    """Turn recording on or off; returns the previous state.

    >>> prev = mx.autograd.set_recording(True)
    >>> _ = mx.autograd.set_recording(prev)
    """
    prev = _get("recording", False)
    _state.recording = bool(is_recording)
    dispatch.recorder = _record_op if is_recording else None
    return prev


def set_training(train_mode: bool) -> bool:
    """Turn training mode on or off; returns the previous state.

    >>> prev = mx.autograd.set_training(True)
    >>> _ = mx.autograd.set_training(prev)
    """
    prev = _get("training", False)
    _state.training = bool(train_mode)
    dispatch.is_train = bool(train_mode)
    return prev


class _scope(ContextDecorator):  # noqa: N801 - used as the function it replaced
    """Set recording and/or training (None: leave it) for a ``with`` block, then put them back.

    A class rather than a generator context manager: a training loop enters one per batch,
    and this costs half as much.
    """

    def __init__(self, recording: bool | None, training: bool | None) -> None:
        self.recording = recording
        self.training = training

    def __enter__(self) -> None:
        self.old_r = set_recording(self.recording) if self.recording is not None else None
        self.old_t = set_training(self.training) if self.training is not None else None

    def __exit__(self, *exc) -> None:
        if self.recording is not None:
            set_recording(self.old_r)
        if self.training is not None:
            set_training(self.old_t)


def record(train_mode: bool = True):
    """Record operations inside the block (training mode unless ``train_mode=False``).

    >>> x = mx.nd.ones((2,)); x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = x * 2
    """
    return _scope(True, train_mode)


def pause(train_mode: bool = False):
    """Stop recording inside the block (inference mode unless ``train_mode=True``).

    >>> with mx.autograd.record():
    ...     with mx.autograd.pause():
    ...         mx.autograd.is_recording()
    False
    """
    return _scope(False, train_mode)


def train_mode():
    """Training-mode behaviour inside the block, recording unchanged.

    >>> with mx.autograd.train_mode():
    ...     y = mx.nd.Dropout(mx.nd.ones((4,)), p=0.5)
    """
    return _scope(None, True)


def predict_mode():
    """Inference-mode behaviour inside the block, recording unchanged.

    >>> with mx.autograd.record():
    ...     with mx.autograd.predict_mode():
    ...         mx.autograd.is_training()
    False
    """
    return _scope(None, False)


# -- marking variables ------------------------------------------------------------------------


class _Mark:
    """Autograd data of a marked variable: its graph node and gradient request."""

    __slots__ = ("node", "grad_req", "fresh")

    def __init__(self, node: Node, grad_req: str):
        self.node = node
        self.grad_req = grad_req
        self.fresh = False  # set by backward; gluon's Trainer clears it (stale-gradient check)


def mark_variables(variables, gradients, grad_reqs="write") -> None:
    """Make ``variables`` differentiable: ``backward`` writes their gradients into ``gradients``.

    ``grad_reqs`` is ``'write'``, ``'add'`` (accumulate) or ``'null'``, one for
    all or one per variable.

    >>> x, gx = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mx.autograd.mark_variables([x], [gx], grad_reqs="add")
    """
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    variables, gradients = list(variables), list(gradients)
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    if len(gradients) != len(variables) or len(reqs) != len(variables):
        raise MXNetError(f"mark_variables: got {len(variables)} variables, {len(gradients)} gradients and {len(reqs)} grad_reqs; they must match")
    for k, (v, g, r) in enumerate(zip(variables, gradients, reqs)):
        if not isinstance(v, NDArray) or not isinstance(g, NDArray):
            raise TypeError(f"mark_variables: variables[{k}] and gradients[{k}] must be NDArrays, got {type(v).__name__} and {type(g).__name__}")
        if r not in _GRAD_REQS:
            raise KeyError(f"mark_variables: grad_req must be 'write', 'add' or 'null', got {r!r}")
        if g.shape != v.shape:
            raise MXNetError(f"mark_variables: gradients[{k}] has shape {g.shape}, expected {v.shape} (the variable's)")
    global _sparse_grads
    for v, g, r in zip(variables, gradients, reqs):
        v._grad = g
        v._ag = (_Mark(Node(None, "var", {}, []), r), 0)
        if g.stype != "default":
            _sparse_grads = True


def _attach_grad(self: NDArray, grad_req: str = "write", stype=None) -> None:
    """Allocate ``self.grad`` (zeros) and mark this array for autodiff.

    >>> x = mx.nd.array([1.0, 2.0]); x.attach_grad(grad_req="add")
    """
    if grad_req not in _GRAD_REQS:
        raise KeyError(f"attach_grad: grad_req must be 'write', 'add' or 'null', got {grad_req!r}")
    if stype is None:
        stype = self.stype  # a sparse array's gradient has its storage type, as MXNet
    if stype != "default":
        from .ndarray.sparse import zeros as sparse_zeros

        mark_variables([self], [sparse_zeros(stype, self.shape, self._ctx, self.dtype)], grad_req)
        return
    g = _new(self._ctx, self.shape, self._data.dtype)
    g._data[...] = 0
    mark_variables([self], [g], grad_req)


# -- recording --------------------------------------------------------------------------------


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


def _record_op(op, p, inputs, outputs, force: bool = False) -> None:
    """The recorder hook: check MXNet's in-place rules and put a node on the outputs."""
    for o in outputs:
        if o._ag is not None:
            raise MXNetError(f"{op.name}: {_ASSIGN}")
    # one pass over the inputs: their graph entries, and whether anything differentiable flows in
    entries = []
    live = force
    consts: dict = {}
    for a in inputs:
        ag = a._ag
        if ag is None:
            entries.append(None)
        else:
            live = True
            src = ag[0]
            entries.append((src.node, 0) if type(src) is _Mark else ag)
    if not live:
        return  # nothing differentiable flows in: constants stay plain arrays
    for o in outputs:
        for a in inputs:
            if o is a:
                raise MXNetError(f"{op.name}: {_INPLACE}")
    for k, e in enumerate(entries):
        if e is None:
            entries[k] = _entry_of(inputs[k], consts)
    node = Node(op, op.name.lower(), {}, entries)
    node._params = p
    for j, o in enumerate(outputs):
        o._ag = (node, j)
    # arrays <-> node form a reference cycle, which backward (or the garbage collector) frees
    node.tape = (list(inputs), list(outputs))


# -- the recorded graph, copied for one backward ----------------------------------------------


class _Graph:
    """The recorded graph reachable from some heads, as fresh nodes.

    ``order``: op nodes, inputs first; ``outs``: their output arrays; ``arrays``: (id(node), i) -> NDArray for
    every op output and leaf; ``marks``: id(_Mark) -> (leaf node, array) of the
    marked variables reached; ``leaves``: leaf nodes in first-seen order;
    ``originals``: the recorded nodes copied (freed after a backward).
    """

    __slots__ = ("heads", "order", "outs", "arrays", "marks", "leaves", "originals", "custom")

    def __init__(self):
        self.heads: list = []
        self.order: list[Node] = []
        self.outs: list[list[NDArray]] = []  # per node of ``order``: its output arrays
        self.arrays: dict = {}
        self.marks: dict = {}
        self.leaves: list[Node] = []
        self.originals: list[Node] = []
        self.custom = False


def _collect(heads: list[NDArray]) -> _Graph:
    g = _Graph()
    clones: dict[int, Node] = {}
    leaf_of: dict = {}

    def leaf(src: Node, i: int, arr: NDArray) -> Node:
        ag = arr._ag
        mark = ag[0] if ag is not None and isinstance(ag[0], _Mark) and ag[0].node is src else None
        key = id(mark) if mark is not None else (id(src), i, id(arr))
        node = leaf_of.get(key)
        if node is None:
            node = leaf_of[key] = Node(None, f"_ag_leaf{len(g.leaves)}", {}, [])
            g.leaves.append(node)
            g.arrays[(id(node), 0)] = arr
            if mark is not None:
                g.marks[id(mark)] = (node, arr)
        return node

    def live(src: Node) -> bool:
        return src.op is not None and src.tape is not None

    for h in heads:
        if h._ag is None:
            raise MXNetError(f"backward: {_NOT_IN_GRAPH}")
        src, i = h._ag
        if isinstance(src, _Mark):
            g.heads.append((leaf(src.node, 0, h), 0))
            continue
        stack = [(src, False)]
        while stack:  # iterative post-order: long recorded chains (unrolled RNNs) stay off the C stack
            node, ready = stack.pop()
            if id(node) in clones:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((s, False) for s, _ in node.inputs if live(s) and id(s) not in clones)
                continue
            ins_arrays, outs = node.tape
            inputs = [(clones[id(s)], j) if live(s) else (leaf(s, j, a), 0) for (s, j), a in zip(node.inputs, ins_arrays)]
            c = Node(_HIGHER.get(node.op, node.op), node.name, node.attrs, inputs)
            c._params = node._params
            clones[id(node)] = c
            g.order.append(c)
            g.outs.append(outs)
            g.originals.append(node)
            g.custom = g.custom or isinstance(node.op, _FunctionOp)
            for j, o in enumerate(outs):
                g.arrays[(id(c), j)] = o
        g.heads.append((clones[id(src)], i))
    return g


def _free(g: _Graph) -> None:
    """Drop the recorded graph after a backward without ``retain_graph``, as MXNet does."""
    for node in g.originals:
        if node.tape is None:
            continue
        for o in node.tape[1]:
            if o._ag is not None and o._ag[0] is node:
                o._ag = None
        node.tape = None
        if isinstance(node.op, _FunctionOp):
            # the op's gradient is its own bound method (a reference cycle): let the
            # Function (and what it holds, such as a cached op's executor) go now
            node.op.function = None


def _head_grads(heads: list[NDArray], head_grads) -> list[NDArray]:
    if head_grads is None:
        head_grads = [None] * len(heads)
    elif isinstance(head_grads, NDArray):
        head_grads = [head_grads]
    if len(head_grads) != len(heads):
        raise MXNetError(f"backward: got {len(head_grads)} head gradients for {len(heads)} heads")
    out = []
    for k, (h, hg) in enumerate(zip(heads, head_grads)):
        if hg is None:
            hg = _new(h._ctx, h.shape, h._data.dtype)
            hg._data[...] = 1
        elif not isinstance(hg, NDArray):
            raise TypeError(f"backward: head_grads[{k}] must be an NDArray or None, got {type(hg).__name__}")
        elif hg.shape != h.shape:
            raise MXNetError(f"backward: head_grads[{k}] has shape {hg.shape}, expected {h.shape} (the head's)")
        elif hg.stype != "default":
            hg = hg.tostype("default")  # the gradient pass runs densely
        out.append(hg)
    return out


# -- running the gradient pass ----------------------------------------------------------------


def _run_executor(g: _Graph, hgs: list[NDArray], wanted: list[Node], grads_out: list[NDArray], reqs: list[str], train_mode: bool) -> None:
    """The gradient pass as a bound executor writing into ``grads_out`` (the common case).

    A graph recorded again with the same signature (the next batch of a training
    loop) replays the first one's backward steps (see ``_autograd_plan``).
    """
    key, ext = _plan.signature(g, wanted, reqs, hgs, train_mode)
    ext.extend(grads_out)
    plan, full_key = _plan.lookup(key, ext)
    if plan is not None:  # its key names every op and the wanted variables: checked when built
        plan.run(ext, hgs, train_mode)
        return
    _check_differentiable(g.order, wanted)
    ex = _build_executor(g, wanted, grads_out, reqs, hgs)
    ex.backward(hgs, is_train=train_mode)
    if not ex._group2ctx:
        _plan.store(full_key, ex, ext, g)


def _build_executor(g: _Graph, wanted: list[Node], grads_out: list[NDArray], reqs: list[str], hgs: list[NDArray]):
    from .executor import Executor

    order = topo_order(g.heads)
    aux_ids = aux_variables(order)
    args = [n for n in order if n.op is None and id(n) not in aux_ids]
    aux = [n for n in order if n.op is None and id(n) in aux_ids]
    want = {id(n): k for k, n in enumerate(wanted)}
    grad_arrays = [grads_out[want[id(n)]] if id(n) in want else None for n in args]
    grad_reqs = [reqs[want[id(n)]] if id(n) in want else "null" for n in args]
    leaf_ids = {id(n) for n in args + aux}
    recorded = {k: a for k, a in g.arrays.items() if k[0] not in leaf_ids}
    arg_arrays = [g.arrays[(id(n), 0)] for n in args]
    aux_arrays = [g.arrays[(id(n), 0)] for n in aux]
    ctx = g.arrays[(id(args[0]), 0)]._ctx if args else hgs[0]._ctx
    group2ctx = _place_by_context(g, ctx)
    return Executor(Symbol(g.heads), ctx, arg_arrays, grad_arrays, grad_reqs, aux_arrays, recorded=recorded, group2ctx=group2ctx)


def _place_by_context(g: _Graph, default) -> dict | None:
    """Heads recorded on several contexts (one loss per device, as data-parallel Gluon code
    does): each node's backward runs where its forward ran, through the executor's
    ``__ctx_group__`` placement (gradient nodes inherit the group). None: one context."""
    ctx_of = {id(node): g.arrays[(id(node), 0)]._ctx for node in g.order}
    if all(c == default for c in ctx_of.values()):
        return None
    groups: dict = {}
    for node in g.order:  # the copied nodes of this backward; the recorded ones keep their attrs
        c = ctx_of[id(node)]
        groups[str(c)] = c
        node.attrs = {**node.attrs, "__ctx_group__": str(c)}
    return groups


def _check_differentiable(order: list[Node], wanted: list[Node]) -> None:
    depends = {id(n) for n in wanted}
    for node in order:
        if any(id(s) in depends for s, _ in node.inputs):
            if node.op.gradient is None:
                raise MXNetError(f"Operator {node.op.name} is non-differentiable because it didn't register FGradient attribute.")
            depends.add(id(node))


def _run_node(op, p, ins: list[NDArray], train_mode: bool) -> list[NDArray]:
    out_shapes, out_types = dispatch.infer(op, p, [a._data.shape for a in ins], [a._data.dtype for a in ins], ins)
    ctx = ins[0]._ctx
    outs = [_new(ctx, s, t) for s, t in zip(out_shapes, out_types)]
    dispatch._push(op, p, ins, outs, ctx, train_mode)
    return outs


def _op_key(node: Node):
    """A recorded node's op in a plan signature: a Function call's node is new on every
    call, but its gradient graph only depends on how many inputs it has."""
    op = node.op
    if type(op) is _FunctionOp:
        return (_FunctionOp, op.n_in, type(op.function))
    return op, id(node._params)


def _interpret(g: _Graph, hgs: list[NDArray], wanted: list[Node], create_graph: bool, train_mode: bool, reuse: bool = False) -> list[NDArray | None]:
    """The gradient pass node by node; with ``create_graph`` every step is recorded.

    Returns one fresh gradient array per ``wanted`` leaf (None: no gradient reaches it).
    ``reuse``: the graph is freed after this pass, so its gradient graph may be kept
    for the next graph of the same signature (see ``_autograd_plan.Interpreted``).
    """
    key = None
    if reuse and not create_graph:
        key, _ = _plan.signature(g, wanted, (), hgs, train_mode, _op_key)
        tpl = _plan.lookup_interpreted(key)
        if tpl is not None:
            vals, functions = tpl.bind(g, hgs)
            return _run_gradient(tpl.bwd, tpl.entries, tpl.made, vals, functions, False, train_mode)
    from .graph.gradient import build_gradient

    vals = dict(g.arrays)
    hg_entries = []
    hg_nodes: list = []
    for (node, _i), hg in zip(g.heads, hgs):
        if node.op is not None and node.is_loss():
            hg_entries.append(None)
            hg_nodes.append(None)
            continue
        v = Node(None, "_head_grad", {}, [])
        vals[(id(v), 0)] = hg
        hg_entries.append((v, 0))
        hg_nodes.append(v)
    bwd, entries = build_gradient(g.order, g.heads, hg_entries, wanted)
    made = {(id(n), j) for n in bwd for j in range(n.num_outputs())}
    functions = {id(n): n.op.source.op.function for n in bwd if type(n.op) is _FunctionBackwardOp}
    result = _run_gradient(bwd, entries, made, vals, functions, create_graph, train_mode)
    if key is not None:
        _plan.store_interpreted(key, _plan.Interpreted(g, hg_nodes, bwd, entries, made, _FunctionBackwardOp))
    return result


def _run_gradient(bwd: list[Node], entries: list, made: set, vals: dict, functions: dict, create_graph: bool, train_mode: bool) -> list[NDArray | None]:
    copy_op = get("_copy")
    prev = set_recording(False)
    try:
        for node in bwd:
            ins = [vals[(id(s), i)] for s, i in node.inputs]
            if type(node.op) is _FunctionBackwardOp:
                outs = node.op.run(ins, train_mode, functions[id(node)])
            else:
                outs = _run_node(node.op, node.params, ins, train_mode)
                if create_graph:
                    _record_op(node.op, node.params, ins, outs, force=True)
            for j, o in enumerate(outs):
                vals[(id(node), j)] = o
        result: list[NDArray | None] = []
        seen: set = set()
        for e in entries:
            if e is None:
                result.append(None)
                continue
            key = (id(e[0]), e[1])
            arr = vals[key]
            if key not in made or key in seen:  # an existing array (a head gradient, say): hand out a copy
                (arr,) = _run_node(copy_op, Params(), [arr], train_mode)
                if create_graph:
                    _record_op(copy_op, Params(), [vals[key]], [arr], force=True)
            seen.add(key)
            result.append(arr)
    finally:
        set_recording(prev)
    return result


def _zeros_for(v: NDArray, create_graph: bool) -> NDArray:
    if create_graph:  # recorded, so a later backward sees a (zero) dependence on v
        with _scope(True, None):
            return dispatch.invoke(get("zeros_like"), (v,), {})
    out = _new(v._ctx, v.shape, v._data.dtype)
    out._data[...] = 0
    return out


# -- public entry points ----------------------------------------------------------------------


def backward(heads, head_grads=None, retain_graph: bool = False, train_mode: bool = True) -> None:
    """Compute gradients of ``heads`` into every marked variable's ``.grad``.

    ``head_grads`` (one per head, None: ones) weight the heads; the recorded
    graph is freed afterwards unless ``retain_graph=True``.

    >>> x = mx.nd.array([1.0, 2.0]); x.attach_grad()
    >>> with mx.autograd.record():
    ...     y, z = x * 2, x * x
    >>> mx.autograd.backward([y, z], [mx.nd.ones((2,)), mx.nd.ones((2,))])
    >>> x.grad.asnumpy().tolist()
    [4.0, 6.0]
    """
    if isinstance(heads, NDArray):
        heads = [heads]
    heads = list(heads)
    for h in heads:
        if not isinstance(h, NDArray) or h._ag is None:
            raise MXNetError(f"backward: {_NOT_IN_GRAPH}")
    adapt_threads()  # imperative training's one call per batch: OpenBLAS on the cores left free
    hgs = _head_grads(heads, head_grads)
    if not _sparse_grads and _plan.replay(heads, hgs, retain_graph, train_mode, _Mark, _HIGHER, _FunctionOp):
        return
    g = _collect(heads)
    marked = [(n, arr) for n, arr in g.marks.values() if arr._ag[0].grad_req != "null"]
    if not marked:
        raise MXNetError(f"backward: {_NO_INPUTS}")
    nodes = [n for n, _ in marked]
    reqs = [arr._ag[0].grad_req for _, arr in marked]
    grads = [arr._grad for _, arr in marked]
    stand_ins = _autograd_sparse.stand_ins(grads, reqs) if _sparse_grads else None
    if stand_ins:
        grads = [d for d, _ in stand_ins]
        reqs = ["write" if sp is not None else r for (_, sp), r in zip(stand_ins, reqs)]
    if g.custom:
        _check_differentiable(g.order, nodes)
        results = _interpret(g, hgs, nodes, False, train_mode, reuse=not retain_graph)
        prev = set_recording(False)
        try:
            for grad, r, req in zip(grads, results, reqs):
                if r is None:
                    if req == "write":
                        grad[:] = 0
                elif req == "add":
                    grad += r
                else:
                    copy_into(r, grad)
        finally:
            set_recording(prev)
    else:
        _run_executor(g, hgs, nodes, grads, reqs, train_mode)
    if stand_ins:
        _autograd_sparse.store(stand_ins)
    for _, arr in marked:
        arr._ag[0].fresh = True
    if not retain_graph:
        _free(g)


# True once a sparse gradient buffer was marked: only then does backward look for them
_sparse_grads = False


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph: bool = False, train_mode: bool = True):
    """Gradients of ``heads`` with respect to ``variables``, returned as a list (``.grad`` untouched).

    With ``create_graph=True`` the gradient computation is itself recorded, so
    the results can be differentiated again (second-order gradients);
    ``retain_graph`` defaults to ``create_graph``.

    >>> x = mx.nd.array([0.5, 1.0]); x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = mx.nd.sin(x)
    ...     dy = mx.autograd.grad(y, [x], create_graph=True)[0]
    >>> dy.backward()
    >>> x.grad.asnumpy().round(4).tolist()   # -sin(x)
    [-0.4794, -0.8415]
    """
    if isinstance(heads, NDArray):
        heads = [heads]
    heads = list(heads)
    variables = [variables] if isinstance(variables, NDArray) else list(variables)
    if retain_graph is None:
        retain_graph = create_graph
    for h in heads:
        if not isinstance(h, NDArray) or h._ag is None:
            raise MXNetError(f"grad: {_NOT_IN_GRAPH}")
    for k, v in enumerate(variables):
        if not isinstance(v, NDArray) or v._ag is None or not isinstance(v._ag[0], _Mark):
            raise MXNetError(f"grad: Cannot differentiate with respect to the {k + 1}-th variable because it does not require gradient.")
    hgs = _head_grads(heads, head_grads)
    g = _collect(heads)
    nodes = []
    for k, v in enumerate(variables):
        hit = g.marks.get(id(v._ag[0]))
        if hit is None:
            raise MXNetError(f"grad: Cannot differentiate with respect to the {k + 1}-th variable because it is unreachable from the outputs.")
        nodes.append(hit[0])
    if create_graph or g.custom:
        _check_differentiable(g.order, nodes)
        results = _interpret(g, hgs, nodes, create_graph, train_mode)
        outs = [r if r is not None else _zeros_for(v, create_graph) for r, v in zip(results, variables)]
    else:
        outs = [_new(v._ctx, v.shape, v._data.dtype) for v in variables]
        _run_executor(g, hgs, nodes, outs, ["write"] * len(outs), train_mode)
    if not retain_graph:
        _free(g)
    return outs


def get_symbol(x: NDArray):
    """The recorded computation that produced ``x``, as a Symbol (``mx.autograd.get_symbol(y)``)."""
    if x._ag is None:
        raise MXNetError(f"get_symbol: {_NOT_IN_GRAPH}")
    g = _collect([x])
    return Symbol(fold_calls(g.order, g.heads))


def _get_fresh_grad(self: NDArray) -> bool:
    ag = self._ag
    return ag is not None and isinstance(ag[0], _Mark) and ag[0].fresh


def _set_fresh_grad(self: NDArray, value: bool) -> None:
    ag = self._ag
    if ag is not None and isinstance(ag[0], _Mark):
        ag[0].fresh = bool(value)


NDArray.attach_grad = _attach_grad
# MXNet's flag: has a backward written this variable's gradient since it was last cleared
NDArray._fresh_grad = property(_get_fresh_grad, _set_fresh_grad)
NDArray.backward = lambda self, out_grad=None, retain_graph=False, train_mode=True: backward(
    [self], None if out_grad is None else [out_grad], retain_graph, train_mode
)
_HIGHER = higher_order_ops()

# custom differentiable functions live beside: they need _record_op/_scope from here
from ._autograd_function import Function, _FunctionBackwardOp, _FunctionOp  # noqa: E402
