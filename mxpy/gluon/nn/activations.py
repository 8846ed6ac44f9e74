"""Activation layers: LeakyReLU, PReLU, ELU, SELU, GELU, Swish, SiLU (and Activation).

>>> import mxpy as mx
>>> [round(float(v), 3) for v in mx.gluon.nn.LeakyReLU(0.1)(mx.nd.array([-1.0, 2.0])).asnumpy()]
[-0.1, 2.0]
"""

from __future__ import annotations

from ... import initializer
from ..block import HybridBlock
from .basic_layers import Activation

__all__ = ["Activation", "LeakyReLU", "PReLU", "ELU", "SELU", "Swish", "GELU", "SiLU"]


class LeakyReLU(HybridBlock):
    """``x`` for x >= 0, ``alpha * x`` below (``alpha >= 0``).

    >>> mx.gluon.nn.LeakyReLU(0.5)(mx.nd.array([-2.0])).asnumpy().tolist()
    [-1.0]
    """

    def __init__(self, alpha, **kwargs):
        if alpha < 0:
            raise AssertionError("Slope coefficient for LeakyReLU must be no less than 0.")
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="leaky", slope=self._alpha, name="fwd")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._alpha})"


class PReLU(HybridBlock):
    """LeakyReLU with a learned slope per channel (``in_channels`` slopes, default 1).

    >>> p = mx.gluon.nn.PReLU(); p.initialize()
    >>> p(mx.nd.array([-4.0, 1.0])).asnumpy().tolist()
    [-1.0, 1.0]
    """

    def __init__(self, alpha_initializer=None, in_channels=1, **kwargs):
        super().__init__(**kwargs)
        if alpha_initializer is None:
            alpha_initializer = initializer.Constant(0.25)
        with self.name_scope():
            self.alpha = self.params.get("alpha", shape=(in_channels,), init=alpha_initializer)

    def hybrid_forward(self, F, x, alpha):
        return F.LeakyReLU(x, gamma=alpha, act_type="prelu", name="fwd")


class ELU(HybridBlock):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` below.

    >>> mx.gluon.nn.ELU()(mx.nd.array([0.0, 1.0])).asnumpy().tolist()
    [0.0, 1.0]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="elu", slope=self._alpha)


class SELU(HybridBlock):
    """Scaled ELU with the self-normalizing constants (Klambauer et al., 2017).

    >>> [round(float(v), 4) for v in mx.gluon.nn.SELU()(mx.nd.array([1.0])).asnumpy()]
    [1.0507]
    """

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="selu", name="fwd")


class GELU(HybridBlock):
    """Gaussian error linear unit, ``x * Phi(x)`` (the erf form, as MXNet).

    >>> mx.gluon.nn.GELU()(mx.nd.array([0.0])).asnumpy().tolist()
    [0.0]
    """

    def hybrid_forward(self, F, x):
        return F.LeakyReLU(x, act_type="gelu", name="fwd")


class Swish(HybridBlock):
    """``x * sigmoid(beta * x)``.

    >>> mx.gluon.nn.Swish()(mx.nd.array([0.0])).asnumpy().tolist()
    [0.0]
    """

    def __init__(self, beta=1.0, **kwargs):
        super().__init__(**kwargs)
        self._beta = beta

    def hybrid_forward(self, F, x):
        return x * F.sigmoid(self._beta * x, name="fwd")


class SiLU(HybridBlock):
    """``x * sigmoid(x)`` (Swish with beta 1; MXNet 2's name for it).

    >>> mx.gluon.nn.SiLU()(mx.nd.array([0.0])).asnumpy().tolist()
    [0.0]
    """

    def hybrid_forward(self, F, x):
        return x * F.sigmoid(x, name="fwd")
