"""mx.onnx.export_model on the real model-zoo networks: a hybridized net's ``export`` files convert to
ONNX and onnxruntime gives mxpy's outputs within 1e-4 (every architecture family of the zoo; the
large ones under make test-slow)."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy.gluon.model_zoo import vision

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

# (model, input side): the smallest input each architecture accepts keeps the test quick
CASES = [("resnet18_v1", 64), ("resnet18_v2", 64), ("resnet50_v1", 64), ("mobilenet0.25", 64), ("mobilenetv2_0.25", 64), ("vgg11_bn", 32)]
SLOW = [("squeezenet1.1", 224), ("densenet121", 224), ("alexnet", 224), ("inceptionv3", 299)]


@pytest.mark.parametrize("name, side", CASES + [pytest.param(n, s, marks=pytest.mark.slow) for n, s in SLOW])
def test_exported_model_zoo_net_runs_in_onnxruntime(name, side, tmp_path):
    net = vision.get_model(name, classes=10)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    x = np.random.RandomState(0).uniform(-1, 1, (2, 3, side, side)).astype(np.float32)
    net.hybridize()
    net(mx.nd.array(x))
    # moving statistics away from 0/1 so BatchNorm's inference path is exercised
    rng = np.random.RandomState(1)
    for pname, p in net.collect_params().items():
        if pname.endswith(("running_mean", "running_var")):
            lo = 0.5 if pname.endswith("running_var") else -0.2
            p.set_data(mx.nd.array(rng.uniform(lo, lo + 0.7, p.shape)))
    want = net(mx.nd.array(x)).asnumpy()
    sym_file, params_file = net.export(str(tmp_path / name))
    path = mx.onnx.export_model(sym_file, params_file, [x.shape], np.float32, str(tmp_path / f"{name}.onnx"))
    sess = ort.InferenceSession(path)
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(want).max())))
