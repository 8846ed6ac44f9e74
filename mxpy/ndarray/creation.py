"""Array creation and copies: ``array``, ``zeros``, ``ones``, ``empty``, ``full``,
``arange``, ``eye``, ``linspace``, ``from_numpy`` and the cross-device copy."""

from __future__ import annotations

import numpy as np

from .. import engine as _eng
from ..backend import get_backend
from ..base import MXNetError, np_dtype
from ..context import Context, current_context
from ..engine.var import mark_aliased
from .ndarray import NDArray, _new, _wrap
from .register import call

__all__ = ["array", "zeros", "ones", "empty", "full", "arange", "eye", "linspace", "from_numpy", "waitall", "copy_into"]


def _ctx(ctx) -> Context:
    return current_context() if ctx is None else ctx


def _shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def array(source_array, ctx: Context | None = None, dtype=None) -> NDArray:
    """An NDArray copied from ``source_array`` (NDArray, NumPy array, list...).

    The dtype is float32 unless ``dtype`` is given or the source is an NDArray.

    >>> import mxpy as mx
    >>> mx.nd.array([[1, 2], [3, 4]]).dtype
    <class 'numpy.float32'>
    """
    ctx = _ctx(ctx)
    if getattr(source_array, "stype", "default") != "default" or type(source_array).__module__.startswith("scipy.sparse"):
        from .sparse import array as sparse_array  # sparse in, sparse out, as MXNet

        return sparse_array(source_array, ctx, dtype)
    if isinstance(source_array, NDArray):
        dt = source_array._data.dtype if dtype is None else np_dtype(dtype, "array: dtype")
        src = source_array.asnumpy()
    else:
        dt = np.float32 if dtype is None else np_dtype(dtype, "array: dtype")
        if hasattr(source_array, "__dlpack__") and not isinstance(source_array, np.ndarray) and type(source_array).__module__.startswith("cupy"):
            src = source_array.get()
        else:
            try:
                src = np.asarray(source_array)
            except (ValueError, TypeError) as e:
                raise TypeError(f"array: source_array must be array like, got {type(source_array).__name__} ({e})") from None
        if src.dtype == object:
            raise TypeError(f"array: source_array must be numeric and rectangular, got {type(source_array).__name__}")
    host = np.array(src, dtype=dt, copy=True, order="C")
    return _wrap(ctx, get_backend(ctx).from_host(host))


def empty(shape, ctx: Context | None = None, dtype="float32", stype=None) -> NDArray:
    """An uninitialised NDArray; ``stype`` 'row_sparse' or 'csr' gives an empty sparse array.

    >>> import mxpy as mx
    >>> mx.nd.empty((2, 3), stype="default").shape
    (2, 3)
    """
    if stype is not None and stype != "default":
        from .sparse import empty as sparse_empty

        return sparse_empty(stype, shape, ctx, dtype)
    return _new(_ctx(ctx), _shape(shape), np_dtype(dtype or "float32", "empty: dtype"))


def _known_shape(shape, what: str) -> tuple:
    """``shape`` as a tuple; outside NumPy shape semantics MXNet reads () and 0 dims as
    unknown, so creating such an array fails there (mx.np_shape() allows them)."""
    shape = _shape(shape)
    if shape == () or 0 in shape:
        from ..util import is_np_shape

        if not is_np_shape():
            raise MXNetError(f"{what}: shape {shape} has unknown dims (() and 0 are unknown without NumPy shape semantics; use mx.np_shape())")
    return shape


def zeros(shape, ctx: Context | None = None, dtype=None, stype=None, **kwargs) -> NDArray:
    """An NDArray of zeros (float32 by default; ``stype`` 'row_sparse' or 'csr': a sparse one).

    >>> import mxpy as mx
    >>> mx.nd.zeros((2,), stype="default").asnumpy()
    array([0., 0.], dtype=float32)
    """
    if stype is not None and stype != "default":
        from .sparse import zeros as sparse_zeros

        return sparse_zeros(stype, shape, ctx, dtype, **kwargs)
    return call("_zeros", shape=_known_shape(shape, "zeros"), ctx=str(_ctx(ctx)), dtype=np_dtype(dtype or "float32", "zeros: dtype").name, **kwargs)


def ones(shape, ctx: Context | None = None, dtype=None, **kwargs) -> NDArray:
    """An NDArray of ones (float32 by default)."""
    return call("_ones", shape=_known_shape(shape, "ones"), ctx=str(_ctx(ctx)), dtype=np_dtype(dtype or "float32", "ones: dtype").name, **kwargs)


def full(shape, val, ctx: Context | None = None, dtype="float32", out=None) -> NDArray:
    """An NDArray filled with ``val``."""
    return call("_full", shape=_shape(shape), value=float(val), ctx=str(_ctx(ctx)), dtype=np_dtype(dtype or "float32", "full: dtype").name, out=out)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx: Context | None = None, dtype="float32") -> NDArray:
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times."""
    return call(
        "_arange",
        start=float(start),
        stop=None if stop is None else float(stop),
        step=float(step),
        repeat=int(repeat),
        ctx=str(_ctx(ctx)),
        dtype=np_dtype(dtype or "float32", "arange: dtype").name,
    )


def eye(N, M=0, k=0, ctx: Context | None = None, dtype="float32", **kwargs) -> NDArray:
    """A 2-D array with ones on the k-th diagonal."""
    return call("_eye", N=int(N), M=int(M), k=int(k), ctx=str(_ctx(ctx)), dtype=np_dtype(dtype or "float32", "eye: dtype").name, **kwargs)


def linspace(start, stop, num, endpoint=True, ctx: Context | None = None, dtype="float32") -> NDArray:
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    return call(
        "_linspace",
        start=float(start),
        stop=float(stop),
        num=int(num),
        endpoint=bool(endpoint),
        ctx=str(_ctx(ctx)),
        dtype=np_dtype(dtype or "float32", "linspace: dtype").name,
    )


def _copy_kernel(src, dst, src_be, dst_be) -> None:
    if src_be is dst_be:
        if dst_be.is_gpu:
            with dst_be.device():
                dst[...] = src
        else:
            np.copyto(dst, src, casting="unsafe")
    elif dst_be.is_gpu:
        with dst_be.device():
            dst_be.copy_from_host(dst, src_be.to_host(src))
    else:
        dst[...] = src_be.to_host(src)


def copy_into(src: NDArray, dst: NDArray) -> None:
    """Push a copy of ``src`` into ``dst`` (any contexts, same shape)."""
    if src._data.shape != dst._data.shape:
        raise ValueError(f"copyto: shape mismatch, source {src.shape} vs destination {dst.shape}")
    reads = () if src._var is dst._var else (src._var,)
    _eng._current.push(
        _copy_kernel, (src._data, dst._data, get_backend(src._ctx), get_backend(dst._ctx)), reads, (dst._var,), dst._ctx, "_copyto", dst._data.size
    )


def from_numpy(ndarray: np.ndarray, zero_copy: bool = True) -> NDArray:
    """An NDArray over a NumPy array; with ``zero_copy`` the memory is shared.

    Zero-copy needs a C-contiguous array of an MXNet dtype; anything else is
    an error when ``zero_copy=True`` (as MXNet), and copied otherwise.
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected numpy.ndarray, got {type(ndarray).__name__}")
    if zero_copy:
        if not ndarray.flags["C_CONTIGUOUS"]:
            raise ValueError("from_numpy: only C-contiguous arrays are supported for zero-copy; pass zero_copy=False or np.ascontiguousarray(x)")
        np_dtype(ndarray.dtype, "from_numpy: dtype")
        # MXNet now owns the memory: the NumPy array becomes read-only, the NDArray
        # keeps a writable view of the same buffer
        data = ndarray.view() if ndarray.flags.writeable else _writable_alias(ndarray)
        ndarray.flags.writeable = False
        arr = _wrap(Context("cpu", 0), data)
        mark_aliased(arr._var)  # the caller may make its array writable again
        return arr
    return array(ndarray, dtype=ndarray.dtype)


class _Interface:
    """Presents another array's memory through ``__array_interface__`` (see _writable_alias)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.owner = arr  # keeps the memory alive as long as the alias
        face = dict(arr.__array_interface__)
        face["data"] = (face["data"][0], False)
        self.__array_interface__ = face


def _writable_alias(arr: np.ndarray) -> np.ndarray:
    """A writable array over the memory of read-only ``arr``: an array given to
    ``from_numpy`` twice (the first call made it read-only) is still written through.

    Only memory NumPy allocated itself qualifies: a read-only buffer of another
    object (``np.frombuffer(bytes)``, a read-only mmap) must not be written.
    """
    owner = arr
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if owner.base is not None or not owner.flags["OWNDATA"]:
        raise ValueError("from_numpy: zero_copy needs memory that may be written, and this read-only array views another object's buffer; pass zero_copy=False")
    return np.asarray(_Interface(arr))


def waitall() -> None:
    """Block until all pushed work has finished; raise the first failure."""
    _eng._current.wait_all()
