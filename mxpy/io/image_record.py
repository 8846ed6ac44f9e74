"""``ImageRecordIter`` and its uint8/int8 variants: decoded, augmented batches from a RecordIO ``.rec`` file.

A producer thread assembles batches ahead of the consumer into a queue of
``prefetch_buffer`` batches; within a batch, ``preprocess_threads`` worker
threads decode and augment images in parallel (OpenCV and NumPy release the
GIL, so they really run side by side). Every batch is a fresh buffer handed
to the NDArray without a copy.

Epochs follow MXNet: with ``round_batch=True`` a short last batch is filled
from the start of the data (``pad`` counts those) and the next epoch starts
after them; with ``round_batch=False`` its tail keeps the previous batch's
rows and ``pad`` counts them (MXNet 1.9.1 reports 0 there).

>>> import mxpy as mx
>>> it = mx.io.ImageRecordIter(path_imgrec="train.rec", data_shape=(3, 224, 224), batch_size=32,
...                            resize=256, rand_crop=True, rand_mirror=True)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import recordio
from ..base import MXNetError
from ..ndarray.creation import from_numpy
from ._image_aug import AugParams, Normalizer, augment
from .base import DataBatch, DataDesc
from .native import NativeBatchIter, check_batch_size, check_prefetch_buffer

_log = logging.getLogger(__name__)

__all__ = ["ImageRecordIter", "ImageRecordUInt8Iter", "ImageRecordInt8Iter", "scan_records"]

_AUG_FIELDS = {f.name for f in dataclasses.fields(AugParams)} - {"data_shape"}
_ITER_FIELDS = {
    "path_imgrec",
    "path_imglist",
    "path_imgidx",
    "aug_seq",
    "label_width",
    "data_shape",
    "preprocess_threads",
    "verbose",
    "num_parts",
    "part_index",
    "device_id",
    "shuffle_chunk_size",
    "shuffle_chunk_seed",
    "seed_aug",
    "shuffle",
    "seed",
    "batch_size",
    "round_batch",
    "prefetch_buffer",
    "ctx",
    "dtype",
    "mean_img",
    "data_name",
    "label_name",
    "skip_invalid",
}


def scan_records(path: str, owner: str = "ImageRecordIter") -> tuple[list[int], int, MXNetError | None]:
    """Offsets of every record in a ``.rec`` file, its size, and the error that stopped the scan (None when clean).

    Only the 8-byte part headers are read; a multi-part record counts once.

    >>> offsets, size, err = scan_records("train.rec")                 # doctest: +SKIP
    """
    offsets = []
    try:
        f = open(path, "rb")
    except OSError as e:
        raise MXNetError(f"{owner}: cannot open path_imgrec {path!r}: {e.strerror or e}") from e
    with f:
        size = os.fstat(f.fileno()).st_size
        pos = 0
        in_record = False
        while pos < size:
            f.seek(pos)
            head = f.read(8)
            if len(head) < 8:
                return offsets, size, MXNetError(f"{owner}: {path!r} is truncated at offset {pos}: {len(head)} bytes where a record header of 8 was expected")
            magic, lrec = int.from_bytes(head[:4], "little"), int.from_bytes(head[4:], "little")
            if magic != 0xCED7230A:
                return offsets, size, MXNetError(f"{owner}: {path!r} is corrupt at offset {pos}: magic {magic:#010x}, expected 0xced7230a")
            cflag, length = lrec >> 29, lrec & ((1 << 29) - 1)
            end = pos + 8 + ((length + 3) & ~3)
            if end > size:
                return (
                    offsets,
                    size,
                    MXNetError(f"{owner}: {path!r} is truncated at offset {pos}: the record declares {length} bytes, only {size - pos - 8} remain"),
                )
            if not in_record:
                offsets.append(pos)
            in_record = cflag in (1, 2)
            pos = end
    return offsets, size, None


def _read_label_list(path: str, label_width: int, owner: str) -> dict[int, np.ndarray]:
    table = {}
    try:
        f = open(path)
    except OSError as e:
        raise MXNetError(f"{owner}: cannot open path_imglist {path!r}: {e.strerror or e}") from e
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.strip().split("\t")
            if len(fields) < label_width + 2:
                raise MXNetError(
                    f"{owner}: {path!r} line {lineno}: expected index, {label_width} label(s) and a path separated by tabs, given {line.rstrip()!r}"
                )
            try:
                table[int(float(fields[0]))] = np.array([float(x) for x in fields[1 : 1 + label_width]], dtype=np.float32)
            except ValueError as e:
                raise MXNetError(f"{owner}: {path!r} line {lineno}: bad index or label in {line.rstrip()!r}") from e
    return table


class _Epoch:
    """What the producer thread of one epoch hands over: a queue of batches and the epoch's wrap-around."""

    def __init__(self, maxsize: int):
        self.queue: queue.Queue = queue.Queue(maxsize=max(maxsize, 1))
        self.stop = threading.Event()
        self.next_start = 0
        self.thread: threading.Thread | None = None


class ImageRecordIter(NativeBatchIter):
    """Batches of images from a ``.rec`` file with MXNet's C++ augmentation parameters.

    Main parameters (all of MXNet 1.9.1's are accepted): ``path_imgrec``,
    ``path_imglist`` (labels by image index), ``path_imgidx``, ``data_shape``
    (C, H, W), ``batch_size``, ``label_width``, ``shuffle``, ``seed``,
    ``num_parts``/``part_index``, ``round_batch``, ``preprocess_threads``,
    ``prefetch_buffer``, ``dtype``; augmentation ``resize``, ``rand_crop``,
    ``random_resized_crop``, ``max/min_random_scale``, ``max/min_aspect_ratio``,
    ``max/min_random_area``, ``max_rotate_angle``, ``rotate``, ``max_shear_ratio``,
    ``max/min_crop_size``, ``pad``, ``fill_value``, ``inter_method``,
    ``brightness``/``contrast``/``saturation``, ``random_h/s/l``, ``pca_noise``;
    normalisation ``mean_r/g/b/a``, ``std_r/g/b/a``, ``scale``, ``mirror``,
    ``rand_mirror``, ``max_random_contrast``, ``max_random_illumination``,
    ``mean_img``. ``skip_invalid=True`` (an mxpy addition) skips records that
    do not decode instead of raising.

    >>> it = mx.io.ImageRecordIter(path_imgrec="val.rec", data_shape=(3, 224, 224), batch_size=8, resize=256)  # doctest: +SKIP
    """

    _default_dtype = "float32"
    _owner = "ImageRecordIter"

    def __init__(self, **kwargs):
        owner = self._owner
        unknown = sorted(set(kwargs) - _ITER_FIELDS - _AUG_FIELDS)
        if unknown:
            raise MXNetError(f"{owner}: unknown parameter(s) {unknown}")
        for req in ("path_imgrec", "data_shape", "batch_size"):
            if req not in kwargs or kwargs[req] in (None, ""):
                raise MXNetError(f"{owner}: parameter {req} is required")
        batch_size = check_batch_size(owner, kwargs["batch_size"])
        prefetch = kwargs.get("prefetch_buffer", 4)
        check_prefetch_buffer(owner, prefetch)
        data_shape = tuple(int(d) for d in kwargs["data_shape"])
        if len(data_shape) != 3 or data_shape[0] not in (1, 3, 4) or min(data_shape) < 1:
            raise MXNetError(f"{owner}: data_shape must be (C, H, W) with C in 1, 3, 4, given {kwargs['data_shape']!r}")
        dtype = kwargs.get("dtype") or self._default_dtype
        try:
            dtype = np.dtype(dtype)
        except TypeError as e:
            raise MXNetError(f"{owner}: unknown dtype {kwargs.get('dtype')!r}") from e
        self._label_width = int(kwargs.get("label_width", 1))
        if self._label_width < 1:
            raise MXNetError(f"{owner}: label_width must be >= 1, given {self._label_width}")
        aug = AugParams(data_shape=data_shape, **{k: v for k, v in kwargs.items() if k in _AUG_FIELDS})
        aug.check(owner)
        self._aug = aug
        self._threads = max(1, int(kwargs.get("preprocess_threads", 4)))
        self._prefetch = int(prefetch)
        self._round_batch = bool(kwargs.get("round_batch", True))
        self._shuffle = bool(kwargs.get("shuffle", False))
        self._seed = int(kwargs.get("seed", 0))
        seed_aug = kwargs.get("seed_aug")
        self._seed_aug = self._seed if seed_aug is None else int(seed_aug)
        self._skip_invalid = bool(kwargs.get("skip_invalid", False))
        self._path = os.fspath(kwargs["path_imgrec"])
        self._data_shape = data_shape
        self._out_dtype = dtype
        # uint8/int8 outputs are written directly; other dtypes are computed in float32 and cast.
        work = dtype if dtype in (np.dtype(np.uint8), np.dtype(np.int8)) else np.dtype(np.float32)
        self._work_dtype = work
        self._normalizer = Normalizer(aug, data_shape[0], work)
        label_shape = (self._label_width,) if self._label_width > 1 else ()
        super().__init__(batch_size, kwargs.get("data_name", "data"), kwargs.get("label_name", "softmax_label"), data_shape, label_shape, dtype)
        self.provide_label = [DataDesc(kwargs.get("label_name", "softmax_label"), (batch_size,) + label_shape, np.float32)]
        self._label_map = _read_label_list(os.fspath(kwargs["path_imglist"]), self._label_width, owner) if kwargs.get("path_imglist") else None
        offsets, size, self._scan_error = scan_records(self._path, owner)
        self._size = size
        # One descriptor shared by the worker threads through os.pread (no seek position to race on).
        self._fd = os.open(self._path, os.O_RDONLY)
        self._order = self._partition(offsets, size, kwargs)
        if not self._order and self._scan_error is not None:
            raise self._scan_error
        if not self._order:
            raise MXNetError(f"{owner}: {self._path!r} (part {kwargs.get('part_index', 0)} of {kwargs.get('num_parts', 1)}) holds no records")
        self._mean_img = None
        self._mean_img = self._load_mean(kwargs.get("mean_img"))
        self._epoch_no = 0
        self._start = 0
        self._ended = False
        self._epoch: _Epoch | None = None
        self._pool = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="mxpy-imagerec")
        self._begin_epoch()

    # -- records ---------------------------------------------------------------------------
    def _partition(self, offsets, size, kwargs) -> list[int]:
        num_parts = int(kwargs.get("num_parts", 1))
        part = int(kwargs.get("part_index", 0))
        if num_parts < 1 or not 0 <= part < num_parts:
            raise MXNetError(f"{self._owner}: part_index must be in [0, num_parts={num_parts}), given {part}")
        idx_path = kwargs.get("path_imgidx")
        if idx_path:
            index = recordio.MXIndexedRecordIO(os.fspath(idx_path), self._path, "r")
            known = set(offsets)
            order = [index.idx[k] for k in index.keys]
            index.close()
            bad = [o for o in order if o not in known]
            if bad:
                raise MXNetError(f"{self._owner}: path_imgidx {idx_path!r} points at offset {bad[0]}, which is not a record start in {self._path!r}")
            step = -(-len(order) // num_parts)
            return order[part * step : (part + 1) * step]
        if num_parts == 1:
            return list(offsets)
        # dmlc's byte split: equal 4-byte-aligned byte ranges, each owning the records that start in it.
        step = -(-size // num_parts)
        step = (step + 3) // 4 * 4
        lo, hi = step * part, step * (part + 1)
        return [o for o in offsets if lo <= o < hi]

    def _load_mean(self, mean_img):
        if not mean_img:
            return None
        from ..ndarray import load, save

        if os.path.exists(mean_img):
            loaded = load(mean_img)
            arr = (
                loaded["mean_img"]
                if isinstance(loaded, dict) and "mean_img" in loaded
                else (loaded[0] if isinstance(loaded, list) else next(iter(loaded.values())))
            )
            arr = arr.asnumpy().astype(np.float32)
            if arr.shape != self._data_shape:
                raise MXNetError(f"{self._owner}: mean_img {mean_img!r} has shape {arr.shape}, expected {self._data_shape}")
            return arr
        # As MXNet: compute the mean image over the data (no random augmentation) and save it.
        _log.info("%s: computing mean image into %s", self._owner, mean_img)
        total = np.zeros(self._data_shape, np.float64)
        plain = Normalizer(dataclasses.replace(self._aug, mirror=False, rand_mirror=False), self._data_shape[0], np.uint8)
        slot = np.empty(self._data_shape, np.uint8)
        rng = np.random.default_rng(0)
        cv2 = self._cv2()
        for off in self._order:
            header, img = self._decode(off, cv2)
            plain.write(augment(cv2, img, self._aug, rng), slot, rng)
            total += slot
        mean = (total / len(self._order)).astype(np.float32)
        save(mean_img, {"mean_img": from_numpy(mean.copy(), zero_copy=False)})
        return mean

    @staticmethod
    def _cv2():
        from ..image import _cv

        return _cv.cv2()

    def _decode(self, offset, cv2):
        header, payload = recordio.unpack(recordio.read_record_at(self._fd, offset, self._size, self._path))
        channels = self._data_shape[0]
        mode = cv2.IMREAD_GRAYSCALE if channels == 1 else cv2.IMREAD_COLOR if channels == 3 else cv2.IMREAD_UNCHANGED
        img = cv2.imdecode(np.frombuffer(payload, np.uint8), mode) if payload else None
        if img is None:
            raise MXNetError(f"{self._owner}: record at offset {offset} of {self._path!r} (image index {header.id}) does not decode as an image")
        if channels == 4 and (img.ndim != 3 or img.shape[2] != 4):
            raise MXNetError(f"{self._owner}: invalid image with index {header.id}: expected 4 channels, got {1 if img.ndim == 2 else img.shape[2]}")
        return header, img

    def _label_of(self, header) -> np.ndarray:
        if self._label_map is not None:
            try:
                return self._label_map[int(header.id)]
            except KeyError:
                raise MXNetError(f"{self._owner}: image index {header.id} is not in path_imglist") from None
        if header.flag > 0:
            if header.flag != self._label_width:
                raise MXNetError(f"{self._owner}: the record (image index {header.id}) holds {header.flag} labels, but label_width is {self._label_width}")
            return np.asarray(header.label, np.float32)
        if self._label_width != 1:
            raise MXNetError(f"{self._owner}: label_width must be 1 unless path_imglist is given or the records hold label arrays")
        return np.array([header.label], np.float32)

    # -- one sample, on a worker thread ---------------------------------------------------
    def _work(self, offset: int, counter: int, data: np.ndarray, label: np.ndarray, ids: np.ndarray, slot: int):
        cv2 = self._cv2()
        header, img = self._decode(offset, cv2)
        rng = np.random.default_rng((self._seed_aug, self._epoch_no, counter))
        res = augment(cv2, img, self._aug, rng)
        out = data[slot]
        self._normalizer.write(res, out, rng)
        if self._mean_img is not None and self._work_dtype == np.float32:
            # MXNet subtracts the mean image instead of the per-channel means.
            out += (np.asarray(self._normalizer.mean, np.float32) - self._mean_img) * (self._aug.scale / self._normalizer.std.reshape(-1, 1, 1))
        lab = self._label_of(header)
        label[slot] = lab if self._label_width > 1 else lab[0]
        ids[slot] = header.id

    # -- epochs ----------------------------------------------------------------------------
    def _epoch_sequence(self, start: int):
        order = list(self._order)
        if self._shuffle:
            np.random.default_rng((self._seed, self._epoch_no)).shuffle(order)
        return order, start

    def _begin_epoch(self):
        ep = _Epoch(self._prefetch)
        order, start = self._epoch_sequence(self._start)
        ep.thread = threading.Thread(target=self._produce, args=(ep, order, start, self._epoch_no), name="mxpy-imagerec-producer", daemon=True)
        self._epoch = ep
        self._ended = False
        ep.thread.start()

    def _produce(self, ep: _Epoch, order: list[int], start: int, epoch_no: int):
        bs = self.batch_size
        n = len(order)
        pos = start
        counter = start
        prev = None
        try:
            while pos < n and not ep.stop.is_set():
                data = np.empty((bs,) + self._data_shape, self._work_dtype)
                label = np.empty((bs, self._label_width) if self._label_width > 1 else (bs,), np.float32)
                ids = np.zeros(bs, np.uint64)
                filled, wrapped, pad = 0, 0, 0
                while filled < bs:
                    need = bs - filled
                    take = []
                    while len(take) < need:
                        if pos < n:
                            take.append(order[pos])
                            pos += 1
                        elif self._round_batch:
                            take.append(order[wrapped % n])
                            wrapped += 1
                        else:
                            break
                    if not take:
                        break
                    futures = [self._pool.submit(self._work, off, counter + i, data, label, ids, filled + i) for i, off in enumerate(take)]
                    counter += len(take)
                    failed = []
                    for i, fut in enumerate(futures):
                        err = fut.exception()
                        if err is not None:
                            if not (self._skip_invalid and isinstance(err, MXNetError) and "does not decode" in str(err)):
                                raise err
                            _log.warning("%s: skipping %s", self._owner, err)
                            failed.append(i)
                    if failed:
                        # Move the good samples left over the skipped slots, then read more records.
                        good = [filled + i for i in range(len(take)) if i not in failed]
                        for dst, src in enumerate(good, start=filled):
                            if dst != src:
                                data[dst], label[dst], ids[dst] = data[src], label[src], ids[src]
                        filled += len(good)
                    else:
                        filled += len(take)
                if filled == 0:
                    break
                if filled < bs:
                    pad = bs - filled
                    if prev is not None:
                        data[filled:], label[filled:], ids[filled:] = prev[0][filled:], prev[1][filled:], prev[2][filled:]
                    else:
                        data[filled:], label[filled:] = 0, 0
                elif wrapped:
                    pad = wrapped
                if self._work_dtype != self._out_dtype:
                    data = data.astype(self._out_dtype)
                prev = (data, label, ids)
                ep.next_start = wrapped if (wrapped and self._round_batch) else 0
                self._put(ep, (data, label, pad, ids))
            self._put(ep, None)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            self._put(ep, e)

    @staticmethod
    def _put(ep: _Epoch, item):
        while not ep.stop.is_set():
            try:
                ep.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _end_epoch(self):
        ep = self._epoch
        if ep is None:
            return
        ep.stop.set()
        while ep.thread.is_alive():
            try:
                ep.queue.get(timeout=0.05)
            except queue.Empty:
                pass
        ep.thread.join()
        self._epoch = None

    def _rewind(self) -> None:
        ep = self._epoch
        # An epoch that ran to its end over a wrap-around lets the next one start after the wrapped records.
        self._start = ep.next_start if (ep is not None and self._ended) else 0
        self._end_epoch()
        self._epoch_no += 1
        self._begin_epoch()

    def _load_next(self):
        if self._ended:
            return None
        item = self._epoch.queue.get()
        if item is None:
            self._ended = True
            if self._scan_error is not None:
                raise self._scan_error
            return None
        if isinstance(item, BaseException):
            self._ended = True
            if isinstance(item, MXNetError):
                raise MXNetError(str(item)) from item
            raise MXNetError(f"{self._owner}: a decoding worker failed: {type(item).__name__}: {item}") from item
        return item

    def iter_next(self) -> bool:
        """Load the next batch; False at the end of the epoch."""
        got = self._load_next()
        if got is None:
            return False
        data, label, pad, ids = got
        self._current = (from_numpy(data), from_numpy(label), int(pad), ids)
        return True

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=[self.getdata()], label=[self.getlabel()], pad=self.getpad(), index=self.getindex())

    def close(self):
        """Stop the producer and worker threads and close the file."""
        self._end_epoch()
        self._pool.shutdown(wait=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self):
        try:
            if getattr(self, "_epoch", None) is not None:
                self._epoch.stop.set()
            if getattr(self, "_pool", None) is not None:
                self._pool.shutdown(wait=False)
            if getattr(self, "_fd", None) is not None:
                os.close(self._fd)
                self._fd = None
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass


class ImageRecordUInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` giving raw uint8 pixels (RGB planes, no normalisation).

    >>> it = mx.io.ImageRecordUInt8Iter(path_imgrec="val.rec", data_shape=(3, 224, 224), batch_size=8)  # doctest: +SKIP
    """

    _default_dtype = "uint8"
    _owner = "ImageRecordUInt8Iter"


class ImageRecordInt8Iter(ImageRecordIter):
    """``ImageRecordIter`` giving int8 pixels: value minus the rounded channel mean, saturated to [-128, 127].

    >>> it = mx.io.ImageRecordInt8Iter(path_imgrec="val.rec", data_shape=(3, 224, 224), batch_size=8, mean_r=128)  # doctest: +SKIP
    """

    _default_dtype = "int8"
    _owner = "ImageRecordInt8Iter"
