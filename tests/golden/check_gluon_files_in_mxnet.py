"""Real MXNet 1.9.1 loads the files mxpy wrote (make_gluon_mxpy_files.py) and
reproduces MXNet's own output for them (gluon.npz files/x -> files/y).

Run: /work/shared/tools/mxnet-reference tests/golden/check_gluon_files_in_mxnet.py
Prints one OK line per loading path; exits non-zero on a mismatch.
"""

import os
import sys

import mxnet as mx
import numpy as np
from mxnet import gluon
from mxnet.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gluon_cases import CONVNET  # noqa: E402

files = os.path.join(HERE, "gluon_files")
g = np.load(os.path.join(HERE, "gluon.npz"))
x, want = mx.nd.array(g["files/x"]), g["files/y"]

blk = gluon.SymbolBlock.imports(os.path.join(files, "mxpy_convnet-symbol.json"), ["data"], os.path.join(files, "mxpy_convnet-0002.params"))
np.testing.assert_allclose(blk(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
print("OK SymbolBlock.imports of mxpy's export")

sym, args, aux = mx.model.load_checkpoint(os.path.join(files, "mxpy_convnet"), 2)
mod = mx.mod.Module(sym, label_names=None)
mod.bind([("data", x.shape)], for_training=False)
mod.set_params(args, aux)
mod.forward(mx.io.DataBatch([x]), is_train=False)
np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), want, rtol=1e-5, atol=1e-6)
print("OK mx.mod.Module on mxpy's export")

with mx.name.NameManager():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(*eval(CONVNET))
net.load_parameters(os.path.join(files, "mxpy_convnet.params"))
np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
print("OK load_parameters of mxpy's save_parameters")
