"""Executor: a bound symbol, planned once, pushed to the engine on every call.

``Symbol.bind`` / ``simple_bind`` build one: the forward graph, the gradient
nodes for arguments whose ``grad_req`` is not ``null``, shape/type inference
over both, and a memory plan. ``forward`` and ``backward`` push one engine op
per node with precomputed arrays and return at once (outputs wait when read).
Argument arrays are read at run time, so in-place updates of weights between
calls are always seen. (An op with a ``relayout``, FullyConnected's weight,
may read a kept copy instead, but only while the weight's engine Var shows no
write since the copy was made: see ``engine.var.relaid``.)

An executor bound without gradients runs ``forward(is_train=False)`` on an
inference graph: BatchNorm folded into the convolution before it and ReLU fused
(``graph.fold_bn``), built at bind. ``forward(is_train=True)`` and monitors run
the unfused graph, built on first use, which writes the same output arrays.
"""

from __future__ import annotations

import os

import numpy as np

from . import engine as _eng
from .backend.cpu_threads import adapt_threads, hold_single_blas, release_single_blas, split_threads
from .base import MXNetError
from .engine.var import write_count
from .graph.cse import eliminate_common_expr
from .graph.fold_bn import fold_conv_bn_act, make_fold_op
from .graph.gradient import build_gradient
from .graph.infer import _run as _infer_run
from .graph.infer import propagate_shapes
from .graph.plan_memory import plan_memory
from .ndarray import NDArray
from .ndarray.creation import _copy_kernel as _copy_between
from .ndarray.creation import copy_into
from .ndarray.dispatch import kernel_for, run_on_device
from .ndarray.ndarray import _new, _view
from .ops._split import FOLLOWER_UNITS, wanted
from .registry import random_state, runtime, shape_is_known
from .symbol.node import Node, aux_variables, topo_order

__all__ = ["Executor"]


class _Step:
    """One node ready to push: kernel, parsed params, arrays, reqs and Vars."""

    __slots__ = ("node", "kernel", "p", "ins", "outs", "req", "reads", "writes", "cost", "name", "ctx", "arrays")


class Executor:
    """The result of ``bind``: arrays bound to a planned graph."""

    # (dense buffer, sparse gradient, req) for gradients bound as sparse arrays (see symbol.bind)
    _sparse_grads: tuple = ()

    def __init__(
        self,
        symbol,
        ctx,
        arg_arrays: list[NDArray],
        grad_arrays: list[NDArray | None],
        grad_reqs: list[str],
        aux_arrays: list[NDArray],
        recorded: dict | None = None,
        head_grads: list | None = None,
        group2ctx: dict | None = None,
        shared_outputs: list | None = None,
        fold: bool = True,
    ):
        self._symbol = symbol
        # reshape(): the old executor's outputs, reused (as views) where they are large enough
        self._shared_outputs = shared_outputs
        self._ctx = ctx
        self.arg_arrays = arg_arrays
        self.grad_arrays = grad_arrays
        self.aux_arrays = aux_arrays
        self._grad_reqs = grad_reqs
        self._arg_names = symbol.list_arguments()
        self._aux_names = symbol.list_auxiliary_states()
        self._monitor = None
        self._monitor_all = False
        self._monitor_variables = True
        # autograd: forward entries already computed imperatively, {(id(node), i): NDArray}
        self._recorded = recorded or {}
        self._default_head_grads = head_grads
        self._group2ctx = dict(group2ctx or {})
        # the inference pass (graph.fold_bn): may apply; the unfused executor, once built
        self._fold = fold
        self._folded = None
        self._unfolded: Executor | None = None
        self._build()

    # -- construction ---------------------------------------------------------------
    def _build(self) -> None:
        sym = self._symbol
        outputs = list(sym._outputs)
        # MXNet merges duplicate computations at bind (MXNET_ELIMINATE_COMMON_EXPR, on by default)
        if not self._recorded and os.environ.get("MXNET_ELIMINATE_COMMON_EXPR", "1").strip().lower() not in ("0", "false"):
            outputs = eliminate_common_expr(outputs)
        self._graph_outputs = outputs
        order = topo_order(outputs)
        aux_ids = aux_variables(order)
        variables = [n for n in order if n.op is None]
        arg_nodes = [n for n in variables if id(n) not in aux_ids]
        aux_nodes = [n for n in variables if id(n) in aux_ids]
        array_of: dict = {}
        for n, a in zip(arg_nodes, self.arg_arrays):
            array_of[(id(n), 0)] = a
        for n, a in zip(aux_nodes, self.aux_arrays):
            array_of[(id(n), 0)] = a
        array_of.update(self._recorded)
        heads = list(outputs)
        wrt = [n for n, r in zip(arg_nodes, self._grad_reqs) if r != "null"]
        self._head_grad_arrays: list[NDArray | None] = []
        backward_nodes: list[Node] = []
        grad_entries: list = []
        if wrt:
            head_grads = []
            for k, (node, _i) in enumerate(heads):
                if node.op is not None and node.is_loss():
                    head_grads.append(None)
                    self._head_grad_arrays.append(None)
                else:
                    v = Node(None, f"_head_grad_{k}", {}, [])
                    head_grads.append((v, 0))
                    self._head_grad_arrays.append(v)  # replaced by an array below
            backward_nodes, grad_entries = build_gradient(order, heads, head_grads, wrt)
            # a head gradient no gradient reads (shape_array, BlockGrad, comparisons) gets no
            # array: MXNet's backward ignores what is passed for it, shape included
            read = {id(e[0]) for n in backward_nodes for e in n.inputs}
            read |= {id(e[0]) for e in grad_entries if e is not None}
            self._head_grad_arrays = [hv if hv is not None and id(hv) in read else None for hv in self._head_grad_arrays]
        all_nodes = order + backward_nodes
        # shapes and dtypes of every entry, forward and backward
        shapes: dict = {k: tuple(a.shape) for k, a in array_of.items()}
        dtypes: dict = {k: np.dtype(a.dtype) for k, a in array_of.items()}
        for k, hv in enumerate(self._head_grad_arrays):
            if hv is not None:
                node, i = heads[k]
                shapes[(id(hv), 0)] = None  # filled from the head below
        # creation ops' shapes with unknown (0) dims are completed by their consumers
        propagate_shapes(order, shapes)
        _infer_run(order, dtypes, lambda op: op.infer_type, "dtype", str)
        for k, hv in enumerate(self._head_grad_arrays):
            if hv is not None:
                hk = (id(heads[k][0]), heads[k][1])
                shapes[(id(hv), 0)] = shapes[hk]
                dtypes[(id(hv), 0)] = dtypes[hk]
        if backward_nodes:
            propagate_shapes(backward_nodes, shapes)
            _infer_run(backward_nodes, dtypes, lambda op: op.infer_type, "dtype", str)
        missing = [n.output_name(i) for n in all_nodes for i in range(n.num_outputs()) if not shape_is_known(shapes.get((id(n), i)))]
        if missing:
            raise MXNetError(f"bind: cannot infer the shapes of {missing[:5]}; give all argument shapes")
        if not wrt and self._fold_allowed():
            folded = self._fold_graph(order, heads, shapes, dtypes, array_of)
            if folded is not None:
                order, heads = folded.order, folded.heads
                all_nodes = order + backward_nodes
        node_ctx = {id(n): self._node_ctx(n) for n in all_nodes if n.op is not None}
        # head gradient arrays (filled by backward(out_grads))
        for k, hv in enumerate(self._head_grad_arrays):
            if hv is not None:
                key = (id(hv), 0)
                arr = _new(node_ctx.get(id(heads[k][0]), self._ctx), shapes[key], dtypes[key])
                arr._data[...] = 0
                array_of[key] = arr
                self._head_grad_arrays[k] = arr
        # gradients go straight into the user's grad arrays
        grad_req_of: dict = {}
        wrt_arrays = [g for g, r in zip(self.grad_arrays, self._grad_reqs) if r != "null"]
        wrt_reqs = [r for r in self._grad_reqs if r != "null"]
        self._zero_grads: list[NDArray] = []
        extra: list[Node] = []
        uses: dict = {}
        for entry in grad_entries:
            if entry is not None:
                k = (id(entry[0]), entry[1])
                uses[k] = uses.get(k, 0) + 1
        forward_ids = {id(n) for n in order}
        for entry, arr, req in zip(grad_entries, wrt_arrays, wrt_reqs):
            if entry is None:
                if req == "write":
                    self._zero_grads.append(arr)
                continue
            key = (id(entry[0]), entry[1])
            # an entry that is an existing array or feeds several gradients (a + b gives
            # both inputs the same one) is copied into each gradient array
            if key in array_of or uses[key] > 1 or entry[0].op is None or id(entry[0]) in forward_ids:
                # the gradient is an existing array (e.g. the head gradient): copy it
                cp = Node(_copy_op(), f"{entry[0].name}_gradcopy", {}, [entry])
                extra.append(cp)
                key = (id(cp), 0)
                shapes[key], dtypes[key] = shapes[(id(entry[0]), entry[1])], dtypes[(id(entry[0]), entry[1])]
            array_of[key] = arr
            grad_req_of[key] = "add" if req == "add" else "write"
        backward_nodes = backward_nodes + extra
        all_nodes = order + backward_nodes
        for n in extra:
            node_ctx[id(n)] = self._node_ctx(n)
        pinned = {(id(n), i) for n, i in heads}
        for (n, i), old in zip(heads, self._shared_outputs or ()):
            key = (id(n), i)
            if old is None or key in array_of:
                continue
            size = int(np.prod(shapes[key], dtype=np.int64))
            if (
                old._ctx == node_ctx.get(id(n), self._ctx)
                and np.dtype(old._data.dtype) == np.dtype(dtypes[key])
                and old._data.flags.c_contiguous
                and size <= old.size
            ):
                array_of[key] = _view(old, old._data.reshape(-1)[:size].reshape(shapes[key]))
        plan_nodes = backward_nodes if self._recorded else all_nodes
        self._plan = plan_memory(plan_nodes, shapes, dtypes, set(array_of), pinned, device_of=node_ctx)
        storage = []
        for nbytes, dev in zip(self._plan.slot_bytes, self._plan.slot_device):
            storage.append(_new(dev or self._ctx, (max(int(nbytes), 1),), np.uint8))
        for key, slot in self._plan.slot_of.items():
            base = storage[slot]
            n = int(np.prod(shapes[key], dtype=np.int64)) * np.dtype(dtypes[key]).itemsize
            data = base._data[:n].view(dtypes[key]).reshape(shapes[key])
            array_of[key] = _view(base, data)
        self._storage = storage
        self._array_of = array_of
        self._shapes = shapes
        self.outputs = [array_of[(id(n), i)] for n, i in heads]
        # backward outputs nobody reads (the data gradient of a first layer whose
        # grad_req is null, say) are not computed at all: req 'null'
        consumed = {(id(src), i) for n in all_nodes for src, i in n.inputs} | set(grad_req_of) | pinned
        for n in backward_nodes:
            for j in range(n.num_outputs()):
                if (id(n), j) not in consumed:
                    grad_req_of[(id(n), j)] = "null"
        self._copies: dict = {}  # (entry, context) -> array holding a cross-context copy
        self._split = self._split_mode(all_nodes, shapes, dtypes, node_ctx)
        self._fwd_steps = [st for n in order if n.op is not None for st in self._steps_for(n, array_of, {}, node_ctx[id(n)])]
        self._bwd_steps = [st for n in backward_nodes for st in self._steps_for(n, array_of, grad_req_of, node_ctx[id(n)])]
        self._n_nodes = len(all_nodes)

    def _fold_allowed(self) -> bool:
        """Does the inference pass apply: one CPU context, no autograd replay, not turned off
        (``MXNET_SUBGRAPH_BACKEND=NONE``, as MXNet's own switch for its fused operators)?"""
        if not self._fold or self._recorded or self._group2ctx or self._ctx.device_typeid == 2:
            return False
        return os.environ.get("MXNET_SUBGRAPH_BACKEND", "").strip().upper() != "NONE"

    def _fold_graph(self, order: list[Node], heads: list, shapes: dict, dtypes: dict, array_of: dict):
        """Run the inference pass; bind the fold node's outputs to arrays of their own."""
        counts: list = []  # the fold kernel's view of its inputs' write counts, bound below
        folded = fold_conv_bn_act(order, heads, shapes, dtypes, lambda layers: make_fold_op(layers, lambda: counts[0]()))
        if folded is None:
            return None
        fn = folded.fold_node
        if fn is not None:
            for j in range(fn.num_outputs()):
                key = (id(fn), j)
                array_of[key] = _new(self._ctx, shapes[key], dtypes[key])
            params = [array_of[(id(s), i)] for s, i in fn.inputs]
            counts.append(lambda: [write_count(a._var) for a in params])
        self._folded = folded
        return folded

    def _plain(self) -> Executor:
        """The unfused executor of a folded one (``forward(is_train=True)``, monitors): the
        same arguments, aux states and output arrays, its own plan, built on first use."""
        plain = self._unfolded
        if plain is None:
            plain = Executor(
                self._symbol,
                self._ctx,
                self.arg_arrays,
                self.grad_arrays,
                list(self._grad_reqs),
                self.aux_arrays,
                shared_outputs=list(self.outputs),
                fold=False,
            )
            if any(a._var is not b._var for a, b in zip(plain.outputs, self.outputs)):
                raise MXNetError("bind: the unfused graph of an inference executor did not share its outputs")
            self._unfolded = plain
        plain._monitor, plain._monitor_all, plain._monitor_variables = self._monitor, self._monitor_all, self._monitor_variables
        return plain

    def _runs_own_steps(self, is_train: bool) -> bool:
        """Does ``forward(is_train)`` push ``_fwd_steps`` (else the unfused executor's)?"""
        return self._folded is None or (not is_train and self._monitor is None)

    @staticmethod
    def _split_mode(nodes: list[Node], shapes: dict, dtypes: dict, node_ctx: dict) -> bool:
        """Split mode (see ``ops._split``): some CPU node's kernel is big enough to run on
        batch slices, and the process may use more than one thread for it."""
        for n in nodes:
            spec = n.op.split if n.op is not None else None
            if spec is None or spec.unit in FOLLOWER_UNITS or node_ctx[id(n)].device_typeid == 2:
                continue
            # the cost rules read shapes only: zero-stride stand-ins, nothing allocated
            ins = [np.broadcast_to(np.zeros((), dtypes[(id(s), i)]), shapes[(id(s), i)]) for s, i in n.inputs]
            outs = [np.broadcast_to(np.zeros((), dtypes[(id(n), j)]), shapes[(id(n), j)]) for j in range(n.num_outputs())]
            if wanted(spec, n.params, ins, outs):
                return split_threads(governed=False) > 1
        return False

    def _node_ctx(self, node: Node):
        group = node.attrs.get("__ctx_group__")
        return self._group2ctx.get(group, self._ctx) if group is not None else self._ctx

    def _steps_for(self, node: Node, array_of: dict, req_of: dict, ctx) -> list[_Step]:
        """The node's step, preceded by copies of inputs from other contexts and
        followed by copies of outputs that live on other contexts (group2ctx)."""
        before: list[_Step] = []
        after: list[_Step] = []
        ins = []
        for src, i in node.inputs:
            arr = array_of[(id(src), i)]
            if arr._ctx is not ctx:
                key = ((id(src), i), ctx)
                if key not in self._copies:
                    self._copies[key] = _new(ctx, arr.shape, arr._data.dtype)
                    before.append(_copy_step(arr, self._copies[key]))
                arr = self._copies[key]
            ins.append(arr)
        outs = []
        reqs = []
        for j in range(node.num_outputs()):
            arr = array_of[(id(node), j)]
            req = req_of.get((id(node), j), "write")
            if arr._ctx is not ctx:
                tmp = _new(ctx, arr.shape, arr._data.dtype)
                after.append(_copy_step(tmp, arr, add=req == "add"))
                arr, req = tmp, "write"
            outs.append(arr)
            reqs.append(req)
        return before + [self._make_step(node, ins, outs, tuple(reqs), ctx)] + after

    def _make_step(self, node: Node, ins: list[NDArray], outs: list[NDArray], req: tuple, ctx) -> _Step:
        return make_step(node, ins, outs, req, ctx, self._split)

    # -- running ---------------------------------------------------------------------
    def _push(self, steps: list[_Step], is_train: bool) -> None:
        if self._monitor is None:
            run_steps(steps, is_train, self._split)
            return
        adapt_threads()
        hold = hold_single_blas() if self._split else None
        try:
            self._push_steps(steps, is_train)
        finally:
            release_single_blas(hold)

    def _push_steps(self, steps: list[_Step], is_train: bool) -> None:
        eng = _eng._current
        mon = self._monitor
        for st in steps:
            _push_step(eng, st, is_train)
            if mon is not None and st.node is not None:
                self._monitor_step(st, steps is self._bwd_steps)

    def forward(self, is_train: bool = False, **kwargs) -> list[NDArray]:
        """Run the forward graph (lazily); ``kwargs`` copy new values into arguments first."""
        if kwargs:
            arg_dict = self.arg_dict
            for name, value in kwargs.items():
                if name not in arg_dict:
                    raise MXNetError(f"forward: unknown argument {name!r}; arguments are {self._arg_names}")
                dst = arg_dict[name]
                if isinstance(value, NDArray):
                    if value.shape != dst.shape:
                        raise ValueError(f"forward: shape of argument {name!r} must be {dst.shape}, got {value.shape}")
                else:
                    value = np.asarray(value)
                    if value.shape != dst.shape:
                        raise ValueError(f"forward: shape of argument {name!r} must be {dst.shape}, got {value.shape}")
            for name, value in kwargs.items():
                dst = arg_dict[name]
                if isinstance(value, NDArray):
                    value.copyto(dst)
                else:
                    dst[:] = value
        if self._runs_own_steps(is_train):
            self._push(self._fwd_steps, is_train)
        else:
            plain = self._plain()
            plain._push(plain._fwd_steps, is_train)
        return self.outputs

    def backward(self, out_grads=None, is_train: bool = True) -> None:
        """Push the gradient computation; ``out_grads`` are the head gradients of non-loss outputs."""
        if out_grads is not None:
            if isinstance(out_grads, NDArray):
                out_grads = [out_grads]
            if isinstance(out_grads, dict):
                names = self._symbol.list_outputs()
                out_grads = [out_grads.get(n) for n in names]
        for k, arr in enumerate(self._head_grad_arrays):
            if arr is None:
                continue
            given = out_grads[k] if out_grads is not None and k < len(out_grads) else None
            if given is None:
                raise MXNetError(f"backward: output {k} ({self._symbol.list_outputs()[k]}) is not a loss, so its head gradient is required: pass out_grads")
            if given.shape != arr.shape:
                raise ValueError(f"backward: out_grads[{k}] has shape {given.shape}, expected {arr.shape}")
            if given.stype != "default":  # a sparse head gradient: the pass runs densely
                given = given.tostype("default")
            copy_into(given, arr)
        for g in self._zero_grads:
            g[:] = 0
        self._push(self._bwd_steps, is_train)
        if self._sparse_grads:  # the dense buffer started as the sparse one, so 'add' is in it
            for dense, sparse, _ in self._sparse_grads:
                dense.copyto(sparse)

    # -- views ---------------------------------------------------------------------------
    @property
    def arg_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._arg_names, self.arg_arrays))

    @property
    def grad_dict(self) -> dict[str, NDArray | None]:
        return dict(zip(self._arg_names, self.grad_arrays))

    @property
    def aux_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._aux_names, self.aux_arrays))

    @property
    def output_dict(self) -> dict[str, NDArray]:
        return dict(zip(self._symbol.list_outputs(), self.outputs))

    def copy_params_from(self, arg_params: dict, aux_params: dict | None = None, allow_extra_params: bool = False) -> None:
        """Copy values into the bound argument and aux arrays by name."""
        for name, src in arg_params.items():
            if name in self.arg_dict:
                src.copyto(self.arg_dict[name]) if isinstance(src, NDArray) else self.arg_dict[name].__setitem__(slice(None), src)
            elif not allow_extra_params:
                raise ValueError(f"copy_params_from: {name!r} is not an argument of the symbol")
        for name, src in (aux_params or {}).items():
            if name in self.aux_dict:
                src.copyto(self.aux_dict[name])
            elif not allow_extra_params:
                raise ValueError(f"copy_params_from: {name!r} is not an auxiliary state of the symbol")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False, **kwargs) -> Executor:
        """A new executor for new input shapes, sharing every array whose shape is unchanged.

        Arrays that shrink reuse the old memory (as MXNet); growing one needs
        ``allow_up_sizing=True``; an argument not named in ``kwargs`` may change
        shape only with ``partial_shaping=True``.
        """
        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MXNetError(f"reshape: cannot infer every shape from {kwargs}")

        def fit(name: str, old: NDArray | None, shape: tuple) -> NDArray | None:
            if old is None:
                return None
            shape = tuple(shape)
            if old.shape == shape:
                return old
            if name not in kwargs and not partial_shaping:
                raise MXNetError(f"reshape: new shape of {name!r} {shape} differs from the previous {old.shape}; pass partial_shaping=True to allow it")
            size = int(np.prod(shape, dtype=np.int64))
            if size > old.size:
                if not allow_up_sizing:
                    raise MXNetError(f"reshape: {name!r} grows from {old.shape} to {shape}; pass allow_up_sizing=True to allow it")
                return _new(old.context, shape, old._data.dtype)
            return _view(old, old._data.reshape(-1)[:size].reshape(shape))

        args = [fit(n, a, s) for n, a, s in zip(self._arg_names, self.arg_arrays, arg_shapes)]
        grads = [fit(n, g, s) for n, g, s in zip(self._arg_names, self.grad_arrays, arg_shapes)]
        aux = [fit(n, a, s) for n, a, s in zip(self._aux_names, self.aux_arrays, aux_shapes)]
        # outputs share the old ones' memory where they fit, as MXNet's reshaped executors do
        new = Executor(self._symbol, self._ctx, args, grads, list(self._grad_reqs), aux, group2ctx=self._group2ctx, shared_outputs=list(self.outputs))
        if self._monitor is not None:
            # MXNet rebinds the monitor callback to the reshaped executor
            new.set_monitor_callback(self._monitor, self._monitor_all)
            new._monitor_variables = self._monitor_variables
        return new

    def set_monitor_callback(self, callback, monitor_all: bool = False) -> None:
        """Call ``callback(name, array)`` for every node output (and inputs with monitor_all)."""
        self._monitor = callback
        self._monitor_all = monitor_all
        self._monitor_variables = True

    def _set_op_hook(self, callback, monitor_all: bool) -> None:
        """A Gluon op hook: like the monitor, but (as MXNet's CachedOp) no variable names of their own."""
        self.set_monitor_callback(callback, monitor_all)
        self._monitor_variables = False

    def _monitor_step(self, st: _Step, backward: bool) -> None:
        node = st.node
        if self._monitor_all:
            for nm, (src, i) in zip(node.monitor_input_names(), node.inputs):
                arr = self._array_of[(id(src), i)]
                if src.op is None and self._monitor_variables:
                    self._monitor(src.name, arr)  # a variable input is also reported under its own name
                self._monitor(f"{node.name}_{nm}", arr)
        n = node.num_outputs()
        for j in range(n):
            # MXNet names backward outputs by position: fc_backward_output0, ...
            name = (f"{node.name}_output" if n == 1 else f"{node.name}_output{j}") if backward else node.output_name(j)
            self._monitor(name, self._array_of[(id(node), j)])

    def get_optimized_symbol(self):
        """The graph this executor runs, after its bind-time passes (common subexpressions merged)."""
        from .symbol import Symbol

        return Symbol(list(self._graph_outputs))

    def debug_str(self) -> str:
        """The plan: nodes with their inputs, then MXNet's ``Total N MB allocated`` line."""
        lines = ["Symbol Outputs:"]
        for k, name in enumerate(self._symbol.list_outputs()):
            lines.append(f"\toutput[{k}]={name}")
        for st in self._fwd_steps + self._bwd_steps:
            node = st.node
            lines.append("--------------------")
            if node is None:  # a copy between the contexts of group2ctx
                src_ctx = st.p[2]
                lines.append(f"Op:_CrossDeviceCopy, Name={st.name}")
                lines.append(f"Inputs:\n\tfrom {src_ctx} to {st.ctx}")
                continue
            lines.append(f"Op:{node.op.name}, Name={node.name}")
            lines.append("Inputs:")
            for k, (src, i) in enumerate(node.inputs):
                lines.append(f"\targ[{k}]={src.name}({i})")
            attrs = {k: v for k, v in node.attrs.items() if not k.startswith("__")}
            if attrs:
                lines.append("Attrs:")
                lines.extend(f"\t{k}={v}" for k, v in attrs.items())
        lines.append(f"Total {self._plan.total_bytes >> 20} MB allocated")
        lines.append(
            f"Planned {self._plan.total_bytes} bytes in {len(self._plan.slot_bytes)} slots (no reuse: {self._plan.naive_bytes} bytes, {self._plan.inplace_count} in place)"
        )
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return f"<Executor of {self._symbol!r} on {self._ctx}>"


def make_step(node: Node, ins: list[NDArray], outs: list[NDArray], req: tuple, ctx, split: bool, cost: int | None = None) -> _Step:
    """One node's step on NDArrays ``ins``/``outs`` (``cost``: a known cost, else the op's rule)."""
    st = _Step()
    st.node = node
    st.name = node.op.name
    st.p = node.params
    st.ctx = ctx
    st.ins = [a._data for a in ins]
    st.outs = [a._data for a in outs]
    st.arrays = (ins, outs)
    st.req = req
    writes: list = []
    for a in outs:
        if a._var not in writes:
            writes.append(a._var)
    for i in node.mutated_slots():
        if ins[i]._var not in writes:
            writes.append(ins[i]._var)
    if node.op.needs_rng:
        writes.append(random_state(ctx).var)
    reads: list = []
    for a in ins:
        if a._var not in writes and a._var not in reads:
            reads.append(a._var)
    st.reads = tuple(reads)
    st.writes = tuple(writes)
    st.kernel = kernel_for(node.op, ins, ctx, any(a._var in writes for a in ins), split=split)
    if cost is None:
        cost = node.op.cost(st.p, st.ins, st.outs) if node.op.cost is not None else sum(int(o.size) for o in st.outs)
    st.cost = cost
    return st


def _push_step(eng, st: _Step, is_train: bool) -> None:
    ctx = st.ctx
    rt = runtime(ctx, is_train)
    if ctx.device_typeid == 2:
        eng.push(run_on_device, (st.kernel, st.p, st.ins, st.outs, st.req, rt), st.reads, st.writes, ctx, st.name, st.cost)
    else:
        eng.push(st.kernel, (st.p, st.ins, st.outs, st.req, rt), st.reads, st.writes, ctx, st.name, st.cost)


def run_steps(steps: list[_Step], is_train: bool, split: bool) -> None:
    """Push prepared steps in order (an executor's forward or backward, or a replayed plan)."""
    # OpenBLAS on the cores other processes leave free (a clock read between samples)
    adapt_threads()
    # split mode: OpenBLAS on one thread for the ops that run now (every op of a
    # ready single-device run), so its spinning workers stay out of the slices' way
    hold = hold_single_blas() if split else None
    try:
        eng = _eng._current
        for st in steps:
            _push_step(eng, st, is_train)
    finally:
        release_single_blas(hold)


def _copy_kernel(p, ins, outs, req, rt) -> None:  # p: (source backend, destination backend, source ctx)
    src_be, dst_be = p[0], p[1]
    if req[0] == "add":
        outs[0] += dst_be.from_host(src_be.to_host(ins[0])) if src_be is not dst_be else ins[0]
    else:
        _copy_between(ins[0], outs[0], src_be, dst_be)


def _copy_step(src: NDArray, dst: NDArray, add: bool = False) -> _Step:
    """A step copying ``src`` into ``dst`` across contexts (run on dst's context)."""
    from .backend import get_backend

    st = _Step()
    st.node = None
    st.name = "_copyto"
    st.kernel = _copy_kernel
    st.p = (get_backend(src._ctx), get_backend(dst._ctx), src._ctx)
    st.ins = [src._data]
    st.outs = [dst._data]
    st.req = ("add",) if add else ("write",)
    st.reads = (src._var,)
    st.writes = (dst._var,)
    st.arrays = ([src], [dst])
    st.cost = int(dst.size)
    st.ctx = dst._ctx
    return st


def _copy_op():
    from .registry import get

    return get("_copy")
