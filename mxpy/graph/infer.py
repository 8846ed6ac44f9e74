"""Shape and type inference: propagate through every node, both ways, to a fixpoint.

Each operator's rule (``OpDef.infer_shape`` / ``infer_type``) sees the entries
known so far (None where unknown) and returns what it can fill in, for inputs
as well as outputs, so FullyConnected can give its weight a shape from data.
"""

from __future__ import annotations

from collections.abc import Callable

from ..base import MXNetError
from ..registry import ShapeError
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
            rule = rule_of(node.op)
            try:
                new_in, new_out = rule(node.params, ins)
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


def infer_graph_shapes(order: list[Node], var_shapes: dict[str, tuple]) -> dict:
    """(node id, index) -> shape for every entry that can be inferred."""
    known: dict = {}
    for node in order:
        if node.op is None:
            shape = var_shapes.get(node.name)
            if shape is None and "__shape__" in node.attrs:
                parsed = tuple(int(x) for x in node.attrs["__shape__"].strip("()[] ").replace(",", " ").split())
                shape = parsed if parsed and all(d > 0 for d in parsed) else None
            if shape is not None:
                known[(id(node), 0)] = tuple(shape)
    return _run(order, known, lambda op: op.infer_shape, "shape", lambda s: str(s))


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
