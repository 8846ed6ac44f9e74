"""Joining and splitting: ``Concat``/``concat``, ``stack`` and ``SliceChannel``/``split``.

Kernels copy each input into its slice of the preallocated output (and each
output from its slice of the input), so nothing is built twice.
"""

from __future__ import annotations

from ..registry import REQUIRED, UNKNOWN, OpDef, Param, ShapeError, forward_shape, get, merge_dims, merge_shape, partial_rule, register, shape_is_known
from ._util import store


def _axis_in(name: str, axis: int, ndim: int) -> int:
    a = axis + ndim if axis < 0 else axis
    if not 0 <= a < ndim:
        raise ShapeError(f"{name}={axis} is out of range for {ndim} dims; expected a value in [{-ndim}, {ndim - 1}]")
    return a


def _check_count(p, shapes) -> None:
    if len(shapes) != p.num_args:
        raise ShapeError(f"num_args={p.num_args} but {len(shapes)} inputs were given")
    if not shapes:
        raise ShapeError("needs at least one input")


def _same_type_n(p, in_types, n_out=1):
    known = None
    for i, t in enumerate(in_types):
        if t is not None:
            if known is not None and t != known:
                raise ShapeError(f"input {i} has dtype {t}, expected {known} (all inputs share one dtype)", slot=i)
            known = t
    return [known] * len(in_types), [known] * n_out


# -- Concat ---------------------------------------------------------------------------


def _joined_shape(dim: int, shapes) -> tuple:
    first = tuple(shapes[0])
    ax = _axis_in("dim", dim, len(first))
    total = 0
    for i, s in enumerate(shapes):
        if len(s) != len(first) or any(a != b for k, (a, b) in enumerate(zip(s, first)) if k != ax):
            want = "(" + ", ".join("?" if k == ax else str(d) for k, d in enumerate(first)) + ")"
            raise ShapeError(f"input {i} has shape {tuple(s)}, expected {want} (equal to input 0 except on dim {dim})", slot=i)
        total += s[ax]
    return first[:ax] + (total,) + first[ax + 1 :]


def _with_dim(s: tuple, ax: int, d: int) -> tuple:
    return tuple(s[:ax]) + (d,) + tuple(s[ax + 1 :])


def _concat_partial(p, in_shapes, out_shapes, fill_missing: bool):
    """Concat's rule on partly known shapes, as MXNet's: every dim but the joined
    one is shared by all inputs and the output (so each fills the others); the
    joined dim of the output is the sum once every input's is known. With
    ``fill_missing`` (``_rnn_param_concat``), one or two inputs of unknown length
    share what a known output leaves."""
    _check_count(p, in_shapes)
    out = out_shapes[0] if out_shapes else None
    if out is None and all(shape_is_known(s) for s in in_shapes):
        return list(in_shapes), [_joined_shape(p.dim, in_shapes)]
    common, ax = None, None
    for i, s in enumerate([*in_shapes, out]):
        if s is None:
            continue
        ax = _axis_in("dim", p.dim, len(s))
        merged = merge_dims(common, _with_dim(s, ax, UNKNOWN))
        if merged is None:
            want = "(" + ", ".join("?" if k == ax else str(d) for k, d in enumerate(common)) + ")"
            what = f"input {i}" if i < len(in_shapes) else "output"
            raise ShapeError(f"{what} has shape {tuple(s)}, expected {want} (equal to the other inputs except on dim {p.dim})", slot=i)
        common = merged
    if common is None:
        return list(in_shapes), [None]
    ins = [common if s is None else merge_dims(s, common) for s in in_shapes]
    missing = [i for i, s in enumerate(ins) if s[ax] == UNKNOWN]
    size = sum(s[ax] for s in ins if s[ax] != UNKNOWN)
    joined = merge_shape(out, _with_dim(common, ax, UNKNOWN if missing else size), "output", "(the sum of the inputs along dim)")
    if fill_missing and missing and joined[ax] != UNKNOWN:
        residual = joined[ax] - size
        if residual < 0 or len(missing) > 2 or residual % len(missing):
            raise ShapeError(
                f"the known inputs already hold {size} values of the output's {joined[ax]} (or not an even split for {len(missing)} unknown inputs)"
            )
        ins = [_with_dim(s, ax, residual // len(missing)) if i in missing else s for i, s in enumerate(ins)]
    return ins, [joined]


@partial_rule
def _concat_infer(p, in_shapes, out_shapes=None):
    return _concat_partial(p, in_shapes, out_shapes, False)


def _concat_grad(g, ograds):
    if ograds[0] is None:
        return [None] * len(g.inputs)
    return g.op("_backward_Concat", [ograds[0], *g.inputs], g.attrs, num_args=len(g.inputs) + 1)


def _concat_kernel(p, ins, outs, req, rt):
    out, r = outs[0], req[0]
    if r == "null":
        return
    ax = _axis_in("dim", p.dim, out.ndim)
    lead = (slice(None),) * ax
    start = 0
    for x in ins:
        stop = start + x.shape[ax]
        store(out[lead + (slice(start, stop),)], "add" if r == "add" else "write", x)
        start = stop


register(
    OpDef(
        "Concat",
        _concat_kernel,
        params={"num_args": Param("int", REQUIRED, "number of inputs", low=1), "dim": Param("int", 1, "axis to join along")},
        variadic="data",
        aliases=("concat",),
        infer_shape=_concat_infer,
        infer_type=_same_type_n,
        gradient=_concat_grad,
        doc="Join arrays along an existing axis (``dim``, default 1).\n\n>>> mx.nd.concat(mx.nd.ones((2, 3)), mx.nd.ones((2, 1))).shape\n(2, 4)",
    )
)


# -- _rnn_param_concat --------------------------------------------------------------------
# Gluon's fused RNN layers join their flattened weights with it. It is Concat, except
# that its shape rule also runs backwards, as MXNet's does: when the output size is
# known (from the RNN operator), the one or two inputs of unknown length (the first
# layer's input weights, whose in-size is deferred) share what the others leave.


@partial_rule
def _rnn_param_concat_infer(p, in_shapes, out_shapes=None):
    return _concat_partial(p, in_shapes, out_shapes, True)


register(
    OpDef(
        "_rnn_param_concat",
        _concat_kernel,
        params={"num_args": Param("int", REQUIRED, "number of inputs", low=1), "dim": Param("int", 1, "axis to join along")},
        variadic="data",
        infer_shape=_rnn_param_concat_infer,
        infer_type=_same_type_n,
        gradient=_concat_grad,
        doc="Concat for the parameter vector of Gluon's fused RNN layers; its shape inference also "
        "fills one or two inputs of unknown length from the output's.\n\n"
        ">>> mx.nd._internal._rnn_param_concat(mx.nd.ones((6,)), mx.nd.ones((2,)), dim=0).shape\n(8,)",
    )
)


# -- stack ------------------------------------------------------------------------------


def _stack_rule(p, *shapes):
    _check_count(p, shapes)
    first = tuple(shapes[0])
    for i, s in enumerate(shapes):
        if tuple(s) != first:
            raise ShapeError(f"input {i} has shape {tuple(s)}, expected {first} (all inputs share one shape)", slot=i)
    ax = _axis_in("axis", p.axis, len(first) + 1)
    return first[:ax] + (len(shapes),) + first[ax:]


@partial_rule
def _stack_infer(p, in_shapes, out_shapes=None):
    """stack's rule; partly known inputs complete each other first, as MXNet's."""
    if out_shapes is None or all(shape_is_known(s) for s in in_shapes):
        return forward_shape(_stack_rule)(p, in_shapes)
    _check_count(p, in_shapes)
    common = None
    for i, s in enumerate(in_shapes):
        merged = merge_dims(common, s)
        if merged is None:
            raise ShapeError(f"input {i} has shape {tuple(s)}, expected {tuple(common)} (all inputs share one shape)", slot=i)
        common = merged
    if common is None:
        return list(in_shapes), [None]
    ax = _axis_in("axis", p.axis, len(common) + 1)
    # as MXNet's rule: the output from the merged shape; the inputs are left as they are
    return list(in_shapes), [tuple(common[:ax]) + (len(in_shapes),) + tuple(common[ax:])]


def _stack_kernel(p, ins, outs, req, rt):
    out, r = outs[0], req[0]
    if r == "null":
        return
    lead = (slice(None),) * _axis_in("axis", p.axis, out.ndim)
    for i, x in enumerate(ins):
        # the trailing ... keeps a 0-d view when stacking 0-d inputs (out[i] would be a scalar copy)
        store(out[lead + (i, ...)], "add" if r == "add" else "write", x)


register(
    OpDef(
        "stack",
        _stack_kernel,
        params={"axis": Param("int", 0, "position of the new axis"), "num_args": Param("int", REQUIRED, "number of inputs", low=1)},
        variadic="data",
        infer_shape=_stack_infer,
        infer_type=_same_type_n,
        gradient=lambda g, ograds: [None] * len(g.inputs) if ograds[0] is None else g.op("_backward_stack", [ograds[0]], g.attrs),
        doc="Join same-shape arrays along a new axis.\n\n>>> mx.nd.stack(mx.nd.ones((2, 3)), mx.nd.ones((2, 3)), axis=1).shape\n(2, 2, 3)",
    )
)


# -- SliceChannel ---------------------------------------------------------------------------


def _split_parts(p, shape: tuple) -> tuple[int, int, tuple]:
    """``(axis, chunk size, output shape)`` of an even split."""
    ax = _axis_in("axis", p.axis, len(shape))
    n, size = p.num_outputs, shape[ax]
    if size % n:
        raise ShapeError(f"cannot split axis {ax} of shape {tuple(shape)} into {n} equal parts: {n} does not divide {size}")
    if p.squeeze_axis:
        if size != n:
            raise ShapeError(f"squeeze_axis=True needs axis {ax} of shape {tuple(shape)} to have size num_outputs={n}, given {size}")
        return ax, 1, tuple(shape[:ax]) + tuple(shape[ax + 1 :])
    return ax, size // n, tuple(shape[:ax]) + (size // n,) + tuple(shape[ax + 1 :])


def _split_rule(p, data):
    return [_split_parts(p, data)[2]] * p.num_outputs


@partial_rule
def _split_infer(p, in_shapes, out_shapes=None):
    """SliceChannel's rule, partly known shapes included: the outputs share one
    shape, and a known output gives back the input's other dims, as MXNet's."""
    data = in_shapes[0]
    outs = list(out_shapes) if out_shapes else [None] * p.num_outputs
    if shape_is_known(data) and not any(outs):
        return [data], _split_rule(p, data)
    if data is None:
        return [None], outs
    ax = _axis_in("axis", p.axis, len(data))
    n, d = p.num_outputs, data[ax]
    if d != UNKNOWN:
        _split_parts(p, data)  # the size checks
    if p.squeeze_axis:
        piece = tuple(data[:ax]) + tuple(data[ax + 1 :])
    else:
        piece = _with_dim(data, ax, UNKNOWN if d == UNKNOWN else d // n)
    for j, o in enumerate(outs):
        piece = merge_shape(o, piece, f"output {j}", f"from splitting data {tuple(data)} into {n} along axis {ax}")
    if p.squeeze_axis:
        back = tuple(piece[:ax]) + (n,) + tuple(piece[ax:])
    else:
        back = _with_dim(piece, ax, UNKNOWN if piece[ax] == UNKNOWN else piece[ax] * n)
    data = merge_shape(data, back, "data", f"from the outputs' shape {piece}")
    return [data], [piece] * n


def _split_kernel(p, ins, outs, req, rt):
    x = ins[0]
    ax, step, _ = _split_parts(p, x.shape)
    lead = (slice(None),) * ax
    for i, (o, r) in enumerate(zip(outs, req)):
        store(o, r, x[lead + (slice(i * step, (i + 1) * step),)].reshape(o.shape))


def _split_type(p, in_types, n_out=1):
    return list(in_types), [in_types[0]] * p.num_outputs


def _grad_split(g, ograds):
    present = [j for j, og in enumerate(ograds) if og is not None]
    if not present:
        return [None]
    # outputs without a gradient count as zeros; only the others are inputs
    extra = {} if len(present) == len(ograds) else {"present": tuple(present)}
    return [g.op1("_backward_SliceChannel", [ograds[j] for j in present], g.attrs, num_args=len(present), **extra)]


register(
    OpDef(
        "SliceChannel",
        _split_kernel,
        params={
            "num_outputs": Param("int", REQUIRED, "number of equal parts", low=1),
            "axis": Param("int", 1, "axis to split"),
            "squeeze_axis": Param("bool", False, "drop the split axis (its size must equal num_outputs)"),
        },
        outputs=lambda p: [f"output{i}" for i in range(p.num_outputs)],
        aliases=("split",),
        infer_shape=_split_infer,
        infer_type=_split_type,
        gradient=_grad_split,
        doc=(
            "Split an axis into ``num_outputs`` equal parts (a single output is returned bare).\n\n"
            ">>> [o.shape for o in mx.nd.split(mx.nd.ones((2, 4)), num_outputs=2)]\n[(2, 2), (2, 2)]"
        ),
    )
)


# -- backward records ---------------------------------------------------------------------------


def _concat_backward(p, ins, outs, req, rt):
    og = ins[0]
    ax = _axis_in("dim", p.dim, og.ndim)
    lead = (slice(None),) * ax
    start = 0
    for x, o, r in zip(ins[1:], outs, req):
        stop = start + x.shape[ax]
        store(o, r, og[lead + (slice(start, stop),)])
        start = stop


def _concat_backward_shape(p, og, *shapes):
    if len(shapes) + 1 != p.num_args:
        raise ShapeError(f"num_args={p.num_args} but {len(shapes) + 1} inputs were given (ograd and the Concat inputs)")
    want = _joined_shape(p.dim, shapes)
    if tuple(og) != want:
        raise ShapeError(f"ograd has shape {tuple(og)}, expected {want} (the Concat output)")
    return [tuple(s) for s in shapes]


register(
    OpDef(
        "_backward_Concat",
        _concat_backward,
        params={"num_args": Param("int", REQUIRED, "number of inputs: ograd and the Concat inputs", low=2), "dim": Param("int", 1, "axis joined along")},
        # ograd first, then the forward inputs, read for their sizes along dim only
        variadic="data",
        outputs=lambda p: [f"arg{i}" for i in range(p.num_args - 1)],
        infer_shape=forward_shape(_concat_backward_shape),
        infer_type=lambda p, t, n_out=1: (list(t), [t[0]] * (p.num_args - 1)),
        doc="Gradients of Concat: ograd (the first input) split back into the parts of the other inputs.",
    )
)


def _stack_backward(p, ins, outs, req, rt):
    og = ins[0]
    lead = (slice(None),) * _axis_in("axis", p.axis, og.ndim)
    for i, (o, r) in enumerate(zip(outs, req)):
        store(o, r, og[lead + (i,)])


def _stack_backward_shape(p, og):
    ax = _axis_in("axis", p.axis, len(og))
    if og[ax] != p.num_args:
        raise ShapeError(f"ograd has shape {tuple(og)}, expected size num_args={p.num_args} on axis {ax}")
    return [tuple(og[:ax]) + tuple(og[ax + 1 :])] * p.num_args


register(
    OpDef(
        "_backward_stack",
        _stack_backward,
        params=get("stack").params,
        inputs=("ograd",),
        outputs=lambda p: [f"arg{i}" for i in range(p.num_args)],
        infer_shape=forward_shape(_stack_backward_shape),
        infer_type=lambda p, t, n_out=1: (list(t), [t[0]] * p.num_args),
        doc="Gradients of stack: the slices of ograd along the stacked axis.",
    )
)


def _present(p) -> tuple:
    present = tuple(p.present) or tuple(range(p.num_outputs))
    if any(not 0 <= j < p.num_outputs for j in present) or len(set(present)) != len(present):
        raise ShapeError(f"present={tuple(p.present)} must name distinct outputs in [0, {p.num_outputs - 1}]")
    if len(present) != p.num_args:
        raise ShapeError(f"num_args={p.num_args} ograds given, expected {len(present)} (one per present output)")
    return present


def _split_backward(p, ins, outs, req, rt):
    out, r = outs[0], req[0]
    if r == "null":
        return
    ax = _axis_in("axis", p.axis, out.ndim)
    step = out.shape[ax] // p.num_outputs
    lead = (slice(None),) * ax
    present = _present(p)
    if r != "add" and len(present) < p.num_outputs:
        out[...] = 0
    for j, og in zip(present, ins):
        part = out[lead + (slice(j * step, (j + 1) * step),)]
        store(part, "add" if r == "add" else "write", og.reshape(part.shape))


def _split_backward_shape(p, *ograds):
    _check_count(p, ograds)
    _present(p)
    og = tuple(ograds[0])
    for i, s in enumerate(ograds):
        if tuple(s) != og:
            raise ShapeError(f"ograd {i} has shape {tuple(s)}, expected {og} (all parts share one shape)")
    n = len(og) + 1 if p.squeeze_axis else len(og)
    ax = _axis_in("axis", p.axis, n)
    if p.squeeze_axis:
        return og[:ax] + (p.num_outputs,) + og[ax:]
    return og[:ax] + (og[ax] * p.num_outputs,) + og[ax + 1 :]


register(
    OpDef(
        "_backward_SliceChannel",
        _split_backward,
        params={
            **get("SliceChannel").params,
            "num_args": Param("int", REQUIRED, "number of ograds given", low=1),
            "present": Param("shape", (), "indices of the outputs whose gradients are given (the others are zero); empty = all"),
        },
        variadic="ograds",
        infer_shape=forward_shape(_split_backward_shape),
        infer_type=_same_type_n,
        doc="Gradient of SliceChannel: the outputs' gradients joined back along the split axis.",
    )
)
