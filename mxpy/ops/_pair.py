"""Register an operator together with its ``_backward_<name>`` record.

Many operators added for MXNet's long tail (linalg, contrib, the spatial
samplers) have a forward and a vector-Jacobian product that are each a few
lines of array code. :func:`register_pair` turns two such functions into the
two records every other family writes by hand: the forward op, and a backward
op whose inputs are the head gradients, the forward inputs and the forward
outputs, and whose outputs are the input gradients.

``forward(p, xp, *ins)`` returns one array or a tuple (one per output).
``backward(p, xp, ograds, ins, outs)`` returns one gradient (or None for
zero) per input; head gradients the graph does not supply arrive as zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..registry import OpDef, register, same_type
from ._util import store


def _as_list(value) -> list:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _names(spec, p) -> list[str]:
    return list(spec(p)) if callable(spec) else list(spec)


def write_all(outs, req, values) -> None:
    """Store each value into its output as ``req`` says."""
    for o, r, v in zip(outs, req, values):
        if v is None:
            if r == "write" or r == "inplace":
                o[...] = 0
        else:
            store(o, r, v)


def register_pair(
    name: str,
    forward: Callable,
    backward: Callable | None,
    *,
    params: dict | None = None,
    inputs: Sequence[str] | Callable = ("data",),
    outputs: Sequence[str] | Callable = ("output",),
    num_visible_outputs: Callable | None = None,
    infer_shape: Callable,
    infer_type: Callable | None = None,
    aliases: Sequence[str] = (),
    no_grad_inputs: Sequence[str] = (),
    is_loss: bool = False,
    variadic: str | None = None,
    differentiable: bool = True,
    doc: str = "",
) -> OpDef:
    """Register ``name`` (and ``_backward_<name>`` when ``backward`` is given).

    ``no_grad_inputs`` names inputs that never get a gradient (labels, indices).
    ``differentiable=False`` registers no gradient rule at all (MXNet's ops without
    FGradient): binding or autograd through it with a gradient flowing is an error.
    """
    if not differentiable and backward is not None:
        raise ValueError(f"register_pair({name!r}): a backward kernel for a non-differentiable operator")
    bname = f"_backward_{name}"
    n_type = infer_type or (lambda p, t: same_type(p, t, len(_names(outputs, p))))

    def kernel(p, ins, outs, req, rt):
        write_all(outs, req, _as_list(forward(p, rt.xp, *ins)))

    def gradient(g, ograds):
        in_names = _names(inputs, g.p)
        if backward is None:
            return [None] * len(in_names)
        heads = [og if og is not None else g.op1("zeros_like", [out]) for og, out in zip(ograds, g.outputs)]
        if is_loss:
            heads = [g.op1("zeros_like", [out]) for out in g.outputs]
        grads = g.op(bname, [*heads, *g.inputs, *g.outputs], g.attrs)
        return [None if n in no_grad_inputs else gr for n, gr in zip(in_names, grads)]

    fwd = register(
        OpDef(
            name,
            kernel,
            params=params,
            inputs=inputs,
            outputs=outputs,
            num_visible_outputs=num_visible_outputs,
            infer_shape=infer_shape,
            infer_type=n_type,
            gradient=gradient if differentiable else None,
            aliases=aliases,
            is_loss=is_loss,
            variadic=variadic,
            doc=doc,
        )
    )
    if backward is None:
        return fwd

    def b_inputs(p):
        outs = _names(outputs, p)
        return [f"ograd_{o}" for o in outs] + _names(inputs, p) + [f"out_{o}" for o in outs]

    def b_kernel(p, ins, outs, req, rt):
        n_out = len(_names(outputs, p))
        n_in = len(outs)
        ograds = list(ins[:n_out])
        f_ins = list(ins[n_out : n_out + n_in])
        f_outs = list(ins[n_out + n_in :])
        grads = _as_list(backward(p, rt.xp, ograds, f_ins, f_outs))
        write_all(outs, req, [None if gr is None else rt.xp.asarray(gr).astype(o.dtype, copy=False) for gr, o in zip(grads, outs)])

    def b_shape(p, s):
        n_out = len(_names(outputs, p))
        n_in = len(_names(inputs, p))
        return list(s), list(s[n_out : n_out + n_in])

    def b_type(p, t):
        n_out = len(_names(outputs, p))
        n_in = len(_names(inputs, p))
        f_t = [x if x is not None else np.dtype(np.float32) for x in t[n_out : n_out + n_in]]
        return list(t), f_t

    register(
        OpDef(
            bname,
            b_kernel,
            params=params,
            inputs=b_inputs,
            outputs=lambda p: _names(inputs, p),
            variadic="inputs",
            infer_shape=b_shape,
            infer_type=b_type,
            doc=f"Gradient of {name} for each of its inputs.",
        )
    )
    return fwd
