"""Common subexpression elimination (MXNet's ``MXNET_ELIMINATE_COMMON_EXPR``).

Two nodes applying the same operator with the same attributes to the same
input entries compute the same outputs, so the second is replaced by the
first. Ops that draw random numbers or update inputs in place (aux states,
optimizer updates) are never merged, nor are nodes without inputs. When
merging makes two outputs of the graph the same entry, the later one gets a
``_copy`` so every output keeps its own array, as MXNet does.

>>> import mxpy as mx
>>> from mxpy.graph.cse import eliminate_common_expr
>>> a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
>>> s = (a + b) * (a + b)
>>> len(s.get_internals()), len(mx.sym.Symbol(eliminate_common_expr(s._outputs)).get_internals())
(5, 4)
"""

from __future__ import annotations

from ..registry import get
from ..symbol.node import Node, topo_order

Entry = tuple  # (Node, output index)


def _mergeable(node: Node) -> bool:
    op = node.op
    # a node with subgraphs (_foreach) is equal to another only if its graph is: never merged
    return bool(node.inputs) and not op.needs_rng and not op.creates and not node.mutated_slots() and node.subgraphs is None


def eliminate_common_expr(heads: list[Entry]) -> list[Entry]:
    """The heads of an equivalent graph with duplicate computations merged.

    Nodes are immutable and may be shared with the caller's symbols, so a node
    whose inputs change is rebuilt; untouched parts of the graph are reused.
    """
    mapped: dict[int, Node] = {}
    seen: dict[tuple, Node] = {}
    for orig in topo_order(heads):
        if orig.op is None:
            mapped[id(orig)] = orig
            continue
        inputs = [(mapped[id(src)], i) for src, i in orig.inputs]
        node = orig
        if any(new is not old for (new, _), (old, _) in zip(inputs, orig.inputs)):
            node = Node(orig.op, orig.name, dict(orig.attrs), inputs)
            node._params = orig._params
            node.versions = orig.versions
            node.subgraphs = orig.subgraphs
        if _mergeable(node):
            key = (node.op.name, tuple(sorted(node.attrs.items())), tuple((id(n), i) for n, i in inputs))
            node = seen.setdefault(key, node)
        mapped[id(orig)] = node
    out: list[Entry] = []
    taken: dict[tuple, tuple] = {}
    for n, i in heads:
        entry = (mapped[id(n)], i)
        key = (id(entry[0]), i)
        origin = (id(n), i)
        if key in taken and taken[key] != origin:
            # two distinct outputs became one entry: the later one gets its own copy
            copy = Node(get("_copy"), f"{n.name}_cse_copy{len(out)}", {}, [entry])
            entry = (copy, 0)
        else:
            taken.setdefault(key, origin)
        out.append(entry)
    return out
