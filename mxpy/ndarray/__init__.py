"""``mx.nd``: NDArray and one function per registered operator."""

from __future__ import annotations

import types as _types

from .. import ops as _ops
from . import arith as _arith
from . import fluent as _fluent
from . import indexing as _indexing
from . import interop as _interop
from . import legacy as _legacy
from . import random
from . import register as _register
from . import serialization as _serialization
from . import wrappers as _wrappers
from .creation import arange, array, copy_into, empty, eye, from_numpy, full, linspace, ones, waitall, zeros
from .ndarray import NDArray

_ops.load_all()

_internal = _types.ModuleType("mxpy.ndarray._internal", "Internal operators (names starting with '_').")
op = _types.ModuleType("mxpy.ndarray.op", "All operators.")
_register.populate(op.__dict__, _internal.__dict__)
for _name, _fn in op.__dict__.items():
    if not _name.startswith("__"):
        globals().setdefault(_name, _fn)

# Python-level pieces of mx.nd that are not single operators; each module
# lists what it exports in __all__ and may install NDArray methods.
for _part in (_wrappers, _serialization, _interop, _legacy):
    for _name in getattr(_part, "__all__", ()):
        globals()[_name] = getattr(_part, _name)
for _part in (_arith, _indexing, _fluent):
    if hasattr(_part, "install"):
        _part.install()

from . import _sparse_impl as _sparse_impl  # noqa: E402  (routes mx.nd calls with sparse arrays)
from . import contrib, image, linalg, sparse  # noqa: E402  (built from the registry loaded above)

cast_storage = sparse.cast_storage  # the op record's front end, returning the asked storage type


__all__ = [
    "NDArray",
    "array",
    "zeros",
    "ones",
    "empty",
    "full",
    "arange",
    "eye",
    "linspace",
    "from_numpy",
    "waitall",
    "copy_into",
    "op",
    "random",
    "contrib",
    "image",
    "linalg",
    "sparse",
    "cast_storage",
]
