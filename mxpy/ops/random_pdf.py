"""Densities of the samplers: ``_random_pdf_<dist>`` (alias ``random_pdf_<dist>``).

Each op takes ``sample`` and the distribution parameters as arrays. The
parameter arrays share one shape, the leading sub-shape of ``sample``: entry
``i`` of the parameters describes every sample under index ``i``, so
``sample`` may hold one value per distribution or a whole block of values
(``sample.shape == params.shape + extra``). The Dirichlet is vector-valued:
``alpha`` has a last axis of ``k`` concentrations and so does ``sample``,
which that axis is reduced over.

``is_log=True`` returns the log density. Gradients reach the parameters
(summed over each distribution's block of samples) and, for the continuous
distributions, the samples; as in MXNet the discrete ones (Poisson, the
negative binomials) and the uniform give ``sample`` a zero gradient.

The formulas follow MXNet 1.9.1's kernels, including its parameter choices:
``gamma``'s ``beta`` is a rate (density ``b**a x**(a-1) e**(-b x) / Gamma(a)``),
``negative_binomial``'s ``p`` multiplies as ``p**k (1-p)**x`` and
``generalized_negative_binomial`` is that with ``k = 1/alpha`` and
``p = 1/(mu alpha + 1)``. Nothing is checked against the support, as in MXNet.
Everything is computed in float64 and cast to the samples' dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import Param, ShapeError
from . import _mathfn
from ._pair import register_pair

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


# -- shapes ------------------------------------------------------------------------------


def _pdf_shape(vector: bool):
    """Shape rule: params share one shape, the leading sub-shape of sample."""

    def rule(p, in_shapes):
        in_shapes = list(in_shapes)
        sample, params = in_shapes[0], in_shapes[1:]
        known = [s for s in params if s is not None]
        for s in known[1:]:
            if s != known[0]:
                raise ShapeError(f"the parameter arrays must have one shape; given {known[0]} and {s}")
        if sample is None or not known:
            return in_shapes, [None]
        pshape = tuple(known[0])
        if len(pshape) > len(sample):
            raise ShapeError(f"sample must have at least as many dims as the parameters; given sample {tuple(sample)} and parameters {pshape}")
        if vector and len(pshape) == 0:
            raise ShapeError(f"alpha must have a last axis of concentrations; given shape {pshape}")
        want = tuple(sample[: len(pshape)])
        if vector:
            want = want[:-1] + (sample[-1],)
        if pshape != want:
            raise ShapeError(f"parameters: given {pshape}, expected {want} (the leading sub-shape of sample {tuple(sample)})")
        if vector:
            out = (1,) if len(sample) == 1 else tuple(sample[:-1])
        else:
            out = tuple(sample)
        return [tuple(sample)] + [pshape] * len(params), [out]

    return rule


def _expand(x, sample_ndim: int, vector: bool):
    """Parameter array ``x`` reshaped to broadcast against the samples (float64)."""
    x = x.astype(np.float64)
    extra = sample_ndim - x.ndim
    if vector:
        return x.reshape(x.shape[:-1] + (1,) * extra + x.shape[-1:])
    return x.reshape(x.shape + (1,) * extra)


def _reduce_to(g, shape: tuple, vector: bool):
    """Sum a per-sample parameter gradient over each distribution's block of samples."""
    nd = len(shape)
    if vector:
        axes = tuple(range(nd - 1, g.ndim - 1))
    else:
        axes = tuple(range(nd, g.ndim))
    return g.sum(axis=axes).reshape(shape) if axes else g.reshape(shape)


# -- log densities and their partial derivatives (float64, broadcast) ----------------------
# lpdf(xp, x, *params) -> log density; dlpdf(xp, x, *params) -> (d/dx or None, d/dparam...)


def _uniform_l(xp, x, lo, hi):
    return xp.broadcast_to(-xp.log(hi - lo), x.shape)


def _uniform_d(xp, x, lo, hi):
    return None, 1.0 / (hi - lo), 1.0 / (lo - hi)


def _normal_l(xp, x, mu, sigma):
    return -0.5 * (x - mu) ** 2 / (sigma * sigma) - xp.log(sigma) - _LOG_SQRT_2PI


def _normal_d(xp, x, mu, sigma):
    s2 = sigma * sigma
    return (mu - x) / s2, (x - mu) / s2, ((x - mu) ** 2 - s2) / (s2 * sigma)


def _gamma_l(xp, x, a, b):
    return a * xp.log(b) + (a - 1.0) * xp.log(x) - b * x - _mathfn.gammaln(xp, a)


def _gamma_d(xp, x, a, b):
    return (a - 1.0) / x - b, xp.log(b) + xp.log(x) - _mathfn.digamma(xp, a), a / b - x


def _exponential_l(xp, x, lam):
    return xp.log(lam) - lam * x


def _exponential_d(xp, x, lam):
    return -lam + 0.0 * x, 1.0 / lam - x


def _poisson_l(xp, x, lam):
    return x * xp.log(lam) - _mathfn.gammaln(xp, x + 1.0) - lam


def _poisson_d(xp, x, lam):
    return None, x / lam - 1.0


def _nb_l(xp, x, k, p):
    g = _mathfn.gammaln
    return g(xp, x + k) - g(xp, x + 1.0) - g(xp, k) + k * xp.log(p) + x * xp.log(1.0 - p)


def _nb_d(xp, x, k, p):
    psi = _mathfn.digamma
    return None, psi(xp, x + k) - psi(xp, k) + xp.log(p), k / p - x / (1.0 - p)


def _gnb_l(xp, x, mu, alpha):
    return _nb_l(xp, x, 1.0 / alpha, 1.0 / (mu * alpha + 1.0))


def _gnb_d(xp, x, mu, alpha):
    # chain rule through k = 1/alpha, p = 1/(mu alpha + 1)
    den = mu * alpha + 1.0
    _, dk, dp = _nb_d(xp, x, 1.0 / alpha, 1.0 / den)
    return None, -dp * alpha / (den * den), -dk / (alpha * alpha) - dp * mu / (den * den)


def _dirichlet_l(xp, x, alpha):
    g = _mathfn.gammaln
    return ((alpha - 1.0) * xp.log(x)).sum(axis=-1) + g(xp, alpha.sum(axis=-1)) - g(xp, alpha).sum(axis=-1)


def _dirichlet_d(xp, x, alpha):
    psi = _mathfn.digamma
    return (alpha - 1.0) / x, xp.log(x) + psi(xp, alpha.sum(axis=-1, keepdims=True)) - psi(xp, alpha)


# -- kernels -------------------------------------------------------------------------------


def _forward(lpdf, vector):
    def forward(p, xp, sample, *params):
        with np.errstate(all="ignore"):
            x = sample.astype(np.float64)
            ps = [_expand(a, x.ndim, vector) for a in params]
            lp = lpdf(xp, x, *ps)
            out = lp if p.is_log else xp.exp(lp)
            if vector and sample.ndim == 1:
                out = out.reshape(1)
            return xp.asarray(out).astype(sample.dtype)

    return forward


def _backward(dlpdf, vector):
    def backward(p, xp, ograds, ins, outs):
        sample, params = ins[0], ins[1:]
        with np.errstate(all="ignore"):
            x = sample.astype(np.float64)
            ps = [_expand(a, x.ndim, vector) for a in params]
            scale = ograds[0].astype(np.float64)
            if not p.is_log:
                scale = scale * outs[0].astype(np.float64)  # d pdf = pdf * d log pdf
            scale = scale.reshape(x.shape[:-1] + (1,)) if vector else scale.reshape(x.shape)
            parts = dlpdf(xp, x, *ps)
            gx = None if parts[0] is None else scale * parts[0]
            gps = [_reduce_to(scale * d, a.shape, vector) for d, a in zip(parts[1:], params)]
            return [gx, *gps]

    return backward


_IS_LOG = {"is_log": Param("bool", False, doc="return the log density instead of the density")}

# name, parameter inputs (name, doc), lpdf, dlpdf, vector, summary, example
_PDFS = [
    (
        "uniform",
        (("low", "lower bounds of the distributions"), ("high", "upper bounds of the distributions")),
        _uniform_l,
        _uniform_d,
        False,
        "Density of uniform distributions on [low, high): 1 / (high - low) (sample gets a zero gradient).",
        "mx.nd.random_pdf_uniform(mx.nd.array([[1, 2]]), mx.nd.array([0]), mx.nd.array([4])).asnumpy().tolist()\n[[0.25, 0.25]]",
    ),
    (
        "normal",
        (("mu", "means of the distributions"), ("sigma", "standard deviations of the distributions")),
        _normal_l,
        _normal_d,
        False,
        "Density of normal distributions with means mu and standard deviations sigma.",
        "mx.nd.random_pdf_normal(mx.nd.array([[0]]), mx.nd.array([0]), mx.nd.array([1])).asnumpy().round(4).tolist()\n[[0.3989]]",
    ),
    (
        "gamma",
        (("alpha", "shape parameters of the distributions"), ("beta", "rate parameters of the distributions (MXNet's kernel divides by no scale)")),
        _gamma_l,
        _gamma_d,
        False,
        "Density of gamma distributions with shape alpha and rate beta: beta**alpha x**(alpha-1) exp(-beta x) / Gamma(alpha).",
        "mx.nd.random_pdf_gamma(mx.nd.array([[1]]), mx.nd.array([1]), mx.nd.array([2])).asnumpy().round(4).tolist()\n[[0.2707]]",
    ),
    (
        "exponential",
        (("lam", "rate parameters of the distributions"),),
        _exponential_l,
        _exponential_d,
        False,
        "Density of exponential distributions with rate lam: lam exp(-lam x).",
        "mx.nd.random_pdf_exponential(mx.nd.array([[1]]), mx.nd.array([1])).asnumpy().round(4).tolist()\n[[0.3679]]",
    ),
    (
        "poisson",
        (("lam", "rate parameters of the distributions"),),
        _poisson_l,
        _poisson_d,
        False,
        "Probability mass of Poisson distributions with rate lam (sample gets a zero gradient).",
        "mx.nd.random_pdf_poisson(mx.nd.array([[0, 1]]), mx.nd.array([1])).asnumpy().round(4).tolist()\n[[0.3679, 0.3679]]",
    ),
    (
        "negative_binomial",
        (("k", "limits of unsuccessful experiments (may be real-valued)"), ("p", "failure probabilities in each experiment")),
        _nb_l,
        _nb_d,
        False,
        "Probability mass Gamma(x+k) / (Gamma(k) x!) p**k (1-p)**x of negative binomial distributions (sample gets a zero gradient).",
        "mx.nd.random_pdf_negative_binomial(mx.nd.array([[1, 2]]), mx.nd.array([1]), mx.nd.array([0.5])).asnumpy().tolist()\n[[0.25, 0.125]]",
    ),
    (
        "generalized_negative_binomial",
        (("mu", "means of the distributions"), ("alpha", "dispersion parameters of the distributions")),
        _gnb_l,
        _gnb_d,
        False,
        "Probability mass of negative binomials with mean mu and dispersion alpha (k = 1/alpha, p = 1/(mu alpha + 1); sample gets a zero gradient).",
        "mx.nd.random_pdf_generalized_negative_binomial(mx.nd.array([[1, 2]]), mx.nd.array([1]), mx.nd.array([1])).asnumpy().tolist()\n[[0.25, 0.125]]",
    ),
    (
        "dirichlet",
        (("alpha", "concentration parameters of the distributions (last axis: one per category)"),),
        _dirichlet_l,
        _dirichlet_d,
        True,
        "Density of Dirichlet distributions with concentrations alpha; sample's last axis holds the k coordinates and is reduced.",
        "mx.nd.random_pdf_dirichlet(mx.nd.array([[0.5, 0.5]]), mx.nd.array([2, 2])).asnumpy().round(4).tolist()\n[1.5]",
    ),
]

for _dist, _pin, _lpdf, _dlpdf, _vector, _summary, _example in _PDFS:
    _pnames = tuple(n for n, _ in _pin)
    _pdoc = "; ".join(f"{n}: {d}" for n, d in _pin)
    register_pair(
        f"_random_pdf_{_dist}",
        _forward(_lpdf, _vector),
        _backward(_dlpdf, _vector),
        params=dict(_IS_LOG),
        inputs=("sample", *_pnames),
        infer_shape=_pdf_shape(_vector),
        aliases=(f"random_pdf_{_dist}",),
        doc=(
            f"{_summary}\n\n"
            f"Parameters: sample: values to evaluate; {_pdoc} (one shape, the leading sub-shape of sample"
            + (", with sample's last axis" if _vector else "")
            + "); is_log (bool, False): return the log density.\n\n"
            f">>> import mxpy as mx\n>>> {_example}"
        ),
    )
