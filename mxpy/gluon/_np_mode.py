"""Gluon's one hook for NumPy array semantics (``mx.npx.set_np()``).

Under ``is_np_array()`` MXNet's Gluon hands out ``mx.np`` arrays: block
outputs, parameter data and gradients, data-loader batches. mxpy's layers
compute with the legacy operators (``mx.np.ndarray`` is an NDArray, so they
accept it); :func:`as_np_if_active` re-classes what they return, in place and
without copies, when the mode is on.
"""

from __future__ import annotations

from ..ndarray.ndarray import NDArray
from ..numpy.multiarray import ndarray
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
    if isinstance(out, (list, tuple)):
        return type(out)(_convert(v) for v in out) if type(out) in (list, tuple) else out
    return out
