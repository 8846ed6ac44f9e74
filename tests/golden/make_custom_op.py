"""Golden values for tests/test_operator_custom.py from real MXNet 1.9.1.

Run: /work/shared/tools/mxnet-reference tests/golden/make_custom_op.py
Writes tests/golden/custom_op.npz: the parameters, last-epoch training accuracy
and predictions of the Module run in custom_op_case.py (a softmax CustomOp as the loss).
"""

import os
import sys

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from custom_op_case import run  # noqa: E402

np.savez(os.path.join(HERE, "custom_op.npz"), **run(mx))
print("wrote custom_op.npz")
