"""Graph passes over symbols: shape and type inference (gradient and memory planning follow)."""

from .infer import infer_graph_shapes, infer_graph_types

__all__ = ["infer_graph_shapes", "infer_graph_types"]
