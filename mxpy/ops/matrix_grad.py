"""The ``_backward_*`` records of the slicing, tiling and padding operators in :mod:`.matrix`.

Each writes the gradient of the forward input; ``data`` is read only for its shape.
:mod:`.matrix` imports this module at its end, once the forward operators whose
params these records share are registered, so the registration order is the
forward family followed by its backward records.
"""

from __future__ import annotations

from ..registry import OpDef, ShapeError, forward_shape, get, register
from ._util import store
from .matrix import _pad_pairs, _repeat_axis, _slice_axis_bounds, _slices


def _scatter_kernel(key_fn):
    """Kernel writing the out-grad into region ``key_fn(p, data_shape, ograd_shape)`` of zeros."""

    def kernel(p, ins, outs, req, rt):
        og, out, r = ins[0], outs[0], req[0]
        key = key_fn(p, out.shape, og.shape)
        if r == "add":
            out[key] += og  # basic slicing: no element is hit twice
        elif r != "null":
            out[...] = 0
            out[key] = og

    return kernel


def _slice_axis_key(p, shape, og_shape):
    ax, b, e = _slice_axis_bounds(p, shape)
    return (slice(None),) * ax + (slice(b, e),)


def _backward_record(name: str, kernel, params: dict, doc: str, inputs=("ograd", "data"), shape_rule=None) -> None:
    register(
        OpDef(
            name,
            kernel,
            params=params,
            inputs=inputs,
            infer_shape=shape_rule or (lambda p, s: (list(s), [s[1]])),
            infer_type=lambda p, t, n_out=1: (list(t), [t[0]]),
            doc=doc,
        )
    )


for _fwd, _key in (
    ("slice", lambda p, shape, og_shape: _slices(p, shape)),
    ("slice_axis", _slice_axis_key),
    ("slice_like", lambda p, shape, og_shape: tuple(slice(0, d) for d in og_shape)),
):
    _backward_record(
        f"_backward_{_fwd}",
        _scatter_kernel(_key),
        get(_fwd).params,
        f"Gradient of {_fwd} (data): ograd written into the sliced region of zeros shaped like data.",
    )


def _tile_backward(p, ins, outs, req, rt):
    og, x = ins[0], ins[1]
    reps = tuple(p.reps)
    n = max(len(reps), x.ndim)
    dims = (1,) * (n - x.ndim) + tuple(x.shape)
    r = (1,) * (n - len(reps)) + reps
    # tile's output index on each axis is rep * size + i: split it and sum the reps out
    split = tuple(v for pair in zip(r, dims) for v in pair)
    store(outs[0], req[0], og.reshape(split).sum(axis=tuple(range(0, 2 * n, 2))).reshape(x.shape))


_backward_record("_backward_tile", _tile_backward, get("tile").params, "Gradient of tile: ograd summed over the tiles.")


def _repeat_backward(p, ins, outs, req, rt):
    og, x = ins[0], ins[1]
    if p.repeats == 0:
        store(outs[0], req[0], 0)
        return
    a = _repeat_axis(p, x.ndim)
    if a is None:
        total = og.reshape(x.size, p.repeats).sum(axis=1)
    else:
        total = og.reshape(tuple(x.shape[:a]) + (x.shape[a], p.repeats) + tuple(x.shape[a + 1 :])).sum(axis=a + 1)
    store(outs[0], req[0], total.reshape(x.shape))


_backward_record("_backward_repeat", _repeat_backward, get("repeat").params, "Gradient of repeat: ograd summed over the repeats of each element.")


def _pad_backward_rule(p, og):
    out = tuple(d - lo - hi for d, (lo, hi) in zip(og, _pad_pairs(p, og)))
    if any(d <= 0 for d in out):
        raise ShapeError(f"ograd of shape {tuple(og)} is not larger than pad_width {tuple(p.pad_width)}")
    return out


def _pad_backward(p, ins, outs, req, rt):
    xp = rt.xp
    g = ins[0]
    # padding is separable, so its adjoint folds one axis at a time
    for k, (lo, hi) in enumerate(_pad_pairs(p, g.shape)):
        if not lo and not hi:
            continue
        n = g.shape[k] - lo - hi
        lead = (slice(None),) * k
        centre = g[lead + (slice(lo, lo + n),)]
        if p.mode == "constant":
            g = centre
            continue
        centre = centre.copy()
        before, after = g[lead + (slice(0, lo),)], g[lead + (slice(lo + n, None),)]
        if p.mode == "edge":  # the border copies the edge element
            if lo:
                centre[lead + (slice(0, 1),)] += before.sum(axis=k, keepdims=True)
            if hi:
                centre[lead + (slice(n - 1, n),)] += after.sum(axis=k, keepdims=True)
        else:  # reflect: position lo-1-j mirrors element j+1, lo+n+j mirrors n-2-j
            if lo:
                centre[lead + (slice(1, lo + 1),)] += xp.flip(before, axis=k)
            if hi:
                centre[lead + (slice(n - 1 - hi, n - 1),)] += xp.flip(after, axis=k)
        g = centre
    store(outs[0], req[0], g)


_backward_record(
    "_backward_Pad",
    _pad_backward,
    get("Pad").params,
    "Gradient of Pad: the centre of ograd, plus the border folded back onto the elements it copies (edge, reflect).",
    inputs=("ograd",),
    shape_rule=forward_shape(_pad_backward_rule),
)
