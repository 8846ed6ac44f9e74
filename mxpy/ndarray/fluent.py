"""MXNet's fluent NDArray methods: ``x.exp()``, ``x.sum(axis=1)``, ``x.clip(0, 1)``...

Each method ``x.NAME(*args, **kwargs)`` is ``mx.nd.OP(x, *args, **kwargs)`` for
the operator behind it (usually of the same name). :func:`install` attaches
only the methods whose operator is registered when it runs, so an op family
added later shows up as methods without touching this file's logic.

>>> import mxpy as mx
>>> x = mx.nd.array([[1, -2], [3, -4]])
>>> x.abs().sum(axis=1).asnumpy()
array([3., 7.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import registry
from .ndarray import NDArray
from .register import call

__all__: list[str] = []

# method name -> operator name, in the order of MXNet 1.9.1's NDArray.
FLUENT: dict[str, str] = {
    name: name
    for name in (
        "abs",
        "arccos",
        "arccosh",
        "arcsin",
        "arcsinh",
        "arctan",
        "arctanh",
        "argmax",
        "argmax_channel",
        "argmin",
        "argsort",
        "broadcast_axes",
        "broadcast_like",
        "cbrt",
        "ceil",
        "clip",
        "cos",
        "cosh",
        "degrees",
        "depth_to_space",
        "diag",
        "exp",
        "expand_dims",
        "expm1",
        "fix",
        "flatten",
        "flip",
        "floor",
        "log",
        "log10",
        "log1p",
        "log2",
        "log_softmax",
        "max",
        "mean",
        "min",
        "nanprod",
        "nansum",
        "norm",
        "one_hot",
        "ones_like",
        "pad",
        "pick",
        "prod",
        "radians",
        "rcbrt",
        "reciprocal",
        "relu",
        "repeat",
        "reshape_like",
        "rint",
        "round",
        "rsqrt",
        "shape_array",
        "sigmoid",
        "sign",
        "sin",
        "sinh",
        "size_array",
        "slice",
        "slice_axis",
        "slice_like",
        "softmax",
        "softmin",
        "sort",
        "space_to_depth",
        "split",
        "sqrt",
        "square",
        "sum",
        "swapaxes",
        "take",
        "tan",
        "tanh",
        "tile",
        "topk",
        "transpose",
        "trunc",
        "zeros_like",
    )
}

# ndarray.py defines these itself; the operator form replaces it because it
# takes the operator's extra arguments (reshape_like's lhs_begin...).
_REPLACES = frozenset({"reshape_like"})


def _method(name: str, op_name: str) -> Callable:
    """``x.<name>(...)`` calling operator ``op_name`` with x first."""

    def method(self, *args, **kwargs):
        return call(op_name, self, *args, **kwargs)

    op = registry.get(op_name)
    method.__name__ = name
    method.__qualname__ = f"NDArray.{name}"
    method.__module__ = "mxpy.ndarray"
    method.__doc__ = (
        f"Convenience fluent method for :func:`mx.nd.{op_name}`: ``x.{name}(*args, **kwargs)`` is ``mx.nd.{op_name}(x, *args, **kwargs)``.\n\n{op.doc or ''}"
    ).rstrip()
    return method


def broadcast_to(self: NDArray, shape) -> NDArray:
    """Broadcast to ``shape``; the array may have fewer dims (ones are prepended).

    >>> import mxpy as mx
    >>> mx.nd.array([1, 2]).broadcast_to((2, 2)).asnumpy()
    array([[1., 2.],
           [1., 2.]], dtype=float32)
    """
    target = tuple(int(s) for s in shape)
    cur = tuple(self.shape)
    if len(target) < len(cur):
        raise ValueError(f"operands could not be broadcast together with remapped shapes[original->remapped]: {cur} and requested shape {target}")
    padded = (1,) * (len(target) - len(cur)) + cur
    if any(c != t and c != 1 for c, t in zip(padded, target)):
        raise ValueError(f"operands could not be broadcast together with remapped shapes[original->remapped]: {cur} and requested shape {target}")
    src = self if padded == cur else self.reshape(padded)
    return call("broadcast_to", src, shape=target)


def split_v2(self: NDArray, indices_or_sections, axis: int = 0, squeeze_axis: bool = False):
    """Split along ``axis`` into equal sections (an int) or at the given indices (a tuple).

    >>> import mxpy as mx
    >>> [p.shape for p in mx.nd.zeros((5, 2)).split_v2((1, 3))]
    [(1, 2), (2, 2), (2, 2)]
    """
    if isinstance(indices_or_sections, (int, np.integer)):
        indices, sections = (), int(indices_or_sections)
    elif isinstance(indices_or_sections, (tuple, list)):
        indices, sections = (0, *(int(i) for i in indices_or_sections)), 0
    else:
        raise ValueError(f"split_v2: indices_or_sections must be an int or a tuple of ints, got {type(indices_or_sections).__name__}")
    return call("_split_v2", self, indices=indices, axis=axis, squeeze_axis=squeeze_axis, sections=sections)


def slice_assign(self: NDArray, rhs: NDArray, begin, end, step) -> NDArray:
    """Write ``rhs`` into the region ``begin:end:step`` of this array, in place; returns self.

    >>> import mxpy as mx
    >>> a = mx.nd.zeros((2, 3))
    >>> a.slice_assign(mx.nd.ones((1, 2)), (0, 1), (1, 3), ()).asnumpy()[0]
    array([0., 1., 1.], dtype=float32)
    """
    return call("_slice_assign", self, rhs, begin=begin, end=end, step=step, out=self)


def slice_assign_scalar(self: NDArray, value, begin, end, step) -> NDArray:
    """Set the region ``begin:end:step`` of this array to ``value``, in place; returns self."""
    return call("_slice_assign_scalar", self, scalar=float(value), begin=begin, end=end, step=step, out=self)


def _maybe_view(op_name: str) -> Callable:
    """``x.<op>(..., inplace=False)``: with ``inplace=True`` a reshaped view sharing x's memory
    (MXNet 1.9.1's flatten/squeeze/expand_dims), else the operator's new array."""
    op = registry.get(op_name)
    names = list(op.params)

    def method(self: NDArray, *args, inplace: bool = False, **kwargs):
        if not inplace:
            return call(op_name, self, *args, **kwargs)
        from . import dispatch

        kwargs.update(zip(names, args))
        shapes, _ = dispatch.infer(op, op.parse(kwargs), [self.shape], [self.dtype])
        return self.reshape(tuple(shapes[0]))

    method.__name__ = method.__qualname__ = op_name.lower()
    method.__doc__ = (
        f"The {op_name} operator on this array; ``inplace=True`` returns a view sharing its memory instead.\n\n"
        f">>> import mxpy as mx\n>>> x = mx.nd.zeros((2, 1, 3))\n>>> x.{op_name.lower()}(inplace=True).size == x.size\nTrue"
    )
    return method


# methods written out above -> the operator they need
_SPECIAL: dict[str, tuple[Callable, str]] = {
    "broadcast_to": (broadcast_to, "broadcast_to"),
    "split_v2": (split_v2, "_split_v2"),
    "slice_assign": (slice_assign, "_slice_assign"),
    "slice_assign_scalar": (slice_assign_scalar, "_slice_assign_scalar"),
}
for _name, _op in (("flatten", "Flatten"), ("squeeze", "squeeze"), ("expand_dims", "expand_dims")):
    if registry.find(_op) is not None:
        _SPECIAL[_name] = (_maybe_view(_op), _op)


def install() -> list[str]:
    """Attach every fluent method whose operator is registered; returns their names."""
    attached = []
    for name, op_name in FLUENT.items():
        if registry.find(op_name) is None:
            continue
        if name in NDArray.__dict__ and name not in _REPLACES and not getattr(NDArray.__dict__[name], "_fluent", False):
            continue  # a hand-written NDArray method wins
        fn = _method(name, op_name)
        fn._fluent = True
        setattr(NDArray, name, fn)
        attached.append(name)
    for name, (fn, op_name) in _SPECIAL.items():
        if registry.find(op_name) is not None:
            setattr(NDArray, name, fn)
            attached.append(name)
    return attached
