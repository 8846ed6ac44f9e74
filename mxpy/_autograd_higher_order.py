"""Second-order gradient rules for autograd's copied graphs (``autograd.grad(create_graph=True)``).

Kept apart from ``mxpy/autograd.py``: these rules only matter for higher-order gradients.
"""

from __future__ import annotations

import copy
import math

from .base import MXNetError
from .registry import get

# -- second-order rules -------------------------------------------------------------------------
# ``_backward_unary(og, a, op=f)`` computes og * f'(.) from ``a`` (the forward input, or
# the output for the ops in elemwise's _USE_OUT). Its gradient: with respect to og,
# the same op on the incoming gradient; with respect to a, gg * og * d/da f'(.),
# built from differentiable forward ops so that third-order gradients work too.
# Each entry builds d/da f'(a) times ``w`` (= gg * og); None: the derivative is zero.
# The ops are MXNet 1.9.1's with second-order support; the others raise its error.


def _scaled(g, e, s: float):
    return g.op1("_mul_scalar", [e], scalar=s)


def _pow(g, e, s: float):
    return g.op1("_power_scalar", [e], scalar=s)


def _mul(g, a, b):
    return g.op1("elemwise_mul", [a, b])


def _neg(g, e):
    return g.op1("negative", [e])


def _sq(g, e):
    return g.op1("square", [e])


_SECOND = {
    "sin": lambda g, w, x: _mul(g, w, _neg(g, g.op1("sin", [x]))),
    "cos": lambda g, w, x: _mul(g, w, _neg(g, g.op1("cos", [x]))),
    "sinh": lambda g, w, x: _mul(g, w, g.op1("sinh", [x])),
    "cosh": lambda g, w, x: _mul(g, w, g.op1("cosh", [x])),
    "expm1": lambda g, w, x: _mul(g, w, g.op1("exp", [x])),
    "log": lambda g, w, x: _mul(g, w, _neg(g, g.op1("reciprocal", [_sq(g, x)]))),
    "log2": lambda g, w, x: _mul(g, w, _scaled(g, g.op1("reciprocal", [_sq(g, x)]), -1 / math.log(2.0))),
    "log10": lambda g, w, x: _mul(g, w, _scaled(g, g.op1("reciprocal", [_sq(g, x)]), -1 / math.log(10.0))),
    "log1p": lambda g, w, x: _mul(g, w, _neg(g, g.op1("reciprocal", [_sq(g, g.op1("_plus_scalar", [x], scalar=1.0))]))),
    "rsqrt": lambda g, w, x: _mul(g, w, _scaled(g, _pow(g, x, -2.5), 0.75)),
    "rcbrt": lambda g, w, x: _mul(g, w, _scaled(g, _pow(g, x, -7 / 3), 4 / 9)),
    "square": lambda g, w, x: _scaled(g, w, 2.0),
    "reciprocal": lambda g, w, x: _mul(g, w, _scaled(g, _pow(g, x, -3.0), 2.0)),
    "abs": None,
    "radians": None,
    "relu": None,
    # d/dx (1 - x^2)^-1/2 = x (1 - x^2)^-3/2, and the like
    "arcsin": lambda g, w, x: _mul(g, w, _mul(g, x, _pow(g, g.op1("_rminus_scalar", [_sq(g, x)], scalar=1.0), -1.5))),
    "arccos": lambda g, w, x: _mul(g, w, _neg(g, _mul(g, x, _pow(g, g.op1("_rminus_scalar", [_sq(g, x)], scalar=1.0), -1.5)))),
    "arctan": lambda g, w, x: _mul(g, w, _scaled(g, _mul(g, x, _pow(g, g.op1("_plus_scalar", [_sq(g, x)], scalar=1.0), -2.0)), -2.0)),
    # MXNet 1.9.1 returns these two with the wrong sign (+x...); mxpy gives the true derivative
    "arcsinh": lambda g, w, x: _mul(g, w, _neg(g, _mul(g, x, _pow(g, g.op1("_plus_scalar", [_sq(g, x)], scalar=1.0), -1.5)))),
    "arccosh": lambda g, w, x: _mul(g, w, _neg(g, _mul(g, x, _pow(g, g.op1("_minus_scalar", [_sq(g, x)], scalar=1.0), -1.5)))),
    "arctanh": lambda g, w, x: _mul(g, w, _scaled(g, _mul(g, x, _pow(g, g.op1("_rminus_scalar", [_sq(g, x)], scalar=1.0), -2.0)), 2.0)),
    # these read the forward output y
    "exp": lambda g, w, y: w,
    "sqrt": lambda g, w, y: _mul(g, w, _scaled(g, g.op1("reciprocal", [_sq(g, y)]), -0.5)),
    "cbrt": lambda g, w, y: _mul(g, w, _scaled(g, _pow(g, y, -3.0), -2 / 3)),
    "tan": lambda g, w, y: _mul(g, w, _scaled(g, y, 2.0)),
    "tanh": lambda g, w, y: _mul(g, w, _scaled(g, y, -2.0)),
    "sigmoid": lambda g, w, y: _mul(g, w, g.op1("_rminus_scalar", [_scaled(g, y, 2.0)], scalar=1.0)),
}


def _backward_unary_gradient(g, ograds):
    gg = ograds[0]
    if gg is None:
        return [None, None]
    name = g.p["op"]
    if name not in _SECOND:
        raise MXNetError(f"Operator _backward_{name} is non-differentiable because it didn't register FGradient attribute.")
    og, a = g.inputs
    d_og = g.op1("_backward_unary", [gg, a], op=name)
    build = _SECOND[name]
    return [d_og, None if build is None else build(g, _mul(g, gg, og), a)]


def _backward_clip_gradient(g, ograds):
    # the mask does not depend smoothly on data: only og gets a gradient
    return [None if ograds[0] is None else g.op1("_backward_clip", [ograds[0], g.inputs[1]], g.attrs), None]


def higher_order_ops() -> dict:
    """Copies of the backward records with the rules above, keyed by the registry record.

    Only autograd's copied graphs use them (``autograd._collect`` swaps them in), so the
    registry keeps MXNet's first-order records and symbolic graphs are unchanged.
    """
    out = {}
    for name, rule in (("_backward_unary", _backward_unary_gradient), ("_backward_clip", _backward_clip_gradient)):
        op = get(name)
        if op.gradient is None:
            twin = copy.copy(op)
            twin.gradient = rule
            out[op] = twin
    return out
