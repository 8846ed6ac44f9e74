"""Battery cases for ops registered with ``mxpy.ops._pair.register_pair``.

:func:`add_pair` adds the forward case and a case for its ``_backward_<op>``
record, whose expected outputs are float64 central differences of
``sum(ograd * ref(inputs))`` (the NumPy reference of the forward), so the
backward kernel is checked against the reference, not against itself.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import add


def _as_list(v) -> list:
    return list(v) if isinstance(v, (list, tuple)) else [v]


def numeric_vjp(full_ref: Callable, ins: list, params: dict, ograds: list, wrt, eps: float = 1e-6) -> list:
    """Central-difference gradients of ``sum_j ograds[j] * full_ref(ins)[j]`` per input in ``wrt``."""
    ins64 = [x.astype(np.float64) if x.dtype.kind == "f" else x for x in ins]

    def f(xs):
        outs = _as_list(full_ref(*xs, **params))
        return sum(float((np.asarray(o, np.float64) * og).sum()) for o, og in zip(outs, ograds))

    grads = []
    for i, x in enumerate(ins):
        g = np.zeros(x.shape, np.float64)
        if i in wrt:
            for idx in np.ndindex(x.shape):
                xs = [a.copy() for a in ins64]
                xs[i][idx] += eps
                hi = f(xs)
                xs[i][idx] -= 2 * eps
                lo = f(xs)
                g[idx] = (hi - lo) / (2 * eps)
        grads.append(g.astype(x.dtype))
    return grads


def has_backward(op: str) -> bool:
    from mxpy import registry

    return registry.find(f"_backward_{op}") is not None


def add_pair(
    op: str, inputs: list, params: dict | None = None, ref: Callable | None = None, *, full_ref=None, wrt=None, grad_outputs=None, brtol=1e-3, batol=1e-4, **kw
):
    """The forward case of ``op`` and a case of ``_backward_<op>`` checked by :func:`numeric_vjp`.

    ``full_ref`` returns every output, hidden ones too (default ``ref``);
    ``wrt`` are the inputs that get gradients (default every float input);
    ``grad_outputs`` the outputs given a head gradient (default the visible ones).
    """
    params = dict(params or {})
    add(op, inputs, params, ref, grad_outputs=grad_outputs, **kw)
    if not has_backward(op):
        return
    full_ref = full_ref or ref
    ins = [np.asarray(x) for x in inputs]
    outs = [np.asarray(o) for o in _as_list(full_ref(*[x.copy() for x in ins], **params))]
    n_vis = len(_as_list(ref(*[x.copy() for x in ins], **params)))
    gout = grad_outputs if grad_outputs is not None else tuple(range(n_vis))
    rng = np.random.default_rng(len(op))
    ograds = [rng.uniform(-1, 1, o.shape).astype(o.dtype) if j in gout else np.zeros_like(o) for j, o in enumerate(outs)]
    wrt = tuple(i for i, x in enumerate(ins) if x.dtype.kind == "f") if wrt is None else tuple(wrt)
    # hidden outputs take no head gradient, so the visible reference is enough here
    want = numeric_vjp(ref, ins, params, ograds[:n_vis], wrt)
    add(f"_backward_{op}", [*ograds, *ins, *outs], params, ref=lambda *a, **p: want, rtol=brtol, atol=batol, note=kw.get("note", ""))
