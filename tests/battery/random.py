"""Battery cases for the random samplers: shape, dtype, support and moments.

Samplers have no closed-form output, so each case uses a ``check`` that
tests the draw's shape and dtype, that every value lies in the support, and
that the sample mean and variance are within a few standard errors of the
distribution's.
"""

from __future__ import annotations

import numpy as np

from . import add, f32

N = 4000  # draws per case: enough for moment checks at about 6 standard errors

# MXNet gives every sampler with inputs a zero gradient. The *_like draws do not
# depend on data's values, so central differences check that zero; a _sample_*
# draw moves with its parameters under a fixed seed, so central differences
# measure a reparameterisation gradient MXNet does not define.
LIKE_GRAD = [f32(3, 4)]
SAMPLE_NO_GRAD = "MXNet's zero sampler gradient is not the derivative of a fixed-seed draw (autograd == symbolic still checked)"


def _moments(x: np.ndarray, mean: float, var: float, what: str, exact_var: bool = True) -> None:
    x = x.astype(np.float64).ravel()
    n = x.size
    se_mean = np.sqrt(var / n) if var > 0 else 1e-9
    assert abs(x.mean() - mean) <= 6 * se_mean + 1e-9, f"{what}: mean {x.mean():.4f}, expected {mean:.4f}"
    if exact_var and var > 0:
        # loose: the variance's standard error depends on the fourth moment
        assert abs(x.var() - var) <= 0.15 * var, f"{what}: variance {x.var():.4f}, expected {var:.4f}"


def _check(shape, dtype, mean, var, lo=-np.inf, hi=np.inf, integral=False):
    def check(outs, ins, params):
        (x,) = outs
        assert x.shape == tuple(shape), f"shape {x.shape}, expected {shape}"
        assert x.dtype == np.dtype(dtype), f"dtype {x.dtype}, expected {dtype}"
        assert np.all(x >= lo) and np.all(x < hi), f"values outside [{lo}, {hi}): {x.min()}..{x.max()}"
        if integral:
            assert np.all(x == np.round(x)), "count distribution returned non-integers"
        _moments(x, mean, var, f"{dtype}{shape}")

    return check


# -- _random_*: scalar parameters -------------------------------------------------------
S = (N,)
add("_random_uniform", [], {"low": -2.0, "high": 3.0, "shape": S}, check=_check(S, "float32", 0.5, 25 / 12, -2.0, 3.0))
add("_random_uniform", [], {"shape": (40, 100), "dtype": "float64"}, check=_check((40, 100), "float64", 0.5, 1 / 12, 0.0, 1.0), note="f64")
add("_random_uniform", [], {"shape": S, "dtype": "float16"}, check=_check(S, "float16", 0.5, 1 / 12, 0.0, 1.01), note="f16")
add("_random_normal", [], {"loc": 1.5, "scale": 2.0, "shape": S}, check=_check(S, "float32", 1.5, 4.0))
add("_random_exponential", [], {"lam": 4.0, "shape": S}, check=_check(S, "float32", 0.25, 1 / 16, 0.0))
add("_random_gamma", [], {"alpha": 9.0, "beta": 0.5, "shape": S}, check=_check(S, "float32", 4.5, 9 * 0.25, 0.0))
add("_random_gamma", [], {"alpha": 0.5, "beta": 2.0, "shape": S, "dtype": "float64"}, check=_check(S, "float64", 1.0, 2.0, 0.0), note="small-alpha")
add("_random_poisson", [], {"lam": 3.5, "shape": S}, check=_check(S, "float32", 3.5, 3.5, 0.0, integral=True))
add("_random_negative_binomial", [], {"k": 3, "p": 0.4, "shape": S}, check=_check(S, "float32", 3 * 0.6 / 0.4, 3 * 0.6 / 0.16, 0.0, integral=True))
add(
    "_random_generalized_negative_binomial",
    [],
    {"mu": 2.0, "alpha": 0.5, "shape": S},
    check=_check(S, "float32", 2.0, 2.0 + 0.5 * 4.0, 0.0, integral=True),
)
add(
    "_random_generalized_negative_binomial",
    [],
    {"mu": 3.0, "alpha": 0.0, "shape": S},
    check=_check(S, "float32", 3.0, 3.0, 0.0, integral=True),
    note="poisson-limit",
)
add("_random_randint", [], {"low": -3, "high": 4, "shape": S}, check=_check(S, "int32", 0.0, (7**2 - 1) / 12, -3, 4))
add("_random_randint", [], {"low": 0, "high": 2**40, "shape": S, "dtype": "int64"}, check=_check(S, "int64", 2**39, (2**80) / 12, 0, 2**40), note="i64")

# -- _random_*_like: shape and dtype from data --------------------------------------------
LIKE64 = np.zeros((40, 100), np.float64)
LIKE32 = np.zeros((N,), np.float32)
add("_random_uniform_like", [LIKE64], {"low": 1.0, "high": 2.0}, check=_check((40, 100), "float64", 1.5, 1 / 12, 1.0, 2.0), grad_inputs=LIKE_GRAD)
add("_random_normal_like", [LIKE32], {"loc": -1.0, "scale": 0.5}, check=_check(S, "float32", -1.0, 0.25), grad_inputs=LIKE_GRAD)
add("_random_exponential_like", [LIKE32], {"lam": 0.5}, check=_check(S, "float32", 2.0, 4.0, 0.0), grad_inputs=LIKE_GRAD)
add("_random_gamma_like", [LIKE64], {"alpha": 2.0, "beta": 3.0}, check=_check((40, 100), "float64", 6.0, 18.0, 0.0), grad_inputs=LIKE_GRAD)
add("_random_poisson_like", [LIKE32], {"lam": 0.7}, check=_check(S, "float32", 0.7, 0.7, 0.0, integral=True), grad_inputs=LIKE_GRAD)
add("_random_negative_binomial_like", [LIKE32], {"k": 5, "p": 0.5}, check=_check(S, "float32", 5.0, 10.0, 0.0, integral=True), grad_inputs=LIKE_GRAD)
add(
    "_random_generalized_negative_binomial_like",
    [LIKE32],
    {"mu": 4.0, "alpha": 0.25},
    check=_check(S, "float32", 4.0, 4.0 + 0.25 * 16, 0.0, integral=True),
    grad_inputs=LIKE_GRAD,
)


# -- _sample_*: one distribution per parameter entry --------------------------------------
def _check_rows(dtype, moments, lo=-np.inf, hi=np.inf, integral=False, draws=N):
    """Per-row moments: ``moments(*param_values) -> (mean, var)`` for each entry."""

    def check(outs, ins, params):
        (x,) = outs
        assert x.shape == ins[0].shape + (draws,), f"shape {x.shape}, expected {ins[0].shape + (draws,)}"
        assert x.dtype == np.dtype(dtype), f"dtype {x.dtype}, expected {dtype}"
        assert np.all(x >= lo) and np.all(x < hi)
        if integral:
            assert np.all(x == np.round(x))
        flat = x.reshape(-1, draws)
        pv = [a.astype(np.float64).ravel() for a in ins]
        for i in range(flat.shape[0]):
            mean, var = moments(*[v[i] for v in pv])
            _moments(flat[i], mean, var, f"row {i}")

    return check


def _pair(a, b, dtype=np.float32):
    return [np.array(a, dtype), np.array(b, dtype)]


D = (N,)
add(
    "_sample_uniform",
    _pair([0.0, -1.0], [1.0, 3.0]),
    {"shape": D},
    check=_check_rows("float32", lambda lo, hi: ((lo + hi) / 2, (hi - lo) ** 2 / 12), -1.0, 3.0),
    no_grad_reason=SAMPLE_NO_GRAD,
)
add(
    "_sample_uniform",
    _pair([[0.0], [2.0]], [[1.0], [4.0]], np.float64),
    {"shape": D, "dtype": "float64"},
    check=_check_rows("float64", lambda lo, hi: ((lo + hi) / 2, (hi - lo) ** 2 / 12), 0.0, 4.0),
    note="2d-f64",
    no_grad_reason=SAMPLE_NO_GRAD,
)
add("_sample_normal", _pair([0.0, 10.0], [1.0, 0.5]), {"shape": D}, check=_check_rows("float32", lambda m, s: (m, s * s)), no_grad_reason=SAMPLE_NO_GRAD)
add(
    "_sample_exponential",
    [np.array([1.0, 4.0], np.float32)],
    {"shape": D},
    check=_check_rows("float32", lambda lam: (1 / lam, 1 / lam**2), 0.0),
    no_grad_reason=SAMPLE_NO_GRAD,
)
add(
    "_sample_gamma",
    _pair([1.0, 9.0], [2.0, 0.5]),
    {"shape": D},
    check=_check_rows("float32", lambda a, b: (a * b, a * b * b), 0.0),
    no_grad_reason=SAMPLE_NO_GRAD,
)
add(
    "_sample_poisson",
    [np.array([0.5, 6.0], np.float64)],
    {"shape": D},
    check=_check_rows("float32", lambda lam: (lam, lam), 0.0, integral=True),
    no_grad_reason=SAMPLE_NO_GRAD,
)
add(
    "_sample_negative_binomial",
    _pair([2.0, 6.0], [0.5, 0.75]),
    {"shape": D},
    check=_check_rows("float32", lambda k, p: (k * (1 - p) / p, k * (1 - p) / p**2), 0.0, integral=True),
    no_grad_reason=SAMPLE_NO_GRAD,
)
add(
    "_sample_generalized_negative_binomial",
    _pair([1.0, 3.0], [0.0, 0.5]),
    {"shape": D},
    check=_check_rows("float32", lambda mu, a: (mu, mu + a * mu * mu), 0.0, integral=True),
    no_grad_reason=SAMPLE_NO_GRAD,
)


# -- multinomial and shuffle --------------------------------------------------------------
PROBS = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]], np.float32)


def _check_multinomial(get_prob, dtype="int32"):
    def check(outs, ins, params):
        probs = ins[0]
        x = outs[0]
        assert x.shape == (2, N) and x.dtype == np.dtype(dtype)
        idx = x.astype(np.int64)
        assert idx.min() >= 0 and idx.max() < probs.shape[-1]
        for row in range(2):
            freq = np.bincount(idx[row], minlength=3) / N
            np.testing.assert_allclose(freq, probs[row], atol=0.03)
        if get_prob:
            lp = outs[1]
            assert lp.dtype == probs.dtype
            np.testing.assert_allclose(lp, np.log(np.take_along_axis(probs, idx, axis=1)), rtol=1e-6)

    return check


MULTI_NO_GRAD = "4000 draws per row: some lie within eps of a category boundary (the small get_prob case is checked)"
add("_sample_multinomial", [PROBS], {"shape": D}, check=_check_multinomial(False), no_grad_reason=MULTI_NO_GRAD)
add(
    "_sample_multinomial",
    [PROBS],
    {"shape": D, "get_prob": True, "dtype": "float32"},
    check=_check_multinomial(True, "float32"),
    note="prob",
    no_grad_reason=MULTI_NO_GRAD,
)


def _check_few_draws(outs, ins, params):
    idx, lp = outs
    probs = ins[0]
    assert idx.shape == (2, 3) and lp.shape == (2, 3)
    np.testing.assert_allclose(lp, np.log(np.take_along_axis(probs, idx.astype(np.int64), axis=1)), rtol=1e-6)


# The log-probability output's gradient (head gradient on it only; the indices are
# piecewise constant in data): og / p[idx] summed per sampled category.
add(
    "_sample_multinomial",
    [np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]], np.float32)],
    {"shape": (3,), "get_prob": True},
    check=_check_few_draws,
    note="few-draws",
    grad_outputs=(1,),
)


def _multinomial_backward_ref(og, probs, idx, **params):
    grad = np.zeros(probs.shape, np.float64)
    rows = np.arange(probs.shape[0])[:, None].repeat(idx.shape[1], axis=1)
    np.add.at(grad, (rows, idx), og / probs[rows, idx])
    return grad.astype(probs.dtype)


add(
    "_backward_sample_multinomial",
    [
        np.arange(1.0, 11.0, dtype=np.float32).reshape(2, 5),
        np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], np.float32),
        np.array([[2, 2, 0, 2, 2], [2, 1, 2, 0, 1]], np.int32),
    ],
    {"shape": (5,), "get_prob": True},
    ref=_multinomial_backward_ref,
)


def _check_shuffle(outs, ins, params):
    (x,) = outs
    (data,) = ins
    assert x.shape == data.shape and x.dtype == data.dtype
    # rows are permuted whole: sorting rows by their first column restores data
    order = np.argsort(x[:, 0], kind="stable")
    np.testing.assert_array_equal(x[order], data)


ROWS = np.arange(60, dtype=np.float32).reshape(20, 3)
add("_shuffle", [ROWS], check=_check_shuffle)
add("_shuffle", [np.arange(50, dtype=np.int32).reshape(50, 1)], check=_check_shuffle, note="int")
