"""Builds ``mx.sym.*`` from the registry: one real closure per operator name."""

from __future__ import annotations

import inspect

from .. import registry
from ..registry import REQUIRED
from ..registry.docs import op_docstring
from .symbol import Symbol, create

_FUNCS: dict = {}


def make_function(op: registry.OpDef, public_name: str):
    """``mx.sym.<public_name>``: apply ``op`` to Symbols; positional values fill
    inputs first, then parameters in declared order (as MXNet's generated code)."""
    declared = op.declared_inputs()
    param_names = list(op.params)
    variadic = op.variadic is not None
    hint = public_name.lower()

    def fn(*args, name=None, attr=None, **kwargs):
        kwargs.pop("out", None)  # MXNet's generated symbol functions accept and ignore out=
        # lr_mult/wd_mult given to an operator become its __lr_mult__/__wd_mult__ attributes (as MXNet)
        for k in ("lr_mult", "wd_mult"):
            if k in kwargs and k not in op.params:
                attr = {**(attr or {}), k: str(kwargs.pop(k))}
        if variadic:
            inputs = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
            return create(op, inputs, kwargs, name=name, attr=attr, hint=hint)
        # an input given as None is "not given" (SequenceReverse(data, sequence_length=None))
        for k in [k for k in kwargs if kwargs[k] is None and k in declared and k not in param_names]:
            del kwargs[k]
        sym_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if isinstance(kwargs[k], Symbol)}
        pos_syms = []
        rest = list(args)
        slots = 0
        # None in an input position means "not given" (MXNet's generated code skips it)
        while rest and (isinstance(rest[0], Symbol) or (rest[0] is None and slots < len(declared))):
            slots += 1
            val = rest.pop(0)
            if val is not None:
                pos_syms.append(val)
        free = [k for k in param_names if k not in kwargs]
        if len(rest) > len(free):
            raise TypeError(f"{public_name}() got {len(args)} positional arguments; inputs {declared} and parameters {param_names}")
        for k, v in zip(free, rest):
            kwargs[k] = v
        if pos_syms and sym_kwargs:
            slots = [d for d in declared if d not in sym_kwargs]
            inputs = dict(zip(slots, pos_syms))
            inputs.update(sym_kwargs)
        elif sym_kwargs:
            inputs = sym_kwargs
        else:
            inputs = pos_syms
        return create(op, inputs, kwargs, name=name, attr=attr, hint=hint)

    fn.__name__ = public_name
    fn.__qualname__ = public_name
    fn.__module__ = "mxpy.symbol"
    fn.__doc__ = op_docstring(op, public_name, "Symbol")
    params = []
    if variadic:
        params.append(inspect.Parameter("data", inspect.Parameter.VAR_POSITIONAL))
    else:
        params.extend(inspect.Parameter(nm, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None) for nm in declared)
    kind = inspect.Parameter.KEYWORD_ONLY if variadic else inspect.Parameter.POSITIONAL_OR_KEYWORD
    for k, spec in op.params.items():
        if variadic and k == "num_args":
            continue
        params.append(inspect.Parameter(k, kind, default=None if spec.default is REQUIRED else spec.default))
    params.append(inspect.Parameter("name", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("attr", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    try:
        fn.__signature__ = inspect.Signature(params)
    except ValueError:
        pass
    return fn


def function(name: str):
    fn = _FUNCS.get(name)
    if fn is None:
        fn = _FUNCS[name] = make_function(registry.get(name), name)
    return fn


def populate(public: dict, internal: dict) -> None:
    for name in registry.all_names():
        fn = function(name)
        if name.startswith("_"):
            internal[name] = fn
        public.setdefault(name, fn)


def prefixed(prefix: str) -> dict:
    """``{short: function}`` for every operator named ``prefix + short`` (mx.sym.contrib, mx.sym.linalg)."""
    # MXNet builds these under the short name, which is also the auto-name hint: box_nms0, gemm20
    return {name[len(prefix) :]: make_function(registry.get(name), name[len(prefix) :]) for name in registry.all_names() if name.startswith(prefix)}
