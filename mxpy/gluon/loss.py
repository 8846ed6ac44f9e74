"""Gluon losses (``mx.gluon.loss``): HybridBlocks that map predictions and labels to a loss per sample.

Every loss is written once against ``F`` (``mx.nd`` when called imperatively, ``mx.sym`` once
hybridized), so the formulas below are the whole implementation for both modes.

>>> import mxpy as mx
>>> loss = mx.gluon.loss.L2Loss()
>>> loss(mx.nd.array([[1.0, 2.0]]), mx.nd.array([[0.0, 0.0]])).asnumpy().tolist()
[1.25]
"""

from __future__ import annotations

import math
from numbers import Number

from .. import ndarray as nd
from ..base import MXNetError
from .block import HybridBlock

__all__ = [
    "Loss",
    "L2Loss",
    "L1Loss",
    "SigmoidBinaryCrossEntropyLoss",
    "SigmoidBCELoss",
    "SoftmaxCrossEntropyLoss",
    "SoftmaxCELoss",
    "KLDivLoss",
    "CTCLoss",
    "HuberLoss",
    "HingeLoss",
    "SquaredHingeLoss",
    "LogisticLoss",
    "TripletLoss",
    "PoissonNLLLoss",
    "CosineEmbeddingLoss",
    "SDMLLoss",
]


def _weighted(F, loss, weight, sample_weight):
    """Scale ``loss`` by the per-sample weights (broadcast) and then by the global scalar weight."""
    if sample_weight is not None:
        loss = F.broadcast_mul(loss, sample_weight)
    if weight is not None:
        if not isinstance(weight, Number):
            raise MXNetError(f"loss weight must be a number, got {type(weight).__name__}")
        loss = loss * weight
    return loss


def _like(F, x, template):
    """``x`` with ``template``'s shape (labels often come flat)."""
    if F is nd:
        return x.reshape(template.shape)
    return F.reshape_like(x, template)


class Loss(HybridBlock):
    """Base class of the losses: holds the global ``weight`` and the ``batch_axis``.

    Parameters
    ----------
    weight : float or None
        Global scalar weight applied to the loss.
    batch_axis : int
        The axis of the mini-batch; the loss is averaged over every other axis.

    >>> class Sq(Loss):
    ...     def hybrid_forward(self, F, x, y):
    ...         return F.mean(F.square(x - y), axis=self._batch_axis, exclude=True)
    >>> Sq(None, 0)(nd.ones((2, 3)), nd.zeros((2, 3))).asnumpy().tolist()
    [1.0, 1.0]
    """

    def __init__(self, weight, batch_axis, **kwargs):
        super().__init__(**kwargs)
        self._weight = weight
        self._batch_axis = batch_axis

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_axis={self._batch_axis}, w={self._weight})"

    def _per_sample(self, F, loss):
        """Mean over every axis except the batch axis."""
        return F.mean(loss, axis=self._batch_axis, exclude=True)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise MXNetError(f"{type(self).__name__}: a Loss subclass must define hybrid_forward(self, F, pred, label, ...)")


class L2Loss(Loss):
    """Half the squared error, averaged per sample: ``weight/2 * (label - pred)**2``.

    Parameters
    ----------
    weight : float, default 1.
    batch_axis : int, default 0

    >>> L2Loss()(nd.array([[2.0]]), nd.array([[0.0]])).asnumpy().tolist()
    [2.0]
    """

    def __init__(self, weight=1.0, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        loss = F.square(_like(F, label, pred) - pred)
        return self._per_sample(F, _weighted(F, loss, self._weight / 2, sample_weight))


class L1Loss(Loss):
    """Absolute error averaged per sample: ``|label - pred|``.

    Parameters
    ----------
    weight : float or None, default None
    batch_axis : int, default 0

    >>> L1Loss()(nd.array([[2.0, -1.0]]), nd.array([[0.0, 0.0]])).asnumpy().tolist()
    [1.5]
    """

    def __init__(self, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        loss = F.abs(_like(F, label, pred) - pred)
        return self._per_sample(F, _weighted(F, loss, self._weight, sample_weight))


def _softplus_of_minus_abs(F, x):
    """``log(1 + exp(-|x|))``, which never overflows."""
    return F.Activation(-F.abs(x), act_type="softrelu")


class SigmoidBinaryCrossEntropyLoss(Loss):
    """Binary cross-entropy of ``sigmoid(pred)`` (or of ``pred`` itself with ``from_sigmoid=True``).

    On logits it uses ``max(x, 0) - x*z + log(1 + exp(-|x|))``, exact for any magnitude of ``x``.
    ``pos_weight`` (a call argument) scales the positive term, as in MXNet 1.9.1.

    Parameters
    ----------
    from_sigmoid : bool, default False
        Whether ``pred`` is already a probability.
    weight : float or None, default None
    batch_axis : int, default 0

    >>> l = SigmoidBinaryCrossEntropyLoss()(nd.array([[0.0]]), nd.array([[1.0]]))
    >>> round(float(l.asscalar()), 4)
    0.6931
    """

    def __init__(self, from_sigmoid=False, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_sigmoid = from_sigmoid

    def hybrid_forward(self, F, pred, label, sample_weight=None, pos_weight=None):
        label = _like(F, label, pred)
        if self._from_sigmoid:
            eps = 1e-12
            positive = F.log(pred + eps) * label
            if pos_weight is not None:
                positive = F.broadcast_mul(positive, pos_weight)
            loss = -(positive + F.log(1.0 - pred + eps) * (1.0 - label))
        elif pos_weight is None:
            loss = F.relu(pred) - pred * label + _softplus_of_minus_abs(F, pred)
        else:
            # (1 + (pos_weight - 1) z) scales the log-sigmoid term; -log(sigmoid(x)) = softplus(-|x|) + max(-x, 0)
            scale = 1 + F.broadcast_mul(pos_weight - 1, label)
            loss = pred - pred * label + scale * (_softplus_of_minus_abs(F, pred) + F.relu(-pred))
        return self._per_sample(F, _weighted(F, loss, self._weight, sample_weight))


SigmoidBCELoss = SigmoidBinaryCrossEntropyLoss


class SoftmaxCrossEntropyLoss(Loss):
    """Cross-entropy of ``softmax(pred)`` against class indices (``sparse_label``) or distributions.

    Parameters
    ----------
    axis : int, default -1
        The class axis.
    sparse_label : bool, default True
        Labels are class indices (else probability distributions shaped like ``pred``).
    from_logits : bool, default False
        ``pred`` is already log-probabilities.
    weight : float or None, default None
    batch_axis : int, default 0

    >>> l = SoftmaxCrossEntropyLoss()(nd.array([[0.0, 0.0]]), nd.array([1]))
    >>> round(float(l.asscalar()), 4)
    0.6931
    """

    def __init__(self, axis=-1, sparse_label=True, from_logits=False, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._axis = axis
        self._sparse_label = sparse_label
        self._from_logits = from_logits

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        logp = pred if self._from_logits else F.log_softmax(pred, axis=self._axis)
        if self._sparse_label:
            loss = -F.pick(logp, label, axis=self._axis, keepdims=True)
        else:
            loss = -F.sum(logp * _like(F, label, logp), axis=self._axis, keepdims=True)
        return self._per_sample(F, _weighted(F, loss, self._weight, sample_weight))


SoftmaxCELoss = SoftmaxCrossEntropyLoss


class KLDivLoss(Loss):
    """Kullback-Leibler divergence ``label * (log(label) - pred)``, summed over the non-batch axes.

    ``pred`` is log-probabilities when ``from_logits`` (the default); otherwise ``log_softmax`` is applied.

    Parameters
    ----------
    from_logits : bool, default True
    axis : int, default -1
        The axis ``log_softmax`` runs over when ``from_logits`` is False.
    weight : float or None, default None
    batch_axis : int, default 0

    >>> p = nd.log(nd.array([[0.5, 0.5]]))
    >>> KLDivLoss()(p, nd.array([[0.5, 0.5]])).asnumpy().tolist()
    [0.0]
    """

    def __init__(self, from_logits=True, axis=-1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._axis = axis

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        if not self._from_logits:
            pred = F.log_softmax(pred, axis=self._axis)
        loss = label * (F.log(label + 1e-12) - pred)
        return F.sum(_weighted(F, loss, self._weight, sample_weight), axis=self._batch_axis, exclude=True)


class CTCLoss(Loss):
    """Connectionist Temporal Classification loss over the ``CTCLoss`` operator (blank is the last class).

    Parameters
    ----------
    layout : str, default 'NTC'
        Layout of ``pred``: 'NTC' or 'TNC'.
    label_layout : str, default 'NT'
        Layout of ``label``: 'NT' or 'TN'.
    weight : float or None, default None

    Call with ``pred``, ``label``, and optionally ``pred_lengths``, ``label_lengths``, ``sample_weight``.
    Labels are padded with -1.

    >>> pred = nd.zeros((1, 3, 3))
    >>> l = CTCLoss()(pred, nd.array([[0, 1]]))
    >>> l.shape
    (1,)
    """

    def __init__(self, layout="NTC", label_layout="NT", weight=None, **kwargs):
        if layout not in ("NTC", "TNC"):
            raise ValueError(f"CTCLoss: layout must be 'NTC' or 'TNC', got {layout!r}")
        if label_layout not in ("NT", "TN"):
            raise ValueError(f"CTCLoss: label_layout must be 'NT' or 'TN', got {label_layout!r}")
        self._layout = layout
        self._label_layout = label_layout
        super().__init__(weight, label_layout.index("N"), **kwargs)

    def hybrid_forward(self, F, pred, label, pred_lengths=None, label_lengths=None, sample_weight=None):
        if self._layout == "NTC":
            pred = F.swapaxes(pred, 0, 1)
        if self._batch_axis == 1:
            label = F.swapaxes(label, 0, 1)
        loss = F.CTCLoss(
            pred,
            label,
            pred_lengths,
            label_lengths,
            use_data_lengths=pred_lengths is not None,
            use_label_lengths=label_lengths is not None,
            blank_label="last",
        )
        return _weighted(F, loss, self._weight, sample_weight)


class HuberLoss(Loss):
    """Smoothed L1: ``0.5/rho * err**2`` where ``|err| <= rho``, ``|err| - 0.5*rho`` beyond.

    Parameters
    ----------
    rho : float, default 1
        The threshold between the quadratic and the linear part.
    weight : float or None, default None
    batch_axis : int, default 0

    >>> HuberLoss()(nd.array([[0.5, 3.0]]), nd.array([[0.0, 0.0]])).asnumpy().tolist()
    [1.3125]
    """

    def __init__(self, rho=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._rho = rho

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        err = F.abs(_like(F, label, pred) - pred)
        loss = F.where(err > self._rho, err - 0.5 * self._rho, (0.5 / self._rho) * F.square(err))
        return self._per_sample(F, _weighted(F, loss, self._weight, sample_weight))


class HingeLoss(Loss):
    """Hinge loss for labels in {-1, 1}: ``max(0, margin - pred * label)``.

    Parameters
    ----------
    margin : float, default 1
    weight : float or None, default None
    batch_axis : int, default 0

    >>> HingeLoss()(nd.array([[0.5, 2.0]]), nd.array([[1.0, 1.0]])).asnumpy().tolist()
    [0.25]
    """

    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def _hinge(self, F, pred, label):
        return F.relu(self._margin - pred * _like(F, label, pred))

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        return self._per_sample(F, _weighted(F, self._hinge(F, pred, label), self._weight, sample_weight))


class SquaredHingeLoss(HingeLoss):
    """Squared hinge loss for labels in {-1, 1}: ``max(0, margin - pred * label)**2``.

    Parameters
    ----------
    margin : float, default 1
    weight : float or None, default None
    batch_axis : int, default 0

    >>> SquaredHingeLoss()(nd.array([[0.5, 2.0]]), nd.array([[1.0, 1.0]])).asnumpy().tolist()
    [0.125]
    """

    def _hinge(self, F, pred, label):
        return F.square(super()._hinge(F, pred, label))


class LogisticLoss(Loss):
    """Logistic loss ``log(1 + exp(-pred * label))`` for labels in {-1, 1} ('signed') or {0, 1} ('binary').

    Parameters
    ----------
    weight : float or None, default None
    batch_axis : int, default 0
    label_format : str, default 'signed'
        'signed' or 'binary'.

    >>> l = LogisticLoss()(nd.array([[0.0]]), nd.array([[1.0]]))
    >>> round(float(l.asscalar()), 4)
    0.6931
    """

    def __init__(self, weight=None, batch_axis=0, label_format="signed", **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        if label_format not in ("signed", "binary"):
            raise ValueError(f"LogisticLoss: label_format must be 'signed' or 'binary', got {label_format!r}")
        self._label_format = label_format

    def hybrid_forward(self, F, pred, label, sample_weight=None):
        label = _like(F, label, pred)
        if self._label_format == "signed":
            label = (label + 1.0) / 2.0
        loss = F.relu(pred) - pred * label + _softplus_of_minus_abs(F, pred)
        return self._per_sample(F, _weighted(F, loss, self._weight, sample_weight))


class TripletLoss(Loss):
    """Triplet loss ``max(||pos - pred||^2 - ||neg - pred||^2 + margin, 0)`` per sample.

    Parameters
    ----------
    margin : float, default 1
    weight : float or None, default None
    batch_axis : int, default 0

    >>> z = nd.zeros((1, 2))
    >>> TripletLoss()(z, z, nd.ones((1, 2))).asnumpy().tolist()
    [0.0]
    """

    def __init__(self, margin=1, weight=None, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, pred, positive, negative):
        gap = F.square(_like(F, positive, pred) - pred) - F.square(_like(F, negative, pred) - pred)
        loss = F.relu(F.sum(gap, axis=self._batch_axis, exclude=True) + self._margin)
        return _weighted(F, loss, self._weight, None)


class PoissonNLLLoss(Loss):
    """Negative log-likelihood of ``target`` under a Poisson with mean ``exp(pred)`` (``from_logits``) or ``pred``.

    Returns the mean over every element (a scalar per batch, shape ``(1,)``), as MXNet 1.9.1.
    ``compute_full`` adds the Stirling term ``t*log(t) - t + 0.5*log(2*pi*t)`` where ``t > 1``.

    Parameters
    ----------
    weight : float or None, default None
    from_logits : bool, default True
    batch_axis : int, default 0
    compute_full : bool, default False

    >>> PoissonNLLLoss()(nd.array([[0.0]]), nd.array([[1.0]])).asnumpy().tolist()
    [1.0]
    """

    def __init__(self, weight=None, from_logits=True, batch_axis=0, compute_full=False, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._from_logits = from_logits
        self._compute_full = compute_full

    def hybrid_forward(self, F, pred, target, sample_weight=None, epsilon=1e-08):
        target = _like(F, target, pred)
        if self._from_logits:
            loss = F.exp(pred) - target * pred
        else:
            loss = pred - target * F.log(pred + epsilon)
        if self._compute_full:
            stirling = target * F.log(target) - target + 0.5 * F.log(2 * math.pi * target)
            loss = loss + stirling * (target > 1)
        return F.mean(_weighted(F, loss, self._weight, sample_weight))


class CosineEmbeddingLoss(Loss):
    """``1 - cos(x1, x2)`` for label 1 and ``max(0, cos(x1, x2) - margin)`` for label -1, per sample.

    Returns shape ``(batch_size, 1)``, as MXNet 1.9.1.

    Parameters
    ----------
    weight : float or None, default None
    batch_axis : int, default 0
    margin : float, default 0

    >>> x = nd.array([[1.0, 0.0]])
    >>> CosineEmbeddingLoss()(x, x, nd.array([1])).asnumpy().tolist()
    [[0.0]]
    """

    def __init__(self, weight=None, batch_axis=0, margin=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self._margin = margin

    def hybrid_forward(self, F, input1, input2, label, sample_weight=None):
        input1 = _like(F, input1, input2)
        label = label.reshape((-1, 1))
        norms = F.norm(input1, axis=-1).reshape((-1, 1)) * F.norm(input2, axis=-1).reshape((-1, 1))
        dots = F.sum(input1 * input2, axis=-1).reshape((-1, 1))
        cos = dots / F.maximum(norms, 1e-12)
        similar = (1 - cos) * (label == 1)
        dissimilar = F.relu((label == -1) * (cos - self._margin))
        return _weighted(F, similar + dissimilar, self._weight, sample_weight)


class SDMLLoss(Loss):
    """Smoothed Deep Metric Learning loss over aligned batches ``x1``, ``x2`` of shape (batch, dim).

    Row ``i`` of ``x1`` is the positive of row ``i`` of ``x2``; every other row is a negative. The loss is
    the KL divergence between smoothed one-hot labels and ``log_softmax`` of the negated squared
    distances, per row.

    Parameters
    ----------
    smoothing_parameter : float, default 0.3
        Probability mass spread over the negatives (must be < 1).
    weight : float, default 1.
    batch_axis : int, default 0

    >>> x = nd.array([[0.0, 0.0], [5.0, 5.0]])
    >>> SDMLLoss()(x, x).shape
    (2,)
    """

    def __init__(self, smoothing_parameter=0.3, weight=1.0, batch_axis=0, **kwargs):
        super().__init__(weight, batch_axis, **kwargs)
        self.kl_loss = KLDivLoss(from_logits=True)
        self.smoothing_parameter = smoothing_parameter

    def _smoothed_labels(self, F, batch_size):
        eye = F.eye(batch_size)
        off = self.smoothing_parameter / (batch_size - 1)
        return eye * (1 - self.smoothing_parameter) + (1 - eye) * off

    def hybrid_forward(self, F, x1, x2):
        if x1.shape != x2.shape or len(x1.shape) != 2:
            raise MXNetError(f"SDMLLoss: x1 and x2 must be (batch, dim) of one shape, got {x1.shape} and {x2.shape}")
        batch_size, dim = x1.shape
        a = x1.expand_dims(1).broadcast_to((batch_size, batch_size, dim))
        b = x2.expand_dims(0).broadcast_to((batch_size, batch_size, dim))
        distances = F.sum(F.square(a - b), axis=2)
        labels = self._smoothed_labels(F, batch_size).as_in_context(distances.context)
        return self.kl_loss(F.log_softmax(-distances, axis=1), labels)
