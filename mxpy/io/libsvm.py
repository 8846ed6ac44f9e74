"""``LibSVMIter``: batches from LibSVM text files (``label index:value ...`` per line, indices from 0).

MXNet serves the data as CSR sparse arrays; mxpy has no sparse storage yet, so
the batches are dense NDArrays of the same values. Epochs and ``round_batch``
behave as ``CSVIter`` (and MXNet's batch loader).

>>> import mxpy as mx
>>> it = mx.io.LibSVMIter(data_libsvm="train.libsvm", data_shape=(3,), batch_size=2)  # doctest: +SKIP
"""

from __future__ import annotations

import os

import numpy as np

from ..base import MXNetError
from .csv_iter import CSVIter, _shape
from .native import NativeBatchIter, check_batch_size, check_prefetch_buffer, output_dtype

__all__ = ["LibSVMIter"]


def _read_libsvm(path: str, arg: str, width: int, owner: str = "LibSVMIter"):
    """(leading values, dense feature rows) of a LibSVM file; every index must be in [0, width)."""
    labels, rows = [], []
    try:
        f = open(path)
    except OSError as e:
        raise MXNetError(f"{owner}: cannot open {arg} {path!r}: {e.strerror or e}") from e
    with f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            row = np.zeros(width, np.float32)
            try:
                labels.append(float(fields[0]))
                for item in fields[1:]:
                    idx, _, val = item.partition(":")
                    i = int(idx)
                    if not 0 <= i < width:
                        raise MXNetError(f"{owner}: {arg} {path!r} line {lineno}: feature index {i} outside [0, {width}) (data_shape)")
                    row[i] = float(val)
            except ValueError as e:
                raise MXNetError(f"{owner}: {arg} {path!r} line {lineno}: expected 'label index:value ...', given {line.rstrip()!r}") from e
            rows.append(row)
    return np.asarray(labels, np.float32), (np.stack(rows) if rows else np.zeros((0, width), np.float32))


class LibSVMIter(CSVIter):
    """Iterate over a LibSVM file; labels are each line's leading value, or come from ``label_libsvm``.

    With ``label_libsvm`` and ``label_shape=(1,)`` the label file's leading
    values are the labels; with a wider ``label_shape`` its features are.
    ``num_parts``/``part_index`` give this worker an equal share of the lines.

    >>> it = mx.io.LibSVMIter(data_libsvm="d.t", label_libsvm="l.t", data_shape=(3,), label_shape=(3,), batch_size=3)  # doctest: +SKIP
    """

    def __init__(
        self,
        data_libsvm: str,
        data_shape,
        label_libsvm: str = "NULL",
        label_shape=(1,),
        num_parts: int = 1,
        part_index: int = 0,
        batch_size: int = None,
        round_batch: bool = True,
        prefetch_buffer: int = 4,
        ctx: str = "gpu",
        dtype=None,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **_ignored,
    ):
        owner = "LibSVMIter"
        if batch_size is None:
            raise ValueError("LibSVMIter: batch_size is required")
        batch_size = check_batch_size(owner, batch_size)
        check_prefetch_buffer(owner, prefetch_buffer)
        out_dtype = output_dtype(owner, dtype, ("float32",))
        data_shape = _shape("data_shape", data_shape)
        label_shape = _shape("label_shape", label_shape)
        if len(data_shape) != 1:
            raise MXNetError(f"{owner}: data_shape must be 1-D, given {data_shape}")
        lead, data = _read_libsvm(os.fspath(data_libsvm), "data_libsvm", data_shape[0])
        n = data.shape[0]
        if label_libsvm is None or label_libsvm == "NULL":
            label = lead.reshape(n, 1)
        else:
            llead, lrows = _read_libsvm(os.fspath(label_libsvm), "label_libsvm", int(np.prod(label_shape)))
            if lrows.shape[0] != n:
                raise MXNetError(f"{owner}: label_libsvm {label_libsvm!r} holds {lrows.shape[0]} lines, expected {n} (the lines of data_libsvm)")
            label = llead.reshape(n, 1) if label_shape == (1,) else lrows
        if not 0 <= part_index < num_parts:
            raise MXNetError(f"{owner}: part_index must be in [0, num_parts={num_parts}), given {part_index}")
        step = -(-n // num_parts)
        data, label = data[part_index * step : (part_index + 1) * step], label[part_index * step : (part_index + 1) * step]
        n = data.shape[0]
        if n == 0:
            raise MXNetError(f"{owner}: data_libsvm {data_libsvm!r} holds no line for part {part_index} of {num_parts}")
        served_label = () if label_shape == (1,) else label_shape
        self._data = data.astype(out_dtype)
        self._label = label.reshape((n,) + served_label).astype(out_dtype)
        self._round_batch = bool(round_batch)
        self._pos = 0
        self._overflow = 0
        self._buf_data = np.zeros((batch_size,) + data_shape, dtype=out_dtype)
        self._buf_label = np.zeros((batch_size,) + served_label, dtype=out_dtype)
        self._buf_index = np.zeros(batch_size, dtype=np.uint64)
        NativeBatchIter.__init__(self, batch_size, data_name, label_name, data_shape, served_label, out_dtype)
