"""Shape and layout operators: Reshape, transpose, SwapAxis, expand_dims, squeeze,
Flatten, reshape_like, slice, slice_axis, slice_like, tile, repeat, reverse, Pad.

Joining and splitting (Concat, stack, SliceChannel) live in :mod:`.join`, the
products (dot, batch_dot) in :mod:`.dot`. Axis checks follow MXNet 1.9.1: some
ops wrap negative axes (SwapAxis, expand_dims, squeeze, slice_axis, repeat),
others reject them as MXNet does (transpose, reverse).
"""

from __future__ import annotations

import math

import numpy as np

from ..registry import REQUIRED, UNKNOWN, OpDef, Param, ShapeError, dimwise, forward_shape, merge_shape, partial_rule, register, shape_is_known
from ._util import store


def reshape_target(src: tuple, shape: tuple, reverse: bool = False) -> tuple:
    """Apply MXNet's Reshape codes to ``src``.

    0 copies a dim, -1 infers one, -2 copies the rest, -3 merges two dims,
    -4 splits one dim into the next two values (one may be -1). With
    ``reverse`` both the input shape and the codes are read right to left,
    exactly as MXNet does (the code list is reversed as is, so a ``-4 a b``
    group must be written ``b a -4`` to survive the reversal).

    >>> reshape_target((2, 3, 4), (-4, 1, 2, -2))
    (1, 2, 3, 4)
    >>> reshape_target((2, 3, 4), (0, -3))
    (2, 12)
    >>> reshape_target((10, 5, 4), (-1, 0), reverse=True)
    (50, 4)
    """
    shape = tuple(int(s) for s in shape)
    if reverse:
        return tuple(reversed(reshape_target(tuple(reversed(src)), tuple(reversed(shape)))))
    out: list[int] = []
    i = 0  # position in src
    j = 0  # position in the codes
    infer = -1
    while j < len(shape):
        s = shape[j]
        if s > 0:
            out.append(s)
            i += 1
        elif s == 0:
            if i >= len(src):
                raise ShapeError(f"shape code 0 at position {j} has no input dim to copy (input {tuple(src)}, shape {shape})")
            out.append(src[i])
            i += 1
        elif s == -1:
            if infer >= 0:
                raise ShapeError(f"only one dim can be inferred, shape {shape} has two -1")
            infer = len(out)
            out.append(1)
            i += 1
        elif s == -2:
            out.extend(src[i:])
            i = len(src)
        elif s == -3:
            if i + 1 >= len(src):
                raise ShapeError(f"shape code -3 at position {j} needs two input dims (input {tuple(src)}, shape {shape})")
            out.append(src[i] * src[i + 1])
            i += 2
        elif s == -4:
            if j + 2 >= len(shape) or i >= len(src):
                raise ShapeError(
                    f"shape code -4 at position {j} must be followed by two values and have an input dim to split (input {tuple(src)}, shape {shape})"
                )
            d = src[i]
            a, b = shape[j + 1], shape[j + 2]
            if a == -1 and b == -1 or a < -1 or b < -1 or a == 0 or b == 0:
                raise ShapeError(f"-4 split values must be positive with at most one -1, given {a}, {b}")
            if a == -1:
                a = d // b
            if b == -1:
                b = d // a
            if a * b != d:
                raise ShapeError(f"-4 split dims {a}, {b} do not divide input dim {d}")
            out.extend([a, b])
            i += 1
            j += 2
        else:
            raise ShapeError(f"invalid shape code {s} in shape {shape}; expected a positive size or one of 0, -1, -2, -3, -4")
        j += 1
    total = math.prod(src)
    if infer >= 0:
        known = math.prod(d for k, d in enumerate(out) if k != infer)
        if known == 0 or total % known:
            raise ShapeError(f"cannot infer the -1 in shape {shape}: input size {total} is not divisible by {known}")
        out[infer] = total // known
    if math.prod(out) != total:
        raise ShapeError(f"cannot reshape input of shape {tuple(src)} (size {total}) to {tuple(out)} (size {math.prod(out)})")
    return tuple(out)


def _target_shape(src: tuple, target: tuple, keep_highest: bool) -> tuple:
    # the deprecated Reshape(target_shape=...) form: a single 0 is inferred
    out = list(target)
    if keep_highest:
        out[0] = src[0]
    zeros = [k for k, d in enumerate(out) if d == 0 and not (keep_highest and k == 0)]
    if len(zeros) > 1:
        raise ShapeError(f"target_shape {tuple(target)} may hold at most one 0 (the inferred dim)")
    total = math.prod(src)
    if zeros:
        known = math.prod(d for k, d in enumerate(out) if k != zeros[0])
        if known == 0 or total % known:
            raise ShapeError(f"cannot infer the 0 in target_shape {tuple(target)} for input size {total}")
        out[zeros[0]] = total // known
    if math.prod(out) != total:
        raise ShapeError(f"cannot reshape input of shape {tuple(src)} to {tuple(out)}")
    return tuple(out)


# -- gradient rules ------------------------------------------------------------------
# Each returns one entry (or None) per forward input. The shape-only ops send the
# out-grad back through their inverse; the slicing, tiling and padding ops use the
# ``_backward_*`` records of :mod:`.matrix_grad`, which take the forward input
# only for its shape.


def _grad_reshape(g, ograds):
    """Reshape, Flatten, expand_dims, squeeze, reshape_like: the out-grad reshaped back."""
    rest = [None] * (len(g.inputs) - 1)
    if ograds[0] is None:
        return [None, *rest]
    # _backward_np_reshape, not reshape_like: it also reshapes back to a 0-d input (mx.np)
    return [g.op1("_backward_np_reshape", [ograds[0], g.inputs[0]]), *rest]


def _grad_transpose(g, ograds):
    if ograds[0] is None:
        return [None]
    axes = tuple(g.p.axes)
    inverse = tuple(int(a) for a in np.argsort(axes)) if axes else ()  # reversing is its own inverse
    return [g.op1("transpose", [ograds[0]], axes=inverse)]


def _grad_self_inverse(op_name: str):
    """Rule for ops that undo themselves with the same params (SwapAxis, reverse)."""

    def rule(g, ograds):
        return [None if ograds[0] is None else g.op1(op_name, [ograds[0]], g.attrs)]

    return rule


def _grad_via(backward: str):
    """Rule adding ``backward(ograd, data)`` for the first input; other inputs get None."""

    def rule(g, ograds):
        rest = [None] * (len(g.inputs) - 1)
        if ograds[0] is None:
            return [None, *rest]
        return [g.op1(backward, [ograds[0], g.inputs[0]], g.attrs), *rest]

    return rule


def _grad_pad(g, ograds):
    # the out-grad alone fixes the input shape (minus the padding)
    return [None if ograds[0] is None else g.op1("_backward_Pad", [ograds[0]], g.attrs)]


def _reshape_rule(p, data):
    if p.shape or not p.target_shape:
        return reshape_target(tuple(data), tuple(p.shape), p.reverse)
    return _target_shape(tuple(data), tuple(p.target_shape), p.keep_highest)


def _partial_reshape(src: tuple, codes: tuple, reverse: bool) -> tuple:
    """MXNet's codes applied to a partly known ``src``: what they fix, UNKNOWN elsewhere."""
    if reverse:
        return tuple(reversed(_partial_reshape(tuple(reversed(src)), tuple(reversed(codes)), False)))
    out: list[int] = []
    i = j = 0
    while j < len(codes):
        c = codes[j]
        if c == -2:
            out.extend(src[i:])
            i = len(src)
        elif c == -3:
            if i + 1 >= len(src):
                raise ShapeError(f"shape code -3 at position {j} needs two input dims (input {tuple(src)}, shape {tuple(codes)})")
            a, b = src[i], src[i + 1]
            out.append(UNKNOWN if UNKNOWN in (a, b) else a * b)
            i += 2
        elif c == -4:
            if j + 2 >= len(codes) or i >= len(src):
                raise ShapeError(f"shape code -4 at position {j} must be followed by two values (shape {tuple(codes)})")
            d, a, b = src[i], codes[j + 1], codes[j + 2]
            if d != UNKNOWN:
                a, b = (d // b if a == -1 else a), (d // a if b == -1 else b)
            out.extend([a, b])
            i += 1
            j += 2
        elif c == 0:
            if i >= len(src):
                raise ShapeError(f"shape code 0 at position {j} has no input dim to copy (input {tuple(src)}, shape {tuple(codes)})")
            out.append(src[i])
            i += 1
        else:  # a size, or -1: inferred only once the input's size is known
            out.append(c if c > 0 else UNKNOWN)
            i += 1
        j += 1
    return tuple(out)


def _complete_from_output(data: tuple, out: tuple) -> tuple:
    """data with its one unknown dim (if one) set from the known output's size, as MXNet's rule."""
    unknown = [k for k, d in enumerate(data) if d == UNKNOWN]
    if len(unknown) != 1 or not shape_is_known(out):
        return data
    known = math.prod(d for d in data if d != UNKNOWN)
    total = math.prod(out)
    if known == 0 or total % known:
        raise ShapeError(f"data: cannot complete the partial shape {tuple(data)} from the output {tuple(out)} (size {total} is not a multiple of {known})")
    full = list(data)
    full[unknown[0]] = total // known
    return tuple(full)


@partial_rule
def _reshape_infer(p, in_shapes, out_shapes=None):
    data = in_shapes[0]
    given = out_shapes[0] if out_shapes else None
    if data is None:
        return [None], [given]
    if shape_is_known(data):
        out = _reshape_rule(p, data)
    elif p.shape or not p.target_shape:
        out = _partial_reshape(tuple(data), tuple(int(c) for c in p.shape), p.reverse)
        # a known output (from the consumers) gives back the one unknown input dim
        data = _complete_from_output(data, merge_shape(given, out, "output") if given is not None and len(given) == len(out) else out)
        if shape_is_known(data):
            out = _reshape_rule(p, data)
    else:  # the deprecated target_shape form waits for a fully known input
        out = None
    if given is not None and out is not None:
        out = merge_shape(given, out, "output", f"from Reshape(shape={tuple(p.shape)}) of data {tuple(data)}")
    return [data], [out]


_forward_reshape = forward_shape(_reshape_rule)


def _reshape_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0].reshape(outs[0].shape))


_RESHAPE_DOC = """Reshape data with MXNet's codes 0, -1, -2, -3, -4.

>>> mx.nd.reshape(mx.nd.ones((2, 3, 4)), shape=(-1, 0), reverse=True).shape
(6, 4)
"""

register(
    OpDef(
        "Reshape",
        _reshape_kernel,
        params={
            "shape": Param("shape", (), "target shape with MXNet's special codes"),
            "reverse": Param("bool", False, "match the codes from the right"),
            "target_shape": Param("shape", (), "deprecated: target shape, a 0 is inferred"),
            "keep_highest": Param("bool", False, "deprecated: keep the first dim with target_shape"),
        },
        aliases=("reshape",),
        infer_shape=_reshape_infer,
        inplace=((0, 0),),
        gradient=_grad_reshape,
        doc=_RESHAPE_DOC,
    )
)


# -- shared helpers ------------------------------------------------------------------


def _wrap_axis(name: str, axis: int, ndim: int, extra: int = 0) -> int:
    """``axis`` wrapped into ``[0, ndim + extra)``; ShapeError names ``name`` when outside."""
    n = ndim + extra
    a = axis + n if axis < 0 else axis
    if not 0 <= a < n:
        raise ShapeError(f"{name}={axis} is out of range for an input with {ndim} dims; expected a value in [{-n}, {n - 1}]")
    return a


def _copy_kernel(view_fn):
    """Kernel storing ``view_fn(p, x, xp)`` (usually a NumPy view) into the output."""

    def kernel(p, ins, outs, req, rt):
        store(outs[0], req[0], view_fn(p, ins[0], rt.xp))

    kernel.__name__ = getattr(view_fn, "__name__", "kernel")
    return kernel


def _reshape_only(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0].reshape(outs[0].shape))


# -- transpose / SwapAxis -------------------------------------------------------------


def _transpose_axes(p, ndim: int) -> tuple:
    axes = tuple(p.axes)
    if not axes:
        return tuple(range(ndim - 1, -1, -1))
    if len(axes) != ndim:
        raise ShapeError(f"axes {axes} has {len(axes)} entries, expected {ndim} (one per input dim)")
    if sorted(axes) != list(range(ndim)):
        raise ShapeError(f"axes {axes} must be a permutation of 0..{ndim - 1} (negative axes are not accepted)")
    return axes


def _transpose_rule(p, data):
    return tuple(data[a] for a in _transpose_axes(p, len(data)))


@partial_rule
def _transpose_infer(p, in_shapes, out_shapes=None):
    """Permute the dims, both ways: a known output dim fills the input's, as MXNet's rule."""
    data = in_shapes[0]
    out = out_shapes[0] if out_shapes else None
    if out_shapes is None:
        return [data], [None if data is None else _transpose_rule(p, data)]
    if data is None and out is None:
        return [None], [None]
    axes = _transpose_axes(p, len(data if data is not None else out))
    if data is not None:
        out = merge_shape(out, tuple(data[a] for a in axes), "output", f"from transposing data {tuple(data)} by axes {axes}")
    back = [UNKNOWN] * len(out)
    for i, a in enumerate(axes):
        back[a] = out[i]
    return [merge_shape(data, tuple(back), "data", f"from the output {tuple(out)} and axes {axes}")], [out]


register(
    OpDef(
        "transpose",
        _copy_kernel(lambda p, x, xp: xp.transpose(x, _transpose_axes(p, x.ndim))),
        params={"axes": Param("shape", (), "permutation of the axes; empty reverses them")},
        infer_shape=_transpose_infer,
        gradient=_grad_transpose,
        doc="Permute the axes (reverse them when ``axes`` is empty).\n\n>>> mx.nd.transpose(mx.nd.ones((2, 3, 4)), axes=(1, 0, 2)).shape\n(3, 2, 4)",
    )
)


def _swap_axes(p, ndim: int) -> tuple[int, int]:
    return _wrap_axis("dim1", p.dim1, ndim), _wrap_axis("dim2", p.dim2, ndim)


def _swap_rule(p, data):
    a, b = _swap_axes(p, len(data))
    out = list(data)
    out[a], out[b] = out[b], out[a]
    return tuple(out)


register(
    OpDef(
        "SwapAxis",
        _copy_kernel(lambda p, x, xp: xp.swapaxes(x, *_swap_axes(p, x.ndim))),
        params={"dim1": Param("int", 0, "first axis"), "dim2": Param("int", 0, "second axis")},
        aliases=("swapaxes",),
        infer_shape=forward_shape(_swap_rule),
        gradient=_grad_self_inverse("SwapAxis"),
        doc="Swap two axes.\n\n>>> mx.nd.swapaxes(mx.nd.ones((2, 3, 4)), dim1=0, dim2=2).shape\n(4, 3, 2)",
    )
)


# -- expand_dims / squeeze / Flatten / reshape_like -------------------------------------


def _expand_rule(p, data):
    n = len(data)
    if not -n - 1 <= p.axis <= n:
        raise ShapeError(f"axis={p.axis} is out of range; expected a value in [{-n - 1}, {n}]")
    a = p.axis + n + 1 if p.axis < 0 else p.axis
    return tuple(data[:a]) + (1,) + tuple(data[a:])


register(
    OpDef(
        "expand_dims",
        _reshape_only,
        params={"axis": Param("int", REQUIRED, "position of the new axis")},
        infer_shape=forward_shape(_expand_rule),
        inplace=((0, 0),),
        gradient=_grad_reshape,
        doc="Insert a size-1 axis at ``axis``.\n\n>>> mx.nd.expand_dims(mx.nd.ones((2, 3)), axis=-1).shape\n(2, 3, 1)",
    )
)


def _squeeze_rule(p, data):
    n = len(data)
    if p.axis is None:
        drop = {k for k, d in enumerate(data) if d == 1}
    else:
        axes = (p.axis,) if isinstance(p.axis, int) else tuple(p.axis)
        drop = set()
        for ax in axes:
            a = _wrap_axis("axis", ax, n)
            if a in drop:
                raise ShapeError(f"axis {tuple(axes)} names axis {a} twice")
            if data[a] != 1:
                raise ShapeError(f"cannot squeeze axis {ax}: its size is {data[a]}, expected 1")
            drop.add(a)
    out = tuple(d for k, d in enumerate(data) if k not in drop)
    return out or (1,)  # MXNet 1.x keeps one dim when everything is squeezed


register(
    OpDef(
        "squeeze",
        _reshape_only,
        params={"axis": Param("axis", None, "axes to remove (each of size 1); None removes every size-1 axis")},
        infer_shape=forward_shape(_squeeze_rule),
        inplace=((0, 0),),
        gradient=_grad_reshape,
        doc="Remove size-1 axes; squeezing all of them leaves shape (1,).\n\n>>> mx.nd.squeeze(mx.nd.ones((1, 3, 1))).shape\n(3,)",
    )
)


def _flatten_rule(p, data):
    if len(data) == 0:
        raise ShapeError("input has 0 dims, expected at least 1")
    return (data[0], math.prod(data[1:]))


register(
    OpDef(
        "Flatten",
        _reshape_only,
        aliases=("flatten",),
        infer_shape=forward_shape(_flatten_rule, partial=False),  # MXNet's waits for a fully known input
        inplace=((0, 0),),
        gradient=_grad_reshape,
        doc="Collapse all axes but the first: (d0, d1*...*dk).\n\n>>> mx.nd.flatten(mx.nd.ones((2, 3, 4))).shape\n(2, 12)",
    )
)


def _range(which: str, begin, end, ndim: int) -> tuple[int, int]:
    b = 0 if begin is None else begin + ndim if begin < 0 else begin
    e = ndim if end is None else end + ndim if end < 0 else end
    if not 0 <= b < e <= ndim:
        raise ShapeError(f"invalid {which}_begin={begin}, {which}_end={end} for {ndim} dims; expected 0 <= begin < end <= {ndim} after wrapping negatives")
    return b, e


def _reshape_like_rule(p, lhs, rhs):
    lb, le = _range("lhs", p.lhs_begin, p.lhs_end, len(lhs))
    rb, re = _range("rhs", p.rhs_begin, p.rhs_end, len(rhs))
    out = tuple(lhs[:lb]) + tuple(rhs[rb:re]) + tuple(lhs[le:])
    if math.prod(out) != math.prod(lhs):
        raise ShapeError(f"cannot reshape lhs of shape {tuple(lhs)} to {out}: sizes {math.prod(lhs)} and {math.prod(out)} differ")
    return out


def _reshape_like_type(p, in_types, n_out=1):
    return list(in_types), [in_types[0]]


register(
    OpDef(
        "reshape_like",
        _reshape_only,
        params={k: Param("int", None, f"{k.replace('_', ' ')} of the dims range (None = all)") for k in ("lhs_begin", "lhs_end", "rhs_begin", "rhs_end")},
        inputs=("lhs", "rhs"),
        infer_shape=forward_shape(_reshape_like_rule),
        infer_type=_reshape_like_type,
        inplace=((0, 0),),
        gradient=_grad_reshape,
        doc=(
            "Reshape lhs, replacing dims [lhs_begin, lhs_end) with rhs's dims [rhs_begin, rhs_end).\n\n"
            ">>> mx.nd.reshape_like(mx.nd.ones((2, 3, 4)), mx.nd.ones((6, 4))).shape\n(6, 4)"
        ),
    )
)


# -- slice / slice_axis / slice_like ----------------------------------------------------


def _slices(p, shape: tuple) -> tuple:
    """Python slice objects for ``slice``'s begin/end/step (None entries take defaults)."""
    begin, end, step = tuple(p.begin), tuple(p.end), tuple(p.step)
    if len(begin) != len(end):
        raise ShapeError(f"begin {begin} and end {end} must have the same length")
    if step and len(step) != len(begin):
        raise ShapeError(f"step {step} must have the same length as begin {begin}")
    if len(begin) > len(shape):
        raise ShapeError(f"begin {begin} slices {len(begin)} axes, but the input has only {len(shape)}")
    out = []
    for k in range(len(begin)):
        s = step[k] if step else None
        if s == 0:
            raise ShapeError(f"step[{k}] is 0; expected a non-zero step")
        out.append(slice(begin[k], end[k], s))
    return tuple(out)


def _slice_rule(p, data):
    sl = _slices(p, data)
    head = tuple(len(range(*s.indices(d))) for s, d in zip(sl, data))
    return head + tuple(data[len(sl) :])


register(
    OpDef(
        "slice",
        _copy_kernel(lambda p, x, xp: x[_slices(p, x.shape)]),
        params={
            "begin": Param("tuple", REQUIRED, "start per axis (None = from the edge)"),
            "end": Param("tuple", REQUIRED, "stop per axis, exclusive (None = to the edge)"),
            "step": Param("tuple", (), "step per axis (None = 1); negative steps walk backwards"),
        },
        aliases=("crop",),
        infer_shape=dimwise(forward_shape(_slice_rule, partial=False)),
        gradient=_grad_via("_backward_slice"),
        doc=(
            "Slice the leading axes as Python does, clipping out-of-range bounds.\n\n"
            ">>> mx.nd.slice(mx.nd.ones((2, 3, 4)), begin=(None, 2), end=(None, None), step=(None, -1)).shape\n(2, 3, 4)"
        ),
    )
)


def _slice_axis_bounds(p, shape: tuple) -> tuple[int, int, int]:
    n = len(shape)
    ax = p.axis + n if p.axis < 0 else p.axis
    if not 0 <= ax < n:
        raise ShapeError(f"axis={p.axis} is out of range for an input with {n} dims; expected a value in [{-n}, {n - 1}]")
    size = shape[ax]
    b = p.begin + size if p.begin < 0 else p.begin
    e = size if p.end is None else p.end + size if p.end < 0 else p.end
    if b < 0:
        raise ShapeError(f"begin={p.begin} is before the start of axis {ax} (size {size})")
    if e > size:
        raise ShapeError(f"end={p.end} is past the end of axis {ax} (size {size})")
    if b >= e:
        raise ShapeError(f"begin={p.begin}, end={p.end} select nothing on axis {ax} (size {size}); expected begin < end")
    return ax, b, e


def _slice_axis_rule(p, data):
    ax, b, e = _slice_axis_bounds(p, data)
    return tuple(data[:ax]) + (e - b,) + tuple(data[ax + 1 :])


def _slice_axis_view(p, x, xp):
    ax, b, e = _slice_axis_bounds(p, x.shape)
    return x[(slice(None),) * ax + (slice(b, e),)]


register(
    OpDef(
        "slice_axis",
        _copy_kernel(_slice_axis_view),
        params={
            "axis": Param("int", REQUIRED, "axis to slice"),
            "begin": Param("int", REQUIRED, "start (negative counts from the end)"),
            "end": Param("int", REQUIRED, "stop, exclusive; None = the axis size", optional=True),
        },
        infer_shape=dimwise(forward_shape(_slice_axis_rule, partial=False)),
        gradient=_grad_via("_backward_slice_axis"),
        doc="Slice one axis; begin < end is required.\n\n>>> mx.nd.slice_axis(mx.nd.ones((2, 3)), axis=1, begin=1, end=None).shape\n(2, 2)",
    )
)


def _slice_like_axes(p, data: tuple, like: tuple) -> tuple:
    if not p.axes:
        if len(data) != len(like):
            raise ShapeError(f"without axes both inputs need the same number of dims, given {len(data)} and {len(like)}")
        return tuple(range(len(data)))
    out = []
    for ax in p.axes:
        a = ax + len(data) if ax < 0 else ax
        if not 0 <= a < len(data):
            raise ShapeError(f"axis {ax} is out of range for data with {len(data)} dims")
        if a >= len(like):
            raise ShapeError(f"axis {ax} is out of range for shape_like with {len(like)} dims")
        out.append(a)
    return tuple(out)


def _slice_like_rule(p, data, like):
    out = list(data)
    for a in _slice_like_axes(p, data, like):
        if like[a] > data[a]:
            raise ShapeError(f"axis {a}: shape_like size {like[a]} exceeds the data size {data[a]}")
        out[a] = like[a]
    return tuple(out)


def _slice_like_kernel(p, ins, outs, req, rt):
    store(outs[0], req[0], ins[0][tuple(slice(0, d) for d in outs[0].shape)])


def _first_type(p, in_types, n_out=1):
    return list(in_types), [in_types[0]]


register(
    OpDef(
        "slice_like",
        _slice_like_kernel,
        params={"axes": Param("shape", (), "axes to slice; empty = all")},
        inputs=("data", "shape_like"),
        infer_shape=forward_shape(_slice_like_rule),
        infer_type=_first_type,
        gradient=_grad_via("_backward_slice_like"),
        doc="Slice data from 0 to shape_like's size on ``axes``.\n\n>>> mx.nd.slice_like(mx.nd.ones((2, 3)), mx.nd.ones((1, 2))).shape\n(1, 2)",
    )
)


# -- tile / repeat / reverse ----------------------------------------------------------------


def _tile_rule(p, data):
    reps = tuple(p.reps)
    n = max(len(reps), len(data))
    d = (1,) * (n - len(data)) + tuple(data)
    r = (1,) * (n - len(reps)) + reps
    return tuple(a * b for a, b in zip(d, r))


register(
    OpDef(
        "tile",
        _copy_kernel(lambda p, x, xp: xp.tile(x, tuple(p.reps)) if p.reps else x),
        params={"reps": Param("shape", REQUIRED, "repetitions per axis (aligned from the right)", low=1)},
        infer_shape=forward_shape(_tile_rule, partial=False),  # as MXNet's
        gradient=_grad_via("_backward_tile"),
        doc="Repeat the whole array along each axis.\n\n>>> mx.nd.tile(mx.nd.ones((2, 3)), reps=(2,)).shape\n(2, 6)",
    )
)


def _repeat_axis(p, ndim: int):
    if p.axis is None:
        return None
    a = p.axis + ndim if p.axis < 0 else p.axis
    if not 0 <= a < ndim:
        raise ShapeError(f"axis={p.axis} is out of range for an input with {ndim} dims; expected a value in [{-ndim}, {ndim - 1}]")
    return a


def _repeat_rule(p, data):
    a = _repeat_axis(p, len(data))
    if p.repeats == 0:
        return (0,)  # MXNet 1.9.1 gives shape (0,) for repeats=0, whatever the axis
    if a is None:
        return (math.prod(data) * p.repeats,)
    return tuple(data[:a]) + (data[a] * p.repeats,) + tuple(data[a + 1 :])


def _repeat_kernel(p, ins, outs, req, rt):
    if p.repeats == 0:
        return
    store(outs[0], req[0], rt.xp.repeat(ins[0], p.repeats, axis=_repeat_axis(p, ins[0].ndim)))


register(
    OpDef(
        "repeat",
        _repeat_kernel,
        params={"repeats": Param("int", REQUIRED, "how many times to repeat each element", low=0), "axis": Param("int", None, "axis; None flattens first")},
        infer_shape=forward_shape(_repeat_rule),
        gradient=_grad_via("_backward_repeat"),
        doc="Repeat each element.\n\n>>> mx.nd.repeat(mx.nd.ones((2, 3)), repeats=2, axis=1).shape\n(2, 6)",
    )
)


def _reverse_axes(p, ndim: int) -> tuple:
    odd: set[int] = set()
    for a in p.axis:
        if not 0 <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for an input with {ndim} dims; expected a value in [0, {ndim - 1}] (negative axes are not accepted)")
        odd ^= {a}  # naming an axis twice flips it back, as MXNet does
    return tuple(sorted(odd))


def _reverse_rule(p, data):
    _reverse_axes(p, len(data))
    return tuple(data)


def _reverse_view(p, x, xp):
    axes = _reverse_axes(p, x.ndim)
    return xp.flip(x, axis=axes) if axes else x


register(
    OpDef(
        "reverse",
        _copy_kernel(_reverse_view),
        params={"axis": Param("shape", REQUIRED, "axes to reverse")},
        aliases=("flip",),
        infer_shape=forward_shape(_reverse_rule),
        gradient=_grad_self_inverse("reverse"),
        doc="Reverse the order of elements along ``axis``.\n\n>>> mx.nd.flip(mx.nd.array([[1, 2], [3, 4]]), axis=1).asnumpy().tolist()\n[[2.0, 1.0], [4.0, 3.0]]",
    )
)


# -- Pad --------------------------------------------------------------------------------------


def _pad_pairs(p, data: tuple) -> list[tuple[int, int]]:
    n = len(data)
    if n not in (4, 5):
        raise ShapeError(f"input has {n} dims, expected 4 or 5 (the only ranks MXNet's Pad supports)")
    pw = tuple(p.pad_width)
    if len(pw) != 2 * n:
        raise ShapeError(f"pad_width has {len(pw)} values, expected {2 * n} (two per input dim)")
    if any(pw[:4]):
        raise ShapeError(f"pad_width {pw} pads the first two axes; expected zeros there")
    pairs = [(pw[2 * k], pw[2 * k + 1]) for k in range(n)]
    if p.mode == "reflect":
        for k, (lo, hi) in enumerate(pairs):
            if lo >= data[k] or hi >= data[k]:
                raise ShapeError(f"reflect padding ({lo}, {hi}) on axis {k} must be smaller than its size {data[k]}")
    return pairs


def _pad_rule(p, data):
    return tuple(d + lo + hi for d, (lo, hi) in zip(data, _pad_pairs(p, data)))


def _pad_type(p, in_types, n_out=1):
    t = in_types[0]
    if t is not None and np.dtype(t).kind != "f":
        raise ShapeError(f"data has dtype {np.dtype(t).name}, expected a floating point type")
    return list(in_types), [t]


def _pad_kernel(p, ins, outs, req, rt):
    x, out, r = ins[0], outs[0], req[0]
    pairs = _pad_pairs(p, x.shape)
    if p.mode == "constant" and r != "add":
        # fill the border and copy the centre straight into the output: no temporary
        out[...] = p.constant_value
        out[tuple(slice(lo, lo + d) for (lo, _), d in zip(pairs, x.shape))] = x
        return
    if p.mode == "constant":
        store(out, r, rt.xp.pad(x, pairs, mode="constant", constant_values=p.constant_value))
    else:
        store(out, r, rt.xp.pad(x, pairs, mode=p.mode))


register(
    OpDef(
        "Pad",
        _pad_kernel,
        params={
            "mode": Param("str", REQUIRED, "padding mode", choices=("constant", "edge", "reflect")),
            "pad_width": Param("shape", REQUIRED, "(before, after) per axis, flattened; the first four must be 0", low=0),
            "constant_value": Param("float", 0.0, "fill value for mode='constant'"),
        },
        aliases=("pad",),
        infer_shape=forward_shape(_pad_rule),
        infer_type=_pad_type,
        gradient=_grad_pad,
        doc=(
            "Pad a 4-D or 5-D array on its spatial axes.\n\n"
            ">>> mx.nd.pad(mx.nd.ones((1, 1, 2, 2)), mode='edge', pad_width=(0, 0, 0, 0, 1, 1, 1, 1)).shape\n(1, 1, 4, 4)"
        ),
    )
)


# The ``_backward_*`` records need the forward ops above registered first.
from . import matrix_grad  # noqa: E402, F401
