"""``mx.image.ImageIter``: batches of augmented images from a ``.rec`` file, a ``.lst`` file or a list.

>>> import mxpy as mx
>>> it = mx.image.ImageIter(4, (3, 32, 32), path_imgrec="data.rec")   # doctest: +SKIP
>>> batch = it.next(); batch.data[0].shape                             # doctest: +SKIP
(4, 3, 32, 32)
"""

from __future__ import annotations

import logging
import numbers
import os
import random

from .. import ndarray as nd
from .. import recordio
from ..base import MXNetError
from ..io import DataBatch, DataDesc, DataIter
from .augment import CreateAugmenter
from .image import imdecode

_log = logging.getLogger(__name__)

__all__ = ["ImageIter", "read_image_list"]


def read_image_list(path, dtype="float32", owner="ImageIter"):
    """Parse a ``.lst`` file (``index<TAB>label...<TAB>path`` per line) into ``({index: (label NDArray, path)}, [index, ...])``.

    A malformed line raises an MXNetError naming the file and the line number.

    >>> table, keys = read_image_list("train.lst")                     # doctest: +SKIP
    """
    table, keys = {}, []
    try:
        f = open(path)
    except OSError as e:
        raise MXNetError(f"{owner}: cannot open image list {path!r}: {e.strerror or e}") from e
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                raise MXNetError(f"{owner}: {path!r} line {lineno}: expected 'index<TAB>label(s)<TAB>path', given {line.rstrip()!r}")
            try:
                key = int(fields[0])
                label = [float(x) for x in fields[1:-1]]
            except ValueError as e:
                raise MXNetError(f"{owner}: {path!r} line {lineno}: bad index or label in {line.rstrip()!r} ({e})") from e
            table[key] = (nd.array(label, dtype=dtype), fields[-1])
            keys.append(key)
    return table, keys


class ImageIter(DataIter):
    """Image iterator with Python augmenters (see ``CreateAugmenter``); labels come from the records or the list.

    Give ``path_imgrec`` (with ``path_imgidx`` for shuffling and ``num_parts``),
    ``path_imglist`` (a ``.lst`` file, images read from ``path_root``), or
    ``imglist`` (a list of ``[label(s)..., path]``). Extra keyword arguments go
    to ``CreateAugmenter`` when ``aug_list`` is None. ``last_batch_handle`` is
    'pad', 'discard' or 'roll_over'. Images whose decoded data are empty are
    skipped; an image that does not decode raises a RuntimeError naming it.

    >>> it = mx.image.ImageIter(2, (3, 8, 8), imglist=[[0.0, "a.jpg"], [1.0, "b.jpg"]], path_root="imgs")  # doctest: +SKIP
    """

    def __init__(
        self,
        batch_size,
        data_shape,
        label_width=1,
        path_imgrec=None,
        path_imglist=None,
        path_root=None,
        path_imgidx=None,
        shuffle=False,
        part_index=0,
        num_parts=1,
        aug_list=None,
        imglist=None,
        data_name="data",
        label_name="softmax_label",
        dtype="float32",
        last_batch_handle="pad",
        **kwargs,
    ):
        super().__init__(batch_size)
        if not (path_imgrec or path_imglist or isinstance(imglist, list)):
            raise ValueError("ImageIter: give path_imgrec, path_imglist or imglist (a list)")
        if dtype not in ("int32", "float32", "int64", "float64"):
            raise ValueError(f"ImageIter: label dtype {dtype!r} is not supported; expected int32, float32, int64 or float64")
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise ValueError(f"ImageIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', given {last_batch_handle!r}")
        self.imgrec = None
        self.imgidx = None
        if path_imgrec:
            if path_imgidx:
                self.imgrec = recordio.MXIndexedRecordIO(path_imgidx, path_imgrec, "r")
                self.imgidx = list(self.imgrec.keys)
            else:
                self.imgrec = recordio.MXRecordIO(path_imgrec, "r")
        imgkeys = None
        if path_imglist:
            self.imglist, imgkeys = read_image_list(path_imglist, dtype)
        elif isinstance(imglist, list):
            # Keys are the strings '1', '2', ... in list order, as MXNet numbers them.
            self.imglist, imgkeys = {}, []
            for n, item in enumerate(imglist, 1):
                if len(item) > 2:
                    label = nd.array(item[:-1], dtype=dtype)
                elif isinstance(item[0], numbers.Number):
                    label = nd.array([item[0]], dtype=dtype)
                else:
                    label = nd.array(item[0], dtype=dtype)
                self.imglist[str(n)] = (label, item[-1])
                imgkeys.append(str(n))
        else:
            self.imglist = None
        self.path_root = path_root
        self.check_data_shape(data_shape)
        self.provide_data = [DataDesc(data_name, (batch_size,) + tuple(data_shape))]
        label_shape = (batch_size, label_width) if label_width > 1 else (batch_size,)
        self.provide_label = [DataDesc(label_name, label_shape)]
        self.batch_size = batch_size
        self.data_shape = tuple(data_shape)
        self.label_width = label_width
        self.shuffle = shuffle
        if self.imgrec is None:
            self.seq = imgkeys
        elif shuffle or num_parts > 1 or path_imgidx:
            if self.imgidx is None:
                raise ValueError("ImageIter: shuffle or num_parts > 1 with a .rec file needs path_imgidx")
            self.seq = self.imgidx
        else:
            self.seq = None
        if num_parts > 1:
            if not 0 <= part_index < num_parts:
                raise ValueError(f"ImageIter: part_index must be in [0, {num_parts}), given {part_index}")
            per = len(self.seq) // num_parts
            self.seq = self.seq[part_index * per : (part_index + 1) * per]
        self.auglist = CreateAugmenter(data_shape, **kwargs) if aug_list is None else aug_list
        self.cur = 0
        self._allow_read = True
        self.last_batch_handle = last_batch_handle
        self.num_image = len(self.seq) if self.seq is not None else None
        self._cache_data = None
        self._cache_label = None
        self._cache_idx = None
        self.reset()

    def reset(self):
        """Start the next epoch (reshuffled if ``shuffle``); a rolled-over partial batch is kept."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.last_batch_handle != "roll_over" or self._cache_data is None:
            if self.imgrec is not None:
                self.imgrec.reset()
            self.cur = 0
            self._allow_read = True

    def hard_reset(self):
        """Start over, dropping any rolled-over partial batch."""
        if self.seq is not None and self.shuffle:
            random.shuffle(self.seq)
        if self.imgrec is not None:
            self.imgrec.reset()
        self.cur = 0
        self._allow_read = True
        self._cache_data = self._cache_label = self._cache_idx = None

    def next_sample(self):
        """The next (label, encoded image bytes) pair; StopIteration at the end."""
        if not self._allow_read:
            raise StopIteration
        if self.seq is None:
            s = self.imgrec.read()
            if s is None:
                if self.last_batch_handle != "discard":
                    self.imgrec.reset()
                raise StopIteration
            header, img = recordio.unpack(s)
            return header.label, img
        if self.cur >= self.num_image:
            if self.last_batch_handle != "discard":
                self.cur = 0
            raise StopIteration
        idx = self.seq[self.cur]
        self.cur += 1
        if self.imgrec is not None:
            header, img = recordio.unpack(self.imgrec.read_idx(idx))
            return (header.label if self.imglist is None else self.imglist[idx][0]), img
        label, fname = self.imglist[idx]
        return label, self.read_image(fname)

    def _batchify(self, batch_data, batch_label, start=0):
        i = start
        try:
            while i < self.batch_size:
                label, s = self.next_sample()
                data = self.imdecode(s)
                try:
                    self.check_valid_image(data)
                except RuntimeError as e:
                    _log.debug("Invalid image, skipping: %s", e)
                    continue
                data = self.augmentation_transform(data)
                batch_data[i] = self.postprocess_data(data)
                batch_label[i] = label
                i += 1
        except StopIteration:
            if not i:
                raise
        return i

    def next(self):
        """The next ``DataBatch`` (data N x C x H x W float32, label per ``label_width``)."""
        if self._cache_data is not None:
            batch_data, batch_label, i = self._cache_data, self._cache_label, self._cache_idx
        else:
            batch_data = nd.zeros((self.batch_size,) + self.data_shape)
            batch_label = self._new_label_batch()
            i = self._batchify(batch_data, batch_label)
        pad = self.batch_size - i
        if pad:
            if self.last_batch_handle == "discard":
                raise StopIteration
            if self.last_batch_handle == "roll_over" and self._cache_data is None:
                self._cache_data, self._cache_label, self._cache_idx = batch_data, batch_label, i
                raise StopIteration
            self._batchify(batch_data, batch_label, i)
            if self.last_batch_handle == "pad":
                self._allow_read = False
            else:
                self._cache_data = self._cache_label = self._cache_idx = None
        return DataBatch([batch_data], [batch_label], pad=pad)

    def _new_label_batch(self):
        """The label array one batch fills (ImageDetIter pads with -1 rows)."""
        return nd.empty(self.provide_label[0][1])

    def check_data_shape(self, data_shape):
        """Reject a ``data_shape`` that is not (3, H, W)."""
        if len(data_shape) != 3:
            raise ValueError("data_shape should have length 3, with dimensions CxHxW")
        if data_shape[0] != 3:
            raise ValueError("This iterator expects inputs to have 3 channels.")

    def check_valid_image(self, data):
        """Raise RuntimeError for an image to skip (an empty one)."""
        if len(data[0].shape) == 0:
            raise RuntimeError("Data shape is wrong")

    def _locate(self):
        if self.seq is not None:
            idx = self.seq[(self.cur - 1) % self.num_image]
        else:
            idx = f"record {self.cur}"
        if self.imglist is not None and idx in self.imglist:
            return f"filename: {self.imglist[idx][1]}"
        return f"index: {idx}"

    def imdecode(self, s):
        """Decode one image, raising a RuntimeError that names the image when it is broken."""
        try:
            return imdecode(s)
        except Exception as e:  # noqa: BLE001 - re-raised with the image named
            raise RuntimeError(f"Broken image {self._locate()}, {e}") from e

    def read_image(self, fname):
        """The encoded bytes of ``fname`` under ``path_root``."""
        path = os.path.join(self.path_root, fname) if self.path_root else fname
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise MXNetError(f"ImageIter: cannot read image {path!r}: {e.strerror or e}") from e

    def augmentation_transform(self, data):
        """Run every augmenter in ``auglist``."""
        for aug in self.auglist:
            data = aug(data)
        return data

    def postprocess_data(self, datum):
        """HxWxC -> CxHxW."""
        return nd.transpose(datum, axes=(2, 0, 1))
