"""Activation: relu, sigmoid, tanh, softrelu, softsign."""

from __future__ import annotations

import numpy as np

from ...registry import OpDef, Param, names, register, same_shape
from .._split import SplitSpec
from .._util import store
from . import _compiled

_ACTS = ("relu", "sigmoid", "tanh", "softrelu", "softsign")
_PARAMS = {"act_type": Param("str", choices=_ACTS, doc="the nonlinearity")}
# the ReLU gradient uses the one-pass kernel of _act_numba when Numba is there
# (tests turn this off to check the NumPy path that stays the fallback)
_COMPILED = True
# ... from this many elements (below, NumPy's three passes cost less than the call)
_MIN_COMPILED = 4096


def _sigmoid(xp, x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + xp.exp(-x))


def _forward(p, ins, outs, req, rt):
    xp, x, out = rt.xp, ins[0], outs[0]
    act = p.act_type
    if req[0] == "add":
        store(out, "add", _value(xp, act, x))
        return
    if act == "relu":
        xp.maximum(x, 0, out=out)
    elif act == "tanh":
        xp.tanh(x, out=out)
    else:
        out[...] = _value(xp, act, x)


def _value(xp, act, x):
    if act == "relu":
        return xp.maximum(x, 0)
    if act == "tanh":
        return xp.tanh(x)
    if act == "sigmoid":
        return _sigmoid(xp, x).astype(x.dtype, copy=False)
    if act == "softrelu":  # log(1 + exp(x)), stable for large |x|
        return (xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)
    return (x / (1 + xp.abs(x))).astype(x.dtype, copy=False)


def _backward(p, ins, outs, req, rt):
    xp = rt.xp
    og, out = ins[0], ins[1]
    act = p.act_type
    if act == "relu":
        if _compiled_relu_grad(xp, og, out, outs[0], req[0]):
            return
        g = og * (out > 0)
    elif act == "sigmoid":
        g = og * out * (1 - out)
    elif act == "tanh":
        g = og * (1 - out * out)
    elif act == "softrelu":
        g = og * -xp.expm1(-out)  # sigmoid(x) = 1 - exp(-softrelu(x))
    else:
        g = og / xp.square(1 + xp.abs(ins[2]))
    store(outs[0], req[0], g)


def _compiled_relu_grad(xp, og, out, dx, req: str) -> bool:
    """``dx = og * (out > 0)`` in one compiled pass when the arrays allow it; False otherwise."""
    if not (_COMPILED and xp is np and req in ("write", "inplace") and og.dtype == out.dtype == dx.dtype):
        return False
    if og.dtype not in (np.float32, np.float64) or og.shape != dx.shape or out.shape != dx.shape:
        return False
    if not (og.flags.c_contiguous and out.flags.c_contiguous and dx.flags.c_contiguous) or dx.size < _MIN_COMPILED:
        return False
    mod = _compiled.load("act")
    if mod is None:
        return False
    if np.may_share_memory(dx, out):
        return False
    if dx.ctypes.data == og.ctypes.data:  # in place (both contiguous, same shape: the same elements)
        mod.relu_grad_inplace(dx.reshape(-1), out.reshape(-1))
    elif np.may_share_memory(dx, og):
        return False
    else:
        mod.relu_grad(og.reshape(-1), out.reshape(-1), dx.reshape(-1))
    return True


@names("ograd", "output", "data")
def _backward_inputs(p):
    # only softsign's derivative needs the input; the others use the output, so
    # the planner may overwrite the input in place (as MXNet does)
    return ["ograd", "output", "data"] if p.act_type == "softsign" else ["ograd", "output"]


def _size(p, ins, outs):
    return int(outs[0].size)


def _gradient(g, ograds):
    ins = [ograds[0], g.outputs[0]] + ([g.inputs[0]] if g.p.act_type == "softsign" else [])
    return g.op("_backward_Activation", ins, g.attrs)


register(
    OpDef(
        "Activation",
        _forward,
        params=_PARAMS,
        gradient=_gradient,
        inplace=((0, 0),),
        split=SplitSpec(split_ins=(0,), split_outs=(0,), summed_outs=(), cost=_size, unit="elements"),
        doc="Elementwise activation function.\n\n>>> import mxpy as mx\n>>> mx.nd.Activation(mx.nd.array([-1, 2]), act_type='relu').asnumpy().tolist()\n[0.0, 2.0]",
    )
)
register(
    OpDef(
        "_backward_Activation",
        _backward,
        params=_PARAMS,
        inputs=_backward_inputs,
        infer_shape=lambda p, s: (same_shape(p, s)[0], [same_shape(p, s)[1][0]]),
        inplace=((0, 0),),
        split=SplitSpec(split_ins=(0, 1, 2), split_outs=(0,), summed_outs=(), cost=_size, unit="elements"),
        doc="Gradient of Activation.",
    )
)
