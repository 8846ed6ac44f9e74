"""Battery cases for ``_npi_function`` (ops/np_functions.py): one case per gradient kind
(gather, einsum, hand-written vector-Jacobian products) and the no-gradient kind."""

from __future__ import annotations

import numpy as np

from mxpy.ops.np_functions import build_call

from . import add, f32


def _call(fn: str, args: list, kwargs: dict | None = None, n_out: int = 1, otype: str = "in0") -> dict:
    """The params of ``fn(*args, **kwargs)`` with the ndarrays in ``args`` as the inputs."""
    ins, call = build_call(args, kwargs or {}, lambda v: isinstance(v, np.ndarray))
    return {"fn": fn, "call": call, "num_args": len(ins), "num_outputs": n_out, "otype": otype}


A = f32(3, 4, seed=31)
B = f32(4, 2, seed=32)
S = f32(3, 3, seed=33) + 3 * np.eye(3, dtype=np.float32)  # well conditioned

# gather: every output element is a copy of one input element (or zero)
add("_npi_function", [A], _call("rot90", [A], {"k": 1}), ref=lambda a, **k: np.rot90(a))
add("_npi_function", [A], _call("tril", [A], {"k": -1}), ref=lambda a, **k: np.tril(a, -1), note="tril")
add(
    "_npi_function",
    [A],
    _call("pad", [A], {"pad_width": ((1, 0), (0, 2)), "constant_values": 5.0}),
    ref=lambda a, **k: np.pad(a, ((1, 0), (0, 2)), constant_values=5.0),
    note="pad",
)
add("_npi_function", [A, A[:1]], _call("vstack", [[A, A[:1]]]), ref=lambda a, b, **k: np.vstack([a, b]), note="vstack")
add(
    "_npi_function",
    [A],
    _call("array_split", [A, 3], {"axis": 1}, n_out=3),
    ref=lambda a, **k: tuple(np.array_split(a, 3, axis=1)),
    note="array_split",
)
# einsum kind
add("_npi_function", [A, B], _call("einsum", ["ij,jk->ik", A, B]), ref=lambda a, b, **k: a @ b, note="einsum")
add("_npi_function", [S], _call("einsum", ["ii->i", S]), ref=lambda a, **k: np.diagonal(a).copy(), note="einsum diagonal")
add("_npi_function", [A, B], _call("tensordot", [A, B], {"axes": ([1], [0])}), ref=lambda a, b, **k: np.tensordot(a, b, ([1], [0])), note="tensordot")
# hand-written vector-Jacobian products
add("_npi_function", [A], _call("trace", [A], {"offset": 1}), ref=lambda a, **k: np.array(np.trace(a, 1), np.float32), note="trace")
add("_npi_function", [A], _call("diff", [A], {"n": 2, "axis": 1}), ref=lambda a, **k: np.diff(a, 2, 1), note="diff")
add("_npi_function", [S, B[:3]], _call("linalg.solve", [S, B[:3]]), ref=lambda a, b, **k: np.linalg.solve(a, b), note="solve")
add("_npi_function", [S], _call("linalg.det", [S]), ref=lambda a, **k: np.array(np.linalg.det(a), np.float32), note="det")
add(
    "_npi_function",
    [np.array([1.0, -2.0, 0.5], np.float32), A],
    _call("polyval", [np.zeros(3, np.float32), A]),
    ref=lambda p, x, **k: np.polyval(p, x),
    note="polyval",
)
add(
    "_npi_function",
    [A, f32(4, seed=34)],
    _call("arctan2", [A, f32(4, seed=34)], otype="promote_float"),
    ref=lambda a, b, **k: np.arctan2(a, b),
    note="arctan2 broadcast",
)
# no gradient
add(
    "_npi_function",
    [],
    _call("hanning", [5], otype="float32"),
    ref=lambda **k: np.hanning(5).astype(np.float32),
    note="creation",
)
add(
    "_backward_npi_function",
    [np.ones((4, 3), np.float32), A],
    {**_call("rot90", [A]), "num_args": 2, "num_inputs": 1, "present": (0,)},
    ref=lambda g, a, **k: np.rot90(g, -1),
    note="gather backward",
)


def _rayleigh_check(outs, ins, params):
    (x,) = outs
    assert x.shape == (4000,) and x.dtype == np.float32
    scale = ins[0]
    assert np.all(x >= 0)
    # Rayleigh(scale): mean scale * sqrt(pi / 2)
    assert abs(x.mean() / (scale.mean() * np.sqrt(np.pi / 2)) - 1) < 0.05, x.mean()


# a sampler: moments of the draws; its gradient (sample / scale) is checked in tests/test_numpy_functions.py
add(
    "_npi_random_function",
    [np.full(4000, 2.0, np.float32)],
    {**_call("random.rayleigh", [np.full(4000, 2.0, np.float32)], otype="float32")},
    check=_rayleigh_check,
    no_grad_reason="random draws: a numerical derivative sees different samples",
)
add(
    "_npi_function",
    [f32(2, 4, seed=35)],
    _call("linalg.svd", [f32(2, 4, seed=35)], n_out=3),
    check=lambda outs, ins, params: np.testing.assert_allclose((outs[0] * outs[1][None, :]) @ outs[2], ins[0], rtol=1e-4, atol=1e-5),
    note="svd (signs are a convention: a reconstruction check)",
    grad_outputs=(1,),  # the singular values: the same whatever signs the vectors take
)
