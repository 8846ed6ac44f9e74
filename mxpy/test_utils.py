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
import traceback

import numpy as np

from .base import MXNetError
from .context import Context, current_context
from .ndarray import NDArray
from .ndarray import array as _nd_array
from .symbol import Symbol

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
    return bool(np.allclose(_to_numpy(a), _to_numpy(b), rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan))


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
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        raise AssertionError(f"{names[0]} with shape {a.shape} and {names[1]} with shape {b.shape} cannot be broadcast together") from None
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
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
    """A dense NDArray of standard-normal values (float32 unless ``dtype``) on ``ctx``.

    mxpy has dense storage only: ``stype`` 'row_sparse' or 'csr' raise MXNetError.

    >>> rand_ndarray((2, 3)).shape
    (2, 3)
    """
    if stype != "default":
        if stype in ("row_sparse", "csr"):
            raise MXNetError(f"rand_ndarray: stype {stype!r} is not supported: mxpy has dense ('default') storage only")
        raise MXNetError(f"rand_ndarray: unknown stype {stype!r}; expected 'default'")
    ctx = ctx if ctx else default_context()
    return _nd_array(random_arrays(tuple(shape)), ctx=ctx, dtype=dtype)


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


# -- symbol checks -----------------------------------------------------------------------------


def _float_dtype(dtype, what: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in _FLOATS:
        raise ValueError(f"{what}: dtype must be float16, float32 or float64, got {dtype!r}")
    return dt


def _as_nd(v, ctx, dtype) -> NDArray:
    # NumPy arrays are converted to the check's dtype; NDArrays are used as given
    if isinstance(v, NDArray):
        return v
    v = np.asarray(v)
    return _nd_array(v, ctx=ctx, dtype=v.dtype if dtype == "asnumpy" else dtype)


def _parse_location(sym: Symbol, location, ctx, dtype=np.float32) -> dict:
    """``location`` (a list in argument order or a dict by name) as {argument name: NDArray}."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        if set(location) != set(names):
            raise ValueError(
                f"Symbol arguments and keys of the given location do not match: symbol arguments {sorted(names)}, location keys {sorted(location)}"
            )
    elif isinstance(location, (list, tuple)):
        if len(location) != len(names):
            raise ValueError(f"location has {len(location)} arrays, the symbol has {len(names)} arguments {names}")
        location = dict(zip(names, location))
    else:
        raise TypeError(f"location must be a list, tuple or dict of arrays, got {type(location).__name__}")
    return {k: _as_nd(location[k], ctx, dtype) for k in sorted(location)}


def _parse_aux_states(sym: Symbol, aux_states, ctx, dtype=np.float32) -> dict | None:
    """``aux_states`` (list or dict) as {aux name: NDArray}, or None."""
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if isinstance(aux_states, dict):
        if set(aux_states) != set(names):
            raise ValueError(f"Symbol aux_states names and given aux_states do not match: symbol aux states {sorted(names)}, given {sorted(aux_states)}")
    elif isinstance(aux_states, (list, tuple)):
        if len(aux_states) != len(names):
            raise ValueError(f"aux_states has {len(aux_states)} arrays, the symbol has {len(names)} auxiliary states {names}")
        aux_states = dict(zip(names, aux_states))
    else:
        raise TypeError(f"aux_states must be a list, tuple or dict of arrays, got {type(aux_states).__name__}")
    return {k: _as_nd(v, ctx, dtype) for k, v in aux_states.items()}


def simple_forward(sym: Symbol, ctx=None, is_train: bool = False, **inputs):
    """Bind ``sym`` to ``inputs`` (arrays by argument name), run forward, return NumPy output(s).

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> simple_forward(x * 2, x=np.ones(2)).tolist()
    [2.0, 2.0]
    """
    ctx = ctx or default_context()
    args = {k: _nd_array(v, ctx=ctx) for k, v in inputs.items()}
    exe = sym.bind(ctx, args=args)
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def numeric_grad(executor, location: dict, aux_states: dict | None = None, eps: float = 1e-4, use_forward_train: bool = True, dtype=np.float32) -> dict:
    """Central differences of ``sum(executor.outputs[0])`` with respect to each array in ``location``.

    ``location`` maps argument names to NumPy arrays; each element moves by
    ``+eps/2`` and ``-eps/2`` (aux states are restored before every forward,
    so BatchNorm's moving statistics do not drift). Arguments are restored
    to their values afterwards. Returns {name: gradient as NumPy}.
    """
    dtype = _float_dtype(dtype, "numeric_grad")
    arg_dict = executor.arg_dict
    unknown = [k for k in location if k not in arg_dict]
    if unknown:
        raise ValueError(f"numeric_grad: {unknown} are not arguments of the executor; arguments are {sorted(arg_dict)}")
    grads = {k: np.zeros(np.shape(v), dtype=dtype) for k, v in location.items()}
    values = {k: np.array(v, dtype=dtype, copy=True, order="C") for k, v in location.items()}
    for k, v in values.items():
        arg_dict[k][:] = v

    def objective() -> np.ndarray:
        if aux_states is not None:
            for name, val in aux_states.items():
                executor.aux_dict[name][:] = _to_numpy(val)
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for k, v in values.items():
        if np.asarray(location[k]).dtype.kind != "f":
            continue  # integer inputs (indices, labels) have no gradient
        flat = v.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps / 2.0
            arg_dict[k][:] = v
            f_plus = objective()
            flat[i] = old - eps / 2.0
            arg_dict[k][:] = v
            f_minus = objective()
            flat[i] = old
            grads[k].reshape(-1)[i] = (f_plus.astype(np.float64) - f_minus).sum() / eps
        arg_dict[k][:] = v
    return grads


def _grad_reqs(grad_nodes, arg_names: list[str]) -> dict:
    if grad_nodes is None:
        return {k: "write" for k in arg_names}
    if isinstance(grad_nodes, dict):
        reqs = dict(grad_nodes)
    elif isinstance(grad_nodes, (list, tuple)):
        reqs = {k: "write" for k in grad_nodes}
    else:
        raise ValueError(
            f"check_numeric_gradient: grad_nodes must be None, a list of argument names or a dict name -> grad_req, got {type(grad_nodes).__name__}"
        )
    unknown = [k for k in reqs if k not in arg_names]
    if unknown:
        raise ValueError(f"check_numeric_gradient: grad_nodes {unknown} are not arguments of the symbol {arg_names}")
    bad = {k: r for k, r in reqs.items() if r not in ("write", "add", "null")}
    if bad:
        raise ValueError(f"check_numeric_gradient: invalid grad_req {bad}; expected 'write', 'add' or 'null'")
    return reqs


def _compare_grad(req: str, name: str, expected, got, dirt, rtol, atol, names, equal_nan: bool = False) -> None:
    """Check a gradient buffer after backward under ``req`` (it started as ``dirt``)."""
    if req == "write":
        assert_almost_equal(expected, got, rtol, atol, names, equal_nan=equal_nan)
    elif req == "add":
        assert_almost_equal(expected, _to_numpy(got) - dirt, rtol, atol, names, equal_nan=equal_nan)
    elif req == "null":
        assert_almost_equal(dirt, got, rtol, atol, names, equal_nan=equal_nan)
    else:
        raise ValueError(f"Invalid grad_req {req!r} for argument {name!r}")


def check_numeric_gradient(
    sym: Symbol,
    location,
    aux_states=None,
    numeric_eps=None,
    rtol=None,
    atol=None,
    grad_nodes=None,
    use_forward_train: bool = True,
    ctx=None,
    grad_stype_dict=None,
    dtype=np.float32,
) -> None:
    """Compare the symbolic gradient of ``sym`` with finite differences.

    The single output is multiplied by a fixed random projection (uniform in
    [0.1, 1.1)) and summed, so every output element counts; the symbolic
    gradient of that scalar (via backward) must match its central differences
    (step ``numeric_eps``, by default 2**-9 for float32, 2**-14 for float64).
    ``grad_nodes`` lists the arguments to check (all by default) or maps them
    to a grad_req ('write', 'add' or 'null'); gradient buffers start as small
    random values so 'add' and 'null' are checked too.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> check_numeric_gradient(mx.sym.tanh(x), [np.random.uniform(-1, 1, (2, 3))], dtype=np.float64)
    """
    from . import symbol as _sym

    dt = _float_dtype(dtype, "check_numeric_gradient")
    ctx = ctx or default_context()
    if grad_stype_dict is not None and any(v != "default" for v in dict(grad_stype_dict).values()):
        raise MXNetError(f"check_numeric_gradient: grad_stype_dict {grad_stype_dict} asks for sparse gradients; mxpy has dense storage only")
    if len(sym.list_outputs()) != 1:
        raise ValueError(f"check_numeric_gradient: the symbol must have one output, it has {sym.list_outputs()}")
    location = _parse_location(sym, location, ctx, dt)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    aux_npy = {k: v.asnumpy() for k, v in aux.items()} if aux is not None else None
    arg_names = sym.list_arguments()
    grad_req = _grad_reqs(grad_nodes, arg_names)
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    if out_shapes is None:
        raise MXNetError(f"check_numeric_gradient: cannot infer the output shape from { ({k: v.shape for k, v in location.items()}) }")
    proj_shape = tuple(out_shapes[0])
    loss = _sym.MakeLoss(sym * _sym.Variable("__random_proj"))
    location = dict(location)
    location["__random_proj"] = _nd_array(np.random.rand(*proj_shape) + 0.1, ctx=ctx, dtype=dt)
    dirt = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_req}
    dirt["__random_proj"] = np.random.normal(0, 0.01, size=proj_shape)
    args_grad = {k: _nd_array(v, ctx=ctx, dtype=dt) for k, v in dirt.items()}
    reqs = dict(grad_req)
    reqs["__random_proj"] = "write"
    executor = loss.bind(ctx, args=location, args_grad=args_grad, grad_req=reqs, aux_states=aux)
    executor.forward(is_train=True)
    eps = get_tolerance(executor.outputs[0], numeric_eps, default_numeric_eps())
    # smaller steps drown in float32/float16 rounding
    if dt in (np.dtype(np.float16), np.dtype(np.float32)) and eps < 1e-5:
        raise ValueError(f"check_numeric_gradient: numeric_eps={eps} is too small for {dt.name}; use >= 1e-5 or dtype=np.float64")
    executor.backward()
    symbolic = {k: executor.grad_dict[k].asnumpy() for k in grad_req}
    numeric = numeric_grad(executor, location_npy, aux_npy, eps=eps, use_forward_train=use_forward_train, dtype=dt)
    for name, req in grad_req.items():
        _compare_grad(req, name, numeric[name] if req != "null" else None, symbolic[name], dirt[name], rtol, atol, (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


def check_symbolic_forward(sym: Symbol, location, expected, rtol=None, atol=None, aux_states=None, ctx=None, equal_nan: bool = False, dtype=np.float32) -> list:
    """Run ``sym`` forward (inference mode) on ``location`` and compare each output with ``expected``.

    ``expected`` is a list in output order or a dict by output name.
    Returns the executor's outputs.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_symbolic_forward(x * 3, [np.ones(2)], [np.full(2, 3.0)])
    """
    dt = dtype if dtype == "asnumpy" else _float_dtype(dtype, "check_symbolic_forward")
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dt)
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    outputs_names = sym.list_outputs()
    if isinstance(expected, dict):
        missing = [k for k in outputs_names if k not in expected]
        if missing:
            raise ValueError(f"check_symbolic_forward: expected has no value for outputs {missing}; outputs are {outputs_names}")
        expected = [expected[k] for k in outputs_names]
    if len(expected) != len(outputs_names):
        raise ValueError(f"check_symbolic_forward: {len(expected)} expected arrays for {len(outputs_names)} outputs {outputs_names}")
    args_grad = {k: _nd_array(np.zeros(v.shape), ctx=ctx, dtype=v.dtype if dt == "asnumpy" else dt) for k, v in location.items()}
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux)
    executor.forward(is_train=False)
    for name, expect, output in zip(outputs_names, expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"), equal_nan=equal_nan)
    return executor.outputs


def check_symbolic_backward(
    sym: Symbol,
    location,
    out_grads,
    expected,
    rtol=None,
    atol=None,
    aux_states=None,
    grad_req="write",
    ctx=None,
    grad_stypes=None,
    equal_nan: bool = False,
    dtype=np.float32,
) -> dict:
    """Run forward (training) and backward with ``out_grads``; compare gradients with ``expected``.

    ``expected`` is a list in argument order or a dict by argument name (only
    those arguments get gradient buffers). Buffers start as random values, so
    ``grad_req='add'`` checks ``buffer - start`` and 'null' checks they are
    untouched. Returns {name: gradient NDArray}.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_symbolic_backward(x * 3, [np.ones(2)], [np.ones(2)], [np.full(2, 3.0)])
    """
    dt = dtype if dtype == "asnumpy" else _float_dtype(dtype, "check_symbolic_backward")
    if grad_stypes is not None and any(v != "default" for v in dict(grad_stypes).values()):
        raise MXNetError(f"check_symbolic_backward: grad_stypes {grad_stypes} asks for sparse gradients; mxpy has dense storage only")
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dt)
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    arg_names = sym.list_arguments()
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(arg_names, expected))
    unknown = [k for k in expected if k not in arg_names]
    if unknown:
        raise ValueError(f"check_symbolic_backward: expected gradients for {unknown}, which are not arguments {arg_names}")
    # random starting values show whether backward writes, adds or leaves the buffer
    dirt = {k: np.random.normal(size=np.shape(v)) for k, v in expected.items()}
    args_grad = {k: _nd_array(v, ctx=ctx, dtype=np.asarray(_to_numpy(expected[k])).dtype if dt == "asnumpy" else dt) for k, v in dirt.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in arg_names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(arg_names, grad_req))
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux, grad_req=grad_req)
    executor.forward(is_train=True)
    if isinstance(out_grads, (list, tuple)):
        out_grads = [_as_nd(g, ctx, dt) for g in out_grads]
    elif isinstance(out_grads, dict):
        out_grads = {k: _as_nd(g, ctx, dt) for k, g in out_grads.items()}
    elif isinstance(out_grads, (NDArray, np.ndarray)):
        out_grads = [_as_nd(out_grads, ctx, dt)]
    elif out_grads is not None:
        raise TypeError(f"check_symbolic_backward: out_grads must be a list, dict, array or None, got {type(out_grads).__name__}")
    executor.backward(out_grads)
    for name in expected:
        names = (f"EXPECTED_{name}", f"BACKWARD_{name}")
        _compare_grad(grad_req.get(name, "null"), name, expected[name], args_grad[name], dirt[name], rtol, atol, names, equal_nan)
    return args_grad


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def _report(err: AssertionError, header: str, raise_on_err: bool) -> None:
    print(header)
    if raise_on_err:
        raise err
    traceback.print_exception(type(err), err, err.__traceback__)


def check_consistency(
    sym,
    ctx_list: list[dict],
    scale: float = 1.0,
    grad_req="write",
    arg_params=None,
    aux_params=None,
    rtol=None,
    atol=None,
    raise_on_err: bool = True,
    ground_truth=None,
    equal_nan: bool = False,
    use_uniform: bool = False,
    rand_type=np.float64,
) -> dict:
    """Run ``sym`` on every configuration in ``ctx_list`` and check they agree.

    Each entry of ``ctx_list`` is ``simple_bind``'s keyword arguments, e.g.
    ``{'ctx': mx.cpu(0), 'data': (2, 3), 'type_dict': {'data': np.float64}}``.
    All executors get the same random arguments (normal with ``scale``, or
    uniform in +-0.92*scale), then forward (inference) outputs and, unless
    ``grad_req='null'``, training outputs and gradients (backward with the
    first executor's outputs as head gradients) are compared with the most
    precise executor (or ``ground_truth``). Tolerances default per dtype.
    Returns the ground truth {name: array}.

    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_consistency(mx.sym.tanh(x), [{"ctx": mx.cpu(0), "x": (2, 3)}, {"ctx": mx.cpu(1), "x": (2, 3)}])
    """
    if len(ctx_list) < 2:
        raise ValueError(f"check_consistency: ctx_list needs at least 2 configurations, got {len(ctx_list)}")
    if isinstance(sym, Symbol):
        sym = [sym] * len(ctx_list)
    elif len(sym) != len(ctx_list):
        raise ValueError(f"check_consistency: {len(sym)} symbols for {len(ctx_list)} configurations")
    output_names = sym[0].list_outputs()
    arg_names = sym[0].list_arguments()
    exe_list = []
    for k, (s, cfg) in enumerate(zip(sym, ctx_list)):
        if s.list_arguments() != arg_names or s.list_outputs() != output_names:
            raise ValueError(
                f"check_consistency: symbol {k} has arguments {s.list_arguments()} and outputs {s.list_outputs()}, expected {arg_names} and {output_names}"
            )
        exe_list.append(s.simple_bind(grad_req=grad_req, **cfg))
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    # draw in sorted name order so a seed reproduces the same arguments
    for n in sorted(exe_list[0].arg_dict):
        if n not in arg_params:
            shape = exe_list[0].arg_dict[n].shape
            if use_uniform:
                arg_params[n] = np.random.uniform(low=-0.92 * scale, high=0.92 * scale, size=shape).astype(rand_type)
            else:
                arg_params[n] = np.random.normal(size=shape, scale=scale).astype(rand_type)
    for n in exe_list[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = _to_numpy(arg_params[name])
        for name, arr in exe.aux_dict.items():
            arr[:] = _to_numpy(aux_params[name]) if not isinstance(aux_params[name], numbers.Number) else aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0
    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    # the first executor with the widest output dtype is the reference
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    gt = ground_truth
    if gt is None:
        # live arrays: they hold the reference's results after each phase below
        gt = dict(exe_list[gt_idx].output_dict)
        if grad_req != "null":
            gt.update(exe_list[gt_idx].grad_dict)

    for exe in exe_list:
        exe.forward(is_train=False)
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names, exe.outputs):
            try:
                assert_almost_equal(arr, gt[name], rtol=rtol, atol=atol, names=(f"ctx{i}_{name}", f"ctx{gt_idx}_{name}"), equal_nan=equal_nan)
            except AssertionError as e:
                _report(e, f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}", raise_on_err)

    if grad_req == "null":
        return gt
    for exe in exe_list:
        exe.forward(is_train=True)
    # every executor gets the same head gradients: the first one's outputs in the least precise dtype
    least = [out.dtype for out in exe_list[0].outputs]
    for exe in exe_list:
        least = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least)]
    heads = [out.asnumpy().astype(dt) for out, dt in zip(exe_list[0].outputs, least)]
    for exe in exe_list:
        exe.backward([_nd_array(h, ctx=out.context, dtype=out.dtype) for h, out in zip(heads, exe.outputs)])
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names + arg_names, list(exe.outputs) + list(exe.grad_arrays)):
            gtarr = gt.get(name)
            if gtarr is None:
                if arr is not None:
                    raise AssertionError(f"check_consistency: ctx {i} has a gradient for {name!r}, the reference has none")
                continue
            rt, at = rtol, atol
            # a float32 gradient in a float16 model is only as precise as float16
            small_arr = _smaller_dtype(arr.dtype, dtypes[i])
            small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if np.dtype(small_arr) != np.dtype(arr.dtype) or np.dtype(small_gt) != np.dtype(gtarr.dtype):
                rt, at = get_tols(np.zeros(1, small_arr), np.zeros(1, small_gt), rtol, atol)
            try:
                assert_almost_equal(arr, gtarr, rtol=rt, atol=at, names=(f"ctx{i}_{name}", f"ctx{gt_idx}_{name}"), equal_nan=equal_nan)
            except AssertionError as e:
                _report(e, f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs {np.dtype(gtarr.dtype).name} ctx {gt_idx} at {name}", raise_on_err)
    return gt
