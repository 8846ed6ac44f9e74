"""Real MXNet 1.9.1 loads the RNN files mxpy wrote (make_gluon_rnn_mxpy_files.py)
and reproduces its own output for them (gluon_rnn.npz file/x -> file/y).

Run: /work/shared/tools/mxnet-reference tests/golden/check_gluon_rnn_files_in_mxnet.py
Prints one OK line per loading path; exits non-zero on a mismatch.
"""

import os
import sys

import mxnet as mx
import numpy as np
from mxnet import gluon
from mxnet.gluon import rnn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gluon_rnn_cases import H  # noqa: E402

files = os.path.join(HERE, "gluon_rnn_files")
g = np.load(os.path.join(HERE, "gluon_rnn.npz"))
x, want = mx.nd.array(g["file/x"]), g["file/y"]

with mx.name.NameManager():
    layer = rnn.LSTM(H, 2, bidirectional=True)
layer.load_parameters(os.path.join(files, "mxpy_lstm.params"))
np.testing.assert_allclose(layer(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
print("OK load_parameters of mxpy's save_parameters (fused LSTM)")

# the traced layer takes its zero begin states as inputs too (as MXNet's own export does)
names = ["data0", "data1", "data2"]
blk = gluon.SymbolBlock.imports(os.path.join(files, "mxpy_lstm-symbol.json"), names, os.path.join(files, "mxpy_lstm-0000.params"))
zeros = mx.nd.zeros((4, x.shape[1], H))
np.testing.assert_allclose(blk(x, zeros, zeros).asnumpy(), want, rtol=1e-5, atol=1e-6)
print("OK SymbolBlock.imports of mxpy's export (fused LSTM)")
