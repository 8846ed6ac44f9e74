"""Nodes that one compiled call put on the autograd tape, shown as one node again.

A hybridized block records its Executor's forward steps op by op (see
``gluon._cached_op``), each node tagged ``CALL_ATTR`` with the call's id.
``autograd.get_symbol`` shows such a call as MXNet does, one ``_CachedOp``
node from the call's inputs to its outputs (``fold_calls``).
"""

from __future__ import annotations

import itertools

from .registry import OpDef
from .symbol.node import Node

CALL_ATTR = "__cached_op_call__"
_ids = itertools.count()


def new_call_attrs(name: str) -> dict:
    """The attrs of every node recorded by one call of the compiled block ``name``."""
    return {CALL_ATTR: f"{name}{next(_ids)}"}


def fold_calls(order: list[Node], heads: list) -> list:
    """``heads`` of the copied graph ``order`` with each tagged call replaced by one node.

    ``order`` holds autograd's per-call copies of the recorded nodes, so their
    input lists are rewritten in place.
    """
    groups: dict[str, list[Node]] = {}
    for node in order:
        tag = node.attrs.get(CALL_ATTR)
        if tag is not None:
            groups.setdefault(tag, []).append(node)
    if not groups:
        return heads
    member = {id(n): tag for tag, nodes in groups.items() for n in nodes}
    remap: dict = {}  # (id(node), i) of a call's output -> entry of its folded node
    for tag, nodes in groups.items():
        inside = {id(n) for n in nodes}
        ins: list = []
        seen: set = set()
        for n in nodes:
            for src, i in n.inputs:
                key = (id(src), i)
                if id(src) not in inside and key not in seen:
                    seen.add(key)
                    ins.append(remap.get(key, (src, i)))
        used = {(id(s), i) for m in order if member.get(id(m)) != tag for s, i in m.inputs} | {(id(n), i) for n, i in heads}
        outs = [(n, j) for n in nodes for j in range(n.num_outputs()) if (id(n), j) in used]
        op = OpDef(
            "_CachedOp",
            None,
            inputs=tuple(f"data{k}" for k in range(len(ins))),
            outputs=tuple(f"output{k}" for k in range(len(outs))),
            doc="A compiled (hybridized) block's call, as autograd.get_symbol shows it.",
        )
        folded = Node(op, tag, {}, ins)
        folded._params = op.parse({})
        for k, (n, j) in enumerate(outs):
            remap[(id(n), j)] = (folded, k)
    for node in order:
        if id(node) not in member:
            node.inputs = [remap.get((id(s), i), (s, i)) for s, i in node.inputs]
    return [remap.get((id(n), i), (n, i)) for n, i in heads]
