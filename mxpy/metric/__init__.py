"""``mx.metric``: online evaluation metrics, as in MXNet 1.9.1.

A metric accumulates over ``update(labels, preds)`` calls (lists of NDArrays;
NumPy arrays are accepted too) and reports ``get() -> (name, value)``. Metrics
keep a "local" and a "global" tally: ``reset_local()`` clears only the local
one, ``get_global()`` reads the other.

>>> import mxpy as mx
>>> acc = mx.metric.create("acc")
>>> acc.update([mx.nd.array([0, 1, 1])], [mx.nd.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])])
>>> acc.get()
('accuracy', 0.6666666666666666)
"""

from __future__ import annotations

# Imported here too so every attribute the single-module ``mxpy.metric`` had stays reachable.
import math  # noqa: F401
from collections import OrderedDict  # noqa: F401
from numbers import Number  # noqa: F401

import numpy  # noqa: F401

from .. import ndarray as _nd  # noqa: F401
from ..initializer import _ClassRegistry  # noqa: F401
from ..ndarray import NDArray  # noqa: F401

# The metric classes; ``_x as _x`` re-exports the private helpers the old module exposed.
from .base import _REGISTRY as _REGISTRY
from .base import CompositeEvalMetric, CustomMetric, EvalMetric, alias, check_label_shapes, create, np, register
from .base import _device as _device
from .base import _host as _host
from .classification import F1, MCC, PCC, Accuracy, TopKAccuracy
from .classification import _BinaryMetric as _BinaryMetric
from .classification import _BinaryStats as _BinaryStats
from .loss import Caffe, CrossEntropy, Loss, NegativeLogLikelihood, Perplexity, Torch
from .loss import _LogLoss as _LogLoss
from .regression import MAE, MSE, RMSE, PearsonCorrelation
from .regression import _Regression as _Regression

__all__ = [
    "check_label_shapes",
    "EvalMetric",
    "register",
    "alias",
    "create",
    "CompositeEvalMetric",
    "Accuracy",
    "TopKAccuracy",
    "F1",
    "MCC",
    "PCC",
    "Perplexity",
    "MAE",
    "MSE",
    "RMSE",
    "CrossEntropy",
    "NegativeLogLikelihood",
    "PearsonCorrelation",
    "Loss",
    "Torch",
    "Caffe",
    "CustomMetric",
    "np",
]
