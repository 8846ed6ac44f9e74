"""Golden values for tests/test_rnn_legacy.py from real MXNet 1.9.1.

Run: /work/shared/tools/mxnet-reference tests/golden/make_rnn.py
Writes tests/golden/rnn.npz: an unrolled LSTM's outputs, states and gradients, a
GRU+RNN stack's, FusedRNNCell unpack/pack/unfuse names and the FusedRNN initializer.
"""

import os
import sys

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from rnn_case import run  # noqa: E402

np.savez(os.path.join(HERE, "rnn.npz"), **run(mx))
print("wrote rnn.npz")
