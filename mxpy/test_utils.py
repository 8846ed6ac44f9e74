"""Testing helpers with MXNet 1.9.1's ``mx.test_utils`` names and semantics.

Comparison (``assert_almost_equal`` and friends, with MXNet's per-dtype
default tolerances), random data (``rand_ndarray``, ``rand_shape_nd``...),
and symbol checks: ``check_symbolic_forward`` / ``check_symbolic_backward``
against expected values, ``check_numeric_gradient`` against finite
differences of a random projection of the output, and ``check_consistency``
across contexts and dtypes.

>>> import numpy as np
>>> import mxpy as mx
>>> from mxpy import test_utils as tu
>>> tu.assert_almost_equal(mx.nd.ones((2,)), np.ones(2))
>>> tu.almost_equal(np.zeros(3), np.full(3, 1e-3))
False
"""

from __future__ import annotations

import numbers
import traceback  # noqa: F401 -- kept as a module attribute, as before the checks moved out

import numpy as np

from .base import MXNetError
from .context import Context, current_context
from .ndarray import NDArray
from .ndarray import array as _nd_array
from .symbol import Symbol  # noqa: F401 -- likewise

__all__ = [
    "default_context",
    "set_default_context",
    "default_dtype",
    "default_rtols",
    "default_atols",
    "default_numeric_eps",
    "effective_dtype",
    "get_tolerance",
    "get_tols",
    "get_rtol",
    "get_atol",
    "almost_equal",
    "assert_almost_equal",
    "assert_almost_equal_ignore_nan",
    "assert_allclose",
    "same",
    "assert_exception",
    "rand_shape_2d",
    "rand_shape_3d",
    "rand_shape_nd",
    "rand_ndarray",
    "rand_sparse_ndarray",
    "create_sparse_array",
    "create_sparse_array_zd",
    "random_arrays",
    "random_uniform_arrays",
    "np_reduce",
    "simple_forward",
    "numeric_grad",
    "check_numeric_gradient",
    "check_symbolic_forward",
    "check_symbolic_backward",
    "check_consistency",
]

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_F64 = np.dtype(np.float64)


# -- contexts and dtypes ---------------------------------------------------------------------


def default_context() -> Context:
    """The context tests run on: the current context (``cpu(0)`` unless changed).

    >>> import mxpy as mx
    >>> mx.test_utils.default_context()
    cpu(0)
    """
    return current_context()


def set_default_context(ctx: Context) -> None:
    """Make ``ctx`` the current (and so the default test) context of this thread."""
    Context._default_ctx.value = Context(ctx)


def default_dtype() -> type:
    """The dtype of generated test data: ``np.float32``."""
    return np.float32


# -- tolerances ------------------------------------------------------------------------------


def default_rtols() -> dict:
    """Default relative tolerance per dtype (float16 1e-2, float32 1e-4, float64 1e-5, integers 0)."""
    ints = {np.dtype(t): 0 for t in (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)}
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5, **ints}


def default_atols() -> dict:
    """Default absolute tolerance per dtype (float16 1e-1, float32 1e-3, float64 1e-20, integers 0)."""
    ints = {np.dtype(t): 0 for t in (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)}
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20, **ints}


def default_numeric_eps() -> dict:
    """Finite-difference step per dtype: powers of two, so ``x + eps`` drops no bits."""
    return {np.dtype(np.float16): 1.0 / 2**6, np.dtype(np.float32): 1.0 / 2**9, np.dtype(np.float64): 1.0 / 2**14}


def effective_dtype(dat) -> np.dtype:
    """The dtype whose precision ``dat`` really has (its dtype: CuPy does not use TF32 by default)."""
    return np.dtype(dat.dtype)


def get_tolerance(dat, tol, default_tol: dict) -> float:
    """``tol`` if it is a number, else ``tol[dtype]`` or ``default_tol[dtype]`` for ``dat``'s dtype."""
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    tol = {} if tol is None else {np.dtype(k): v for k, v in tol.items()}
    if dtype in tol:
        return tol[dtype]
    if dtype in default_tol:
        return default_tol[dtype]
    if dtype.kind in "biu":
        return 0
    raise MXNetError(f"get_tolerance: no default tolerance for dtype {dtype}; pass rtol/atol explicitly")


def get_tols(x, y, rtol, atol) -> tuple[float, float]:
    """(rtol, atol) for comparing ``x`` and ``y``: the looser default of their two dtypes."""
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    x, y = _with_dtype(x), _with_dtype(y)
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def get_rtol(rtol=None, dtype=_F64) -> float:
    """``rtol``, or the default relative tolerance of ``dtype`` (float64) when None."""
    return default_rtols()[np.dtype(dtype)] if rtol is None else rtol


def get_atol(atol=None, dtype=_F64) -> float:
    """``atol``, or the default absolute tolerance of ``dtype`` (float64) when None."""
    return default_atols()[np.dtype(dtype)] if atol is None else atol


def _with_dtype(x):
    # lists and tuples have no dtype: compare them as the arrays they describe
    return x if hasattr(x, "dtype") else np.asarray(x)


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, NDArray):
        return x.asnumpy()
    if hasattr(x, "__cuda_array_interface__") and hasattr(x, "get"):
        return x.get()
    return np.asarray(x)


# -- comparisons -----------------------------------------------------------------------------


def _check_shapes(a, b, names=("a", "b")) -> None:
    if tuple(a.shape) != tuple(b.shape):
        raise AssertionError(f"{names[0]}.shape = {tuple(a.shape)} and {names[1]}.shape = {tuple(b.shape)} are not equal")


def almost_equal(a, b, rtol=None, atol=None, equal_nan: bool = False, use_broadcast: bool = True) -> bool:
    """True when ``|a - b| <= atol + rtol * |b|`` everywhere.

    Unlike ``assert_almost_equal``, missing tolerances default to float64's
    (rtol=1e-5, atol=1e-20) whatever the dtypes, as in MXNet.

    >>> import numpy as np
    >>> almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-7]))
    True
    """
    a, b = _with_dtype(a), _with_dtype(b)
    if not use_broadcast:
        _check_shapes(a, b)
    return _allclose(_to_numpy(a), _to_numpy(b), get_rtol(rtol), get_atol(atol), equal_nan)


_CLOSE_CHUNK = 1 << 15


def _allclose(a: np.ndarray, b: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> bool:
    """``np.allclose`` a block of elements at a time for large same-shape contiguous arrays.

    ``np.allclose`` builds several full-size temporaries (a 512 MB pair of arrays costs
    about 2.5 GB more and takes seconds in page faults); blocks that stay in cache give
    the same answer with no large allocation, stopping at the first mismatching block.
    """
    if a.shape != b.shape or a.size <= 4 * _CLOSE_CHUNK or not (a.flags.c_contiguous and b.flags.c_contiguous):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    fa, fb = a.reshape(-1), b.reshape(-1)
    for s in range(0, fa.size, _CLOSE_CHUNK):
        if not np.allclose(fa[s : s + _CLOSE_CHUNK], fb[s : s + _CLOSE_CHUNK], rtol=rtol, atol=atol, equal_nan=equal_nan):
            return False
    return True


def _violation(a: np.ndarray, b: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """Per-element error relative to the allowed tolerance (> 1 means a mismatch)."""
    with np.errstate(invalid="ignore", over="ignore"):
        fa, fb = a.astype(np.float64), b.astype(np.float64)
        # equal values (including equal infinities) are no error, as in np.allclose
        absdiff = np.where(fa == fb, 0.0, np.abs(fa - fb))
        viol = absdiff / (atol + rtol * np.abs(fb) + 1e-20)
    nan_a, nan_b = np.isnan(fa), np.isnan(fb)
    viol = np.where(nan_a | nan_b, np.inf, viol)
    if equal_nan:
        viol = np.where(nan_a & nan_b, 0.0, viol)
    return viol


def _fmt_value(v) -> str:
    return f"{float(v):.8f}" if np.issubdtype(np.asarray(v).dtype, np.number) else str(v)


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan: bool = False, use_broadcast: bool = True, mismatches=(10, 10)) -> None:
    """Raise ``AssertionError`` unless ``a`` and ``b`` (NDArrays, NumPy arrays or numbers) are close.

    Missing tolerances come from the dtypes (the looser of the two):
    float16 rtol 1e-2/atol 1e-1, float32 1e-4/1e-3, float64 1e-5/1e-20.
    The message gives the largest error relative to the tolerance, its
    location and both values, how many elements mismatch, and the
    ``mismatches[0]`` worst locations.

    >>> import numpy as np
    >>> assert_almost_equal(np.array([1.0, 2.0]), np.array([1.0, 2.0001]), rtol=1e-3)
    """
    if not use_broadcast:
        _check_shapes(_with_dtype(a), _with_dtype(b), names)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = _to_numpy(a), _to_numpy(b)
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b, err_msg=f"{names[0]} and {names[1]} differ")
        return
    if np.float16 in (a.dtype, b.dtype) and a.dtype.kind == b.dtype.kind == "f":
        # NumPy's float16 arithmetic is emulated and ~10x slower; float32 holds every float16 exactly
        a, b = a.astype(np.promote_types(a.dtype, np.float32)), b.astype(np.promote_types(b.dtype, np.float32))
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise AssertionError(f"{names[0]} with shape {a.shape} and {names[1]} with shape {b.shape} cannot be broadcast together") from None
    if _allclose(a, b, rtol, atol, equal_nan):
        return
    viol = _violation(a, b, rtol, atol, equal_nan)
    bad = viol > 1.0
    n_bad = int(bad.sum())
    order = np.argsort(-viol, axis=None, kind="stable")
    worst = [np.unravel_index(int(i), viol.shape) for i in order[: max(int(mismatches[0]), 1)] if bad.flat[int(i)]]
    idx = worst[0] if worst else np.unravel_index(int(order[0]), viol.shape)
    idx = tuple(int(i) for i in idx)
    lines = [
        f"Error {float(viol[idx]):f} exceeds tolerance rtol={rtol:e}, atol={atol:e} "
        f"(mismatch {100.0 * n_bad / max(a.size, 1):f}%: {n_bad} of {a.size} elements).",
        f"Location of maximum error: {idx}, {names[0]}={_fmt_value(a[idx])}, {names[1]}={_fmt_value(b[idx])}",
    ]
    if len(worst) > 1:
        lines.append(f"Largest {len(worst)} mismatches:")
        for k, loc in enumerate(worst, 1):
            loc = tuple(int(i) for i in loc)
            lines.append(f"{k:3d}: error {float(viol[loc]):f} at {loc}, {names[0]}={_fmt_value(a[loc])}, {names[1]}={_fmt_value(b[loc])}")
    with np.printoptions(threshold=20, edgeitems=3, suppress=True):
        lines.append(f" {names[0]}: {np.array2string(a, prefix=' ' * (len(names[0]) + 3))}")
        lines.append(f" {names[1]}: {np.array2string(b, prefix=' ' * (len(names[1]) + 3))}")
    raise AssertionError("\n".join(lines))


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")) -> None:
    """``assert_almost_equal`` after zeroing every position where either side is NaN."""
    a = np.array(_to_numpy(a), copy=True)
    b = np.array(_to_numpy(b), copy=True)
    a, b = (np.array(x) for x in np.broadcast_arrays(a, b))
    nan_mask = np.isnan(a) | np.isnan(b)
    a[nan_mask] = 0
    b[nan_mask] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_allclose(a, b, rtol: float = 1e-07, atol: float = 0, equal_nan: bool = True) -> None:
    """``numpy.testing.assert_allclose`` on NDArrays or arrays (NaNs equal by default)."""
    np.testing.assert_allclose(_to_numpy(a), _to_numpy(b), rtol=rtol, atol=atol, equal_nan=equal_nan)


def same(a, b) -> bool:
    """True when ``a`` and ``b`` have the same shape and exactly equal elements.

    >>> import mxpy as mx
    >>> same(mx.nd.ones((2,)), [1.0, 1.0])
    True
    """
    return bool(np.array_equal(_to_numpy(a), _to_numpy(b)))


def assert_exception(f, exception_type, *args, **kwargs) -> None:
    """Assert that ``f(*args, **kwargs)`` raises ``exception_type``.

    >>> assert_exception(int, ValueError, "x")
    """
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    name = getattr(exception_type, "__name__", str(exception_type))
    raise AssertionError(f"assert_exception: {getattr(f, '__name__', f)!s} did not raise {name}")


# -- random data ---------------------------------------------------------------------------------


def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple[int, int]:
    """A random 2-D shape with sizes in [1, dim] ([0, dim] with ``allow_zero_size``), from ``np.random``."""
    low = 0 if allow_zero_size else 1
    return int(np.random.randint(low, dim0 + 1)), int(np.random.randint(low, dim1 + 1))


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10, allow_zero_size: bool = False) -> tuple[int, int, int]:
    """A random 3-D shape with sizes in [1, dim] ([0, dim] with ``allow_zero_size``)."""
    low = 0 if allow_zero_size else 1
    return int(np.random.randint(low, dim0 + 1)), int(np.random.randint(low, dim1 + 1)), int(np.random.randint(low, dim2 + 1))


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple[int, ...]:
    """A random ``num_dim``-D shape with every size in [1, dim] ([0, dim] with ``allow_zero_size``).

    >>> len(rand_shape_nd(4))
    4
    """
    low = 0 if allow_zero_size else 1
    return tuple(int(s) for s in np.random.randint(low, dim + 1, size=num_dim))


def random_arrays(*shapes):
    """Standard-normal float32 NumPy arrays, one per shape (the array itself for one shape)."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0 else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, **kwargs):
    """Uniform NumPy arrays in [low, high) (kwargs ``low=0``, ``high=1``, ``dtype=float32``), one per shape."""
    low = kwargs.pop("low", 0.0)
    high = kwargs.pop("high", 1.0)
    dtype = kwargs.pop("dtype", default_dtype())
    if kwargs:
        raise TypeError(f"random_uniform_arrays: unexpected keyword arguments {sorted(kwargs)}")
    arrays = [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def rand_ndarray(shape, stype="default", density=None, dtype=None, modifier_func=None, shuffle_csr_indices=False, distribution=None, ctx=None) -> NDArray:
    """A random NDArray on ``ctx``: standard-normal values (float32 unless ``dtype``) for
    ``stype='default'``, a random row_sparse/csr array (see ``rand_sparse_ndarray``) otherwise.

    >>> rand_ndarray((2, 3)).shape
    (2, 3)
    """
    ctx = ctx if ctx else default_context()
    if stype == "default":
        return _nd_array(random_arrays(tuple(shape)), ctx=ctx, dtype=dtype)
    if stype not in ("row_sparse", "csr"):
        raise MXNetError(f"rand_ndarray: unknown stype {stype!r}; expected 'default', 'row_sparse' or 'csr'")
    arr, _ = rand_sparse_ndarray(
        shape, stype, density=density, modifier_func=modifier_func, dtype=dtype, shuffle_csr_indices=shuffle_csr_indices, distribution=distribution, ctx=ctx
    )
    return arr


def np_reduce(dat: np.ndarray, axis, keepdims: bool, numpy_reduce_func) -> np.ndarray:
    """Reduce ``dat`` over ``axis`` (int, tuple or None for all) one axis at a time with ``numpy_reduce_func``.

    >>> import numpy as np
    >>> np_reduce(np.ones((2, 3, 4)), (0, 2), True, np.sum).shape
    (1, 3, 1)
    """
    if isinstance(axis, int):
        axes = [axis]
    else:
        axes = list(axis) if axis is not None else list(range(len(dat.shape)))
    axes = [a % dat.ndim if dat.ndim else a for a in axes]
    ret = dat
    for i in sorted(axes, reverse=True):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        keep = list(dat.shape)
        for i in axes:
            keep[i] = 1
        ret = ret.reshape(tuple(keep))
    return ret


# -- symbol checks (in :mod:`._test_utils_checks`, which builds on the helpers above) ----------

from ._test_utils_checks import _as_nd as _as_nd  # noqa: E402
from ._test_utils_checks import _compare_grad as _compare_grad  # noqa: E402
from ._test_utils_checks import _float_dtype as _float_dtype  # noqa: E402
from ._test_utils_checks import _grad_reqs as _grad_reqs  # noqa: E402
from ._test_utils_checks import _parse_aux_states as _parse_aux_states  # noqa: E402
from ._test_utils_checks import _parse_location as _parse_location  # noqa: E402
from ._test_utils_checks import _report as _report  # noqa: E402
from ._test_utils_checks import _smaller_dtype as _smaller_dtype  # noqa: E402
from ._test_utils_checks import (  # noqa: E402
    check_consistency,
    check_numeric_gradient,
    check_symbolic_backward,
    check_symbolic_forward,
    numeric_grad,
    simple_forward,
)
from ._test_utils_data import __all__ as _data_all  # noqa: E402
from ._test_utils_data import (  # noqa: E402,F401
    download,
    download_model,
    get_bz2_data,
    get_cifar10,
    get_im2rec_path,
    get_mnist,
    get_mnist_iterator,
    get_mnist_pkl,
    get_mnist_ubyte,
    get_zip_data,
)
from ._test_utils_misc import (  # noqa: E402,F401
    DummyIter,
    assert_almost_equal_with_err,
    assign_each,
    assign_each2,
    chi_square_check,
    collapse_sum_like,
    compare_ndarray_tuple,
    compare_optimizer,
    create_2d_tensor,
    create_vector,
    discard_stderr,
    environment,
    gen_buckets_probs_with_ppf,
    get_etol,
    get_identity_mat,
    get_identity_mat_batch,
    has_tvm_ops,
    is_aarch64_run,
    is_cd_run,
    is_op_runnable,
    list_gpus,
    mean_check,
    new_matrix_with_real_eigvals_2d,
    new_matrix_with_real_eigvals_nd,
    new_orthonormal_matrix_2d,
    new_sym_matrix_with_real_eigvals_2d,
    new_sym_matrix_with_real_eigvals_nd,
    rand_coord_2d,
    random_sample,
    retry,
    same_array,
    same_symbol_structure,
    var_check,
    verify_generator,
)
from ._test_utils_misc import __all__ as _misc_all  # noqa: E402
from ._test_utils_sparse import (  # noqa: E402,F401
    create_sparse_array,
    create_sparse_array_zd,
    rand_sparse_ndarray,
    shuffle_csr_column_indices,
)
from .util import use_np, use_np_array, use_np_shape  # noqa: E402,F401 -- MXNet's test_utils re-exports them

__all__ += _data_all + _misc_all

# MXNet's test_utils has no __all__, so `from mxnet.test_utils import *` also hands out
# the modules it imported; MXNet's tests rely on that (test_random uses sys, ss, np).
import bz2  # noqa: E402,F401
import errno  # noqa: E402,F401
import gzip  # noqa: E402,F401
import json  # noqa: E402,F401
import logging  # noqa: E402,F401
import os  # noqa: E402,F401
import platform  # noqa: E402,F401
import struct  # noqa: E402,F401
import sys  # noqa: E402,F401
import time  # noqa: E402,F401
import zipfile  # noqa: E402,F401
from collections import OrderedDict  # noqa: E402,F401
from contextlib import contextmanager  # noqa: E402,F401

import numpy.random as rnd  # noqa: E402,F401
import numpy.testing as npt  # noqa: E402,F401

from .ndarray import array  # noqa: E402,F401
from .runtime import Features  # noqa: E402,F401
from .util import getenv, setenv  # noqa: E402,F401

_MODULE_NAMES = ["bz2", "errno", "gzip", "json", "logging", "os", "platform", "struct", "sys", "time", "zipfile", "numbers", "traceback"]
__all__ += _MODULE_NAMES + [
    "OrderedDict",
    "contextmanager",
    "np",
    "npt",
    "rnd",
    "ss",  # noqa: F822 -- served by __getattr__
    "mx",  # noqa: F822 -- served by __getattr__
    "Context",
    "current_context",
    "array",
    "Symbol",
]
__all__ += ["use_np", "use_np_shape", "use_np_array", "getenv", "setenv", "Features"]

from ._test_utils_np import check_gluon_hybridize_consistency  # noqa: E402

__all__ += ["check_gluon_hybridize_consistency"]


def __getattr__(name: str):
    # scipy.stats (``ss``) and the package itself (``mx``) load on first use, not at ``import mxpy``
    if name == "ss":
        try:
            import scipy.stats as ss
        except ImportError:
            ss = None
        return ss
    if name == "mx":
        import mxpy

        return mxpy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
