"""The operator families; importing this package registers every operator.

One family per module: each defines kernels against ``xp`` and registers
:class:`mxpy.registry.OpDef` records. Nothing here knows NDArray or Symbol.
"""

from __future__ import annotations

import importlib
import pkgutil

_loaded = False


def load_all() -> None:
    """Import every family module once (registration happens at import)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in sorted(pkgutil.walk_packages(__path__, __name__ + "."), key=lambda i: i.name):
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            importlib.import_module(info.name)
