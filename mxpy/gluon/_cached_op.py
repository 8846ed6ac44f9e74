"""A hybridized block's compiled form: its Symbol run by bound Executors.

``hybridize()`` traces ``hybrid_forward(F=mx.sym)`` into a Symbol once; each
call then looks up an :class:`~mxpy.executor.Executor` by input signature
(context, shapes, dtypes, which inputs need gradients). The Executor is built
by the same passes as ``Symbol.bind`` (shape and type inference, the gradient
graph, the memory plan) and is reused for every later call with the same
signature, so buffers are planned once and reused.

Under ``autograd.record()`` the Executor's forward steps run as they are and
each step is recorded on the autograd tape as the operator it is, with the
Executor's own arrays as its inputs and outputs (the Executor is bound with
gradients, so its memory plan keeps every value a gradient rule reads). The
backward is then autograd's: one gradient pass over the recorded loss and
network, replayed from batch to batch (see ``mxpy._autograd_plan``), writing
straight into the parameters' gradients. An Executor that copies between
contexts (``group2ctx``) is recorded as one :class:`autograd.Function` node
instead, whose backward pushes the Executor's backward steps. An Executor
whose forward state a pending backward still needs is *busy*; a second
recorded call with the same signature before that backward gets another
Executor (kept in the same pool).
"""

from __future__ import annotations

import weakref

from .. import autograd
from .._autograd_calls import new_call_attrs
from ..base import MXNetError
from ..executor import Executor, make_step, run_steps
from ..ndarray import NDArray
from ..ndarray.creation import copy_into
from ..ndarray.dispatch import invoke
from ..ndarray.ndarray import _new
from ..registry import Params, get
from ..symbol.node import aux_variables, topo_order

__all__ = ["CachedOp"]


class _Bound:
    """One Executor of a cached op and the arrays it was bound to."""

    __slots__ = ("ex", "inputs", "params", "needs", "grads", "zeros", "order", "owner", "recordable", "readers", "direct")

    def __init__(self, ex: Executor, inputs: list[NDArray], params: list[NDArray], needs: tuple, grads: list, zeros: list, order: list):
        self.ex = ex
        self.inputs = inputs  # the executor's own input arrays (the caller's values are copied in)
        self.params = params  # the parameter arrays bound as arguments/aux, checked on every call
        self.needs = needs  # per argument: does autograd want its gradient
        self.grads = grads  # per argument: gradient array or None
        self.zeros = zeros  # per recorded input: a zero array handed back when no gradient is computed
        self.order = order  # per recorded input: its argument index (None: the graph does not read it)
        # weakref to what a pending backward still needs of this executor: the recorded
        # call (a Function) or the first node recorded of its steps (freed by backward)
        self.owner = None
        # its forward steps can go on the tape op by op (no cross-context copies)
        self.recordable = all(st.node is not None for st in ex._fwd_steps)
        # per forward step that reads a data input: (step index, [(input slot, input position)])
        own = {id(a): pos for pos, a in enumerate(inputs)}
        self.readers = []
        for k, st in enumerate(ex._fwd_steps):
            slots = [(j, own[id(a)]) for j, a in enumerate(st.arrays[0]) if id(a) in own]
            if slots:
                self.readers.append((k, slots))
        self.direct: tuple | None = None  # (the caller's inputs, forward steps reading them) of the last call
        if any(id(o) in own for o in ex.outputs):  # an input handed back as an output: copied in
            self.readers = None

    def forward_steps(self, inputs: list) -> list | None:
        """The forward steps reading the caller's ``inputs`` in place of the executor's own
        input arrays (no copy in), or None where that cannot be done.

        Only C-contiguous inputs of an executor without a monitor are read in place (their
        shape and dtype are the binding's, by the pool key); the steps are made again only
        when the inputs are other arrays than the last call's. As in imperative code, the
        recorded graph then reads the caller's arrays themselves.
        """
        ex = self.ex
        if ex._monitor is not None or not self.recordable or self.readers is None:
            return None
        last = self.direct
        if last is not None and len(last[0]) == len(inputs) and all(a is b for a, b in zip(last[0], inputs)):
            return last[1]
        for x in inputs:
            if not x._data.flags.c_contiguous:
                return None
        steps = list(ex._fwd_steps)
        for k, slots in self.readers:
            st = steps[k]
            ins = list(st.arrays[0])
            for j, pos in slots:
                ins[j] = inputs[pos]
            steps[k] = make_step(st.node, ins, st.arrays[1], st.req, st.ctx, ex._split)
        self.direct = (tuple(inputs), steps)
        return steps

    def busy(self) -> bool:
        owner = self.owner() if self.owner is not None else None
        return owner is not None and getattr(owner, "tape", True) is not None


class _Call(autograd.Function):
    """One recorded call of a cached op: forward and backward on a bound Executor."""

    def __init__(self, bound: _Bound, n_inputs: int, is_train: bool):
        super().__init__()
        self._bound = bound
        self._n_inputs = n_inputs
        self._is_train = is_train

    def forward(self, *args):
        bound = self._bound
        for src, dst in zip(args[: self._n_inputs], bound.inputs):
            copy_into(src, dst)
        outs = bound.ex.forward(is_train=self._is_train)
        return [o.copy() for o in outs]

    def backward(self, *out_grads):
        bound = self._bound
        bound.ex.backward(list(out_grads), is_train=self._is_train)
        # one gradient per Function input (the data inputs, then the parameter arguments)
        return [bound.grads[k] if k is not None and bound.grads[k] is not None else bound.zeros[j] for j, k in enumerate(bound.order)]


class CachedOp:
    """The executors of one traced Symbol, keyed by input signature.

    ``input_names`` are the Symbol's data variables in call order;
    ``params`` maps every other variable name to its :class:`Parameter`.
    """

    def __init__(self, symbol, input_names: list[str], params: dict, flags: dict | None = None):
        self.symbol = symbol
        self.input_names = list(input_names)
        self.params = params
        self.flags = dict(flags or {})
        order = topo_order(symbol._outputs)
        aux_ids = aux_variables(order)
        self.arg_names = symbol.list_arguments()
        self.aux_names = [n.name for n in order if n.op is None and id(n) in aux_ids]
        missing = [n for n in self.arg_names + self.aux_names if n not in params and n not in self.input_names]
        if missing:
            raise MXNetError(f"hybridize: the traced graph has inputs {missing} that are neither data inputs {self.input_names} nor parameters of the block")
        self._input_pos = {n: k for k, n in enumerate(self.input_names)}
        # per argument: (its data input's position, or None for a parameter; its name)
        self._arg_slots = [(self._input_pos.get(n), n) for n in self.arg_names]
        self._pool: dict = {}
        # MXNet inlines a small graph into the recorded tape (op by op) instead of recording
        # one cached-op node: at most inline_limit operators, and not with static_alloc
        ops = [n for n in order if n.op is not None]
        visible = all(i < s.num_visible_outputs() for n in ops for s, i in n.inputs if s.op is not None)
        visible = visible and all(i < n.num_visible_outputs() for n, i in symbol._outputs if n.op is not None)
        self._inline = visible and not self.flags.get("static_alloc", False) and len(ops) <= int(self.flags.get("inline_limit", 2))
        self._order = order
        self._hook = None  # (callback(name, op_name, array), monitor_all) from register_op_hook

    def set_op_hook(self, callback, monitor_all: bool) -> None:
        """Report every node output (and input, with ``monitor_all``) of the forward to ``callback``."""
        op_of = {}
        for node in topo_order(self.symbol._outputs):
            if node.op is None:
                continue
            for j in range(node.num_outputs()):
                op_of[node.output_name(j)] = node.op.name
            for nm in node.monitor_input_names():
                op_of[f"{node.name}_{nm}"] = node.op.name
        self._hook = (lambda name, arr: callback(name, op_of.get(name, ""), arr), monitor_all)
        for bound_list in self._pool.values():
            for b in bound_list:
                b.ex._set_op_hook(*self._hook)

    def _bind(self, ctx, inputs: list[NDArray], needs: tuple, args: list, aux: list) -> _Bound:
        arg_arrays = []
        own_inputs = [None] * len(inputs)
        for k, name in enumerate(self.arg_names):
            pos = self._input_pos.get(name)
            if pos is None:
                arg_arrays.append(args[k])
            else:
                x = inputs[pos]
                own = _new(ctx, x.shape, x._data.dtype)
                own_inputs[pos] = own
                arg_arrays.append(own)
        for pos, own in enumerate(own_inputs):
            if own is None:  # an input the outputs do not depend on
                x = inputs[pos]
                own_inputs[pos] = _new(ctx, x.shape, x._data.dtype)
        grads = [_new(ctx, a.shape, a._data.dtype) if need else None for a, need in zip(arg_arrays, needs)]
        reqs = ["write" if need else "null" for need in needs]
        ex = Executor(self.symbol, ctx, arg_arrays, grads, reqs, aux)
        if self._hook is not None:
            ex._set_op_hook(*self._hook)
        arg_index = {n: k for k, n in enumerate(self.arg_names)}
        order = [arg_index.get(n) for n in self.input_names] + [k for k, n in enumerate(self.arg_names) if n not in self._input_pos]
        shapes = [(x.shape, x._data.dtype) for x in inputs] + [
            (a.shape, a._data.dtype) for k, a in enumerate(arg_arrays) if self.arg_names[k] not in self._input_pos
        ]
        zeros = []
        for k, (shape, dtype) in zip(order, shapes):
            if k is not None and needs[k]:
                zeros.append(None)
            else:
                z = _new(ctx, shape, dtype)
                z._data[...] = 0
                zeros.append(z)
        params = [a for k, a in enumerate(arg_arrays) if self.arg_names[k] not in self._input_pos] + list(aux)
        return _Bound(ex, own_inputs, params, needs, grads, zeros, order)

    def _run_inline(self, inputs: list[NDArray], ctx) -> list[NDArray]:
        """Run the graph op by op through mx.nd, so autograd records each operator."""
        values: dict = {}
        for node in self._order:
            if node.op is None:
                pos = self._input_pos.get(node.name)
                values[(id(node), 0)] = inputs[pos] if pos is not None else self.params[node.name].data(ctx)
                continue
            kwargs = {k: v for k, v in node.attrs.items() if not (k.startswith("__") and k.endswith("__"))}
            if node.subgraphs is not None:  # a control-flow node (_foreach) takes its body graph along
                kwargs["__subgraphs__"] = node.subgraphs
            out = invoke(node.op, [values[(id(s), i)] for s, i in node.inputs], kwargs)
            for j, o in enumerate([out] if isinstance(out, NDArray) else out):
                values[(id(node), j)] = o
        # an input handed straight back is copied (recorded), as a compiled call returns new arrays
        return [values[(id(n), i)] if n.op is not None else values[(id(n), i)].copy() for n, i in self.symbol._outputs]

    def __call__(self, inputs: list[NDArray]) -> list[NDArray]:
        ctx = inputs[0]._ctx
        recording = autograd.is_recording()
        if recording and self._inline:
            return self._run_inline(inputs, ctx)
        # the parameters' arrays and, when recording, which arguments autograd wants (one pass)
        args = []
        current = []
        needs_l = []
        for pos, name in self._arg_slots:
            if pos is None:
                a = self.params[name].data(ctx)
                args.append(a)
                current.append(a)
                needs_l.append(a._ag is not None)
            else:
                args.append(None)
                needs_l.append(inputs[pos]._ag is not None)
        # aux states are parameters in Gluon; mx.nd.CachedOp takes them as inputs (bound as given)
        aux = [inputs[self._input_pos[n]] if n in self._input_pos else self.params[n].data(ctx) for n in self.aux_names] if self.aux_names else []
        current += aux
        needs = tuple(needs_l) if recording else (False,) * len(needs_l)
        key = (ctx, needs, tuple([(x.shape, x._data.dtype) for x in inputs]))
        bound_list = self._pool.setdefault(key, [])
        bound = None
        for b in bound_list:
            if b.busy():
                continue
            if len(b.params) == len(current) and all(p is q for p, q in zip(b.params, current)):
                bound = b
                break
        if bound is None:
            bound_list[:] = [b for b in bound_list if b.busy()]  # stale bindings (reset_ctx, cast) go
            bound = self._bind(ctx, inputs, needs, args, aux)
            bound_list.append(bound)
        is_train = autograd.is_training()
        if not recording or not any(needs):
            # (an inference executor's own steps are its fused ones: not for training mode)
            steps = bound.forward_steps(inputs) if bound.ex._runs_own_steps(is_train) else None
            if steps is None:
                for src, dst in zip(inputs, bound.inputs):
                    copy_into(src, dst)
                outs = bound.ex.forward(is_train=is_train)
            else:
                run_steps(steps, is_train, bound.ex._split)
                outs = bound.ex.outputs
            return [o.copy() for o in outs]
        if bound.recordable:
            return self._run_recorded(bound, inputs, is_train)
        call = _Call(bound, len(inputs), is_train)
        bound.owner = weakref.ref(call)
        outs = call(*inputs, *[a for k, a in enumerate(args) if self.arg_names[k] not in self._input_pos])
        return [outs] if isinstance(outs, NDArray) else list(outs)

    def _run_recorded(self, bound: _Bound, inputs: list[NDArray], is_train: bool) -> list[NDArray]:
        """Run the forward steps and put each one on the autograd tape (see the module doc)."""
        ex = bound.ex
        direct = bound.forward_steps(inputs)  # the steps reading the caller's inputs, no copy in
        steps = ex._fwd_steps if direct is None else direct
        # this executor's arrays may still carry nodes of an earlier call whose tape no
        # backward freed (its outputs unused, say): that call no longer holds the executor
        for st in steps:
            for o in st.arrays[1]:
                o._ag = None
        for dst in bound.inputs:
            dst._ag = None
        record = autograd._record_op
        tagged: list = []  # the nodes of this call (autograd.get_symbol shows them as one)
        if direct is None:
            for src, dst in zip(inputs, bound.inputs):
                copy_into(src, dst)
                if src._ag is not None:
                    record(_COPY, _NO_PARAMS, [src], [dst])
                    tagged.append(dst)
            outs = ex.forward(is_train=is_train)
        else:
            run_steps(direct, is_train, ex._split)
            outs = ex.outputs
        for st in steps:
            ins, outs_ = st.arrays
            record(st.node.op, st.node.params, ins, outs_)
            if outs_:
                tagged.append(outs_[0])
        # the caller gets its own (recorded) copies: the executor's outputs are rewritten next call
        results = [invoke(_COPY, [o], _NO_KWARGS) for o in outs]
        attrs = new_call_attrs(self.symbol.name or "cachedop")
        first = None
        for a in tagged + results:
            if a._ag is not None:
                a._ag[0].attrs = attrs
                first = first or a._ag[0]
        bound.owner = weakref.ref(first) if first is not None else None
        return results


_COPY = get("_copy")
_NO_PARAMS = Params()
_NO_KWARGS: dict = {}
