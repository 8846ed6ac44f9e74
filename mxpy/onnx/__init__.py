"""ONNX export and import (``mx.onnx``), as MXNet 1.9.1's ``mxnet.onnx``.

``export_model(sym, params, in_shapes, ...)`` writes an ONNX model of a
Symbol and its parameters; ``import_model(path)`` reads one back as
``(sym, arg_params, aux_params)``; ``get_operator_support()`` lists the
operators with an ONNX mapping. The ``onnx`` package (``pip install
'mxpy[onnx]'``) is imported only inside these functions; ``onnxruntime``
runs the exported models in the tests.

>>> import mxpy as mx
>>> 'Convolution' in mx.onnx.get_operator_support()  # doctest: +SKIP
True
"""

from __future__ import annotations

from ._export import export_model, get_operator_support
from ._import import get_model_metadata, import_model

__all__ = ["export_model", "get_operator_support", "import_model", "get_model_metadata"]
