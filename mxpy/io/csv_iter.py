"""``CSVIter``: batches from comma-separated files of numbers.

>>> import mxpy as mx
>>> it = mx.io.CSVIter(data_csv="data.csv", data_shape=(3,), batch_size=2)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re

import numpy as np

from ..base import MXNetError
from .native import NativeBatchIter, check_batch_size, check_prefetch_buffer, output_dtype

__all__ = ["CSVIter"]

_INT_PREFIX = re.compile(r"\s*([+-]?\d+)")


def _csv_files(path: str, arg: str) -> list[str]:
    """``path`` itself, or every file of the directory ``path`` in name order."""
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if os.path.isfile(os.path.join(path, f)))
        if not files:
            raise MXNetError(f"CSVIter: {arg} directory {path!r} holds no file")
        return files
    if not os.path.isfile(path):
        raise MXNetError(f"CSVIter: {arg} file {path!r} does not exist")
    return [path]


def _parse_int(field: str) -> int:
    # MXNet reads integer CSVs with strtol semantics: the leading integer of
    # each field ("3.5" -> 3); a field with no digits reads as 0.
    m = _INT_PREFIX.match(field)
    return int(m.group(1)) if m else 0


def _read_csv(path: str, arg: str, row_len: int, shape: tuple, dtype: np.dtype) -> np.ndarray:
    rows = []
    for name in _csv_files(path, arg):
        with open(name, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue  # blank lines are skipped, as by MXNet's CSV parser
                fields = line.split(",")
                if len(fields) != row_len:
                    raise MXNetError(
                        f"CSVIter: the data size in {arg} {name!r} line {lineno} does not match the shape: "
                        f"row length {len(fields)}, expected {row_len} (shape {list(shape)})"
                    )
                if dtype.kind == "f":
                    try:
                        rows.append([float(x) for x in fields])
                    except ValueError as e:
                        raise MXNetError(f"CSVIter: {arg} {name!r} line {lineno} holds a field that is not a number: {e}") from e
                else:
                    rows.append([_parse_int(x) for x in fields])
    if dtype.kind == "f":
        return np.asarray(rows, dtype=np.float64).astype(dtype).reshape((len(rows),) + tuple(shape))
    return np.asarray(rows, dtype=dtype).reshape((len(rows),) + tuple(shape))


def _shape(arg: str, value) -> tuple[int, ...]:
    if isinstance(value, int):
        value = (value,)
    try:
        shape = tuple(int(d) for d in value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"CSVIter: {arg} must be a tuple of positive integers, given {value!r}") from e
    if not shape or any(d < 1 for d in shape):
        raise ValueError(f"CSVIter: {arg} must be a non-empty tuple of positive integers, given {value!r}")
    return shape


class CSVIter(NativeBatchIter):
    """Iterate over rows of a CSV file (or all files of a directory).

    Each row is reshaped to ``data_shape``; labels come from ``label_csv`` or
    are 0 when it is ``'NULL'``.  A label of shape ``(1,)`` is served as a
    ``(batch,)`` vector.  With ``round_batch=True`` (the default) the last
    short batch is completed with rows from the start (``pad`` counts them)
    and the following ``reset()`` is skipped, so the next epoch goes on after
    those rows, as in MXNet.  With ``round_batch=False`` the short batch keeps
    the previous batch's rows in its tail (zeros when there is none) and
    ``pad`` says how many.  ``dtype`` may be None (float32), ``'int32'`` or ``'int64'``.

    >>> it = mx.io.CSVIter(data_csv="d.csv", data_shape=(6,), batch_size=2)  # doctest: +SKIP
    """

    def __init__(
        self,
        data_csv: str,
        data_shape,
        label_csv: str = "NULL",
        label_shape=(1,),
        batch_size: int = None,
        round_batch: bool = True,
        prefetch_buffer: int = 4,
        ctx: str = "gpu",
        dtype=None,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **_ignored,
    ):
        owner = "CSVIter"
        if batch_size is None:
            raise ValueError("CSVIter: batch_size is required")
        batch_size = check_batch_size(owner, batch_size)
        check_prefetch_buffer(owner, prefetch_buffer)
        if ctx not in ("cpu", "gpu"):
            raise ValueError(f"{owner}: ctx must be 'cpu' or 'gpu', given {ctx!r}")
        out_dtype = output_dtype(owner, dtype, ("float32", "int32", "int64"))
        data_shape = _shape("data_shape", data_shape)
        label_shape = _shape("label_shape", label_shape)
        data = _read_csv(os.fspath(data_csv), "data_csv", int(np.prod(data_shape)), data_shape, out_dtype)
        n = data.shape[0]
        if label_csv is None or label_csv == "NULL":
            label = np.zeros((n,) + label_shape, dtype=out_dtype)
        else:
            label = _read_csv(os.fspath(label_csv), "label_csv", int(np.prod(label_shape)), label_shape, out_dtype)
            if label.shape[0] != n:
                raise MXNetError(f"{owner}: label_csv {label_csv!r} holds {label.shape[0]} rows, expected {n} (the rows of data_csv {data_csv!r})")
        if n == 0:
            raise MXNetError(f"{owner}: data_csv {data_csv!r} holds no row")
        # A (1,) label is served flat, as MXNet does.
        served_label = () if label_shape == (1,) else label_shape
        self._data = data
        self._label = label.reshape((n,) + served_label)
        self._round_batch = bool(round_batch)
        # MXNet's batch loader state: read position, rows borrowed from the
        # next epoch by the last round batch, and the reused batch buffers
        # whose stale tail a round_batch=False short batch shows.
        self._pos = 0
        self._overflow = 0
        self._buf_data = np.zeros((batch_size,) + data_shape, dtype=out_dtype)
        self._buf_label = np.zeros((batch_size,) + served_label, dtype=out_dtype)
        self._buf_index = np.zeros(batch_size, dtype=np.uint64)
        super().__init__(batch_size, data_name, label_name, data_shape, served_label, out_dtype)

    def _rewind(self) -> None:
        if not self._round_batch or self._overflow == 0:
            self._pos = 0
        else:
            # The last round batch already served the first rows: go on after them.
            self._overflow = 0

    def _copy_rows(self, top: int, count: int) -> None:
        lo = self._pos
        self._buf_data[top : top + count] = self._data[lo : lo + count]
        self._buf_label[top : top + count] = self._label[lo : lo + count]
        self._buf_index[top : top + count] = np.arange(lo, lo + count, dtype=np.uint64)
        self._pos += count

    def _load_next(self):
        if self._overflow:
            return None  # the epoch ended with a round batch; wait for reset()
        bs, n = self.batch_size, self._data.shape[0]
        top = min(bs, n - self._pos)
        if top <= 0:
            return None
        need = bs - top
        if need and self._round_batch and need > n:
            # Checked before any row is copied, so the failed call leaves the state as it was.
            raise MXNetError(f"CSVIter: number of input must be bigger than batch size: round_batch needs {need} rows from the start, the file has {n}")
        self._copy_rows(0, top)
        pad = 0
        if top < bs:
            if self._round_batch:
                self._pos = 0
                self._copy_rows(top, need)
                self._overflow = pad = need
            else:
                pad = bs - top
        return self._buf_data, self._buf_label, pad, self._buf_index
