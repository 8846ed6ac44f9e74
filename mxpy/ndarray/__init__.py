"""``mx.nd``: NDArray and one function per registered operator."""

from __future__ import annotations

import types as _types

from .. import ops as _ops
from . import arith as _arith
from . import register as _register
from .creation import arange, array, copy_into, empty, eye, from_numpy, full, linspace, ones, waitall, zeros
from .ndarray import NDArray

_ops.load_all()

_internal = _types.ModuleType("mxpy.ndarray._internal", "Internal operators (names starting with '_').")
op = _types.ModuleType("mxpy.ndarray.op", "All operators.")
_register.populate(op.__dict__, _internal.__dict__)
for _name, _fn in op.__dict__.items():
    if not _name.startswith("__"):
        globals().setdefault(_name, _fn)
_arith.install()

__all__ = ["NDArray", "array", "zeros", "ones", "empty", "full", "arange", "eye", "linspace", "from_numpy", "waitall", "copy_into", "op"]
