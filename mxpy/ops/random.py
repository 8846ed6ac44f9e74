"""Random samplers: ``_random_*`` (scalar parameters), ``_random_*_like``,
``_sample_*`` (NDArray parameters), ``_sample_multinomial`` and ``_shuffle``.

Every op here has ``needs_rng=True``: dispatch makes it write its context's
RNG Var, so draws happen in push order on any engine and a seed reproduces
them. Kernels draw from ``rt.rng`` (a NumPy or CuPy ``Generator``); the
numbers differ from MXNet's generator, the distributions do not.

Parameter checks follow MXNet: ``_random_*`` reject bad scalar parameters
at call time with MXNet's wording; ``_sample_*`` take whatever the arrays
hold, as MXNet does (a negative ``sigma`` flips the sign, a negative Poisson
rate gives 0).
"""

from __future__ import annotations

import numpy as np

from ..registry import OpDef, Param, ShapeError, register
from ._util import ctx_param, quiet, store

_FLOATS = ("float16", "float32", "float64")


def _gen_dtype(out) -> np.dtype:
    """The dtype to draw in: float16 has no generator path, so draw float32."""
    return np.dtype(np.float64) if out.dtype == np.float64 else np.dtype(np.float32)


# -- samplers: (rng, xp, size, dt, *params) -> array of ``size`` ----------------------
# Parameters are scalars or arrays broadcastable to ``size``.


def _uniform(rng, xp, size, dt, low, high):
    return low + rng.random(size, dtype=dt) * (high - low)


def _normal(rng, xp, size, dt, loc, scale):
    return loc + rng.standard_normal(size, dtype=dt) * scale


def _exponential(rng, xp, size, dt, lam):
    return rng.standard_exponential(size, dtype=dt) / lam


def _gamma(rng, xp, size, dt, alpha, beta):
    alpha = xp.broadcast_to(xp.asarray(alpha, dtype=dt), size)
    return rng.standard_gamma(alpha, size, dtype=dt) * beta


def _poisson_of(rng, xp, size, rate):
    # A negative rate samples 0 (MXNet's sampler returns 0 there too).
    rate = xp.broadcast_to(xp.maximum(xp.asarray(rate, dtype=np.float64), 0.0), size)
    return rng.poisson(rate, size)


def _poisson(rng, xp, size, dt, lam):
    return _poisson_of(rng, xp, size, lam)


def _negative_binomial(rng, xp, size, dt, k, p):
    # Failures before the k-th success with success probability p: a
    # Poisson whose rate is Gamma(k, (1 - p) / p); p >= 1 gives 0.
    k = xp.asarray(k, dtype=np.float64)
    p = xp.asarray(p, dtype=np.float64)
    scale = xp.maximum((1.0 - p) / p, 0.0)
    rate = rng.standard_gamma(xp.broadcast_to(k, size), size) * scale
    return _poisson_of(rng, xp, size, rate)


def _generalized_negative_binomial(rng, xp, size, dt, mu, alpha):
    # Mean mu, variance mu + alpha * mu**2: Poisson(Gamma(1/alpha, alpha*mu));
    # alpha == 0 is the Poisson limit.
    mu = xp.asarray(mu, dtype=np.float64)
    alpha = xp.asarray(alpha, dtype=np.float64)
    pos = alpha > 0
    shape_k = xp.broadcast_to(xp.where(pos, 1.0 / xp.where(pos, alpha, 1.0), 1.0), size)
    rate = xp.where(pos, rng.standard_gamma(shape_k, size) * alpha * mu, mu)
    return _poisson_of(rng, xp, size, rate)


def _zero_gradient(g, ograds):
    # MXNet registers zero gradients for the samplers that take inputs: a draw
    # is treated as a constant of its parameters (no reparameterisation)
    return [None] * len(g.inputs)


# -- _random_*: scalar parameters, zero inputs ---------------------------------------


def _check_positive(name, what, value):
    if not value > 0:
        raise ShapeError(f"{name} parameter in {what} has to be positive; given {value}, expected > 0")


def _check_nonneg(name, what, value):
    if not value >= 0:
        raise ShapeError(f"{name} parameter in {what} has to be non-negative; given {value}, expected >= 0")


def _check_uniform(p):
    if not p.high >= p.low:
        raise ShapeError(f"low must be less or equal to high in uniform distribution; given low={p.low}, high={p.high}")


def _check_normal(p):
    _check_positive("scale", "gaussian", p.scale)


def _check_exponential(p):
    _check_positive("lam", "exponential distribution", p.lam)


def _check_gamma(p):
    _check_positive("alpha", "gamma distribution", p.alpha)
    _check_positive("beta", "gamma distribution", p.beta)


def _check_poisson(p):
    _check_nonneg("lam", "poisson distribution", p.lam)


def _check_negative_binomial(p):
    _check_nonneg("k", "negative binomial distribution", p.k)
    _check_positive("p", "negative binomial distribution", p.p)


def _check_gnb(p):
    _check_nonneg("mu", "generalized negative binomial distribution", p.mu)
    _check_nonneg("alpha", "generalized negative binomial distribution", p.alpha)


def _check_randint(p):
    if not p.high > p.low:
        raise ShapeError(f"high must be greater than low in randint; given low={p.low}, high={p.high}")


def _np_shape() -> bool:
    from ..util import is_np_shape  # the thread's shape semantics (npx.set_np)

    return is_np_shape()


def _creator_shape(check):
    def rule(p, in_shapes):
        shape = tuple(p.shape)
        check(p)
        if not shape:
            # MXNet 1.x reads shape () as unknown: in a graph a consumer completes it
            # (mx.sym.random.normal() + x); an imperative call cannot infer it and fails.
            # Under NumPy shapes () is a scalar.
            return [], [()] if _np_shape() else [None]
        if any(d < 0 for d in shape) or (0 in shape and not _np_shape()):
            # a 0 dim is unknown under MXNet 1.x's legacy shapes, a zero-size one under NumPy's
            raise ShapeError(f"parameter 'shape' must be given with positive dims; given {shape}")
        check(p)
        return [], [shape]

    return rule


def _creator_type(default):
    def rule(p, in_types):
        return [], [np.dtype(p.dtype or default)]

    return rule


def _scalar_kernel(sampler, names):
    def kernel(p, ins, outs, req, rt):
        out = outs[0]
        vals = [p[n] for n in names]
        store(out, req[0], sampler(rt.rng, rt.xp, out.shape, _gen_dtype(out), *vals))

    return quiet(kernel)


def _like_shape(check):
    def rule(p, in_shapes):
        check(p)
        return list(in_shapes), [in_shapes[0]]

    return rule


def _like_type(p, in_types):
    t = in_types[0]
    if t is not None and np.dtype(t).name not in _FLOATS:
        raise ShapeError(f"data must be a floating point array; given dtype {np.dtype(t).name}, expected one of {list(_FLOATS)}")
    return list(in_types), [t]


# name, sampler, params (name, default, kind), check, MXNet doc line
_SCALAR = [
    ("uniform", _uniform, [("low", 0.0, "float"), ("high", 1.0, "float")], _check_uniform, "Samples from a uniform distribution on [low, high)."),
    ("normal", _normal, [("loc", 0.0, "float"), ("scale", 1.0, "float")], _check_normal, "Samples from a normal distribution N(loc, scale**2)."),
    ("exponential", _exponential, [("lam", 1.0, "float")], _check_exponential, "Samples from an exponential distribution with rate lam."),
    ("gamma", _gamma, [("alpha", 1.0, "float"), ("beta", 1.0, "float")], _check_gamma, "Samples from a gamma distribution (shape alpha, scale beta)."),
    ("poisson", _poisson, [("lam", 1.0, "float")], _check_poisson, "Samples from a Poisson distribution with rate lam (as floats)."),
    (
        "negative_binomial",
        _negative_binomial,
        [("k", 1, "int"), ("p", 1.0, "float")],
        _check_negative_binomial,
        "Samples from a negative binomial distribution: failures before the k-th success.",
    ),
    (
        "generalized_negative_binomial",
        _generalized_negative_binomial,
        [("mu", 1.0, "float"), ("alpha", 1.0, "float")],
        _check_gnb,
        "Samples from a generalized negative binomial distribution (mean mu, dispersion alpha).",
    ),
]

for _dist, _sampler, _plist, _check, _doc in _SCALAR:
    _names = [n for n, _, _ in _plist]
    _pspec = {n: Param(kind, d, doc=f"{n} of the distribution") for n, d, kind in _plist}
    _aliases = ("random_uniform", "uniform") if _dist == "uniform" else ("random_normal", "normal") if _dist == "normal" else (f"random_{_dist}",)
    register(
        OpDef(
            f"_random_{_dist}",
            _scalar_kernel(_sampler, _names),
            params={
                **_pspec,
                "shape": Param("shape", (), doc="output shape"),
                "ctx": ctx_param(),
                "dtype": Param("dtype", None, doc="output dtype (float32 when None)", choices=_FLOATS),
            },
            inputs=(),
            creates=True,
            needs_rng=True,
            infer_shape=_creator_shape(_check),
            infer_type=_creator_type("float32"),
            aliases=_aliases,
            doc=f"{_doc}\n\n>>> mx.nd.random_{_dist}(shape=(2, 2)).shape\n(2, 2)",
        )
    )
    register(
        OpDef(
            f"_random_{_dist}_like",
            _scalar_kernel(_sampler, _names),
            params=dict(_pspec),
            needs_rng=True,
            infer_shape=_like_shape(_check),
            infer_type=_like_type,
            gradient=_zero_gradient,
            doc=f"{_doc} Shape and dtype come from data.",
        )
    )


def _randint_kernel(p, ins, outs, req, rt):
    out = outs[0]
    store(out, req[0], rt.rng.integers(p.low, p.high, out.shape, dtype=out.dtype))


register(
    OpDef(
        "_random_randint",
        _randint_kernel,
        params={
            "low": Param("int", doc="lower bound (inclusive)"),
            "high": Param("int", doc="upper bound (exclusive)"),
            "shape": Param("shape", (), doc="output shape"),
            "ctx": ctx_param(),
            "dtype": Param("dtype", None, doc="output dtype (int32 when None)", choices=("int32", "int64")),
        },
        inputs=(),
        creates=True,
        needs_rng=True,
        infer_shape=_creator_shape(_check_randint),
        infer_type=_creator_type("int32"),
        aliases=("random_randint",),
        doc="Integers drawn uniformly from [low, high).\n\n>>> mx.nd.random_randint(0, 5, shape=(3,)).dtype\n<class 'numpy.int32'>",
    )
)


# -- _sample_*: parameters given as arrays ---------------------------------------------


def _sample_shape(p, in_shapes):
    first = in_shapes[0]
    for s in in_shapes[1:]:
        if first is not None and s is not None and tuple(s) != tuple(first):
            raise ShapeError(f"all parameter arrays must have the same shape; given {tuple(first)} and {tuple(s)}")
    if first is None:
        return list(in_shapes), [None]
    return [tuple(first)] * len(in_shapes), [tuple(first) + tuple(p.shape)]


def _sample_type(p, in_types):
    known = [np.dtype(t) for t in in_types if t is not None]
    if any(t != known[0] for t in known[1:]):
        raise ShapeError(f"all parameter arrays must have the same dtype; given {[t.name for t in known]}")
    return list(in_types), [np.dtype(p.dtype or "float32")]


def _sample_kernel(sampler):
    def kernel(p, ins, outs, req, rt):
        out = outs[0]
        dt = _gen_dtype(out)
        # parameter arrays get trailing unit axes so each entry covers its draws
        tail = (1,) * len(p.shape)
        params = [x.astype(dt, copy=False).reshape(x.shape + tail) for x in ins]
        store(out, req[0], sampler(rt.rng, rt.xp, out.shape, dt, *params))

    return quiet(kernel)


_SAMPLE = [
    ("uniform", _uniform, ("low", "high")),
    ("normal", _normal, ("mu", "sigma")),
    ("exponential", _exponential, ("lam",)),
    ("gamma", _gamma, ("alpha", "beta")),
    ("poisson", _poisson, ("lam",)),
    ("negative_binomial", _negative_binomial, ("k", "p")),
    ("generalized_negative_binomial", _generalized_negative_binomial, ("mu", "alpha")),
]

for _dist, _sampler, _inputs in _SAMPLE:
    register(
        OpDef(
            f"_sample_{_dist}",
            _sample_kernel(_sampler),
            params={
                "shape": Param("shape", (), doc="samples drawn per parameter entry"),
                "dtype": Param("dtype", None, doc="output dtype (float32 when None)", choices=_FLOATS),
            },
            inputs=_inputs,
            needs_rng=True,
            infer_shape=_sample_shape,
            infer_type=_sample_type,
            gradient=_zero_gradient,
            aliases=(f"sample_{_dist}",),
            doc=(
                f"Concurrent {_dist.replace('_', ' ')} sampling with parameters {', '.join(_inputs)} given as arrays of one shape s; "
                f"the output has shape s + shape.\n\n>>> mx.nd.sample_{_dist}(" + ", ".join("mx.nd.ones((2,))" for _ in _inputs) + ", shape=(3,)).shape\n(2, 3)"
            ),
        )
    )


# -- multinomial -------------------------------------------------------------------------


def _multinomial_outputs(p):
    # MXNet names no outputs here: two outputs list as output0, output1
    return ["output0", "output1"] if p.get_prob else ["output"]


def _multinomial_shape(p, in_shapes):
    s = in_shapes[0]
    if s is None:
        return list(in_shapes), [None] * (2 if p.get_prob else 1)
    if len(s) < 1:
        raise ShapeError(f"data must have at least 1 dimension (the last holds the probabilities); given shape {tuple(s)}")
    out = tuple(s[:-1]) + tuple(p.shape)
    if not out:
        out = (1,)
    return list(in_shapes), [out] * (2 if p.get_prob else 1)


def _multinomial_type(p, in_types):
    t = in_types[0]
    if t is not None and np.dtype(t).name not in _FLOATS:
        raise ShapeError(f"data must be floating point probabilities; given dtype {np.dtype(t).name}, expected one of {list(_FLOATS)}")
    outs = [np.dtype(p.dtype)]
    if p.get_prob:
        outs.append(None if t is None else np.dtype(t))
    return list(in_types), outs


def _multinomial_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    probs = ins[0]
    k = probs.shape[-1]
    n = int(np.prod(p.shape)) if p.shape else 1
    cdf = xp.cumsum(probs.reshape((-1, k)).astype(np.float64), axis=1)  # (B, k)
    u = rt.rng.random((cdf.shape[0], n))  # (B, n)
    # The first outcome whose cumulative probability exceeds u (k when none
    # does, as MXNet's sampler returns for probabilities summing below u).
    hit = cdf[:, None, :] > u[:, :, None]  # (B, n, k)
    idx = xp.where(hit.any(axis=2), hit.argmax(axis=2), k)
    shape = outs[0].shape
    store(outs[0], req[0], idx.reshape(shape).astype(outs[0].dtype))
    if p.get_prob:
        flat = probs.reshape((-1, k))
        picked = xp.take_along_axis(flat, xp.minimum(idx, k - 1), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            store(outs[1], req[1], xp.log(picked).reshape(shape).astype(outs[1].dtype))


def _multinomial_gradient(g, ograds):
    # Only the log-probability output carries a gradient (MXNet's rule): without
    # get_prob, or when that output gets no head gradient, data's gradient is zero.
    if not g.p.get_prob or ograds[1] is None:
        return [None]
    return g.op("_backward_sample_multinomial", [ograds[1], g.inputs[0], g.outputs[0]], g.attrs)


def _multinomial_backward(p, ins, outs, req, rt):
    """d log(p[idx]) / dp: ``og / p[idx]`` summed into each sampled category."""
    xp = rt.xp
    og, probs, idx = ins
    k = probs.shape[-1]
    flat = probs.reshape((-1, k))
    rows = flat.shape[0]
    cat = xp.minimum(idx.reshape((rows, -1)).astype(np.int64), k - 1)
    picked = xp.take_along_axis(flat, cat, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = og.reshape((rows, -1)) / picked
    # repeated draws of one category add up: bincount over flat (row, category) slots
    slots = (xp.arange(rows)[:, None] * k + cat).ravel()
    grad = xp.bincount(slots, weights=contrib.ravel().astype(np.float64), minlength=rows * k)
    store(outs[0], req[0], grad.reshape(probs.shape).astype(probs.dtype))


def _multinomial_backward_shape(p, in_shapes):
    og, probs, idx = in_shapes
    return list(in_shapes), [probs]


def _multinomial_backward_type(p, in_types):
    return list(in_types), [in_types[1]]


register(
    OpDef(
        "_backward_sample_multinomial",
        _multinomial_backward,
        params={
            "shape": Param("shape", (), doc="samples drawn per distribution"),
            "get_prob": Param("bool", False, doc="the forward's get_prob"),
            "dtype": Param("dtype", "int32", doc="dtype of the sampled indices", choices=("float16", "float32", "float64", "int32", "uint8")),
        },
        inputs=("ograd", "data", "sample"),
        infer_shape=_multinomial_backward_shape,
        infer_type=_multinomial_backward_type,
        doc="Gradient of sample_multinomial's log-probability output with respect to data.",
    )
)


register(
    OpDef(
        "_sample_multinomial",
        _multinomial_kernel,
        params={
            "shape": Param("shape", (), doc="samples drawn per distribution"),
            "get_prob": Param("bool", False, doc="also return the log probability of each sample"),
            "dtype": Param("dtype", "int32", doc="dtype of the sampled indices", choices=("float16", "float32", "float64", "int32", "uint8")),
        },
        outputs=_multinomial_outputs,
        needs_rng=True,
        gradient=_multinomial_gradient,
        infer_shape=_multinomial_shape,
        infer_type=_multinomial_type,
        aliases=("sample_multinomial",),
        doc=(
            "Samples category indices from the distributions on data's last axis; "
            "the output has shape data.shape[:-1] + shape.\n\n"
            ">>> mx.nd.sample_multinomial(mx.nd.array([[0.0, 1.0]]), shape=(2,)).asnumpy()\n"
            "array([[1, 1]], dtype=int32)"
        ),
    )
)


# -- shuffle -------------------------------------------------------------------------------


def _shuffle_kernel(p, ins, outs, req, rt):
    data = ins[0]
    if data.ndim == 0 or data.shape[0] <= 1:
        if data is not outs[0]:
            store(outs[0], req[0], data)
        return
    perm = rt.rng.permutation(data.shape[0])
    # fancy indexing copies, so an in-place shuffle (out is data) is safe
    store(outs[0], req[0], data[rt.xp.asarray(perm)])


register(
    OpDef(
        "_shuffle",
        _shuffle_kernel,
        needs_rng=True,
        inplace=((0, 0),),
        aliases=("shuffle",),
        doc="Randomly permutes data along the first axis.\n\n>>> sorted(mx.nd.shuffle(mx.nd.array([1, 2, 3])).asnumpy())\n[1.0, 2.0, 3.0]",
    )
)
