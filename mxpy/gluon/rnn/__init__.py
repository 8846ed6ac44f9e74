"""Gluon's recurrent layers and cells (``mx.gluon.rnn``).

>>> import mxpy as mx
>>> layer = mx.gluon.rnn.GRU(4)
>>> layer.initialize()
>>> layer(mx.nd.ones((3, 2, 5))).shape
(3, 2, 4)
"""

from .rnn_cell import (
    BidirectionalCell,
    DropoutCell,
    GRUCell,
    HybridRecurrentCell,
    HybridSequentialRNNCell,
    LSTMCell,
    ModifierCell,
    RecurrentCell,
    ResidualCell,
    RNNCell,
    SequentialRNNCell,
    ZoneoutCell,
)
from .rnn_layer import GRU, LSTM, RNN

__all__ = [
    "RecurrentCell",
    "HybridRecurrentCell",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "SequentialRNNCell",
    "HybridSequentialRNNCell",
    "DropoutCell",
    "ModifierCell",
    "ZoneoutCell",
    "ResidualCell",
    "BidirectionalCell",
    "RNN",
    "LSTM",
    "GRU",
]
