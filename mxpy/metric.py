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

import math
from collections import OrderedDict
from numbers import Number

import numpy

from . import ndarray as _nd
from .initializer import _ClassRegistry
from .ndarray import NDArray

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


def _host(x) -> numpy.ndarray:
    """A NumPy copy of a label/prediction (NDArray, NumPy array or nested list)."""
    return x.asnumpy() if isinstance(x, NDArray) else numpy.asarray(x)


def _device(x) -> NDArray:
    """An NDArray of a label/prediction, keeping a NumPy input's dtype."""
    if isinstance(x, NDArray):
        return x
    a = numpy.asarray(x)
    return _nd.array(a, dtype=a.dtype)


def check_label_shapes(labels, preds, wrap: bool = False, shape: bool = False):
    """Check that labels and predictions agree in count (``len``) or, with ``shape=True``, in shape.

    With ``wrap=True`` a single array is wrapped into a one-element list.

    >>> mx.metric.check_label_shapes([1, 2], [3, 4])
    ([1, 2], [3, 4])
    """
    if shape:
        label_shape, pred_shape = labels.shape, preds.shape
    else:
        label_shape, pred_shape = len(labels), len(preds)
    if label_shape != pred_shape:
        raise ValueError(f"Shape of labels {label_shape} does not match shape of predictions {pred_shape}")
    if wrap:
        if isinstance(labels, (NDArray, numpy.ndarray)):
            labels = [labels]
        if isinstance(preds, (NDArray, numpy.ndarray)):
            preds = [preds]
    return labels, preds


class EvalMetric:
    """Base class: a running ``sum_metric / num_inst``, local and global.

    Subclasses implement ``update(labels, preds)``.

    >>> class Count(mx.metric.EvalMetric):
    ...     def update(self, labels, preds):
    ...         self.sum_metric += len(preds)
    ...         self.num_inst += 1
    >>> m = Count("count")
    >>> m.update([], [1, 2]); m.get()
    ('count', 2.0)
    """

    def __init__(self, name, output_names=None, label_names=None, **kwargs) -> None:
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict:
        """The constructor arguments plus ``metric`` (class name): ``create(**config)`` rebuilds it.

        >>> mx.metric.Accuracy().get_config()["metric"]
        'Accuracy'
        """
        config = self._kwargs.copy()
        config.update({"metric": type(self).__name__, "name": self.name, "output_names": self.output_names, "label_names": self.label_names})
        return config

    def update_dict(self, label: dict, pred: dict) -> None:
        """Update from name -> array dicts, picking ``label_names``/``output_names`` when set."""
        pred = [pred[name] for name in self.output_names] if self.output_names is not None else list(pred.values())
        label = [label[name] for name in self.label_names] if self.label_names is not None else list(label.values())
        self.update(label, pred)

    def update(self, labels, preds) -> None:
        raise TypeError(f"{type(self).__name__} does not define update(labels, preds); EvalMetric is a base class")

    def reset(self) -> None:
        """Clear the local and the global tallies."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clear only the local tally (the global one keeps accumulating)."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def get(self):
        """``(name, sum_metric / num_inst)``; the value is NaN before any update."""
        if self.num_inst == 0:
            return self.name, float("nan")
        # Python floats, not NumPy scalars: same values as MXNet, plainer to print and compare.
        return self.name, float(self.sum_metric / self.num_inst)

    def get_global(self):
        """Like ``get`` over the global tally (``get`` for metrics without one)."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return self.name, float("nan")
        return self.name, float(self.global_sum_metric / self.global_num_inst)

    @staticmethod
    def _zip(name, value):
        names = name if isinstance(name, list) else [name]
        values = value if isinstance(value, list) else [value]
        return list(zip(names, values, strict=False))

    def get_name_value(self):
        """``[(name, value), ...]`` of ``get()``."""
        return self._zip(*self.get())

    def get_global_name_value(self):
        """``[(name, value), ...]`` of ``get_global()``."""
        if not self._has_global_stats:
            return self.get_name_value()
        return self._zip(*self.get_global())

    def _add(self, value, count) -> None:
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count


_REGISTRY = _ClassRegistry(EvalMetric, "metric")


def register(klass: type) -> type:
    """Register an EvalMetric subclass under its lower-cased class name."""
    return _REGISTRY.register(klass)


def alias(*names: str):
    """Register a metric class under extra names: ``@alias('acc')``."""
    return _REGISTRY.alias(*names)


def create(metric, *args, **kwargs) -> EvalMetric:
    """Build a metric from a name ('acc', 'ce', 'top_k_accuracy', ...), a callable
    ``feval(label, pred)``, a list of those (a CompositeEvalMetric), or an instance.

    >>> mx.metric.create(["acc", "mse"]).get()[0]
    ['accuracy', 'mse']
    """
    if callable(metric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return _REGISTRY.create(metric, *args, **kwargs)


@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; ``get()`` returns lists of names and values.

    >>> m = mx.metric.CompositeEvalMetric(["acc", "f1"])
    >>> [type(c).__name__ for c in m.metrics]
    ['Accuracy', 'F1']
    """

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.metrics = [create(i) for i in (metrics or [])]

    def add(self, metric) -> None:
        """Append a child metric (anything ``create`` accepts)."""
        self.metrics.append(create(metric))

    def get_metric(self, index: int):
        """The child metric at ``index``; out of range returns (not raises) a ValueError, as MXNet does."""
        try:
            return self.metrics[index]
        except IndexError:
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels: dict, preds: dict) -> None:
        if self.label_names is not None:
            labels = OrderedDict([i for i in labels.items() if i[0] in self.label_names])
        if self.output_names is not None:
            preds = OrderedDict([i for i in preds.items() if i[0] in self.output_names])
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds) -> None:
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self) -> None:
        # The base __init__ calls reset() before self.metrics exists.
        for metric in getattr(self, "metrics", ()):
            metric.reset()

    def reset_local(self) -> None:
        for metric in getattr(self, "metrics", ()):
            metric.reset_local()

    def _collect(self, method: str):
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, method)()
            names.extend([name] if isinstance(name, str) else name)
            values.extend([value] if isinstance(value, Number) else value)
        return names, values

    def get(self):
        return self._collect("get")

    def get_global(self):
        return self._collect("get_global")

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"metrics": [i.get_config() for i in self.metrics]})
        return config


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
            pred_label = _device(pred_label)
            label = _device(label)
            if pred_label.shape != label.shape:
                pred_label = _nd.argmax(pred_label, axis=self.axis)
            pred_flat = pred_label.asnumpy().astype("int32").ravel()
            label_flat = label.asnumpy().astype("int32").ravel()
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


@register
class CustomMetric(EvalMetric):
    """A metric from ``feval(label, pred)`` on NumPy arrays, returning a value or ``(sum, count)``.

    >>> m = mx.metric.CustomMetric(lambda l, p: float((l == p).mean()), name="same")
    >>> m.update([mx.nd.array([1, 2])], [mx.nd.array([1, 3])])
    >>> m.get()
    ('same', 0.5)
    """

    def __init__(self, feval, name=None, allow_extra_outputs: bool = False, output_names=None, label_names=None) -> None:
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(
            name,
            feval=feval,
            allow_extra_outputs=allow_extra_outputs,
            output_names=output_names,
            label_names=label_names,
            has_global_stats=True,
        )
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds) -> None:
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(preds, labels, strict=False):
            reval = self._feval(_host(label), _host(pred))
            if isinstance(reval, tuple):
                self._add(*reval)
            else:
                self._add(reval, 1)

    def get_config(self):
        raise TypeError(f"CustomMetric cannot be serialized (its feval {self._feval!r} is arbitrary code)")


def np(numpy_feval, name=None, allow_extra_outputs: bool = False) -> CustomMetric:
    """A CustomMetric from a function of NumPy ``(label, pred)``.

    >>> def hits(label, pred):
    ...     return float((label == pred.argmax(axis=1)).mean())
    >>> mx.metric.np(hits).name
    'hits'
    """

    def feval(label, pred):
        return numpy_feval(label, pred)

    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
