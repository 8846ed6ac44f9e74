"""``mx.np`` functions computed by NumPy's function of the same name, through the
one ``_npi_function`` record (``mxpy/ops/np_functions.py``): the same record
``mx.sym.np`` builds graphs from, so a block gives the same values imperative
and hybridized, and autograd differentiates them by the record's rule.
"""

from __future__ import annotations

import numpy as _onp

from ..ndarray.ndarray import NDArray
from ..ops.np_function_table import call_spec, record_for
from ._math import _out, check_ufunc_kwargs
from .multiarray import _op

_UFUNCS = ("bitwise_not", "invert", "arctan2", "copysign", "ldexp", "bitwise_and", "bitwise_or", "bitwise_xor", "lcm", "gcd")
_HOST_INDEX = ("delete", "insert")


def _is_nd(v) -> bool:
    return isinstance(v, NDArray)


def make(name: str, doc: str):
    """The ``mx.np`` function ``name``."""

    def fn(*args, **kwargs):
        out = None
        if name in _UFUNCS:
            out = kwargs.pop("out", None)
            if kwargs:
                check_ufunc_kwargs(name, kwargs)
        if name in _HOST_INDEX and len(args) > 1 and isinstance(args[1], NDArray):
            # the deleted/inserted positions decide the result's shape: read them now
            args = (args[0], args[1].asnumpy(), *args[2:])
        inputs, params = call_spec(name, args, kwargs, _is_nd)
        res = _op(record_for(name), *inputs, **params)
        if params["num_outputs"] > 1 or name in ("split", "array_split", "hsplit", "vsplit", "dsplit"):
            return list(res) if isinstance(res, (list, tuple)) else [res]
        return _out(res, out)

    fn.__name__ = fn.__qualname__ = name.rsplit(".", 1)[-1]
    fn.__doc__ = doc
    return fn


# the mx.np functions made here: name -> (what it does, an example and its result)
_DOCS = {
    "diag_indices_from": (
        "The main diagonal's indices of an n-d array with equal dims, one int64 array of shape (ndim, n) (MXNet's form of NumPy's tuple).",
        "np.diag_indices_from(np.ones((2, 2))).tolist()",
        "[[0, 1], [0, 1]]",
    ),
    "average": (
        "The (``weights``-weighted) mean along ``axis``; with ``returned``, also the sum of the weights.",
        "np.average(np.array([1., 3.]), weights=np.array([3., 1.])).item()",
        "1.5",
    ),
    "take": (
        "Elements at ``indices`` along ``axis`` (of the flattened array when None); ``mode`` 'raise' clips, as MXNet.",
        "np.take(np.array([1., 2., 3.]), np.array([2, 0])).tolist()",
        "[3.0, 1.0]",
    ),
    "squeeze": ("``a`` without its length-1 axes (those of ``axis`` only, when given).", "np.squeeze(np.ones((1, 2, 1))).shape", "(2,)"),
    "diag": ("The ``k``-th diagonal of a 2-D array, or a 2-D array with a 1-D one on it.", "np.diag(np.array([1., 2.])).tolist()", "[[1.0, 0.0], [0.0, 2.0]]"),
    "diagonal": ("The diagonal ``offset`` of the plane (``axis1``, ``axis2``).", "np.diagonal(np.eye(2)).tolist()", "[1.0, 1.0]"),
    "tril": (
        "The lower triangle (on and below diagonal ``k``) of the last two axes; 1-D input is a row.",
        "np.tril(np.ones((2, 2))).tolist()",
        "[[1.0, 0.0], [1.0, 1.0]]",
    ),
    "triu": ("The upper triangle (on and above diagonal ``k``) of the last two axes.", "np.triu(np.ones((2, 2))).tolist()", "[[1.0, 1.0], [0.0, 1.0]]"),
    "einsum": ("Einstein summation over the operands' subscripts.", "np.einsum('ij,jk->ik', np.ones((2, 3)), np.ones((3, 4))).shape", "(2, 4)"),
    "trace": ("Sum along a diagonal (``offset``, ``axis1``, ``axis2``).", "np.trace(np.eye(3)).item()", "3.0"),
    "rot90": ("Rotate by 90 degrees ``k`` times in the plane ``axes``.", "np.rot90(np.array([[1., 2.], [3., 4.]])).tolist()", "[[2.0, 4.0], [1.0, 3.0]]"),
    "atleast_3d": ("The arrays with at least three dimensions.", "np.atleast_3d(np.ones(2)).shape", "(1, 2, 1)"),
    "diff": ("The ``n``-th discrete difference along ``axis``.", "np.diff(np.array([1., 4., 9.])).tolist()", "[3.0, 5.0]"),
    "ediff1d": (
        "Differences of the flattened array, with ``to_begin``/``to_end`` added.",
        "np.ediff1d(np.array([1., 4., 9.]), to_end=0.).tolist()",
        "[3.0, 5.0, 0.0]",
    ),
    "resize": ("A new array of ``new_shape`` repeating the values.", "np.resize(np.array([1., 2.]), (3,)).tolist()", "[1.0, 2.0, 1.0]"),
    "polyval": ("The polynomial with coefficients ``p`` at ``x``.", "np.polyval(np.array([1., 0., -1.]), np.array([2.])).tolist()", "[3.0]"),
    "quantile": ("The ``q``-th quantiles along ``axis`` (``interpolation`` as NumPy's ``method``).", "np.quantile(np.arange(5.), 0.5).item()", "2.0"),
    "percentile": ("The ``q``-th percentiles along ``axis``.", "np.percentile(np.arange(5.), 50).item()", "2.0"),
    "dsplit": ("Split along the third axis.", "len(np.dsplit(np.ones((1, 1, 4)), 2))", "2"),
    "dstack": ("Join along the third axis.", "np.dstack([np.ones(2), np.ones(2)]).shape", "(1, 2, 2)"),
    "column_stack": ("Join 1-D arrays as columns (2-D arrays as they are).", "np.column_stack([np.ones(2), np.zeros(2)]).shape", "(2, 2)"),
    "flipud": ("Reverse the order along axis 0.", "np.flipud(np.array([1., 2.])).tolist()", "[2.0, 1.0]"),
    "fliplr": ("Reverse the order along axis 1.", "np.fliplr(np.array([[1., 2.]])).tolist()", "[[2.0, 1.0]]"),
    "indices": ("The index grid of ``dimensions`` (int64 by default).", "np.indices((2, 3)).shape", "(2, 2, 3)"),
    "diagflat": ("A 2-D array with the flattened input on diagonal ``k``.", "np.diagflat(np.array([1., 2.])).tolist()", "[[1.0, 0.0], [0.0, 2.0]]"),
    "pad": ("Pad with ``pad_width`` by ``mode`` (NumPy's modes).", "np.pad(np.ones(2), 1).tolist()", "[0.0, 1.0, 1.0, 0.0]"),
    "insert": ("Insert ``values`` before ``obj`` along ``axis``.", "np.insert(np.array([1., 2.]), 1, 5.).tolist()", "[1.0, 5.0, 2.0]"),
    "delete": ("Remove the entries ``obj`` along ``axis``.", "np.delete(np.array([1., 2., 3.]), 1).tolist()", "[1.0, 3.0]"),
    "bitwise_not": ("Bitwise NOT of integers (logical NOT of bools).", "np.bitwise_not(np.array([0, 1], dtype='int32')).tolist()", "[-1, -2]"),
    "invert": ("Bitwise NOT (as ``bitwise_not``).", "np.invert(np.array([True, False])).tolist()", "[False, True]"),
    "arctan2": (
        "Element-wise arc tangent of ``x1 / x2`` in the right quadrant.",
        "np.arctan2(np.array([1.]), np.array([1.])).tolist()",
        "[0.7853981852531433]",
    ),
    "copysign": ("``x1`` with the sign of ``x2``, element-wise.", "np.copysign(np.array([1., 2.]), -1.).tolist()", "[-1.0, -2.0]"),
    "ldexp": ("``x1 * 2 ** x2``, element-wise.", "np.ldexp(np.array([1., 2.]), 2.).tolist()", "[4.0, 8.0]"),
    "bitwise_and": ("Bitwise AND of integers (logical AND of bools).", "np.bitwise_and(np.array([6], dtype='int32'), 3).tolist()", "[2]"),
    "bitwise_or": ("Bitwise OR of integers.", "np.bitwise_or(np.array([6], dtype='int32'), 3).tolist()", "[7]"),
    "bitwise_xor": ("Bitwise XOR of integers.", "np.bitwise_xor(np.array([6], dtype='int32'), 3).tolist()", "[5]"),
    "lcm": ("Lowest common multiple of integers.", "np.lcm(np.array([4], dtype='int32'), 6).tolist()", "[12]"),
    "gcd": ("Greatest common divisor of integers.", "np.gcd(np.array([4], dtype='int32'), 6).tolist()", "[2]"),
    "hanning": ("The Hann window of ``M`` points (float32).", "np.hanning(3).tolist()", "[0.0, 1.0, 0.0]"),
    "hamming": ("The Hamming window of ``M`` points (float32).", "np.hamming(1).tolist()", "[1.0]"),
    "blackman": ("The Blackman window of ``M`` points (float32).", "np.blackman(1).tolist()", "[1.0]"),
}
_LINALG_DOCS = {
    "diag_indices_from": (
        "The main diagonal's indices of an n-d array with equal dims, one int64 array of shape (ndim, n) (MXNet's form of NumPy's tuple).",
        "np.diag_indices_from(np.ones((2, 2))).tolist()",
        "[[0, 1], [0, 1]]",
    ),
    "average": (
        "The (``weights``-weighted) mean along ``axis``; with ``returned``, also the sum of the weights.",
        "np.average(np.array([1., 3.]), weights=np.array([3., 1.])).item()",
        "1.5",
    ),
    "take": (
        "Elements at ``indices`` along ``axis`` (of the flattened array when None); ``mode`` 'raise' clips, as MXNet.",
        "np.take(np.array([1., 2., 3.]), np.array([2, 0])).tolist()",
        "[3.0, 1.0]",
    ),
    "squeeze": ("``a`` without its length-1 axes (those of ``axis`` only, when given).", "np.squeeze(np.ones((1, 2, 1))).shape", "(2,)"),
    "diag": ("The ``k``-th diagonal of a 2-D array, or a 2-D array with a 1-D one on it.", "np.diag(np.array([1., 2.])).tolist()", "[[1.0, 0.0], [0.0, 2.0]]"),
    "diagonal": ("The diagonal ``offset`` of the plane (``axis1``, ``axis2``).", "np.diagonal(np.eye(2)).tolist()", "[1.0, 1.0]"),
    "tril": (
        "The lower triangle (on and below diagonal ``k``) of the last two axes; 1-D input is a row.",
        "np.tril(np.ones((2, 2))).tolist()",
        "[[1.0, 0.0], [1.0, 1.0]]",
    ),
    "triu": ("The upper triangle (on and above diagonal ``k``) of the last two axes.", "np.triu(np.ones((2, 2))).tolist()", "[[1.0, 1.0], [0.0, 1.0]]"),
    "linalg.solve": ("The solution ``x`` of ``a @ x = b``.", "np.linalg.solve(2 * np.eye(2), np.ones(2)).tolist()", "[0.5, 0.5]"),
    "linalg.tensorinv": (
        "The inverse of an N-d array for ``tensordot`` with ``ind`` leading axes.",
        "np.linalg.tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape",
        "(2, 2, 4)",
    ),
    "linalg.tensorsolve": ("The ``x`` of ``tensordot(a, x, x.ndim) = b``.", "np.linalg.tensorsolve(np.eye(2), np.ones(2)).tolist()", "[1.0, 1.0]"),
    "linalg.pinv": ("The Moore-Penrose pseudo-inverse (``rcond``, ``hermitian``).", "np.linalg.pinv(2 * np.eye(2)).tolist()", "[[0.5, 0.0], [0.0, 0.5]]"),
    "linalg.eigvalsh": ("Eigenvalues of symmetric matrices, ascending (``UPLO``).", "np.linalg.eigvalsh(np.eye(2)).tolist()", "[1.0, 1.0]"),
    "linalg.svd": (
        "MXNet's SVD of matrices with M <= N: ``ut, s, v`` with ``a = ut @ diag(s) @ v``.",
        "[x.shape for x in np.linalg.svd(np.ones((2, 3)))]",
        "[(2, 2), (2,), (2, 3)]",
    ),
    "linalg.eigvals": ("Eigenvalues of square matrices (real parts, as MXNet).", "np.linalg.eigvals(2 * np.eye(2)).tolist()", "[2.0, 2.0]"),
    "linalg.eig": ("Eigenvalues and right eigenvectors of square matrices (real parts, as MXNet).", "np.linalg.eig(np.eye(2))[0].tolist()", "[1.0, 1.0]"),
    "linalg.eigh": ("Eigenvalues and eigenvectors of symmetric matrices (``UPLO``).", "np.linalg.eigh(np.eye(2))[0].tolist()", "[1.0, 1.0]"),
    "linalg.matrix_rank": ("The rank of matrices by SVD (``tol``, ``hermitian``).", "np.linalg.matrix_rank(np.eye(3)).item()", "3"),
}


def _build(docs: dict) -> dict:
    out = {}
    for name, (what, example, result) in docs.items():
        prefix = "mx.np." if "." not in name else "mx.np."
        out[name.rsplit(".", 1)[-1]] = make(name, f"{what}\n\n>>> from mxpy import np\n>>> {example}\n{result}\n\n(``{prefix}{name}``)")
    return out


_made = _build(_DOCS)


def histogram(a, bins=10, range=None):  # noqa: A002 -- NumPy's name
    """Counts (int64) of ``a`` in ``bins`` (a count over ``range``, or the edges as an array), and the edges.

    The edges depend on the values, so the counting runs on the host.

    >>> from mxpy import np
    >>> np.histogram(np.array([0., 1., 1.]), bins=2, range=(0., 2.))[0].tolist()
    [1, 2]
    """
    from ._creation import array

    host = a.asnumpy() if isinstance(a, NDArray) else _onp.asarray(a)
    edges = bins.asnumpy() if isinstance(bins, NDArray) else bins
    counts, edges = _onp.histogram(host, bins=edges, range=range)
    ctx = a.ctx if isinstance(a, NDArray) else None
    return array(counts.astype(_onp.int64), dtype=_onp.int64, ctx=ctx), array(edges, dtype=host.dtype if host.dtype.kind == "f" else _onp.float32, ctx=ctx)


_made.update(histogram=histogram)
tile_any = make("tile", "``np.tile`` through NumPy's function (0-d inputs, zero repeats).")
globals().update(_made)
LINALG = _build(_LINALG_DOCS)
__all__ = sorted(_made)
