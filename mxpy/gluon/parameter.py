"""Gluon parameters: :class:`Parameter`, :class:`Constant` and :class:`ParameterDict`.

A Parameter holds one array per context (and one gradient per context when
``grad_req`` is not ``'null'``). Its shape may have unknown (0) dimensions
until the first forward pass fills them: initialization is then *deferred*.

>>> import mxpy as mx
>>> p = mx.gluon.Parameter("fc_weight", shape=(2, 3))
>>> p.initialize(init=mx.init.One())
>>> p.data().asnumpy().tolist()
[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np

from .. import autograd, initializer
from .. import ndarray as nd
from .. import symbol as sym
from ..base import MXNetError
from ..context import Context, cpu, current_context
from ..ndarray import NDArray
from ..util import is_np_shape

__all__ = ["DeferredInitializationError", "Parameter", "Constant", "ParameterDict", "tensor_types"]

tensor_types = (sym.Symbol, NDArray)

_NAMING_URL = "For more info on naming, please see https://mxnet.io/api/python/docs/tutorials/packages/gluon/blocks/naming.html"


class DeferredInitializationError(MXNetError):
    """A parameter was read before the first forward pass gave it its shape."""


def shape_is_known(shape) -> bool:
    """Whether every dimension of ``shape`` is known (0 means unknown, as MXNet 1.x)."""
    if shape is None:
        return False
    return all(int(d) > 0 for d in shape)


def _brief_print_list(lst, limit: int = 7) -> str:
    """At most ``limit`` items of ``lst`` quoted, the middle elided (as MXNet's messages)."""
    lst = list(lst)
    if len(lst) > limit:
        return _brief_print_list(lst[: limit // 2], limit) + ", ..., " + _brief_print_list(lst[-limit // 2 :], limit)
    return ", ".join(f"'{s}'" for s in lst)


def _dtype_name(dtype) -> str:
    return np.dtype(dtype).name


class Parameter:
    """A weight of a Block: arrays on one or more contexts plus their gradients.

    ``shape`` may contain 0 for dimensions filled at the first forward pass
    (only when ``allow_deferred_init``). ``grad_req`` is ``'write'``, ``'add'``
    or ``'null'``; ``lr_mult``/``wd_mult`` scale the optimizer's learning rate
    and weight decay; ``init`` overrides the initializer given to ``initialize``.

    >>> w = mx.gluon.Parameter("w", shape=(2,), init=mx.init.Constant(3.0))
    >>> w.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    >>> [a.asnumpy().tolist() for a in w.list_data()]
    [[3.0, 3.0], [3.0, 3.0]]
    """

    def __init__(
        self,
        name,
        grad_req="write",
        shape=None,
        dtype=np.float32,
        lr_mult=1.0,
        wd_mult=1.0,
        init=None,
        allow_deferred_init=False,
        differentiable=True,
        stype="default",
        grad_stype="default",
    ):
        self._var = None
        self._data: list[NDArray] | None = None
        self._grad: list[NDArray] | None = None
        self._ctx_list: list[Context] | None = None
        self._ctx_index: dict | None = None
        self._trainer = None
        self._deferred_init: tuple = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, int):
            shape = (shape,)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        for what, st in (("stype", stype), ("grad_stype", grad_stype)):
            if st not in ("default", "row_sparse", "csr"):
                raise AssertionError(f"{what} for Parameter '{name}' must be one of 'default', 'row_sparse', or 'csr', but got '{st}'")
        if stype != "default" or grad_stype != "default":
            raise MXNetError(f"Parameter {name!r}: sparse storage ({stype!r}, grad {grad_stype!r}) is not supported by mxpy (arrays are dense)")
        self._stype = stype
        self._grad_stype = grad_stype

    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # -- attributes -----------------------------------------------------------------------
    @property
    def grad_req(self) -> str:
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._data = [a.detach() for a in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        return self._dtype

    @dtype.setter
    def dtype(self, dtype) -> None:
        self._dtype = dtype

    @property
    def shape(self):
        if self._shape is None or not is_np_shape():
            return self._shape
        # under NumPy shape semantics 0 is a real (empty) dimension and -1 the unknown one;
        # a parameter is never empty, so its 0s read as -1 (as MXNet)
        return tuple(d if d != 0 else -1 for d in self._shape)

    @shape.setter
    def shape(self, new_shape) -> None:
        if new_shape is None:
            self._shape = None
            return
        new_shape = tuple(int(d) for d in new_shape)
        if self._shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or not all(j in (-1, 0, i) for i, j in zip(new_shape, self._shape)):
            raise AssertionError(f"Expected shape {new_shape} is incompatible with given shape {self._shape} for Parameter '{self.name}'.")
        self._shape = new_shape

    @property
    def stype(self) -> str:
        return self._stype

    # -- storage --------------------------------------------------------------------------
    def _check_and_get(self, arr_list, ctx):
        if arr_list is not None:
            if ctx is list:
                return arr_list
            if ctx is None:
                if len(arr_list) == 1:
                    return arr_list[0]
                ctx = current_context()
            idx = self._ctx_index.get((ctx.device_typeid, ctx.device_id))
            if idx is not None:
                return arr_list[idx]
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context {ctx}. It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization was deferred. "
                "Actual initialization happens during the first forward pass. Please pass one batch of data "
                "through the network before accessing Parameters. You can also avoid deferred initialization "
                "by specifying in_units, num_features, etc., for network layers."
            )
        raise RuntimeError(
            f"Parameter '{self.name}' has not been initialized. Note that you should initialize parameters and "
            "create Trainer with Block.collect_params() instead of Block.params because the later does not "
            "include Parameters of nested child Blocks"
        )

    def _set_ctx(self, ctx_list: list[Context]) -> None:
        self._ctx_list = list(ctx_list)
        self._ctx_index = {}
        for k, c in enumerate(self._ctx_list):
            self._ctx_index.setdefault((c.device_typeid, c.device_id), k)

    def _init_impl(self, data: NDArray, ctx_list: list[Context]) -> None:
        self._set_ctx(ctx_list)
        self._data = [data.copyto(c) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self) -> None:
        if self.grad_req == "null":
            self._grad = None
            return
        self._grad = [nd.zeros(a.shape, ctx=a.context, dtype=a.dtype) for a in self._data]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _finish_deferred_init(self) -> None:
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not shape_is_known(self.shape):
            raise AssertionError(
                f"Cannot initialize Parameter '{self.name}' because it has invalid shape: {self.shape}. Please specify in_units, in_channels, etc for `Block`s."
            )
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, ctx=cpu(), dtype=self.dtype)
                initializer.create(default_init)(initializer.InitDesc(self.name, {"__init__": init}), data)
            self._init_impl(data, ctx)

    def _reduce(self) -> NDArray:
        """The value to save: the only copy, or the mean over contexts, on the CPU."""
        block = self.list_data()
        if len(block) == 1:
            return block[0].copyto(cpu())
        total = block[0].copyto(cpu())
        for a in block[1:]:
            total += a.copyto(cpu())
        return total / len(block)

    def _load_init(self, data: NDArray, ctx, cast_dtype: bool = False, dtype_source: str = "current") -> None:
        if cast_dtype and dtype_source not in ("current", "saved"):
            raise AssertionError("dtype_source is invalid: it must be 'current' or 'saved'")
        if self.shape:
            for self_dim, data_dim in zip(self.shape, data.shape):
                if self_dim not in (0, data_dim) or len(self.shape) != len(data.shape):
                    raise AssertionError(
                        f"Failed loading Parameter '{self.name}' from saved params: shape incompatible expected {self.shape} vs saved {data.shape}"
                    )
            self.shape = tuple(i if i != 0 else j for i, j in zip(self.shape, data.shape))
        if self.dtype is not None:
            if cast_dtype and np.dtype(self.dtype) != np.dtype(data.dtype):
                if dtype_source == "current":
                    data = data.astype(self.dtype, copy=False)
                else:
                    self.dtype = data.dtype
            elif np.dtype(self.dtype) != np.dtype(data.dtype):
                raise AssertionError(
                    f"Failed loading Parameter '{self.name}' from saved params: dtype incompatible expected {np.dtype(self.dtype).type} vs saved "
                    f"{np.dtype(data.dtype).type}. Set cast_dtype=True to cast the dtype of saved params."
                )
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                if ctx is not None and set(ctx) != set(self._deferred_init[1]):
                    raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} because it was previous initialized on {self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self.list_ctx()):
                raise AssertionError(f"Failed to load Parameter '{self.name}' on {ctx} because it was previous initialized on {self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    # -- public API -----------------------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=None, force_reinit=False) -> None:
        """Create the arrays (now, or at the first forward pass when the shape is unknown).

        >>> p = mx.gluon.Parameter("b", shape=(3,), init="zeros")
        >>> p.initialize()
        >>> p.data().shape
        (3,)
        """
        if default_init is None:
            default_init = initializer.Uniform()
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        ctx = list(ctx)
        if init is None:
            init = default_init if self.init is None else self.init
        if not shape_is_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, ctx, default_init, None)
                return
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: {self.shape}.")
        self._deferred_init = (init, ctx, default_init, None)
        self._finish_deferred_init()

    def reset_ctx(self, ctx) -> None:
        """Move the parameter's arrays to other contexts (same values).

        >>> p = mx.gluon.Parameter("w", shape=(2,)); p.initialize()
        >>> p.reset_ctx([mx.cpu(0), mx.cpu(1)]); len(p.list_data())
        2
        """
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is not None:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, list(ctx))
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, list(ctx), default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it has not been initialized.")

    def set_data(self, data) -> None:
        """Write ``data`` into every context's copy.

        >>> p = mx.gluon.Parameter("w", shape=(2,)); p.initialize()
        >>> p.set_data(mx.nd.array([1, 2])); p.data().asnumpy().tolist()
        [1.0, 2.0]
        """
        self.shape = data.shape
        trainer = self._trainer() if self._trainer is not None else None
        if trainer is not None and trainer._kv_initialized and trainer._update_on_kvstore and self not in trainer._params_to_init:
            # the store holds the old weights: the trainer sets it up again at its next step
            trainer._reset_kvstore()
        if self._data is None:
            if not self._deferred_init:
                raise AssertionError(f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        for arr in self._data:
            arr[:] = data

    def data(self, ctx=None) -> NDArray:
        """The array on ``ctx`` (the only one when ``ctx`` is None and there is one)."""
        return self._check_and_get(self._data, ctx)

    def list_data(self) -> list[NDArray]:
        """One array per context, in the order of ``list_ctx()``."""
        return self._check_and_get(self._data, list)

    def grad(self, ctx=None) -> NDArray:
        """The gradient on ``ctx``."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self) -> list[NDArray]:
        """One gradient per context."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self) -> list[Context]:
        """The contexts this parameter lives on."""
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return list(self._ctx_list)

    def zero_grad(self) -> None:
        """Set the gradients to 0 (needed between steps with ``grad_req='add'``)."""
        if self._grad is None:
            return
        for g in self._grad:
            g[:] = 0

    def var(self):
        """This parameter as a symbol variable (name, shape, dtype, lr/wd multipliers, init)."""
        if self._var is None:
            init = self.init.dumps() if isinstance(self.init, initializer.Initializer) else self.init
            self._var = sym.var(self.name, shape=self.shape, dtype=self.dtype, lr_mult=self.lr_mult, wd_mult=self.wd_mult, init=init, stype=self._stype)
        return self._var

    def cast(self, dtype) -> None:
        """Change the dtype of the data and gradients (values are converted)."""
        self._dtype = dtype
        self._var = None
        if self._data is None:
            return
        with autograd.pause():
            self._data = [a.astype(dtype) for a in self._data]
            if self._grad is None:
                return
            self._grad = [g.astype(dtype) for g in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)

    def row_sparse_data(self, row_id):
        raise MXNetError(f"Parameter '{self.name}': row_sparse_data needs stype='row_sparse', which mxpy does not support (arrays are dense)")

    def list_row_sparse_data(self, row_id):
        raise MXNetError(f"Parameter '{self.name}': list_row_sparse_data needs stype='row_sparse', which mxpy does not support (arrays are dense)")


class Constant(Parameter):
    """A parameter that never changes (``grad_req='null'``) holding ``value``.

    >>> c = mx.gluon.Constant("c", mx.nd.array([1, 2]))
    >>> c.initialize(); c.data().asnumpy().tolist()
    [1.0, 2.0]
    """

    def __init__(self, name, value):
        if not isinstance(value, NDArray):
            value = nd.array(value)
        self.value = value
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype, init=_ConstantInit(value))

    def __repr__(self) -> str:
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self) -> str:
        return "null"

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req other than "null", and new value "{req}" is ignored.', stacklevel=2)
        self._grad_req = "null"


class _ConstantInit(initializer.Initializer):
    """Copies a Constant's value (not registered by name: it holds an array)."""

    def __init__(self, value: NDArray):
        super().__init__()
        self._value = value

    def _init_weight(self, _, arr) -> None:
        self._value.copyto(arr)

    def dumps(self) -> str:
        return '["constant_value", {}]'


def _indent(s: str, n: int) -> str:
    lines = s.split("\n")
    return "\n".join([lines[0]] + [" " * n + line for line in lines[1:]])


class ParameterDict:
    """Parameters by full name, with a shared ``prefix`` for the ones it creates.

    >>> pd = mx.gluon.ParameterDict("net_")
    >>> w = pd.get("weight", shape=(2, 2))
    >>> list(pd.keys())
    ['net_weight']
    """

    def __init__(self, prefix: str = "", shared: ParameterDict | None = None):
        self._prefix = prefix
        self._params: OrderedDict[str, Parameter] = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        name = f"{self._prefix} " if self._prefix else ""
        content = "\n".join(_indent(f"  {v}", 2) for v in self.values())
        return f"{name}(\n{content}\n)"

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key) -> bool:
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self) -> str:
        return self._prefix

    def _get_impl(self, name: str):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._shared._params[name]
        return None

    def get(self, name: str, **kwargs) -> Parameter:
        """The parameter ``prefix + name``, created with ``kwargs`` when absent.

        An existing parameter must agree with ``kwargs`` (unknown 0 dims of
        its shape are filled from the given shape).
        """
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for k, v in kwargs.items():
            if hasattr(param, k) and getattr(param, k) is not None:
                existing = getattr(param, k)
                if k == "shape" and v is not None:
                    v = (v,) if isinstance(v, int) else tuple(v)
                    if len(v) == len(existing):
                        inferred = []
                        ok = True
                        for d1, d2 in zip(v, existing):
                            if d1 != d2 and d1 != 0 and d2 != 0:
                                ok = False
                                break
                            inferred.append(d1 if d1 != 0 else d2)
                        if ok:
                            param._shape = tuple(inferred)
                            continue
                elif k == "dtype" and np.dtype(v) == np.dtype(existing):
                    continue
                if v is not None and v != existing:
                    raise AssertionError(
                        f"Cannot retrieve Parameter '{name}' because desired attribute does not match with stored for attribute '{k}': desired '{v}' vs stored '{existing}'."
                    )
            else:
                setattr(param, k, v)
        return param

    def get_constant(self, name: str, value=None) -> Constant:
        """The Constant ``prefix + name``, created from ``value`` when absent."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to create a new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise AssertionError(f"Parameter '{name}' already exists but it is not a constant.")
            if isinstance(value, NDArray):
                value = value.asnumpy()
            if param.shape != np.shape(value) or not np.array_equal(param.value.asnumpy(), value):
                raise AssertionError(f"Constant '{name}' already exists but it's value doesn't match new value")
        return param

    def update(self, other: ParameterDict) -> None:
        """Add ``other``'s parameters (a name may only map to one Parameter)."""
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise AssertionError(f"Cannot update self with other because they have different Parameters with the same name '{k}'")
        for k, v in other.items():
            self._params[k] = v

    def initialize(self, init=None, ctx=None, verbose=False, force_reinit=False) -> None:
        """Initialize every parameter (``init`` for those without their own initializer)."""
        if init is None:
            init = initializer.Uniform()
        if verbose:
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        """Set every gradient to 0."""
        for p in self.values():
            p.zero_grad()

    def reset_ctx(self, ctx) -> None:
        """Move every parameter to ``ctx``."""
        for p in self.values():
            p.reset_ctx(ctx)

    def list_ctx(self) -> list[Context]:
        """The contexts of all parameters, in first-seen order."""
        out: list[Context] = []
        for p in self.values():
            for c in p.list_ctx():
                if c not in out:
                    out.append(c)
        return out

    def setattr(self, name: str, value) -> None:
        """Set attribute ``name`` (``grad_req``, ``lr_mult``, ...) of every parameter."""
        for p in self.values():
            setattr(p, name, value)

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Save every parameter's value (names without ``strip_prefix``)."""
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(
                    f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name '{param.name}' does not start with "
                    f"'{strip_prefix}'. this may be due to your Block shares parameters from other Blocks or you forgot to use "
                    f"'with name_scope()' when creating child blocks. {_NAMING_URL}"
                )
            arg_dict[param.name[len(strip_prefix) :]] = param._reduce()
        nd.save(filename, arg_dict)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="", cast_dtype=False, dtype_source="current") -> None:
        """Load values saved by :meth:`save` (names get ``restore_prefix`` back)."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise AssertionError(f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' does not start with '{restore_prefix}'")
        self.load_dict(nd.load(filename), ctx, allow_missing, ignore_extra, restore_prefix, filename, cast_dtype, dtype_source)

    def load_dict(
        self, param_dict, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="", filename=None, cast_dtype=False, dtype_source="current"
    ) -> None:
        """Load values from a dict of arrays (``arg:``/``aux:`` prefixes are dropped)."""
        lprefix = len(restore_prefix)
        loaded = [(k[4:] if k.startswith(("arg:", "aux:")) else k, v) for k, v in param_dict.items()]
        arg_dict = {restore_prefix + k: v for k, v in loaded}
        where = f"file: {filename}" if filename else "param_dict"
        if not allow_missing:
            missing = [n for n in self.keys() if n not in arg_dict]
            if missing:
                raise AssertionError(
                    f"Parameter '{missing[0][lprefix:]}' is missing in {where}, which contains parameters: {_brief_print_list(arg_dict.keys())}. "
                    f"Missing: {_brief_print_list(m[lprefix:] for m in missing)}. Please make sure source and target networks have the same prefix. {_NAMING_URL}"
                )
        if not ignore_extra:
            extra = [n for n in arg_dict if n not in self._params]
            if extra:
                raise AssertionError(
                    f"Parameter '{extra[0][lprefix:]}' loaded from {where} is not present in ParameterDict, choices are: {_brief_print_list(self._params.keys())}. "
                    f"Extra: {_brief_print_list(e[lprefix:] for e in extra)}. Set ignore_extra to True to ignore. Please make sure source and target networks have the same prefix. {_NAMING_URL}"
                )
        for name, value in arg_dict.items():
            if name in self._params:
                self._params[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)
