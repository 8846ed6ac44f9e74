"""``mx.contrib``: experimental MXNet features.

``mx.contrib.nd`` / ``mx.contrib.ndarray`` is ``mx.nd.contrib`` and ``mx.contrib.sym`` /
``mx.contrib.symbol`` is ``mx.sym.contrib`` (as MXNet 1.9.1 exposes its contrib operators);
``mx.contrib.amp`` has the loss scaling of MXNet's AMP.

>>> import mxpy as mx
>>> mx.contrib.nd.box_iou is mx.nd.contrib.box_iou
True
"""

from __future__ import annotations

from ..ndarray import contrib as ndarray
from ..symbol import contrib as symbol
from . import amp

nd = ndarray
sym = symbol

__all__ = ["amp", "nd", "ndarray", "sym", "symbol"]
