"""Metric machinery: the ``EvalMetric`` base, label/prediction helpers, the name
registry with ``create``, and the generic ``CompositeEvalMetric`` / ``CustomMetric``."""

from __future__ import annotations

from collections import OrderedDict
from numbers import Number

import numpy

from .. import ndarray as _nd
from ..initializer import _ClassRegistry
from ..ndarray import NDArray


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
