"""Battery cases for the densities random_pdf_* (NumPy references via math.lgamma)."""

from __future__ import annotations

import math

import numpy as np

from . import add
from ._pair import add_pair

_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
_rs = np.random.default_rng(5)


def _u(lo, hi, *shape):
    return _rs.uniform(lo, hi, shape)


def _out(lp, is_log, like):
    return (lp if is_log else np.exp(lp)).astype(like.dtype)


def _col(a, x):
    return a.reshape(a.shape + (1,) * (x.ndim - a.ndim)).astype(np.float64)


def _uniform(x, lo, hi, is_log=False):
    return _out(np.broadcast_to(-np.log(_col(hi, x) - _col(lo, x)), x.shape), is_log, x)


def _normal(x, mu, sigma, is_log=False):
    m, s = _col(mu, x), _col(sigma, x)
    return _out(-0.5 * ((x - m) / s) ** 2 - np.log(s * math.sqrt(2 * math.pi)), is_log, x)


def _gamma(x, a, b, is_log=False):
    a, b = _col(a, x), _col(b, x)
    return _out(a * np.log(b) + (a - 1) * np.log(x) - b * x - _lgamma(a), is_log, x)


def _exponential(x, lam, is_log=False):
    lam = _col(lam, x)
    return _out(np.log(lam) - lam * x, is_log, x)


def _poisson(x, lam, is_log=False):
    lam = _col(lam, x)
    return _out(x * np.log(lam) - _lgamma(x + 1) - lam, is_log, x)


def _nb_lp(x, k, p):
    return _lgamma(x + k) - _lgamma(x + 1) - _lgamma(k) + k * np.log(p) + x * np.log(1 - p)


def _nb(x, k, p, is_log=False):
    return _out(_nb_lp(x, _col(k, x), _col(p, x)), is_log, x)


def _gnb(x, mu, alpha, is_log=False):
    m, a = _col(mu, x), _col(alpha, x)
    return _out(_nb_lp(x, 1 / a, 1 / (m * a + 1)), is_log, x)


def _dirichlet(x, alpha, is_log=False):
    a = alpha.reshape(alpha.shape[:-1] + (1,) * (x.ndim - alpha.ndim) + alpha.shape[-1:])
    lp = ((a - 1) * np.log(x)).sum(-1) + _lgamma(a.sum(-1)) - _lgamma(a).sum(-1)
    return _out(lp.reshape(-1) if x.ndim == 1 else lp, is_log, x)


def _simplex(*shape):
    g = _rs.gamma(1.5, size=shape)
    return g / g.sum(-1, keepdims=True)


CONT = [
    ("_random_pdf_uniform", _uniform, [_u(0.1, 0.9, 2, 3, 4), _u(-1, 0, 2, 3), _u(1, 2, 2, 3)]),
    ("_random_pdf_normal", _normal, [_u(-2, 2, 2, 3, 4), _u(-1, 1, 2, 3), _u(0.5, 2, 2, 3)]),
    ("_random_pdf_gamma", _gamma, [_u(0.3, 3, 3, 4), _u(1, 3, 3), _u(0.5, 2, 3)]),
    ("_random_pdf_exponential", _exponential, [_u(0.1, 2, 3, 4), _u(0.5, 2, 3)]),
    ("_random_pdf_dirichlet", _dirichlet, [_simplex(2, 4, 3), _u(0.8, 2.5, 2, 3)]),
]
DISCRETE = [
    ("_random_pdf_poisson", _poisson, [_rs.integers(0, 6, (2, 3, 4)).astype(np.float64), _u(0.5, 4, 2, 3)]),
    ("_random_pdf_negative_binomial", _nb, [_rs.integers(0, 6, (3, 4)).astype(np.float64), _u(0.5, 4, 3), _u(0.2, 0.8, 3)]),
    ("_random_pdf_generalized_negative_binomial", _gnb, [_rs.integers(0, 6, (3, 4)).astype(np.float64), _u(0.5, 4, 3), _u(0.2, 1.5, 3)]),
]

for (op, ref, ins), discrete in [(c, False) for c in CONT] + [(c, True) for c in DISCRETE]:
    # discrete samples get MXNet's zero gradient, which is no derivative: differentiate the parameters
    wrt = tuple(range(1, len(ins))) if discrete else None
    for is_log in (False, True):
        # float64 cases: add_pair also checks _backward_<op> against central differences of ref
        add_pair(op, ins, {"is_log": is_log}, ref=ref, wrt=wrt, grad_wrt=wrt, note="log" if is_log else "")
    add(op, [x.astype(np.float32) for x in ins], ref=ref, rtol=1e-5, grad_inputs=ins, grad_wrt=wrt, note="f32")

# parameters with the samples' own shape (one sample each), and one Dirichlet vector
add("_random_pdf_normal", [_u(-1, 1, 4), _u(-1, 1, 4), _u(0.5, 2, 4)], ref=_normal, note="flat")
add("_random_pdf_dirichlet", [_simplex(3), _u(0.8, 2.5, 3)], {"is_log": True}, ref=_dirichlet, note="one-vector")


# -- _sample_unique_zipfian (in this file: the other sampler of the Zipfian family) ---------
def _check_unique(outs, ins, params):
    samples, trials = outs
    batch, n = params["shape"]
    assert samples.shape == (batch, n) and trials.shape == (batch,)
    assert samples.dtype == np.int64 and trials.dtype == np.int64
    assert samples.min() >= 0 and samples.max() < params["range_max"]
    for row, t in zip(samples, trials):
        assert np.unique(row).size == n
        assert t >= n


add("_sample_unique_zipfian", [], {"range_max": 50, "shape": (3, 40)}, check=_check_unique)
add("_sample_unique_zipfian", [], {"range_max": 7, "shape": (2, 7)}, check=_check_unique, note="all-classes")
