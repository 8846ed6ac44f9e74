"""``mx.operator``: operators written in Python (MXNet's custom-op API).

Subclass :class:`CustomOp` (``forward``/``backward`` on NDArrays) and
:class:`CustomOpProp` (arguments, outputs, shapes, types), decorate the prop
with ``@mx.operator.register("name")``, and call it as
``mx.nd.Custom(..., op_type="name")`` or ``mx.sym.Custom(..., op_type="name")``.

Every call is a node of the one registered ``Custom`` operator record, whose
parameters carry the prop built from the node's keyword arguments (as
strings, as MXNet passes them). So custom ops run on the engine like any op
(lazily: an error inside ``forward`` surfaces at the sync point, naming the
``op_type``), are recorded by autograd, run in executors and Modules, and
survive JSON round trips (``op_type`` and the keywords are the node's attrs).
The user's NDArray code inside ``forward``/``backward`` runs synchronously on
the thread that runs the node, on arrays that alias the node's buffers.

>>> import mxpy as mx
>>> class Twice(mx.operator.CustomOp):
...     def forward(self, is_train, req, in_data, out_data, aux):
...         self.assign(out_data[0], req[0], in_data[0] * 2)
...     def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
...         self.assign(in_grad[0], req[0], out_grad[0] * 2)
>>> @mx.operator.register("doctest_twice")
... class TwiceProp(mx.operator.CustomOpProp):
...     def create_operator(self, ctx, shapes, dtypes):
...         return Twice()
>>> mx.nd.Custom(mx.nd.array([1.0, 2.0]), op_type="doctest_twice").asnumpy().tolist()
[2.0, 4.0]
"""

from __future__ import annotations

import collections
import ctypes
import itertools

import numpy as np

from . import engine as _engine
from . import registry
from .base import MXNetError, NDArrayHandle
from .ndarray import NDArray, dispatch
from .ndarray.ndarray import _wrap
from .registry import REQUIRED, OpDef, Params, ShapeError
from .symbol import Symbol
from .symbol.node import Node
from .symbol.symbol import create as _create_symbol

__all__ = [
    "CustomOp",
    "CustomOpProp",
    "register",
    "get_all_registered_operators",
    "get_operator_arguments",
    "OperatorArguments",
    "PythonOp",
    "NumpyOp",
    "NDArrayOp",
    # MXNet's operator module has no __all__: `from mxnet.operator import *` also gives
    # these imports, and MXNet's tests use them (ctypes.cast(arr, NDArrayHandle))
    "ctypes",
    "NDArrayHandle",
    "NDArray",
]

_PROPS: dict[str, type] = {}


class CustomOp:
    """Base class of a custom operator's computation: override ``forward`` and ``backward``."""

    def __init__(self) -> None:
        pass

    def forward(self, is_train, req, in_data, out_data, aux):
        """Compute ``out_data`` from ``in_data`` (lists of NDArrays); write each output with
        :meth:`assign` honouring ``req[i]``. ``aux`` holds the auxiliary states (mutable)."""
        raise MXNetError(f"{type(self).__name__}: CustomOp subclasses must define forward(self, is_train, req, in_data, out_data, aux)")

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Compute ``in_grad`` (one per argument) from ``out_grad`` and the forward's data."""
        raise MXNetError(f"{type(self).__name__}: CustomOp subclasses must define backward(self, req, out_grad, in_data, out_data, in_grad, aux)")

    def assign(self, dst, req: str, src) -> None:
        """Store ``src`` into ``dst`` as ``req`` asks: ``write``/``inplace`` copy, ``add`` adds,
        ``null`` does nothing.

        >>> import mxpy as mx
        >>> dst = mx.nd.ones((2,))
        >>> mx.operator.CustomOp().assign(dst, "add", mx.nd.ones((2,)))
        >>> dst.asnumpy().tolist()
        [2.0, 2.0]
        """
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise MXNetError(f"CustomOp.assign: unknown req {req!r}; expected 'null', 'write', 'inplace' or 'add'")


class CustomOpProp:
    """Base class of a custom operator's properties: names, shapes, types, dependencies.

    ``need_top_grad=False`` declares a loss: its backward ignores the head
    gradient, so ``backward()`` needs none.
    """

    def __init__(self, need_top_grad: bool = True) -> None:
        self.need_top_grad_ = need_top_grad

    def need_top_grad(self) -> bool:
        """Whether ``backward`` reads the gradient of the outputs."""
        return getattr(self, "need_top_grad_", True)

    def list_arguments(self) -> list[str]:
        """Names of the inputs (default ``['data']``)."""
        return ["data"]

    def list_outputs(self) -> list[str]:
        """Names of the outputs (default ``['output']``)."""
        return ["output"]

    def list_auxiliary_states(self) -> list[str]:
        """Names of the auxiliary states (default none)."""
        return []

    def infer_shape(self, in_shape):
        """``(in_shapes, out_shapes, aux_shapes)`` from the argument shapes
        (default: every output and aux state shaped like the first input)."""
        return in_shape, (in_shape[0],) * len(self.list_outputs()), (in_shape[0],) * len(self.list_auxiliary_states())

    def infer_type(self, in_type):
        """``(in_types, out_types, aux_types)`` (default: all the first input's type)."""
        return in_type, [in_type[0]] * len(self.list_outputs()), [in_type[0]] * len(self.list_auxiliary_states())

    def infer_storage_type(self, in_stype):
        """Storage types (mxpy stores every array densely: all ``'default'``)."""
        return in_stype, ["default"] * len(self.list_outputs()), ["default"] * len(self.list_auxiliary_states())

    def infer_storage_type_backward(self, ograd_stype, in_stype, out_stype, igrad_stype, aux_stype):
        """Storage types of the backward (all ``'default'``)."""
        return ograd_stype, in_stype, out_stype, ["default"] * len(igrad_stype), aux_stype

    def declare_backward_dependency(self, out_grad, in_data, out_data) -> list:
        """Which of out_grad/in_data/out_data ``backward`` reads (all by default;
        out_grad only when ``need_top_grad``)."""
        deps = list(out_grad) if self.need_top_grad() else []
        return deps + list(in_data) + list(out_data)

    def create_operator(self, ctx, in_shapes, in_dtypes) -> CustomOp:
        """Return the :class:`CustomOp` that computes this op for these shapes and dtypes."""
        raise MXNetError(f"{type(self).__name__}: CustomOpProp subclasses must define create_operator(self, ctx, in_shapes, in_dtypes)")


def register(reg_name: str):
    """Class decorator registering a :class:`CustomOpProp` subclass as ``op_type=reg_name``.

    Registering a name again replaces the earlier class (as MXNet does).
    """
    if not isinstance(reg_name, str) or not reg_name:
        raise MXNetError(f"mx.operator.register: the name must be a non-empty string, got {reg_name!r}")

    def do_register(prop_cls):
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise MXNetError(f"mx.operator.register({reg_name!r}): {prop_cls!r} is not a CustomOpProp subclass")
        _PROPS[reg_name] = prop_cls
        return prop_cls

    return do_register


def get_all_registered_operators() -> list[str]:
    """Every operator name mxpy knows (canonical names and aliases), sorted."""
    return sorted(registry.all_names())


OperatorArguments = collections.namedtuple("OperatorArguments", ["narg", "names", "types"])


def get_operator_arguments(op_name: str) -> OperatorArguments:
    """The inputs and parameters of operator ``op_name``, with their types as text."""
    op = registry.get(op_name)
    names, types = [], []
    for n in op.declared_inputs():
        names.append(n)
        types.append("NDArray-or-Symbol")
    for k, spec in op.params.items():
        names.append(k)
        types.append(_type_text(spec))
    return OperatorArguments(len(names), names, types)


_KIND_TEXT = {"int": "int", "float": "float", "bool": "boolean", "shape": "Shape(tuple)", "str": "string", "dtype": "string"}


def _type_text(spec) -> str:
    """A parameter's type the way MXNet's parameter structs describe it ("int, required",
    "{'max', 'sum'},optional, default='max'", "boolean, optional, default=0")."""
    required = spec.default is REQUIRED
    if spec.choices:
        choices = sorted(str(c) for c in spec.choices if c is not None and str(c) != "None")
        with_none = not required and (spec.default is None or len(choices) < len(spec.choices))
        kind = "{" + ", ".join((["None"] if with_none else []) + [f"'{c}'" for c in choices]) + "}"
        return f"{kind}, required" if required else f"{kind},optional, default='{spec.default}'"
    kind = _KIND_TEXT.get(spec.kind, spec.kind)
    if spec.optional and spec.kind != "bool":
        kind += " or None"
    if required:
        return f"{kind}, required"
    default = spec.default
    if isinstance(default, bool):
        default = int(default)
    elif isinstance(default, tuple):
        default = list(default)
    return f"{kind}, optional, default={default}"


# -- the Custom op record -------------------------------------------------------------------------


class _CustomParams(Params):
    """Parsed Custom parameters: the attrs (``op_type`` and the user's keywords, as
    strings) as items, plus the prop built from them and the operator instances
    created for it, one per (context, shapes, dtypes), shared by forward and backward."""

    __slots__ = ("prop", "n_args", "n_out", "n_aux", "ops")

    def profiler_label(self, op_name: str) -> tuple[str, str]:
        """How mx.profiler files this node's kernel: MXNet's 'Custom Operator' category, '<op_type>::pure_python'."""
        prefix = "_backward_" if op_name.startswith("_backward") else ""
        return "Custom Operator", f"{prefix}{self.op_type}::pure_python"


def _shape(s) -> tuple | None:
    if s is None:
        return None
    t = tuple(int(d) for d in s)
    return t if t else None  # MXNet's custom ops see an unknown shape as []


class _CustomOpDef(OpDef):
    """The ``Custom`` operator: everything is delegated to the node's prop."""

    def __init__(self) -> None:
        super().__init__(
            "Custom",
            self._forward_kernel,
            inputs=lambda p: p.prop.list_arguments(),
            outputs=lambda p: p.prop.list_outputs(),
            aux=lambda p: p.prop.list_auxiliary_states(),
            infer_shape=self._infer_shape,
            infer_type=self._infer_type,
            gradient=self._gradient,
            probe_shapes=False,  # the prop's infer_shape is user code: real shapes only
            doc=(
                "Apply a custom operator registered with ``mx.operator.register``.\n\n"
                "Parameters\n----------\nop_type : str\n    The registered name.\n"
                "**kwargs\n    Passed (as strings) to the prop's constructor."
            ),
        )
        # not a loss unless the prop says the head gradient is not needed (read per node)
        self.is_loss = lambda p: not p.prop.need_top_grad()

    def parse(self, kwargs) -> _CustomParams:
        handed = kwargs.get("__custom_params__") if isinstance(kwargs, dict) else None
        if handed is not None:
            return handed  # nd.Custom parsed once already, to name its inputs
        attrs = {k: v for k, v in kwargs.items() if not (k.startswith("__") and k.endswith("__"))}
        op_type = attrs.pop("op_type", None)
        if op_type is None:
            raise MXNetError("Custom: required parameter 'op_type' is missing")
        op_type = str(op_type)
        prop_cls = _PROPS.get(op_type)
        if prop_cls is None:
            raise MXNetError(f"Custom: no custom operator is registered as op_type={op_type!r}; registered: {sorted(_PROPS)}")
        strs = {k: v if isinstance(v, str) else _as_attr(v) for k, v in attrs.items()}
        try:
            prop = prop_cls(**strs)
        except TypeError as e:
            raise MXNetError(f"Custom ({op_type}): {prop_cls.__name__}({', '.join(strs)}) failed: {e}") from e
        p = _CustomParams(op_type=op_type, **strs)
        p.prop = prop
        p.n_args = len(prop.list_arguments())
        p.n_out = len(prop.list_outputs())
        p.n_aux = len(prop.list_auxiliary_states())
        p.ops = {}
        return p.freeze()

    def format_attrs(self, p, only=None) -> dict[str, str]:
        keys = only if only is not None else list(p)
        return {k: str(p[k]) for k in keys}

    # -- inference ------------------------------------------------------------------------
    def _infer_shape(self, p: _CustomParams, in_shapes):
        n_args, n_out, n_aux = p.n_args, p.n_out, p.n_aux
        args = list(in_shapes[:n_args])
        if all(s is None for s in args):
            return list(in_shapes), [None] * n_out
        try:
            ret = p.prop.infer_shape([list(s) if s is not None else [] for s in args])
        except Exception as e:
            if any(s is None for s in args):
                return list(in_shapes), [None] * n_out  # the prop needs more known shapes
            raise ShapeError(f"({p.op_type}) infer_shape raised {type(e).__name__}: {e}") from e
        if not isinstance(ret, (list, tuple)) or len(ret) not in (2, 3):
            raise ShapeError(f"({p.op_type}) infer_shape must return 2 or 3 lists (in, out[, aux]), got {type(ret).__name__}")
        ishape, oshape = ret[0], ret[1]
        ashape = ret[2] if len(ret) == 3 else []
        for what, got, want in (("input", ishape, n_args), ("output", oshape, n_out), ("aux state", ashape, n_aux)):
            if len(got) != want:
                raise ShapeError(f"({p.op_type}) InferShape Error: expecting {want} entries in returned {what} shapes, got {len(got)}")
        known_in = [_shape(s) for s in ishape] + [_shape(s) for s in ashape]
        for i, (given, got) in enumerate(zip(in_shapes, known_in)):
            if given is not None and got is not None and given != got:
                raise ShapeError(f"({p.op_type}) infer_shape changed the shape of input {i} from {given} to {got}")
        return [g if g is not None else k for g, k in zip(in_shapes, known_in)], [_shape(s) for s in oshape]

    def _infer_type(self, p: _CustomParams, in_types):
        n_args, n_out = p.n_args, p.n_out
        known = next((t for t in in_types if t is not None), None)
        if known is None:
            return list(in_types), [None] * n_out
        args = [np.dtype(t if t is not None else known).type for t in in_types[:n_args]]
        ret = p.prop.infer_type(args)
        if not isinstance(ret, (list, tuple)) or len(ret) not in (2, 3):
            raise ShapeError(f"({p.op_type}) infer_type must return 2 or 3 lists (in, out[, aux])")
        itype, otype = list(ret[0]), list(ret[1])
        atype = list(ret[2]) if len(ret) == 3 else [known] * p.n_aux
        if len(itype) != n_args or len(otype) != n_out or len(atype) != p.n_aux:
            raise ShapeError(f"({p.op_type}) infer_type returned {len(itype)}/{len(otype)}/{len(atype)} types, expected {n_args}/{n_out}/{p.n_aux}")
        return [np.dtype(t) for t in itype + atype], [np.dtype(t) for t in otype]

    # -- running ---------------------------------------------------------------------------
    def _forward_kernel(self, p, ins, outs, req, rt) -> None:
        ctx = rt.ctx
        n_args = p.n_args
        op = _operator_for(p, ctx, ins)
        in_data = [_wrap(ctx, a) for a in ins[:n_args]]
        aux = [_wrap(ctx, a) for a in ins[n_args:]]
        out_data = [_wrap(ctx, o) for o in outs]
        reqs = list(req)
        _run_user(
            p, "forward", ctx, rt.is_train, lambda: op.forward(is_train=rt.is_train, req=reqs, in_data=in_data, out_data=out_data, aux=aux), out_data + aux
        )

    def _gradient(self, g, ograds):
        p = g.p
        og = [o if o is not None else g.op1("zeros_like", [g.outputs[j]]) for j, o in enumerate(ograds)]
        attrs = {}
        group = g.node.attrs.get("__ctx_group__")
        if group is not None:
            attrs["__ctx_group__"] = group
        node = Node(_BACKWARD, f"{g.node.name}_backward", attrs, og + list(g.inputs) + list(g.outputs))
        node._params = p
        g.created.append(node)
        return [(node, k) for k in range(p.n_args)] + [None] * p.n_aux


def _as_attr(v) -> str:
    """A keyword value as MXNet hands it to a prop: its ``str`` (dtypes by name)."""
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and issubclass(v, np.generic):
        return np.dtype(v).name
    return str(v)


class _CustomBackwardOp(OpDef):
    """The backward of a Custom node: inputs are out_grad, in_data, out_data, aux; outputs in_grad.

    Not registered: only the gradient pass creates it, with the forward's params.
    """

    def __init__(self) -> None:
        super().__init__(
            "_backward_Custom",
            self._kernel,
            inputs=lambda p: (
                [f"out_grad{i}" for i in range(p.n_out)]
                + [f"in_data{i}" for i in range(p.n_args)]
                + [f"out_data{i}" for i in range(p.n_out)]
                + [f"aux{i}" for i in range(p.n_aux)]
            ),
            outputs=lambda p: [f"in_grad{i}" for i in range(p.n_args)],
            infer_shape=self._infer_shape,
            infer_type=self._infer_type,
            doc="Gradient of a Custom operator (runs its CustomOp.backward).",
        )

    @staticmethod
    def _infer_shape(p, in_shapes):
        return list(in_shapes), list(in_shapes[p.n_out : p.n_out + p.n_args])

    @staticmethod
    def _infer_type(p, in_types):
        return list(in_types), list(in_types[p.n_out : p.n_out + p.n_args])

    def _kernel(self, p, ins, outs, req, rt) -> None:
        ctx = rt.ctx
        n_out, n_args = p.n_out, p.n_args
        in_arrays = ins[n_out : n_out + n_args]
        aux_arrays = ins[2 * n_out + n_args :]
        op = _operator_for(p, ctx, list(in_arrays) + list(aux_arrays))
        out_grad = [_wrap(ctx, a) for a in ins[:n_out]]
        in_data = [_wrap(ctx, a) for a in in_arrays]
        out_data = [_wrap(ctx, a) for a in ins[n_out + n_args : 2 * n_out + n_args]]
        aux = [_wrap(ctx, a) for a in aux_arrays]
        in_grad = [_wrap(ctx, o) for o in outs]
        reqs = list(req)
        _run_user(
            p,
            "backward",
            ctx,
            rt.is_train,
            lambda: op.backward(req=reqs, out_grad=out_grad, in_data=in_data, out_data=out_data, in_grad=in_grad, aux=aux),
            in_grad + aux,
        )


_BACKWARD = _CustomBackwardOp()


def _operator_for(p: _CustomParams, ctx, arrays) -> CustomOp:
    """The node's CustomOp for these input shapes and dtypes (created on first use)."""
    shapes = tuple(tuple(a.shape) for a in arrays)
    dtypes = tuple(np.dtype(a.dtype) for a in arrays)
    key = (ctx, shapes, dtypes)
    op = p.ops.get(key)
    if op is None:
        try:
            op = p.prop.create_operator(ctx, [list(s) for s in shapes], [d.type for d in dtypes])
        except Exception as e:
            raise MXNetError(f"Custom operator '{p.op_type}': create_operator failed: {type(e).__name__}: {e}") from e
        if not isinstance(op, CustomOp):
            raise MXNetError(f"Custom operator '{p.op_type}': create_operator must return a CustomOp, got {type(op).__name__}")
        p.ops[key] = op
    return op


def _run_user(p: _CustomParams, phase: str, ctx, is_train: bool, fn, written: list) -> None:
    """Run the user's forward/backward with pushes from this thread executed at once,
    then make sure everything it wrote has been computed; any failure becomes one
    MXNetError naming the op_type (it fails the node's outputs, nothing else)."""
    from . import autograd, profiler

    try:
        # ops the user's code pushes appear in the profiler as '<op_type>::<op>' (MXNet's names)
        with _engine.synchronous(), ctx, profiler._category("Custom Operator", f"{p.op_type}::"):
            # running inline in a recording thread: the user's own NDArray code is not
            # recorded. (Recording state is per thread, but its dispatch hook is global:
            # a worker thread must not touch it while another thread records.)
            if autograd.is_recording():
                with autograd._scope(False, is_train):
                    fn()
            else:
                fn()
            for a in written:
                a.wait_to_read()
    except MXNetError as e:
        raise MXNetError(f"Custom operator '{p.op_type}': {phase} failed: {e}") from e
    except Exception as e:
        raise MXNetError(f"Custom operator '{p.op_type}': {phase} failed: {type(e).__name__}: {e}") from e


CUSTOM = registry.register(_CustomOpDef())


# -- front ends --------------------------------------------------------------------------------


def _split_kwargs(kwargs: dict, kind: type) -> tuple[dict, dict]:
    arrays = {k: v for k, v in kwargs.items() if isinstance(v, kind)}
    params = {k: v for k, v in kwargs.items() if not isinstance(v, kind)}
    return arrays, params


def _order_inputs(p: _CustomParams, args: tuple, named: dict, kind: type, what: str) -> list:
    slots = p.prop.list_arguments() + p.prop.list_auxiliary_states()
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = tuple(args[0])
    if len(args) > len(slots):
        raise MXNetError(f"Custom ({p.op_type}): {len(args)} inputs given, expected at most {len(slots)} ({slots})")
    given = dict(zip(slots, args))
    for k, v in named.items():
        if k not in slots:
            raise MXNetError(f"Custom ({p.op_type}): unknown input {k!r}; inputs are {slots}")
        if k in given:
            raise MXNetError(f"Custom ({p.op_type}): input {k!r} given twice")
        given[k] = v
    for k, v in given.items():
        if not isinstance(v, kind):
            raise TypeError(f"Custom ({p.op_type}): input {k!r} must be {what}, got {type(v).__name__}")
    return [given.get(s) for s in slots]


def nd_custom(*data, op_type: str | None = None, out=None, name=None, **kwargs):
    """``mx.nd.Custom(*data, op_type=..., **kwargs)``: run a registered custom op on NDArrays.

    Inputs go positionally (in ``list_arguments()`` order, aux states last) or by name;
    every other keyword goes to the prop's constructor as a string.
    """
    arrays, params = _split_kwargs(kwargs, NDArray)
    p = CUSTOM.parse({"op_type": op_type, **params} if op_type is not None else params)
    inputs = _order_inputs(p, data, arrays, NDArray, "an NDArray")
    missing = [s for s, v in zip(p.prop.list_arguments() + p.prop.list_auxiliary_states(), inputs) if v is None]
    if missing:
        raise MXNetError(f"Custom ({p.op_type}): missing input(s) {missing}")
    return dispatch.invoke(CUSTOM, inputs, {"__custom_params__": p}, out=out)


def sym_custom(*data, op_type: str | None = None, name=None, attr=None, **kwargs):
    """``mx.sym.Custom(*data, op_type=..., **kwargs)``: a Symbol applying a registered custom op.

    Inputs not given become variables named ``<name>_<input>`` (as for any op).
    """
    kwargs.pop("out", None)
    syms, params = _split_kwargs(kwargs, Symbol)
    if op_type is not None:
        params["op_type"] = op_type
    p = CUSTOM.parse(params)
    inputs = _order_inputs(p, data, syms, Symbol, "a Symbol")
    slots = p.prop.list_arguments() + p.prop.list_auxiliary_states()
    given = {s: v for s, v in zip(slots, inputs) if v is not None}
    return _create_symbol(CUSTOM, given, params, name=name, attr=attr, hint="custom")


nd_custom.__name__ = sym_custom.__name__ = "Custom"


# -- the legacy Python operators (NumpyOp, NDArrayOp) -----------------------------------------------

_legacy_ids = itertools.count()


class PythonOp:
    """Base of MXNet's pre-CustomOp Python operators: calling an instance on symbols
    returns a Symbol that runs its ``forward``/``backward``."""

    def __init__(self, need_top_grad: bool = True) -> None:
        self.info_ = None
        self._need_top_grad = need_top_grad
        self._op_type: str | None = None

    def __call__(self, *args, **kwargs):
        return self.get_symbol(*args, **kwargs)

    def get_symbol(self, *args, **kwargs):
        """A Symbol applying this operator to ``args``/``kwargs`` symbols."""
        if self._op_type is None:
            self._op_type = f"_legacy_{type(self).__name__}_{next(_legacy_ids)}"
            _PROPS[self._op_type] = _legacy_prop_class(self)
        return sym_custom(*args, op_type=self._op_type, **kwargs)

    def forward(self, in_data, out_data):
        """Compute ``out_data`` from ``in_data`` (override)."""
        out_data[0][:] = in_data[0]

    def backward(self, out_grad, in_data, out_data, in_grad):
        """Compute ``in_grad`` (override)."""
        in_grad[0][:] = 1.0

    def infer_shape(self, in_shape):
        """``(in_shapes, out_shapes)`` (default: one output shaped like the first input)."""
        return in_shape, [in_shape[0]]

    def list_outputs(self) -> list[str]:
        return ["output"]

    def list_arguments(self) -> list[str]:
        return ["data"]

    def need_top_grad(self) -> bool:
        return self._need_top_grad


class NumpyOp(PythonOp):
    """A legacy operator whose ``forward(in_data, out_data)`` and ``backward`` work on
    NumPy arrays (CPU), writing the outputs in place."""

    _numpy = True


class NDArrayOp(PythonOp):
    """A legacy operator whose ``forward``/``backward`` work on NDArrays."""

    _numpy = False

    def declare_backward_dependency(self, out_grad, in_data, out_data) -> list:
        deps = list(out_grad) if self.need_top_grad() else []
        return deps + list(in_data) + list(out_data)


def _legacy_prop_class(legacy: PythonOp) -> type:
    """A CustomOpProp subclass that presents ``legacy`` through the CustomOp API."""

    def arrays(xs):
        if getattr(legacy, "_numpy", False):
            return [x._data if isinstance(x._data, np.ndarray) else x.asnumpy() for x in xs]
        return xs

    class _Op(CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            legacy.forward(in_data=arrays(in_data), out_data=arrays(out_data))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            legacy.backward(out_grad=arrays(out_grad), in_data=arrays(in_data), out_data=arrays(out_data), in_grad=arrays(in_grad))

    class _Prop(CustomOpProp):
        def __init__(self, **kwargs) -> None:
            super().__init__(legacy.need_top_grad())

        def list_arguments(self):
            return legacy.list_arguments()

        def list_outputs(self):
            return legacy.list_outputs()

        def infer_shape(self, in_shape):
            ishape, oshape = legacy.infer_shape(in_shape)
            return ishape, oshape, []

        def create_operator(self, ctx, in_shapes, in_dtypes):
            return _Op()

    _Prop.__name__ = f"{type(legacy).__name__}Prop"
    return _Prop
