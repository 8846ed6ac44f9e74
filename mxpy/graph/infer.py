"""Shape and type inference: propagate through every node, both ways, to a fixpoint.

Each operator's rule (``OpDef.infer_shape`` / ``infer_type``) sees the entries
known so far (None where unknown) and returns what it can fill in, for inputs
as well as outputs, so FullyConnected can give its weight a shape from data.
Shapes may be partly known (-1 dims, see :mod:`mxpy.registry.infer`): the
batch size of ``(0, 10)`` flows in from whichever op learns it first.
"""

from __future__ import annotations

from collections.abc import Callable

from ..base import MXNetError
from ..registry import UNKNOWN, ShapeError, merge_dims, probe_rule
from ..symbol.node import Node


def _run(order: list[Node], known: dict[tuple[int, int], object], rule_of: Callable, what: str, fmt: Callable) -> dict:
    """Iterate the rules until nothing changes; ``known`` maps (node id, output index) -> value."""
    for _ in range(len(order) + 2):
        changed = False
        for node in order:
            if node.op is None:
                continue
            ins = [known.get((id(src), i)) for src, i in node.inputs]
            n_out = node.num_outputs()
            try:
                new_in, new_out = rule_of(node.op)(node.params, ins)
            except ShapeError as e:
                given = ", ".join(f"{nm}={fmt(v)}" for nm, v in zip(node.input_names(), ins))
                raise MXNetError(f"Error in operator {node.name} ({node.op.name}): {e.named(node.input_names())}; known inputs: {given}") from None
            for (src, i), old, new, nm in zip(node.inputs, ins, new_in or [None] * len(ins), node.input_names()):
                if new is None:
                    continue
                if old is None:
                    known[(id(src), i)] = new
                    changed = True
                elif old != new:
                    raise MXNetError(
                        f"Error in operator {node.name} ({node.op.name}): {what} of input '{nm}' is inconsistent: given {fmt(old)}, inferred {fmt(new)}"
                    )
            for j, new in enumerate((new_out or [])[:n_out]):
                if new is None:
                    continue
                old = known.get((id(node), j))
                if old is None:
                    known[(id(node), j)] = new
                    changed = True
                elif old != new:
                    raise MXNetError(
                        f"Error in operator {node.name} ({node.op.name}): {what} of output {j} is inconsistent: given {fmt(old)}, inferred {fmt(new)}"
                    )
        if not changed:
            break
    return known


class _Site:
    """What a node's shape rule reads and writes, worked out once per pass."""

    __slots__ = ("node", "op", "p", "keys_in", "keys_out", "legacy_creates")

    def __init__(self, node: Node, legacy: bool) -> None:
        self.node = node
        self.op = op = node.op
        self.p = node.params
        self.keys_in = [(id(src), i) for src, i in node.inputs]
        self.keys_out = [(id(node), j) for j in range(node.num_outputs())]
        # MXNet 1.x's legacy shape semantics: a creation op's 0 dims (and a () shape)
        # are unknown, to be filled in by its consumers (a zero begin state of batch 0)
        self.legacy_creates = legacy and op.creates and "shape" in op.params


def _visit_shapes(site: _Site, known: dict) -> bool:
    """Run a node's shape rule once; store what it adds. True if anything became more known."""
    op, p = site.op, site.p
    ins = [known.get(k) for k in site.keys_in]
    try:
        if op.partial_shapes:
            new_in, new_out = op.infer_shape(p, ins, [known.get(k) for k in site.keys_out])
        elif op.probe_shapes and any(s is not None and UNKNOWN in s for s in ins):
            # a rule that knows nothing of unknown dims, run on probe sizes in their place
            probed = probe_rule(op.infer_shape, p, ins)
            if probed is None:  # the rule rejects the probes: it sees the fully known shapes only
                probed = op.infer_shape(p, [s if s is None or UNKNOWN not in s else None for s in ins])
            new_in, new_out = probed
        else:
            # (custom ops' rules) only fully known shapes
            new_in, new_out = op.infer_shape(p, [s if s is None or UNKNOWN not in s else None for s in ins])
    except ShapeError as e:
        node = site.node
        given = ", ".join(f"{nm}={v}" for nm, v in zip(node.input_names(), ins))
        raise MXNetError(f"Error in operator {node.name} ({op.name}): {e.named(node.input_names())}; known inputs: {given}") from None
    if new_out and site.legacy_creates:
        new_out = [_legacy_unknown(s) for s in new_out]
    changed = False
    if new_in:
        for k, (new, old) in enumerate(zip(new_in, ins)):
            if new is not None and new != old:
                changed |= _store(known, site.keys_in[k], new, site, k)
    if new_out:
        for j, (k, new) in enumerate(zip(site.keys_out, new_out)):
            if new is not None:
                changed |= _store(known, k, new, site, -1 - j)
    return changed


def _store(known: dict, key: tuple, new, site: _Site, slot: int) -> bool:
    old = known.get(key)
    if old is None:
        known[key] = tuple(new)
        return True
    if old == new:
        return False
    merged = merge_dims(old, new)
    if merged is None:
        node = site.node
        where = f"input '{node.input_names()[slot]}'" if slot >= 0 else f"output {-1 - slot}"
        raise MXNetError(f"Error in operator {node.name} ({node.op.name}): shape of {where} is inconsistent: given {old}, inferred {tuple(new)}")
    if merged != old:
        known[key] = merged
        return True
    return False


def _legacy_unknown(s):
    """A shape as MXNet's legacy mode reads it: 0 dims unknown, () wholly unknown."""
    if s is None or len(s) == 0:
        return None
    return tuple(UNKNOWN if d == 0 else d for d in s)


def _parse_shape_attr(text: str) -> tuple:
    return tuple(int(x) for x in text.strip("()[] ").replace(",", " ").split())


def infer_graph_shapes(order: list[Node], var_shapes: dict[str, tuple], *, legacy: bool | None = None) -> dict:
    """(node id, index) -> shape for every entry that can be inferred, at least partly.

    Shapes in ``var_shapes`` and variables' ``__shape__`` attributes may be partly
    known: in MXNet's legacy shape mode (``legacy``, the default unless
    ``mx.util.is_np_shape()``) a 0 dim or a ``()`` shape is unknown, under NumPy
    shape semantics a -1 dim. In the result an unknown dim is
    :data:`~mxpy.registry.infer.UNKNOWN` (-1) in both modes; rules run forward and
    backward, sweeping the graph both ways until nothing changes, as MXNet's pass.
    """
    if legacy is None:
        from ..util import is_np_shape

        legacy = not is_np_shape()
    known: dict = {}
    for node in order:
        if node.op is None:
            shape = var_shapes.get(node.name)
            if shape is None and "__shape__" in node.attrs:
                shape = _parse_shape_attr(node.attrs["__shape__"])
            if shape is not None:
                shape = _legacy_unknown(shape) if legacy else tuple(shape)
                if shape is not None:
                    known[(id(node), 0)] = shape
    return propagate_shapes(order, known, legacy=legacy)


def propagate_shapes(order: list[Node], known: dict, *, legacy: bool | None = None) -> dict:
    """Run the shape rules of ``order``'s op nodes over ``known`` ((node id, index) ->
    shape, updated in place) until nothing changes, sweeping forward then backward
    as MXNet's pass does, so a batch size learnt late flows back to a begin state."""
    if legacy is None:
        from ..util import is_np_shape

        legacy = not is_np_shape()
    ops = [_Site(n, legacy) for n in order if n.op is not None]
    backward = list(reversed(ops))
    for sweep in range(2 * len(ops) + 4):
        changed = False
        for site in backward if sweep % 2 else ops:
            changed |= _visit_shapes(site, known)
        if not changed:
            break
    return known


def infer_graph_types(order: list[Node], var_types: dict[str, object]) -> dict:
    """(node id, index) -> np.dtype for every entry that can be inferred."""
    import numpy as np

    from ..base import FLAG_TO_DTYPE

    known: dict = {}
    for node in order:
        if node.op is None:
            dt = var_types.get(node.name)
            if dt is None and "__dtype__" in node.attrs:
                dt = FLAG_TO_DTYPE[int(node.attrs["__dtype__"])]
            if dt is not None:
                known[(id(node), 0)] = np.dtype(dt)
    return _run(order, known, lambda op: op.infer_type, "dtype", lambda t: getattr(t, "name", str(t)))
