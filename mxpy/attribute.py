"""``mx.AttrScope``: attributes attached to every symbol created inside the scope.

>>> import mxpy as mx
>>> with mx.AttrScope(ctx_group="dev1"):
...     x = mx.sym.Variable("x")
>>> x.attr("ctx_group")
'dev1'
"""

from __future__ import annotations

import threading

__all__ = ["AttrScope"]


class AttrScope:
    """Nested scopes of string attributes (``__key__`` style when stored)."""

    _current = threading.local()

    def __init__(self, **kwargs: str) -> None:
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise ValueError(f"AttrScope: attribute {k!r} must be a string, got {type(v).__name__}")
        self._attr = dict(kwargs)
        self._old_scope: AttrScope | None = None

    def get(self, attr: dict | None) -> dict:
        """The scope's attributes updated with ``attr`` (which wins)."""
        if not self._attr:
            return dict(attr) if attr else {}
        out = dict(self._attr)
        if attr:
            out.update(attr)
        return out

    def __enter__(self) -> AttrScope:
        self._old_scope = AttrScope._get_current()
        merged = dict(self._old_scope._attr)
        merged.update(self._attr)
        self._attr = merged
        AttrScope._current.value = self
        return self

    def __exit__(self, *exc) -> None:
        AttrScope._current.value = self._old_scope

    @classmethod
    def _get_current(cls) -> AttrScope:
        cur = getattr(cls._current, "value", None)
        if cur is None:
            cur = cls._current.value = AttrScope()
        return cur


class _CurrentDescriptor:
    def __get__(self, obj, cls) -> AttrScope:
        return AttrScope._get_current()


AttrScope.current = _CurrentDescriptor()
