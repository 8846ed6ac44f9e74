"""Regression metrics: MAE, MSE, RMSE and Pearson correlation."""

from __future__ import annotations

import numpy

from .base import EvalMetric, _host, alias, check_label_shapes, register


class _Regression(EvalMetric):
    """MAE/MSE/RMSE: one value per (label, pred) pair, 1-D arrays taken as (N, 1)."""

    def __init__(self, name, output_names, label_names) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    @staticmethod
    def _error(diff):
        raise TypeError("_Regression subclasses define _error")

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            label, pred = _host(label), _host(pred)
            if label.ndim == 1:
                label = label.reshape(label.shape[0], 1)
            if pred.ndim == 1:
                pred = pred.reshape(pred.shape[0], 1)
            self._add(self._error(label - pred), 1)


@register
class MAE(_Regression):
    """Mean absolute error, averaged over update pairs.

    >>> m = mx.metric.MAE()
    >>> m.update([mx.nd.array([1, 2])], [mx.nd.array([2, 2])])
    >>> m.get()
    ('mae', 0.5)
    """

    def __init__(self, name: str = "mae", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return numpy.abs(diff).mean()


@register
class MSE(_Regression):
    """Mean squared error, averaged over update pairs.

    >>> m = mx.metric.MSE()
    >>> m.update([mx.nd.array([1, 2])], [mx.nd.array([3, 2])])
    >>> m.get()
    ('mse', 2.0)
    """

    def __init__(self, name: str = "mse", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return (diff**2.0).mean()


@register
class RMSE(_Regression):
    """Root mean squared error, averaged over update pairs.

    >>> m = mx.metric.RMSE()
    >>> m.update([mx.nd.array([0, 0])], [mx.nd.array([3, 3])])
    >>> m.get()
    ('rmse', 3.0)
    """

    def __init__(self, name: str = "rmse", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _error(diff):
        return numpy.sqrt((diff**2.0).mean())


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of label and prediction: 'macro' averages per pair, 'micro' pools all values.

    >>> m = mx.metric.PearsonCorrelation()
    >>> m.update([mx.nd.array([1, 2, 3])], [mx.nd.array([2, 4, 6])])
    >>> round(m.get()[1], 6)
    1.0
    """

    def __init__(self, name: str = "pearsonr", output_names=None, label_names=None, average: str = "macro") -> None:
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        if self.average == "micro":
            self.reset_micro()

    def reset_micro(self) -> None:
        self._sse_p = 0
        self._mean_p = 0
        self._sse_l = 0
        self._mean_l = 0
        self._pred_nums = 0
        self._label_nums = 0
        self._conv = 0

    def reset(self) -> None:
        super().reset()
        if self.average == "micro":
            self.reset_micro()

    @staticmethod
    def update_variance(new_values, *aggregate):
        """Welford's update of (count, mean, sum of squared deviations) with a batch of values."""
        count, mean, m_2 = aggregate
        count += len(new_values)
        delta = new_values - mean
        mean += numpy.sum(delta / count)
        m_2 += numpy.sum(delta * (new_values - mean))
        return count, mean, m_2

    def update_cov(self, label, pred) -> None:
        self._conv = self._conv + numpy.sum((label - self._mean_l) * (pred - self._mean_p))

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            check_label_shapes(label, pred, False, True)
            label = _host(label).ravel().astype(numpy.float64)
            pred = _host(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(numpy.corrcoef(pred, label)[0, 1], 1)
            else:
                self.global_num_inst += 1
                self.num_inst += 1
                # Order as MXNet: the label mean moves before the covariance term, the prediction mean after.
                self._label_nums, self._mean_l, self._sse_l = self.update_variance(label, self._label_nums, self._mean_l, self._sse_l)
                self.update_cov(label, pred)
                self._pred_nums, self._mean_p, self._sse_p = self.update_variance(pred, self._pred_nums, self._mean_p, self._sse_p)

    def get(self):
        if self.num_inst == 0:
            return self.name, float("nan")
        if self.average == "macro":
            return self.name, float(self.sum_metric / self.num_inst)
        n = self._label_nums
        return self.name, float(self._conv / ((n - 1) * numpy.sqrt(self._sse_p / (n - 1)) * numpy.sqrt(self._sse_l / (n - 1))))
