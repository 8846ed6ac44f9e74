"""The operator registry: every operator is one :class:`OpDef` record.

``mx.nd``, ``mx.sym``, executors, autograd, JSON and the tests all read the
records registered here (the op families live in :mod:`mxpy.ops`).

>>> from mxpy import registry
>>> registry.get("broadcast_add").name
'broadcast_add'
"""

from __future__ import annotations

from ..base import MXNetError
from .infer import (
    UNKNOWN,
    ShapeError,
    broadcast_shapes,
    dimwise,
    fixed_type,
    forward_shape,
    merge_dims,
    merge_shape,
    partial_rule,
    probe_rule,
    same_shape,
    same_type,
    shape_is_known,
)
from .opdef import OpDef, names
from .params import REQUIRED, Param, Params
from .runtime import Runtime, random_state, runtime

__all__ = [
    "OpDef",
    "Param",
    "Params",
    "REQUIRED",
    "ShapeError",
    "UNKNOWN",
    "shape_is_known",
    "partial_rule",
    "merge_dims",
    "dimwise",
    "probe_rule",
    "Runtime",
    "register",
    "get",
    "find",
    "all_ops",
    "same_shape",
    "same_type",
    "forward_shape",
    "broadcast_shapes",
    "merge_shape",
    "fixed_type",
    "names",
    "runtime",
    "random_state",
    "assign",
]

_OPS: dict[str, OpDef] = {}  # canonical name and aliases -> record
_CANONICAL: dict[str, OpDef] = {}


def register(op: OpDef) -> OpDef:
    """Add ``op`` under its name and aliases; a name may be registered once."""
    for n in (op.name, *op.aliases):
        if n in _OPS:
            raise MXNetError(f"operator {n!r} is registered twice")
        _OPS[n] = op
    _CANONICAL[op.name] = op
    return op


def get(name: str) -> OpDef:
    """The record for ``name`` (canonical or alias); MXNetError if unknown."""
    try:
        return _OPS[name]
    except KeyError:
        raise MXNetError(f"unknown operator {name!r}") from None


def find(name: str) -> OpDef | None:
    return _OPS.get(name)


def all_ops() -> dict[str, OpDef]:
    """Canonical name -> record, for every registered operator."""
    return dict(_CANONICAL)


def all_names() -> dict[str, OpDef]:
    """Every name (canonical and alias) -> record."""
    return dict(_OPS)


def assign(xp, out, req: str, value) -> None:
    """Store ``value`` into ``out`` as ``req`` asks (write/inplace/add/null)."""
    if req == "null":
        return
    if req == "add":
        out += value
    else:
        out[...] = value
