"""Python-level ``mx.nd`` functions of MXNet 1.9.1's ndarray.py that are not operators:
``concatenate`` and ``onehot_encode``.

>>> import mxpy as mx
>>> mx.nd.concatenate([mx.nd.ones((1, 2)), mx.nd.zeros((2, 2))]).shape
(3, 2)
"""

from __future__ import annotations

from .indexing import block_is_contiguous
from .ndarray import NDArray
from .register import call

__all__ = ["concatenate", "onehot_encode"]


def concatenate(arrays, axis=0, always_copy=True):
    """Join a list of NDArrays along ``axis`` (equal shapes elsewhere, one dtype), on the first
    array's context; with ``always_copy=False`` a one-array list returns that array itself.

    >>> import mxpy as mx
    >>> mx.nd.concatenate([mx.nd.array([[1, 2]]), mx.nd.array([[3], [4]]).reshape((1, 2))], axis=1).asnumpy()
    array([[1., 2., 3., 4.]], dtype=float32)
    """
    if not isinstance(arrays, list) or not arrays or not isinstance(arrays[0], NDArray):
        raise AssertionError(f"concatenate: arrays must be a non-empty list of NDArrays, got {type(arrays).__name__}")
    if not always_copy and len(arrays) == 1:
        return arrays[0]
    first = arrays[0]
    ax = axis + first.ndim if axis < 0 else axis
    for k, a in enumerate(arrays[1:], start=1):
        if a.shape[:ax] + a.shape[ax + 1 :] != first.shape[:ax] + first.shape[ax + 1 :] or a.dtype != first.dtype:
            raise AssertionError(
                f"concatenate: array {k} has shape {a.shape} and dtype {a.dtype.__name__}; expected {first.shape} "
                f"(except axis {axis}) and {first.dtype.__name__} like array 0"
            )
    ctx = first.context
    return call("Concat", *[a if a.context == ctx else a.as_in_context(ctx) for a in arrays], dim=ax, num_args=len(arrays))


def onehot_encode(indices, out):
    """Write the one-hot rows of ``indices`` (one class index per row) into the 2-D ``out`` and return it.

    Deprecated in MXNet in favour of ``one_hot``, which this calls.

    >>> import mxpy as mx
    >>> mx.nd.onehot_encode(mx.nd.array([1, 0]), mx.nd.zeros((2, 3))).asnumpy()
    array([[0., 1., 0.],
           [1., 0., 0.]], dtype=float32)
    """
    if not isinstance(out, NDArray) or out.ndim != 2:
        raise ValueError(f"onehot_encode: out must be a 2-D NDArray, got {getattr(out, 'shape', type(out).__name__)}")
    if indices.shape != (out.shape[0],):
        raise ValueError(f"onehot_encode: indices has shape {indices.shape}, expected ({out.shape[0]},) (one index per row of out)")
    return call("one_hot", indices, depth=out.shape[1], dtype=out.dtype, out=out)


def _basic_indexing_slice_is_contiguous(slc_key, shape) -> bool:
    """Whether ``x[slc_key]`` for an array ``x`` of ``shape`` is C-contiguous (NumPy's rule: axes of
    length 1 do not count, an empty result is contiguous). ``slc_key`` is a tuple of slices and
    integers, one per leading axis. MXNet's basic indexing returns a view exactly then.

    >>> import mxpy as mx
    >>> f = mx.nd.NDArray._basic_indexing_slice_is_contiguous
    >>> f((slice(1, 3),), (4, 5)), f((slice(None), slice(0, 2)), (4, 5))
    (True, False)
    """
    region, steps = [], []
    for k, dim in zip(tuple(slc_key), shape):
        if isinstance(k, slice):
            start, stop, step = k.indices(dim)
            region.append(len(range(start, stop, step)))
            steps.append(step)
        else:  # an integer picks one element of its axis
            region.append(1)
            steps.append(1)
    return block_is_contiguous(region, steps, shape)


NDArray._basic_indexing_slice_is_contiguous = staticmethod(_basic_indexing_slice_is_contiguous)
