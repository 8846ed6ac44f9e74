"""``mx.optimizer``: optimizers, their registry, and the Updater, as in MXNet 1.9.1.

>>> import mxpy as mx
>>> opt = mx.optimizer.create("sgd", learning_rate=0.1, momentum=0.9, wd=1e-4)
>>> type(opt).__name__, opt.learning_rate
('SGD', 0.1)
"""

from __future__ import annotations

from . import optimizer
from .adaptive import FTML, LAMB, AdaDelta, AdaGrad, Adam, Adamax, Ftrl, Nadam, RMSProp
from .optimizer import Optimizer, Updater, create, get_updater, register
from .sgd import DCASGD, NAG, SGD, SGLD, Signum, Test, ccSGD

__all__ = [
    "Optimizer",
    "Updater",
    "create",
    "get_updater",
    "register",
    "optimizer",
    "SGD",
    "ccSGD",
    "NAG",
    "Signum",
    "DCASGD",
    "SGLD",
    "Test",
    "Adam",
    "AdaGrad",
    "RMSProp",
    "AdaDelta",
    "Adamax",
    "Nadam",
    "FTML",
    "Ftrl",
    "LAMB",
]
