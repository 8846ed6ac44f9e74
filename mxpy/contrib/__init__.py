"""``mx.contrib``: ``mx.contrib.nd`` / ``mx.contrib.ndarray`` is ``mx.nd.contrib``, ``mx.contrib.sym`` /
``mx.contrib.symbol`` is ``mx.sym.contrib`` (as MXNet 1.9.1 exposes its contrib operators), and
``mx.contrib.amp``'s loss scaling, and the first autograd API (``mx.contrib.autograd``).

>>> import mxpy as mx
>>> mx.contrib.nd is mx.nd.contrib
True
"""

from __future__ import annotations

from ..ndarray import contrib as ndarray
from ..symbol import contrib as symbol
from . import amp, autograd

nd = ndarray
sym = symbol

__all__ = ["nd", "ndarray", "sym", "symbol", "amp", "autograd"]
