"""Gradient-descent optimizers: SGD (and ccSGD), NAG, Signum, DCASGD, SGLD, and Test."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray.dispatch import invoke
from ..registry import get as _get_op
from .optimizer import Optimizer, register

_F16 = np.dtype(np.float16)
_MULTI_SGD = _get_op("multi_sgd_update")


def _as_lists(indices, weights, grads, states):
    if isinstance(indices, (tuple, list)):
        return list(indices), list(weights), list(grads), list(states)
    return [indices], [weights], [grads], [states]


def _momentum_buffer(opt: Optimizer, weight, stype: str = "default"):
    """The state of a momentum method: zeros like ``weight``, or None without momentum."""
    if opt.momentum == 0.0:
        return None
    return nd.zeros(weight.shape, weight.context, dtype=weight.dtype, stype=stype)


def _mp_state(opt: Optimizer, index, weight):
    """SGD/NAG keep ``(momentum or None, float32 master copy)`` for float16 weights."""
    if opt.multi_precision and weight.dtype == _F16:
        master = weight.astype(np.float32)
        return (opt.create_state(index, master), master)
    if weight.dtype == _F16 and not opt.multi_precision:
        warnings.warn(
            "Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
            f"Consider using multi_precision=True option of the {type(opt).__name__} optimizer",
            stacklevel=3,
        )
    return opt.create_state(index, weight)


def _multi_update(weights, grads, states, lrs, wds, kw, multi_precision: bool) -> None:
    """One ``multi_[mp_]sgd[_mom]_update`` call over the weights (inputs interleaved per weight)."""
    n = len(weights)
    if not multi_precision:
        if "momentum" in kw:
            flat = [a for w, g, m in zip(weights, grads, states) for a in (w, g, m)]
            nd.multi_sgd_mom_update(*flat, out=weights, num_weights=n, lrs=lrs, wds=wds, **kw)
        else:
            flat = [a for w, g in zip(weights, grads) for a in (w, g)]
            # what nd.multi_sgd_update does with these arguments, less its argument sorting
            invoke(_MULTI_SGD, flat, {"num_weights": n, "lrs": lrs, "wds": wds, **kw}, out=weights)
    elif "momentum" in kw:
        flat = [a for w, g, (m, w32) in zip(weights, grads, states) for a in (w, g, m, w32)]
        nd.multi_mp_sgd_mom_update(*flat, out=weights, num_weights=n, lrs=lrs, wds=wds, **kw)
    else:
        flat = [a for w, g, (_, w32) in zip(weights, grads, states) for a in (w, g, w32)]
        nd.multi_mp_sgd_update(*flat, out=weights, num_weights=n, lrs=lrs, wds=wds, **kw)


@register
class SGD(Optimizer):
    """SGD with optional momentum: ``mom = momentum*mom - lr*(wd*w + grad)``, ``w += mom``.

    ``multi_precision=True`` keeps a float32 master copy of float16 weights.
    Each call is one ``multi_sgd_update`` / ``multi_sgd_mom_update`` (``mp_``
    forms for float16 masters) over its weights, as in MXNet; the Updater hands
    over ``aggregate_num`` weights at a time (``MXNET_OPTIMIZER_AGGREGATION_SIZE``,
    default 4). A group of one uses the same ops, so the grouping does not
    change the numbers.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
    >>> w = mx.nd.ones((2,))
    >>> st = opt.create_state(0, w)
    >>> for _ in range(2):
    ...     opt.update(0, w, mx.nd.ones((2,)), st)
    >>> w.asnumpy()
    array([0.71, 0.71], dtype=float32)
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight)

    def create_state(self, index, weight):
        # a lazily updated row_sparse weight keeps a row_sparse momentum, as MXNet
        return _momentum_buffer(self, weight, weight.stype if self.lazy_update else "default")

    def _sparse_update(self, index, weight, grad, state, multi_precision: bool) -> None:
        """One weight with a sparse weight or gradient: the single ops, which honour lazy_update."""
        lr, wd = self._prepare(index, weight, grad)
        kw = self._op_kwargs(self.momentum)
        kw["lazy_update"] = self.lazy_update
        if not multi_precision:
            if state is not None:
                nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kw)
        elif state[0] is not None:
            nd.mp_sgd_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kw)

    def _update_impl(self, indices, weights, grads, states, multi_precision: bool = False) -> None:
        if not isinstance(indices, (list, tuple)) and (type(weights) is not nd.NDArray or type(grads) is not nd.NDArray):
            self._sparse_update(indices, weights, grads, states, multi_precision)
            return
        indices, weights, grads, states = _as_lists(indices, weights, grads, states)
        for w, g in zip(weights, grads):
            self._check_arrays(w, g)
        self._update_count(indices)
        lrs, wds = self._get_lrs(indices), self._get_wds(indices)
        kw = self._op_kwargs(self.momentum)
        # one multi_[mp_]sgd[_mom]_update per call, as MXNet's SGD does for dense
        # weights (its numbers, and one dispatch for the group)
        _multi_update(weights, grads, states, tuple(lrs), tuple(wds), kw, multi_precision)

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state) -> None:
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state, multi_precision=self.multi_precision and first.dtype == _F16)


@register
class ccSGD(SGD):  # noqa: N801 - MXNet's name
    """Deprecated MXNet alias of :class:`SGD`."""


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient (``nag_mom_update``); plain SGD when ``momentum`` is 0.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.NAG(learning_rate=0.1, momentum=0.9)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.81, 0.81], dtype=float32)
    """

    def __init__(self, momentum: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state_multi_precision(self, index, weight):
        return _mp_state(self, index, weight)

    def create_state(self, index, weight):
        return _momentum_buffer(self, weight)

    def _update_impl(self, index, weight, grad, state, multi_precision: bool = False) -> None:
        lr, wd = self._prepare(index, weight, grad)
        kw = self._op_kwargs(self.momentum)
        if not multi_precision:
            if state is not None:
                nd.nag_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
            else:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kw)
        elif state[0] is not None:
            nd.mp_nag_mom_update(weight, grad, state[0], state[1], out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.mp_sgd_update(weight, grad, state[1], out=weight, lr=lr, wd=wd, **kw)

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state) -> None:
        mp = self.multi_precision and weight.dtype == _F16 and isinstance(state, (tuple, list))
        self._update_impl(index, weight, grad, state, multi_precision=mp)


@register
class Signum(Optimizer):
    """Signum (sign of the momentum); signSGD when ``momentum`` is 0. ``wd_lh`` is decoupled decay.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.Signum(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.array([1.0, -1.0]), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 1.1], dtype=float32)
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    def create_state(self, index, weight):
        return _momentum_buffer(self, weight)

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        kw = self._op_kwargs(self.momentum, **({"wd_lh": self.wd_lh} if self.wd_lh else {}))
        if state is not None:
            nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
        else:
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kw)


@register
class DCASGD(Optimizer):
    """Delay-compensated async SGD: the step adds ``lamda * grad^2 * (w - previous w)``.

    As in MXNet, the state is ``(momentum buffer or None, previous weight)``,
    and a momentum buffer with more than one element cannot be used (MXNet
    tests it for truth, which raises ``ValueError``).

    >>> import mxpy as mx
    >>> opt = mx.optimizer.DCASGD(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs) -> None:
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous: dict = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        return (_momentum_buffer(self, weight), weight.copy())

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        mom, previous = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous))
        if mom:  # NDArray truth, as MXNet: only a one-element buffer gets here
            mom[:] *= self.momentum
            mom[:] += step
        else:
            mom = step
        previous[:] = weight
        weight[:] += mom


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: half an SGD step plus N(0, sqrt(lr)) noise.

    >>> import mxpy as mx
    >>> mx.random.seed(1)
    >>> opt = mx.optimizer.SGLD(learning_rate=1e-8)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), None)
    >>> w.asnumpy().round(2)
    array([1., 1.], dtype=float32)
    """

    def create_state(self, index, weight):
        return None

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        grad = grad * self.rescale_grad
        if self.clip_gradient is not None:
            grad = nd.clip(grad, -self.clip_gradient, self.clip_gradient)
        weight[:] += -lr / 2 * (grad + wd * weight)
        weight[:] += nd.random.normal(0, math.sqrt(lr), shape=weight.shape, dtype=weight.dtype, ctx=weight.context)


@register
class Test(Optimizer):
    """MXNet's test optimizer: ``weight += rescale_grad * grad``; the state keeps a copy of the weight."""

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state) -> None:
        weight[:] += grad * self.rescale_grad
        state[:] = weight
