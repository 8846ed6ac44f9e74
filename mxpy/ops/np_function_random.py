"""The samplers ``_npi_random_function`` applies (``random.beta``, ``random.rayleigh``,
``npx.random.normal_n``...): the context generator's method of that name, with MXNet's
parameter checks, and reparameterized gradients computed from the samples.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as _onp

from .np_function_table import _unbroadcast
from .np_functions import FUNCTIONS, add_function

# -- samplers: rng.<dist>(params..., size); reparameterized gradients from the samples --------


def _shape_of(v) -> tuple:
    """A parameter's shape: a device array's own, a number's ()."""
    return tuple(v.shape) if hasattr(v, "shape") else _onp.shape(v)


def _sampler(dist: str, names: tuple, defaults: tuple):
    def compute(xp, *args, rng, size=None, dtype=None, ctx=None, out=None, **kwargs):
        if len(args) > len(names):  # size (then dtype, ctx) given by position
            size = args[len(names)]
        vals = dict(zip(names, defaults))
        vals.update(zip(names, args))
        vals.update({k: v for k, v in kwargs.items() if k in names})
        if size is None:
            shapes = [_shape_of(v) for v in vals.values()]
            size = _onp.broadcast_shapes(*shapes) if shapes else ()
        return getattr(rng, dist)(*vals.values(), size=size)

    return compute


def _param_of(args, kwargs, k: int, name: str, default):
    return kwargs.get(name, args[k] if len(args) > k else default)


def _reparam_vjp(name: str, default, d_out: Callable):
    """Gradient of a sampler with one parameter ``name`` (the first): ``d_out(xp, sample, param)``."""

    def vjp(xp, og, ins, args, kwargs, outs):
        param = _param_of(args, kwargs, 0, name, default)
        grads: list = [None] * len(ins)
        for k, v in enumerate(ins):
            if v is param:
                grads[k] = _unbroadcast(xp, og[0] * d_out(xp, outs[0], xp.asarray(param, dtype=outs[0].dtype)), v.shape)
        return grads

    return vjp


for _dist, _names, _defaults in (
    ("beta", ("a", "b"), (None, None)),
    ("chisquare", ("df",), (None,)),
    ("binomial", ("n", "p"), (None, None)),
):
    add_function(f"random.{_dist}", _sampler(_dist, _names, _defaults), rng=True)


def _gamma_compute(xp, *args, rng, **kwargs):
    shape, scale = (list(args) + [kwargs.pop("shape", 1.0), kwargs.pop("scale", 1.0)])[:2] if len(args) < 2 else args[:2]
    if xp.any(xp.asarray(shape) <= 0) or xp.any(xp.asarray(scale) <= 0):
        raise ValueError("gamma: shape and scale must be positive")  # as MXNet (NumPy allows 0)
    return _sampler("gamma", ("shape", "scale"), (1.0, 1.0))(xp, shape, scale, *args[2:], rng=rng, **kwargs)


add_function("random.gamma", _gamma_compute, rng=True)


def _two_param_vjp(names: tuple, defaults: tuple, d_first: Callable, d_second: Callable):
    """Gradient of a sampler with two parameters from its samples: ``d_*(xp, out, p1, p2)``."""

    def vjp(xp, og, ins, args, kwargs, outs):
        p1 = _param_of(args, kwargs, 0, names[0], defaults[0])
        p2 = _param_of(args, kwargs, 1, names[1], defaults[1])
        o = outs[0]
        a1, a2 = xp.asarray(p1, dtype=o.dtype), xp.asarray(p2, dtype=o.dtype)
        grads: list = [None] * len(ins)
        for k, v in enumerate(ins):
            if v is p1:
                grads[k] = _unbroadcast(xp, og[0] * d_first(xp, o, a1, a2), v.shape)
            elif v is p2:
                grads[k] = _unbroadcast(xp, og[0] * d_second(xp, o, a1, a2), v.shape)
        return grads

    return vjp


# out = loc + scale * N; low + (high - low) * U; exp(mean + sigma * N)
add_function(
    "random.normal",
    _sampler("normal", ("loc", "scale"), (0.0, 1.0)),
    vjp=_two_param_vjp(("loc", "scale"), (0.0, 1.0), lambda xp, o, m, s: xp.ones_like(o), lambda xp, o, m, s: (o - m) / s),
    rng=True,
)
for _dist in ("logistic", "gumbel"):  # loc-scale families, as normal
    add_function(
        f"random.{_dist}",
        _sampler(_dist, ("loc", "scale"), (0.0, 1.0)),
        vjp=_two_param_vjp(("loc", "scale"), (0.0, 1.0), lambda xp, o, m, s: xp.ones_like(o), lambda xp, o, m, s: (o - m) / s),
        rng=True,
    )
add_function(
    "random.uniform",
    _sampler("uniform", ("low", "high"), (0.0, 1.0)),
    vjp=_two_param_vjp(("low", "high"), (0.0, 1.0), lambda xp, o, lo, hi: (hi - o) / (hi - lo), lambda xp, o, lo, hi: (o - lo) / (hi - lo)),
    rng=True,
)
add_function(
    "random.lognormal",
    _sampler("lognormal", ("mean", "sigma"), (0.0, 1.0)),
    vjp=_two_param_vjp(("mean", "sigma"), (0.0, 1.0), lambda xp, o, m, s: o, lambda xp, o, m, s: o * (xp.log(o) - m) / s),
    rng=True,
)


def _sampler_n(dist: str, names: tuple, defaults: tuple):
    """npx's *_n samplers: ``batch_shape`` + the parameters' broadcast shape."""
    draw = _sampler(dist, names, defaults)

    def compute(xp, *args, rng, batch_shape=None, dtype=None, ctx=None, **kwargs):
        vals = dict(zip(names, defaults))
        vals.update(zip(names, args))
        vals.update({k: v for k, v in kwargs.items() if k in names})
        batch = () if batch_shape is None else ((batch_shape,) if isinstance(batch_shape, int) else tuple(batch_shape))
        size = batch + tuple(_onp.broadcast_shapes(*(_shape_of(v) for v in vals.values())))
        return draw(xp, *vals.values(), rng=rng, size=size)

    return compute


add_function(
    "npx.random.uniform_n",
    _sampler_n("uniform", ("low", "high"), (0.0, 1.0)),
    vjp=_two_param_vjp(("low", "high"), (0.0, 1.0), lambda xp, o, lo, hi: (hi - o) / (hi - lo), lambda xp, o, lo, hi: (o - lo) / (hi - lo)),
    rng=True,
)
add_function(
    "npx.random.normal_n",
    _sampler_n("normal", ("loc", "scale"), (0.0, 1.0)),
    vjp=_two_param_vjp(("loc", "scale"), (0.0, 1.0), lambda xp, o, m, s: xp.ones_like(o), lambda xp, o, m, s: (o - m) / s),
    rng=True,
)


def _choice_compute(xp, a, size=None, replace=True, p=None, ctx=None, out=None, rng=None):
    if p is not None:  # float32 weights rarely sum to exactly 1: normalise as MXNet does
        p = xp.asarray(p, dtype=xp.float64)
        p = p / p.sum()
    return rng.choice(a, size=size, replace=replace, p=p)


add_function("random.choice", _choice_compute, rng=True)


def _constraint_check(xp, x, msg="Constraint violated"):
    if not bool(xp.all(x)):
        raise ValueError(msg)
    return xp.asarray(True)


add_function("npx.constraint_check", _constraint_check)
FUNCTIONS["npx.constraint_check"].probe_fill = 1  # its stand-in input must hold true
# out = scale * sqrt(2E), scale * E; out = E ** (1 / a); out = exp(E / a) - 1 (E standard exponential)
add_function("random.rayleigh", _sampler("rayleigh", ("scale",), (1.0,)), vjp=_reparam_vjp("scale", 1.0, lambda xp, o, s: o / s), rng=True)
add_function("random.exponential", _sampler("exponential", ("scale",), (1.0,)), vjp=_reparam_vjp("scale", 1.0, lambda xp, o, s: o / s), rng=True)


def _positive_a(compute: Callable) -> Callable:
    def checked(xp, *args, **kwargs):
        a = args[0] if args else kwargs.get("a")
        if xp.any(xp.asarray(a) <= 0):
            raise ValueError("a must be positive")  # as MXNet (NumPy allows a = 0 for some)
        return compute(xp, *args, **kwargs)

    return checked


add_function("random.weibull", _positive_a(_sampler("weibull", ("a",), (None,))), vjp=_reparam_vjp("a", None, lambda xp, o, a: -o * xp.log(o) / a), rng=True)
add_function("random.power", _positive_a(_sampler("power", ("a",), (None,))), vjp=_reparam_vjp("a", None, lambda xp, o, a: -o * xp.log(o) / a), rng=True)
add_function(
    "random.pareto", _positive_a(_sampler("pareto", ("a",), (None,))), vjp=_reparam_vjp("a", None, lambda xp, o, a: -(o + 1) * xp.log1p(o) / a), rng=True
)


def _mvn_compute(xp, mean, cov, size=None, check_valid=None, tol=None, dtype=None, ctx=None, out=None, rng=None):
    # batched: mean (..., k) and cov (..., k, k) broadcast together; mean + L z with cov = L L^T
    mean64, cov64 = xp.asarray(mean, dtype=xp.float64), xp.asarray(cov, dtype=xp.float64)
    batch = tuple(_onp.broadcast_shapes(mean64.shape, cov64.shape[:-1]))
    lead = () if size is None else ((size,) if isinstance(size, int) else tuple(size))
    chol = xp.linalg.cholesky(cov64)
    z = rng.standard_normal(lead + batch)
    return mean64 + (chol @ z[..., None])[..., 0]


add_function("random.multivariate_normal", _mvn_compute, grad="missing", rng=True)
