"""Every ``mx.np`` function in one namespace (the ndarray methods and operators call these)."""

from __future__ import annotations

import sys as _sys

from . import _extra
from . import multiarray as _multiarray
from ._creation import *  # noqa: F403
from ._creation import __all__ as _creation_all
from ._math import *  # noqa: F403
from ._math import __all__ as _math_all
from ._shape import *  # noqa: F403
from ._shape import __all__ as _shape_all
from .multiarray import ndarray

# the functions made in _extra replace the ones above of the same name (tril on 1-D input,
# squeeze/diag/take of NumPy's shapes)
globals().update(_extra._made)
__all__ = list(dict.fromkeys([*_creation_all, *_math_all, *_shape_all, *_extra.__all__]))


def _install_operators() -> None:
    """NumPy operators on ``mx.np.ndarray``: each calls the ``mx.np`` function of its name."""
    f = globals()
    pairs = {
        "add": "add",
        "sub": "subtract",
        "mul": "multiply",
        "truediv": "true_divide",
        "mod": "mod",
        "pow": "power",
        "matmul": "matmul",
    }
    for dunder, name in pairs.items():
        fn = f[name]
        setattr(ndarray, f"__{dunder}__", _forward(fn))
        setattr(ndarray, f"__r{dunder}__", _reflected(fn))
        setattr(ndarray, f"__i{dunder}__", _inplace(fn))
    for dunder, name in {"eq": "equal", "ne": "not_equal", "gt": "greater", "ge": "greater_equal", "lt": "less", "le": "less_equal"}.items():
        setattr(ndarray, f"__{dunder}__", _forward(f[name]))
    ndarray.__neg__ = lambda self: f["negative"](self)
    ndarray.__pos__ = lambda self: self
    ndarray.__abs__ = lambda self: f["abs"](self)
    ndarray.__invert__ = lambda self: f["logical_not"](self) if self._data.dtype.kind == "b" else _no_invert(self)
    ndarray.__hash__ = lambda self: id(self)
    for legacy in ("__div__", "__rdiv__", "__idiv__", "__floordiv__", "__rfloordiv__"):
        if legacy in ndarray.__dict__ or hasattr(ndarray, legacy):
            setattr(ndarray, legacy, _unsupported(legacy))


def _forward(fn):
    def method(self, other):
        return fn(self, other)

    method.__name__ = fn.__name__
    return method


def _reflected(fn):
    def method(self, other):
        return fn(other, self)

    method.__name__ = "r" + fn.__name__
    return method


def _inplace(fn):
    def method(self, other):
        res = fn(self, other)
        self[...] = res
        return self

    method.__name__ = "i" + fn.__name__
    return method


def _unsupported(name):
    def method(self, other):
        return NotImplemented

    method.__name__ = name
    return method


def _no_invert(self):
    raise TypeError(f"ufunc 'invert' not supported for the input dtype {self.dtype}")


_install_operators()
_multiarray._f = _sys.modules[__name__]
