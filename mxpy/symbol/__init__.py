"""``mx.sym``: Symbol, Variable, Group, load/load_json, one function per operator."""

from __future__ import annotations

import types as _types

from .. import ops as _ops
from . import bind as _bind  # noqa: F401  (attaches Symbol.bind and simple_bind)
from . import fluent as _fluent
from . import register as _register
from . import wrappers as _wrappers
from .json_io import load_json as _load_json
from .symbol import Group, Symbol, Variable, var

_ops.load_all()

_internal = _types.ModuleType("mxpy.symbol._internal", "Internal operators (names starting with '_').")
op = _types.ModuleType("mxpy.symbol.op", "All operators.")
_register.populate(op.__dict__, _internal.__dict__)
for _name, _fn in op.__dict__.items():
    if not _name.startswith("__"):
        globals().setdefault(_name, _fn)

# MXNet's Python-level functions (maximum, zeros, arange...) replace any same-named operator
_WRAPPERS = _wrappers.available()
globals().update(_WRAPPERS)
_fluent.install()

from . import contrib, image, linalg, random, sparse  # noqa: E402  (they need the operator functions above)


def load_json(json_str: str) -> Symbol:
    """A Symbol from an MXNet JSON string.

    >>> import mxpy as mx
    >>> mx.sym.load_json(mx.sym.Variable("x").tojson()).list_arguments()
    ['x']
    """
    return _load_json(json_str)


def load(fname: str) -> Symbol:
    """A Symbol from an MXNet ``-symbol.json`` file."""
    with open(fname, encoding="utf-8") as f:
        return _load_json(f.read())


__all__ = ["random", "contrib", "image", "linalg", "sparse", "Symbol", "Variable", "var", "Group", "load", "load_json", "op", *_WRAPPERS]
