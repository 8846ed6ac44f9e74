"""Likelihood and loss metrics: perplexity, cross-entropy, NLL and the ``Loss`` family."""

from __future__ import annotations

import math

import numpy

from .. import ndarray as _nd
from ..ndarray import NDArray
from .base import EvalMetric, _device, _host, alias, check_label_shapes, register


@register
class Perplexity(EvalMetric):
    """exp of the mean negative log-probability of the labels; ``ignore_label`` entries are skipped.

    >>> m = mx.metric.Perplexity(ignore_label=None)
    >>> m.update([mx.nd.array([0, 1])], [mx.nd.array([[0.5, 0.5], [0.5, 0.5]])])
    >>> round(m.get()[1], 4)
    2.0
    """

    def __init__(self, ignore_label, axis: int = -1, name: str = "perplexity", output_names=None, label_names=None) -> None:
        super().__init__(name, ignore_label=ignore_label, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds) -> None:
        if len(labels) != len(preds):
            raise AssertionError(f"Perplexity: got {len(labels)} labels but {len(preds)} predictions")
        loss = 0.0
        num = 0
        for label, pred in zip(labels, preds, strict=True):
            label, pred = _device(label), _device(pred)
            if label.size != pred.size / pred.shape[-1]:
                raise AssertionError(f"shape mismatch: {label.shape} vs. {pred.shape}")
            label = label.as_in_context(pred.context).reshape((label.size,))
            pred = _nd.pick(pred, label.astype(dtype="int32"), axis=self.axis)
            if self.ignore_label is not None:
                ignore = (label == self.ignore_label).astype(pred.dtype)
                num -= _nd.sum(ignore).asscalar()
                pred = pred * (1 - ignore) + ignore
            loss -= _nd.sum(_nd.log(_nd.maximum(1e-10, pred))).asscalar()
            num += pred.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return self.name, float("nan")
        return self.name, math.exp(self.sum_metric / self.num_inst)

    def get_global(self):
        if self.global_num_inst == 0:
            return self.name, float("nan")
        return self.name, math.exp(self.global_sum_metric / self.global_num_inst)


class _LogLoss(EvalMetric):
    """Cross-entropy / NLL: ``-log(p[label] + eps)`` averaged over samples."""

    def __init__(self, eps, name, output_names, label_names) -> None:
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            label, pred = _host(label).ravel(), _host(pred)
            n = pred.shape[0]
            if label.shape[0] != n:
                raise AssertionError(f"{type(self).__name__}: {label.shape[0]} labels for {n} predictions")
            prob = pred[numpy.arange(n, dtype=numpy.int64), numpy.int64(label)]
            self._add((-numpy.log(prob + self.eps)).sum(), n)


@register
@alias("ce")
class CrossEntropy(_LogLoss):
    """Mean cross-entropy of class probabilities (N, C) against integer labels.

    >>> m = mx.metric.CrossEntropy()
    >>> m.update([mx.nd.array([1])], [mx.nd.array([[0.5, 0.5]])])
    >>> round(m.get()[1], 4)
    0.6931
    """

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy", output_names=None, label_names=None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_LogLoss):
    """Mean negative log-likelihood of the labels' probabilities.

    >>> mx.metric.create("nll_loss").name
    'nll-loss'
    """

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss", output_names=None, label_names=None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
class Loss(EvalMetric):
    """Mean of the outputs themselves (for networks whose output is the loss); labels are ignored.

    >>> m = mx.metric.Loss()
    >>> m.update(None, [mx.nd.array([1, 2, 3])])
    >>> m.get()
    ('loss', 2.0)
    """

    def __init__(self, name: str = "loss", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds) -> None:
        if isinstance(preds, (NDArray, numpy.ndarray)):
            preds = [preds]
        for pred in preds:
            p = _device(pred)
            self._add(_nd.sum(p).asscalar(), p.size)


@register
class Torch(Loss):
    """``Loss`` named 'torch' (kept for old scripts)."""

    def __init__(self, name: str = "torch", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names)


@register
class Caffe(Loss):
    """``Loss`` named 'caffe' (kept for old scripts)."""

    def __init__(self, name: str = "caffe", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names)
