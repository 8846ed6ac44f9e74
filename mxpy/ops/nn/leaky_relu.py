"""LeakyReLU: leaky, prelu, rrelu, elu, selu and gelu (erf form) activations.

``prelu`` learns ``gamma`` per channel (axis 1; a shape ``(1,)`` gamma is
shared). ``rrelu`` draws a slope in ``[lower_bound, upper_bound)`` per element
in training and uses their mean at inference; like MXNet it returns two
outputs, the result and the slope mask.
"""

from __future__ import annotations

import math

import numpy as np

from ...registry import OpDef, Param, ShapeError, merge_shape, names, register, same_type
from .._mathfn import erf
from .._util import store

_ACTS = ("leaky", "prelu", "rrelu", "elu", "selu", "gelu")
_PARAMS = {
    "act_type": Param("str", "leaky", choices=_ACTS, doc="the activation"),
    "slope": Param("float", 0.25, doc="negative slope (leaky) or alpha (elu)"),
    "lower_bound": Param("float", 0.125, doc="lower bound of the rrelu slope"),
    "upper_bound": Param("float", 0.334, doc="upper bound of the rrelu slope"),
}
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


@names("data", "gamma")
def _inputs(p):
    return ["data", "gamma"] if p.act_type == "prelu" else ["data"]


def _outputs(p):
    return ["output", "mask"] if p.act_type == "rrelu" else ["output"]


def _infer_shape(p, in_shapes):
    data = in_shapes[0]
    if p.act_type == "prelu":
        gamma = in_shapes[1] if len(in_shapes) > 1 else None
        if data is not None:
            want = (data[1],) if len(data) >= 2 else (1,)
            if gamma is None or gamma != (1,):
                gamma = merge_shape(gamma, want, "gamma", f"from the data {data}'s {want[0]} channels (or (1,))")
        return [data, gamma], [data]
    return [data], [data] * len(_outputs(p))


def _gamma_b(gamma, ndim: int):
    if gamma.size == 1 or ndim < 2:
        return gamma.reshape((1,) * ndim) if ndim else gamma.reshape(())
    return gamma.reshape((1, gamma.shape[0]) + (1,) * (ndim - 2))


def _f(x):
    return x.dtype.type


def _forward(p, ins, outs, req, rt):
    xp = rt.xp
    x = ins[0]
    act = p.act_type
    with np.errstate(over="ignore"):
        if act == "leaky":
            y = xp.where(x > 0, x, x * _f(x)(p.slope))
        elif act == "prelu":
            y = xp.where(x > 0, x, x * _gamma_b(ins[1], x.ndim))
        elif act == "elu":
            y = xp.where(x > 0, x, _f(x)(p.slope) * xp.expm1(x))
        elif act == "selu":
            y = _f(x)(_SELU_LAMBDA) * xp.where(x > 0, x, _f(x)(_SELU_ALPHA) * xp.expm1(x))
        elif act == "gelu":
            xd = x.astype(np.float64)
            y = 0.5 * xd * (1.0 + erf(xp, xd / math.sqrt(2.0)))
        else:  # rrelu
            mask = outs[1]
            if rt.is_train:
                lo, hi = p.lower_bound, p.upper_bound
                mask[...] = lo + (hi - lo) * rt.rng.random(x.shape, dtype=np.float32)
            else:
                mask[...] = (p.lower_bound + p.upper_bound) / 2.0
            y = xp.where(x > 0, x, x * mask)
    store(outs[0], req[0], y.astype(x.dtype, copy=False))


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, x = ins[0], ins[1]
    act = p.act_type
    with np.errstate(over="ignore"):
        if act == "leaky":
            d = xp.where(x > 0, _f(x)(1), _f(x)(p.slope))
        elif act == "prelu":
            gamma = ins[2]
            d = xp.where(x > 0, _f(x)(1), _gamma_b(gamma, x.ndim))
            neg = og * xp.where(x > 0, _f(x)(0), x)
            if gamma.size == 1 or x.ndim < 2:
                dg = neg.sum().reshape(gamma.shape)
            else:
                dg = neg.sum(axis=tuple(i for i in range(x.ndim) if i != 1))
            store(outs[1], req[1], dg.astype(gamma.dtype, copy=False))
        elif act == "elu":
            d = xp.where(x > 0, _f(x)(1), _f(x)(p.slope) * xp.exp(x))
        elif act == "selu":
            # MXNet 1.9.1 evaluates lambda * (out + alpha) with out the *scaled*
            # output, i.e. not exactly the derivative lambda * alpha * exp(x); we
            # reproduce its numbers (checked against the reference build)
            out = _f(x)(_SELU_LAMBDA * _SELU_ALPHA) * xp.expm1(x)
            d = _f(x)(_SELU_LAMBDA) * xp.where(x > 0, _f(x)(1), out + _f(x)(_SELU_ALPHA))
        elif act == "gelu":
            xd = x.astype(np.float64)
            d = 0.5 * (1.0 + erf(xp, xd / math.sqrt(2.0))) + xd * xp.exp(-0.5 * xd * xd) / math.sqrt(2.0 * math.pi)
        else:  # rrelu: the saved slope mask
            d = xp.where(x > 0, _f(x)(1), ins[2])
    store(outs[0], req[0], (og * d).astype(x.dtype, copy=False))


def _gradient(g, ograds):
    act = g.p.act_type
    ins = [ograds[0], g.inputs[0]]
    if act == "prelu":
        ins.append(g.inputs[1])
    elif act == "rrelu":
        ins.append(g.outputs[1])
    return g.op("_backward_LeakyReLU", ins, g.attrs)


def _check_bounds(p):
    if p.act_type == "rrelu" and p.lower_bound > p.upper_bound:
        raise ShapeError(f"lower_bound {p.lower_bound} must not exceed upper_bound {p.upper_bound}")


def _infer_shape_checked(p, in_shapes):
    _check_bounds(p)
    return _infer_shape(p, in_shapes)


register(
    OpDef(
        "LeakyReLU",
        _forward,
        params=_PARAMS,
        inputs=_inputs,
        outputs=_outputs,
        infer_shape=_infer_shape_checked,
        infer_type=lambda p, t: same_type(p, t, len(_outputs(p))),
        gradient=_gradient,
        needs_rng=True,
        doc=(
            "Leaky ReLU family: leaky, prelu (learned gamma), rrelu (random slope), elu, selu, gelu.\n\n"
            ">>> import mxpy as mx\n>>> mx.nd.LeakyReLU(mx.nd.array([-2, 3]), slope=0.5).asnumpy().tolist()\n[-1.0, 3.0]"
        ),
    )
)


@names("ograd", "data", "gamma", "mask")
def _bwd_inputs(p):
    if p.act_type == "prelu":
        return ["ograd", "data", "gamma"]
    if p.act_type == "rrelu":
        return ["ograd", "data", "mask"]
    return ["ograd", "data"]


register(
    OpDef(
        "_backward_LeakyReLU",
        _backward,
        params=_PARAMS,
        inputs=_bwd_inputs,
        outputs=lambda p: ["data", "gamma"] if p.act_type == "prelu" else ["data"],
        infer_shape=lambda p, s: (list(s), [s[1], s[2]] if p.act_type == "prelu" else [s[1]]),
        infer_type=lambda p, t: (list(t), [t[1], t[2]] if p.act_type == "prelu" else [t[1]]),
        doc="Gradients of LeakyReLU for data (and gamma for prelu).",
    )
)
