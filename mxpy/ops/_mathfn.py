"""Vectorised math helpers for the elementwise families.

- :func:`c_cast` / :func:`c_scalar`: float -> integer conversion the way
  MXNet's C++ kernels do it on x86 (truncate toward zero; NaN or out-of-range
  values become the most negative 32/64-bit integer, then narrow integer types
  keep the low bits). MXNet computes most math on integer arrays in double and
  casts back like this, e.g. ``exp(int32 100)`` is ``-2147483648``.
- :func:`erf`, :func:`erfc_scaled`, :func:`erfinv`, :func:`gammaln`,
  :func:`gamma`: NumPy has no ufuncs for these. They work on float64 arrays
  of either backend (only ``xp`` arithmetic) with about 1e-14 relative error.

The Chebyshev coefficients are fitted here at import time from the standard
library's ``math.erf``/``math.erfc`` (a few dozen evaluations), so no tables
are copied from anywhere.

>>> import numpy as np
>>> float(erf(np, np.array([0.5]))[0])  # doctest: +ELLIPSIS
0.5204998778...
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

# -- float -> integer casts ------------------------------------------------------


def c_cast(xp, v, dtype, out=None):
    """Cast float array ``v`` to integer ``dtype`` with MXNet's (x86 C) rules; write ``out`` if given."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        r = v != 0
    else:
        bits = 64 if dt.itemsize == 8 else 32
        lim = 2.0 ** (bits - 1)
        ok = (v >= -lim) & (v < lim)  # False for NaN
        r = xp.where(ok, v, -lim).astype(np.int64 if bits == 64 else np.int32)
    if out is None:
        return r.astype(dt, copy=False)
    out[...] = r  # int32 -> int8/uint8 keeps the low bits, as the C cast does
    return out


def c_scalar(s: float, dtype):
    """The Python scalar MXNet gets from ``DType(s)`` for a double ``s`` (see :func:`c_cast`)."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        if dt.itemsize == 8:
            return float(s)
        with np.errstate(all="ignore"):  # 1e5 -> float16 is inf in MXNet too
            return dt.type(s)
    if dt.kind == "b":
        return bool(s)
    bits = 64 if dt.itemsize == 8 else 32
    if s != s or not (-(2.0 ** (bits - 1)) <= s < 2.0 ** (bits - 1)):
        v = -(2 ** (bits - 1))
    else:
        v = int(s)
    nbits = dt.itemsize * 8
    v &= (1 << nbits) - 1
    if dt.kind == "i" and v >= 1 << (nbits - 1):
        v -= 1 << nbits
    return v


# -- Chebyshev fits ----------------------------------------------------------------


def _cheb_fit(fn, lo: float, hi: float, deg: int) -> tuple[float, float, list[float]]:
    """Chebyshev interpolant of ``fn`` on [lo, hi] (coefficients as Python floats)."""
    k = np.arange(deg + 1)
    nodes = np.cos(np.pi * (k + 0.5) / (deg + 1))
    xs = 0.5 * (hi - lo) * nodes + 0.5 * (hi + lo)
    ys = np.array([fn(float(x)) for x in xs])
    coef = np.polynomial.chebyshev.chebfit(nodes, ys, deg)
    return lo, hi, [float(c) for c in coef]


def _cheb_eval(fit, x):
    """Clenshaw evaluation of a :func:`_cheb_fit` result at ``x`` (array of any backend)."""
    lo, hi, coef = fit
    t = (2.0 * x - (lo + hi)) * (1.0 / (hi - lo))
    t2 = 2.0 * t
    b1 = 0.0 * t
    b2 = b1
    for c in coef[:0:-1]:
        b1, b2 = t2 * b1 - b2 + c, b1
    return t * b1 - b2 + coef[0]


# erf(x) = x * P(x^2) on |x| < 1; erfc(x) = exp(-x^2) * Q(x) on 1 <= x < 6.5 (Q: scaled erfc)
_ERF_SMALL = _cheb_fit(lambda t: math.erf(math.sqrt(t)) / math.sqrt(t) if t > 0 else 2 / math.sqrt(math.pi), 0.0, 1.0, 12)
_ERFCX_MID = _cheb_fit(lambda x: math.erfc(x) * math.exp(x * x), 1.0, 3.0, 22)
_ERFCX_HIGH = _cheb_fit(lambda x: math.erfc(x) * math.exp(x * x), 3.0, 6.5, 22)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def erfc_scaled(xp, x):
    """``exp(x*x) * erfc(x)`` for ``1 <= x`` (beyond 6.5 its asymptotic series)."""
    mid = _cheb_eval(_ERFCX_MID, xp.clip(x, 1.0, 3.0))
    high = _cheb_eval(_ERFCX_HIGH, xp.clip(x, 3.0, 6.5))
    big = xp.maximum(x, 6.5)
    inv2 = 1.0 / (2.0 * big * big)
    asym = (1.0 - inv2 * (1.0 - 3.0 * inv2 * (1.0 - 5.0 * inv2))) / (big * math.sqrt(math.pi))
    return xp.where(x < 3.0, mid, xp.where(x < 6.5, high, asym))


def erf(xp, x):
    """Error function of a float64 array."""
    with np.errstate(all="ignore"):
        ax = xp.abs(x)
        small = x * _cheb_eval(_ERF_SMALL, xp.minimum(ax * ax, 1.0))
        tail = 1.0 - xp.exp(-ax * ax) * erfc_scaled(xp, xp.maximum(ax, 1.0))
        return xp.where(ax < 1.0, small, xp.copysign(tail, x))


def erfinv(xp, y):
    """Inverse error function of a float64 array: a rough closed form refined by Halley steps."""
    with np.errstate(all="ignore"):
        ay = xp.abs(y)
        one_minus = 1.0 - ay  # exact for float32-derived inputs; keeps precision near |y| = 1
        w = -xp.log(one_minus * (1.0 + ay))
        a = 0.147  # Winitzki's approximation, ~2e-3 relative: a starting point only
        t = 2.0 / (math.pi * a) - 0.5 * w
        x = xp.sqrt(xp.sqrt(t * t + w / a) - t)
        x = xp.where(xp.isfinite(x), x, 0.0)
        for _ in range(3):
            # f = erf(x) - |y|, written through erfc where erf is close to 1
            small = x * _cheb_eval(_ERF_SMALL, xp.minimum(x * x, 1.0)) - ay
            f = xp.where(x < 1.0, small, one_minus - xp.exp(-x * x) * erfc_scaled(xp, xp.maximum(x, 1.0)))
            u = f / (_TWO_OVER_SQRT_PI * xp.exp(-x * x))
            x = x - u / (1.0 + x * u)
        x = xp.where(ay == 1.0, np.inf, x)
        x = xp.where(ay > 1.0, np.nan, x)
        return xp.copysign(x, y)


# -- log-gamma and gamma ------------------------------------------------------------


def _bernoulli_even(n: int) -> list[Fraction]:
    """B_0..B_n (Akiyama-Tanigawa), exact."""
    out = []
    a = [Fraction(0)] * (n + 1)
    for m in range(n + 1):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        out.append(a[0])
    return out


_B = _bernoulli_even(16)
# Stirling series terms B_2k / (2k (2k-1)) x^(1-2k), k = 1..8
_STIRLING = [float(_B[2 * k] / (2 * k * (2 * k - 1))) for k in range(1, 9)]
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SHIFT = 10.0  # the series is used at x >= _SHIFT, where 8 terms reach float64 precision


def _lgamma_pos(xp, x):
    """log Gamma(x) for x >= 0.5 (shift up by the recurrence, then Stirling)."""
    z = x
    prod = xp.ones_like(x)
    for _ in range(int(_SHIFT)):
        m = z < _SHIFT
        prod = xp.where(m, prod * z, prod)
        z = xp.where(m, z + 1.0, z)
    inv = 1.0 / z
    inv2 = inv * inv
    s = 0.0 * z
    for c in _STIRLING[::-1]:
        s = s * inv2 + c
    return (z - 0.5) * xp.log(z) - z + _HALF_LOG_2PI + s * inv - xp.log(prod)


def _sinpi(xp, x):
    """sin(pi x) without the rounding error of pi * x for large |x|."""
    n = xp.rint(x)
    r = xp.sin(math.pi * (x - n))
    return xp.where(xp.fmod(n, 2.0) == 0, r, -r)


def gammaln(xp, x):
    """log|Gamma(x)| of a float64 array (inf at 0 and the negative integers)."""
    with np.errstate(all="ignore"):
        pos = _lgamma_pos(xp, xp.maximum(x, 0.5))
        refl = math.log(math.pi) - xp.log(xp.abs(_sinpi(xp, x))) - _lgamma_pos(xp, xp.maximum(1.0 - x, 0.5))
        r = xp.where(x >= 0.5, pos, refl)
        r = xp.where((x == 1.0) | (x == 2.0), 0.0, r)  # exact zeros, as C's lgamma
        r = xp.where(xp.isinf(x), np.inf, r)
        return xp.where((x <= 0) & (x == xp.floor(x)), np.inf, r)


def gamma(xp, x):
    """Gamma(x) of a float64 array (MXNet: inf at 0, NaN at the negative integers)."""
    with np.errstate(all="ignore"):
        mag = xp.exp(gammaln(xp, x))
        sign = xp.where((x < 0.5) & (_sinpi(xp, x) < 0), -1.0, 1.0)
        r = sign * mag
        r = xp.where(x == 0, xp.copysign(np.inf, x), r)
        r = xp.where((x < 0) & (x == xp.floor(x)), np.nan, r)
        return xp.where(x == np.inf, np.inf, r)


# digamma series terms B_2k / (2k) x^(-2k), k = 1..8
_DIGAMMA = [float(_B[2 * k] / (2 * k)) for k in range(1, 9)]


def _digamma_pos(xp, x):
    """psi(x) for x >= 0.5: shift up by the recurrence, then the asymptotic series."""
    z = x
    acc = 0.0 * x
    for _ in range(int(_SHIFT)):
        m = z < _SHIFT
        acc = xp.where(m, acc + 1.0 / z, acc)
        z = xp.where(m, z + 1.0, z)
    inv2 = 1.0 / (z * z)
    s = 0.0 * z
    for c in _DIGAMMA[::-1]:
        s = s * inv2 + c
    return xp.log(z) - 0.5 / z - s * inv2 - acc


def digamma(xp, x):
    """The digamma function psi = d/dx log|Gamma(x)| of a float64 array (+inf at 0 and negative integers, as MXNet).

    Below 0.5 it uses the reflection ``psi(x) = psi(1 - x) - pi / tan(pi x)``.

    >>> round(float(digamma(np, np.array([1.0]))[0]), 10)  # minus the Euler-Mascheroni constant
    -0.5772156649
    """
    with np.errstate(all="ignore"):
        pos = _digamma_pos(xp, xp.maximum(x, 0.5))
        r = x - xp.rint(x)  # cot(pi x) has period 1; reducing first keeps pi * x exact
        refl = _digamma_pos(xp, xp.maximum(1.0 - x, 0.5)) - math.pi * xp.cos(math.pi * r) / xp.sin(math.pi * r)
        out = xp.where(x >= 0.5, pos, refl)
        return xp.where((x <= 0) & (x == xp.floor(x)), np.inf, out)
