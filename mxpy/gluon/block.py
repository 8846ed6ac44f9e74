"""Gluon's building blocks: :class:`Block` (imperative) and :class:`HybridBlock`.

A Block owns Parameters and child Blocks; names come from ``name_scope()``
exactly as MXNet makes them (``dense0_weight``, ``mymodel0_conv1_bias``). A
HybridBlock writes ``hybrid_forward(F, x, ...)`` once: with ``F = mx.nd`` it runs
imperatively (recorded by autograd), and after ``hybridize()`` it is traced with
``F = mx.sym`` into a Symbol run by cached Executors (see ``_cached_op``).

>>> import mxpy as mx
>>> from mxpy.gluon import nn
>>> net = nn.HybridSequential()
>>> with net.name_scope():
...     net.add(nn.Dense(4, activation="relu"), nn.Dense(2))
>>> net.initialize()
>>> net.hybridize()
>>> net(mx.nd.ones((3, 5))).shape
(3, 2)
"""

from __future__ import annotations

import os
import re
import threading
import traceback
import warnings
from collections import OrderedDict

from .. import initializer
from .. import name as _name
from .. import ndarray as nd
from .. import symbol as sym
from ..base import MXNetError
from ..context import cpu
from ..ndarray import NDArray
from ._cached_op import CachedOp
from ._np_mode import as_np_if_active
from .parameter import DeferredInitializationError, Parameter, ParameterDict, _brief_print_list
from .utils import _indent

__all__ = ["Block", "HybridBlock", "SymbolBlock"]

# frames inside mxpy are skipped when pointing at the user's line that broke a trace
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _BlockScope:
    """The scope ``Block.name_scope()`` opens: child blocks and auto-named symbols get its prefix."""

    _current = threading.local()

    def __init__(self, block: Block):
        self._block = block
        self._counter: dict[str, int] = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint):
        """The (prefix, ParameterDict) of a new block, from the enclosing scope."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = _name.NameManager.current.get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self):
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        self._name_scope = _name.Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, ptype, value, trace):
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(ptype, value, trace)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope
        # drop the link: a block shared by several parents would otherwise keep the last
        # parent it ran under alive (and with it that parent's cached graphs and buffers)
        self._old_scope = None


class HookHandle:
    """Removes a forward hook again: ``handle.detach()`` (or use it as a context manager)."""

    _next_id = 0

    def __init__(self):
        self._hooks_dict_ref = None
        self._id = None

    def attach(self, hooks_dict, hook) -> None:
        if self._hooks_dict_ref is not None:
            raise AssertionError("The same handle cannot be attached twice.")
        HookHandle._next_id += 1
        self._id = HookHandle._next_id
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = hooks_dict

    def detach(self) -> None:
        hooks = self._hooks_dict_ref
        if hooks is not None and self._id in hooks:
            del hooks[self._id]

    def __enter__(self):
        return self

    def __exit__(self, ptype, value, trace):
        self.detach()


def _flatten(args, inout_str: str):
    """Nested lists/tuples of arrays -> flat list and the nesting format."""
    if isinstance(args, (NDArray, sym.Symbol)):
        if isinstance(args, sym.Symbol) and len(args.list_outputs()) > 1:
            return [args[i] for i in range(len(args.list_outputs()))], int(len(args.list_outputs()))
        return [args], 0
    if args is None:
        return [None], -1
    if not isinstance(args, (list, tuple)):
        raise ValueError(f"When hybridized, the {inout_str} of HybridBlock must be (nested) list of Symbol or NDArray, but got {args} of type {type(args)}")
    flat, fmts = [], []
    for a in args:
        f, fmt = _flatten(a, inout_str)
        flat.extend(f)
        fmts.append(fmt)
    return flat, fmts


def _regroup(args, fmt):
    """Inverse of ``_flatten``: returns (nested value, rest of args)."""
    if isinstance(fmt, int):
        if fmt == 0:
            return args[0], args[1:]
        if fmt == -1:
            if args[0] is not None:
                raise ValueError("HybridBlock output or input of None type is not supported")
            return None, args[1:]
        return args[:fmt], args[fmt:]
    ret = []
    for f in fmt:
        r, args = _regroup(args, f)
        ret.append(r)
    return ret, args


def _trailing_none_match(fmt, stored) -> bool:
    """Formats that differ only by trailing None inputs (``f(x)`` vs ``f(x, None)``) match, as in MXNet."""
    if not isinstance(fmt, list) or not isinstance(stored, list) or len(fmt) == len(stored):
        return False
    short, long = (fmt, stored) if len(fmt) < len(stored) else (stored, fmt)
    return long[: len(short)] == short and all(f == -1 for f in long[len(short) :])


def _gather_type_ctx_info(args) -> tuple[bool, bool, set, object]:
    """(has a Symbol, has an NDArray, the NDArrays' contexts, the first one's) over nested args."""
    has_symbol = has_ndarray = False
    ctxs: set = set()
    first = None
    stack = list(reversed(list(args)))
    while stack:
        a = stack.pop()
        if isinstance(a, NDArray):
            has_ndarray = True
            c = a.context
            if c.device_type == "cpu_pinned":
                c = cpu(0)
            ctxs.add(c)
            if first is None:
                first = a.context
        elif isinstance(a, sym.Symbol):
            has_symbol = True
        elif isinstance(a, (list, tuple)):
            stack.extend(reversed(a))
    return has_symbol, has_ndarray, ctxs, first


class Block:
    """Base class of every layer and model: owns Parameters and child Blocks.

    Subclasses create children and parameters in ``__init__`` (inside
    ``with self.name_scope():``) and define ``forward``.

    >>> class Model(mx.gluon.Block):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         with self.name_scope():
    ...             self.dense = mx.gluon.nn.Dense(3)
    ...     def forward(self, x):
    ...         return self.dense(x)
    >>> m = Model(); m.initialize(); m(mx.nd.ones((2, 4))).shape
    (2, 3)
    """

    def __init__(self, prefix=None, params=None):
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children: OrderedDict[str, Block] = OrderedDict()
        self._reg_params: dict[str, Parameter] = {}
        self._forward_hooks: OrderedDict = OrderedDict()
        self._forward_pre_hooks: OrderedDict = OrderedDict()

    def __repr__(self) -> str:
        modstr = "\n".join(f"  ({key}): {_indent(repr(block), 2)}" for key, block in self.__dict__.items() if isinstance(block, Block))
        return f"{type(self).__name__}(\n{modstr}\n)"

    def __setattr__(self, name, value):
        """Register child blocks and parameters assigned as attributes."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to {type(value)}is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(
                    f"Overriding Parameter attribute {name} is not allowed. If you want to share parameters between blocks, please set 'params' at Block construction instead."
                )
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _check_container_with_block(self) -> None:
        children = set(self._children.values())

        def check(data):
            if isinstance(data, (list, tuple)):
                for ele in data:
                    if isinstance(ele, Block) and ele not in children:
                        return True
                    if check(ele):
                        return True
            elif isinstance(data, dict):
                return check(list(data.values()))
            return False

        for k, v in self.__dict__.items():
            if isinstance(v, (list, tuple, dict)) and not (k.startswith("__") or k == "_children") and check(v):
                warnings.warn(
                    f'"{k}" is an unregistered container with Blocks. Note that Blocks inside the list, tuple or dict will not be '
                    "registered automatically. Make sure to register them using register_child() or switching to "
                    "nn.Sequential/nn.HybridSequential instead. ",
                    stacklevel=3,
                )

    def _alias(self) -> str:
        return type(self).__name__.lower()

    @property
    def prefix(self) -> str:
        """The prefix of this block's parameter and child names (``dense0_``)."""
        return self._prefix

    @property
    def name(self) -> str:
        """The prefix without its trailing underscore (``dense0``)."""
        return self._name

    def name_scope(self):
        """A scope where child blocks and symbols get this block's prefix.

        >>> net = mx.gluon.nn.Sequential()
        >>> with net.name_scope():
        ...     net.add(mx.gluon.nn.Dense(2))
        >>> net[0].name.startswith(net.prefix)
        True
        """
        return self._scope

    @property
    def params(self) -> ParameterDict:
        """This block's own parameters (not its children's)."""
        return self._params

    def collect_params(self, select=None) -> ParameterDict:
        """This block's and its descendants' parameters; ``select`` is a regex on names.

        >>> net = mx.gluon.nn.Dense(2, in_units=3)
        >>> list(net.collect_params(".*weight").keys())[0].endswith("weight")
        True
        """
        self._check_container_with_block()
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({n: p for n, p in self.params.items() if pattern.match(n)})
        for cld in self._children.values():
            ret.update(cld.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def save_parameters(self, filename: str, deduplicate: bool = False) -> None:
        """Save parameters under structural names (``features.0.weight``).

        >>> net = mx.gluon.nn.Dense(2, in_units=3); net.initialize()
        >>> net.save_parameters("/tmp/dense.params")
        """
        params = self._collect_params_with_prefix()
        if deduplicate:
            seen: dict = {}
            for k, v in params.items():
                seen.setdefault(id(v), k)
            params = {k: v for k, v in params.items() if seen[id(v)] == k}
        nd.save(filename, {key: val._reduce() for key, val in params.items()})

    def load_parameters(self, filename, ctx=None, allow_missing=False, ignore_extra=False, cast_dtype=False, dtype_source="current") -> None:
        """Load parameters saved by :meth:`save_parameters` (or by ``save_params``).

        Missing or extra names raise before anything is changed (unless
        ``allow_missing``/``ignore_extra``).
        """
        loaded = nd.load(filename)
        if isinstance(loaded, list):
            raise MXNetError(f"load_parameters: {filename!r} holds an unnamed list of arrays, not parameters by name")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in k for k in loaded):
            # a file from save_params / ParameterDict.save: prefixed names
            del loaded
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra, self.prefix, cast_dtype=cast_dtype, dtype_source=dtype_source)
            return
        # shared parameters are saved once (deduplicate): any alias of a loaded name counts
        aliases: dict = {}
        for k, v in params.items():
            aliases.setdefault(id(v), []).append(k)
        if not allow_missing:
            missing = [n for n, p in params.items() if n not in loaded and not any(a in loaded for a in aliases[id(p)])]
            if missing:
                raise AssertionError(
                    f"Parameter '{missing[0]}' is missing in file '{filename}', which contains parameters: {_brief_print_list(loaded.keys())}. "
                    f"Missing: {_brief_print_list(missing)}. Set allow_missing=True to ignore missing parameters."
                )
        if not ignore_extra:
            extra = [n for n in loaded if n not in params]
            if extra:
                raise ValueError(
                    f"Parameter '{extra[0]}' loaded from file '{filename}' is not present in ParameterDict, which contains parameters "
                    f"{_brief_print_list(params.keys())}. Extra: {_brief_print_list(extra)}. Set ignore_extra=True to ignore. "
                )
        for name, value in loaded.items():
            if name in params:
                params[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def save_params(self, filename: str) -> None:
        """Deprecated: save under prefixed names (``dense0_weight``); use :meth:`save_parameters`."""
        warnings.warn(
            "save_params is deprecated. Please use save_parameters. Note that if you want load from SymbolBlock later, please use export instead. "
            "For details, see https://mxnet.incubator.apache.org/tutorials/gluon/save_load_params.html",
            stacklevel=2,
        )
        try:
            self.collect_params().save(filename, strip_prefix=self.prefix)
        except ValueError as e:
            raise ValueError(f"{e}\nsave_params is deprecated. Using save_parameters may resolve this error.") from e

    def load_params(self, filename, ctx=None, allow_missing=False, ignore_extra=False) -> None:
        """Deprecated: use :meth:`load_parameters`."""
        warnings.warn("load_params is deprecated. Please use load_parameters.", stacklevel=2)
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def register_child(self, block: Block, name: str | None = None) -> None:
        """Make ``block`` a child (its parameters are collected; it is hybridized with this block)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_op_hook(self, callback, monitor_all: bool = False) -> None:
        """Call ``callback(name, op_name, array)`` for every operator output of the hybridized
        descendants (inputs too with ``monitor_all``)."""
        for cld in self._children.values():
            cld.register_op_hook(callback, monitor_all)

    def register_forward_pre_hook(self, hook) -> HookHandle:
        """Call ``hook(block, inputs)`` before every forward."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook) -> HookHandle:
        """Call ``hook(block, inputs, outputs)`` after every forward."""
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def apply(self, fn):
        """Call ``fn(block)`` on every descendant and then on this block; returns self."""
        for cld in self._children.values():
            cld.apply(fn)
        fn(self)
        return self

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False) -> None:
        """Initialize every parameter (default ``mx.init.Uniform()``), on ``ctx`` (a context or list).

        >>> net = mx.gluon.nn.Dense(2); net.initialize(mx.init.Xavier())
        """
        if init is None:
            init = initializer.Uniform()
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def hybridize(self, active=True, **kwargs) -> None:
        """Hybridize every HybridBlock among the descendants (no-op for plain Blocks)."""
        for cld in self._children.values():
            cld.hybridize(active, **kwargs)

    def cast(self, dtype) -> None:
        """Cast every parameter to ``dtype``."""
        for child in self._children.values():
            child.cast(dtype)
        for _, param in self.params.items():
            param.cast(dtype)

    def zero_grad(self) -> None:
        """Zero every parameter gradient."""
        self.collect_params().zero_grad()

    def reset_ctx(self, ctx) -> None:
        """Move every parameter to ``ctx``."""
        self.collect_params().reset_ctx(ctx)

    def __call__(self, *args):
        for hook in self._forward_pre_hooks.values():
            hook(self, args)
        out = as_np_if_active(self.forward(*args))
        for hook in self._forward_hooks.values():
            hook(self, args, out)
        return out

    def forward(self, *args):
        """Override to compute the block's output from its inputs."""
        raise MXNetError(f"{type(self).__name__}: a Block subclass must define forward(self, *args)")

    def summary(self, *inputs) -> None:
        """Print MXNet's table of layers, output shapes and parameter counts for ``inputs``."""
        from ._summary import summary

        summary(self, *inputs)


class HybridBlock(Block):
    """A Block whose computation is ``hybrid_forward(F, x, *args, **params)``.

    ``F`` is ``mx.nd`` when run imperatively and ``mx.sym`` when traced;
    ``params`` are this block's registered Parameters by attribute name.

    >>> class Scale(mx.gluon.HybridBlock):
    ...     def __init__(self, **kwargs):
    ...         super().__init__(**kwargs)
    ...         with self.name_scope():
    ...             self.s = self.params.get("s", shape=(1,), init=mx.init.Constant(2.0))
    ...     def hybrid_forward(self, F, x, s):
    ...         return F.broadcast_mul(x, s)
    >>> b = Scale(); b.initialize(); b.hybridize()
    >>> b(mx.nd.ones((2,))).asnumpy().tolist()
    [2.0, 2.0]
    """

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._cached_graph: tuple = ()
        self._cached_op: CachedOp | None = None
        self._out_format = None
        self._in_format = None
        self._active = False
        self._flags: dict = {}
        self._callback = None
        self._monitor_all = False

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def register_child(self, block: Block, name: str | None = None) -> None:
        if not isinstance(block, HybridBlock):
            raise ValueError(
                f"Children of HybridBlock must also be HybridBlock, but {block} has type {type(block)}. If you are using Sequential, please try HybridSequential instead."
            )
        super().register_child(block, name)
        self._clear_cached_op()

    def register_op_hook(self, callback, monitor_all: bool = False) -> None:
        """Call ``callback(name, op_name, array)`` for every operator output of the compiled graph
        (and its inputs with ``monitor_all``), e.g. ``dense0_fwd_output``.

        >>> net = mx.gluon.nn.Dense(2, in_units=3); net.initialize(); net.hybridize()
        >>> seen = []
        >>> net.register_op_hook(lambda name, op, arr: seen.append((name, op)))
        >>> _ = net(mx.nd.ones((1, 3))); mx.nd.waitall(); seen
        [('dense...fwd_output', 'FullyConnected')]
        """
        self._callback = callback
        self._monitor_all = monitor_all
        for cld in self._children.values():
            cld._callback = callback
            cld._monitor_all = monitor_all

    def hybridize(self, active=True, backend=None, backend_opts=None, static_alloc=False, static_shape=False, **kwargs) -> None:
        """Trace ``hybrid_forward`` into a Symbol at the next call and run it compiled.

        The compiled form always plans memory once per input signature and
        reuses its buffers (``static_alloc``/``static_shape`` are accepted and kept).
        """
        if backend is not None:
            raise MXNetError(f"hybridize: backend {backend!r} is not supported by mxpy (graph partitioning backends are not available); use backend=None")
        self._active = active
        self._flags = {"static_alloc": static_alloc, "static_shape": static_shape, **kwargs}
        self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(
                f'"{self}" is being hybridized while still having forward hook/pre-hook. If "{self}" is a child of HybridBlock, the hooks will not take effect.',
                stacklevel=2,
            )
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape, **kwargs)

    def cast(self, dtype) -> None:
        self._clear_cached_op()
        super().cast(dtype)

    def _clear_cached_op(self) -> None:
        self._cached_graph = ()
        self._cached_op = None

    def _get_graph(self, *args):
        if not self._cached_graph:
            flat_args, self._in_format = _flatten(args, "input")
            real = sum(a is not None for a in flat_args)
            if real == 0:
                raise ValueError(f"All args are None and we do not support such a case. Received args={args}")
            inputs, count = [], 0
            for a in flat_args:  # data, or data0, data1, ... over the inputs that are not None
                if a is None:
                    inputs.append(None)
                    continue
                inputs.append(sym.var(f"data{count}" if real > 1 else "data"))
                count += 1
            grouped, _ = _regroup(inputs, self._in_format)
            params = {i: j.var() for i, j in self._reg_params.items()}
            with self.name_scope():
                out = self._trace(grouped, params)
            flat_out, self._out_format = _flatten(out, "output")
            self._cached_graph = ([i for i in inputs if i is not None], sym.Group(flat_out) if len(flat_out) > 1 else flat_out[0])
        return self._cached_graph

    def _trace(self, grouped, params):
        """hybrid_forward with F = mx.sym; NDArray-only code fails with the line that used it."""
        grouped, params = as_np_if_active(grouped), as_np_if_active(params)
        try:
            if isinstance(grouped, list):
                return self.hybrid_forward(sym, *grouped, **params)
            return self.hybrid_forward(sym, grouped, **params)
        except (AttributeError, TypeError, ValueError, MXNetError) as e:
            frames = [f for f in traceback.extract_tb(e.__traceback__) if not os.path.abspath(f.filename).startswith(_PKG_DIR)]
            where = f" (at {frames[-1].filename}:{frames[-1].lineno}: {frames[-1].line})" if frames else ""
            raise MXNetError(
                f"hybridize: {type(self).__name__}.hybrid_forward failed while tracing with F=mx.sym{where}: {type(e).__name__}: {e}. "
                "A hybridized block must use only F.* operators on its inputs (no NDArray-only methods such as asnumpy(), "
                "shape or Python control flow on values); call hybridize(False) to run it imperatively."
            ) from e

    def infer_shape(self, *args) -> None:
        """Fill the unknown parameter dimensions from the input arrays' shapes."""
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args) -> None:
        """Set the parameter dtypes from the input arrays' dtypes."""
        self._infer_attrs("infer_type", "dtype", *args)

    def _infer_attrs(self, infer_fn: str, attr: str, *args) -> None:
        inputs, out = self._get_graph(*args)
        flat, _ = _flatten(args, "input")
        flat = [a for a in flat if a is not None]
        given = {i.name: getattr(j, attr) for i, j in zip(inputs, flat)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arg_attrs, _, aux_attrs = getattr(out, infer_fn)(**given)
        if arg_attrs is None:
            raise MXNetError(f"{infer_fn}: cannot infer the parameters' {attr}s of {self.name} from inputs {given}")
        sdict = dict(zip(out.list_arguments(), arg_attrs))
        sdict.update(zip(out.list_auxiliary_states(), aux_attrs))
        for p in self.collect_params().values():
            if p.name in sdict:
                setattr(p, attr, sdict[p.name])

    def _deferred_infer_shape(self, *args) -> None:
        try:
            self.infer_shape(*args)
        except MXNetError as e:
            raise ValueError(f"Deferred initialization failed because shape cannot be inferred. {e}") from e

    def _build_cache(self, *args) -> None:
        inputs, out = self._get_graph(*args)
        params = {p.name: p for p in self.collect_params().values()}
        self._cached_op = CachedOp(out, [i.name for i in inputs], params, self._flags)

    def _call_cached_op(self, *args):
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = _flatten(args, "input")
        if fmt != self._in_format and not _trailing_none_match(fmt, self._in_format):
            raise ValueError(
                f"The argument structure of HybridBlock does not match the cached version. Stored format = {fmt}, input format = {self._in_format}"
            )
        flat = [a for a in flat if a is not None]
        for k, a in enumerate(flat):
            if not isinstance(a, NDArray):
                raise ValueError(f"{self.name}: hybridized input {k} must be an NDArray, got {type(a).__name__}")
        if self._callback is not None:
            self._cached_op.set_op_hook(self._callback, self._monitor_all)
        pending = [p for p in self._cached_op.params.values() if p._data is None and p._deferred_init]
        if pending:
            self._deferred_infer_shape(*args)
            for p in pending:
                p._finish_deferred_init()
        outs = self._cached_op(flat)
        if isinstance(self._out_format, int) and self._out_format == 0:
            return outs[0]
        return _regroup(outs, self._out_format)[0]

    def export(self, path: str, epoch: int = 0, remove_amp_cast: bool = True):
        """Write ``path-symbol.json`` and ``path-%04d.params`` (``arg:``/``aux:`` keys), loadable by Module.

        Needs one forward call after ``hybridize()`` (to trace the graph).
        """
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with this block at least once before calling export.")
        sym_out = self._cached_graph[1]
        sym_out.save(f"{path}-symbol.json", remove_amp_cast=remove_amp_cast)
        arg_names = set(sym_out.list_arguments())
        aux_names = set(sym_out.list_auxiliary_states())
        arg_dict = {}
        for name, param in self.collect_params().items():
            if name in arg_names:
                arg_dict[f"arg:{name}"] = param._reduce()
            elif name in aux_names:
                arg_dict[f"aux:{name}"] = param._reduce()
        params_file = f"{path}-{epoch:04d}.params"
        nd.save(params_file, arg_dict)
        return f"{path}-symbol.json", params_file

    def forward(self, x, *args):
        """Run ``hybrid_forward`` imperatively, compiled (after hybridize), or symbolically."""
        has_symbol, has_ndarray, ctxs, first_ctx = _gather_type_ctx_info([x, *args])
        if has_symbol and has_ndarray:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols types for the input. Please check the type of the args.\n")
        if not has_symbol and not has_ndarray:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the input. Please check the type of the args.\n")
        if has_ndarray:
            ctx = first_ctx
            if self._active and len(ctxs) > 1:
                raise ValueError(
                    "Find multiple contexts in the input, After hybridized, the HybridBlock only supports one input context. "
                    f"You can print the ele.ctx in the input arguments to inspect their contexts. Find all contexts = {ctxs}"
                )
            with ctx:
                if self._active:
                    return self._call_cached_op(x, *args)
                try:
                    params = {k: v.data(ctx) for k, v in self._reg_params.items()}
                except DeferredInitializationError:
                    self._deferred_infer_shape(x, *args)
                    for v in self.params.values():
                        v._finish_deferred_init()
                    params = {k: v.data(ctx) for k, v in self._reg_params.items()}
                return self.hybrid_forward(nd, x, *args, **params)
        params = as_np_if_active({i: j.var() for i, j in self._reg_params.items()})
        with self.name_scope():
            return self.hybrid_forward(sym, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Override: compute the output with ``F`` (``mx.nd`` or ``mx.sym``) operators only."""
        raise MXNetError(f"{type(self).__name__}: a HybridBlock subclass must define hybrid_forward(self, F, x, *args, **params)")


from .symbol_block import SymbolBlock  # noqa: E402 - MXNet exposes it here too; it subclasses HybridBlock
