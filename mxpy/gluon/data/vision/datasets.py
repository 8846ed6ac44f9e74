"""Vision datasets of ``gluon.data.vision``, read from local files in MXNet's layout.

Nothing is downloaded: ``MNIST``/``FashionMNIST`` read the idx files (gzipped
as MXNet stores them, or plain) and ``CIFAR10``/``CIFAR100`` the binary
batches under ``root`` (default ``$MXNET_HOME/datasets/<name>``, MXNET_HOME
defaulting to ``~/.mxnet``). A missing file raises an MXNetError naming it,
where to put it and where MXNet gets it. Images are HxWxC uint8 NDArrays,
labels int32.

>>> import mxpy as mx
>>> train = mx.gluon.data.vision.MNIST(train=True)                     # doctest: +SKIP
>>> img, label = train[0]; img.shape                                   # doctest: +SKIP
(28, 28, 1)
"""

from __future__ import annotations

import os
import tarfile
import warnings

import numpy as np

from .... import image, ndarray, recordio
from ....base import MXNetError
from ....util import is_np_array
from ..._np_mode import as_np_if_active
from .. import dataset

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageRecordDataset", "ImageFolderDataset", "ImageListDataset"]


def data_dir() -> str:
    """MXNet's data folder: ``$MXNET_HOME`` or ``~/.mxnet``."""
    return os.getenv("MXNET_HOME", os.path.join(os.path.expanduser("~"), ".mxnet"))


# Default roots, fixed at import as MXNet's signatures show them.
_ROOT_MNIST = os.path.join(data_dir(), "datasets", "mnist")
_ROOT_FASHION_MNIST = os.path.join(data_dir(), "datasets", "fashion-mnist")
_ROOT_CIFAR10 = os.path.join(data_dir(), "datasets", "cifar10")
_ROOT_CIFAR100 = os.path.join(data_dir(), "datasets", "cifar100")


def _missing(owner: str, root: str, names, origin: str) -> MXNetError:
    files = ", ".join(names)
    return MXNetError(
        f"{owner}: {files} not found in {root!r}. mxpy does not download datasets: put the file(s) there "
        f"(MXNet downloads them from {origin}), or pass root= pointing at a folder that holds them"
    )


class MNIST(dataset._DownloadedDataset):
    """The MNIST digits: 60,000 training / 10,000 test images of 28x28x1, labels 0-9.

    Files (as MXNet keeps them): ``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz`` (the same names without ``.gz`` work too).

    >>> ds = mx.gluon.data.vision.MNIST(root="~/.mxnet/datasets/mnist", train=False)  # doctest: +SKIP
    """

    _namespace = "mnist"
    _files = {True: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), False: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}

    def __init__(self, root=_ROOT_MNIST, train=True, transform=None):
        self._train = train
        super().__init__(root, transform)

    def _find(self, name: str) -> str:
        for cand in (name, name[:-3] if name.endswith(".gz") else name + ".gz"):
            path = os.path.join(self._root, cand)
            if os.path.isfile(path):
                return path
        raise _missing(type(self).__name__, self._root, [name], f"the MXNet data repository (gluon/dataset/{self._namespace})")

    def _get_data(self):
        from ....io.mnist import read_idx

        data_name, label_name = self._files[bool(self._train)]
        owner = type(self).__name__
        label = read_idx(self._find(label_name), 1, owner=owner, arg="label").astype(np.int32)
        data = read_idx(self._find(data_name), 3, owner=owner, arg="image")
        if data.shape[0] != label.shape[0]:
            raise MXNetError(f"{owner}: {data_name} holds {data.shape[0]} images but {label_name} holds {label.shape[0]} labels")
        # under npx.set_np() MXNet keeps both as mx.np arrays
        self._data = as_np_if_active(ndarray.array(data.reshape(data.shape + (1,)), dtype=np.uint8))
        self._label = as_np_if_active(ndarray.array(label, dtype=np.int32)) if is_np_array() else label


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the MNIST layout and file names, clothing classes 0-9.

    >>> ds = mx.gluon.data.vision.FashionMNIST(train=False)             # doctest: +SKIP
    """

    _namespace = "fashion-mnist"

    def __init__(self, root=_ROOT_FASHION_MNIST, train=True, transform=None):
        super().__init__(root, train, transform)


class CIFAR10(dataset._DownloadedDataset):
    """CIFAR-10: 50,000 training / 10,000 test images of 32x32x3, 10 classes.

    Files: ``data_batch_1.bin`` .. ``data_batch_5.bin`` and ``test_batch.bin``
    (the binary version), or the archive ``cifar-10-binary.tar.gz`` in
    ``root``, which is unpacked there as MXNet does.

    >>> ds = mx.gluon.data.vision.CIFAR10(train=False)                  # doctest: +SKIP
    """

    _namespace = "cifar10"
    _archive = "cifar-10-binary.tar.gz"
    _train_files = [f"data_batch_{i}.bin" for i in range(1, 6)]
    _test_files = ["test_batch.bin"]
    _label_bytes = 1

    def __init__(self, root=_ROOT_CIFAR10, train=True, transform=None):
        self._train = train
        super().__init__(root, transform)

    def _read_batch(self, filename):
        with open(filename, "rb") as f:
            raw = f.read()
        row = 3072 + self._label_bytes
        if len(raw) % row:
            raise MXNetError(f"{type(self).__name__}: {filename!r} holds {len(raw)} bytes, not a whole number of {row}-byte records")
        data = np.frombuffer(raw, dtype=np.uint8).reshape(-1, row)
        return data[:, self._label_bytes :].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), data[:, self._label_column()].astype(np.int32)

    def _label_column(self):
        return 0

    def _locate(self, name):
        # The binary archives unpack into a sub-folder; MXNet reads the files from there or from root.
        for sub in ("", "cifar-10-batches-bin", "cifar-100-binary"):
            path = os.path.join(self._root, sub, name)
            if os.path.isfile(path):
                return path
        return None

    def _get_data(self):
        names = self._train_files if self._train else self._test_files
        if any(self._locate(n) is None for n in names):
            archive = os.path.join(self._root, self._archive)
            if not os.path.isfile(archive):
                raise _missing(
                    type(self).__name__, self._root, names + [f"(or {self._archive})"], f"the MXNet data repository (gluon/dataset/{self._namespace})"
                )
            with tarfile.open(archive) as tar:
                tar.extractall(self._root, filter="data")
        missing = [n for n in names if self._locate(n) is None]
        if missing:
            raise _missing(type(self).__name__, self._root, missing, f"the MXNet data repository (gluon/dataset/{self._namespace})")
        data, label = zip(*(self._read_batch(self._locate(n)) for n in names))
        self._data = as_np_if_active(ndarray.array(np.concatenate(data), dtype=np.uint8))
        self._label = np.concatenate(label)


class CIFAR100(CIFAR10):
    """CIFAR-100: the CIFAR-10 layout with 20 coarse or (``fine_label=True``) 100 fine classes.

    Files: ``train.bin`` and ``test.bin`` (or ``cifar-100-binary.tar.gz``).

    >>> ds = mx.gluon.data.vision.CIFAR100(fine_label=True, train=False)  # doctest: +SKIP
    """

    _namespace = "cifar100"
    _archive = "cifar-100-binary.tar.gz"
    _train_files = ["train.bin"]
    _test_files = ["test.bin"]
    _label_bytes = 2

    def __init__(self, root=_ROOT_CIFAR100, fine_label=False, train=True, transform=None):
        self._fine_label = fine_label
        super().__init__(root, train, transform)

    def _label_column(self):
        return int(bool(self._fine_label))


class ImageRecordDataset(dataset.RecordFileDataset):
    """Images of a ``.rec`` file (with its ``.idx``): samples are (decoded HxWxC image, label).

    >>> ds = mx.gluon.data.vision.ImageRecordDataset("train.rec")       # doctest: +SKIP
    """

    def __init__(self, filename, flag=1, transform=None):
        super().__init__(filename)
        self._flag = flag
        self._transform = transform

    def __getitem__(self, idx):
        header, img = recordio.unpack(super().__getitem__(idx))
        try:
            img = image.imdecode(img, self._flag)
        except MXNetError as e:
            raise MXNetError(f"ImageRecordDataset: record {idx} (image index {header.id}) of {self.filename!r} does not decode: {e}") from e
        if self._transform is not None:
            return self._transform(img, header.label)
        return img, header.label


class ImageFolderDataset(dataset.Dataset):
    """Images in ``root/<class>/<image>``: one label per sub-folder in sorted order (``synsets``).

    >>> ds = mx.gluon.data.vision.ImageFolderDataset("train/")         # doctest: +SKIP
    >>> ds.synsets[:2], ds.items[0]                                    # doctest: +SKIP
    """

    def __init__(self, root, flag=1, transform=None):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self._transform = transform
        self._exts = [".jpg", ".jpeg", ".png"]
        if not os.path.isdir(self._root):
            raise MXNetError(f"ImageFolderDataset: root {self._root!r} is not a folder")
        self._list_images(self._root)

    def _list_images(self, root):
        self.synsets = []
        self.items = []
        for folder in sorted(os.listdir(root)):
            path = os.path.join(root, folder)
            if not os.path.isdir(path):
                warnings.warn(f"Ignoring {path}, which is not a directory.", stacklevel=3)
                continue
            label = len(self.synsets)
            self.synsets.append(folder)
            for filename in sorted(os.listdir(path)):
                filename = os.path.join(path, filename)
                ext = os.path.splitext(filename)[1]
                if ext.lower() not in self._exts:
                    warnings.warn(f"Ignoring {filename} of type {ext}. Only support {', '.join(self._exts)}", stacklevel=3)
                    continue
                self.items.append((filename, label))

    def __getitem__(self, idx):
        img = image.imread(self.items[idx][0], self._flag)
        label = self.items[idx][1]
        if self._transform is not None:
            return self._transform(img, label)
        return img, label

    def __len__(self):
        return len(self.items)


class ImageListDataset(dataset.Dataset):
    """Images named by a ``.lst`` file (``index<TAB>label(s)<TAB>path``) or a list of ``[label(s)..., path]``, under ``root``.

    A single label is a float; several are a float32 array.

    >>> ds = mx.gluon.data.vision.ImageListDataset(root="imgs", imglist=[[0, "a.jpg"], [1, "b.jpg"]])  # doctest: +SKIP
    """

    def __init__(self, root=".", imglist=None, flag=1):
        self._root = os.path.expanduser(root)
        self._flag = flag
        self.items = []
        if isinstance(imglist, str):
            from ....image.image_iter import read_image_list

            table, keys = read_image_list(os.path.join(self._root, imglist) if not os.path.isfile(imglist) else imglist, owner="ImageListDataset")
            for k in keys:
                label, path = table[k]
                lab = label.asnumpy()
                self.items.append((path, float(lab[0]) if lab.size == 1 else lab))
        elif isinstance(imglist, (list, tuple)):
            for n, item in enumerate(imglist):
                if len(item) < 2:
                    raise MXNetError(f"ImageListDataset: imglist item {n} must be [label(s)..., path], given {item!r}")
                labels = item[:-1]
                if isinstance(labels[0], (list, tuple, np.ndarray)):
                    labels = labels[0]
                lab = np.asarray(labels, dtype=np.float32).ravel()
                self.items.append((item[-1], float(lab[0]) if lab.size == 1 else lab))
        else:
            raise MXNetError(f"ImageListDataset: imglist must be a .lst file name or a list, given {type(imglist).__name__}")

    def __getitem__(self, idx):
        path, label = self.items[idx]
        return image.imread(os.path.join(self._root, path), self._flag), label

    def __len__(self):
        return len(self.items)
