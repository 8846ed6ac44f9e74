"""Dynamic loss scaling: halve the scale on overflow, double it after a run of clean steps.

>>> from mxpy.contrib.amp import LossScaler
>>> s = LossScaler()
>>> s.update_scale(True); s.update_scale(False)
>>> s.loss_scale
32768.0
"""

from __future__ import annotations

import numpy as np

__all__ = ["LossScaler"]


class LossScaler:
    """The scale AMP multiplies losses by (``2**16`` at first, between 1 and ``2**24``).

    A step with an overflowing gradient halves it (from the next step on); 2000
    clean steps in a row double it.
    """

    def __init__(self) -> None:
        self._loss_scale = 2.0**16
        self._next_loss_scale = self._loss_scale
        self._max_loss_scale = 2.0**24
        self._scale_seq_len = 2000
        self._unskipped = 0

    @property
    def loss_scale(self) -> float:
        """The current scale."""
        return self._loss_scale

    def has_overflow(self, params) -> bool:
        """Whether any gradient of ``params`` (Gluon Parameters) holds inf or NaN."""
        for param in params:
            if getattr(param, "grad_req", "write") == "null":
                continue
            for grad in param.list_grad():
                if not np.isfinite(grad.asnumpy()).all():
                    return True
        return False

    def update_scale(self, overflow: bool) -> None:
        """Take the scale decided at the previous step and decide the next one."""
        self._loss_scale = self._next_loss_scale
        if overflow:
            self._next_loss_scale = max(self._next_loss_scale / 2.0, 1.0)
            self._unskipped = 0
        else:
            self._unskipped += 1
        if self._unskipped == self._scale_seq_len:
            self._unskipped = 0
            self._next_loss_scale = min(self._max_loss_scale, self._next_loss_scale * 2.0)
