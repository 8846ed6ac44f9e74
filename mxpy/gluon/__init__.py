"""Gluon: MXNet's imperative-with-hybridize API (``mx.gluon``).

>>> import mxpy as mx
>>> net = mx.gluon.nn.Dense(2, in_units=3)
>>> net.initialize()
>>> net(mx.nd.ones((1, 3))).shape
(1, 2)
"""

import importlib.util as _ilu

from . import nn, utils
from .block import Block, HybridBlock
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict

__all__ = ["Block", "HybridBlock", "Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "nn", "utils"]

# gluon.data is built separately; expose it when present
if _ilu.find_spec(f"{__name__}.data") is not None:
    from . import data  # noqa: F401

    __all__.append("data")
