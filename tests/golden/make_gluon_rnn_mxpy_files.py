"""Files written by mxpy for real MXNet to load (see check_gluon_rnn_files_in_mxnet.py).

Run: .venv/bin/python tests/golden/make_gluon_rnn_mxpy_files.py
Loads MXNet's saved bidirectional LSTM (gluon_rnn_files/mxnet_lstm.params) into
an mxpy layer, then writes it with mxpy's ``save_parameters`` (mxpy_lstm.params)
and, hybridized, with ``export`` (mxpy_lstm-symbol.json, mxpy_lstm-0000.params).
"""

import os
import sys

import mxpy as mx
from mxpy.gluon import rnn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gluon_rnn_cases import H  # noqa: E402

files = os.path.join(HERE, "gluon_rnn_files")
with mx.name.NameManager():
    layer = rnn.LSTM(H, 2, bidirectional=True, input_size=4)
layer.load_parameters(os.path.join(files, "mxnet_lstm.params"))
layer.save_parameters(os.path.join(files, "mxpy_lstm.params"))
layer.hybridize()
layer(mx.nd.ones((5, 2, 4)))
layer.export(os.path.join(files, "mxpy_lstm"))
print("wrote mxpy_lstm files")
