"""The rest of ``mx.test_utils``: environment and stderr scopes, retries, the
random-generator checks (chi-square, mean, variance), optimizer comparison and
small structure checks, with MXNet 1.9.1's names and semantics.

>>> import os
>>> from mxpy.test_utils import environment
>>> with environment("MXPY_DOCTEST_VAR", "1"):
...     os.environ["MXPY_DOCTEST_VAR"]
'1'
>>> "MXPY_DOCTEST_VAR" in os.environ
False
"""

from __future__ import annotations

import copy
import functools
import json
import os
import platform
import sys
from contextlib import contextmanager

import numpy as np

__all__ = [
    "environment",
    "discard_stderr",
    "retry",
    "random_sample",
    "list_gpus",
    "is_aarch64_run",
    "is_cd_run",
    "gen_buckets_probs_with_ppf",
    "chi_square_check",
    "verify_generator",
    "mean_check",
    "var_check",
    "compare_ndarray_tuple",
    "compare_optimizer",
    "same_array",
    "same_symbol_structure",
    "collapse_sum_like",
    "rand_coord_2d",
    "create_2d_tensor",
    "create_vector",
    "get_etol",
    "assert_almost_equal_with_err",
    "DummyIter",
    "has_tvm_ops",
    "is_op_runnable",
    "assign_each",
    "assign_each2",
    "get_identity_mat",
    "get_identity_mat_batch",
    "new_matrix_with_real_eigvals_2d",
    "new_matrix_with_real_eigvals_nd",
    "new_orthonormal_matrix_2d",
    "new_sym_matrix_with_real_eigvals_2d",
    "new_sym_matrix_with_real_eigvals_nd",
]


@contextmanager
def environment(*args):
    """Set environment variables for a ``with`` block and restore them afterwards.

    ``environment(name, value)`` or ``environment({name: value, ...})``; a value
    of None unsets the variable. Pending engine work finishes before the old
    values come back (it may read them).
    """
    if len(args) == 1 and isinstance(args[0], dict):
        env = dict(args[0])
    elif len(args) == 2:
        env = {args[0]: args[1]}
    else:
        raise TypeError("environment: expecting one dict argument or two arguments (env var name and value)")
    snapshot = {k: os.environ.get(k) for k in env}

    def apply(values: dict) -> None:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    apply(env)
    try:
        yield
    finally:
        from .ndarray import waitall

        try:
            waitall()
        finally:
            apply(snapshot)


@contextmanager
def discard_stderr():
    """Send file descriptor 2 (what C code and Python write as stderr) to /dev/null for a block."""
    fd = 2  # the descriptor itself: sys.stderr may be a capture object without one
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    saved = os.dup(fd)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (AttributeError, ValueError):
                pass
            os.dup2(saved, fd)
    finally:
        os.close(null)
        os.close(saved)


def retry(n: int):
    """Decorator: rerun a stochastic test up to ``n`` times while it raises AssertionError.

    >>> calls = []
    >>> @retry(3)
    ... def flaky():
    ...     calls.append(1)
    ...     assert len(calls) == 2
    >>> flaky(); len(calls)
    2
    """
    if n <= 0:
        raise ValueError(f"retry: n must be positive, got {n}")

    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            from .ndarray import waitall

            for i in range(n):
                try:
                    f(*args, **kwargs)
                    return
                except AssertionError:
                    if i == n - 1:
                        raise
                    waitall()

        return wrapper

    return decorate


def random_sample(population, k: int) -> list:
    """``k`` elements of ``population`` in random order (NumPy's global RNG, as MXNet)."""
    if not 0 <= k <= len(population):
        raise ValueError(f"random_sample: k={k} is outside [0, {len(population)}]")
    pool = list(population)
    np.random.shuffle(pool)
    return pool[:k]


def list_gpus() -> range:
    """``range(n)`` over the GPUs this process sees (empty without CuPy or a GPU)."""
    from .context import num_gpus

    return range(num_gpus())


def is_aarch64_run() -> bool:
    """Whether the tests run on an aarch64 machine."""
    return platform.machine() == "aarch64"


def is_cd_run() -> bool:
    """Whether the tests run as part of MXNet's continuous delivery (``CD_JOB=1``)."""
    return os.environ.get("CD_JOB", "0") == "1"


# -- checking random generators -----------------------------------------------------------


def gen_buckets_probs_with_ppf(ppf, nbuckets: int) -> tuple[list, list]:
    """``nbuckets`` equal-probability buckets ``[(ppf(i/n), ppf((i+1)/n)), ...]`` and their probabilities."""
    if nbuckets <= 0:
        raise ValueError(f"gen_buckets_probs_with_ppf: nbuckets must be positive, got {nbuckets}")
    probs = [1.0 / nbuckets] * nbuckets
    buckets = [(ppf(i / float(nbuckets)), ppf((i + 1) / float(nbuckets))) for i in range(nbuckets)]
    return buckets, probs


def chi_square_check(generator, buckets: list, probs, nsamples: int = 1000000):
    """Chi-square test of ``generator(nsamples)`` against bucket probabilities.

    ``buckets`` holds ``(low, high)`` ranges for a continuous distribution or
    the possible values of a discrete one. Returns ``(p, observed, expected)``.
    The expected counts are scaled to the observed total (MXNet 1.9.1 truncates
    them to integers, which SciPy >= 1.7 rejects as not summing to the total).
    Needs SciPy.
    """
    try:
        from scipy import stats
    except ImportError as e:
        raise ImportError("chi_square_check needs scipy (pip install scipy)") from e
    if not isinstance(buckets, list):
        raise TypeError("chi_square_check: buckets must be a list")
    if len(probs) != len(buckets):
        raise ValueError(f"chi_square_check: {len(probs)} probabilities for {len(buckets)} buckets")
    samples = np.asarray(generator(nsamples)).ravel()
    probs = np.asarray(probs, dtype=np.float64)
    obs = np.zeros(len(buckets), dtype=np.int64)
    if isinstance(buckets[0], (list, tuple)):
        edges = np.empty(2 * len(buckets), dtype=np.float64)
        for i, (lo, hi) in enumerate(buckets):
            if lo > hi or (i + 1 < len(buckets) and hi > buckets[i + 1][0]):
                raise ValueError(f"chi_square_check: buckets must be ascending and disjoint; bucket {i} is {buckets[i]}")
            edges[2 * i], edges[2 * i + 1] = lo, hi
        # float32 edges, as MXNet compares float32 samples against them
        # (a sample in the gap before a bucket counts for that bucket, as in MXNet)
        ids = np.searchsorted(edges.astype(np.float32), samples, side="right") // 2
        obs += np.bincount(ids, minlength=len(buckets) + 1)[: len(buckets)]
    else:
        for i, b in enumerate(buckets):
            obs[i] = int((samples == b).sum())
    expected = probs * (obs.sum() / probs.sum()) if obs.sum() > 0 else probs * nsamples
    _, p = stats.chisquare(f_obs=obs, f_exp=expected)
    return p, obs, expected


def verify_generator(generator, buckets, probs, nsamples: int = 1000000, nrepeat: int = 5, success_rate: float = 0.2, alpha: float = 0.05) -> list:
    """Run :func:`chi_square_check` ``nrepeat`` times; AssertionError unless at least
    ``success_rate`` of the runs have p > ``alpha``. Returns the p values."""
    ps, obs_l, exp_l = [], [], []
    for _ in range(nrepeat):
        p, obs, exp = chi_square_check(generator=generator, buckets=buckets, probs=probs, nsamples=nsamples)
        ps.append(p)
        obs_l.append(obs)
        exp_l.append(exp)
    if (np.array(ps) > alpha).sum() < nrepeat * success_rate:
        raise AssertionError(f"Generator test fails, Chi-square p={ps}, obs_freq={obs_l}, expected_freq={exp_l}.\nbuckets={buckets}, probs={probs}")
    return ps


def mean_check(generator, mu: float, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the sample mean lies within ``mu +- 3 sigma / sqrt(n)``."""
    m = np.asarray(generator(nsamples)).mean()
    half = 3 * sigma / np.sqrt(nsamples)
    return bool(mu - half < m < mu + half)


def var_check(generator, sigma: float, nsamples: int = 1000000) -> bool:
    """Whether the sample variance lies within ``sigma^2 +- 3 sqrt(2 sigma^4 / (n - 1))``."""
    v = np.asarray(generator(nsamples)).var(ddof=1)
    half = 3 * np.sqrt(2 * sigma**4 / (nsamples - 1))
    return bool(sigma**2 - half < v < sigma**2 + half)


# -- optimizers ------------------------------------------------------------------------------


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None) -> None:
    """assert_almost_equal on two (nested tuples of) arrays; None on either side skips."""
    from .test_utils import assert_almost_equal

    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for a, b in zip(t1, t2):
            compare_ndarray_tuple(a, b, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def compare_optimizer(opt1, opt2, shape, dtype, w_stype="default", g_stype="default", rtol=1e-4, atol=1e-5, compare_states=True, ntensors=1) -> None:
    """Apply one update of ``opt1`` and ``opt2`` to the same random weight and gradient
    and check the weights (and states, with ``compare_states``) agree.

    A list ``shape`` tests a multi-tensor ``opt2`` against ``opt1`` tensor by tensor.
    """
    from . import random as mxrandom
    from .test_utils import assert_almost_equal, default_context, rand_ndarray

    for st in (w_stype, g_stype):
        if st not in ("default", "row_sparse", "csr"):
            raise TypeError(f"compare_optimizer: storage type {st!r} is not supported")
    ctx = default_context()
    if not isinstance(shape, list):
        if ntensors != 1:
            raise ValueError("compare_optimizer: ntensors must be 1 for a single shape")
        # a sparse weight (all rows present) or gradient for opt2, its dense copy for opt1
        if w_stype == "default":
            w2 = mxrandom.uniform(shape=shape, ctx=ctx, dtype=dtype)
            w1 = w2.copyto(ctx)
        else:
            w2 = rand_ndarray(shape, w_stype, density=1, dtype=dtype)
            w1 = w2.copyto(ctx).tostype("default")
        if g_stype == "default":
            g2 = mxrandom.uniform(shape=shape, ctx=ctx, dtype=dtype)
            g1 = g2.copyto(ctx)
        else:
            g2 = rand_ndarray(shape, g_stype, dtype=dtype)
            g1 = g2.copyto(ctx).tostype("default")
        s1 = opt1.create_state_multi_precision(0, w1)
        s2 = opt2.create_state_multi_precision(0, w2)
        if compare_states:
            compare_ndarray_tuple(s1, s2)
        opt1.update_multi_precision(0, w1, g1, s1)
        opt2.update_multi_precision(0, w2, g2, s2)
        if compare_states:
            compare_ndarray_tuple(s1, s2, rtol=rtol, atol=atol)
        assert_almost_equal(w1, w2, rtol=rtol, atol=atol)
        return
    w1 = tuple(mxrandom.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    g1 = tuple(mxrandom.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    w2, g2 = copy.deepcopy(w1), copy.deepcopy(g1)
    s2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, s2)
    for i in range(ntensors):
        s1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], s1)
        if compare_states:
            compare_ndarray_tuple(s1, s2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)


# -- small structure checks ---------------------------------------------------------------


def same_array(array1, array2) -> bool:
    """Whether two NDArrays share memory (adds 1 to ``array1`` and looks at ``array2``)."""
    from .test_utils import same

    array1[:] += 1
    if not same(array1.asnumpy(), array2.asnumpy()):
        array1[:] -= 1
        return False
    array1[:] -= 1
    return same(array1.asnumpy(), array2.asnumpy())


def same_symbol_structure(sym1, sym2) -> bool:
    """Whether two symbols have the same operator at every node position."""
    n1 = json.loads(sym1.tojson())["nodes"]
    n2 = json.loads(sym2.tojson())["nodes"]
    return all(a["op"] == b["op"] for a, b in zip(n1, n2))


def collapse_sum_like(a: np.ndarray, shape) -> np.ndarray:
    """Sum ``a`` over the axes broadcasting added to reach it from ``shape``."""
    if len(a.shape) < len(shape):
        raise ValueError(f"collapse_sum_like: {a.shape} has fewer dimensions than {shape}")
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    lead = len(a.shape) - len(shape)
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s != a.shape[i + lead]:
            if s != 1:
                raise ValueError(f"collapse_sum_like: {shape} does not broadcast to {a.shape}")
            axes.append(i + lead)
    return np.sum(a, axis=tuple(axes)).reshape(shape)


def rand_coord_2d(x_low: int, x_high: int, y_low: int, y_high: int) -> tuple[int, int]:
    """A random integer point in ``[x_low, x_high] x [y_low, y_high]``."""
    return int(np.random.randint(x_low, x_high + 1)), int(np.random.randint(y_low, y_high + 1))


def create_2d_tensor(rows: int, columns: int, dtype=np.int64):
    """An NDArray whose row ``i`` is all ``i`` (large-tensor tests)."""
    from .ndarray import array

    return array(np.repeat(np.arange(rows, dtype=dtype)[:, None], columns, axis=1), dtype=dtype)


def create_vector(size: int, dtype=np.int64):
    """An NDArray ``[0, 1, ..., size - 1]``."""
    from .ndarray import arange

    return arange(0, size, dtype=dtype)


def get_etol(etol=None) -> float:
    """The fraction of mismatching elements allowed (0 by default)."""
    return 0 if etol is None else etol


def assert_almost_equal_with_err(a, b, rtol=None, atol=None, etol=None, names=("a", "b"), equal_nan=False, mismatches=(10, 10)) -> None:
    """Like ``assert_almost_equal``, but passes while at most ``etol`` of the elements mismatch."""
    from .test_utils import _to_numpy, assert_almost_equal, get_tols

    etol = get_etol(etol)
    if etol <= 0:
        assert_almost_equal(a, b, rtol=rtol, atol=atol, names=names, equal_nan=equal_nan, mismatches=mismatches)
        return
    an, bn = _to_numpy(a), _to_numpy(b)
    rtol, atol = get_tols(an, bn, rtol, atol)
    bad = ~np.isclose(an, bn, rtol=rtol, atol=atol, equal_nan=equal_nan)
    frac = bad.sum() / max(bad.size, 1)
    if frac > etol:
        raise AssertionError(
            f"Error {frac:.6f} exceeds tolerance rtol={rtol}, atol={atol}, etol={etol} ({bad.sum()} of {bad.size} elements of {names[0]} and {names[1]} differ)"
        )


class DummyIter:
    """Repeats the first batch of ``real_iter`` forever (measures speed without I/O)."""

    def __init__(self, real_iter) -> None:
        self.batch_size = real_iter.batch_size
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.the_batch = next(iter(real_iter))

    def __iter__(self):
        return self

    def next(self):
        return self.the_batch

    __next__ = next


def has_tvm_ops() -> bool:
    """Whether operators built with TVM exist (never in mxpy)."""
    return False


def is_op_runnable() -> bool:
    """Whether the TVM-backed operators can run here (always: mxpy has none to restrict)."""
    return True


def assign_each(the_input: np.ndarray, function) -> np.ndarray:
    """``function`` applied to every element (a float64 array; a copy when ``function`` is None)."""
    if function is None:
        return np.array(the_input)
    flat = [function(v) for v in np.asarray(the_input).ravel()]
    return np.array(flat, dtype=np.float64).reshape(np.shape(the_input))


def assign_each2(input1: np.ndarray, input2: np.ndarray, function) -> np.ndarray:
    """``function(a, b)`` over two same-shape arrays, element by element (float64)."""
    if function is None:
        return np.array(input1)
    if np.shape(input1) != np.shape(input2):
        raise ValueError(f"assign_each2: shapes differ, {np.shape(input1)} and {np.shape(input2)}")
    flat = [function(a, b) for a, b in zip(np.asarray(input1).ravel(), np.asarray(input2).ravel())]
    return np.array(flat, dtype=np.float64).reshape(np.shape(input1))


def get_identity_mat(size: int):
    """A ``(size, size)`` float32 identity NDArray."""
    from .ndarray import array

    return array(np.eye(size, dtype=np.float32))


def get_identity_mat_batch(size: int):
    """Two stacked identity matrices, shape ``(2, size, size)``."""
    from .ndarray import array

    return array(np.stack([np.eye(size, dtype=np.float32)] * 2))


def new_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A well-conditioned ``n x n`` matrix with real eigenvalues in [-10, 10]: ``q^-1 D q``
    for a scaled Householder reflection ``q`` of condition number below 3."""
    while True:
        v = np.random.uniform(-1.0, 1.0, (n, 1))
        v /= np.linalg.norm(v, axis=0, keepdims=True)
        q = (np.eye(n) - 2 * v @ v.T) @ np.diag(np.random.uniform(-1.0, 1.0, n))
        if np.linalg.cond(q, 2) < 3:
            break
    return np.linalg.inv(q) @ np.diag(np.random.uniform(-10.0, 10.0, n)) @ q


def _batched(make, shape) -> np.ndarray:
    count = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([make(shape[-1]) for _ in range(count)]).reshape(shape)


def new_matrix_with_real_eigvals_nd(shape) -> np.ndarray:
    """A batch of :func:`new_matrix_with_real_eigvals_2d` matrices of ``shape``."""
    return _batched(new_matrix_with_real_eigvals_2d, shape)


def new_orthonormal_matrix_2d(n: int) -> np.ndarray:
    """A random ``n x n`` orthonormal matrix (Q of a QR factorisation)."""
    x = np.random.randn(n, n)
    return np.linalg.qr(x.T @ x)[0]


def new_sym_matrix_with_real_eigvals_2d(n: int) -> np.ndarray:
    """A random symmetric ``n x n`` matrix with eigenvalues in [-10, 10]."""
    q = new_orthonormal_matrix_2d(n)
    return q.T @ np.diag(np.random.uniform(-10.0, 10.0, n)) @ q


def new_sym_matrix_with_real_eigvals_nd(shape) -> np.ndarray:
    """A batch of :func:`new_sym_matrix_with_real_eigvals_2d` matrices of ``shape``."""
    return _batched(new_sym_matrix_with_real_eigvals_2d, shape)
