"""Gluon helpers: batch splitting across contexts, gradient clipping, downloads.

>>> import mxpy as mx
>>> parts = mx.gluon.utils.split_data(mx.nd.arange(6).reshape((6, 1)), 3)
>>> [p.shape for p in parts]
[(2, 1), (2, 1), (2, 1)]
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings

import numpy as np

from .. import ndarray as nd
from .._atomic_file import commit, discard, stage
from ..base import MXNetError
from ..context import Context
from ..ndarray import NDArray

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download"]


def _indent(s: str, num_spaces: int) -> str:
    """Indent every line of ``s`` but the first by ``num_spaces``."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * num_spaces + line for line in lines)


def split_data(data: NDArray, num_slice: int, batch_axis: int = 0, even_split: bool = True) -> list[NDArray]:
    """Split ``data`` into ``num_slice`` parts along ``batch_axis``.

    With ``even_split=False`` the first parts take one extra row each.

    >>> [p.shape for p in mx.gluon.utils.split_data(mx.nd.ones((5, 2)), 2, even_split=False)]
    [(3, 2), (2, 2)]
    """
    if not isinstance(data, NDArray):
        raise TypeError(f"split_data: data must be an NDArray, got {type(data).__name__}")
    if batch_axis < 0 or batch_axis >= data.ndim:
        raise MXNetError(f"split_data: batch_axis {batch_axis} is out of range for data of shape {data.shape}")
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(
            f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along axis {batch_axis}. "
            "Use a batch size that's multiple of {num_slice} or set even_split=False to allow uneven partitioning of data.".replace(
                "{num_slice}", str(num_slice)
            )
        )
    # the first ``extras`` parts get one more row (as MXNet)
    n_each, extras = divmod(size, num_slice)
    points = np.cumsum([0] + [n_each + 1] * extras + [n_each] * (num_slice - extras)).tolist()
    bounds = [(points[i], points[i + 1]) for i in range(num_slice)]
    if batch_axis == 0:
        return [data[a:b] for a, b in bounds]
    return [nd.slice_axis(data, axis=batch_axis, begin=a, end=b) for a, b in bounds]


def split_and_load(data, ctx_list, batch_axis: int = 0, even_split: bool = True) -> list[NDArray]:
    """Split ``data`` into one part per context and copy each part there.

    >>> parts = mx.gluon.utils.split_and_load(mx.nd.ones((4, 2)), [mx.cpu(0), mx.cpu(1)])
    >>> [str(p.context) for p in parts]
    ['cpu(0)', 'cpu(1)']
    """
    if isinstance(ctx_list, Context):
        ctx_list = [ctx_list]
    if not isinstance(data, NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(c) for s, c in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm: float, check_isfinite: bool = True):
    """Scale ``arrays`` in place so that their joint 2-norm is at most ``max_norm``; returns the norm.

    >>> g = [mx.nd.array([3.0, 4.0])]
    >>> mx.gluon.utils.clip_global_norm(g, 1.0)
    5.0
    >>> [round(float(v), 3) for v in g[0].asnumpy()]
    [0.6, 0.8]
    """
    if not arrays:
        raise AssertionError("clip_global_norm: arrays must not be empty")
    ctx = arrays[0].context
    total = nd.zeros((1,), ctx=ctx)
    for a in arrays:
        total += nd.sum(nd.square(a.as_in_context(ctx).astype("float32")))
    total_norm = nd.sqrt(total)
    if check_isfinite:
        value = float(total_norm.asscalar())
        if not math.isfinite(value):
            warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."), stacklevel=2)
    scale = max_norm / (total_norm + 1e-8)
    scale = nd.minimum(scale, nd.ones((1,), ctx=ctx))
    for a in arrays:
        a *= scale.as_in_context(a.context).astype(a.dtype)
    if check_isfinite:
        return value
    return total_norm


def check_sha1(filename: str, sha1_hash: str) -> bool:
    """Whether the file's SHA-1 hex digest equals ``sha1_hash``."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def download(url: str, path: str | None = None, overwrite: bool = False, sha1_hash: str | None = None, retries: int = 5, verify_ssl: bool = True) -> str:
    """Download ``url`` to ``path`` (a file or folder); returns the file name.

    An existing file with the right hash (or any existing file when no hash
    is given) is kept unless ``overwrite``. Without network access this raises
    an error naming the URL and where to put the file by hand.
    """
    import urllib.error
    import urllib.request

    if path is None:
        fname = url.split("/")[-1]
        if not fname:
            raise AssertionError("Can't construct file-name from this URL. Please set the `path` option manually.")
    else:
        path = os.path.expanduser(path)
        fname = os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path
    if retries < 0:
        raise AssertionError(f"Number of retries should be at least 0, currently it's {retries}")
    if not overwrite and os.path.exists(fname) and (not sha1_hash or check_sha1(fname, sha1_hash)):
        return fname
    dirname = os.path.dirname(os.path.abspath(os.path.expanduser(fname)))
    os.makedirs(dirname, exist_ok=True)
    last: Exception | None = None
    for _ in range(retries + 1):
        try:
            context = None
            if not verify_ssl:
                import ssl

                context = ssl._create_unverified_context()
            with urllib.request.urlopen(url, timeout=30, context=context) as r:
                staged = stage(fname, iter(lambda: r.read(1 << 20), b""), func="download")
            if sha1_hash and not check_sha1(staged[0], sha1_hash):
                discard([staged])
                raise UserWarning(f"File {fname} is downloaded but the content hash does not match. The repo may be outdated or download may be incomplete.")
            commit([staged], func="download")
            return fname
        except (urllib.error.URLError, OSError, ValueError, MXNetError) as e:
            last = e
    raise MXNetError(
        f"download: could not fetch {url} ({type(last).__name__}: {last}). If this machine is offline, download the file elsewhere and put it at {os.path.abspath(fname)}"
        + (f" (its SHA-1 must be {sha1_hash})" if sha1_hash else "")
    )
