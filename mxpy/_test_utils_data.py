"""Data helpers of ``mx.test_utils``: ``download`` and the MNIST/CIFAR getters.

They look for files exactly where MXNet 1.9.1 would have downloaded them
(``get_mnist_ubyte`` and ``get_mnist_iterator``: ``data/*-ubyte`` under the
current directory; ``get_mnist``: the four ``*.gz`` files in the current
directory; ``get_cifar10``: ``data/cifar/``). When a file is missing they try
the download once per retry with a short timeout, and otherwise raise
``OSError`` saying which URL failed and the absolute path to put the file at.
Set ``MXNET_OFFLINE=1`` to skip the network entirely.
"""

from __future__ import annotations

import bz2
import gzip
import logging
import os
import struct
import zipfile

import numpy as np

from ._atomic_file import atomic_write

_log = logging.getLogger(__name__)

__all__ = [
    "download",
    "download_model",
    "get_mnist",
    "get_mnist_pkl",
    "get_mnist_ubyte",
    "get_mnist_iterator",
    "get_cifar10",
    "get_zip_data",
    "get_bz2_data",
    "get_im2rec_path",
]

_MNIST_URL = "http://data.mxnet.io/data/mnist/"
_MNIST_UBYTE = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _timeout() -> float:
    try:
        return float(os.environ.get("MXNET_DOWNLOAD_TIMEOUT", "10"))
    except ValueError:
        return 10.0


def _fetch(url: str, fname: str) -> None:
    """One attempt: stream ``url`` into ``fname`` (atomically: never a torn file)."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=_timeout()) as resp:
        status = getattr(resp, "status", 200)
        if status != 200:
            raise OSError(f"HTTP status {status}")
        atomic_write(fname, iter(lambda: resp.read(1 << 20), b""), func="download")


def download(url: str, fname: str | None = None, dirname: str | None = None, overwrite: bool = False, retries: int = 5) -> str:
    """Return the local path of ``url``'s file, downloading it if it is not there yet.

    ``fname`` defaults to the URL's last component; with ``dirname`` it is
    joined under that folder (created if needed). An existing file is used as
    is unless ``overwrite``. Offline (or with ``MXNET_OFFLINE=1``), a missing
    file raises ``OSError`` naming the path to put it at.

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> open(os.path.join(d, "x.txt"), "w").close()
    >>> download("http://example.com/x.txt", dirname=d) == os.path.join(d, "x.txt")
    True
    """
    if retries < 0:
        raise ValueError("download: retries must be at least 0")
    if fname is None:
        fname = url.split("/")[-1]
    if dirname is None:
        dirname = os.path.dirname(fname)
    else:
        fname = os.path.join(dirname, fname)
    if dirname:
        os.makedirs(dirname, exist_ok=True)
    if not overwrite and os.path.exists(fname):
        _log.info("%s exists, skipping download", fname)
        return fname
    where = os.path.abspath(fname)
    if os.environ.get("MXNET_OFFLINE", "") not in ("", "0"):
        raise OSError(f"download: {url} is needed and MXNET_OFFLINE is set; put the file at {where}")
    reason: BaseException | None = None
    for _ in range(retries + 1):
        try:
            _fetch(url, fname)
            _log.info("downloaded %s into %s successfully", url, fname)
            return fname
        except OSError as e:  # URLError, timeouts and HTTP errors are all OSErrors
            reason = e
            if "Name or service not known" in str(e) or "Temporary failure in name resolution" in str(e):
                break  # no network here: retrying only waits
    raise OSError(f"download: could not fetch {url} ({reason}); put the file at {where} (where MXNet would have downloaded it)") from reason


def download_model(model_name: str, dst_dir: str = "./", meta_info: dict | None = None) -> tuple:
    """Fetch ``<model_name>-symbol.json`` and ``-0000.params`` into ``dst_dir``; ``(prefix, 0)``.

    ``meta_info`` maps model names to ``{'symbol': url, 'params': url}``;
    an unknown name gives ``(None, 0)`` as in MXNet.
    """
    base = "http://data.mxnet.io/models/imagenet/"
    known = {
        "imagenet1k-inception-bn": ("inception-bn/Inception-BN-symbol.json", "inception-bn/Inception-BN-0126.params"),
        **{
            f"imagenet1k-resnet-{n}": (f"resnet/{n}-layers/resnet-{n}-symbol.json", f"resnet/{n}-layers/resnet-{n}-0000.params") for n in (18, 34, 50, 101, 152)
        },
    }
    info = dict(meta_info) if meta_info is not None else {k: {"symbol": base + s, "params": base + p} for k, (s, p) in known.items()}
    if model_name not in info:
        return (None, 0)
    os.makedirs(dst_dir, exist_ok=True)
    meta = dict(info[model_name])
    prefix = os.path.join(dst_dir, model_name)
    download(meta["symbol"], prefix + "-symbol.json")
    download(meta["params"], prefix + "-0000.params")
    return (prefix, 0)


def _read_mnist_gz(label_file: str, image_file: str) -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(label_file) as f:
        struct.unpack(">II", f.read(8))
        label = np.frombuffer(f.read(), dtype=np.int8)
    with gzip.open(image_file, "rb") as f:
        _, _, rows, cols = struct.unpack(">IIII", f.read(16))
        image = np.frombuffer(f.read(), dtype=np.uint8).reshape(len(label), 1, rows, cols)
    return label, image.astype(np.float32) / 255


def get_mnist() -> dict:
    """MNIST as NumPy arrays: ``train_data`` (N, 1, 28, 28) float32 in [0, 1],
    ``train_label`` int8, ``test_data``, ``test_label``.

    Reads ``train-labels-idx1-ubyte.gz`` etc. from the current directory
    (downloading them from data.mxnet.io when online).
    """
    out = {}
    for part, stem in (("train", "train"), ("test", "t10k")):
        lbl = download(f"{_MNIST_URL}{stem}-labels-idx1-ubyte.gz")
        img = download(f"{_MNIST_URL}{stem}-images-idx3-ubyte.gz")
        out[f"{part}_label"], out[f"{part}_data"] = _read_mnist_gz(lbl, img)
    return out


def get_mnist_pkl() -> None:
    """Make sure ``data/mnist.pkl.gz`` exists (downloading it when online)."""
    os.makedirs("data", exist_ok=True)
    if not os.path.exists("data/mnist.pkl.gz"):
        download("http://deeplearning.net/data/mnist/mnist.pkl.gz", dirname="data")


def get_mnist_ubyte() -> None:
    """Make sure the four MNIST idx files are in ``data/`` (from ``data/mnist.zip`` or a download)."""
    os.makedirs("data", exist_ok=True)
    if all(os.path.exists(os.path.join("data", f)) for f in _MNIST_UBYTE):
        return
    try:
        path = download("http://data.mxnet.io/mxnet/data/mnist.zip", dirname="data")
    except OSError as e:
        need = ", ".join(_MNIST_UBYTE)
        raise OSError(f"get_mnist_ubyte: MNIST is not in {os.path.abspath('data')}; put {need} there (or mnist.zip holding them). {e}") from e
    with zipfile.ZipFile(path) as zf:
        zf.extractall("data")


def get_cifar10() -> None:
    """Make sure ``data/cifar/{train,test}.{rec,lst}`` exist (from ``data/cifar10.zip`` or a download)."""
    os.makedirs("data", exist_ok=True)
    need = ("train.rec", "test.rec", "train.lst", "test.lst")
    if all(os.path.exists(os.path.join("data", "cifar", f)) for f in need):
        return
    try:
        path = download("http://data.mxnet.io/mxnet/data/cifar10.zip", dirname="data")
    except OSError as e:
        raise OSError(f"get_cifar10: CIFAR-10 is not in {os.path.abspath('data/cifar')}; put {', '.join(need)} there (or data/cifar10.zip). {e}") from e
    with zipfile.ZipFile(path) as zf:
        zf.extractall("data")


def get_mnist_iterator(batch_size: int, input_shape: tuple, num_parts: int = 1, part_index: int = 0):
    """``(train, val)`` :class:`mx.io.MNISTIter` over ``data/*-ubyte`` (see :func:`get_mnist_ubyte`).

    ``input_shape`` of length 3 gives (C, H, W) images, anything else flat rows.
    """
    from .io import MNISTIter

    get_mnist_ubyte()
    flat = len(input_shape) != 3
    common = dict(input_shape=input_shape, batch_size=batch_size, flat=flat, num_parts=num_parts, part_index=part_index)
    train = MNISTIter(image="data/train-images-idx3-ubyte", label="data/train-labels-idx1-ubyte", shuffle=True, **common)
    val = MNISTIter(image="data/t10k-images-idx3-ubyte", label="data/t10k-labels-idx1-ubyte", **common)
    return train, val


def get_zip_data(data_dir: str, url: str, data_origin_name: str) -> None:
    """Download ``url`` into ``data_dir`` as ``data_origin_name`` and extract it there
    (nothing is done when that zip file is already present)."""
    origin = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(origin):
        download(url, fname=data_origin_name, dirname=data_dir, overwrite=False)
        with zipfile.ZipFile(origin) as zf:
            zf.extractall(path=data_dir)


def get_bz2_data(data_dir: str, data_name: str, url: str, data_origin_name: str) -> None:
    """Make ``data_dir/data_name`` from the bz2 file at ``url`` (kept as ``data_origin_name``
    only while decompressing); nothing is done when ``data_name`` exists."""
    target = os.path.join(data_dir, data_name)
    origin = os.path.join(data_dir, data_origin_name)
    if os.path.exists(target):
        return
    download(url, fname=data_origin_name, dirname=data_dir, overwrite=False)
    with bz2.BZ2File(origin, "rb") as src:
        atomic_write(target, iter(lambda: src.read(1 << 20), b""), func="get_bz2_data")
    os.remove(origin)


def get_im2rec_path(home_env: str = "MXNET_HOME") -> str:
    """Path of MXNet's ``tools/im2rec.py`` under ``$MXNET_HOME``; OSError when absent."""
    home = os.environ.get(home_env)
    candidates = [os.path.join(home, "tools", "im2rec.py")] if home else []
    for c in candidates:
        if os.path.isfile(c):
            return c
    raise OSError(f"Could not find path to tools/im2rec.py (set {home_env} to an MXNet source tree)")
