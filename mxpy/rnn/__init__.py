"""``mx.rnn``: MXNet's legacy symbolic RNN cells, their fused form, bucketing data and checkpoints."""

from __future__ import annotations

from .cells import (
    BaseRNNCell,
    BidirectionalCell,
    DropoutCell,
    GRUCell,
    LSTMCell,
    ModifierCell,
    ResidualCell,
    RNNCell,
    RNNParams,
    SequentialRNNCell,
    ZoneoutCell,
)
from .checkpoint import do_rnn_checkpoint, load_rnn_checkpoint, rnn_unroll, save_rnn_checkpoint
from .conv import BaseConvRNNCell, ConvGRUCell, ConvLSTMCell, ConvRNNCell
from .fused import FusedRNN, FusedRNNCell
from .io import BucketSentenceIter, encode_sentences

__all__ = [
    "RNNParams",
    "BaseRNNCell",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "FusedRNNCell",
    "SequentialRNNCell",
    "BidirectionalCell",
    "DropoutCell",
    "ModifierCell",
    "ZoneoutCell",
    "ResidualCell",
    "BaseConvRNNCell",
    "ConvRNNCell",
    "ConvLSTMCell",
    "ConvGRUCell",
    "encode_sentences",
    "BucketSentenceIter",
    "save_rnn_checkpoint",
    "load_rnn_checkpoint",
    "do_rnn_checkpoint",
    "rnn_unroll",
    "FusedRNN",
]
