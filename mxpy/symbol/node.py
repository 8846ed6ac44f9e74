"""Graph nodes: immutable after creation; a Symbol is a list of (node, output index)."""

from __future__ import annotations

from ..registry import OpDef, Params
from ..registry.monitor_names import POSITIONAL_INPUT_NAMES

# Keys MXNet stores as ``__key__`` but also lists without underscores.
HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage", "profiler_scope")


class Node:
    """One operator application (``op`` set) or a variable (``op`` None).

    ``attrs`` holds strings: the op's parameters as the user gave them and
    user attributes (``__key__``), exactly what JSON stores.
    """

    __slots__ = ("op", "name", "attrs", "inputs", "_params", "tape", "versions", "version", "subgraphs", "__weakref__")

    def __init__(self, op: OpDef | None, name: str, attrs: dict[str, str], inputs: list[tuple[Node, int]]):
        self.op = op
        self.name = name
        self.attrs = attrs
        self.inputs = inputs
        self._params: Params | None = None
        # autograd: the arrays a recorded node read and wrote (None in symbols)
        self.tape = None
        # JSON entry versions: ``versions[i]`` is the version of input i (None:
        # all 0); a variable's ``version`` counts the ops that mutate it, as
        # MXNet numbers aux-state entries (moving_mean is ``[k, 0, 1]``)
        self.versions: list[int] | None = None
        self.version = 0
        # control-flow ops (_foreach) run a graph of their own: MXNet's attrs.subgraphs
        self.subgraphs: list | None = None

    @property
    def is_variable(self) -> bool:
        return self.op is None

    @property
    def params(self) -> Params:
        """The op's parsed parameters (user attributes are skipped)."""
        if self._params is None:
            attrs = {k: v for k, v in self.attrs.items() if not (k.startswith("__") and k.endswith("__"))}
            if self.subgraphs is not None:
                attrs["__subgraphs__"] = self.subgraphs  # the op's parse takes them from here
            self._params = self.op.parse(attrs)
        return self._params

    def num_outputs(self) -> int:
        return 1 if self.op is None else self.op.num_outputs(self.params)

    def num_visible_outputs(self) -> int:
        return 1 if self.op is None else self.op.num_visible_outputs(self.params)

    def output_name(self, index: int) -> str:
        if self.op is None:
            return self.name
        names = self.op.output_names(self.params)
        # an unnamed node (an atomic symbol) lists bare output names, as MXNet
        return f"{self.name}_{names[index]}" if self.name else names[index]

    def input_names(self) -> list[str]:
        """Declared names of every input slot, aux states last."""
        p = self.params
        return self.op.input_names(p) + self.op.aux_names(p)

    def monitor_input_names(self) -> list[str]:
        """The names a monitor (``monitor_all``) gives the inputs, after ``<node>_``, as MXNet 1.9.1.

        Declared names, except for the operators MXNet registers without
        input names (Activation, unary math, ...), whose inputs are
        ``input0``, ``input1``, ...
        """
        if self.op.name in POSITIONAL_INPUT_NAMES:
            return [f"input{i}" for i in range(len(self.inputs))]
        return self.input_names()

    def input_version(self, i: int) -> int:
        """The version of input entry ``i`` (what the third JSON entry field holds)."""
        return 0 if self.versions is None else self.versions[i]

    def mark_versions(self) -> None:
        """Stamp variable inputs with their version, bumping it for mutated (aux) slots."""
        mutated = set(self.mutated_slots())
        versions = []
        for i, (src, _) in enumerate(self.inputs):
            if src.op is None and i in mutated:
                src.version += 1
            versions.append(src.version if src.op is None else 0)
        self.versions = versions if any(versions) else None

    def is_loss(self) -> bool:
        """Whether the op's gradient ignores the head gradient (``OpDef.is_loss``, a flag
        or, for ops such as Custom where it depends on the node, a function of the params)."""
        flag = self.op.is_loss
        return bool(flag(self.params)) if callable(flag) else bool(flag)

    def n_aux(self) -> int:
        return len(self.op.aux_names(self.params)) if self.op is not None else 0

    def mutated_slots(self) -> list[int]:
        """Input slots the op updates in place (aux states and ``OpDef.mutates``)."""
        if self.op is None or (not self.op._aux and self.op.mutates is None):
            return []
        return self.op.mutated_inputs(self.params, len(self.inputs))

    def __repr__(self) -> str:
        return f"<Node {self.op.name if self.op else 'null'} {self.name}>"


def topo_order(heads: list[tuple[Node, int]]) -> list[Node]:
    """Nodes reachable from ``heads`` in DFS post-order (inputs before users), as MXNet."""
    order: list[Node] = []
    seen: set[int] = set()
    for head, _ in heads:
        if id(head) in seen:
            continue
        stack = [(head, 0)]
        seen.add(id(head))
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                child = node.inputs[i][0]
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, 0))
            else:
                order.append(node)
    return order


def aux_variables(order: list[Node]) -> set[int]:
    """ids of variable nodes used in an aux-state slot of some op."""
    aux: set[int] = set()
    for node in order:
        for i in node.mutated_slots():
            src = node.inputs[i][0]
            if src.op is None:
                aux.add(id(src))
    return aux
