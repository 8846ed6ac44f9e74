"""``mx.sym.sparse``: every operator under MXNet's sparse symbol namespace.

Symbols carry values, not storage: a graph bound by an executor computes
densely, so ``mx.sym.sparse.dot`` is ``mx.sym.dot`` and a variable's
``stype`` is kept as its ``__storage_type__`` attribute (see docs/sparse.md).

>>> import mxpy as mx
>>> mx.sym.sparse.dot(mx.sym.var("x", stype="csr"), mx.sym.var("w")).list_arguments()
['x', 'w']
"""

from __future__ import annotations


def __getattr__(name: str):
    from .. import registry
    from .register import function

    full = {"adagrad_update": "_sparse_adagrad_update", "retain": "_sparse_retain"}.get(name, name)
    if not name.startswith("_") and registry.find(full) is not None:
        return function(full)
    raise AttributeError(f"module 'mxpy.symbol.sparse' has no attribute {name!r}")
