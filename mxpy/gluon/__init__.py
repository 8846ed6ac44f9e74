"""Gluon: MXNet's imperative-with-hybridize API (``mx.gluon``).

>>> import mxpy as mx
>>> net = mx.gluon.nn.Dense(2, in_units=3)
>>> net.initialize()
>>> net(mx.nd.ones((1, 3))).shape
(1, 2)
"""

import importlib.util as _ilu

from . import loss, nn, utils
from .block import Block, HybridBlock, SymbolBlock
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict
from .trainer import Trainer

__all__ = ["Block", "HybridBlock", "SymbolBlock", "Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "Trainer", "loss", "nn", "utils"]

# gluon.data is built separately; expose it when present
if _ilu.find_spec(f"{__name__}.data") is not None:
    from . import data  # noqa: F401

    __all__.append("data")
