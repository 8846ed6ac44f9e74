"""``mxnet.numpy_extension`` (``mx.npx``): the deep-learning operators and
switches that go with ``mx.np`` arrays.

Each operator is the legacy record of the same meaning (``npx.relu`` is
``relu``, ``npx.fully_connected`` is ``FullyConnected``...) returning
``mx.np`` arrays; ``npx.reshape`` takes MXNet's npx codes (-1 infer, -2 copy,
-3 drop a 1, -4 copy the rest, -5 merge two, -6 split one).

>>> import mxpy as mx
>>> from mxpy import np, npx
>>> npx.relu(np.array([-1., 2.])).tolist()
[0.0, 2.0]
"""

from __future__ import annotations

from ..context import cpu, cpu_pinned, current_context, gpu, num_gpus
from ..ndarray.ndarray import NDArray
from ..util import is_np_array, is_np_shape, np_array, np_shape, reset_np, set_np_array, set_np_shape, use_np, use_np_array, use_np_shape
from ..util import set_np as _set_np
from . import _ops, random
from ._ops import *  # noqa: F403  (the operators: _ops.__all__)

__all__ = [
    "random",
    "set_np",
    "reset_np",
    "is_np_array",
    "is_np_shape",
    "np_array",
    "np_shape",
    "set_np_array",
    "set_np_shape",
    "use_np",
    "use_np_array",
    "use_np_shape",
    "cpu",
    "gpu",
    "cpu_pinned",
    "num_gpus",
    "current_context",
    "current_device",
    "seed",
    "waitall",
    "save",
    "load",
] + _ops.__all__


def _install_namespaces() -> None:
    """``mx.nd.np``/``mx.nd.npx`` and ``mx.sym.np``/``mx.sym.npx``: what ``F.np`` / ``F.npx`` reach in ``hybrid_forward``."""
    import sys

    from .. import ndarray as _nd
    from .. import numpy as _numpy
    from .. import symbol as _sym
    from ..symbol import numpy as _sym_numpy

    _nd.np = _numpy
    _nd.npx = sys.modules[__name__]
    _sym.np = _sym_numpy
    _sym.npx = sys.modules[__name__]  # its operators take Symbols too


def set_np(shape: bool = True, array: bool = True, dtype: bool = False) -> None:
    """Turn on NumPy shape and array semantics (what ``mx.np`` code calls first).

    ``dtype=True`` (float64 defaults, MXNet 2) is not part of MXNet 1.9.1's
    default behaviour and is refused.

    >>> from mxpy import npx
    >>> npx.set_np(); npx.is_np_array()
    True
    >>> npx.reset_np()
    """
    if dtype:
        raise ValueError("set_np: dtype=True (float64 as the default dtype) is not supported; mx.np's default dtype is float32")
    _set_np(shape=shape, array=array)


def current_device():
    """The current context (MXNet 2's name for ``current_context``)."""
    return current_context()


def seed(seed, ctx="all") -> None:
    """Seed the random generators (as ``mx.random.seed``)."""
    from .. import random as _random

    _random.seed(seed, ctx=ctx)


def waitall() -> None:
    """Wait until every pushed operation has finished."""
    from ..ndarray import waitall as _waitall

    _waitall()


def save(file, arr) -> None:
    """Save an ``mx.np`` array, a list or a dict of them (MXNet's format with
    NumPy shapes, so 0-d and zero-size arrays round-trip).

    >>> import tempfile, os
    >>> from mxpy import np, npx
    >>> f = os.path.join(tempfile.mkdtemp(), 'a.params')
    >>> npx.save(f, {'w': np.ones((2,))}); npx.load(f)['w'].tolist()
    [1.0, 1.0]
    """
    from ..ndarray import save as _save

    data = [arr] if isinstance(arr, NDArray) else arr
    with np_shape(True):
        _save(file, data)


def load(file):
    """Load what :func:`save` wrote: a list or dict of ``mx.np`` arrays."""
    from ..ndarray import load as _load
    from ..numpy.multiarray import _as_np

    with np_shape(True):
        res = _load(file)
    if isinstance(res, dict):
        return {k: _as_np(v) for k, v in res.items()}
    return _as_np(list(res))


_install_namespaces()
