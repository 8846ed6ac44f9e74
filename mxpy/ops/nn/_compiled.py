"""Loader of the optional Numba-compiled CPU kernels (the ``numba`` extra).

Each ``_*_numba`` module next to this one imports Numba at its top; only
:func:`load` imports them, on the first call that wants one, so ``import
mxpy`` never loads Numba. Without Numba, or with ``MXPY_NUMBA=0`` in the
environment, :func:`load` returns None and the callers keep their NumPy paths,
which stay the reference (the tests run both).
"""

from __future__ import annotations

import importlib
import os

_loaded: dict = {}  # module name -> the module, or None when unavailable


def enabled() -> bool:
    """False when ``MXPY_NUMBA`` turns the compiled kernels off."""
    return os.environ.get("MXPY_NUMBA", "1").strip() not in ("0", "false", "False", "off")


def load(name: str):
    """The compiled-kernel module ``mxpy.ops.nn._<name>_numba``, or None without Numba.

    >>> from mxpy.ops.nn import _compiled
    >>> _compiled.load("rows") is None or hasattr(_compiled.load("rows"), "scale_shift")
    True
    """
    if name not in _loaded:
        mod = None
        if enabled():
            try:
                mod = importlib.import_module(f"{__package__}._{name}_numba")
            except ImportError:
                mod = None
        _loaded[name] = mod
    return _loaded[name]
