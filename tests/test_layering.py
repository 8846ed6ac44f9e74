"""Imports run downward: the import graph of mxpy's own modules, read from the source.

Every ``import`` counts, including those inside functions (a lazy import is
still a dependency, only a hidden one).
"""

from __future__ import annotations

import ast
import functools
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "mxpy"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base_name = ".".join(base + ([node.module] if node.module else []))
                else:
                    base_name = node.module or ""
                # "from pkg import sub" depends on pkg.sub; "from pkg import name" on pkg itself
                targets = [f"{base_name}.{a.name}" if f"{base_name}.{a.name}" in files else base_name for a in node.names]
            for t in targets:
                # the deepest mxpy module the name resolves to
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != mod:
                    graph[mod].add(t)
    return graph


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or not (the graph is shared: never mutate it)."""
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


TRAINING = ["mxpy.model", "mxpy.feedforward", "mxpy.callback", "mxpy._checkpoint", "mxpy.module.module", "mxpy.module.base_module"]


@pytest.mark.parametrize("mod", TRAINING)
def test_training_layer_has_no_import_cycle(mod):
    # issue 11: model <-> feedforward <-> module <-> callback imported each other
    graph = _import_graph()
    back = sorted(m for m in _reaches(graph, mod) if mod in _reaches(graph, m) and m != mod)
    assert not back, f"{mod} is in an import cycle with {back}"


def test_checkpoint_helpers_sit_below_their_users():
    graph = _import_graph()
    below = _reaches(graph, "mxpy._checkpoint")
    assert not below & {"mxpy.model", "mxpy.feedforward", "mxpy.callback", "mxpy.module"}
    for user in ("mxpy.callback", "mxpy.feedforward", "mxpy.module.module", "mxpy.module.base_module"):
        assert "mxpy._checkpoint" in graph[user], user
        assert "mxpy.model" not in graph[user], f"{user} imports mxpy.model (upward)"


def test_model_keeps_every_public_name():
    import mxpy as mx
    from mxpy import _checkpoint, feedforward

    for name in ("BatchEndParam", "FeedForward", "save_checkpoint", "load_checkpoint", "load_params"):
        assert name in mx.model.__all__
    assert mx.model.FeedForward is feedforward.FeedForward
    assert mx.model.save_checkpoint is _checkpoint.save_checkpoint
    assert mx.model.BatchEndParam is _checkpoint.BatchEndParam


def test_lower_layers_never_import_higher_ones():
    graph = _import_graph()
    for low, high in [
        ("mxpy.engine", "mxpy.registry"),
        ("mxpy.engine", "mxpy.ops"),
        ("mxpy.ops", "mxpy.ndarray"),
        ("mxpy.ops", "mxpy.symbol"),
        ("mxpy.registry", "mxpy.ndarray"),
    ]:
        for mod in graph:
            if mod == low or mod.startswith(low + "."):
                bad = sorted(t for t in _reaches(graph, mod) if t == high or t.startswith(high + "."))
                assert not bad, f"{mod} (layer {low}) reaches {bad} (layer {high})"
