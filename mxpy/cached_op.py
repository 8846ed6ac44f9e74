"""``mx.nd.CachedOp``: a Symbol called like a function on NDArrays, as in MXNet 1.9.1.

It is the graph cache Gluon's ``hybridize()`` runs on (mxpy/gluon/_cached_op.py):
each call looks up, by input signature, an Executor built by the same passes as
``Symbol.bind`` and runs it; under ``autograd.record()`` the call is recorded
(small graphs op by op, larger ones as one node), so gradients flow to the inputs.
The inputs are given positionally in ``sym.list_inputs()`` order (arguments and
auxiliary states, as MXNet); auxiliary states are bound as given, so BatchNorm's
moving statistics update in place when training.

>>> import mxpy as mx
>>> op = mx.nd.CachedOp(mx.sym.var("x") * 2 + 1)
>>> op(mx.nd.array([1.0, 2.0])).asnumpy()
array([3., 5.], dtype=float32)
"""

from __future__ import annotations

from .base import MXNetError
from .gluon._cached_op import CachedOp as _GraphCache
from .ndarray import NDArray

__all__ = ["CachedOp"]


class CachedOp:
    """A callable over ``sym``: ``op(*inputs, out=None)`` returns its output (a list for several).

    ``flags``: MXNet's cached-op flags as a dict or ``(key, value)`` pairs
    (``static_alloc``, ``static_shape``, ``inline_limit``...); mxpy plans memory
    once per signature whatever they say, and ``inline_limit`` (default 2) sets
    the largest graph recorded op by op under autograd.

    >>> import mxpy as mx
    >>> a, b = mx.sym.var("a"), mx.sym.var("b")
    >>> op = mx.nd.CachedOp(mx.sym.Group([a + b, a * b]))
    >>> [o.asnumpy().tolist() for o in op(mx.nd.array([2.0]), mx.nd.array([3.0]))]
    [[5.0], [6.0]]
    """

    def __init__(self, sym, flags=()) -> None:
        self._names = sym.list_inputs()
        self._graph = _GraphCache(sym, self._names, {}, dict(flags))

    def __call__(self, *args, **kwargs):
        out = kwargs.pop("out", None)
        kwargs.pop("name", None)  # MXNet's profiler name; nothing to name here
        if kwargs:
            raise TypeError(f"CachedOp.__call__: unexpected keyword arguments {sorted(kwargs)}; inputs are positional ({', '.join(self._names)})")
        if len(args) != len(self._names):
            raise MXNetError(f"CachedOp: the symbol has {len(self._names)} inputs ({', '.join(self._names)}), got {len(args)} arrays")
        for name, a in zip(self._names, args):
            if not isinstance(a, NDArray):
                raise TypeError(f"CachedOp: input '{name}' must be an NDArray, got {type(a).__name__}")
        outs = self._graph(list(args))
        if out is None:
            return outs[0] if len(outs) == 1 else outs
        dests = [out] if isinstance(out, NDArray) else list(out)
        if len(dests) != len(outs):
            raise MXNetError(f"CachedOp: out has {len(dests)} arrays, the symbol has {len(outs)} outputs")
        for src, dst in zip(outs, dests):
            if src.shape != dst.shape:
                raise ValueError(f"CachedOp: out has shape {dst.shape}, the output has shape {src.shape}")
            src.copyto(dst)
        return out
