"""Float64 gradient checks for operators: symbolic backward vs central differences.

``check_gradient("Activation", [x], {"act_type": "tanh"})`` binds the op with
float64 inputs, runs forward/backward with a fixed random head gradient, and
compares each input's gradient with the central difference of
``sum(output * head_grad)``. Also checks autograd gives the same gradients.
"""

from __future__ import annotations

import numpy as np

import mxpy as mx


def _bind(op_name, inputs, params, aux=None):
    syms = [mx.sym.Variable(f"in{i}") for i in range(len(inputs))]
    sym = getattr(mx.sym, op_name)(*syms, **params)
    names = sym.list_arguments()
    args = {f"in{i}": mx.nd.array(x, dtype="float64") for i, x in enumerate(inputs)}
    for n in names:  # inputs the op created itself (none when all are given)
        if n not in args:
            raise AssertionError(f"{op_name}: argument {n} was not given")
    aux_names = sym.list_auxiliary_states()
    aux_arrays = {n: mx.nd.array(a, dtype="float64") for n, a in zip(aux_names, aux or [])}
    grads = {n: mx.nd.zeros(args[n].shape, dtype="float64") for n in names}
    ex = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write", aux_states=aux_arrays or None)
    return sym, ex, names


def check_gradient(op_name, inputs, params=None, wrt=None, eps=1e-6, rtol=1e-4, atol=1e-6, aux=None, is_train=True, seed=0):
    """Assert analytic gradients of ``op_name`` match central differences (float64)."""
    params = dict(params or {})
    inputs = [np.array(x, dtype=np.float64, copy=True) for x in inputs]  # perturbed in place below
    sym, ex, names = _bind(op_name, inputs, params, aux)
    outs = ex.forward(is_train=is_train)
    rng = np.random.default_rng(seed)
    heads = [rng.standard_normal(o.shape) for o in outs]
    ex.backward([mx.nd.array(h, dtype="float64") for h in heads])
    analytic = [ex.grad_dict[n].asnumpy() for n in names]
    wrt = range(len(inputs)) if wrt is None else wrt

    def objective(values):
        sym2, ex2, _ = _bind(op_name, values, params, aux)
        o2 = ex2.forward(is_train=is_train)
        return sum(float((o.asnumpy() * h).sum()) for o, h in zip(o2, heads))

    for i in wrt:
        num = np.zeros_like(inputs[i])
        flat = inputs[i].reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            up = objective(inputs)
            flat[j] = old - eps
            down = objective(inputs)
            flat[j] = old
            num.reshape(-1)[j] = (up - down) / (2 * eps)
        np.testing.assert_allclose(analytic[i], num, rtol=rtol, atol=atol, err_msg=f"{op_name} gradient of input {i} ({names[i]}) {params}")
    return analytic
