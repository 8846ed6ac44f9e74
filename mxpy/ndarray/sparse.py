"""``mx.nd.sparse``: row_sparse and CSR arrays, as MXNet 1.9.1.

A sparse array is an NDArray whose storage is a few components (values and
int64 index arrays, see :mod:`._sparse_store`) behind one engine Var. Work on
it is pushed to the engine like dense work: a pushed function reads the
components of its inputs and replaces those of its outputs when it runs, so
reads and writes of sparse and dense arrays are ordered together and
``wait_to_read`` works. Operators without a sparse form densify their sparse
inputs first (MXNet's "storage fallback"); see docs/sparse.md.

>>> import mxpy as mx
>>> a = mx.nd.sparse.csr_matrix(([1.0, 2.0], [1, 0], [0, 1, 2]), shape=(2, 2))
>>> a.stype, a.indptr.asnumpy().tolist()
('csr', [0, 1, 2])
>>> a.tostype("default").asnumpy().tolist()
[[0.0, 1.0], [2.0, 0.0]]
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import engine as _eng
from ..backend import get_backend
from ..base import MXNetError, np_dtype
from ..context import Context, current_context
from ..engine import Var
from . import _sparse_store as st
from .ndarray import NDArray, _new, _wrap

__all__ = [
    "BaseSparseNDArray",
    "CSRNDArray",
    "RowSparseNDArray",
    "csr_matrix",
    "row_sparse_array",
    "zeros",
    "empty",
    "array",
    "cast_storage",
    "add",
    "subtract",
    "multiply",
    "divide",
]

_IDX = st.IDX


def _host(ctx: Context, a) -> np.ndarray:
    be = get_backend(ctx)
    return be.to_host(a) if be.is_gpu else a


def _dev(ctx: Context, a: np.ndarray):
    be = get_backend(ctx)
    return be.from_host(np.ascontiguousarray(a)) if be.is_gpu else np.ascontiguousarray(a)


def push(fn, reads, writes, ctx: Context, name: str) -> None:
    """Push ``fn()`` reading/writing the Vars of NDArrays ``reads``/``writes`` (sparse or dense)."""
    wv = []
    for w in writes:
        if w._var not in wv:
            wv.append(w._var)
    rv = []
    for r in reads:
        if r._var not in wv and r._var not in rv:
            rv.append(r._var)
    _eng._current.push(fn, (), rv, wv, ctx, name, 0)


class BaseSparseNDArray(NDArray):
    """An NDArray in a sparse storage format (row_sparse or csr).

    ``_data`` holds the stored values and ``_aux`` the int64 index arrays, both
    backend arrays replaced (never resized) by the pushed work that writes the array.
    """

    __slots__ = ("_aux", "_shape")
    _num_aux = 0

    def __init__(self, *args, **kwargs) -> None:
        raise MXNetError(f"{type(self).__name__}: create sparse arrays with mx.nd.sparse.csr_matrix/row_sparse_array/zeros")

    # -- attributes ---------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def size(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def __repr__(self) -> str:
        shape_info = "x".join(str(d) for d in self._shape)
        return f"\n<{type(self).__name__} {shape_info} @{self._ctx}>"

    __str__ = __repr__

    @property
    def _aux_types(self) -> list:
        return [_IDX.type] * self._num_aux

    # -- components, on the host (run inside engine work or after a wait) --------------
    def _host_parts(self) -> tuple:
        return (_host(self._ctx, self._data),) + tuple(_host(self._ctx, a) for a in self._aux)

    def _set_parts(self, data: np.ndarray, *aux: np.ndarray) -> None:
        self._data = _dev(self._ctx, data.astype(self._data.dtype, copy=False))
        self._aux = tuple(_dev(self._ctx, a.astype(_IDX, copy=False)) for a in aux)

    def _component(self, i: int) -> NDArray:
        self.wait_to_read()
        part = self._data if i < 0 else self._aux[i]
        be = get_backend(self._ctx)
        return _wrap(self._ctx, part.copy() if not be.is_gpu else be.from_host(be.to_host(part)))

    @property
    def data(self) -> NDArray:
        """The stored values, a dense copy (waits for pending writes)."""
        return self._component(-1)

    # -- conversions --------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        self.wait_to_read()
        return self._dense_host()

    def __array__(self, dtype=None, copy=None):
        out = self.asnumpy()
        return out if dtype is None else out.astype(dtype)

    def asscalar(self):
        if self.size != 1:
            raise ValueError(f"The current array is not a scalar (asscalar needs exactly one element, shape is {self.shape})")
        return self.asnumpy().reshape(-1)[0]

    def tostype(self, stype: str) -> NDArray:
        """This array in storage ``stype`` ('default', 'row_sparse', 'csr')."""
        return cast_storage(self, stype)

    def astype(self, dtype, copy: bool = True) -> NDArray:
        dt = np_dtype(dtype, "astype: dtype")
        if not copy and dt == self._data.dtype:
            return self
        res = _make(type(self), self._ctx, self._shape, dt)
        _copy_sparse(self, res)
        return res

    def copyto(self, other):
        """Copy into ``other`` (an NDArray of any stype, cast as needed) or onto a Context."""
        if isinstance(other, Context):
            res = _make(type(self), other, self._shape, self._data.dtype)
            _copy_sparse(self, res)
            return res
        if not isinstance(other, NDArray):
            raise TypeError(f"copyto does not support type {type(other).__name__}")
        if other is self:
            return other
        if tuple(other.shape) != self._shape:
            raise MXNetError(f"copyto: shape mismatch, source {self._shape} vs destination {tuple(other.shape)}")
        if type(other) is type(self):
            _copy_sparse(self, other)
        elif other.stype == "default":
            _write_dense(other, [self], lambda: self._dense_host(), "_copyto")
        else:
            raise TypeError(f"copyto does not support destination NDArray stype {other.stype} from {self.stype}")
        return other

    def copy(self) -> NDArray:
        return self.copyto(self._ctx)

    def check_format(self, full_check: bool = True) -> None:
        """Raise MXNetError when the components do not form a valid array of this format."""
        self.wait_to_read()
        try:
            self._check(full_check)
        except ValueError as e:
            raise MXNetError(f"check_format: {e}") from None

    def reshape(self, *shape, **kwargs):
        raise MXNetError(f"reshape: not supported for {type(self).__name__} (use tostype('default'))")

    def detach(self) -> NDArray:
        return self  # sparse arrays are never part of a recorded graph

    # -- arithmetic ---------------------------------------------------------------------
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return subtract(self, other)

    def __rsub__(self, other):
        return subtract(other, self)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        return multiply(other, self)

    def __truediv__(self, other):
        return divide(self, other)

    def __rtruediv__(self, other):
        return divide(other, self)

    __div__, __rdiv__ = __truediv__, __rtruediv__

    def __neg__(self):
        return multiply(self, -1.0)

    def __abs__(self):
        from .register import call

        return call("abs", self)

    __hash__ = NDArray.__hash__

    def __iadd__(self, other):
        (self + other).copyto(self)
        return self

    def __isub__(self, other):
        (self - other).copyto(self)
        return self

    def __imul__(self, other):
        (self * other).copyto(self)
        return self

    def __itruediv__(self, other):
        (self / other).copyto(self)
        return self

    __idiv__ = __itruediv__

    def __setitem__(self, key, value) -> None:
        if not (isinstance(key, slice) and key.start is None and key.stop is None and key.step is None):
            raise ValueError(f"{type(self).__name__} only supports [:] for assignment")
        if isinstance(value, NDArray):
            if value is not self:
                value.copyto(self) if value.stype != "default" else cast_storage(value, self.stype).copyto(self)
        elif isinstance(value, (numbers.Number, np.generic)):
            if value != 0 and self.stype == "csr":
                raise ValueError("Assigning numeric types to CSRNDArray is not implemented yet.")
            dense = float(value)
            _write_sparse(self, [], lambda: self._set_dense(np.full(self._shape, dense, self._data.dtype)), "_set_value")
        elif isinstance(value, np.ndarray):
            host = np.broadcast_to(np.asarray(value, self._data.dtype), self._shape).copy()
            _write_sparse(self, [], lambda: self._set_dense(host), "_sync_copyfrom")
        else:
            raise TypeError(f"type {type(value).__name__} not supported")

    def __getstate__(self):
        from .serialization import _record

        return {"handle": bytearray(b"".join(bytes(chunk) for chunk in _record(self)))}

    def __reduce__(self):
        return _from_state, (self.__getstate__(),)


def _from_state(state):
    from .serialization import _read_record, _Reader, _to_ndarray

    rec = _read_record(_Reader(bytes(state["handle"]), "NDArray.__setstate__"), 0)
    return _to_ndarray(*rec)


def _operator(array_op: str, scalar_op: str, reflected: bool = False):
    """A dunder of ``array_op``/``scalar_op`` through ``mx.nd`` (sparse forms or the fallback)."""

    def method(self, other):
        from .register import call

        if isinstance(other, NDArray):
            return call(array_op, other, self) if reflected else call(array_op, self, other)
        if isinstance(other, (numbers.Number, np.generic)):
            return call(scalar_op, self, scalar=float(other))
        return NotImplemented

    method.__name__ = scalar_op
    return method


for _name, _ops in {
    "pow": ("broadcast_power", "_power_scalar", "_rpower_scalar"),
    "mod": ("broadcast_mod", "_mod_scalar", "_rmod_scalar"),
}.items():
    setattr(BaseSparseNDArray, f"__{_name}__", _operator(_ops[0], _ops[1]))
    setattr(BaseSparseNDArray, f"__r{_name}__", _operator(_ops[0], _ops[2], reflected=True))
for _name, _ops in {
    "eq": ("broadcast_equal", "_equal_scalar"),
    "ne": ("broadcast_not_equal", "_not_equal_scalar"),
    "gt": ("broadcast_greater", "_greater_scalar"),
    "ge": ("broadcast_greater_equal", "_greater_equal_scalar"),
    "lt": ("broadcast_lesser", "_lesser_scalar"),
    "le": ("broadcast_lesser_equal", "_lesser_equal_scalar"),
}.items():
    setattr(BaseSparseNDArray, f"__{_name}__", _operator(*_ops))


class RowSparseNDArray(BaseSparseNDArray):
    """Rows of a dense array, most of them zero: ``data[i]`` is row ``indices[i]``.

    >>> import mxpy as mx
    >>> x = mx.nd.sparse.row_sparse_array(([[1.0, 2.0]], [1]), shape=(3, 2))
    >>> x.asnumpy().tolist()
    [[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]
    """

    __slots__ = ()
    _num_aux = 1

    @property
    def stype(self) -> str:
        return "row_sparse"

    @property
    def indices(self) -> NDArray:
        """The int64 row indices, a dense copy."""
        return self._component(0)

    def _dense_host(self) -> np.ndarray:
        data, idx = self._host_parts()
        return st.rsp_to_dense(data, idx, self._shape, self._data.dtype)

    def _set_dense(self, dense: np.ndarray, keep_rows: bool = False) -> None:
        keep = _host(self._ctx, self._aux[0]) if keep_rows else None
        self._set_parts(*st.rsp_from_dense(dense, keep))

    def _check(self, full: bool) -> None:
        st.check_rsp(*self._host_parts(), self._shape, full)

    def __getitem__(self, key):
        if isinstance(key, slice) and key.start is None and key.stop is None and key.step is None:
            return self
        raise MXNetError("RowSparseNDArray only supports [:] for __getitem__")

    def retain(self, indices) -> RowSparseNDArray:
        """The rows of this array whose index is in ``indices``."""
        return retain(self, indices)


class CSRNDArray(BaseSparseNDArray):
    """A 2-D array in compressed sparse row format.

    >>> import mxpy as mx
    >>> x = mx.nd.sparse.csr_matrix(([5.0], [2], [0, 0, 1]), shape=(2, 3))
    >>> x[1].asnumpy().tolist()
    [[0.0, 0.0, 5.0]]
    """

    __slots__ = ()
    _num_aux = 2

    @property
    def stype(self) -> str:
        return "csr"

    @property
    def indptr(self) -> NDArray:
        return self._component(0)

    @property
    def indices(self) -> NDArray:
        return self._component(1)

    def _dense_host(self) -> np.ndarray:
        data, indptr, idx = self._host_parts()
        return st.csr_to_dense(data, indptr, idx, self._shape, self._data.dtype)

    def _set_dense(self, dense: np.ndarray, keep_rows: bool = False) -> None:
        self._set_parts(*st.csr_from_dense(dense))

    def _check(self, full: bool) -> None:
        st.check_csr(*self._host_parts(), self._shape, full)

    def __getitem__(self, key):
        n = self._shape[0]
        if isinstance(key, (int, np.integer)):
            begin = int(key) + n if key < 0 else int(key)
            if not 0 <= begin < n:
                raise IndexError(f"index {key} is out of bounds for axis 0 with size {n}")
            end = begin + 1
        elif isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError("CSRNDArray only supports continuous slicing on axis 0")
            begin, end, _ = key.indices(n)
            end = max(begin, end)
            if begin == 0 and end == n:
                return self
        elif isinstance(key, tuple):
            raise ValueError("Multi-dimension indexing is not supported")
        else:
            raise ValueError(f"Undefined behaviour for {key}")
        res = _make(CSRNDArray, self._ctx, (end - begin, self._shape[1]), self._data.dtype)
        _write_sparse(res, [self], lambda: res._set_parts(*st.csr_rows(*self._host_parts(), begin, end)), "slice")
        return res

    def asscipy(self):
        """A ``scipy.sparse.csr_matrix`` copy (needs SciPy)."""
        try:
            import scipy.sparse as spsp
        except ImportError:
            raise ImportError("asscipy: scipy could not be imported; install scipy to use CSRNDArray.asscipy") from None
        self.wait_to_read()
        data, indptr, idx = self._host_parts()
        return spsp.csr_matrix((data.copy(), idx.copy(), indptr.copy()), shape=self._shape)


_CLASS = {"row_sparse": RowSparseNDArray, "csr": CSRNDArray}


def _make(cls, ctx: Context, shape, dtype, parts=None) -> BaseSparseNDArray:
    """A new sparse array with its own Var: all zeros, or the host ``parts`` (data, aux...)."""
    shape = tuple(int(s) for s in shape)
    if cls is CSRNDArray and len(shape) != 2:
        raise MXNetError(f"csr: shape must be 2-D, got {shape}")
    if cls is RowSparseNDArray and len(shape) < 1:
        raise MXNetError("row_sparse: shape must have at least one dimension")
    arr = BaseSparseNDArray.__new__(cls)
    arr._shape = shape
    arr._ctx = ctx
    arr._var = Var()
    arr._grad = None
    arr._ag = None
    dt = np.dtype(dtype)
    if parts is None:
        if cls is RowSparseNDArray:
            parts = (np.zeros((0,) + shape[1:], dt), np.zeros(0, _IDX))
        else:
            parts = (np.zeros(0, dt), np.zeros(shape[0] + 1, _IDX), np.zeros(0, _IDX))
    arr._data = _dev(ctx, np.asarray(parts[0], dt))
    arr._aux = tuple(_dev(ctx, np.asarray(a, _IDX)) for a in parts[1:])
    return arr


def _write_sparse(dst: BaseSparseNDArray, reads, fn, name: str) -> None:
    """Push ``fn()`` (which sets ``dst``'s components) after ``reads`` are ready."""
    push(fn, reads, [dst], dst._ctx, name)


def _write_dense(dst: NDArray, reads, make, name: str) -> None:
    """Push: ``dst`` (dense) = ``make()`` (a host array of dst's shape)."""
    be = get_backend(dst._ctx)

    def run():
        host = make()
        if be.is_gpu:
            with be.device():
                be.copy_from_host(dst._data, np.ascontiguousarray(host, dst._data.dtype))
        else:
            dst._data[...] = host

    push(run, reads, [dst], dst._ctx, name)


def _copy_sparse(src: BaseSparseNDArray, dst: BaseSparseNDArray) -> None:
    if dst is src:
        return
    _write_sparse(dst, [src], lambda: dst._set_parts(*(p.copy() for p in src._host_parts())), "_copyto")


def _is_sparse(x) -> bool:
    return isinstance(x, BaseSparseNDArray)


# ---------------------------------------------------------------------------- cast_storage


def cast_storage(data: NDArray, stype: str, out=None) -> NDArray:
    """``data`` converted to storage type ``stype`` ('default', 'row_sparse' or 'csr').

    >>> import mxpy as mx
    >>> mx.nd.cast_storage(mx.nd.array([[0, 1], [0, 0]]), "row_sparse").indices.asnumpy().tolist()
    [0]
    """
    if not isinstance(data, NDArray):
        raise TypeError(f"cast_storage: data must be an NDArray, got {type(data).__name__}")
    if stype not in ("default", "row_sparse", "csr"):
        raise MXNetError(f"cast_storage: stype must be 'default', 'row_sparse' or 'csr', got {stype!r}")
    src = data.stype
    if src == stype == "default":  # the registered op: recorded by autograd like any other
        from .register import call

        return call("cast_storage", data, stype=stype, out=out)
    if src == stype:
        return data.copy() if out is None else data.copyto(out)
    if {src, stype} == {"row_sparse", "csr"}:
        raise ValueError(f"cast_storage from {src} to {stype} is not supported")
    if stype == "csr" and data.ndim != 2:
        raise ValueError(f"cast_storage: csr needs a 2-D array, got shape {tuple(data.shape)}")
    if stype == "default":
        res = _new(data._ctx, data.shape, data._data.dtype) if out is None else out
        _write_dense(res, [data], data._dense_host, "cast_storage")
        return res
    res = _make(_CLASS[stype], data._ctx, data.shape, data._data.dtype) if out is None else out
    ctx = data._ctx
    _write_sparse(res, [data], lambda: res._set_dense(_host(ctx, data._data)), "cast_storage")
    return res


def densify(arr: NDArray) -> NDArray:
    """``arr`` itself when dense, else a dense copy (the storage fallback)."""
    return cast_storage(arr, "default") if isinstance(arr, BaseSparseNDArray) else arr


# ---------------------------------------------------------------------------- constructors


def _ctx_of(ctx) -> Context:
    return current_context() if ctx is None else ctx


def _values(x, what: str) -> np.ndarray:
    if isinstance(x, NDArray):
        return x.asnumpy()
    try:
        return np.asarray(x)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be array like, got {type(x).__name__}") from None


def _default_dtype(src, dtype):
    if dtype is not None:
        return np_dtype(dtype, "dtype")
    if isinstance(src, (NDArray, np.ndarray)):
        return np.dtype(src.dtype)
    return np.dtype(np.float32)


def _is_scipy_sparse(x) -> bool:
    return type(x).__module__.startswith("scipy.sparse")


def _check_shape(given, inferred, what: str) -> tuple:
    if given is None:
        return inferred
    return tuple(int(s) for s in given)  # as MXNet: a given shape wins (check_format finds bad indices)


def _same_shape(arg1: tuple, shape) -> None:
    if shape is not None and tuple(int(d) for d in shape) != tuple(int(d) for d in arg1):
        raise ValueError(f"Shape mismatch detected. {tuple(arg1)} v.s. {tuple(shape)}")


def csr_matrix(arg1, shape=None, ctx=None, dtype=None) -> CSRNDArray:
    """A CSRNDArray from ``(data, indices, indptr)``, ``(data, (row, col))``, a shape,
    a dense array, a scipy.sparse matrix or another CSRNDArray.

    >>> import mxpy as mx
    >>> mx.nd.sparse.csr_matrix((2, 3)).asnumpy().shape
    (2, 3)
    """
    ctx = _ctx_of(ctx)
    if isinstance(arg1, tuple) and all(isinstance(s, (int, np.integer)) for s in arg1):
        if len(arg1) != 2:
            raise ValueError(f"csr_matrix: a shape must be 2-D, got {arg1}")
        _same_shape(arg1, shape)
        return zeros("csr", arg1, ctx, dtype)
    if isinstance(arg1, tuple) and len(arg1) == 3:
        dt = _default_dtype(arg1[0], dtype)
        data = _values(arg1[0], "csr_matrix: data").astype(dt).reshape(-1)
        indices = _values(arg1[1], "csr_matrix: indices").astype(_IDX).reshape(-1)
        indptr = _values(arg1[2], "csr_matrix: indptr").astype(_IDX).reshape(-1)
        if len(indptr) < 1:
            raise ValueError("csr_matrix: indptr must have at least one element")
        if shape is None and not len(indices):
            raise ValueError("csr_matrix: invalid shape: the number of columns cannot be inferred without any index; give shape")
        cols = int(indices.max()) + 1 if len(indices) else 0
        shape = _check_shape(shape, (len(indptr) - 1, cols), "csr_matrix")
        return _make(CSRNDArray, ctx, shape, dt, (data, indptr, indices))
    if isinstance(arg1, tuple) and len(arg1) == 2:
        dt = _default_dtype(arg1[0], dtype)
        data = _values(arg1[0], "csr_matrix: data").astype(dt).reshape(-1)
        row, col = (_values(a, "csr_matrix: row/col").astype(_IDX).reshape(-1) for a in arg1[1])
        inferred = (int(row.max()) + 1 if len(row) else 0, int(col.max()) + 1 if len(col) else 0)
        shape = _check_shape(shape, inferred, "csr_matrix")
        dense = np.zeros(shape, dt)
        np.add.at(dense, (row, col), data)
        return _make(CSRNDArray, ctx, shape, dt, st.csr_from_dense(dense))
    if isinstance(arg1, tuple):
        raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
    if _is_scipy_sparse(arg1):
        m = arg1.tocsr(copy=True)
        m.sum_duplicates()  # canonical: sorted column indices, no duplicates (as MXNet)
        m.sort_indices()
        dt = np.dtype(m.dtype) if dtype is None else np_dtype(dtype, "csr_matrix: dtype")
        return _make(CSRNDArray, ctx, _check_shape(shape, m.shape, "csr_matrix"), dt, (m.data.astype(dt), m.indptr, m.indices))
    if isinstance(arg1, RowSparseNDArray):
        raise ValueError("Unexpected input type: RowSparseNDArray")
    if isinstance(arg1, CSRNDArray):
        res = arg1.copyto(ctx)
        return res if dtype is None else res.astype(dtype)
    dense = _values(arg1, "csr_matrix: arg1")
    dt = _default_dtype(arg1, dtype)
    dense = dense.astype(dt)
    if dense.ndim != 2:
        raise ValueError(f"csr_matrix: a dense source must be 2-D, got shape {dense.shape}")
    _same_shape(dense.shape, shape)
    return _make(CSRNDArray, ctx, dense.shape, dt, st.csr_from_dense(dense))


def row_sparse_array(arg1, shape=None, ctx=None, dtype=None) -> RowSparseNDArray:
    """A RowSparseNDArray from ``(data, indices)``, a shape, a dense array or another one.

    >>> import mxpy as mx
    >>> mx.nd.sparse.row_sparse_array(([[1, 2]], [2]), shape=(3, 2)).indices.asnumpy().tolist()
    [2]
    """
    ctx = _ctx_of(ctx)
    if isinstance(arg1, tuple) and all(isinstance(s, (int, np.integer)) for s in arg1):
        _same_shape(arg1, shape)
        return zeros("row_sparse", arg1, ctx, dtype)
    if isinstance(arg1, tuple) and len(arg1) == 2:
        dt = _default_dtype(arg1[0], dtype)
        data = _values(arg1[0], "row_sparse_array: data").astype(dt)
        indices = _values(arg1[1], "row_sparse_array: indices").astype(_IDX).reshape(-1)
        if data.ndim == 0 or data.shape[0] != len(indices):
            raise ValueError(f"row_sparse_array: data has {data.shape[0] if data.ndim else 0} rows but {len(indices)} indices")
        if shape is None and not len(indices):
            raise ValueError("row_sparse_array: invalid shape: the number of rows cannot be inferred without any index; give shape")
        rows = int(indices.max()) + 1 if len(indices) else 0
        shape = _check_shape(shape, (rows,) + data.shape[1:], "row_sparse_array")
        return _make(RowSparseNDArray, ctx, shape, dt, (data, indices))
    if isinstance(arg1, tuple):
        raise ValueError(f"Unexpected length of input tuple: {len(arg1)}")
    if isinstance(arg1, CSRNDArray):
        raise ValueError("Unexpected input type: CSRNDArray")
    if isinstance(arg1, RowSparseNDArray):
        res = arg1.copyto(ctx)
        return res if dtype is None else res.astype(dtype)
    dense = _values(arg1, "row_sparse_array: arg1")
    dt = _default_dtype(arg1, dtype)
    dense = dense.astype(dt)
    _same_shape(dense.shape, shape)
    return _make(RowSparseNDArray, ctx, dense.shape, dt, st.rsp_from_dense(dense))


def zeros(stype: str, shape, ctx=None, dtype=None, **kwargs) -> NDArray:
    """An all-zero array of storage ``stype`` (no values stored for sparse types).

    >>> import mxpy as mx
    >>> mx.nd.sparse.zeros("row_sparse", (3, 2)).data.shape
    (0, 2)
    """
    ctx = _ctx_of(ctx)
    dt = np_dtype(dtype or "float32", "zeros: dtype")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if stype == "default":
        from .creation import zeros as dense_zeros

        return dense_zeros(shape, ctx=ctx, dtype=dt, **kwargs)
    if stype not in _CLASS:
        raise ValueError(f"unknown storage type {stype!r}")
    out = kwargs.pop("out", None)
    res = _make(_CLASS[stype], ctx, shape, dt)
    if out is not None:
        return res.copyto(out)
    return res


def empty(stype: str, shape, ctx=None, dtype=None) -> NDArray:
    """An array of storage ``stype``; sparse ones start with no stored values (all zero)."""
    if stype == "default":
        from .creation import empty as dense_empty

        return dense_empty(shape, ctx=ctx, dtype=dtype or "float32")
    return zeros(stype, shape, ctx, dtype)


def array(source_array, ctx=None, dtype=None) -> NDArray:
    """A sparse array copied from a sparse NDArray or a scipy.sparse matrix (CSR)."""
    if isinstance(source_array, BaseSparseNDArray):
        dt = source_array.dtype if dtype is None else dtype
        res = source_array.copyto(_ctx_of(ctx))
        return res if np.dtype(dt) == res._data.dtype else res.astype(dt)
    if _is_scipy_sparse(source_array):
        if source_array.format != "csr":
            raise ValueError(f"array: only scipy.sparse.csr_matrix is supported, got {source_array.format}")
        return csr_matrix(source_array, ctx=ctx, dtype=dtype)
    if isinstance(source_array, (NDArray, np.ndarray, list, tuple)):
        raise ValueError("Please use mx.nd.array to create an NDArray with source_array of type " + type(source_array).__name__)
    raise ValueError(f"Unexpected source_array type: {type(source_array).__name__}")


# ---------------------------------------------------------------------------- arithmetic


def _binary(name: str, array_op: str, bcast_op: str, scalar_op: str, rscalar_op: str):
    def fn(lhs, rhs):
        from .register import call

        if isinstance(lhs, NDArray) and isinstance(rhs, NDArray):
            if tuple(lhs.shape) == tuple(rhs.shape):
                return call(array_op, lhs, rhs)
            return call(bcast_op, lhs, rhs)
        if isinstance(lhs, NDArray) and isinstance(rhs, (numbers.Number, np.generic)):
            return call(scalar_op, lhs, scalar=float(rhs))
        if isinstance(rhs, NDArray) and isinstance(lhs, (numbers.Number, np.generic)):
            return call(rscalar_op, rhs, scalar=float(lhs))
        raise TypeError(f"{name}: type {type(lhs).__name__} and {type(rhs).__name__} not supported")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Element-wise ``{name}`` of arrays of any storage type (sparse in, sparse out where MXNet keeps it)."
    return fn


add = _binary("add", "elemwise_add", "broadcast_add", "_plus_scalar", "_plus_scalar")
subtract = _binary("subtract", "elemwise_sub", "broadcast_sub", "_minus_scalar", "_rminus_scalar")
multiply = _binary("multiply", "elemwise_mul", "broadcast_mul", "_mul_scalar", "_mul_scalar")
divide = _binary("divide", "elemwise_div", "broadcast_div", "_div_scalar", "_rdiv_scalar")


def retain(data: NDArray, indices=None, **kwargs) -> RowSparseNDArray:
    """Row_sparse ``data`` holding exactly the rows ``indices`` (MXNet's ``sparse.retain``).

    >>> import mxpy as mx
    >>> x = mx.nd.sparse.row_sparse_array(([[1.0], [2.0]], [0, 2]), shape=(3, 1))
    >>> mx.nd.sparse.retain(x, mx.nd.array([2])).indices.asnumpy().tolist()
    [2]
    """
    from .register import call

    if kwargs:
        raise MXNetError(f"retain: unknown arguments {sorted(kwargs)}; retain takes data and indices")
    if indices is None:
        raise MXNetError("retain: indices is required (the row ids to keep)")
    return call("_sparse_retain", data, indices)


_SHORT_NAMES = {"adagrad_update": "_sparse_adagrad_update"}


def __getattr__(name: str):
    """Every operator is in mx.nd.sparse too (MXNet's gen_sparse), routed by storage type."""
    from .. import registry
    from .register import function

    full = _SHORT_NAMES.get(name, name)
    if not name.startswith("_") and registry.find(full) is not None:
        return function(full)
    raise AttributeError(f"module 'mxpy.ndarray.sparse' has no attribute {name!r}")
