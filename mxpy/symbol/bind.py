"""``Symbol.bind`` and ``Symbol.simple_bind``: make an Executor.

>>> import mxpy as mx
>>> x = mx.sym.Variable("x")
>>> ex = (x * 2).simple_bind(mx.cpu(), x=(3,))
>>> ex.forward(x=mx.nd.ones((3,)))[0].asnumpy().tolist()
[2.0, 2.0, 2.0]
"""

from __future__ import annotations

import numpy as np

from ..base import MXNetError, np_dtype
from ..context import Context
from .symbol import Symbol

_REQS = ("null", "write", "add", "inplace")


def _as_list(what: str, names: list[str], value, required: bool) -> list:
    if value is None:
        return [None] * len(names)
    if isinstance(value, dict):
        if required:
            for n in names:
                if n not in value:
                    raise ValueError(f"bind: key `{n}` is missing in `{what}`")
        return [value.get(n) for n in names]
    value = list(value)
    if len(value) != len(names):
        raise ValueError(f"bind: `{what}` has {len(value)} arrays, the symbol has {len(names)} ({names})")
    return value


def _reqs(names: list[str], grad_req) -> list[str]:
    if isinstance(grad_req, str):
        reqs = [grad_req] * len(names)
    elif isinstance(grad_req, dict):
        reqs = [grad_req.get(n, "null") for n in names]
    else:
        reqs = list(grad_req)
        if len(reqs) != len(names):
            raise ValueError(f"bind: grad_req has {len(reqs)} entries, the symbol has {len(names)} arguments")
    for n, r in zip(names, reqs):
        if r not in _REQS:
            raise ValueError(f"bind: grad_req {r!r} for {n!r} is not one of {list(_REQS)}")
    return ["write" if r == "inplace" else r for r in reqs]


def bind(self: Symbol, ctx: Context, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None, shared_exec=None):
    """Bind arrays to the symbol's arguments; returns an :class:`~mxpy.executor.Executor`."""
    from ..executor import Executor
    from ..ndarray import NDArray

    arg_names = self.list_arguments()
    aux_names = self.list_auxiliary_states()
    arg_arrays = _as_list("args", arg_names, args, True)
    for n, a in zip(arg_names, arg_arrays):
        if not isinstance(a, NDArray):
            raise TypeError(f"bind: argument {n!r} must be an NDArray, got {type(a).__name__}")
    grads = _as_list("args_grad", arg_names, args_grad, False)
    reqs = _reqs(arg_names, grad_req) if args_grad is not None else ["null"] * len(arg_names)
    reqs = [r if g is not None else "null" for r, g in zip(reqs, grads)]
    aux = _as_list("aux_states", aux_names, aux_states, True) if aux_names else []
    if aux_names and aux_states is None:
        raise ValueError(f"bind: aux_states are required for {aux_names}")
    # shapes must agree with inference from the given arguments
    arg_shapes, _, aux_shapes = self.infer_shape_partial(**{n: a.shape for n, a in zip(arg_names, arg_arrays)})
    for n, a, s in zip(arg_names, arg_arrays, arg_shapes):
        if s and tuple(s) != a.shape:
            raise MXNetError(f"bind: argument {n!r} has shape {a.shape}, inferred {tuple(s)}")
    for n, g, a in zip(arg_names, grads, arg_arrays):
        if g is not None and g.shape != a.shape:
            raise MXNetError(f"bind: gradient of {n!r} has shape {g.shape}, expected {a.shape}")
    for n, a, s in zip(aux_names, aux, aux_shapes):
        if a is None or not isinstance(a, NDArray):
            raise ValueError(f"bind: aux state {n!r} is missing")
        if s and tuple(s) != a.shape:
            raise MXNetError(f"bind: aux state {n!r} has shape {a.shape}, inferred {tuple(s)}")
    # sparse arrays bind as dense copies (graphs compute densely); sparse gradient buffers get
    # each backward's result cast back to their storage type
    arg_arrays = [a if a.stype == "default" else a.tostype("default") for a in arg_arrays]
    aux = [a if a.stype == "default" else a.tostype("default") for a in aux]
    given_grads = list(grads)
    sparse_grads = []
    for k, g in enumerate(grads):
        if g is not None and g.stype != "default":
            grads[k] = g.tostype("default")
            sparse_grads.append((grads[k], g, reqs[k]))
    ex = Executor(self, ctx, arg_arrays, grads, reqs, aux, group2ctx=group2ctx)
    if sparse_grads:
        ex._sparse_grads = tuple(sparse_grads)
        ex.grad_arrays = given_grads  # grad_dict shows the caller's sparse buffers
    return ex


def simple_bind(
    self: Symbol,
    ctx: Context,
    grad_req="write",
    type_dict=None,
    stype_dict=None,
    group2ctx=None,
    shared_arg_names=None,
    shared_exec=None,
    shared_buffer=None,
    **kwargs,
):
    """Infer every shape and dtype from ``kwargs`` and bind zero-filled arrays."""
    from ..ndarray import zeros

    # as MXNet, keywords whose value is not a shape tuple are ignored (scripts pass extras through)
    kwargs = {k: v for k, v in kwargs.items() if isinstance(v, tuple)}
    arg_shapes, _, aux_shapes = self.infer_shape(**kwargs)
    if arg_shapes is None:
        raise MXNetError(f"simple_bind: cannot infer all shapes from {kwargs}; give more input shapes")
    from .symbol import _infer

    arg_types, _, aux_types = _infer(self, (), dict(type_dict or {}), True, False)
    # arguments whose dtype nothing decides are float32, as in MXNet
    arg_types = [t or np.float32 for t in arg_types]
    aux_types = [t or np.float32 for t in aux_types]
    arg_names = self.list_arguments()
    reqs = _reqs(arg_names, grad_req)
    shared = shared_exec.arg_dict if shared_exec is not None else {}
    placed = _arg_contexts(self, ctx, group2ctx)
    args = []
    for n, s, t in zip(arg_names, arg_shapes, arg_types):
        if n in shared and (shared_arg_names is None or n in shared_arg_names) and shared[n].shape == tuple(s):
            args.append(shared[n])
        elif shared_buffer is not None and (shared_arg_names is None or n not in shared_arg_names):
            # MXNet's shared_buffer: other arguments (data, labels) come from, or go into, the dict
            buf = shared_buffer.get(n)
            if buf is None or buf.shape != tuple(s) or buf.dtype != np_dtype(t) or buf.context != placed.get(n, ctx):
                buf = shared_buffer[n] = zeros(s, ctx=placed.get(n, ctx), dtype=np_dtype(t))
            args.append(buf)
        else:
            args.append(zeros(s, ctx=placed.get(n, ctx), dtype=np_dtype(t)))
    # as MXNet: a shared parameter's gradient array and the aux states are the shared
    # executor's too, so buckets with grad_req='add' accumulate into one gradient
    shared_grads = shared_exec.grad_dict if shared_exec is not None else {}
    sparse_grad = _row_sparse_grads(self)
    grads = []
    for n, s, t, r, a in zip(arg_names, arg_shapes, arg_types, reqs, args):
        g = shared_grads.get(n) if n in shared and a is shared[n] else None
        if r == "null":
            grads.append(None)
        elif g is not None and g.shape == tuple(s):
            grads.append(g)
        else:
            grads.append(zeros(s, ctx=placed.get(n, ctx), dtype=np_dtype(t), stype="row_sparse" if n in sparse_grad else None))
    shared_aux = shared_exec.aux_dict if shared_exec is not None else {}
    aux = []
    for n, s, t in zip(self.list_auxiliary_states(), aux_shapes, aux_types):
        a = shared_aux.get(n)
        aux.append(a if a is not None and a.shape == tuple(s) else zeros(s, ctx=placed.get(n, ctx), dtype=np_dtype(t)))
    return bind(self, ctx, args, grads, reqs, aux, group2ctx=group2ctx)


def _row_sparse_grads(sym: Symbol) -> set:
    """Variables whose gradient MXNet makes row_sparse: the weight of an Embedding with
    ``sparse_grad`` (and of the deprecated ``_contrib_SparseEmbedding``)."""
    out = set()
    for node in sym._order():
        if node.op is not None and node.op.name in ("Embedding", "_contrib_SparseEmbedding") and len(node.inputs) > 1:
            sparse = node.op.name != "Embedding" or node.attrs.get("sparse_grad", "False").strip().lower() in ("true", "1")
            weight = node.inputs[1][0]
            if weight.op is None and sparse:
                out.add(weight.name)
    return out


def _arg_contexts(sym: Symbol, ctx: Context, group2ctx: dict | None) -> dict:
    """Variables tagged with a ``ctx_group`` live on that group's context."""
    if not group2ctx:
        return {}
    out = {}
    for node in sym._order():
        group = node.attrs.get("__ctx_group__")
        if node.op is None and group in group2ctx:
            out[node.name] = group2ctx[group]
    return out


Symbol.bind = bind
Symbol.simple_bind = simple_bind
