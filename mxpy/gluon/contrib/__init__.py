"""``mx.gluon.contrib``: Gluon's contributed layers (``contrib.nn``).

>>> import mxpy as mx
>>> mx.gluon.contrib.nn.PixelShuffle2D(2)(mx.nd.zeros((1, 8, 3, 3))).shape
(1, 2, 6, 6)
"""

from . import nn

__all__ = ["nn"]
