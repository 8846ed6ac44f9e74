"""Builds ``mx.nd.*`` from the registry: one real closure per operator name."""

from __future__ import annotations

from .. import registry
from . import dispatch

_FUNCS: dict = {}


def function(name: str):
    """The ``mx.nd`` function for operator ``name`` (canonical or alias)."""
    fn = _FUNCS.get(name)
    if fn is None:
        fn = _FUNCS[name] = dispatch.make_function(registry.get(name), name)
    return fn


def call(name: str, *args, **kwargs):
    """Invoke operator ``name`` on NDArrays (used by methods and wrappers)."""
    return function(name)(*args, **kwargs)


def populate(public: dict, internal: dict) -> None:
    """Fill module namespaces: public names into ``public``, ``_names`` into ``internal``."""
    for name in registry.all_names():
        fn = function(name)
        if name.startswith("_"):
            internal[name] = fn
            # MXNet exposes internal ops on mx.nd too (mx.nd._plus_scalar)
            public.setdefault(name, fn)
        else:
            public.setdefault(name, fn)


def prefixed(prefix: str) -> dict:
    """``{short: function}`` for every operator named ``prefix + short`` (mx.nd.contrib, mx.nd.linalg)."""
    return {name[len(prefix) :]: function(name) for name in registry.all_names() if name.startswith(prefix)}
