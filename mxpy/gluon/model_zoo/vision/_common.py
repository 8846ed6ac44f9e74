"""Shared pieces of the model-zoo networks: pretrained loading and ``get_model``'s table."""

from __future__ import annotations

from ....context import cpu


def load_pretrained(net, name: str, ctx=None, root=None) -> None:
    """Fill ``net`` with MXNet's published parameters for ``name`` (see ``model_store``)."""
    from ..model_store import get_model_file

    net.load_parameters(get_model_file(name, root=root), ctx=ctx if ctx is not None else cpu())


def build(cls, name: str, pretrained: bool, ctx, root, *args, **kwargs):
    """``cls(*args, **kwargs)``, loaded with ``name``'s pretrained parameters when asked."""
    net = cls(*args, **kwargs)
    if pretrained:
        load_pretrained(net, name, ctx=ctx, root=root)
    return net
