"""Loss scaling for a Gluon Trainer: ``init_trainer``, ``scale_loss``, ``unscale``.

>>> import mxpy as mx
>>> from mxpy.contrib import amp
>>> net = mx.gluon.nn.Dense(1)
>>> net.initialize()
>>> trainer = mx.gluon.Trainer(net.collect_params(), "sgd")
>>> amp.init_trainer(trainer)
>>> x = mx.nd.ones((2, 3))
>>> with mx.autograd.record():
...     loss = net(x).sum()
...     with amp.scale_loss(loss, trainer) as scaled:
...         mx.autograd.backward(scaled)
>>> trainer.step(2)
"""

from __future__ import annotations

from contextlib import contextmanager

from ...base import MXNetError
from .loss_scaler import LossScaler

__all__ = ["init_trainer", "scale_loss", "unscale"]


def init_trainer(optimizer_or_trainer) -> None:
    """Give a Gluon Trainer a dynamic :class:`LossScaler`: steps whose gradients overflow
    are skipped (the scale halves), and gradients are divided by the scale when applied."""
    from ...gluon import Trainer

    if not isinstance(optimizer_or_trainer, Trainer):
        raise TypeError(f"amp.init_trainer: optimizer_or_trainer should be a Gluon Trainer, got {type(optimizer_or_trainer).__name__}")
    trainer = optimizer_or_trainer
    scaler = LossScaler()
    trainer._amp_loss_scaler = scaler
    trainer._amp_original_scale = trainer._scale
    plain_update = trainer._update

    def update(ignore_stale_grad: bool = False) -> None:
        overflow = scaler.has_overflow(trainer._params)
        scaler.update_scale(overflow)
        if overflow:  # skip the step: clear the fresh flags as an applied step would
            for param in trainer._params:
                for arr in param.list_data():
                    arr._fresh_grad = False
            return
        plain_update(ignore_stale_grad)

    trainer._update = update


@contextmanager
def scale_loss(loss, optimizer_or_trainer):
    """Yield ``loss`` (or each of a list) times the current loss scale, and make the
    trainer divide gradients by it."""
    scaler = getattr(optimizer_or_trainer, "_amp_loss_scaler", None)
    if scaler is None:
        raise MXNetError("Loss scaler is not initialized, did you forget to call amp.init_trainer()?")
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [item * scaler.loss_scale for item in loss]
    else:
        yield scaler.loss_scale * loss


def unscale(optimizer_or_trainer) -> None:
    """Divide the gradients by the loss scale now (to clip them, say) and stop the trainer
    from dividing again."""
    scaler = getattr(optimizer_or_trainer, "_amp_loss_scaler", None)
    if scaler is None:
        raise MXNetError("Loss scaler is not initialized, did you forget to call amp.init_trainer()?")
    for param in optimizer_or_trainer._params:
        if param.grad_req == "null":
            continue
        for grad in param.list_grad():
            grad[:] /= scaler.loss_scale
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale
