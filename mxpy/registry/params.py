"""Typed operator parameters that parse MXNet's string attributes and format them back.

>>> p = Param("shape", default=())
>>> p.parse("Reshape", "shape", "(3, -1)")
(3, -1)
>>> Param("bool", default=False).parse("Op", "flag", "True")
True
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from ..base import MXNetError, np_dtype

REQUIRED = object()

_BOOL_STRINGS = {"true": True, "1": True, "false": False, "0": False}


def _literal(text: str) -> Any:
    text = text.strip()
    if text in ("None", "none", ""):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        # MXNet writes some tuples without commas inside, e.g. "(3,3)" is fine but
        # "[3 3]" is not Python; accept whitespace separated numbers too.
        inner = text.strip("()[] ")
        parts = inner.replace(",", " ").split()
        try:
            return tuple(int(x) if x.lstrip("-").isdigit() else (None if x == "None" else float(x)) for x in parts)
        except ValueError:
            return text


class Param:
    """One typed parameter.

    ``kind``: ``int``, ``float``, ``bool``, ``str``, ``dtype``, ``shape`` (tuple of
    ints; a bare int becomes a 1-tuple), ``tuple`` (tuple of int/float/None),
    ``axis`` (int, tuple of ints, or None) or ``any``.
    ``optional`` lets the value be None. ``choices`` limits str values;
    ``low``/``high`` bound numbers (inclusive).
    """

    __slots__ = ("kind", "default", "doc", "choices", "low", "high", "optional")

    def __init__(self, kind: str, default: Any = REQUIRED, doc: str = "", choices=None, low=None, high=None, optional: bool = False):
        self.kind = kind
        self.default = default
        self.doc = doc
        self.choices = tuple(choices) if choices is not None else None
        self.low = low
        self.high = high
        self.optional = optional or default is None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def _bad(self, op: str, name: str, value: Any, expected: str) -> MXNetError:
        return MXNetError(f"{op}: invalid value {value!r} for parameter '{name}'; expected {expected}")

    def parse(self, op: str, name: str, value: Any) -> Any:
        """Convert a Python value or MXNet attribute string to the canonical value."""
        kind = self.kind
        if self.optional and isinstance(value, str) and value.strip() in ("None", "none"):
            return None  # formatted attrs (gradient nodes, JSON) spell None this way
        if isinstance(value, str) and kind not in ("str", "dtype"):
            if kind == "bool":
                low = value.strip().lower()
                if low not in _BOOL_STRINGS:
                    raise self._bad(op, name, value, "a boolean")
                value = _BOOL_STRINGS[low]
            elif kind == "float" and value.strip().lower() in ("inf", "-inf", "+inf", "nan", "infinity", "-infinity"):
                value = float(value)  # MXNet writes these unquoted (clip's a_max=inf); not Python literals
            else:
                value = _literal(value)
        if value is None:
            if self.optional:
                return None
            raise self._bad(op, name, value, f"a {kind}, not None")
        try:
            if kind == "int":
                if isinstance(value, (float, np.floating)) and float(value) != int(value):
                    raise TypeError
                out: Any = int(value)
            elif kind == "float":
                out = float(value)
            elif kind == "bool":
                out = bool(value)
            elif kind == "str":
                out = str(value)
                if self.choices is not None and out not in self.choices:
                    raise self._bad(op, name, value, f"one of {list(self.choices)}")
                return out
            elif kind == "dtype":
                if isinstance(value, str) and value in ("None", "none"):
                    if self.optional:
                        return None
                out = np_dtype(value, f"{op}: parameter '{name}'").name
                if self.choices is not None and out not in self.choices:
                    raise self._bad(op, name, value, f"one of {list(self.choices)}")
                return out
            elif kind == "shape":
                if isinstance(value, (int, np.integer)):
                    value = (value,)
                out = tuple(int(v) for v in value)
            elif kind == "tuple":
                if isinstance(value, (int, float, np.number)):
                    value = (value,)
                out = tuple(v if v is None else (int(v) if float(v).is_integer() and not isinstance(v, float) else float(v)) for v in value)
            elif kind == "axis":
                if isinstance(value, (int, np.integer)):
                    out = int(value)
                else:
                    out = tuple(int(v) for v in value)
            elif kind == "any":
                return value
            else:  # pragma: no cover - a registration bug
                raise MXNetError(f"{op}: parameter '{name}' has unknown kind {kind!r}")
        except MXNetError:
            raise
        except (TypeError, ValueError, OverflowError):
            raise self._bad(op, name, value, f"a value of kind {kind}") from None
        if self.low is not None or self.high is not None:
            vals = out if isinstance(out, tuple) else (out,)
            for v in vals:
                if v is None:
                    continue
                if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
                    rng = f"[{self.low if self.low is not None else '-inf'}, {self.high if self.high is not None else 'inf'}]"
                    raise self._bad(op, name, value, f"values in {rng}")
        return out

    @staticmethod
    def format(value: Any) -> str:
        """MXNet's attribute string for a value (what its Python front end stores)."""
        if isinstance(value, np.dtype):
            return value.name
        if isinstance(value, np.generic):
            return str(value.item())
        if isinstance(value, (tuple, list)):
            # NumPy scalars inside tuples print as np.int64(3) under NumPy 2: format their values
            items = [v.item() if isinstance(v, np.generic) else v for v in value]
            return str(tuple(items) if isinstance(value, tuple) else items)
        return str(value)


_DICT_ATTRS = frozenset(dir(dict))


class Params(dict):
    """Parsed parameters; read as attributes (``p.axis``) or items.

    Kernels read their parameters as attributes on every call. ``__getattr__``
    alone costs ~0.5 us a read (a failed lookup, then a Python call), about 15
    reads per forward of a small MLP, so :meth:`OpDef.parse` also copies the
    values into the instance ``__dict__`` (:meth:`freeze`), where attribute
    reads cost what an item read does (~45 ns). Parsed Params are shared
    through the parse cache and never change afterwards, so the copy stays true.
    """

    def freeze(self) -> Params:
        """Make attribute reads as fast as item reads; call once the values are final.

        >>> p = Params(axis=1).freeze()
        >>> p.axis, p.__dict__ == {"axis": 1}
        (1, True)
        """
        # a parameter named like a dict method stays an item (and __getattr__ never sees it)
        self.__dict__.update((k, v) for k, v in self.items() if k not in _DICT_ATTRS)
        return self

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __hash__(self) -> int:  # parsed values are immutable, so a Params can key caches
        return hash(tuple(sorted(self.items(), key=lambda kv: kv[0])))
