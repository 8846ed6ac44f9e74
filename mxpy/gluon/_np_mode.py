"""Gluon's one hook for NumPy array semantics (``mx.npx.set_np()``).

Under ``is_np_array()`` MXNet's Gluon hands out ``mx.np`` arrays: block
outputs, parameter data and gradients, data-loader batches. mxpy's layers
compute with the legacy operators (``mx.np.ndarray`` is an NDArray, so they
accept it); :func:`as_np_if_active` re-classes what they return, in place and
without copies, when the mode is on. While ``hybridize()`` traces, the same
goes for Symbols (``mx.sym.np``'s ``_Symbol``: NumPy-style methods).
"""

from __future__ import annotations

from ..ndarray.ndarray import NDArray
from ..numpy.multiarray import ndarray
from ..symbol import Symbol
from ..symbol.numpy import _Symbol
from ..util import is_np_array


def as_np_if_active(out):
    """``out`` (an NDArray or nested lists/tuples of them) as ``mx.np`` arrays under
    ``npx.set_np()``; unchanged otherwise."""
    if not is_np_array():
        return out
    return _convert(out)


def _convert(out):
    if isinstance(out, NDArray):
        if type(out) is not ndarray:
            out.__class__ = ndarray  # same slots: a re-class, not a copy
        return out
    if isinstance(out, Symbol):  # traced by hybridize: F.np-style methods on the graph
        if type(out) is not _Symbol:
            out.__class__ = _Symbol
        return out
    if type(out) in (list, tuple):
        return type(out)(_convert(v) for v in out)
    if type(out) is dict:
        return {k: _convert(v) for k, v in out.items()}
    return out
