"""Normalization layers: BatchNorm, InstanceNorm, LayerNorm, GroupNorm.

>>> import mxpy as mx
>>> bn = mx.gluon.nn.BatchNorm()
>>> bn.initialize()
>>> bn(mx.nd.ones((2, 3, 4))).shape, bn.gamma.shape
((2, 3, 4), (3,))
"""

from __future__ import annotations

import numpy as np

from ..block import HybridBlock

__all__ = ["BatchNorm", "InstanceNorm", "LayerNorm", "GroupNorm"]


def _kwargs_repr(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


class BatchNorm(HybridBlock):
    """Batch normalization over ``axis`` (the channel axis, 1 for NCHW).

    In training (``autograd.record()``) it normalizes with the batch
    statistics and updates ``running_mean``/``running_var`` with ``momentum``;
    otherwise it uses the running statistics. ``scale=False`` fixes gamma at 1,
    ``center=False`` fixes beta at 0.

    >>> bn = mx.gluon.nn.BatchNorm(in_channels=2); bn.initialize()
    >>> bn(mx.nd.zeros((1, 2))).asnumpy().tolist()
    [[0.0, 0.0]]
    """

    def __init__(
        self,
        axis=1,
        momentum=0.9,
        epsilon=1e-5,
        center=True,
        scale=True,
        use_global_stats=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        running_mean_initializer="zeros",
        running_variance_initializer="ones",
        in_channels=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum, "fix_gamma": not scale, "use_global_stats": use_global_stats}
        if in_channels != 0:
            self.in_channels = in_channels
        self.gamma = self.params.get(
            "gamma", grad_req="write" if scale else "null", shape=(in_channels,), init=gamma_initializer, allow_deferred_init=True, differentiable=scale
        )
        self.beta = self.params.get(
            "beta", grad_req="write" if center else "null", shape=(in_channels,), init=beta_initializer, allow_deferred_init=True, differentiable=center
        )
        self.running_mean = self.params.get(
            "running_mean", grad_req="null", shape=(in_channels,), init=running_mean_initializer, allow_deferred_init=True, differentiable=False
        )
        self.running_var = self.params.get(
            "running_var", grad_req="null", shape=(in_channels,), init=running_variance_initializer, allow_deferred_init=True, differentiable=False
        )

    def cast(self, dtype) -> None:
        # float16 networks keep float32 statistics, as MXNet
        if np.dtype(dtype).name == "float16":
            dtype = "float32"
        super().cast(dtype)

    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        c = self.gamma.shape[0]
        return f"{type(self).__name__}({_kwargs_repr(self._kwargs)}, in_channels={c if c else None})"


class InstanceNorm(HybridBlock):
    """Normalize each sample's each channel over its spatial axes (``axis`` is the channel axis).

    >>> inorm = mx.gluon.nn.InstanceNorm(); inorm.initialize()
    >>> inorm(mx.nd.array([[[1.0, 3.0]]])).asnumpy().round(3).tolist()
    [[[-1.0, 1.0]]]
    """

    def __init__(self, axis=1, epsilon=1e-5, center=True, scale=False, beta_initializer="zeros", gamma_initializer="ones", in_channels=0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null", shape=(in_channels,), init=gamma_initializer, allow_deferred_init=True)
        self.beta = self.params.get("beta", grad_req="write" if center else "null", shape=(in_channels,), init=beta_initializer, allow_deferred_init=True)

    def hybrid_forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon).swapaxes(1, self._axis)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_kwargs_repr(self._kwargs)}, in_channels={self.gamma.shape[0]})"


class LayerNorm(HybridBlock):
    """Normalize over ``axis`` (default the last) with learned ``gamma``/``beta`` of that size.

    >>> ln = mx.gluon.nn.LayerNorm(); ln.initialize()
    >>> ln(mx.nd.array([[1.0, 3.0]])).asnumpy().round(3).tolist()
    [[-1.0, 1.0]]
    """

    def __init__(
        self, axis=-1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros", gamma_initializer="ones", in_channels=0, prefix=None, params=None
    ):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null", shape=(in_channels,), init=gamma_initializer, allow_deferred_init=True)
        self.beta = self.params.get("beta", grad_req="write" if center else "null", shape=(in_channels,), init=beta_initializer, allow_deferred_init=True)

    def hybrid_forward(self, F, data, gamma, beta):
        return F.LayerNorm(data, gamma=gamma, beta=beta, axis=self._axis, eps=self._epsilon)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_kwargs_repr(self._kwargs)}, in_channels={self.gamma.shape[0]})"


class GroupNorm(HybridBlock):
    """Normalize each sample over channel groups (``num_groups`` groups of axis 1), with one
    ``gamma``/``beta`` per group as MXNet 1.9.1 (the ``GroupNorm`` operator).

    >>> gn = mx.gluon.nn.GroupNorm(num_groups=2); gn.initialize()  # doctest: +SKIP
    >>> gn(mx.nd.ones((1, 4, 3))).shape                            # doctest: +SKIP
    (1, 4, 3)
    """

    def __init__(self, num_groups=1, epsilon=1e-5, center=True, scale=True, beta_initializer="zeros", gamma_initializer="ones", prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center, "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        self.gamma = self.params.get("gamma", grad_req="write" if scale else "null", shape=(num_groups,), init=gamma_initializer, allow_deferred_init=True)
        self.beta = self.params.get("beta", grad_req="write" if center else "null", shape=(num_groups,), init=beta_initializer, allow_deferred_init=True)

    def hybrid_forward(self, F, data, gamma, beta):
        return F.GroupNorm(data, gamma=gamma, beta=beta, num_groups=self._num_groups, eps=self._epsilon)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_kwargs_repr(self._kwargs)})"
