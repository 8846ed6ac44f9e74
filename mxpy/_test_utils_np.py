"""``mx.test_utils`` helpers for ``mx.np`` code: hybridized vs imperative consistency."""

from __future__ import annotations

import numpy as np


def check_gluon_hybridize_consistency(net_builder, data_l, numpy_func=None, test_grad=True, rtol=1e-4, atol=1e-4):
    """Check a HybridBlock built by ``net_builder(prefix=...)`` gives the same outputs (and
    input gradients, with ``test_grad``) imperatively and hybridized, from the same
    parameters; with ``numpy_func``, also the same as that NumPy function.

    The network must not draw random numbers.

    >>> import mxpy as mx
    >>> from mxpy.gluon import nn
    >>> mx.npx.set_np()
    >>> check_gluon_hybridize_consistency(lambda prefix: nn.Dense(2, prefix=prefix), [mx.np.ones((1, 3))])
    >>> mx.npx.reset_np()
    """
    from . import autograd
    from . import initializer as init

    class _Saved(init.Initializer):
        """Every parameter from the first net's values, by name."""

        def __init__(self, values):
            super().__init__()
            self._values = values

        def __call__(self, desc, arr):
            arr[:] = self._values[str(desc)]

    saved_params = None
    saved_out = None
    saved_grads = None
    for hybridize in (False, True):
        for use_autograd in (False, True) if test_grad else (False,):
            net = net_builder(prefix="net_")
            if saved_params is None:
                net.initialize()
            else:
                net.initialize(_Saved(saved_params))
            if hybridize:
                net.hybridize()
            inputs = [x.copy() for x in data_l]
            if use_autograd:
                for x in inputs:
                    x.attach_grad()
                with autograd.record():
                    out = net(*inputs)
                out.backward(out)
            else:
                out = net(*inputs)
            if saved_params is None:
                saved_params = {k: v.data().copy() for k, v in net.collect_params().items()}
            if saved_out is None:
                saved_out = out.asnumpy()
            else:
                np.testing.assert_allclose(out.asnumpy(), saved_out, rtol=rtol, atol=atol)
            if use_autograd:
                grads = [x.grad.asnumpy() for x in inputs]
                if saved_grads is None:
                    saved_grads = grads
                else:
                    for g, s in zip(grads, saved_grads):
                        np.testing.assert_allclose(g, s, rtol=rtol, atol=atol)
    if numpy_func is not None:
        np.testing.assert_allclose(saved_out, numpy_func(*[x.asnumpy() for x in data_l]), rtol=rtol, atol=atol)
