"""Shape and layout operators: Reshape, transpose, concat, slice, tile..."""

from __future__ import annotations

import numpy as np

from ..base import MXNetError
from ..registry import OpDef, Param, ShapeError, forward_shape, register
from ._util import store


def reshape_target(src: tuple, shape: tuple, reverse: bool = False) -> tuple:
    """Apply MXNet's Reshape codes to ``src``.

    0 copies a dim, -1 infers one, -2 copies the rest, -3 merges two dims,
    -4 splits one dim into the next two values (one may be -1). With
    ``reverse`` the codes are matched from the right.

    >>> reshape_target((2, 3, 4), (-4, 1, 2, -2))
    (1, 2, 3, 4)
    >>> reshape_target((2, 3, 4), (0, -3))
    (2, 12)
    """
    if reverse:
        rs = reshape_target(tuple(reversed(src)), _reverse_codes(shape))
        return tuple(reversed(rs))
    out: list[int] = []
    i = 0  # position in src
    j = 0
    infer = -1
    shape = tuple(int(s) for s in shape)
    while j < len(shape):
        s = shape[j]
        if s > 0:
            out.append(s)
            i += 1
        elif s == 0:
            if i >= len(src):
                raise ShapeError(f"shape code 0 at position {j} has no input dim to copy (input {src})")
            out.append(src[i])
            i += 1
        elif s == -1:
            if infer >= 0:
                raise ShapeError("only one -1 is allowed in shape")
            infer = len(out)
            out.append(1)
            i += 1
        elif s == -2:
            out.extend(src[i:])
            i = len(src)
        elif s == -3:
            if i + 1 >= len(src):
                raise ShapeError(f"shape code -3 at position {j} needs two input dims (input {src})")
            out.append(src[i] * src[i + 1])
            i += 2
        elif s == -4:
            if j + 2 >= len(shape) or i >= len(src):
                raise ShapeError("shape code -4 must be followed by two values and have an input dim to split")
            d = src[i]
            a, b = shape[j + 1], shape[j + 2]
            if a == -1 and b == -1:
                raise ShapeError("-4 split: at most one of the two values may be -1")
            if a == -1:
                a = d // b
            if b == -1:
                b = d // a
            if a * b != d:
                raise ShapeError(f"-4 split of dim {d} into {a} x {b} does not match")
            out.extend([a, b])
            i += 1
            j += 2
        else:
            raise ShapeError(f"invalid shape code {s}")
        j += 1
    total = int(np.prod(src, dtype=np.int64))
    if infer >= 0:
        known = int(np.prod([d for k, d in enumerate(out) if k != infer], dtype=np.int64))
        if known == 0 or total % known:
            raise ShapeError(f"cannot infer -1: input size {total} is not divisible by {known}")
        out[infer] = total // known
    if int(np.prod(out, dtype=np.int64)) != total:
        raise ShapeError(f"cannot reshape input of shape {src} (size {total}) to {tuple(out)}")
    return tuple(out)


def _reverse_codes(shape: tuple) -> tuple:
    # -4 a b groups must keep their order when the code list is reversed
    groups: list[tuple] = []
    j = 0
    while j < len(shape):
        if shape[j] == -4:
            groups.append((shape[j], shape[j + 2], shape[j + 1]))
            j += 3
        else:
            groups.append((shape[j],))
            j += 1
    return tuple(x for g in reversed(groups) for x in g)


def _reshape_rule(p, data):
    try:
        return reshape_target(tuple(data), tuple(p.shape), p.reverse)
    except ShapeError as e:
        raise ShapeError(f"{e}") from None


def _reshape_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0].reshape(outs[0].shape))


register(
    OpDef(
        "Reshape",
        _reshape_kernel,
        params={"shape": Param("shape", ()), "reverse": Param("bool", False), "target_shape": Param("shape", ()), "keep_highest": Param("bool", False)},
        aliases=("reshape",),
        infer_shape=forward_shape(_reshape_rule),
        inplace=((0, 0),),
        doc="Reshape data with MXNet's codes 0, -1, -2, -3, -4.",
    )
)

_ = MXNetError
