"""``mx.contrib.amp``: dynamic loss scaling for mixed-precision training.

mxpy has the loss-scaling half of MXNet's AMP (``init_trainer``,
``scale_loss``, ``unscale``, ``LossScaler``); the automatic float16 casting of
operators (``amp.init``, ``convert_model``, ``convert_hybrid_block``) is not
provided: cast parameters and inputs yourself (``astype('float16')``).
"""

from __future__ import annotations

from . import amp
from .amp import init_trainer, scale_loss, unscale
from .loss_scaler import LossScaler

__all__ = ["amp", "init_trainer", "scale_loss", "unscale", "LossScaler"]
