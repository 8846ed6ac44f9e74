"""A fake GPU backend for tests: CuPy's rules, NumPy's arithmetic.

Off unless ``MXPY_FAKE_GPU=<count>`` is set before ``import mxpy`` or a test
calls :func:`enable`. Once on, ``mx.gpu(i)`` for ``i < count`` places arrays
on this backend instead of CuPy, so every GPU code path (placement, copies
between devices, kernels written against ``xp``, device guards, errors at the
sync point) runs in CI without a GPU.

Its arrays (:class:`FakeDeviceArray`) hold a NumPy array but behave like
``cupy.ndarray`` where it matters:

- implicit conversion to NumPy raises ``TypeError`` (``np.asarray(x)``, NumPy
  functions and ufuncs given a device array), exactly the mistake a kernel
  that calls ``np.*`` on device data would make on a real GPU;
- ``xp`` functions and arithmetic refuse host ``numpy.ndarray`` operands;
- reductions return 0-d device arrays, not NumPy scalars;
- host<->device transfers happen only through ``xp.asarray(host)``,
  ``xp.asnumpy(dev)``, ``dev.get()``, ``dev.item()``/``float(dev)`` and the
  backend's ``from_host``/``to_host``; each is counted in :data:`COUNTS`.

>>> from mxpy.backend import fake_gpu
>>> fake_gpu.enable(1)
>>> import mxpy as mx
>>> x = mx.nd.ones((2,), ctx=mx.gpu(0))
>>> fake_gpu.reset_counts(); x.asnumpy().tolist(), fake_gpu.COUNTS["d2h"]
([1.0, 1.0], 1)
>>> fake_gpu.disable()
"""

from __future__ import annotations

import itertools
import os
import threading
import types
from contextlib import contextmanager

import numpy as np

from ..base import MXNetError
from .numpy_backend import Backend
from .streams import RUNNERS, StreamedCopies, StreamRunner

__all__ = [
    "FakeDeviceArray",
    "FakeGpuBackend",
    "FakeStream",
    "FakeEvent",
    "TRACE",
    "tracing",
    "fail_next_sync",
    "COUNTS",
    "enable",
    "disable",
    "enabled_count",
    "reset_counts",
    "counting",
]

#: host->device copies, device->host copies (whole arrays and scalar reads),
#: and their byte totals. Reset with :func:`reset_counts`.
COUNTS: dict[str, int] = {"h2d": 0, "d2h": 0, "h2d_bytes": 0, "d2h_bytes": 0}
_count_lock = threading.Lock()
_state = {"count": 0}
_current = threading.local()  # the device made current by ``with backend.device()``

FAKE_TOTAL_MEMORY = 16 << 30  # what gpu_memory_info reports as the card's size


def _count(kind: str, nbytes: int) -> None:
    with _count_lock:
        COUNTS[kind] += 1
        COUNTS[kind + "_bytes"] += int(nbytes)


def reset_counts() -> None:
    """Zero :data:`COUNTS`."""
    with _count_lock:
        for k in COUNTS:
            COUNTS[k] = 0


@contextmanager
def counting():
    """Yield a dict that holds, on exit, the copies made inside the block.

    >>> with counting() as c:
    ...     pass
    >>> c["h2d"], c["d2h"]
    (0, 0)
    """
    before = dict(COUNTS)
    out: dict[str, int] = {}
    try:
        yield out
    finally:
        out.update({k: COUNTS[k] - before[k] for k in COUNTS})


class FakeDevice:
    """What ``cupy.cuda.Device`` offers that mxpy uses: ``id``, a context manager, ``synchronize``."""

    __slots__ = ("id",)

    def __init__(self, device_id: int) -> None:
        self.id = device_id

    def __enter__(self) -> FakeDevice:
        # a per-thread stack: `with` blocks nest (the stream runner makes the device
        # current and kernels do it again) and threads do not share a current device
        stack = _current.__dict__.setdefault("stack", [])
        stack.append(getattr(_current, "dev", None))
        _current.dev = self
        return self

    def __exit__(self, *exc) -> None:
        _current.dev = _current.stack.pop()

    def synchronize(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"<FakeDevice {self.id}>"


_devices: dict[int, FakeDevice] = {}


def _device(i: int) -> FakeDevice:
    d = _devices.get(i)
    if d is None:
        d = _devices[i] = FakeDevice(i)
    return d


def _host_operand_error(where: str) -> TypeError:
    return TypeError(f"fake GPU: {where} got a host numpy.ndarray; move it to the device with xp.asarray first (CuPy does not mix host and device arrays)")


def _unwrap(v, where: str):
    """Device arrays -> their NumPy storage; host arrays refused (CuPy's rule)."""
    t = type(v)
    if t is FakeDeviceArray:
        return v._a
    if t is np.ndarray:
        if v.ndim == 0:  # NumPy 0-d values act as scalars in CuPy too
            return v
        raise _host_operand_error(where)
    if t is tuple or t is list:
        return t(_unwrap(x, where) for x in v)
    if t is dict:
        return {k: _unwrap(x, where) for k, x in v.items()}
    return v


def _wrap(v, dev: FakeDevice):
    t = type(v)
    if t is np.ndarray:
        return FakeDeviceArray(v, dev)
    if isinstance(v, np.generic) and not isinstance(v, (np.str_, np.bytes_, np.void)):
        return FakeDeviceArray(np.asarray(v), dev)  # CuPy reductions give 0-d arrays
    if t is tuple or t is list:
        return t(_wrap(x, dev) for x in v)
    if isinstance(v, tuple):  # NumPy's named results (QRResult, SlogdetResult, EighResult)
        return tuple(_wrap(x, dev) for x in v)
    if isinstance(v, np.random.Generator):
        return _FakeGenerator(v, dev)
    return v


def _dev_of(args, kwargs) -> FakeDevice:
    for a in args:
        if type(a) is FakeDeviceArray:
            return a._dev
        if type(a) in (tuple, list):
            for b in a:
                if type(b) is FakeDeviceArray:
                    return b._dev
    for a in kwargs.values():
        if type(a) is FakeDeviceArray:
            return a._dev
    return getattr(_current, "dev", None) or _device(0)


def _device_call(fn, name: str):
    def call(*args, **kwargs):
        dev = _dev_of(args, kwargs)
        return _wrap(fn(*_unwrap(args, name), **_unwrap(kwargs, name)), dev)

    call.__name__ = name
    return call


def _binop(name: str):
    def op(self, other):
        if type(other) is np.ndarray and other.ndim:
            raise _host_operand_error(f"ndarray.{name}")
        o = other._a if type(other) is FakeDeviceArray else other
        r = getattr(self._a, name)(o)
        if r is NotImplemented:
            return r
        if name.startswith("__i"):  # in-place: the storage was updated
            return self
        return _wrap(r, self._dev)

    op.__name__ = name
    return op


def _unop(name: str):
    def op(self):
        return _wrap(getattr(self._a, name)(), self._dev)

    op.__name__ = name
    return op


class FakeDeviceArray:
    """An array in fake device memory; see the module docstring for its rules."""

    __slots__ = ("_a", "_dev", "__weakref__")
    __array_ufunc__ = None  # NumPy ufuncs on it raise TypeError; binary ops defer to our reflected ones

    def __init__(self, a: np.ndarray, dev: FakeDevice) -> None:
        self._a = a
        self._dev = dev

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed (fake GPU array). Please use `.get()` or xp.asnumpy() to construct a NumPy array explicitly."
        )

    def __array_function__(self, func, types, args, kwargs):
        return NotImplemented  # NumPy's functions then raise TypeError, as on CuPy arrays

    @property
    def device(self) -> FakeDevice:
        return self._dev

    # explicit transfers (counted)
    def get(self, stream=None, order="C", out=None) -> np.ndarray:
        _count("d2h", self._a.nbytes)
        return np.array(self._a, copy=True)

    def item(self):
        _count("d2h", self._a.itemsize)
        return self._a.item()

    def tolist(self):
        _count("d2h", self._a.nbytes)
        return self._a.tolist()

    def _scalar(self):
        _count("d2h", self._a.itemsize)
        return self._a

    def __bool__(self) -> bool:
        return bool(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __float__(self) -> float:
        return float(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        return self._scalar().__index__()

    # container protocol
    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        for row in self._a:
            yield _wrap(row, self._dev)

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, "ndarray.__getitem__")], self._dev)

    def __setitem__(self, key, value) -> None:
        self._a[_unwrap(key, "ndarray.__setitem__")] = _unwrap(value, "ndarray.__setitem__")

    def __repr__(self) -> str:
        return f"fake_gpu.array({np.array2string(self._a, separator=', ')}, device={self._dev.id})"

    __str__ = __repr__

    def __copy__(self) -> FakeDeviceArray:
        return FakeDeviceArray(self._a.copy(), self._dev)

    def __deepcopy__(self, memo) -> FakeDeviceArray:
        return self.__copy__()

    def __reduce__(self):
        raise TypeError("fake GPU arrays do not pickle; copy to the host first")

    def __getattr__(self, name: str):
        if name.startswith("__"):  # never leak __array_interface__ / __array_struct__: NumPy would read the memory directly
            raise AttributeError(name)
        v = getattr(self._a, name)
        if callable(v):
            return _device_call(v, f"ndarray.{name}")
        return _wrap(v, self._dev)


for _n in (
    "__add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__ __rtruediv__ __itruediv__ "
    "__floordiv__ __rfloordiv__ __ifloordiv__ __mod__ __rmod__ __imod__ __pow__ __rpow__ __ipow__ __matmul__ __rmatmul__ "
    "__and__ __rand__ __iand__ __or__ __ror__ __ior__ __xor__ __rxor__ __ixor__ __lshift__ __rlshift__ __rshift__ __rrshift__ "
    "__lt__ __le__ __gt__ __ge__ __eq__ __ne__"
).split():
    setattr(FakeDeviceArray, _n, _binop(_n))
for _n in ("__neg__", "__pos__", "__abs__", "__invert__"):
    setattr(FakeDeviceArray, _n, _unop(_n))
FakeDeviceArray.__hash__ = None  # type: ignore[assignment]  # arrays are unhashable, like NumPy's


class _FakeGenerator:
    """``xp.random.default_rng(...)``: draws on the host generator, results on the device."""

    __slots__ = ("_g", "_dev")

    def __init__(self, g: np.random.Generator, dev: FakeDevice) -> None:
        self._g = g
        self._dev = dev

    def __getattr__(self, name: str):
        v = getattr(self._g, name)
        if not callable(v):
            return v
        dev = self._dev

        def call(*args, **kwargs):
            return _wrap(v(*_unwrap(args, f"random.{name}"), **_unwrap(kwargs, f"random.{name}")), dev)

        return call


class _FakeUfunc:
    """A NumPy ufunc over device arrays, with the ``at``/``reduce``/``outer`` methods CuPy's ufuncs have."""

    __slots__ = ("_u", "_call", "at", "reduce", "outer", "accumulate")

    def __init__(self, u: np.ufunc, name: str) -> None:
        self._u = u
        self._call = _device_call(u, name)
        for m in ("at", "reduce", "outer", "accumulate"):
            setattr(self, m, _device_call(getattr(u, m), f"{name}.{m}"))

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    @property
    def nin(self) -> int:
        return self._u.nin

    @property
    def nout(self) -> int:
        return self._u.nout


def _sorting(fn, name: str):
    sorter = _device_call(fn, name)

    def call(a, axis=-1, kind=None, order=None):
        return sorter(a, axis=axis, kind="stable")  # CuPy's sorts are always stable

    return call


class _Namespace(types.SimpleNamespace):
    """A CuPy-like module over a NumPy module: functions take and give device arrays."""

    def __init__(self, mod, name: str) -> None:
        super().__init__()
        object.__setattr__(self, "_mod", mod)
        object.__setattr__(self, "_name", name)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        v = getattr(self._mod, name)
        if isinstance(v, types.ModuleType):
            out = _Namespace(v, f"{self._name}.{name}")
        elif isinstance(v, np.ufunc):
            out = _FakeUfunc(v, f"{self._name}.{name}")
        elif isinstance(v, type) or not callable(v):
            out = v  # dtypes, constants, errstate, finfo: shared with NumPy, as in CuPy
        else:
            out = _device_call(v, f"{self._name}.{name}")
        object.__setattr__(self, name, out)  # cached: later look-ups are plain attribute reads
        return out

    def __repr__(self) -> str:
        return f"<fake GPU namespace {self._name}>"


def _asarray(a, dtype=None, order=None, *, copy_always=False):
    if type(a) is FakeDeviceArray:
        r = a._a.astype(dtype) if dtype is not None and a._a.dtype != np.dtype(dtype) else a._a
        return FakeDeviceArray(r.copy() if copy_always and r is a._a else r, a._dev)
    dev = getattr(_current, "dev", None) or _device(0)
    host = np.array(a, dtype=dtype, order=order or "K", copy=True)
    if isinstance(a, np.ndarray) or host.ndim:
        _count("h2d", host.nbytes)
    return FakeDeviceArray(host, dev)


def _asnumpy(a, stream=None, order="C", out=None):
    if type(a) is FakeDeviceArray:
        return a.get()
    return np.asarray(a, order=order)


def _make_xp() -> _Namespace:
    xp = _Namespace(np, "xp")
    object.__setattr__(xp, "asarray", lambda a, dtype=None, order=None: _asarray(a, dtype, order))
    object.__setattr__(xp, "array", lambda a, dtype=None, copy=True, order="K", ndmin=0: _asarray(a, dtype, order, copy_always=copy))
    object.__setattr__(xp, "asnumpy", _asnumpy)
    object.__setattr__(xp, "ndarray", FakeDeviceArray)
    object.__setattr__(xp, "get_array_module", lambda *args: xp)
    object.__setattr__(xp, "__name__", "mxpy.backend.fake_gpu.xp")
    object.__setattr__(xp, "sort", _sorting(np.sort, "xp.sort"))
    object.__setattr__(xp, "argsort", _sorting(np.argsort, "xp.argsort"))
    return xp


XP = _make_xp()


#: What the fake streams did, in order, while :func:`tracing` is on: tuples
#: ``("record", stream, event_id)``, ``("wait", stream, event_id)``,
#: ``("h2d", stream, nbytes)``, ``("d2h", stream, nbytes)``, ``("sync", event_id)``
#: and ``("sync_stream", stream)``; ``stream`` is e.g. ``"gpu0/compute"``.
TRACE: list = []
_trace_on = {"on": False}
_event_ids = itertools.count(1)
_fail_next_sync: list = []  # exceptions the next event synchronize calls raise (tests)


def _trace(entry: tuple) -> None:
    if _trace_on["on"]:
        with _count_lock:
            TRACE.append(entry)


@contextmanager
def tracing():
    """Record stream operations in :data:`TRACE` (cleared on entry) inside the block."""
    with _count_lock:
        TRACE.clear()
    _trace_on["on"] = True
    try:
        yield TRACE
    finally:
        _trace_on["on"] = False


def fail_next_sync(exc: BaseException) -> None:
    """Make the next event ``synchronize`` raise ``exc``, as CUDA reports a failed kernel (tests)."""
    _fail_next_sync.append(exc)


class FakeEvent:
    """A recorded point on a :class:`FakeStream`; the work before it is always done."""

    __slots__ = ("id", "stream_name")
    done = True

    def __init__(self, stream_name: str) -> None:
        self.id = next(_event_ids)
        self.stream_name = stream_name

    def synchronize(self) -> None:
        _trace(("sync", self.id))
        if _fail_next_sync:
            raise _fail_next_sync.pop(0)


class FakeStream:
    """``cupy.cuda.Stream``'s interface; kernels run at once, so ordering is only recorded."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> FakeStream:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def record(self, event=None) -> FakeEvent:
        ev = FakeEvent(self.name)
        _trace(("record", self.name, ev.id))
        return ev

    def wait_event(self, event: FakeEvent) -> None:
        _trace(("wait", self.name, event.id))

    def synchronize(self) -> None:
        _trace(("sync_stream", self.name))


class FakeGpuBackend(StreamedCopies, Backend):
    """The backend of a fake ``gpu(i)``: same interface as the CuPy one, streams included."""

    name = "fake_gpu"
    is_gpu = True
    xp = XP

    def __init__(self, device_id: int) -> None:
        self.device_id = device_id
        self._device = _device(device_id)
        self._streams = 0
        self.runner = StreamRunner(self)

    def empty(self, shape, dtype):
        return FakeDeviceArray(np.empty(shape, dtype), self._device)

    def new_stream(self) -> FakeStream:
        self._streams += 1
        return FakeStream(f"gpu{self.device_id}/" + ("compute" if self._streams == 1 else "copy"))

    # the raw copies StreamedCopies builds on (counted like every transfer)
    def _pinned_empty(self, shape, dtype) -> np.ndarray:
        return np.empty(shape, dtype)

    def _h2d_async(self, dst, pinned: np.ndarray, stream: FakeStream) -> None:
        _count("h2d", pinned.nbytes)
        _trace(("h2d", stream.name, pinned.nbytes))
        dst._a[...] = pinned

    def _d2h(self, arr, stream: FakeStream) -> np.ndarray:
        if type(arr) is not FakeDeviceArray:
            raise TypeError(f"fake GPU to_host: expected a device array, got {type(arr).__name__}")
        _count("d2h", arr._a.nbytes)
        _trace(("d2h", stream.name, arr._a.nbytes))
        return arr._a.copy()

    @staticmethod
    def _is_c_contiguous(arr) -> bool:
        return bool(arr._a.flags.c_contiguous)

    def device(self):
        return self._device

    def synchronize(self) -> None:
        self.runner.synchronize()

    def memory_info(self) -> tuple[int, int]:
        return FAKE_TOTAL_MEMORY, FAKE_TOTAL_MEMORY

    def empty_cache(self) -> None:
        return None


def enabled_count() -> int:
    """How many fake GPUs are on (0: the fake backend is off)."""
    return _state["count"]


def _forget_gpu_state() -> None:
    """Drop cached backends, runtimes and RNGs of gpu contexts so the next use picks the current backend."""
    from .. import backend
    from ..context import Context

    backend._gpu_backends.clear()
    for ctx in list(Context._interned.values()):
        if ctx.device_typeid == 2:
            ctx._backend = None
            RUNNERS.pop(ctx, None)
    import sys

    rt = sys.modules.get("mxpy.registry.runtime")
    if rt is None:  # not imported yet: nothing cached
        return
    for key in [k for k in rt._runtimes if k[0].device_typeid == 2]:
        del rt._runtimes[key]
    for key in [k for k in rt._random_states if k.device_typeid == 2]:
        del rt._random_states[key]


def enable(count: int = 1) -> None:
    """Make ``gpu(0) .. gpu(count-1)`` fake devices (tests only)."""
    if count < 1:
        raise MXNetError(f"fake_gpu.enable: count must be >= 1, got {count}")
    from .. import engine

    engine.get().wait_all()
    _state["count"] = int(count)
    _forget_gpu_state()


def disable() -> None:
    """Turn the fake backend off; ``gpu(i)`` goes back to CuPy."""
    from .. import engine

    engine.get().wait_all()
    _state["count"] = 0
    _forget_gpu_state()


def _from_env() -> None:
    v = os.environ.get("MXPY_FAKE_GPU", "").strip()
    if v:
        try:
            n = int(v)
        except ValueError:
            raise MXNetError(f"MXPY_FAKE_GPU must be a number of fake GPUs, got {v!r}") from None
        if n > 0:
            _state["count"] = n
