"""``mx.gluon.contrib``: Gluon's contributed blocks (``contrib.rnn``).

>>> import mxpy as mx
>>> mx.gluon.contrib.rnn.LSTMPCell(8, 3)
LSTMPCell(None -> 32 -> 3)
"""

from . import rnn

__all__ = ["rnn"]
