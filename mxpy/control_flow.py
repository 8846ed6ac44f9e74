"""Control-flow operators: ``foreach`` (``mx.nd.contrib.foreach`` / ``mx.sym.contrib.foreach``).

Imperatively, ``foreach`` is a Python loop over the first axis of ``data``
(autograd records each step). Symbolically, the loop body is traced once
into a graph of its own, and one ``_foreach`` node runs that graph for every
slice: MXNet's operator, with its parameters (``num_args``, ``num_outputs``,
``num_out_data``, ``in_data_locs``, ``in_state_locs``, ``remain_locs``) and the
body kept as the node's subgraph (``Node.subgraphs``, JSON ``"subgraphs"``).

The node's kernel binds the body to an :class:`~mxpy.executor.Executor` once
per input signature and runs it step by step; its gradient
(``_backward_foreach``) runs the body again forward to rebuild each step's
states, then backward from the last step to the first, carrying the state
gradients and summing the gradients of the arrays the body reads from
outside (its parameters). Random operators inside the body draw again in that
second forward pass.

>>> import mxpy as mx
>>> step = lambda x, s: (x + s[0], [x + s[0]])
>>> outs, states = mx.nd.contrib.foreach(step, mx.nd.arange(4), [mx.nd.zeros((1,))])
>>> outs.asnumpy().ravel().tolist(), states[0].asnumpy().tolist()
([0.0, 1.0, 3.0, 6.0], [6.0])
"""

from __future__ import annotations

import collections
import contextlib

import numpy as np

from . import engine as _engine
from . import registry
from .attribute import AttrScope
from .base import MXNetError
from .name import NameManager
from .ndarray import NDArray
from .ndarray.creation import copy_into
from .ndarray.ndarray import _wrap
from .registry import OpDef, Param, Params, ShapeError
from .symbol import Symbol
from .symbol.node import Node, topo_order
from .symbol.symbol import _stored_key

__all__ = ["LoopBodyError", "foreach_nd", "foreach_sym"]


class LoopBodyError(MXNetError, AssertionError):
    """A loop body that breaks a rule of ``foreach`` (an unused data array or state,
    states returned in another structure, inputs with clashing names).

    An ``MXNetError``, and an ``AssertionError`` as MXNet raises there.
    """


# -- nested lists of arrays: flatten and rebuild ---------------------------------------------------
def _flatten(args, kind: type, what: str) -> tuple[list, object]:
    """The arrays of a nested list, and its shape (a count per level) to rebuild it."""
    if isinstance(args, kind):
        return [args], 0
    if not isinstance(args, (list, tuple)):
        raise TypeError(f"foreach: {what} must be a {kind.__name__} or a (nested) list of them, given {type(args).__name__}")
    flat, fmts = [], []
    for a in args:
        f, fmt = _flatten(a, kind, what)
        flat.extend(f)
        fmts.append(fmt)
    return flat, fmts


def _regroup(flat: list, fmt):
    """Inverse of :func:`_flatten`: ``(nested, rest)``."""
    if isinstance(fmt, int):
        return flat[0], flat[1:]
    out = []
    for f in fmt:
        item, flat = _regroup(flat, f)
        out.append(item)
    return out, flat


# -- imperative -------------------------------------------------------------------------------------
def foreach_nd(body, data, init_states):
    """Run ``body(data[i], states) -> (outputs, new_states)`` for each ``i`` along axis 0.

    ``data`` is an NDArray or a (nested) list of NDArrays with the same first
    dimension; ``init_states`` an NDArray or a (nested) list. Returns
    ``(outputs, states)``: each output stacked over the steps (axis 0), in
    the structure ``body`` returns them, and the last states.

    >>> import mxpy as mx
    >>> outs, s = mx.nd.contrib.foreach(lambda x, s: (x * 2, s + x), mx.nd.ones((3, 2)), mx.nd.zeros((2,)))
    >>> outs.shape, s.asnumpy().tolist()
    ((3, 2), [3.0, 3.0])
    """
    from .ndarray import stack

    flat_data, data_fmt = _flatten(data, NDArray, "data")
    _flatten(init_states, NDArray, "init_states")
    if not flat_data:
        raise MXNetError("foreach: data is empty; give at least one NDArray to iterate over")
    n = flat_data[0].shape[0]
    for d in flat_data:
        if d.shape[0] != n:
            raise MXNetError(f"foreach: every data array must have the same first dimension, given {[x.shape for x in flat_data]}")
    states = init_states
    steps, fmt = [], None
    for i in range(n):
        outs, states = body(_regroup([d[i] for d in flat_data], data_fmt)[0], states)
        flat, fmt = _flatten(outs, NDArray, "the outputs of body")
        steps.append(flat)
    if not fmt and fmt != 0:  # body returned no outputs: an empty list, as MXNet
        return [], states
    stacked = [stack(*column, axis=0) for column in zip(*steps)]
    return _regroup(stacked, fmt)[0], states


# -- the _foreach operator --------------------------------------------------------------------------
class _ForeachParams(Params):
    """Parsed ``_foreach`` parameters; ``subgraph`` (the body Symbol) and ``execs`` ride as attributes."""

    __slots__ = ("subgraph", "input_names", "arg_names", "aux_names", "execs")

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self):
        # copies and pickles carry the body as its JSON and bind their own executors
        return (_params_from, (dict(self), self.subgraph.tojson()))


def _params_from(items: dict, body_json: str) -> Params:
    from .symbol import load_json

    return FOREACH.parse({**{k: Param.format(v) for k, v in items.items()}, "__subgraphs__": [load_json(body_json)]})


def _locs(p) -> tuple[list[int], list[int], list[int]]:
    return list(p.in_data_locs), list(p.in_state_locs), list(p.remain_locs)


class _ForeachDef(OpDef):
    """``_foreach``: inputs are the data arrays, the initial states, then the arrays the body reads from outside."""

    def __init__(self) -> None:
        super().__init__(
            "_foreach",
            self._kernel,
            params={
                "num_args": Param("int", doc="number of inputs, counting the body graph as MXNet does (arrays + 1)", low=1),
                "num_outputs": Param("int", doc="outputs of the body: data outputs, then the new states"),
                "num_out_data": Param("int", doc="how many of the body's outputs are per-step data (stacked on axis 0)"),
                "in_state_locs": Param("shape", doc="where the states sit among the body's inputs"),
                "in_data_locs": Param("shape", doc="where the data slices sit among the body's inputs"),
                "remain_locs": Param("shape", doc="where the other inputs (parameters, outer arrays) sit among the body's inputs"),
            },
            inputs=lambda p: [f"data{i}" for i in range(p.num_args - 1)],
            outputs=lambda p: [f"output{i}" for i in range(p.num_outputs)],
            variadic="data",  # MXNet's key_var_num_args: the arrays come as *data
            infer_shape=self._infer_shape,
            infer_type=self._infer_type,
            gradient=self._gradient,
            doc=(
                "Run a loop body graph over the first axis of its data inputs (``mx.sym.contrib.foreach`` makes it).\n\n"
                "Parameters\n----------\nnum_args : int\n    Number of inputs + 1 (the body graph).\n"
                "num_outputs : int\n    Body outputs: data outputs then states.\nnum_out_data : int\n    Data outputs.\n"
                "in_state_locs : Shape\n    Positions of the states among the body's inputs.\n"
                "in_data_locs : Shape\n    Positions of the data slices among the body's inputs.\n"
                "remain_locs : Shape\n    Positions of the remaining inputs among the body's inputs."
            ),
        )

    def parse(self, kwargs) -> Params:
        subgraphs = kwargs.get("__subgraphs__") if isinstance(kwargs, dict) else None
        if not subgraphs:
            raise MXNetError(
                f"{self.name}: the loop body graph is missing; build the node with mx.sym.contrib.foreach (or load it from JSON with its subgraphs)"
            )
        base = super().parse({k: v for k, v in kwargs.items() if k != "__subgraphs__"})
        p = _ForeachParams(base)
        g = subgraphs[0]
        p.subgraph = g
        p.input_names = g.list_inputs()
        p.aux_names = g.list_auxiliary_states()
        p.arg_names = g.list_arguments()
        p.execs = {}
        d, s, r = _locs(p)
        n_in = len(d) + len(s) + len(r)
        if p.num_args - 1 != n_in or sorted(d + s + r) != list(range(len(p.input_names))):
            raise MXNetError(
                f"{self.name}: in_data_locs {tuple(d)}, in_state_locs {tuple(s)} and remain_locs {tuple(r)} must cover the body's "
                f"{len(p.input_names)} inputs once each, and num_args ({p.num_args}) must be their count + 1"
            )
        if len(g.list_outputs()) != p.num_outputs or p.num_outputs != p.num_out_data + len(s):
            raise MXNetError(
                f"{self.name}: the body has {len(g.list_outputs())} outputs; num_outputs={p.num_outputs}, num_out_data={p.num_out_data}, {len(s)} states"
            )
        if p.aux_names:
            raise MXNetError(f"{self.name}: a loop body with auxiliary states ({p.aux_names}) is not supported")
        return p.freeze()

    # -- inference: the body's own inference on one step's shapes ---------------------------------
    @staticmethod
    def _step_known(p, ins: list, slice_first: bool) -> dict:
        d, s, r = _locs(p)
        names = p.input_names
        known = {}
        for k, loc in enumerate(d):
            v = ins[k]
            if v is not None:
                known[names[loc]] = v[1:] if slice_first else v
        for k, loc in enumerate(s + r):
            v = ins[len(d) + k]
            if v is not None:
                known[names[loc]] = v
        return known

    def _infer(self, p, ins: list, infer, slice_first: bool):
        order = topo_order(p.subgraph._outputs)
        known = infer(order, self._step_known(p, ins, slice_first))
        d, s, r = _locs(p)
        names = p.input_names
        var = {n.name: n for n in order if n.op is None}
        step_in = [known.get((id(var[names[loc]]), 0)) for loc in d + s + r]
        step_out = [known.get((id(n), i)) for n, i in p.subgraph._outputs]
        return step_in, step_out

    def _infer_shape(self, p, in_shapes):
        from .graph.infer import infer_graph_shapes

        d = len(p.in_data_locs)
        lengths = {x[0] for x in in_shapes[:d] if x is not None}
        if len(lengths) > 1:
            raise ShapeError(f"the data inputs must share their first dimension, given {[x for x in in_shapes[:d]]}")
        step_in, step_out = self._infer(p, list(in_shapes), infer_graph_shapes, True)
        t = lengths.pop() if lengths else None
        new_in = [None if (k < d and (x is None or t is None)) else ((t, *x) if k < d else x) for k, x in enumerate(step_in)]
        new_in = [given if given is not None else new for given, new in zip(in_shapes, new_in)]
        outs = [None if (x is None or t is None) else (t, *x) for x in step_out[: p.num_out_data]] + list(step_out[p.num_out_data :])
        for k, (given, got) in enumerate(zip(in_shapes[d : d + len(p.in_state_locs)], step_out[p.num_out_data :])):
            if given is not None and got is not None and tuple(given) != tuple(got):
                raise ShapeError(f"the body turns state {k} of shape {tuple(given)} into shape {tuple(got)}; a loop state must keep its shape")
        return new_in, outs

    def _infer_type(self, p, in_types):
        from .graph.infer import infer_graph_types

        step_in, step_out = self._infer(p, list(in_types), infer_graph_types, False)
        return [g if g is not None else n for g, n in zip(in_types, step_in)], step_out

    # -- running ---------------------------------------------------------------------------------------
    def _kernel(self, p, ins, outs, req, rt) -> None:
        ctx = rt.ctx
        with _engine.synchronous(), ctx:
            _run_forward(p, ctx, ins, outs, req, rt.is_train)

    def _gradient(self, g, ograds):
        p = g.p
        og = [o if o is not None else g.op1("zeros_like", [g.outputs[j]]) for j, o in enumerate(ograds)]
        attrs = {k: v for k, v in g.node.attrs.items() if not (k.startswith("__") and k.endswith("__"))}
        group = g.node.attrs.get("__ctx_group__")
        if group is not None:
            attrs["__ctx_group__"] = group
        node = Node(_BACKWARD, f"{g.node.name}_backward", attrs, og + list(g.inputs))
        node._params = p
        node.subgraphs = [p.subgraph]
        g.created.append(node)
        return [(node, k) for k in range(len(g.inputs))]


class _ForeachBackwardDef(OpDef):
    """``_backward_foreach``: inputs are the output gradients then the forward inputs; outputs their gradients."""

    def __init__(self) -> None:
        super().__init__(
            "_backward_foreach",
            self._kernel,
            inputs=lambda p: [f"ograd{i}" for i in range(p.num_outputs)] + [f"data{i}" for i in range(p.num_args - 1)],
            outputs=lambda p: [f"grad{i}" for i in range(p.num_args - 1)],
            infer_shape=lambda p, ins: (list(ins), list(ins[p.num_outputs :])),
            infer_type=lambda p, ins: (list(ins), list(ins[p.num_outputs :])),
            doc="Gradient of ``_foreach``: runs the body backward from the last step to the first.",
        )

    def parse(self, kwargs) -> Params:
        return FOREACH.parse(kwargs)

    def _kernel(self, p, ins, outs, req, rt) -> None:
        ctx = rt.ctx
        with _engine.synchronous(), ctx:
            _run_backward(p, ctx, ins, outs, req, rt.xp)


@contextlib.contextmanager
def _executor(p, ctx, step_arrays: list, with_grad: bool):
    """Borrow the body bound for this signature of step inputs (a pool on the params).

    Two runs of one loop node may overlap (a cached graph called again while
    the last call is in flight): each takes its own executor from the pool.
    """
    key = (ctx, with_grad, tuple((tuple(a.shape), np.dtype(a.dtype)) for a in step_arrays))
    if key not in p.execs and len(p.execs) >= 16:
        p.execs.clear()  # many signatures (varying lengths are not one: only the step shapes count)
    free = p.execs.setdefault(key, [])
    try:
        ex = free.pop()
    except IndexError:
        from .ndarray import zeros

        d, s, r = _locs(p)
        by_name = {p.input_names[loc]: a for loc, a in zip(d + s + r, step_arrays)}
        args = {n: zeros(tuple(by_name[n].shape), ctx=ctx, dtype=np.dtype(by_name[n].dtype)) for n in p.arg_names}
        grads = {n: zeros(tuple(by_name[n].shape), ctx=ctx, dtype=np.dtype(by_name[n].dtype)) for n in p.arg_names} if with_grad else None
        ex = p.subgraph.bind(ctx, args, args_grad=grads, grad_req="write" if with_grad else "null")
    try:
        yield ex
    finally:
        free.append(ex)


def _feed(p, ex, data: list, t: int, states: list, remain: list | None) -> None:
    """Step ``t``'s inputs into the body's arguments (``remain``, unchanged over the steps, when given).

    Through the engine, not into the buffers: a write must reach the
    argument's Var, or kernels keep what they cached for its old value.
    """
    d, s, r = _locs(p)
    names, ctx, args = p.input_names, ex._ctx, ex.arg_dict
    for k, loc in enumerate(d):
        copy_into(_wrap(ctx, data[k][t]), args[names[loc]])
    for k, loc in enumerate(s):
        copy_into(_wrap(ctx, states[k]), args[names[loc]])
    for k, loc in enumerate(r if remain is not None else ()):
        copy_into(_wrap(ctx, remain[k]), args[names[loc]])


def _split_ins(p, ins: list) -> tuple[list, list, list]:
    nd, ns = len(p.in_data_locs), len(p.in_state_locs)
    return list(ins[:nd]), list(ins[nd : nd + ns]), list(ins[nd + ns :])


def _step_arrays(p, data: list, states: list, remain: list) -> list:
    return [x[0] for x in data] + list(states) + list(remain)


def _value(arr: NDArray):
    """The computed backend array of an executor's NDArray (valid until its next run)."""
    arr.wait_to_read()
    return arr._data


def _run_steps(p, ctx, data, states, remain, is_train: bool, before=None, after=None) -> list:
    """Run the body over every step; ``before(t, states)`` sees the states a step starts
    from, ``after(t, outputs)`` its outputs. Returns the last states."""
    with _executor(p, ctx, _step_arrays(p, data, states, remain), False) as ex:
        for t in range(data[0].shape[0]):
            if before is not None:
                before(t, states)
            _feed(p, ex, data, t, states, remain if t == 0 else None)
            ex.forward(is_train=is_train)
            results = [_value(o) for o in ex.outputs]
            if after is not None:
                after(t, results)
            states = [x.copy() for x in results[p.num_out_data :]]
    return states


def _write(dst, src, req: str) -> None:
    if req == "null":
        return
    if req == "add":
        dst += src
    else:
        dst[...] = src


def _run_forward(p, ctx, ins, outs, req, is_train: bool) -> None:
    data, states, remain = _split_ins(p, ins)
    if data[0].shape[0] == 0:
        raise MXNetError("_foreach: the data has no steps (first dimension 0)")

    def on_step(t, results):
        for j in range(p.num_out_data):
            if req[j] == "add":
                outs[j][t] += results[j]
            elif req[j] != "null":
                outs[j][t] = results[j]

    last = _run_steps(p, ctx, data, states, remain, is_train, after=on_step)
    for k, st in enumerate(last):
        _write(outs[p.num_out_data + k], st, req[p.num_out_data + k])


def _run_backward(p, ctx, ins, outs, req, xp) -> None:
    n_out = p.num_outputs
    ograds, fwd = list(ins[:n_out]), list(ins[n_out:])
    data, states, remain = _split_ins(p, fwd)
    # forward again (training mode), keeping the states each step starts from
    history: list = []
    _run_steps(p, ctx, data, states, remain, True, before=lambda t, st: history.append(st))
    d, s, r = _locs(p)
    names = p.input_names
    data_grads = [xp.zeros_like(x) for x in data]
    remain_grads = [xp.zeros_like(x) for x in remain]
    state_grads = [ograds[p.num_out_data + k].copy() for k in range(len(s))]
    last = data[0].shape[0] - 1
    with _executor(p, ctx, _step_arrays(p, data, states, remain), True) as ex:
        for t in range(last, -1, -1):
            _feed(p, ex, data, t, history[t], remain if t == last else None)
            ex.forward(is_train=True)
            heads = [_wrap(ctx, ograds[j][t].copy()) for j in range(p.num_out_data)] + [_wrap(ctx, g) for g in state_grads]
            ex.backward(heads)
            for k, loc in enumerate(d):
                data_grads[k][t] = _value(ex.grad_dict[names[loc]])
            state_grads = [_value(ex.grad_dict[names[loc]]).copy() for loc in s]
            for k, loc in enumerate(r):
                remain_grads[k] += _value(ex.grad_dict[names[loc]])
    for k, g in enumerate(data_grads + state_grads + remain_grads):
        _write(outs[k], g, req[k])


FOREACH = registry.register(_ForeachDef())
_BACKWARD = _ForeachBackwardDef()


# -- symbolic ----------------------------------------------------------------------------------------
_subgraph_counts: collections.Counter = collections.Counter()


def _unique_subgraph_name(name: str) -> str:
    """``foreach0``, ``foreach1``...; inside another loop body, prefixed with that body's name and ``$``."""
    outer = AttrScope._get_current()._attr.get("__subgraph_name__", "")
    if outer:
        name = f"{outer}${name}"
    _subgraph_counts[name] += 1
    return f"{name}{_subgraph_counts[name] - 1}"


def _inside(node: Node, name: str) -> bool:
    return node.attrs.get("__subgraph_name__") == name


def _body_heads(outs: list, states: list, name: str) -> list:
    """The body's output entries; as MXNet, an output that is a variable, an outer symbol,
    or (for a state) also a data output, goes through an ``identity`` made in the body."""
    from .symbol.register import function

    identity = function("_copy")
    heads = []
    with AttrScope(__subgraph_name__=name):
        for o in outs:
            node = o._outputs[0][0]
            heads.append((identity(o) if node.op is None or not _inside(node, name) else o)._outputs[0])
        out_names = {o._outputs[0][0].name for o in outs}
        for st in states:
            node = st._outputs[0][0]
            wrap = node.op is None or node.name in out_names or not _inside(node, name)
            heads.append((identity(st) if wrap else st)._outputs[0])
    return heads


def _cut(heads: list, name: str) -> dict:
    """Detach the body from the outer graph; returns {new variable name: outer entry}.

    Every entry a body node reads from a node made outside the body (an
    outer variable or operator output) becomes a new variable named after
    that entry (``w``, ``fullyconnected0_output``), as MXNet's subgraph cut
    does. Body nodes belong to the body alone, so they are re-pointed in place.
    """
    cut: dict[tuple[int, int], Node] = {}
    outer: dict[str, tuple] = {}
    for node in topo_order(heads):
        if node.op is None or not _inside(node, name):
            continue
        entries = []
        for src, i in node.inputs:
            if not _inside(src, name):
                var = cut.get((id(src), i))
                if var is None:
                    var = cut[(id(src), i)] = Node(None, src.output_name(i), {}, [])
                    outer[var.name] = (src, i)
                entries.append((var, 0))
            else:
                entries.append((src, i))
        node.inputs = entries
    return outer


def _uniq_name(sym: Symbol) -> str:
    node, i = sym._outputs[0]
    return f"{node.name}-{i}"


def foreach_sym(body, data, init_states, name: str = "foreach"):
    """The symbolic ``foreach``: ``body`` is traced once into a graph that a ``_foreach`` node runs per step.

    ``body(data_slice, states) -> (outputs, new_states)`` receives variables
    in the structure of ``data`` and ``init_states`` (nested lists kept); the
    symbols it reads from outside (parameters, other inputs) become inputs
    of the node. Returns ``(outputs, states)`` as Symbols in the structure
    ``body`` returned them.

    >>> import mxpy as mx
    >>> x, s = mx.sym.var("x"), mx.sym.var("s")
    >>> outs, last = mx.sym.contrib.foreach(lambda d, st: (d + st, d + st), x, s)
    >>> ex = last.bind(mx.cpu(), {"x": mx.nd.array([[1.0], [2.0]]), "s": mx.nd.zeros((1,))})
    >>> ex.forward()[0].asnumpy().tolist()
    [3.0]
    """
    flat_data, data_fmt = _flatten(data, Symbol, "data")
    flat_states, state_fmt = _flatten(init_states, Symbol, "init_states")
    for what, syms in (("data", flat_data), ("init_states", flat_states)):
        for sym in syms:
            if len(sym) != 1:
                raise MXNetError(f"foreach: every {what} symbol must have one output, given one with {len(sym)}")
    if not flat_data:
        raise MXNetError("foreach: data is empty; give at least one Symbol to iterate over")
    sub_name = _unique_subgraph_name(name)
    data_names = [_uniq_name(x) for x in flat_data]
    state_names = [_uniq_name(x) for x in flat_states]
    with AttrScope(__subgraph_name__=sub_name):
        from .symbol import var

        data_vars = [var(n) for n in data_names]
        state_vars = [var(n) for n in state_names]
        outs, new_states = body(_regroup(data_vars, data_fmt)[0], _regroup(state_vars, state_fmt)[0])
    flat_out, out_fmt = _flatten(outs, Symbol, "the outputs of body")
    flat_new, new_fmt = _flatten(new_states, Symbol, "the states body returns")
    if len(flat_new) != len(flat_states) or new_fmt != state_fmt:
        raise LoopBodyError(f"foreach: body returned states shaped {new_fmt}, the initial states are shaped {state_fmt}")
    for sym in flat_out + flat_new:
        if len(sym) != 1:
            raise MXNetError(f"foreach: every output of body must be a single-output Symbol, given one with {len(sym)} outputs")
    heads = _body_heads(flat_out, flat_new, sub_name)
    outer = _cut(heads, sub_name)
    graph = Symbol(heads)
    names = graph.list_inputs()
    if len(set(names)) != len(names):
        raise LoopBodyError(f"foreach: the loop body's inputs do not have unique names: {names}")
    for what, group in (("data", data_names), ("state", state_names)):
        unused = [n for n in group if n not in names]
        if unused:
            raise LoopBodyError(f"foreach: the loop body must use every {what} array; {unused} is not used")
    variables = {n.name: n for n in graph._order() if n.op is None}
    remain_locs, remain_entries = [], []
    for k, n in enumerate(names):
        if n not in data_names and n not in state_names:
            remain_locs.append(k)
            remain_entries.append(outer[n] if n in outer else (variables[n], 0))
    inputs = [x._outputs[0] for x in flat_data] + [x._outputs[0] for x in flat_states] + remain_entries
    # MXNet stores the locations as Python prints the lists it was given
    attrs = {
        "in_data_locs": str([names.index(n) for n in data_names]),
        "in_state_locs": str([names.index(n) for n in state_names]),
        "num_args": str(len(inputs) + 1),
        "num_out_data": str(len(flat_out)),
        "num_outputs": str(len(heads)),
        "remain_locs": str(remain_locs),
    }
    attrs.update({_stored_key(k): v for k, v in AttrScope._get_current().get(None).items()})
    node = Node(FOREACH, NameManager.current.get(None, "_foreach"), attrs, inputs)
    node.subgraphs = [graph]
    _ = node.params  # validate now
    results = [Symbol([(node, i)]) for i in range(len(heads))]
    out_syms = _regroup(results[: len(flat_out)], out_fmt)[0] if flat_out else []
    state_syms = _regroup(results[len(flat_out) :], new_fmt)[0]
    return out_syms, state_syms


foreach_nd.__name__ = foreach_sym.__name__ = "foreach"
