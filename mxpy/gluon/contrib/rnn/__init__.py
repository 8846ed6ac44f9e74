"""Contributed recurrent cells (``mx.gluon.contrib.rnn``): VariationalDropoutCell, LSTMPCell."""

from .rnn_cell import LSTMPCell, VariationalDropoutCell

__all__ = ["VariationalDropoutCell", "LSTMPCell"]
