"""MXNet's fluent Symbol methods: ``s.reshape((2, 3))``, ``s.sum(axis=1)``, ``s.astype("float16")``...

Each method ``s.NAME(*args, **kwargs)`` is ``mx.sym.FN(s, *args, **kwargs)`` for
the function behind it (the same name, except ``astype`` -> ``cast``), so the
node gets the function's auto-name as in MXNet 1.9.1 (``reshape0``, ``cast0``).
:func:`install` attaches only the methods whose operator is registered when it
runs. The NDArray-only methods (``asnumpy``, ``backward``...) raise
``NotImplementedForSymbol``, as MXNet's do.

>>> import mxpy as mx
>>> s = mx.sym.Variable("x").reshape((2, 3)).sum(axis=1)
>>> s.name
'sum0'
"""

from __future__ import annotations

from collections.abc import Callable

from .. import registry
from ..base import NotImplementedForSymbol
from ..context import current_context
from ..ndarray.fluent import FLUENT as ND_FLUENT
from .register import function
from .symbol import Symbol

__all__: list[str] = []

# method name -> mx.sym function name: NDArray's fluent methods, plus two that
# NDArray defines itself (reshape, broadcast_to) and astype, which is cast here.
FLUENT: dict[str, str] = {**ND_FLUENT, "broadcast_to": "broadcast_to", "reshape": "reshape", "astype": "cast"}

# NDArray-only methods: on a Symbol they raise NotImplementedForSymbol
RAISING = ("as_in_context", "asnumpy", "asscalar", "backward", "detach", "wait_to_read")


def _method(name: str, fn_name: str) -> Callable:
    """``s.<name>(...)`` calling ``mx.sym.<fn_name>`` with s first."""

    def method(self, *args, **kwargs):
        return function(fn_name)(self, *args, **kwargs)

    op = registry.get(fn_name)
    method.__name__ = name
    method.__qualname__ = f"Symbol.{name}"
    method.__module__ = "mxpy.symbol"
    method.__doc__ = (
        f"Convenience fluent method for :func:`mx.sym.{fn_name}`: ``s.{name}(*args, **kwargs)`` is ``mx.sym.{fn_name}(s, *args, **kwargs)``.\n\n{op.doc or ''}"
    ).rstrip()
    return method


def _raising(name: str) -> Callable:
    def method(self, *args, **kwargs):
        raise NotImplementedForSymbol(method, None)

    method.__name__ = name
    method.__qualname__ = f"Symbol.{name}"
    method.__module__ = "mxpy.symbol"
    method.__doc__ = f"NDArray only: raises NotImplementedForSymbol (a Symbol holds no data to {name.replace('_', ' ')})."
    return method


def split_v2(self: Symbol, *args, **kwargs) -> Symbol:
    """Convenience fluent method for :func:`mx.sym.split_v2` (attached once ``_split_v2`` is registered).

    >>> import mxpy as mx
    >>> len(mx.sym.Variable("x").split_v2((1, 3)))  # doctest: +SKIP
    3
    """
    from .wrappers import split_v2 as _split_v2

    return _split_v2(self, *args, **kwargs)


def as_nd_ndarray(self: Symbol) -> Symbol:
    """The symbol itself (it already is a classic ``mx.sym`` Symbol).

    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x"); x.as_nd_ndarray() is x
    True
    """
    return self


def eval(self: Symbol, ctx=None, **kwargs) -> list:  # noqa: A001  (MXNet's method name)
    """Bind to ``ctx`` (the current context by default) with input arrays ``kwargs``; run forward.

    Returns the list of output NDArrays.

    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> (x * 2).eval(x=mx.nd.ones((2,)))[0].asnumpy().tolist()
    [2.0, 2.0]
    """
    if ctx is None:
        ctx = current_context()
    return self.bind(ctx, kwargs).forward()


# MXNet writes these four out with their own signatures: ``inplace`` is accepted and
# ignored (a Symbol is never changed in place), and squeeze/diag always pass their
# argument, so ``s.squeeze()`` stores ``axis="None"`` in the node


def _explicit(name: str, fn_name: str, body: Callable) -> Callable:
    body.__name__ = name
    body.__qualname__ = f"Symbol.{name}"
    body.__module__ = "mxpy.symbol"
    body.__doc__ = f"Convenience fluent method for :func:`mx.sym.{fn_name}` (``inplace`` is ignored). {body.__doc__}"
    return body


def _expand_dims(self: Symbol, axis, inplace=False, **kwargs) -> Symbol:
    """Example:

    >>> import mxpy as mx
    >>> mx.sym.Variable("x").expand_dims(axis=1).name
    'expand_dims0'
    """
    return function("expand_dims")(self, axis=axis, **kwargs)


def _flatten(self: Symbol, inplace=False, **kwargs) -> Symbol:
    """Example:

    >>> import mxpy as mx
    >>> mx.sym.Variable("x").flatten().name
    'flatten0'
    """
    return function("flatten")(self, **kwargs)


def _squeeze(self: Symbol, axis=None, inplace=False, **kwargs) -> Symbol:
    """Example:

    >>> import mxpy as mx
    >>> mx.sym.Variable("x").squeeze().list_attr()
    {'axis': 'None'}
    """
    return function("squeeze")(self, axis=axis, **kwargs)


def _diag(self: Symbol, k=0, **kwargs) -> Symbol:
    """Example:

    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x").diag()
    """
    return function("diag")(self, k, **kwargs)


# methods written out above -> the operator they need (None: always available)
_SPECIAL: dict[str, tuple[Callable, str | None]] = {
    "expand_dims": (_explicit("expand_dims", "expand_dims", _expand_dims), "expand_dims"),
    "flatten": (_explicit("flatten", "flatten", _flatten), "flatten"),
    "squeeze": (_explicit("squeeze", "squeeze", _squeeze), "squeeze"),
    "diag": (_explicit("diag", "diag", _diag), "diag"),
    "split_v2": (split_v2, "_split_v2"),
    "as_nd_ndarray": (as_nd_ndarray, None),
    "eval": (eval, None),
}


def _own(name: str) -> bool:
    """True when symbol.py defines ``name`` itself (a hand-written method wins)."""
    got = Symbol.__dict__.get(name)
    return got is not None and not getattr(got, "_fluent", False)


def install() -> list[str]:
    """Attach every fluent method whose operator is registered; returns their names."""
    attached = []
    for name, fn_name in FLUENT.items():
        if registry.find(fn_name) is None or _own(name) or name in _SPECIAL:
            continue
        fn = _method(name, fn_name)
        fn._fluent = True
        setattr(Symbol, name, fn)
        attached.append(name)
    for name, (fn, op_name) in _SPECIAL.items():
        if (op_name is None or registry.find(op_name) is not None) and not _own(name):
            fn._fluent = True
            setattr(Symbol, name, fn)
            attached.append(name)
    for name in RAISING:
        if not _own(name):
            fn = _raising(name)
            fn._fluent = True
            setattr(Symbol, name, fn)
            attached.append(name)
    if "__array_priority__" not in Symbol.__dict__:
        # numpy scalars on the left (np.float32(2) * s) defer to Symbol's reflected operators
        Symbol.__array_priority__ = 1000.0
    return attached
