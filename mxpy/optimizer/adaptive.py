"""Adaptive-rate optimizers: Adam, AdaGrad, RMSProp, AdaDelta, Adamax, Nadam, FTML, Ftrl.

Adam, RMSProp, FTML and Ftrl run their engine update operators; AdaGrad,
AdaDelta, Adamax and Nadam are NDArray arithmetic, as in MXNet 1.9.1 (so
their rounding follows the same sequence of float32 operations).
"""

from __future__ import annotations

import math
import os

import numpy as np

from .. import ndarray as nd
from .optimizer import Optimizer, register


def _zeros_like(weight, keep_dtype: bool = True, stype: str = "default"):
    # several MXNet states are float32 whatever the weight dtype (keep_dtype=False)
    return nd.zeros(weight.shape, weight.context, dtype=weight.dtype if keep_dtype else None, stype=stype)


def _clipped(opt: Optimizer, grad):
    if opt.clip_gradient is not None:
        return nd.clip(grad, -opt.clip_gradient, opt.clip_gradient)
    return grad


@register
class Adam(Optimizer):
    """Adam; the bias correction is folded into the step size, ``lr * sqrt(1-b2^t) / (1-b1^t)``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.Adam(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(4)
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, lazy_update=True, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    def create_state(self, index, weight):
        stype = weight.stype if self.lazy_update else "default"
        return (_zeros_like(weight, stype=stype), _zeros_like(weight, stype=stype))

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        t = self._index_update_count[index]
        lr *= math.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        kw = self._op_kwargs(beta1=self.beta1, beta2=self.beta2, epsilon=self.epsilon)
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lazy_update=self.lazy_update, lr=lr, wd=wd, **kw)


@register
class AdaGrad(Optimizer):
    """AdaGrad: ``history += g^2``, ``w -= lr * (g / sqrt(history + eps) + wd * w)``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.AdaGrad(learning_rate=0.1, eps=0.0)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, eps=1e-7, **kwargs) -> None:
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return _zeros_like(weight, keep_dtype=False, stype=weight.stype)

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        if grad.stype == "row_sparse":  # only the gradient's rows, as MXNet's sparse adagrad
            kw = {"epsilon": self.float_stable_eps, "rescale_grad": self.rescale_grad}
            if self.clip_gradient:
                kw["clip_gradient"] = self.clip_gradient
            nd.sparse.adagrad_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kw)
            return
        grad = _clipped(self, grad * self.rescale_grad)
        history = state
        history[:] += nd.square(grad)
        div = grad / nd.sqrt(history + self.float_stable_eps)
        weight[:] += (div + weight * wd) * -lr


@register
class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton); ``centered=True`` is Graves' version with momentum ``gamma2``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.RMSProp(learning_rate=0.1, gamma1=0.0, epsilon=0.0)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, gamma1=0.9, gamma2=0.9, epsilon=1e-8, centered=False, clip_weights=None, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        if self.centered:
            return tuple(_zeros_like(weight, keep_dtype=False) for _ in range(3))
        return (_zeros_like(weight, keep_dtype=False),)

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        kw = self._op_kwargs(gamma1=self.gamma1, epsilon=self.epsilon)
        if self.centered:
            kw["gamma2"] = self.gamma2
        if self.clip_weights:
            kw["clip_weights"] = self.clip_weights
        if self.centered:
            n, g, delta = state
            nd.rmspropalex_update(weight, grad, n, g, delta, out=weight, lr=lr, wd=wd, **kw)
        else:
            (n,) = state
            nd.rmsprop_update(weight, grad, n, out=weight, lr=lr, wd=wd, **kw)


@register
class AdaDelta(Optimizer):
    """AdaDelta (Zeiler 2012); it has no learning rate.

    As in MXNet, the gradient given to ``update`` is scaled by ``rescale_grad``
    in place.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.AdaDelta(rho=0.0, epsilon=1e-4)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(3)
    array([0.99, 0.99], dtype=float32)
    """

    def __init__(self, rho=0.9, epsilon=1e-5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros_like(weight, keep_dtype=False), _zeros_like(weight, keep_dtype=False))

    def update(self, index, weight, grad, state) -> None:
        self._check_arrays(weight, grad)
        wd = self._get_wd(index)
        self._update_count(index)
        grad *= self.rescale_grad
        grad = _clipped(self, grad)
        acc_g, acc_delta = state
        acc_g[:] *= self.rho
        acc_g[:] += (1.0 - self.rho) * grad * grad
        delta = nd.sqrt(acc_delta + self.epsilon) / nd.sqrt(acc_g + self.epsilon) * grad
        acc_delta[:] *= self.rho
        acc_delta[:] += (1.0 - self.rho) * delta * delta
        weight[:] -= delta + wd * weight


@register
class Adamax(Optimizer):
    """Adamax (the infinity-norm Adam): ``u = max(b2*u, |g|)``, ``w -= lr/(1-b1^t) * m/u``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.Adamax(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy()
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.002, beta1=0.9, beta2=0.999, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        t = self._index_update_count[index]
        lr /= 1.0 - self.beta1**t
        grad = _clipped(self, grad * self.rescale_grad + wd * weight)
        m_t, u_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1.0 - self.beta1) * grad
        u_t[:] = nd.maximum(self.beta2 * u_t, nd.abs(grad))
        weight[:] -= lr * m_t / u_t


@register
class Nadam(Optimizer):
    """Nesterov Adam (Dozat 2016) with the momentum schedule ``schedule_decay``.

    As in MXNet, the schedule product ``m_schedule`` lives on the optimizer,
    so it advances once per weight updated, not once per step.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.Nadam(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(3)
    array([0.894, 0.894], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, schedule_decay=0.004, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        t = self._index_update_count[index]
        grad = _clipped(self, grad * self.rescale_grad + wd * weight)
        mom_t = self.beta1 * (1.0 - 0.5 * pow(0.96, t * self.schedule_decay))
        mom_next = self.beta1 * (1.0 - 0.5 * pow(0.96, (t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * mom_t
        m_schedule_next = self.m_schedule * mom_next
        m_t, v_t = state
        m_t[:] *= self.beta1
        m_t[:] += (1.0 - self.beta1) * grad
        v_t[:] *= self.beta2
        v_t[:] += (1.0 - self.beta2) * grad * grad
        grad_prime = grad / (1.0 - self.m_schedule)
        m_t_prime = m_t / (1.0 - m_schedule_next)
        v_t_prime = v_t / (1.0 - pow(self.beta2, t))
        m_t_bar = (1.0 - mom_t) * grad_prime + mom_next * m_t_prime
        weight[:] -= lr * m_t_bar / (nd.sqrt(v_t_prime) + self.epsilon)


@register
class FTML(Optimizer):
    """Follow the Moving Leader (``ftml_update``); state ``(d, v, z)``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.FTML(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(3)
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, beta1=0.6, beta2=0.999, epsilon=1e-8, **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight), _zeros_like(weight))

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        t = self._index_update_count[index]
        kw = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon, "rescale_grad": self.rescale_grad, "t": t}
        if self.clip_gradient:
            kw["clip_grad"] = self.clip_gradient
        d, v, z = state
        nd.ftml_update(weight, grad, d, v, z, out=weight, lr=lr, wd=wd, **kw)


@register
class Ftrl(Optimizer):
    """FTRL-proximal (McMahan et al. 2013) with L1 ``lamda1`` and L2 ``wd``; state ``(z, n)``.

    >>> import mxpy as mx
    >>> opt = mx.optimizer.Ftrl(lamda1=0.0, learning_rate=1.0, beta=1.0)
    >>> w = mx.nd.zeros((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(3)
    array([-0.5, -0.5], dtype=float32)
    """

    def __init__(self, lamda1=0.01, learning_rate=0.1, beta=1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return (_zeros_like(weight, keep_dtype=False, stype=weight.stype), _zeros_like(weight, keep_dtype=False, stype=weight.stype))

    def update(self, index, weight, grad, state) -> None:
        lr, wd = self._prepare(index, weight, grad)
        kw = self._op_kwargs(lamda1=self.lamda1, beta=self.beta)
        z, n = state
        nd.ftrl_update(weight, grad, z, n, out=weight, lr=lr, wd=wd, **kw)


@register
class LAMB(Optimizer):
    """LAMB (You et al. 2019): an Adam direction (plus ``wd * w``) scaled per layer by the trust ratio
    ``||w|| / ||direction||`` (``||w||`` bounded by ``lower_bound``/``upper_bound`` when given).

    As in MXNet, lists of weights (the Updater hands over up to ``aggregate_num`` at once,
    ``MXNET_OPTIMIZER_AGGREGATION_SIZE`` clamped to 1..45, default 45) are updated by one
    ``contrib.multi_lamb_update`` (``multi_mp_lamb_update`` for float16 weights with
    ``multi_precision``); one weight at a time runs ``lamb_update_phase1``/``phase2``
    (``mp_`` forms, which leave the float32 master copy as it was, as MXNet 1.9.1 does).

    >>> import mxpy as mx
    >>> opt = mx.optimizer.LAMB(learning_rate=0.1)
    >>> w = mx.nd.ones((2,))
    >>> opt.update(0, w, mx.nd.ones((2,)), opt.create_state(0, w))
    >>> w.asnumpy().round(4)
    array([0.9, 0.9], dtype=float32)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-6, lower_bound=None, upper_bound=None, bias_correction=True, **kwargs) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "45"))))

    def create_state(self, index, weight):
        return (_zeros_like(weight), _zeros_like(weight))

    def _bounds(self) -> dict:
        out = {}
        if self.lower_bound:
            out["lower_bound"] = self.lower_bound
        if self.upper_bound:
            out["upper_bound"] = self.upper_bound
        return out

    def _update_impl(self, index, weight, grad, state, multi_precision: bool = False) -> None:
        kw = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon, "bias_correction": self.bias_correction, "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kw["clip_gradient"] = self.clip_gradient
        if self.aggregate_num <= 1 or not isinstance(index, (tuple, list)):
            if isinstance(index, (tuple, list)):
                index, weight, grad, state = index[0], weight[0], grad[0], state[0]
            lr, wd = self._prepare(index, weight, grad)
            t = self._index_update_count[index]
            if multi_precision:
                master, (mean, var) = state
                g = nd.mp_lamb_update_phase1(weight, grad, mean, var, master, wd=wd, t=t, **kw)
                nd.mp_lamb_update_phase2(weight, g, nd.norm(master), nd.norm(g), master, lr=lr, out=weight, **self._bounds())
            else:
                mean, var = state
                g = nd.lamb_update_phase1(weight, grad, mean, var, wd=wd, t=t, **kw)
                nd.lamb_update_phase2(weight, g, nd.norm(weight), nd.norm(g), lr=lr, out=weight, **self._bounds())
            return
        weights, grads, states = list(weight), list(grad), list(state)
        for w, g in zip(weights, grads):
            self._check_arrays(w, g)
        self._update_count(index)
        steps = [self._index_update_count[i] for i in index]
        lrs, wds = self._get_lrs(index), self._get_wds(index)
        kw.update(self._bounds())
        for s in range(0, len(weights), self.aggregate_num):
            e = s + self.aggregate_num
            ws, chunk = weights[s:e], states[s:e]
            common = {"step_count": steps[s:e], "lrs": lrs[s:e], "wds": wds[s:e], "out": ws, **kw}
            if multi_precision:
                means, variances = [st[1][0] for st in chunk], [st[1][1] for st in chunk]
                nd.contrib.multi_mp_lamb_update(ws, grads[s:e], means, variances, [st[0] for st in chunk], **common)
            else:
                nd.contrib.multi_lamb_update(ws, grads[s:e], [st[0] for st in chunk], [st[1] for st in chunk], **common)

    def update(self, index, weight, grad, state) -> None:
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state) -> None:
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state, multi_precision=self.multi_precision and first.dtype == np.float16)
