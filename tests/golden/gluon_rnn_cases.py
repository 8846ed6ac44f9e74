"""The gluon.rnn golden cases, shared by make_gluon_rnn.py (run with real MXNet
1.9.1) and tests/test_gluon_rnn.py (run with mxpy): constructors as source
strings evaluated with ``rnn`` bound to either library's ``gluon.rnn``."""

import numpy as np

T, N, C, H = 5, 2, 4, 3

# fused layers: name -> (constructor source, layout, begin states given)
LAYERS = {
    "rnn_relu_2l_bi": ("rnn.RNN(H, 2, activation='relu', bidirectional=True)", "TNC", False),
    "rnn_tanh_ntc_states": ("rnn.RNN(H, activation='tanh', layout='NTC')", "NTC", True),
    "lstm_2l": ("rnn.LSTM(H, 2)", "TNC", False),
    "lstm_2l_bi_ntc_states": ("rnn.LSTM(H, 2, bidirectional=True, layout='NTC')", "NTC", True),
    "gru_2l_bi_states": ("rnn.GRU(H, 2, bidirectional=True)", "TNC", True),
    "gru_ntc": ("rnn.GRU(H, layout='NTC', input_size=C)", "NTC", False),
}

# cells unrolled: name -> (constructor source, layout, merge_outputs, valid lengths or None)
CELLS = {
    "rnncell_tanh_merge": ("rnn.RNNCell(H)", "NTC", True, None),
    "rnncell_relu_list": ("rnn.RNNCell(H, activation='relu')", "TNC", False, None),
    "lstmcell_merge_valid": ("rnn.LSTMCell(H)", "NTC", True, [5, 3]),
    "lstmcell_softsign": ("rnn.LSTMCell(H, activation='softsign', recurrent_activation='tanh')", "TNC", True, None),
    "grucell_list_valid": ("rnn.GRUCell(H)", "NTC", False, [2, 5]),
    "sequential_lstm_gru": ("seq(rnn.SequentialRNNCell(), rnn.LSTMCell(H), rnn.GRUCell(H))", "NTC", True, None),
    "hybridseq_valid": ("seq(rnn.HybridSequentialRNNCell(), rnn.RNNCell(H), rnn.LSTMCell(H))", "TNC", True, [4, 1]),
    "bidirectional_lstm": ("rnn.BidirectionalCell(rnn.LSTMCell(H), rnn.LSTMCell(H))", "NTC", True, None),
    "bidirectional_gru_valid": ("rnn.BidirectionalCell(rnn.GRUCell(H), rnn.GRUCell(H))", "TNC", False, [3, 5]),
    "residual_gru": ("rnn.ResidualCell(rnn.GRUCell(C))", "NTC", True, None),
    "residual_rnn_valid": ("rnn.ResidualCell(rnn.RNNCell(C))", "NTC", False, [5, 2]),
    # gluon.contrib.rnn
    "lstmpcell": ("crnn.LSTMPCell(H + 2, H)", "TNC", True, [5, 4]),
    "conv1d_gru": ("crnn.Conv1DGRUCell((C, 6), H, 3, 3, i2h_pad=1)", "NTC", True, None),
    "conv2d_lstm": ("crnn.Conv2DLSTMCell((C, 4, 4), H, 3, 3)", "TNC", False, None),
    "conv2d_rnn_relu": ("crnn.Conv2DRNNCell((C, 4, 4), H, (3, 1), 3, i2h_pad=(1, 0), activation='relu')", "NTC", True, None),
}

# the shape of one step of a cell's input (without the batch), when not (C,)
STEP_SHAPE = {"conv1d_gru": (C, 6), "conv2d_lstm": (C, 4, 4), "conv2d_rnn_relu": (C, 4, 4)}


def seq(stack, *cells):
    """The sequential cell ``stack`` holding ``cells`` (made outside its name scope, they keep their own prefixes)."""
    for c in cells:
        stack.add(c)
    return stack


def values(rng, shape):
    """Deterministic values uniform in (-0.5, 0.5)."""
    return rng.uniform(-0.5, 0.5, shape).astype(np.float32)


def input_shape(layout, step=(C,)):
    return (T, N, *step) if layout == "TNC" else (N, T, *step)
