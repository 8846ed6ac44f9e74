"""``mx.init``: weight initializers, as in MXNet 1.9.1.

An initializer is called with an :class:`InitDesc` (the parameter's name plus
its symbol attributes) and the NDArray to fill. The name decides what happens:
``*weight`` goes to the initializer's own rule, ``*bias``/``*beta``/``*min``
become 0, ``*gamma``/``*max`` become 1, and an ``__init__`` attribute (set by
``mx.sym.Variable(init=...)`` and on BatchNorm's moving statistics) overrides
the name.

>>> import mxpy as mx
>>> w = mx.nd.zeros((2, 3))
>>> mx.init.Constant(0.5)(mx.init.InitDesc("fc_weight"), w)
>>> w.asnumpy().tolist()
[[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
>>> mx.init.Xavier().dumps()
'["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 3}]'
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from math import sqrt

import numpy as np

from . import ndarray as _nd
from .base import NotRegisteredError
from .ndarray import NDArray

_log = logging.getLogger(__name__)  # never the root logger: it would configure logging for the script

__all__ = [
    "InitDesc",
    "Initializer",
    "register",
    "alias",
    "create",
    "Load",
    "Mixed",
    "Zero",
    "One",
    "Constant",
    "Uniform",
    "Normal",
    "Orthogonal",
    "Xavier",
    "MSRAPrelu",
    "Bilinear",
    "LSTMBias",
]


class _ClassRegistry:
    """Name -> class table with MXNet's ``register``/``alias``/``create`` rules.

    ``create`` accepts an instance (returned as is), a registered name (case
    insensitive), a JSON list ``'["name", {kwargs}]'``, a JSON object or dict
    holding the name under ``nickname``.
    """

    def __init__(self, base: type, nickname: str) -> None:
        self.base = base
        self.nickname = nickname
        self.classes: dict[str, type] = {}

    def register(self, klass: type, name: str | None = None) -> type:
        if not (isinstance(klass, type) and issubclass(klass, self.base)):
            raise TypeError(f"{self.nickname}.register: can only register subclasses of {self.base.__name__}, got {klass!r}")
        key = (klass.__name__ if name is None else name).lower()
        old = self.classes.get(key)
        if old is not None and old is not klass:
            warnings.warn(
                f"New {self.nickname} {klass.__module__}.{klass.__name__} registered with name {key} "
                f"is overriding existing {self.nickname} {old.__module__}.{old.__name__}",
                UserWarning,
                stacklevel=3,
            )
        self.classes[key] = klass
        return klass

    def alias(self, *names: str):
        def deco(klass: type) -> type:
            for n in names:
                self.register(klass, n)
            return klass

        return deco

    def create(self, *args, **kwargs):
        if args:
            spec, args = args[0], args[1:]
        elif self.nickname in kwargs:
            spec = kwargs.pop(self.nickname)
        else:
            raise TypeError(f"{self.nickname}.create: missing the {self.nickname} name (first argument or {self.nickname}=...)")
        if isinstance(spec, self.base):
            if args or kwargs:
                raise AssertionError(f"{self.nickname} is already an instance. Additional arguments are invalid")
            return spec
        if isinstance(spec, dict):
            return self.create(**spec)
        if not isinstance(spec, str):
            raise AssertionError(f"{self.nickname} must be of string type, got {type(spec).__name__}")
        if spec.startswith("[") or spec.startswith("{"):
            if args or kwargs:
                raise AssertionError(f"{self.nickname}.create: a JSON config {spec!r} takes no extra arguments")
            loaded = json.loads(spec)
            if isinstance(loaded, list):
                return self.create(loaded[0], **loaded[1])
            return self.create(**loaded)
        key = spec.lower()
        if key not in self.classes:
            known = ", ".join(sorted(self.classes))
            raise NotRegisteredError(
                f"{spec} is not registered. Please register with {self.nickname}.register first ({self.nickname}.create was given {spec!r}; known: {known})"
            )
        return self.classes[key](*args, **kwargs)


class InitDesc(str):
    """A parameter name that also carries its symbol attributes and the global initializer.

    >>> d = mx.init.InitDesc("fc_weight", {"__init__": '["zero", {}]'})
    >>> d, d.attrs["__init__"]
    ('fc_weight', '["zero", {}]')
    """

    attrs: dict
    global_init: Initializer | None

    def __new__(cls, name: str, attrs: dict | None = None, global_init: Initializer | None = None):
        obj = super().__new__(cls, name)
        obj.attrs = attrs or {}
        obj.global_init = global_init
        return obj


_UNKNOWN_PATTERN = (
    'Unknown initialization pattern for {}. Default initialization is now limited to "weight", "bias", '
    '"gamma" (1.0), and "beta" (0.0).Please use mx.sym.Variable(init=mx.init.*) to set initialization pattern'
)


def _fill_random(dist: str, a: float, b: float, arr: NDArray) -> None:
    """Draw into ``arr`` with mxpy's RNG, so ``mx.random.seed`` reproduces it."""
    fn = _nd.random.uniform if dist == "uniform" else _nd.random.normal
    fn(a, b, arr.shape, dtype=np.dtype(arr.dtype).name, ctx=arr.context, out=arr)


class Initializer:
    """Base class: dispatches on the parameter name; subclasses define ``_init_weight``.

    >>> class Twos(mx.init.Initializer):
    ...     def _init_weight(self, name, arr):
    ...         arr[:] = 2
    >>> a = mx.nd.zeros((2,))
    >>> Twos()(mx.init.InitDesc("x_weight"), a)
    >>> a.asnumpy().tolist()
    [2.0, 2.0]
    """

    def __init__(self, **kwargs) -> None:
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose: bool = False, print_func=None) -> Initializer:
        """Log each initialized array with ``print_func(arr)`` (default: mean absolute magnitude ``|x|/sqrt(size)``).

        >>> init = mx.init.Zero().set_verbosity(True)
        """
        self._verbose = verbose
        if print_func is None:

            def print_func(x):
                return str((_nd.norm(x) / sqrt(x.size)).asscalar())

        self._print_func = print_func
        return self

    def _verbose_print(self, desc, init, arr) -> None:
        if self._verbose and self._print_func:
            _log.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self) -> str:
        """The JSON string ``create`` reads back: ``'["<class name lower>", {kwargs}]'``.

        >>> mx.init.Uniform(0.2).dumps()
        '["uniform", {"scale": 0.2}]'
        """
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __call__(self, desc, arr: NDArray) -> None:
        """Initialize ``arr`` according to ``desc`` (an InitDesc; a plain str is the deprecated legacy call)."""
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        # Order matters: "weight_quantize" would otherwise never be reached,
        # exactly as in MXNet, where "*weight" is tested first.
        for suffix, method in (
            ("weight", self._init_weight),
            ("bias", self._init_bias),
            ("gamma", self._init_gamma),
            ("beta", self._init_beta),
            ("min", self._init_zero),
            ("max", self._init_one),
            ("weight_quantize", self._init_quantized_weight),
            ("bias_quantize", self._init_quantized_bias),
        ):
            if desc.endswith(suffix):
                method(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr) -> None:
        """The pre-InitDesc call ``init(name, arr)``: more name rules, and a DeprecationWarning."""
        warnings.warn(
            "Calling initializer with init(str, NDArray) has been deprecated. Please use init(mx.init.InitDesc(...), NDArray) instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        if not isinstance(name, str):
            raise TypeError(f"Initializer: name must be a string, got {type(name).__name__}")
        if not isinstance(arr, NDArray):
            raise TypeError(f"Initializer: arr must be an NDArray, got {type(arr).__name__}")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        else:
            for suffix, method in (
                ("bias", self._init_bias),
                ("gamma", self._init_gamma),
                ("beta", self._init_beta),
                ("weight", self._init_weight),
                ("moving_mean", self._init_zero),
                ("moving_var", self._init_one),
                ("moving_inv_var", self._init_zero),
                ("moving_avg", self._init_zero),
                ("min", self._init_zero),
                ("max", self._init_one),
            ):
                if name.endswith(suffix):
                    method(name, arr)
                    return
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr) -> None:
        arr[:] = _bilinear_kernel(arr.shape)

    def _init_loc_bias(self, name, arr) -> None:
        if arr.shape[0] != 6:
            raise ValueError(f"Initializer: {name} (a spatial transformer loc bias) needs shape (6,), got {arr.shape}")
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_one(self, _, arr) -> None:
        arr[:] = 1.0

    def _init_bias(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_quantized_bias(self, _, arr) -> None:
        arr[:] = 0

    def _init_gamma(self, _, arr) -> None:
        arr[:] = 1.0

    def _init_beta(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_weight(self, name, arr) -> None:
        raise TypeError(f"{type(self).__name__} does not define _init_weight, so it cannot initialize weight {name}")

    def _init_quantized_weight(self, _, arr) -> None:
        # One draw for the whole array, as MXNet 1.9.1 does.
        arr[:] = _nd.random.randint(-127, 127, dtype="int32").asnumpy().astype(np.int8)

    def _init_default(self, name, _) -> None:
        raise ValueError(_UNKNOWN_PATTERN.format(name))

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__


_REGISTRY = _ClassRegistry(Initializer, "initializer")


def register(klass: type) -> type:
    """Register an Initializer subclass under its lower-cased class name (usable in ``create`` and ``dumps``).

    >>> @mx.init.register
    ... class Halves(mx.init.Initializer):
    ...     def _init_weight(self, _, arr):
    ...         arr[:] = 0.5
    >>> type(mx.init.create("halves")).__name__
    'Halves'
    """
    return _REGISTRY.register(klass)


def alias(*names: str):
    """Register a class under extra names: ``@alias('zeros')``."""
    return _REGISTRY.alias(*names)


def create(*args, **kwargs) -> Initializer:
    """Build an initializer from a name, JSON config, dict, or return an instance unchanged.

    >>> mx.init.create("xavier", magnitude=2).dumps()
    '["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 2}]'
    >>> type(mx.init.create('["normal", {"sigma": 0.3}]')).__name__
    'Normal'
    """
    return _REGISTRY.create(*args, **kwargs)


def _bilinear_kernel(shape) -> np.ndarray:
    """Bilinear upsampling weights over the last two axes, the same for every (out, in) pair."""
    if len(shape) != 4:
        raise ValueError(f"Bilinear initializer needs a 4-D weight (out, in, h, w), got shape {tuple(shape)}")
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    x = np.arange(shape[3], dtype=np.float64)
    y = np.arange(shape[2], dtype=np.float64)
    k = np.outer(1 - np.abs(y / f - c), 1 - np.abs(x / f - c)).astype(np.float32)
    return np.broadcast_to(k, tuple(shape)).copy()


class Load:
    """Initialize from saved arrays (a ``.params`` file or dict); ``arg:``/``aux:`` prefixes are dropped.

    Names not found go to ``default_init``.

    >>> init = mx.init.Load({"arg:fc_weight": mx.nd.ones((2,))}, mx.init.Zero())
    >>> a = mx.nd.zeros((2,))
    >>> init(mx.init.InitDesc("fc_weight"), a)
    >>> a.asnumpy().tolist()
    [1.0, 1.0]
    """

    def __init__(self, param, default_init=None, verbose: bool = False) -> None:
        if isinstance(param, str):
            param = _nd.load(param)
        if not isinstance(param, dict):
            raise AssertionError(f"Load: param must be a dict of name -> NDArray (or a file holding one), got {type(param).__name__}")
        self.param = {}
        for name, arr in param.items():
            key = name[4:] if name.startswith(("arg:", "aux:")) else name
            self.param[key] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr) -> None:
        if name in self.param:
            src = self.param[name]
            if tuple(arr.shape) != tuple(src.shape):
                raise AssertionError(
                    f"Parameter {name} cannot be initialized from loading. Shape mismatch, target {tuple(arr.shape)} vs loaded {tuple(src.shape)}"
                )
            arr[:] = src
            if self.verbose:
                _log.info("Initialized %s by loading", name)
        else:
            if self.default_init is None:
                raise AssertionError(f"Cannot Initialize {name}. Not found in loaded param and no default Initializer is provided.")
            self.default_init(name, arr)
            if self.verbose:
                _log.info("Initialized %s by default", name)


class Mixed:
    """Pick the initializer of the first regex pattern that matches the name (``re.match``).

    >>> init = mx.init.Mixed([".*bias", ".*"], [mx.init.Zero(), mx.init.One()])
    >>> a = mx.nd.zeros((2,))
    >>> init(mx.init.InitDesc("fc_weight"), a)
    >>> a.asnumpy().tolist()
    [1.0, 1.0]
    """

    def __init__(self, patterns, initializers) -> None:
        if len(patterns) != len(initializers):
            raise AssertionError(f"Mixed: got {len(patterns)} patterns but {len(initializers)} initializers; they must pair up")
        self.map = list(zip([re.compile(p) for p in patterns], initializers, strict=True))

    def __call__(self, name, arr) -> None:
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f'Parameter name {name} did not match any pattern. Consider adding a ".*" pattern at the end with a default Initializer.')


@register
@alias("zeros")
class Zero(Initializer):
    """Weights 0 (registered as ``zero`` and ``zeros``).

    >>> mx.init.Zero().dumps()
    '["zero", {}]'
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _, arr) -> None:
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Weights 1 (registered as ``one`` and ``ones``).

    >>> mx.init.One().dumps()
    '["one", {}]'
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _, arr) -> None:
        arr[:] = 1


@register
class Constant(Initializer):
    """Weights set to ``value`` (a scalar, or an array broadcast to the weight).

    >>> mx.init.Constant(mx.nd.array([1, 2])).dumps()
    '["constant", {"value": [1.0, 2.0]}]'
    """

    def __init__(self, value) -> None:
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr) -> None:
        arr[:] = self.value

    def dumps(self) -> str:
        val = self._kwargs["value"]
        # JSON needs a list; MXNet stores the converted value back too.
        if isinstance(val, np.ndarray):
            self._kwargs["value"] = val.tolist()
        elif isinstance(val, NDArray):
            self._kwargs["value"] = val.asnumpy().tolist()
        return json.dumps([type(self).__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Weights drawn from U(-scale, scale).

    >>> a = mx.nd.zeros((100,))
    >>> mx.init.Uniform(0.1)(mx.init.InitDesc("w_weight"), a)
    >>> bool(abs(a.asnumpy()).max() <= 0.1)
    True
    """

    def __init__(self, scale: float = 0.07) -> None:
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr) -> None:
        _fill_random("uniform", -self.scale, self.scale, arr)


@register
class Normal(Initializer):
    """Weights drawn from N(0, sigma²).

    >>> mx.init.Normal(0.5).dumps()
    '["normal", {"sigma": 0.5}]'
    """

    def __init__(self, sigma: float = 0.01) -> None:
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr) -> None:
        _fill_random("normal", 0, self.sigma, arr)


@register
class Orthogonal(Initializer):
    """``scale`` times an orthogonal matrix (from the SVD of a random (out, in) draw).

    >>> a = mx.nd.zeros((3, 5))
    >>> mx.init.Orthogonal(scale=1.0)(mx.init.InitDesc("w_weight"), a)
    >>> import numpy as np
    >>> bool(np.allclose(a.asnumpy() @ a.asnumpy().T, np.eye(3), atol=1e-5))
    True
    """

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform") -> None:
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, name, arr) -> None:
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = _nd.random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = _nd.random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got {self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = self.scale * res.reshape(arr.shape)


@register
class Xavier(Initializer):
    """Xavier/Glorot: scale = sqrt(magnitude / factor), factor from fan_in/fan_out.

    For conv weights (out, in, kh, kw) the fans are ``in*kh*kw`` and ``out*kh*kw``;
    ``rnd_type`` 'uniform' draws U(-scale, scale), 'gaussian' N(0, scale²).

    >>> a = mx.nd.zeros((4, 6))
    >>> mx.init.Xavier()(mx.init.InitDesc("fc_weight"), a)
    >>> bool(abs(a.asnumpy()).max() <= (3 / 5) ** 0.5)
    True
    """

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg", magnitude: float = 3) -> None:
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr) -> None:
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It requires at least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError("Incorrect factor type")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            _fill_random("uniform", -scale, scale, arr)
        elif self.rnd_type == "gaussian":
            _fill_random("normal", 0, scale, arr)
        else:
            raise ValueError("Unknown random type")


@register
class MSRAPrelu(Xavier):
    """He/MSRA init for PReLU nets: gaussian Xavier with magnitude ``2 / (1 + slope²)``.

    >>> mx.init.MSRAPrelu().dumps()
    '["msraprelu", {"factor_type": "avg", "slope": 0.25}]'
    """

    def __init__(self, factor_type: str = "avg", slope: float = 0.25) -> None:
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope**2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """Bilinear-interpolation kernels for Deconvolution upsampling weights (out, in, h, w).

    >>> a = mx.nd.zeros((1, 1, 2, 4))
    >>> mx.init.Bilinear()(mx.init.InitDesc("up_weight"), a)
    >>> a.asnumpy().ravel().tolist()
    [0.0625, 0.1875, 0.1875, 0.0625, 0.1875, 0.5625, 0.5625, 0.1875]
    """

    def __init__(self) -> None:
        super().__init__()

    def _init_weight(self, _, arr) -> None:
        arr[:] = _bilinear_kernel(arr.shape)


@register
class LSTMBias(Initializer):
    """LSTM gate biases: all 0 except the forget gate (second quarter) at ``forget_bias``.

    It acts through ``__init__`` attributes (``_init_weight``); by name, ``*_bias`` is still 0.

    >>> a = mx.nd.zeros((8,))
    >>> mx.init.LSTMBias(2.0)(mx.init.InitDesc("b", {"__init__": mx.init.LSTMBias(2.0).dumps()}), a)
    >>> a.asnumpy().tolist()
    [0.0, 0.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0]
    """

    def __init__(self, forget_bias: float = 1.0) -> None:
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr) -> None:
        arr[:] = 0.0
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden : 2 * num_hidden] = self.forget_bias
