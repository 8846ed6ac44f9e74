"""Shared shape and type inference rules.

Contract (DESIGN.md): ``infer_shape(p, in_shapes) -> (in_shapes, out_shapes)``
where a shape is a tuple of ints or ``None`` when unknown; rules fill what
they can in both directions and raise :class:`ShapeError` on conflicts.
``infer_type(p, in_types) -> (in_types, out_types)`` likewise with np.dtype.

Partly known shapes (MXNet's legacy ``(0, 10)``: batch size still unknown)
travel through the graph's shape pass as tuples with :data:`UNKNOWN` (-1) for
each unknown dim, as MXNet keeps them inside. Only rules marked with
:func:`partial_rule` see them; they are called ``rule(p, in_shapes,
out_shapes)`` with the outputs known so far, and may fill dims of inputs from
outputs (backward inference). Every other rule only ever sees fully known
tuples (or ``None``): the graph's pass runs it on probe sizes in place of the
unknown dims (:func:`probe_rule`) and keeps the dims that do not depend on them.
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


UNKNOWN = -1  # an unknown dim inside a partly known shape


def shape_is_known(s: Shape | None) -> bool:
    """True when ``s`` is a shape with every dim known.

    >>> shape_is_known((2, 3)), shape_is_known((-1, 3)), shape_is_known(None)
    (True, False, False)
    """
    return s is not None and UNKNOWN not in s


def partial_rule(fn: Callable) -> Callable:
    """Mark ``fn`` as a shape rule that takes partly known shapes (see the module docstring)."""
    fn.partial_shapes = True
    return fn


def merge_dims(a: Shape | None, b: Shape | None) -> Shape | None:
    """The shape both ``a`` and ``b`` describe, unknown dims filled from the other;
    None when they disagree (different ndim or a known dim that differs).

    >>> merge_dims((-1, 10), (12, -1))
    (12, 10)
    >>> merge_dims((2, 3), (3, 3)) is None
    True
    """
    if a is None:
        return b
    if b is None or a == b:
        return a
    if len(a) != len(b):
        return None
    out = []
    for x, y in zip(a, b):
        if x == y or y == UNKNOWN:
            out.append(x)
        elif x == UNKNOWN:
            out.append(y)
        else:
            return None
    return tuple(out)


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
    merged = merge_dims(given, expected)  # partly known shapes (UNKNOWN dims) complete each other
    if merged is not None:
        return merged
    raise ShapeError(f"{what}: given {given}, expected {expected}" + (f" {why}" if why else ""))


@partial_rule
def same_shape(p, in_shapes: Sequence[Shape | None], out_shapes: Sequence[Shape | None] | None = None):
    """All inputs and the first output have one shape (elementwise ops).

    Partly known shapes complete each other, in both directions:

    >>> same_shape(None, [(-1, 10), (12, -1)], [None])
    ([(12, 10), (12, 10)], [(12, 10)])
    """
    known = None
    for i, s in enumerate(in_shapes):
        if s is not None:
            if known is not None and s != known:
                merged = merge_dims(known, s)
                if merged is None:
                    raise ShapeError(f"input {i}: given {s}, expected {known} from the other inputs' shape", slot=i)
                s = merged
            known = s
    if out_shapes and out_shapes[0] is not None and out_shapes[0] != known:
        merged = merge_dims(known, out_shapes[0])
        if merged is None:
            raise ShapeError(f"output: given {out_shapes[0]}, expected {known} from the inputs' shape")
        known = merged
    return [known] * len(in_shapes), [known]


def forward_shape(fn: Callable, partial: bool = True) -> Callable:
    """Adapt ``fn(p, *in_shapes) -> out_shape | list`` to the two-way contract.

    In the graph's shape pass (``out_shapes`` given) inputs may be partly known;
    ``fn`` then runs twice with every unknown dim set to a probe size, first one
    value then another: an output dim that comes out the same both times does not
    depend on the unknown dims and is known, any other is unknown. So transpose,
    dot, pick or Embedding of a ``(0, 3, 4)`` input keep its unknown batch dim,
    as MXNet's rules do. With ``partial=False`` the rule waits for fully known
    inputs instead (MXNet's Flatten does).
    """

    def rule(p, in_shapes, out_shapes=None):
        if any(s is None for s in in_shapes):
            return list(in_shapes), None
        if out_shapes is not None and any(UNKNOWN in s for s in in_shapes):
            return list(in_shapes), _probe(fn, p, in_shapes)
        out = fn(p, *in_shapes)
        if isinstance(out, list):
            return list(in_shapes), out
        return list(in_shapes), [out]

    rule.__name__ = getattr(fn, "__name__", "rule")
    rule.__doc__ = fn.__doc__
    rule.partial_shapes = partial
    rule.probe_shapes = partial  # nor does the graph's pass probe it
    return rule


def dimwise(rule: Callable) -> Callable:
    """Partly known shapes for ``rule(p, in_shapes) -> (in_shapes, out_shapes)`` whose
    output dim k comes from the first input's dim k alone (slicing, pooling): an
    unknown input dim leaves that output dim unknown whatever the parameters, as
    MXNet's rules do, and the other dims are computed as usual (by probing, as
    :func:`forward_shape` does).
    """

    @partial_rule
    def wrapped(p, in_shapes, out_shapes=None):
        data = in_shapes[0]
        if out_shapes is None or not any(s is not None and UNKNOWN in s for s in in_shapes):
            return rule(p, in_shapes)
        if any(s is None for s in in_shapes[:1]):
            return list(in_shapes), None
        outs = _probe(lambda q, *shapes: rule(q, list(shapes))[1], p, in_shapes)
        if outs is None or outs[0] is None:
            return list(in_shapes), None
        first = tuple(UNKNOWN if k < len(data) and data[k] == UNKNOWN else d for k, d in enumerate(outs[0]))
        return list(in_shapes), [first, *outs[1:]]

    wrapped.__name__ = getattr(rule, "__name__", "rule")
    wrapped.__doc__ = rule.__doc__
    return wrapped


# two sizes no real dim has, far apart enough that sums and products of a few stay apart
_PROBE_SIZES = (1_000_003, 1_000_033)


def _probe(fn: Callable, p, in_shapes: Sequence[Shape]) -> list | None:
    """Output shapes of forward rule ``fn`` on partly known inputs (see forward_shape)."""
    res = probe_rule(lambda q, shapes: (shapes, fn(q, *shapes)), p, in_shapes)
    return None if res is None else res[1]


def probe_rule(rule: Callable, p, in_shapes: Sequence[Shape | None]) -> tuple[list, list] | None:
    """``rule(p, in_shapes) -> (in_shapes, out_shapes)``, a rule that knows nothing of
    unknown dims, on partly known inputs: run with every unknown dim set to one probe
    size, then another; a dim that comes out the same both times is known, any other
    is UNKNOWN. None when the rule rejects a probe.

    >>> probe_rule(lambda p, s: (list(s), [(s[0][0], 2 * s[0][1])]), None, [(-1, 3)])
    ([(-1, 3)], [(-1, 6)])
    """
    runs = []
    for size in _PROBE_SIZES:
        shapes = [None if s is None else tuple(size if d == UNKNOWN else d for d in s) for s in in_shapes]
        try:
            ins, outs = rule(p, shapes)
        except Exception:  # noqa: BLE001 -- any complaint about a probe size means "not decidable yet"
            return None
        if outs is not None and not isinstance(outs, list):
            outs = [outs]
        runs.append((list(ins or []), list(outs or [])))
    (ins1, outs1), (ins2, outs2) = runs
    if len(outs1) != len(outs2):
        return None
    return [_agree(a, b) for a, b in zip(ins1, ins2)], [_agree(a, b) for a, b in zip(outs1, outs2)]


def _agree(a, b) -> Shape | None:
    if a is None or b is None or len(a) != len(b):
        return None
    return tuple(int(x) if x == y and x not in _PROBE_SIZES else UNKNOWN for x, y in zip(a, b))


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
