"""An MXNet-written checkpoint of ResNet and MobileNet blocks gives MXNet's predictions and gradients.

``tests/golden/make_realnet.py`` (run under MXNet 1.9.1) saved the checkpoint and
MXNet's inference output, training output, parameter gradients and updated moving
statistics. Its layer sizes send mxpy's Convolution, BatchNorm and Pooling kernels
down their fast CPU paths; the same comparison runs again with those paths
switched off (every size threshold out of reach), so both agree with MXNet.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import mxpy as mx
from mxpy.ops.nn import batch_norm, convolution

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
GOLD = np.load(os.path.join(HERE, "realnet.npz"))
BIG = 10**9


def _bound(train: bool):
    sym, args, auxs = mx.model.load_checkpoint(os.path.join(HERE, "checkpoints", "realnet"), 1)
    req = {n: ("null" if n in ("data", "softmax_label") else "write") for n in sym.list_arguments()} if train else "null"
    ex = sym.simple_bind(mx.cpu(), data=GOLD["data"].shape, grad_req=req)
    for n, v in args.items():
        ex.arg_dict[n][:] = v
    for n, v in auxs.items():
        ex.aux_dict[n][:] = v
    ex.arg_dict["data"][:] = GOLD["data"]
    ex.arg_dict["softmax_label"][:] = GOLD["label"]
    return ex, args, auxs


@pytest.mark.parametrize("fast", [True, False], ids=["fast-paths", "general-paths"])
def test_mxnet_checkpoint_predictions_and_gradients(monkeypatch, fast):
    if not fast:
        monkeypatch.setattr(convolution, "_POINTWISE_MIN_POSITIONS", BIG)
        monkeypatch.setattr(convolution, "_NLAST_MIN_INNER", BIG)
        monkeypatch.setattr(convolution, "_WINOGRAD_MIN_POSITIONS", BIG)
        monkeypatch.setattr(convolution, "_BLOCKED_MIN_POSITIONS", BIG)
        monkeypatch.setattr(batch_norm, "_MIN_ROW", BIG)
        # and inference through the unfused graph (fast-paths runs the folded one: docs/inference.md)
        monkeypatch.setenv("MXNET_SUBGRAPH_BACKEND", "NONE")
    ex, _, _ = _bound(train=False)
    assert (ex._folded is not None) == fast
    np.testing.assert_allclose(ex.forward(is_train=False)[0].asnumpy(), GOLD["infer_out"], rtol=1e-4, atol=1e-6)
    ex, args, auxs = _bound(train=True)
    np.testing.assert_allclose(ex.forward(is_train=True)[0].asnumpy(), GOLD["train_out"], rtol=1e-4, atol=1e-6)
    ex.backward()
    for n in args:
        np.testing.assert_allclose(ex.grad_dict[n].asnumpy(), GOLD["grad:" + n], rtol=1e-3, atol=1e-5, err_msg=n)
    for n in auxs:
        np.testing.assert_allclose(ex.aux_dict[n].asnumpy(), GOLD["aux:" + n], rtol=1e-4, atol=1e-6, err_msg=n)
