"""MXNet's binary NDArray file format: ``mx.nd.save``, ``mx.nd.load``, ``mx.nd.load_frombuffer``.

Layout (little-endian)::

    u64 0x112, u64 0 (reserved), u64 N, N records, u64 K, K x (u64 len, utf-8 bytes)

K == 0 is a list, K == N a dict. ``save`` writes version-2 records
(``u32 0xF993FAC9, i32 stype, shape, i32 dev_type, i32 dev_id, i32 type_flag,
raw C-order data``, a shape being ``i32 ndim, ndim x i64``) byte for byte as
MXNet 1.9.1 does. ``load`` also reads version-3 records (numpy shape
semantics), version-1 records (no stype), the magic-less 2016 layout
(``u32 ndim, ndim x u32``). Row_sparse and CSR records load as sparse arrays.

>>> import mxpy as mx, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "x.nd")
>>> mx.nd.save(path, {"w": mx.nd.ones((2, 2))})
>>> mx.nd.load(path)["w"].shape
(2, 2)
"""

from __future__ import annotations

import math
import os
import struct

import numpy as np

from .. import engine as _eng
from .._atomic_file import atomic_write
from ..backend import cupy_device_count, get_backend
from ..base import BFLOAT16_FLAG, DTYPE_TO_FLAG, FLAG_TO_DTYPE, MXNetError
from ..context import Context, cpu, gpu
from ..util import is_np_shape
from .ndarray import NDArray, _wrap

__all__ = ["save", "load", "load_frombuffer"]

_LIST_MAGIC = 0x112
_V1_MAGIC = 0xF993FAC8
_V2_MAGIC = 0xF993FAC9
_V3_MAGIC = 0xF993FACA
_STYPES = {0: "default", 1: "row_sparse", 2: "csr"}
_NUM_AUX = {0: 0, 1: 1, 2: 2}
_DEV_TYPES = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
_ITEMSIZE = {flag: dt.itemsize for flag, dt in FLAG_TO_DTYPE.items()} | {BFLOAT16_FLAG: 2}
_FILE_HEADER = struct.pack("<QQ", _LIST_MAGIC, 0)
_HEADER = struct.Struct("<QQ")  # list magic, reserved
_REC_HEAD = struct.Struct("<Ii")  # magic, stype
_CTX_TYPE = struct.Struct("<iii")  # dev_type, dev_id, type_flag
_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


# ---------------------------------------------------------------------------- save
def save(fname: str | os.PathLike, data) -> None:
    """Save an NDArray, a list of NDArrays or a dict ``str -> NDArray`` to ``fname``.

    The file is byte-identical to what MXNet 1.9.1's ``mx.nd.save`` writes for
    the same arrays (version-2 records; each array's own context is recorded,
    GPU data is copied to the host first). A single NDArray is saved as a
    one-element list. The write is atomic: the bytes go to a temporary file in
    the same folder, are fsynced, then renamed over ``fname``, so a failed or
    interrupted save leaves any earlier file intact. Everything is validated
    before the file is touched. Only local paths are supported.

    Raises ``ValueError``/``TypeError`` for unsupported ``data`` (as MXNet) and
    ``MXNetError`` naming the path when it cannot be written.

    >>> import mxpy as mx, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "arrays.nd")
    >>> mx.nd.save(path, [mx.nd.array([1, 2]), mx.nd.zeros((2, 3))])
    >>> [a.shape for a in mx.nd.load(path)]
    [(2,), (2, 3)]
    """
    keys, arrays = _check_data(data)
    path = _check_fname(fname, "save")
    atomic_write(path, file_chunks(keys, arrays), func="save")


def file_chunks(keys: list[str], arrays: list[NDArray]) -> list:
    """The bytes of an NDArray list file, as a list of chunks (raw data is not copied).

    Under NumPy shape semantics (``mx.np_shape(True)``) the records carry the V3 magic, as MXNet
    writes them; such a file loads only under NumPy shape semantics again."""
    magic = _V3_MAGIC if is_np_shape() else _V2_MAGIC
    chunks: list = [_FILE_HEADER, _U64.pack(len(arrays))]
    for arr in arrays:
        chunks.extend(_record(arr, magic))
    chunks.append(_U64.pack(len(keys)))
    for key in keys:
        raw = key.encode("utf-8")
        chunks.append(_U64.pack(len(raw)))
        chunks.append(raw)
    return chunks


def _check_data(data) -> tuple[list[str], list[NDArray]]:
    """(keys, arrays) for ``save``'s ``data``, with MXNet's errors for anything else."""
    if isinstance(data, NDArray):
        return [], [data]
    if isinstance(data, dict):
        keys, arrays = list(data.keys()), list(data.values())
        bad_key = next((k for k in keys if not isinstance(k, str)), None)
        if bad_key is not None:
            raise TypeError(f"save only accept dict str->NDArray or list of NDArray: key {bad_key!r} is a {type(bad_key).__name__}, expected str")
        for k, v in zip(keys, arrays):
            if not isinstance(v, NDArray):
                raise TypeError(f"save only accept dict str->NDArray or list of NDArray: data[{k!r}] is a {type(v).__name__}, expected NDArray")
            if "\0" in k:
                raise ValueError(f"save: key {k!r} contains a NUL character, which MXNet's file format cannot store")
        return keys, arrays
    if isinstance(data, list):
        for i, v in enumerate(data):
            if not isinstance(v, NDArray):
                raise TypeError(f"save only accept dict str->NDArray or list of NDArray: data[{i}] is a {type(v).__name__}, expected NDArray")
        return [], list(data)
    raise ValueError(f"data needs to either be a NDArray, dict of str, NDArray pairs or a list of NDarrays; save got {type(data).__name__}")


def _check_fname(fname, func: str) -> str:
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if not isinstance(fname, str):
        raise TypeError(f"{func}: fname required to be a string (or os.PathLike), got {type(fname).__name__}")
    return fname


def _raw(host: np.ndarray) -> np.ndarray:
    """Raw C-order little-endian bytes, without a copy when the array already is."""
    return np.ascontiguousarray(host, dtype=host.dtype.newbyteorder("<")).reshape(-1).view(np.uint8)


def _shape_bytes(shape: tuple) -> bytes:
    return _I32.pack(len(shape)) + struct.pack(f"<{len(shape)}q", *shape)


def _sparse_record(arr, magic: int) -> list:
    """A row_sparse/csr record: storage shape, shape, context, aux types and shapes, values, aux data."""
    data, *aux = arr._host_parts()
    flag = DTYPE_TO_FLAG.get(data.dtype)
    if flag is None:
        raise MXNetError(f"save: arrays of dtype {data.dtype.name!r} cannot be saved; expected one of {sorted(d.name for d in DTYPE_TO_FLAG)}")
    stype = 1 if arr.stype == "row_sparse" else 2
    head = _REC_HEAD.pack(magic, stype) + _shape_bytes(data.shape) + _shape_bytes(tuple(arr.shape))
    head += _CTX_TYPE.pack(arr._ctx.device_typeid, arr._ctx.device_id, flag)
    for a in aux:
        head += _I32.pack(DTYPE_TO_FLAG[a.dtype]) + _shape_bytes(a.shape)
    return [head, _raw(data), *(_raw(a) for a in aux)]


def _record(arr: NDArray, magic: int = _V2_MAGIC) -> list:
    """The V2 (or V3) record of one array: a small header and its raw data."""
    _eng._current.wait_read(arr._var)
    if arr.stype != "default":
        return _sparse_record(arr, magic)
    be = get_backend(arr._ctx)
    host = be.to_host(arr._data) if be.is_gpu else arr._data
    flag = DTYPE_TO_FLAG.get(host.dtype)
    if flag is None:
        raise MXNetError(f"save: arrays of dtype {host.dtype.name!r} cannot be saved; expected one of {sorted(d.name for d in DTYPE_TO_FLAG)}")
    shape = host.shape
    ctx = arr._ctx
    head = _REC_HEAD.pack(magic, 0) + _I32.pack(len(shape)) + struct.pack(f"<{len(shape)}q", *shape)
    head += _CTX_TYPE.pack(ctx.device_typeid, ctx.device_id, flag)
    return [head, _raw(host)]


# ---------------------------------------------------------------------------- load
def load(fname: str | os.PathLike):
    """Load the arrays of an MXNet NDArray file: a list, or a dict if it was saved with names.

    Every array lands on ``cpu(0)`` (as MXNet does for anything saved from a
    cpu-side context); arrays saved from a GPU load onto that GPU when CuPy
    sees it, and onto ``cpu(0)`` otherwise. What mxpy adds or changes:

    - sparse records (``row_sparse``, ``csr``) load as dense arrays holding
      the same values, since mxpy has no sparse array classes;
    - bfloat16 records (type flag 12) load as float32 arrays holding exactly
      the same values (each bfloat16 is the top half of a float32);
    - a "none" record (V3 ``ndim -1``, or V2 ``ndim 0`` with no data after it)
      loads as ``None``;
    - a V2 record with ``ndim 0`` followed by a context, a type flag and one
      element, which is how MXNet 1.9.1 saves a 0-d array (and then cannot
      read back), loads as that 0-d array.

    As in MXNet, V3 records (what ``save`` writes under NumPy shape semantics)
    load only under ``mx.np_shape(True)``, and V2, V1 and 2016 records only
    outside it; the other way round raises ``MXNetError`` saying which to use.

    The file is read at once and checked as it is parsed: every declared
    count, shape and length is compared with the bytes that remain before
    anything is allocated, and a truncated or foreign file raises
    ``MXNetError`` naming the problem and its byte offset; nothing partial is
    returned. Bytes after the last name are ignored, as MXNet does.

    >>> import mxpy as mx, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "p.params")
    >>> mx.nd.save(path, {"arg:w": mx.nd.array([1.5])})
    >>> mx.nd.load(path)["arg:w"].asnumpy()
    array([1.5], dtype=float32)
    """
    if isinstance(fname, os.PathLike):
        fname = os.fspath(fname)
    if not isinstance(fname, str):
        raise TypeError(f"load: fname required to be a string (or os.PathLike), got {type(fname).__name__}")
    try:
        with open(fname, "rb") as f:
            buf = f.read()
    except OSError as e:
        raise MXNetError(f"load: cannot read {fname!r}: {e.strerror or e}") from e
    return _parse(buf, f"load({fname!r})")


def load_frombuffer(buf):
    """Load arrays from the bytes of an MXNet NDArray file (see ``load``).

    >>> import mxpy as mx, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp(), "x.nd")
    >>> mx.nd.save(path, [mx.nd.array([3, 4])])
    >>> mx.nd.load_frombuffer(path.read_bytes())[0].asnumpy()
    array([3., 4.], dtype=float32)
    """
    if isinstance(buf, str) or not isinstance(buf, (bytes, bytearray, memoryview)):
        raise TypeError(f"load_frombuffer: buf required to be bytes-like (bytes, bytearray, memoryview), got {type(buf).__name__}")
    return _parse(buf, "load_frombuffer")


class _Reader:
    """Bounds-checked little-endian reads from a memoryview."""

    __slots__ = ("mv", "pos", "where")

    def __init__(self, buf, where: str) -> None:
        self.mv = memoryview(buf).cast("B")
        self.pos = 0
        self.where = where

    def fail(self, msg: str, offset: int | None = None) -> MXNetError:
        off = self.pos if offset is None else offset
        return MXNetError(f"{self.where}: invalid NDArray file: {msg} at byte offset {off}")

    def need(self, n: int, what: str) -> None:
        left = len(self.mv) - self.pos
        if n > left:
            raise self.fail(f"truncated file: {what} needs {n} bytes, only {left} left")

    def unpack(self, st: struct.Struct, what: str) -> tuple:
        self.need(st.size, what)
        out = st.unpack_from(self.mv, self.pos)
        self.pos += st.size
        return out

    def take(self, n: int, what: str) -> memoryview:
        self.need(n, what)
        out = self.mv[self.pos : self.pos + n]
        self.pos += n
        return out

    def shape(self, what: str, unknown_ndim: bool = False, unknown_dims: bool = False) -> tuple | None:
        """``i32 ndim, ndim x i64``; None for ndim -1 / a -1 dim where those mean "unknown"."""
        start = self.pos
        (ndim,) = self.unpack(_I32, f"{what} ndim")
        if ndim == -1 and unknown_ndim:
            return None
        if ndim < 0:
            raise self.fail(f"{what} has ndim {ndim}, expected >= 0", start)
        return self.dims(ndim, what, "q", unknown_dims)

    def dims(self, ndim: int, what: str, dim_code: str = "q", allow_unknown: bool = False) -> tuple | None:
        start = self.pos
        raw = self.take(ndim * struct.calcsize(dim_code), f"{what} ({ndim} dims)")
        dims = struct.unpack(f"<{ndim}{dim_code}", raw)
        if any(d < 0 for d in dims):
            if allow_unknown and all(d >= -1 for d in dims):
                return None
            raise self.fail(f"{what} {dims} has a negative dimension", start)
        return dims


def _parse(buf, where: str):
    r = _Reader(buf, where)
    magic, _reserved = r.unpack(_HEADER, "file header")
    if magic != _LIST_MAGIC:
        raise r.fail(f"not an MXNet NDArray file: header magic {magic:#x}, expected {_LIST_MAGIC:#x}", 0)
    count_at = r.pos
    (n,) = r.unpack(_U64, "array count")
    # The smallest record (a 2016-layout 0-d header) takes 4 bytes.
    if n > (len(r.mv) - r.pos) // 4:
        raise r.fail(f"declares {n} arrays but only {len(r.mv) - r.pos} bytes follow", count_at)
    arrays = [_read_record(r, i) for i in range(n)]
    keys_at = r.pos
    (k,) = r.unpack(_U64, "name count")
    if k not in (0, n):
        raise r.fail(f"declares {k} names for {n} arrays, expected 0 or {n}", keys_at)
    names = []
    for i in range(k):
        (length,) = r.unpack(_U64, f"length of name {i}")
        at = r.pos
        raw = r.take(length, f"name {i}")
        try:
            names.append(str(raw, "utf-8"))
        except UnicodeDecodeError as e:
            raise r.fail(f"name {i} is not valid UTF-8 ({e.reason})", at) from None
    values = [None if a is None else _to_ndarray(*a) for a in arrays]
    if k == 0:
        return values
    return dict(zip(names, values))


def _read_record(r: _Reader, index: int):
    """(host array, dev_type, dev_id) of record ``index``, or None for a none record."""
    start = r.pos
    what = f"array {index}"
    (magic,) = r.unpack(_U32, f"{what} header")
    # MXNet keeps the two shape semantics apart: 0 is an unknown dimension in legacy files
    # and a real one in V3 files, so each loads only under the semantics it was saved with
    np_shape = is_np_shape()
    if magic == _V3_MAGIC and not np_shape:
        raise MXNetError(f"{r.where}: {what} was saved under NumPy shape semantics (V3 record); load it under the same semantics: with mx.np_shape(True): ...")
    if magic != _V3_MAGIC and np_shape and (magic in (_V1_MAGIC, _V2_MAGIC) or magic * 4 <= len(r.mv) - r.pos):
        raise MXNetError(f"{r.where}: {what} was not saved under NumPy shape semantics; load it outside them: with mx.np_shape(False): ...")
    if magic in (_V2_MAGIC, _V3_MAGIC):
        (stype,) = r.unpack(_I32, f"{what} storage type")
        if stype not in _STYPES:
            raise r.fail(f"{what} has storage type {stype}, expected one of {sorted(_STYPES)} ({', '.join(_STYPES.values())})", r.pos - 4)
        nad = _NUM_AUX[stype]
        v3 = magic == _V3_MAGIC
        sshape = r.shape(f"{what} storage shape") if nad else None
        # ndim -1 (and, under V3's numpy semantics, a -1 dim) is a "none" array: the record ends.
        shape = r.shape(f"{what} shape", unknown_ndim=True, unknown_dims=v3)
        if shape is None:
            return None
        if not v3 and len(shape) == 0 and (nad or not _scalar_follows(r)):
            # MXNet 1.x reads a V2 ndim of 0 as "none" too, unless a 0-d body follows.
            return None
    elif magic == _V1_MAGIC:
        stype, nad, sshape = 0, 0, None
        shape = r.shape(f"{what} shape")
    else:
        # The 2016 layout has no magic: the word just read is ndim, dims are u32.
        stype, nad, sshape = 0, 0, None
        if magic * 4 > len(r.mv) - r.pos:
            raise r.fail(
                f"{what} header {magic:#010x} is no known record magic ({_V1_MAGIC:#x}, {_V2_MAGIC:#x}, {_V3_MAGIC:#x}) nor a 2016-layout ndim that fits the remaining {len(r.mv) - r.pos} bytes",
                start,
            )
        shape = r.dims(magic, f"{what} shape", "I")
    ctx_at = r.pos
    dev_type, dev_id, flag = r.unpack(_CTX_TYPE, f"{what} context and type flag")
    if dev_type not in _DEV_TYPES or dev_id < 0:
        raise r.fail(f"{what} has device ({dev_type}, {dev_id}), expected a device type in {sorted(_DEV_TYPES)} and an id >= 0", ctx_at)
    if flag not in _ITEMSIZE:
        raise r.fail(f"{what} has type flag {flag}, expected one of {sorted(_ITEMSIZE)}", ctx_at + 8)
    aux = []
    for j in range(nad):
        aux_at = r.pos
        (aux_flag,) = r.unpack(_I32, f"{what} aux {j} type flag")
        if aux_flag not in FLAG_TO_DTYPE or FLAG_TO_DTYPE[aux_flag].kind not in "iu":
            raise r.fail(f"{what} aux {j} has type flag {aux_flag}, expected an integer type flag", aux_at)
        aux_shape = r.shape(f"{what} aux {j} shape")
        aux.append((aux_flag, aux_shape))
    if nad:
        if math.prod(sshape) == 0:
            sshape = _derive_storage_shape(r, what, stype, shape, aux)
        data = _read_data(r, flag, sshape, f"{what} data")
        aux_data = [_read_data(r, f, s, f"{what} aux {j} data") for j, (f, s) in enumerate(aux)]
        host = _sparse_parts(r, what, stype, shape, data, aux_data, start)
    else:
        host = _read_data(r, flag, shape, f"{what} data")
    return host, dev_type, dev_id


def _scalar_follows(r: _Reader) -> bool:
    """Whether a V2 ndim-0 shape is followed by a full 0-d record body."""
    left = len(r.mv) - r.pos
    if left < _CTX_TYPE.size:
        return False
    dev_type, dev_id, flag = _CTX_TYPE.unpack_from(r.mv, r.pos)
    return dev_type in _DEV_TYPES and dev_id >= 0 and flag in _ITEMSIZE and left >= _CTX_TYPE.size + _ITEMSIZE[flag]


def _derive_storage_shape(r: _Reader, what: str, stype: int, shape: tuple, aux: list) -> tuple:
    """A stale zero storage shape: the stored element count follows the index array, as MXNet."""
    idx_shape = aux[0][1] if stype == 1 else aux[1][1]
    if len(idx_shape) != 1:
        raise r.fail(f"{what}: {_STYPES[stype]} index array has shape {idx_shape}, expected 1-D")
    if stype == 1:
        if len(shape) == 0:
            raise r.fail(f"{what}: row_sparse array has shape (), expected ndim >= 1")
        return (idx_shape[0],) + tuple(shape[1:])
    return idx_shape


def _read_data(r: _Reader, flag: int, shape: tuple, what: str) -> np.ndarray:
    """Copy ``prod(shape)`` elements of type ``flag`` out of the buffer (checked first)."""
    count = math.prod(shape)
    raw = r.take(count * _ITEMSIZE[flag], f"{what} ({count} elements of type flag {flag})")
    at = r.pos - len(raw)
    if flag == BFLOAT16_FLAG:
        # bfloat16 is the high half of a float32: widening is exact.
        flat = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    elif FLAG_TO_DTYPE[flag] == np.bool_:
        # Any non-zero byte is True; never reinterpret arbitrary bytes as bool.
        flat = np.frombuffer(raw, dtype=np.uint8) != 0
    else:
        dt = FLAG_TO_DTYPE[flag]
        flat = np.frombuffer(raw, dtype=dt.newbyteorder("<")).astype(dt)
    try:
        return flat.reshape(shape)
    except ValueError as e:  # e.g. (0, 2**62, 2**62): no data, but no NumPy array either
        raise r.fail(f"{what} shape {shape} cannot be represented ({e})", at) from None


def _sparse_parts(r: _Reader, what: str, stype: int, shape: tuple, data: np.ndarray, aux_data: list, start: int) -> tuple:
    """(stype, shape, data, aux...) of a row_sparse or csr record, its indices checked."""
    if stype == 1:
        (idx,) = aux_data
        if len(shape) == 0 or data.shape[1:] != tuple(shape[1:]) or idx.shape != data.shape[:1]:
            raise r.fail(f"{what}: row_sparse values {data.shape} and row indices {idx.shape} do not fit shape {shape}", start)
        idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= shape[0]):
            raise r.fail(f"{what}: row_sparse row index out of range [0, {shape[0]})", start)
        return ("row_sparse", shape, data, idx)
    indptr, indices = (a.astype(np.int64) for a in aux_data)
    if len(shape) != 2 or data.ndim != 1 or indices.shape != data.shape or indptr.ndim != 1:
        raise r.fail(f"{what}: csr values {data.shape}, indptr {indptr.shape} and indices {indices.shape} do not fit shape {shape}", start)
    rows, cols = shape
    if data.size == 0 and indptr.size == 0:  # storage never allocated: all zeros
        indptr = np.zeros(rows + 1, np.int64)
    if indptr.size != rows + 1 or indptr[0] != 0 or indptr[-1] != data.size or np.any(np.diff(indptr) < 0):
        raise r.fail(f"{what}: csr indptr must be {rows + 1} non-decreasing offsets from 0 to {data.size}", start)
    if indices.size and (indices.min() < 0 or indices.max() >= cols):
        raise r.fail(f"{what}: csr column index out of range [0, {cols})", start)
    return ("csr", shape, data, indptr, indices)


def _to_ndarray(host, dev_type: int, dev_id: int) -> NDArray:
    ctx: Context = cpu(0)
    if dev_type == 2 and dev_id < cupy_device_count():
        ctx = gpu(dev_id)
    if isinstance(host, tuple):  # a sparse record's (stype, shape, data, aux...)
        from .sparse import _CLASS, _make

        stype, shape, data, *aux = host
        return _make(_CLASS[stype], ctx, shape, data.dtype, (data, *aux))
    be = get_backend(ctx)
    # host is a fresh C-contiguous array owned by no one else: adopt it as is.
    return _wrap(ctx, be.from_host(host) if be.is_gpu else host)
