"""Classification metrics: accuracy, top-k accuracy, binary F1/MCC and multiclass PCC."""

from __future__ import annotations

import math

import numpy

from ..base import MXNetError
from .base import EvalMetric, _host, alias, check_label_shapes, register


@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of predictions equal to the label; predictions of another shape are argmax-ed over ``axis``.

    >>> m = mx.metric.Accuracy()
    >>> m.update([mx.nd.array([1, 0])], [mx.nd.array([[0.3, 0.7], [0.1, 0.9]])])
    >>> m.get()
    ('accuracy', 0.5)
    """

    def __init__(self, axis: int = 1, name: str = "accuracy", output_names=None, label_names=None) -> None:
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred_label in zip(labels, preds, strict=False):
            pred = _host(pred_label)
            label = _host(label)
            if pred.shape != label.shape:
                # argmax on the host (this runs every batch; an engine op would cost
                # more than the work), the index passed through the prediction's
                # dtype as MXNet's argmax returns it
                if not -pred.ndim <= self.axis < pred.ndim:
                    raise MXNetError(f"argmax: axis {self.axis} exceeds the input dimension of {pred.ndim}")
                pred = numpy.argmax(pred, axis=self.axis).astype(pred.dtype)
            pred_flat = pred.astype("int32").ravel()
            label_flat = label.astype("int32").ravel()
            check_label_shapes(label_flat, pred_flat)
            self._add((pred_flat == label_flat).sum(), len(pred_flat))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the ``top_k`` highest scores (``top_k`` > 1).

    >>> m = mx.metric.TopKAccuracy(top_k=2)
    >>> m.update([mx.nd.array([2])], [mx.nd.array([[0.1, 0.5, 0.4]])])
    >>> m.get()
    ('top_k_accuracy_2', 1.0)
    """

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy", output_names=None, label_names=None) -> None:
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.top_k = top_k
        if not self.top_k > 1:
            raise AssertionError("Please use Accuracy if top_k is no more than 1")
        self.name += f"_{self.top_k}"

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            if len(pred.shape) > 2:
                raise AssertionError(f"Predictions should be no more than 2 dims (TopKAccuracy got shape {tuple(pred.shape)})")
            pred_label = numpy.argpartition(_host(pred).astype("float32"), -self.top_k)
            label = _host(label).astype("int32")
            check_label_shapes(label, pred_label)
            num_samples = pred_label.shape[0]
            if pred_label.ndim == 1:
                # MXNet counts this case in the local tally only.
                self.sum_metric += (pred_label.flat == label.flat).sum()
            else:
                num_classes = pred_label.shape[1]
                top_k = min(num_classes, self.top_k)
                hits = (pred_label[:, num_classes - top_k :] == label.reshape(-1, 1)).sum()
                self.sum_metric += hits
                self.global_sum_metric += hits
            self.num_inst += num_samples
            self.global_num_inst += num_samples


class _BinaryStats:
    """Confusion counts of a binary classifier, local and global."""

    _FIELDS = ("true_positives", "false_negatives", "false_positives", "true_negatives")

    def __init__(self) -> None:
        self.reset_stats()

    def update_binary_stats(self, label, pred, owner: str) -> None:
        pred = _host(pred)
        label = _host(label).astype("int32")
        pred_label = numpy.argmax(pred, axis=1)
        check_label_shapes(label, pred)
        if len(numpy.unique(label)) > 2:
            raise ValueError(f"{owner} currently only supports binary classification.")
        pred_true = pred_label == 1
        label_true = label == 1
        counts = {
            "true_positives": (pred_true & label_true).sum(),
            "false_positives": (pred_true & ~label_true).sum(),
            "false_negatives": (~pred_true & label_true).sum(),
            "true_negatives": (~pred_true & ~label_true).sum(),
        }
        for field, n in counts.items():
            setattr(self, field, getattr(self, field) + n)
            setattr(self, "global_" + field, getattr(self, "global_" + field) + n)

    def _counts(self, use_global: bool):
        pre = "global_" if use_global else ""
        return [float(getattr(self, pre + f)) for f in self._FIELDS]

    def fscore(self, use_global: bool = False) -> float:
        tp, fn, fp, _ = self._counts(use_global)
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn) if tp + fn > 0 else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0

    def matthewscc(self, use_global: bool = False) -> float:
        tp, fn, fp, tn = self._counts(use_global)
        if not (tp + fn + fp + tn):
            return 0.0
        # Zero factors are left out of the denominator (MXNet's convention).
        denom = 1.0
        for t in (tp + fp, tp + fn, tn + fp, tn + fn):
            if t != 0.0:
                denom *= t
        return (tp * tn - fp * fn) / math.sqrt(denom)

    def total_examples(self, use_global: bool = False) -> float:
        return sum(self._counts(use_global))

    def local_reset_stats(self) -> None:
        for f in self._FIELDS:
            setattr(self, f, 0)

    def reset_stats(self) -> None:
        for f in self._FIELDS:
            setattr(self, f, 0)
            setattr(self, "global_" + f, 0)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: 'macro' averages per update() call, 'micro' pools all samples."""

    def __init__(self, name, output_names, label_names, average: str) -> None:
        self.average = average
        self._stats = _BinaryStats()
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def _score(self, use_global: bool) -> float:
        raise TypeError(f"{type(self).__name__} does not define _score")

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            self._stats.update_binary_stats(label, pred, "_BinaryClassificationMetrics")
        if self.average == "macro":
            self.sum_metric += self._score(False)
            self.global_sum_metric += self._score(True)
            self.num_inst += 1
            self.global_num_inst += 1
            # MXNet clears the global counts too here, so each call scores on its own.
            self._stats.reset_stats()
        else:
            self.sum_metric = self._score(False) * self._stats.total_examples()
            self.global_sum_metric = self._score(True) * self._stats.total_examples(True)
            self.num_inst = self._stats.total_examples()
            self.global_num_inst = self._stats.total_examples(True)

    def reset(self) -> None:
        super().reset()
        self._stats.reset_stats()

    def reset_local(self) -> None:
        super().reset_local()
        self._stats.local_reset_stats()


@register
class F1(_BinaryMetric):
    """F1 score of a binary classifier (predictions are (N, 2) scores, argmax-ed).

    >>> m = mx.metric.F1()
    >>> m.update([mx.nd.array([1, 0, 1])], [mx.nd.array([[0.2, 0.8], [0.6, 0.4], [0.7, 0.3]])])
    >>> round(m.get()[1], 4)
    0.6667
    """

    def __init__(self, name: str = "f1", output_names=None, label_names=None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    @property
    def metrics(self) -> _BinaryStats:
        return self._stats

    def _score(self, use_global: bool) -> float:
        return self._stats.fscore(use_global)


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of a binary classifier.

    >>> m = mx.metric.MCC()
    >>> m.update([mx.nd.array([1, 0])], [mx.nd.array([[0.2, 0.8], [0.6, 0.4]])])
    >>> m.get()
    ('mcc', 1.0)
    """

    def __init__(self, name: str = "mcc", output_names=None, label_names=None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    def _score(self, use_global: bool) -> float:
        return self._stats.matthewscc(use_global)


@register
class PCC(EvalMetric):
    """Multiclass Matthews correlation from a growing confusion matrix.

    >>> m = mx.metric.PCC()
    >>> m.update([mx.nd.array([0, 1, 2])], [mx.nd.array([0, 1, 2])])
    >>> m.get()
    ('pcc', 1.0)
    """

    def __init__(self, name: str = "pcc", output_names=None, label_names=None, has_global_stats: bool = True) -> None:
        self.k = 2
        super().__init__(name=name, output_names=output_names, label_names=label_names, has_global_stats=has_global_stats)

    def _grow(self, inc: int) -> None:
        self.lcm = numpy.pad(self.lcm, ((0, inc), (0, inc)), "constant", constant_values=0)
        self.gcm = numpy.pad(self.gcm, ((0, inc), (0, inc)), "constant", constant_values=0)
        self.k += inc

    @staticmethod
    def _calc_mcc(cmat) -> float:
        n = cmat.sum()
        x = cmat.sum(axis=1)
        y = cmat.sum(axis=0)
        cov_xx = numpy.sum(x * (n - x))
        cov_yy = numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds, strict=False):
            label = _host(label).astype("int32")
            pred = _host(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            n = max(pred.max(), label.max())
            if n >= self.k:
                self._grow(int(n) + 1 - self.k)
            bcm = numpy.zeros((self.k, self.k))
            numpy.add.at(bcm, (pred, label), 1)
            self.lcm += bcm
            self.gcm += bcm
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self):
        return self._calc_mcc(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, _value) -> None:
        # Derived from the confusion matrix; the base reset's assignment is ignored.
        pass

    @property
    def global_sum_metric(self):
        return self._calc_mcc(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, _value) -> None:
        pass

    def reset(self) -> None:
        self.global_num_inst = 0.0
        self.gcm = numpy.zeros((self.k, self.k))
        self.reset_local()

    def reset_local(self) -> None:
        self.num_inst = 0.0
        self.lcm = numpy.zeros((self.k, self.k))
