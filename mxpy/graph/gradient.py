"""The gradient pass: extend a forward graph with the nodes that compute input gradients.

Each operator's ``gradient(g, out_grads)`` rule builds its backward part with
the :class:`GradBuilder` it is given (``g.inputs``, ``g.outputs``, ``g.p``,
``g.attrs``, ``g.op(...)``) and returns one entry (or None) per input. Entries
are opaque to the rule; here they are ``(Node, output index)`` pairs.
"""

from __future__ import annotations

from ..base import MXNetError
from ..registry import Param, get
from ..symbol.node import Node

Entry = tuple  # (Node, int)


class GradBuilder:
    """What a gradient rule sees of one forward node, and how it adds nodes."""

    __slots__ = ("node", "inputs", "outputs", "p", "attrs", "created", "_count")

    def __init__(self, node: Node, created: list[Node]):
        self.node = node
        self.inputs: list[Entry] = list(node.inputs)
        self.outputs: list[Entry] = [(node, i) for i in range(node.num_outputs())]
        self.p = node.params
        # every parameter, defaults included, so recorded (autograd) nodes work too
        self.attrs = {k: Param.format(v) for k, v in self.p.items()}
        self.created = created
        self._count = 0

    def op(self, op_name: str, inputs: list[Entry], attrs: dict | None = None, **params) -> list[Entry]:
        """Add a node applying ``op_name``; returns its output entries."""
        op = get(op_name)
        strs = dict(attrs) if attrs is not None else {}
        strs.update({k: Param.format(v) for k, v in params.items()})
        group = self.node.attrs.get("__ctx_group__")
        if group is not None:  # the backward runs where the forward ran (group2ctx)
            strs["__ctx_group__"] = group
        name = f"{self.node.name}_backward" if self._count == 0 else f"{self.node.name}_backward{self._count}"
        self._count += 1
        node = Node(op, name, strs, list(inputs))
        self.created.append(node)
        return [(node, i) for i in range(node.num_outputs())]

    def op1(self, op_name: str, inputs: list[Entry], attrs: dict | None = None, **params) -> Entry:
        """Like :meth:`op` for a single-output op; returns its entry."""
        return self.op(op_name, inputs, attrs, **params)[0]


def _sum(entries: list[Entry], created: list[Node], name: str) -> Entry:
    if len(entries) == 1:
        return entries[0]
    node = Node(get("add_n"), f"{name}_sum", {"num_args": str(len(entries))}, list(entries))
    created.append(node)
    return (node, 0)


def build_gradient(order: list[Node], heads: list[Entry], head_grads: list[Entry | None], wrt: list[Node]) -> tuple[list[Node], list[Entry | None]]:
    """Backward nodes (topologically ordered) and one gradient entry (or None) per ``wrt`` variable.

    ``head_grads[i]`` is the entry holding the gradient of ``heads[i]``, or None
    when the head is a loss whose rule ignores it.
    """
    wrt_ids = {id(n) for n in wrt}
    # nodes whose outputs depend on a wrt variable: only they need rules
    depends: set[int] = set(wrt_ids)
    for node in order:
        if node.op is not None and any(id(src) in depends for src, _ in node.inputs):
            depends.add(id(node))
    contrib: dict[tuple[int, int], list[Entry]] = {}
    for (node, i), hg in zip(heads, head_grads):
        if hg is not None:
            contrib.setdefault((id(node), i), []).append(hg)
    created: list[Node] = []
    for node in reversed(order):
        if node.op is None or id(node) not in depends:
            continue
        n_out = node.num_outputs()
        ograds: list[Entry | None] = []
        for j in range(n_out):
            parts = contrib.get((id(node), j))
            ograds.append(_sum(parts, created, f"{node.name}_out{j}") if parts else None)
        if all(o is None for o in ograds) and not node.is_loss():
            continue  # no gradient reaches this node (e.g. it only feeds where's condition)
        rule = node.op.gradient
        if rule is None:
            raise MXNetError(
                f"Operator {node.op.name} is non-differentiable because it didn't register FGradient attribute "
                f"(node {node.name}: a gradient flows through it; stop it with BlockGrad or bind with grad_req 'null')"
            )
        g = GradBuilder(node, created)
        in_grads = rule(g, ograds)
        if len(in_grads) != len(node.inputs):
            raise MXNetError(f"gradient rule of {node.op.name} returned {len(in_grads)} entries for {len(node.inputs)} inputs")
        for (src, i), gr in zip(node.inputs, in_grads):
            if gr is not None and (id(src) in depends):
                contrib.setdefault((id(src), i), []).append(gr)
    result: list[Entry | None] = []
    for v in wrt:
        parts = contrib.get((id(v), 0))
        result.append(_sum(parts, created, f"{v.name}_grad") if parts else None)
    return created, result
