"""Shared shape and type inference rules.

Contract (DESIGN.md): ``infer_shape(p, in_shapes) -> (in_shapes, out_shapes)``
where a shape is a tuple of ints or ``None`` when unknown; rules fill what
they can in both directions and raise :class:`ShapeError` on conflicts.
``infer_type(p, in_types) -> (in_types, out_types)`` likewise with np.dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Shape = tuple


class ShapeError(ValueError):
    """A shape/type rule found inconsistent inputs; the front ends add the op name.

    A rule that knows only an input's position passes ``slot`` and words the
    message with ``input {slot}``; :meth:`named` puts the input's name there.
    """

    def __init__(self, msg: str, slot: int | None = None) -> None:
        super().__init__(msg)
        self.slot = slot

    def named(self, input_names: Sequence[str]) -> str:
        """The message with ``input N`` replaced by the name of input N."""
        text = str(self)
        if self.slot is not None and self.slot < len(input_names):
            text = text.replace(f"input {self.slot}", input_names[self.slot], 1)
        return text


def merge_shape(given: Shape | None, expected: Shape | None, what: str = "shape", why: str = "") -> Shape | None:
    """Combine two partial shapes; raise ShapeError if they disagree.

    ``what`` names the argument and ``why`` says what decides the expected
    shape; the error reads ``weight: given (10, 784), expected (5, 784) from
    num_hidden=5 and the data's 784 features`` (invoke adds the op's name).

    >>> merge_shape(None, (2, 3))
    (2, 3)
    >>> merge_shape((4,), (5,), "bias", "from num_hidden=5")
    Traceback (most recent call last):
    ...
    mxpy.registry.infer.ShapeError: bias: given (4,), expected (5,) from num_hidden=5
    """
    if given is None:
        return expected
    if expected is None or given == expected:
        return given
    raise ShapeError(f"{what}: given {given}, expected {expected}" + (f" {why}" if why else ""))


def same_shape(p, in_shapes: Sequence[Shape | None], n_out: int = 1):
    """All inputs and outputs have one shape (elementwise ops)."""
    known = None
    for i, s in enumerate(in_shapes):
        if s is not None:
            if known is not None and s != known:
                raise ShapeError(f"input {i}: given {s}, expected {known} from the other inputs' shape", slot=i)
            known = s
    return [known] * len(in_shapes), [known] * n_out


def forward_shape(fn: Callable) -> Callable:
    """Adapt ``fn(p, *in_shapes) -> out_shape | list`` to the two-way contract."""

    def rule(p, in_shapes):
        if any(s is None for s in in_shapes):
            return list(in_shapes), None
        out = fn(p, *in_shapes)
        if isinstance(out, list):
            return list(in_shapes), out
        return list(in_shapes), [out]

    rule.__name__ = getattr(fn, "__name__", "rule")
    rule.__doc__ = fn.__doc__
    return rule


def broadcast_shapes(a: Shape, b: Shape) -> Shape:
    """NumPy broadcasting of two shapes (MXNet's broadcast_* rule)."""
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(pa, pb):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise ShapeError(f"shapes {tuple(a)} and {tuple(b)} cannot be broadcast together")
    return tuple(out)


def same_type(p, in_types: Sequence[np.dtype | None], n_out: int = 1):
    """All inputs and outputs share one dtype."""
    known = None
    for i, t in enumerate(in_types):
        if t is not None:
            if known is not None and t != known:
                raise ShapeError(f"input {i}: given dtype {t}, expected {known} from the other inputs' dtype", slot=i)
            known = t
    return [known] * len(in_types), [known] * n_out


def fixed_type(dtype) -> Callable:
    """Outputs always of ``dtype`` (or of the op's ``dtype`` param when given as the string 'param')."""
    dt = np.dtype(dtype)

    def rule(p, in_types, n_out=1):
        return list(in_types), [dt] * n_out

    return rule
