"""Files written by mxpy for real MXNet to load (see check_gluon_files_in_mxnet.py).

Run: .venv/bin/python tests/golden/make_gluon_mxpy_files.py
Loads MXNet's saved conv net into an mxpy net, then writes it with mxpy's own
``export`` (mxpy_convnet-symbol.json, mxpy_convnet-0002.params) and
``save_parameters`` (mxpy_convnet.params) under tests/golden/gluon_files/.
"""

import os
import sys

import mxpy as mx
from mxpy.gluon import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gluon_cases import CONVNET  # noqa: E402

files = os.path.join(HERE, "gluon_files")
with mx.name.NameManager():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(*eval(CONVNET, {"nn": nn}))
net.load_parameters(os.path.join(files, "mxnet_convnet.params"))
net.hybridize()
net(mx.nd.ones((2, 2, 8, 8)))
net.export(os.path.join(files, "mxpy_convnet"), epoch=2)
net.save_parameters(os.path.join(files, "mxpy_convnet.params"))
print("wrote mxpy_convnet files")
