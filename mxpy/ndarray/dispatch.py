"""From a registry record to a lazy NDArray result: parse, infer, allocate, push.

``invoke`` is the one path every ``mx.nd`` operator call takes; NDArray's
arithmetic dunders use a shorter path for same-shape ufuncs and scalars,
which ends in the same kernels.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import engine as _eng
from ..base import MXNetError
from ..context import Context, current_context
from ..engine.var import relaid
from ..ops._split import imperative_split_kernel, split_kernel
from ..registry import REQUIRED, OpDef, Params, ShapeError, random_state, runtime
from ..registry.docs import op_docstring

# Set by mxpy.autograd while recording: recorder(op, p, inputs, outputs).
recorder = None
# Training flag used by imperative calls (autograd.train_mode sets it).
is_train = False

_REQ_WRITE = ("write",) * 8

# NDArray and its allocator live in .ndarray, which imports this module before it
# defines them and hands them over with bind_ndarray() (a function-level import
# instead would cost ~0.7 us on every call)
NDArray: Any = None
_new: Any = None


# Set by .sparse: sparse_invoke(op, args, kwargs, out, ctx, train) runs a call whose
# inputs or out= include a sparse array (only reached when an argument is not a plain NDArray).
sparse_invoke: Any = None


def bind_sparse(fn: Any) -> None:
    """Called once by ``._sparse_impl``: the handler of calls with sparse arrays."""
    global sparse_invoke
    sparse_invoke = fn


def bind_ndarray(ndarray_type: type, new: Any) -> None:
    """Called once by ``.ndarray``: the NDArray class and its ``_new(ctx, shape, dtype)``."""
    global NDArray, _new
    NDArray, _new = ndarray_type, new


def _ctx_of(op: OpDef, p: Params, args: Sequence, ctx: Any) -> Context:
    if args:
        c = args[0]._ctx
        for a in args:
            if a._ctx != c:
                raise MXNetError(f"{op.name}: all inputs must be on one context; got {c} and {a._ctx}")
        return c
    if ctx is None:
        ctx = p.get("ctx") if "ctx" in p else None
    if ctx is None or ctx == "":
        return current_context()
    if isinstance(ctx, Context):
        return ctx
    return parse_ctx(str(ctx))


def parse_ctx(text: str) -> Context:
    """``'cpu(0)'`` -> ``cpu(0)`` (MXNet writes contexts into attrs this way)."""
    t = text.strip()
    if "(" in t:
        kind, _, rest = t.partition("(")
        return Context(kind, int(rest.rstrip(")") or 0))
    return Context(t, 0)


# Output shapes/dtypes of built-in ops by (op, params, input shapes, input dtypes): an
# imperative loop calls the same ops on the same shapes every batch, and a rule such as
# FullyConnected's costs ~10 us, more than a small op's kernel. Only plain OpDef records:
# their rules are pure functions of those; subclasses (Custom, the Torch bridge) run user
# code that must see every call. An entry holds its Params, so its id cannot be reused.
_INFERRED: dict = {}
_INFERRED_MAX = 4096


def infer(op: OpDef, p: Params, in_shapes: list, in_types: list, args: Sequence | None = None) -> tuple[list, list]:
    """Output shapes and dtypes for known inputs; MXNetError names the op on conflict.

    With the NDArray inputs ``args``, an op whose output shape depends on their
    values (``op.shape_from_values``) waits for them and reads them (never cached).
    """
    if type(op) is OpDef and op.shape_from_values is None:
        key = (op, id(p), tuple(in_shapes), tuple(in_types))
        hit = _INFERRED.get(key)
        if hit is not None and hit[0] is p:
            return hit[1], hit[2]
        out_shapes, out_types = _infer(op, p, in_shapes, in_types)
        if len(_INFERRED) >= _INFERRED_MAX:
            _INFERRED.clear()
        _INFERRED[key] = (p, tuple(out_shapes), tuple(out_types))
        return out_shapes, out_types
    return _infer(op, p, in_shapes, in_types, args)


def _infer(op: OpDef, p: Params, in_shapes: list, in_types: list, args: Sequence | None = None) -> tuple[list, list]:
    try:
        _, out_shapes = op.infer_shape(p, in_shapes)
        _, out_types = op.infer_type(p, in_types)
    except ShapeError as e:
        shapes = ", ".join(f"{n}={s}" for n, s in zip(op.input_names(p), in_shapes))
        raise MXNetError(f"{op.name}: {e.named(op.input_names(p))} (inputs: {shapes or 'none'})") from None
    if args is not None and op.shape_from_values is not None and (out_shapes is None or any(s is None for s in out_shapes)):
        out_shapes = op.shape_from_values(p, [a.asnumpy() for a in args])
    if out_shapes is None or any(s is None for s in out_shapes) or out_types is None or any(t is None for t in out_types):
        raise MXNetError(f"{op.name}: cannot infer output shape/dtype from inputs {in_shapes} {in_types}")
    return out_shapes, out_types


# Optimizer updates (ops named *_update, out= the weights) repeat with the same arrays
# every batch: their checked push is kept, keyed on the op, the parsed params and the
# buffers and Vars of every input and output, and replayed (an update's parsing,
# inference and checks cost ~15 us, over 2% of a small net's training step). An entry
# holds its arrays, so the ids in its key cannot be reused while it exists.
_PREPARED: dict = {}
_PREPARED_MAX = 64


def _prepared_key(op: OpDef, args: Sequence, out: Any, train: bool | None):
    """The key of an update's prepared push (invoke checks the name, out= and ctx first)."""
    if recorder is not None or op.needs_rng or not isinstance(out, (list, tuple, NDArray)):
        return None
    outs = out if isinstance(out, (list, tuple)) else (out,)
    try:
        mode = is_train if train is None else train  # the Runtime pushed depends on it
        return (op, mode, tuple([(id(a._data), id(a._var)) for a in args]), tuple([(id(o._data), id(o._var)) for o in outs]))
    except AttributeError:  # not NDArrays: invoke's own checks say so
        return None


def invoke(op: OpDef, args: Sequence, kwargs: dict, out: Any = None, ctx: Any = None, train: bool | None = None):
    """Run ``op`` imperatively on NDArrays ``args``; return the NDArray(s) at once."""
    p = op.parse(kwargs)
    key = _prepared_key(op, args, out, train) if out is not None and ctx is None and op.name.endswith("_update") else None
    if key is not None:
        hit = _PREPARED.get(key)
        if hit is not None and hit[0] is p:
            _eng._current.push(*hit[1])
            return out
    for i, a in enumerate(args):
        if type(a) is not NDArray:  # an identity test: dense calls pay nothing for sparse support
            if isinstance(a, NDArray):
                if a.stype != "default":  # dense subclasses (mx.np.ndarray) run here as they are
                    return sparse_invoke(op, args, kwargs, out, ctx, train)
                continue
            names = op.input_names(p)
            nm = names[i] if i < len(names) else f"input {i}"
            raise TypeError(f"{op.name}: argument '{nm}' must be an NDArray, got {type(a).__name__}")
    c = _ctx_of(op, p, args, ctx)
    in_shapes = [a._data.shape for a in args]
    in_types = [a._data.dtype for a in args]
    out_shapes, out_types = infer(op, p, in_shapes, in_types, args)
    n_vis = op.num_visible_outputs(p)
    if out is None:
        outs = [_new(c, s, t) for s, t in zip(out_shapes, out_types)]
    else:
        given = list(out) if isinstance(out, (list, tuple)) else [out]
        if len(given) != n_vis:
            raise MXNetError(f"{op.name}: out= expects {n_vis} array(s), got {len(given)}")
        for i, (o, s, t) in enumerate(zip(given, out_shapes, out_types)):
            if type(o) is not NDArray and isinstance(o, NDArray) and o.stype != "default":
                return sparse_invoke(op, args, kwargs, out, ctx, train)
            if not isinstance(o, NDArray):
                raise TypeError(f"{op.name}: out= must be NDArray, got {type(o).__name__}")
            if o._data.shape != tuple(s):
                raise MXNetError(f"{op.name}: out[{i}] has shape {o._data.shape}, expected {tuple(s)}")
            if o._data.dtype != t:
                raise MXNetError(f"{op.name}: out[{i}] has dtype {o._data.dtype}, expected {np.dtype(t).name}")
            if o._ctx != c:
                raise MXNetError(f"{op.name}: out[{i}] is on {o._ctx}, expected {c}")
        outs = given + [_new(c, s, t) for s, t in zip(out_shapes[n_vis:], out_types[n_vis:])]
    push_args = _push_args(op, p, args, outs, c, is_train if train is None else train)
    _eng._current.push(*push_args)
    if recorder is not None:
        recorder(op, p, list(args), outs)
    if out is not None:
        if key is not None and len(outs) == n_vis:  # no hidden outputs allocated afresh
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.clear()
            _PREPARED[key] = (p, push_args, args, outs)
        return out
    return outs[0] if n_vis == 1 else outs[:n_vis]


def _push(op: OpDef, p: Params, args: Sequence, outs: Sequence, c: Context, train: bool) -> None:
    """Push ``op`` on ``args`` into ``outs`` (checked by the caller)."""
    _eng._current.push(*_push_args(op, p, args, outs, c, train))


def _push_args(op: OpDef, p: Params, args: Sequence, outs: Sequence, c: Context, train: bool) -> tuple:
    """The engine push of ``op`` on ``args`` into ``outs``: (fn, fn args, reads, writes, ctx, name, cost)."""
    writes: list = []
    for o in outs:
        if o._var not in writes:
            writes.append(o._var)
    if op._aux or op.mutates is not None:  # inputs the kernel updates (moving_mean, mom...)
        for i in op.mutated_inputs(p, len(args)):
            if args[i]._var not in writes:
                writes.append(args[i]._var)
    reads: list = []
    alias = False
    for a in args:
        v = a._var
        if v in writes:
            alias = True
        elif v not in reads:
            reads.append(v)
    if op.needs_rng:
        writes.append(random_state(c).var)
    ins = [a._data for a in args]
    out_data = [o._data for o in outs]
    rt = runtime(c, train)
    cost = op.cost(p, ins, out_data) if op.cost is not None else sum(d.size for d in out_data)
    n = len(outs)
    req = _REQ_WRITE[:n] if n <= 8 else ("write",) * n
    kernel = kernel_for(op, args, c, alias, imperative=True)
    if c.device_typeid == 2:
        return run_on_device, (kernel, p, ins, out_data, req, rt), reads, writes, c, op.name, cost
    return kernel, (p, ins, out_data, req, rt), reads, writes, c, op.name, cost


def kernel_for(op: OpDef, args: Sequence, ctx: Context, alias: bool, split: bool = False, imperative: bool = False):
    """The kernel to push for ``op`` on NDArray inputs ``args`` (``mx.nd`` and executors alike).

    ``alias``: an output shares memory with an input (computed via temporaries
    unless the op is in-place safe); otherwise an op with a ``relayout`` reads
    its kept input copy on CPU. ``split``: an executor in split mode (see
    ``ops._split``) runs the op's kernel on batch slices when it has a ``split``;
    ``imperative``: an ``mx.nd`` call, whose large convolutions and pooling run on
    slices too (``ops._split.imperative_split_kernel``).
    """
    cpu = ctx.device_typeid != 2
    kernel = split_kernel(op) if split and cpu and op.split is not None else op.kernel
    if imperative and cpu and op.split is not None:
        kernel = imperative_split_kernel(op) or kernel
    if alias and not op.inplace:
        return _via_temp(kernel)
    if op.relayout is not None and cpu:
        return relaid_kernel(op, args[op.relayout[0]]._var, kernel)
    return kernel


def relaid_kernel(op: OpDef, var, kernel):
    """``kernel`` (``op.kernel`` or its split form) fed ``op.relayout``'s copy of one
    input (see :func:`engine.var.relaid`).

    ``var`` is that input's engine Var; the copy is looked up when the kernel
    runs, after every write pushed before it has finished.
    """
    slot, make = op.relayout

    def run(p, ins, outs, req, rt):
        ins = list(ins)
        ins[slot] = relaid(var, ins[slot], make)
        kernel(p, ins, outs, req, rt)

    return run


def run_on_device(kernel, p, ins, outs, req, rt) -> None:
    """Run a GPU kernel with its device current, whichever thread runs it."""
    with rt.backend.device():
        kernel(p, ins, outs, req, rt)


_TEMP_KERNELS: dict = {}


def _via_temp(kernel):
    """``kernel`` made safe for outputs that share memory with an input:
    compute into fresh buffers, then copy."""
    run = _TEMP_KERNELS.get(kernel)
    if run is None:

        def run(p, ins, outs, req, rt):
            tmp = [rt.xp.empty(o.shape, o.dtype) for o in outs]
            kernel(p, ins, tmp, ("write",) * len(outs), rt)
            for o, t, r in zip(outs, tmp, req):
                if r == "add":
                    o += t
                elif r != "null":
                    o[...] = t

        _TEMP_KERNELS[kernel] = run
    return run


# -- front-end functions -----------------------------------------------------------

_NULL = inspect.Parameter.empty


def make_function(op: OpDef, public_name: str):
    """A real closure for ``mx.nd.<public_name>`` with a signature built from the record."""
    declared = op.declared_inputs()
    param_names = list(op.params)
    variadic = op.variadic is not None

    def fn(*args, out=None, name=None, ctx=None, **kwargs):
        if variadic:
            inputs = list(args)
            if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
                inputs = list(inputs[0])
            if "num_args" in op.params and "num_args" not in kwargs:
                kwargs["num_args"] = len(inputs)
        else:
            inputs = []
            rest = list(args)
            # positional arguments fill inputs first, then parameters in order
            for nm in declared:
                if nm in kwargs:
                    val = kwargs.pop(nm)
                    if val is not None:
                        inputs.append(val)
                elif rest and (isinstance(rest[0], NDArray) or rest[0] is None):
                    val = rest.pop(0)
                    if val is not None:
                        inputs.append(val)
            extra = [k for k in param_names if k not in kwargs]
            if len(rest) > len(extra):
                raise TypeError(f"{public_name}() takes {len(declared)} input(s) and {len(param_names)} parameter(s); got {len(args)} positional arguments")
            for k, v in zip(extra, rest):
                kwargs[k] = v
        if op.creates and ctx is not None:
            kwargs["ctx"] = ctx if isinstance(ctx, str) else str(ctx)
        return invoke(op, inputs, kwargs, out=out)

    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__module__ = "mxpy.ndarray"
    fn.__doc__ = op_docstring(op, public_name, "NDArray")
    params = []
    if variadic:
        params.append(inspect.Parameter("data", inspect.Parameter.VAR_POSITIONAL))
    else:
        for nm in declared:
            params.append(inspect.Parameter(nm, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None))
    kind = inspect.Parameter.KEYWORD_ONLY if variadic else inspect.Parameter.POSITIONAL_OR_KEYWORD
    for k, spec in op.params.items():
        if variadic and k == "num_args":
            continue
        default = _NULL if spec.default is REQUIRED else spec.default
        if default is _NULL and kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            default = None  # MXNet's generated functions default everything to _Null
        params.append(inspect.Parameter(k, kind, default=default))
    params.append(inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("name", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    try:
        fn.__signature__ = inspect.Signature(params)
    except ValueError:  # a parameter named like an input: keep the plain signature
        pass
    return fn
