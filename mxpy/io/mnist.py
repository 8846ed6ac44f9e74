"""``MNISTIter``: batches from MNIST idx files (raw or gzipped).

>>> import mxpy as mx
>>> it = mx.io.MNISTIter(image="train-images-idx3-ubyte", label="train-labels-idx1-ubyte",
...                      batch_size=100, flat=True)                      # doctest: +SKIP
>>> it.provide_data                                                      # doctest: +SKIP
[DataDesc[data,(100, 784),<class 'numpy.float32'>,NCHW]]
"""

from __future__ import annotations

import gzip
import logging
import numbers
import os

import numpy as np

from ..base import MXNetError
from .native import NativeBatchIter, check_batch_size, check_prefetch_buffer, output_dtype

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = ["MNISTIter", "read_idx", "std_shuffle_order"]

_IDX_UINT8 = 0x08


def read_idx(path: str, ndim: int, owner: str = "MNISTIter", arg: str = "image") -> np.ndarray:
    """Read an idx file of unsigned bytes with ``ndim`` dimensions (gzip detected by its magic).

    Every declared size is checked against the bytes actually present.

    >>> read_idx("t10k-labels-idx1-ubyte", 1).shape                      # doctest: +SKIP
    (10000,)
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise MXNetError(f"{owner}: cannot open {arg} file {path!r}: {e.strerror or e}") from e
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise MXNetError(f"{owner}: {arg} file {path!r} is a corrupt gzip file: {e}") from e
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MXNetError(f"{owner}: {arg} file {path!r} is truncated: {len(raw)} bytes, expected an idx header of {header} bytes")
    if raw[0] != 0 or raw[1] != 0 or raw[2] != _IDX_UINT8 or raw[3] != ndim:
        magic = int.from_bytes(raw[:4], "big")
        raise MXNetError(f"{owner}: {arg} file {path!r} has idx magic {magic:#010x}, expected {(_IDX_UINT8 << 8) | ndim:#010x} (unsigned bytes, {ndim}-d)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    need = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != need:
        raise MXNetError(f"{owner}: {arg} file {path!r} declares shape {dims} ({need} bytes of data), but holds {len(raw) - header} bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


class _MT19937Words:
    """Raw 32-bit outputs of std::mt19937 seeded with ``seed`` (NumPy's legacy seeding is the same)."""

    def __init__(self, seed: int):
        self._rs = np.random.RandomState(seed % (1 << 32))
        self._buf: list[int] = []

    def __call__(self) -> int:
        if not self._buf:
            # randint over the full 32-bit range returns the generator's words unchanged.
            self._buf = self._rs.randint(0, 1 << 32, size=4096, dtype=np.uint64)[::-1].tolist()
        return self._buf.pop()


def _uniform_below(words: _MT19937Words, upper: int) -> int:
    """libstdc++'s uniform_int_distribution(0, upper) on a 32-bit engine (scaling with rejection)."""
    span = upper + 1
    scaling = 0xFFFFFFFF // span
    past = span * scaling
    while True:
        r = words()
        if r < past:
            return r // scaling


def std_shuffle_order(n: int, seed: int) -> np.ndarray:
    """The permutation MXNet's ``MNISTIter(shuffle=True, seed=seed)`` applies to ``n`` examples.

    MXNet shuffles with ``std::shuffle`` and ``std::mt19937(seed)``; this
    replays the same draws so shuffled batches match MXNet's.

    >>> std_shuffle_order(10, 1).tolist()
    [6, 9, 7, 2, 4, 1, 5, 3, 8, 0]
    """
    order = list(range(n))
    words = _MT19937Words(seed)
    for i in range(1, n):
        j = _uniform_below(words, i)
        order[i], order[j] = order[j], order[i]
    return np.asarray(order, dtype=np.int64)


def _int_param(owner: str, name: str, value, low: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (low is not None and value < low):
        bound = "" if low is None else f" >= {low}"
        raise ValueError(f"{owner}: {name} must be an integer{bound}, given {value!r}")
    return int(value)


class MNISTIter(NativeBatchIter):
    """Iterate over MNIST images and labels stored as idx files.

    Images become float32 ``pixel / 256`` (MXNet's scaling, so 255 maps to
    0.99609375), shaped ``(batch, 1, rows, cols)`` or ``(batch, rows*cols)``
    with ``flat=True``; labels are float32 ``(batch,)``.  Only whole batches
    are produced.  ``shuffle`` (on by default, as in MXNet) permutes once with
    ``seed``, exactly as MXNet does; ``num_parts``/``part_index`` read one
    contiguous part.  Files may be gzipped (MXNet 1.9.1 reads raw files only).
    ``index`` holds each example's number in the file (MXNet 1.9.1 reports
    zeros there).  Unknown keyword arguments are accepted and ignored, as
    MXNet does.

    >>> it = mx.io.MNISTIter(image="img", label="lab", batch_size=8, shuffle=False)  # doctest: +SKIP
    """

    def __init__(
        self,
        image: str = "./train-images-idx3-ubyte",
        label: str = "./train-labels-idx1-ubyte",
        batch_size: int = 128,
        shuffle: bool = True,
        flat: bool = False,
        seed: int = 0,
        silent: bool = False,
        num_parts: int = 1,
        part_index: int = 0,
        prefetch_buffer: int = 4,
        ctx: str = "gpu",
        dtype=None,
        data_name: str = "data",
        label_name: str = "softmax_label",
        **_ignored,
    ):
        owner = "MNISTIter"
        batch_size = check_batch_size(owner, batch_size)
        check_prefetch_buffer(owner, prefetch_buffer)
        seed = _int_param(owner, "seed", seed)
        num_parts = _int_param(owner, "num_parts", num_parts, 1)
        part_index = _int_param(owner, "part_index", part_index, 0)
        if part_index >= num_parts:
            raise ValueError(f"{owner}: part_index must be below num_parts {num_parts}, given {part_index}")
        if ctx not in ("cpu", "gpu"):
            raise ValueError(f"{owner}: ctx must be 'cpu' or 'gpu', given {ctx!r}")
        out_dtype = output_dtype(owner, dtype, ("float32",))
        images = read_idx(os.fspath(image), 3, owner, "image")
        labels = read_idx(os.fspath(label), 1, owner, "label")
        if images.shape[0] != labels.shape[0]:
            raise MXNetError(f"{owner}: image file {image!r} holds {images.shape[0]} images but label file {label!r} holds {labels.shape[0]} labels")
        count = images.shape[0]
        # MXNet computes the part bounds in double precision and truncates.
        start = int(count / num_parts * part_index)
        end = int(count / num_parts * (part_index + 1))
        if end - start < batch_size:
            raise ValueError(f"{owner}: batch_size {batch_size} is larger than the {end - start} images of the part read, so no batch can be made")
        images = images[start:end]
        labels = labels[start:end]
        order = std_shuffle_order(end - start, seed) if shuffle else np.arange(end - start)
        rows, cols = images.shape[1:]
        sample_shape = (rows * cols,) if flat else (1, rows, cols)
        # Multiplying by 1/256 (a power of two) is exact, as in MXNet's loader.
        self._images = (images[order].astype(np.float32) * np.float32(1.0 / 256.0)).reshape((end - start,) + sample_shape)
        self._labels = labels[order].astype(np.float32)
        self._inst = order.astype(np.uint64) + np.uint64(start)
        self._loc = 0
        super().__init__(batch_size, data_name, label_name, sample_shape, (), out_dtype)
        if not silent:
            _log.info("MNISTIter: load %d images, shuffle=%d, shape=%s", end - start, bool(shuffle), (batch_size,) + sample_shape)

    def _rewind(self) -> None:
        self._loc = 0

    def _load_next(self):
        lo, hi = self._loc, self._loc + self.batch_size
        if hi > self._images.shape[0]:
            return None
        self._loc = hi
        return self._images[lo:hi], self._labels[lo:hi], 0, self._inst[lo:hi]
