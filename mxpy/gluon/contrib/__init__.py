"""``mx.gluon.contrib``: Gluon's contributed blocks (``contrib.nn`` and ``contrib.rnn``).

>>> import mxpy as mx
>>> mx.gluon.contrib.nn.PixelShuffle2D(2)(mx.nd.zeros((1, 8, 3, 3))).shape
(1, 2, 6, 6)
>>> mx.gluon.contrib.rnn.LSTMPCell(8, 3)
LSTMPCell(None -> 32 -> 3)
"""

from . import cnn, data, nn, rnn

__all__ = ["cnn", "data", "nn", "rnn"]
