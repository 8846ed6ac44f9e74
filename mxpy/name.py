"""Automatic names for symbols: ``mx.name.NameManager`` and ``mx.name.Prefix``.

>>> import mxpy as mx
>>> with mx.name.Prefix("net_"):
...     mx.sym.Variable("x").name
'x'
"""

from __future__ import annotations

import threading

__all__ = ["NameManager", "Prefix"]


class NameManager:
    """Gives each unnamed symbol ``<hint><counter>``, one counter per hint."""

    _current = threading.local()

    def __init__(self) -> None:
        self._counter: dict[str, int] = {}
        self._old_manager: NameManager | None = None

    def get(self, name: str | None, hint: str) -> str:
        """``name`` if given, else the next automatic name for ``hint``."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> NameManager:
        self._old_manager = NameManager.current
        NameManager._current.value = self
        return self

    def __exit__(self, *exc) -> None:
        NameManager._current.value = self._old_manager

    @classmethod
    def _get_current(cls) -> NameManager:
        cur = getattr(cls._current, "value", None)
        if cur is None:
            cur = cls._current.value = NameManager()
        return cur


class Prefix(NameManager):
    """A NameManager that puts ``prefix`` before every name it gives."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name: str | None, hint: str) -> str:
        return self._prefix + super().get(name, hint)


class _CurrentDescriptor:
    def __get__(self, obj, cls) -> NameManager:
        return NameManager._get_current()


NameManager.current = _CurrentDescriptor()
