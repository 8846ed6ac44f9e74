"""``mx.contrib``: experimental MXNet features; here the loss scaling of ``mx.contrib.amp``."""

from __future__ import annotations

from . import amp

__all__ = ["amp"]
