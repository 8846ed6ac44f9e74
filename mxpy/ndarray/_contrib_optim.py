"""The optimizer functions of ``mx.nd.contrib``: list-taking front ends of the multi-tensor LAMB
and AdamW operators (mxpy/ops/optimizer_multi.py), with MXNet 1.9.1's signatures.

>>> import mxpy as mx
>>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
>>> _ = mx.nd.contrib.multi_lamb_update([w], [w], [z], [z.copy()], step_count=[1], lrs=[0.1], wds=[0.0], out=[w])
>>> w.asnumpy()
array([0.9, 0.9], dtype=float32)
"""

from __future__ import annotations

from .creation import full
from .ndarray import NDArray
from .register import call

__all__ = ["multi_lamb_update", "multi_mp_lamb_update", "adamw_update", "mp_adamw_update", "multi_adamw_update", "multi_mp_adamw_update"]


def _interleave(*lists) -> list:
    return [a for group in zip(*lists) for a in group]


def _scale(rescale_grad, ctx) -> NDArray:
    # the AdamW operators read the gradient scale from a one-element array
    if isinstance(rescale_grad, NDArray):
        return rescale_grad.as_in_context(ctx)
    return full((1,), rescale_grad, ctx=ctx)


def multi_lamb_update(weights, grads, mean, var, step_count, lrs, wds, out=None, num_tensors=0, **kwargs):
    """One LAMB step for every weight in ``weights`` (lists of NDArrays of matching shapes).

    ``mean`` and ``var`` are updated in place; ``step_count``, ``lrs`` and ``wds`` hold
    one value per weight; the other keywords (beta1, beta2, epsilon, rescale_grad,
    lower_bound, upper_bound, clip_gradient, bias_correction) are the operator's.

    >>> import mxpy as mx
    >>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mx.nd.contrib.multi_lamb_update([w], [w], [z], [z.copy()], step_count=[1], lrs=[0.1], wds=[0.0]).asnumpy()
    array([0.9, 0.9], dtype=float32)
    """
    n = num_tensors or len(weights)
    return call(
        "_multi_lamb_update", *_interleave(weights, grads, mean, var), out=out, num_tensors=n, step_count=step_count, learning_rates=lrs, wds=wds, **kwargs
    )


def multi_mp_lamb_update(weights, grads, mean, var, weights32, step_count, lrs, wds, out=None, num_tensors=0, **kwargs):
    """:func:`multi_lamb_update` for float16 ``weights`` with float32 ``mean``, ``var`` and master
    copies ``weights32`` (all updated in place).

    >>> import mxpy as mx
    >>> w32, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> w = w32.astype("float16")
    >>> mx.nd.contrib.multi_mp_lamb_update([w], [w], [z], [z.copy()], [w32], step_count=[1], lrs=[0.1], wds=[0.0]).dtype.__name__
    'float16'
    """
    n = num_tensors or len(weights)
    return call(
        "_multi_mp_lamb_update",
        *_interleave(weights, grads, mean, var, weights32),
        out=out,
        num_tensors=n,
        step_count=step_count,
        learning_rates=lrs,
        wds=wds,
        **kwargs,
    )


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """One AdamW step (``_adamw_update``); ``rescale_grad`` is a number or a one-element NDArray,
    and a scale of 0, inf or nan skips the update.

    >>> import mxpy as mx
    >>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mx.nd.contrib.adamw_update(w, z, z.copy(), z.copy(), 1.0, lr=0.1, eta=1.0, wd=0.5).asnumpy().tolist()
    [0.5, 0.5]
    """
    scale = _scale(rescale_grad, weight.context)
    return call(
        "_adamw_update",
        weight,
        grad,
        mean,
        var,
        scale,
        lr=lr,
        eta=eta,
        beta1=beta1,
        beta2=beta2,
        epsilon=epsilon,
        wd=wd,
        clip_gradient=clip_gradient,
        out=out,
        **kwargs,
    )


def mp_adamw_update(
    weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9, beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs
):
    """:func:`adamw_update` for a float16 ``weight`` with float32 states and master copy ``weight32``.

    >>> import mxpy as mx
    >>> w32, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mx.nd.contrib.mp_adamw_update(w32.astype("float16"), z.astype("float16"), z, z.copy(), w32, 1.0, lr=0.1, eta=1.0, wd=0.5).asnumpy().tolist()
    [0.5, 0.5]
    """
    scale = _scale(rescale_grad, weight.context)
    return call(
        "_mp_adamw_update",
        weight,
        grad,
        mean,
        var,
        weight32,
        scale,
        lr=lr,
        eta=eta,
        beta1=beta1,
        beta2=beta2,
        epsilon=epsilon,
        wd=wd,
        clip_gradient=clip_gradient,
        out=out,
        **kwargs,
    )


def multi_adamw_update(weights, grads, mean, var, rescale_grad, lrs, wds, etas, out=None, name=None, size=0, **kwargs):
    """AdamW for every weight in ``weights`` in one call (``_multi_adamw_update``).

    >>> import mxpy as mx
    >>> w, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> mx.nd.contrib.multi_adamw_update([w], [z], [z.copy()], [z.copy()], 1.0, lrs=[0.1], wds=[0.5], etas=[1.0]).asnumpy().tolist()
    [0.5, 0.5]
    """
    n = size or len(weights)
    scale = _scale(rescale_grad, weights[0].context)
    return call("_multi_adamw_update", *_interleave(weights, grads, mean, var), scale, out=out, num_weights=n, lrs=lrs, wds=wds, etas=etas, **kwargs)


def multi_mp_adamw_update(weights, grads, mean, var, weights32, rescale_grad, lrs, wds, etas, out=None, name=None, size=0, **kwargs):
    """:func:`multi_adamw_update` for float16 weights with float32 states and master copies.

    >>> import mxpy as mx
    >>> w32, z = mx.nd.ones((2,)), mx.nd.zeros((2,))
    >>> r = mx.nd.contrib.multi_mp_adamw_update([w32.astype("float16")], [z.astype("float16")], [z], [z.copy()], [w32], 1.0, lrs=[0.1], wds=[0.5], etas=[1.0])
    >>> r.asnumpy().tolist()
    [0.5, 0.5]
    """
    n = size or len(weights)
    scale = _scale(rescale_grad, weights[0].context)
    return call(
        "_multi_mp_adamw_update", *_interleave(weights, grads, mean, var, weights32), scale, out=out, num_weights=n, lrs=lrs, wds=wds, etas=etas, **kwargs
    )
