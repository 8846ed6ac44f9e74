"""MXNet's symbol JSON: writing (byte-compatible layout) and reading (1.x and pre-0.9).

The layout follows the dmlc JSON writer MXNet uses: objects with more than
one key and arrays with more than ten elements span lines; node records and
the node list always do; separators are ``", "`` (with a trailing space
before a line break).
"""

from __future__ import annotations

import json

from .._atomic_file import atomic_write
from ..base import MXNetError
from ..registry import find
from ..util import is_np_shape
from .node import Node, topo_order

MXNET_VERSION = 10901


def _dump(value, indent: int, multi: bool | None = None) -> str:
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if multi is None:
            multi = len(value) > 1
        items = [f"{json.dumps(k)}: {_dump(v, indent + 1)}" for k, v in value.items()]
        if not items:
            return "{}"
        if multi:
            return "{\n" + ", \n".join(pad + it for it in items) + "\n" + "  " * indent + "}"
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        if multi is None:
            multi = len(value) > 10
        items = [_dump(v, indent + 1) for v in value]
        if not items:
            return "[]"
        if multi:
            return "[\n" + ", \n".join(pad + it for it in items) + "\n" + "  " * indent + "]"
        return "[" + ", ".join(items) + "]"
    return json.dumps(value)


class _Multi(dict):
    """A dict always written across lines (node records, the top level)."""


def to_json(sym) -> str:
    """Serialise a Symbol the way MXNet 1.9.1 does."""
    top = _graph_doc(sym._outputs)
    top["attrs"] = {"mxnet_version": ["int", MXNET_VERSION]}
    if is_np_shape():  # as MXNet: a graph saved under NumPy shape semantics says so
        top["attrs"]["is_np_shape"] = ["int", 1]
    return _write_graph(top, 0)


def _graph_doc(outputs: list) -> dict:
    """nodes / arg_nodes / node_row_ptr / heads of one graph (a control-flow node's body too)."""
    order = topo_order(outputs)
    index = {id(n): i for i, n in enumerate(order)}
    nodes = []
    row_ptr = [0]
    for n in order:
        rec = _Multi(op="null" if n.op is None else n.op.name, name=n.name)
        if n.attrs:
            rec["attrs"] = dict(sorted(n.attrs.items()))  # MXNet keeps attrs in a sorted map
        rec["inputs"] = [[index[id(src)], i, n.input_version(k)] for k, (src, i) in enumerate(n.inputs)]
        if n.subgraphs is not None:
            rec["subgraphs"] = [_graph_doc(g._outputs) for g in n.subgraphs]
        nodes.append(rec)
        row_ptr.append(row_ptr[-1] + _json_rows(n))
    return {
        "nodes": nodes,
        "arg_nodes": [i for i, n in enumerate(order) if n.op is None],
        "node_row_ptr": row_ptr,
        "heads": [[index[id(n)], i, 0] for n, i in outputs],
    }


def _json_rows(node: Node) -> int:
    """Output rows MXNet 1.9.1 (the released, oneDNN build) counts for ``node``.

    That build gives max Pooling in NC* layout a hidden workspace output, so
    its ``node_row_ptr`` steps by 2 there; nothing reads those rows back (a
    loader recomputes them), but checkpoint files are compared byte for byte.
    """
    n = node.num_outputs()
    if node.op is not None and node.op.name == "Pooling" and n == 1:
        p = node.params
        layout = getattr(p, "layout", None)
        if p.pool_type == "max" and 1 <= len(p.kernel) <= 3 and (layout is None or layout in ("NCW", "NCHW", "NCDHW")):
            return 2
    return n


def _write_graph(doc: dict, level: int) -> str:
    """A graph object as dmlc's writer lays it out, its braces ``level`` steps (2 spaces) in."""
    parts = []
    for k, v in doc.items():
        if k == "nodes":
            items = ", \n".join("  " * (level + 2) + _write_node(n, level + 2) for n in v)
            body = "[\n" + items + "\n" + "  " * (level + 1) + "]" if v else "[]"
        else:
            body = _dump(v, level + 1)
        parts.append("  " * (level + 1) + f"{json.dumps(k)}: {body}")
    return "{\n" + ", \n".join(parts) + "\n" + "  " * level + "}"


def _write_node(rec: dict, level: int) -> str:
    pad = "  " * (level + 1)
    items = []
    for k, v in rec.items():
        if k == "subgraphs":
            graphs = ", \n".join("  " * (level + 2) + _write_graph(g, level + 2) for g in v)
            items.append(f"{json.dumps(k)}: [\n{graphs}\n{pad}]")
        else:
            items.append(f"{json.dumps(k)}: {_dump(v, level + 1)}")
    return "{\n" + ", \n".join(pad + it for it in items) + "\n" + "  " * level + "}"


def load_json(json_str: str):
    """A Symbol from MXNet JSON (1.x, 0.9-era ``attr`` keys, and pre-0.9 ``param`` files)."""

    try:
        doc = json.loads(json_str)
    except json.JSONDecodeError as e:
        raise MXNetError(f"load_json: malformed JSON at line {e.lineno} column {e.colno} (char {e.pos}): {e.msg}") from None
    if not isinstance(doc, dict) or "nodes" not in doc or "heads" not in doc:
        given = type(doc).__name__ if not isinstance(doc, dict) else f"keys {sorted(doc)}"
        raise MXNetError(f"load_json: not an MXNet symbol file: expected an object with 'nodes' and 'heads', given {given}")
    if not isinstance(doc["nodes"], list) or not isinstance(doc["heads"], list):
        raise MXNetError("load_json: 'nodes' and 'heads' must be lists")
    version = doc.get("attrs", {}).get("mxnet_version", [None, 0])[1]
    # a graph saved under the legacy shape semantics, loaded under NumPy's: its
    # variables' 0 dims meant "unknown", which is -1 now (as MXNet converts them)
    legacy_shapes = is_np_shape() and not doc.get("attrs", {}).get("is_np_shape", [None, 0])[1]
    return _load_graph(doc, version, legacy_shapes)


def _load_graph(doc: dict, version, legacy_shapes: bool = False):
    """The Symbol of one graph object (the file's, or a control-flow node's body)."""
    from .symbol import Symbol

    recs = doc["nodes"]
    built: list[Node] = []
    for i, rec in enumerate(recs):
        if not isinstance(rec, dict) or "op" not in rec or "name" not in rec:
            raise MXNetError(f"load_json: node {i} lacks 'op' or 'name'")
        attrs = {}
        for key in ("param", "attr", "attrs"):  # oldest to newest spelling
            if isinstance(rec.get(key), dict):
                attrs.update({k: str(v) for k, v in rec[key].items()})
        if legacy_shapes and rec["op"] == "null" and "__shape__" in attrs:
            _shape_attr_to_numpy(attrs)
        if not version:
            for k in ("lr_mult", "wd_mult", "ctx_group"):
                if k in attrs and rec["op"] == "null":
                    attrs[f"__{k}__"] = attrs.pop(k)
        op = None
        if rec["op"] != "null":
            op = find(rec["op"])
            if op is None:
                raise MXNetError(f"load_json: node {i} ({rec['name']!r}) uses unknown operator {rec['op']!r}")
        inputs = []
        versions = []
        for e in rec.get("inputs", []):
            if not isinstance(e, list) or len(e) < 2 or not all(isinstance(v, int) for v in e):
                raise MXNetError(f"load_json: node {i} ({rec['name']!r}) has input entry {e!r}; expected [node, output, version]")
            src, idx = int(e[0]), int(e[1])
            if not 0 <= src < i:
                raise MXNetError(f"load_json: node {i} ({rec['name']!r}) refers to node {src}, which is not an earlier node (cycle or dangling entry)")
            if not 0 <= idx < built[src].num_outputs():
                raise MXNetError(f"load_json: node {i} refers to output {idx} of node {src}, which has {built[src].num_outputs()} outputs")
            inputs.append((built[src], idx))
            versions.append(int(e[2]) if len(e) > 2 else 0)
        node = Node(op, rec["name"], attrs, inputs)
        node.versions = versions if any(versions) else None
        subgraphs = rec.get("subgraphs")
        if subgraphs is not None:
            if not isinstance(subgraphs, list) or not all(isinstance(g, dict) and "nodes" in g and "heads" in g for g in subgraphs):
                raise MXNetError(f"load_json: node {i} ({rec['name']!r}) has 'subgraphs' that are not graph objects with 'nodes' and 'heads'")
            node.subgraphs = [_load_graph(g, version) for g in subgraphs]
        if op is not None:
            try:
                _ = node.params  # unknown or bad attributes fail here, naming the op
            except MXNetError as e:
                raise MXNetError(f"load_json: node {i} ({rec['name']!r}): {e}") from None
            _add_missing_aux(node)
        built.append(node)
    heads = []
    for k, e in enumerate(doc["heads"]):
        if not isinstance(e, list) or len(e) < 2 or not all(isinstance(v, int) for v in e):
            raise MXNetError(f"load_json: head {k} is {e!r}; expected [node, output, version]")
        if not 0 <= e[0] < len(built):
            raise MXNetError(f"load_json: head {k} refers to node {e[0]}; the file has {len(built)} nodes")
        if not 0 <= e[1] < built[e[0]].num_outputs():
            raise MXNetError(
                f"load_json: head {k} refers to output {e[1]} of node {e[0]} ({built[e[0]].name!r}), which has {built[e[0]].num_outputs()} outputs"
            )
        heads.append((built[e[0]], e[1]))
    return Symbol(heads)


def _shape_attr_to_numpy(attrs: dict) -> None:
    try:
        dims = [int(x) for x in attrs["__shape__"].strip("()[] ").replace(",", " ").split()]
    except ValueError:
        return  # not a shape we can read: left for shape inference to report
    if not dims:
        del attrs["__shape__"]  # () was "unknown" in the legacy semantics
    else:
        attrs["__shape__"] = "(" + ", ".join(str(-1 if d == 0 else d) for d in dims) + ")"


def _add_missing_aux(node: Node) -> None:
    """Pre-0.9 files list no aux inputs: add variables for them, made as ``mx.sym`` would make them."""
    from .symbol import _var_init

    slots = node.input_names()
    if len(node.inputs) < len(slots):
        for slot in slots[len(node.inputs) :]:
            attrs = dict(node.attrs)
            init = _var_init(node.op, node.params, slot)
            if init is not None:
                attrs["__init__"] = init
            node.inputs.append((Node(None, f"{node.name}_{slot}", attrs, []), 0))
        if node.versions is not None:
            node.versions.extend([0] * (len(node.inputs) - len(node.versions)))


def save_text_atomic(fname: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``fname`` atomically, through a symlink, with ``open()``'s permissions."""
    atomic_write(fname, [text.encode("utf-8")], func="Symbol.save")
