"""Device contexts: ``mx.cpu(i)``, ``mx.gpu(i)`` and the current-context stack.

>>> import mxpy as mx
>>> mx.cpu(1)
cpu(1)
>>> with mx.Context("cpu", 2):
...     mx.current_context()
cpu(2)
"""

from __future__ import annotations

import threading
import warnings

from .base import MXNetError

__all__ = ["Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus", "gpu_memory_info"]


class _DefaultCtx:
    """``Context.default_ctx``: MXNet's deprecated class-level spelling of ``current_context()``."""

    def __get__(self, obj, cls=None) -> Context:
        warnings.warn(
            "Context.default_ctx has been deprecated. Please use Context.current_context() instead. "
            "Please use test_utils.set_default_context to set a default context",
            DeprecationWarning,
            stacklevel=2,
        )
        return current_context()


class Context:
    """A device: a type (cpu, gpu, cpu_pinned, cpu_shared) and an id.

    ``cpu(0)`` and ``cpu(1)`` are distinct logical devices with their own
    engine workers, so independent work placed on them runs in parallel.
    Contexts are interned (one object per device), so equality and hashing
    are identity and cost nothing on the per-op path.
    """

    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {v: k for k, v in devtype2str.items()}
    _default_ctx = threading.local()
    default_ctx = _DefaultCtx()
    _interned: dict = {}

    __slots__ = ("device_typeid", "device_id", "_backend", "__weakref__")

    def __new__(cls, device_type: str | Context, device_id: int = 0):
        if isinstance(device_type, Context):
            return device_type
        key = (device_type, device_id)
        ctx = cls._interned.get(key)
        if ctx is not None:
            return ctx
        if device_type not in Context.devstr2type:
            raise MXNetError(f"Context: unknown device_type {device_type!r}; expected one of {sorted(Context.devstr2type)}")
        if int(device_id) < 0:
            raise MXNetError(f"Context: device_id must be >= 0, got {device_id}")
        ctx = object.__new__(cls)
        ctx.device_typeid = Context.devstr2type[device_type]
        ctx.device_id = int(device_id)
        ctx._backend = None
        ctx = cls._interned.setdefault((device_type, ctx.device_id), ctx)
        cls._interned[key] = ctx
        return ctx

    @property
    def device_type(self) -> str:
        return Context.devtype2str[self.device_typeid]

    def __str__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __repr__ = __str__

    def __enter__(self) -> Context:
        stack = Context._default_ctx.__dict__.setdefault("stack", [])
        stack.append(current_context())
        Context._default_ctx.value = self
        return self

    def __exit__(self, *exc: object) -> None:
        Context._default_ctx.value = Context._default_ctx.stack.pop()

    def __reduce__(self):
        return (Context, (self.device_type, self.device_id))

    def __copy__(self) -> Context:
        return self

    def __deepcopy__(self, memo) -> Context:
        return self

    def empty_cache(self) -> None:
        """Release cached device memory (a no-op on CPU)."""
        if self.device_typeid == 2:
            from .backend import get_backend

            get_backend(self).empty_cache()


def cpu(device_id: int = 0) -> Context:
    """A CPU context. ``mx.cpu(1)`` is a second logical CPU device."""
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    """Page-locked host memory context (plain host memory in mxpy)."""
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    """A GPU context; arrays on it need CuPy and a visible device."""
    return Context("gpu", device_id)


_CPU0 = Context("cpu", 0)


def current_context() -> Context:
    """The context set by the innermost ``with mx.Context(...)``, else ``cpu(0)``."""
    return getattr(Context._default_ctx, "value", None) or _CPU0


def num_gpus() -> int:
    """Number of GPUs CuPy can see (0 when CuPy is not installed)."""
    from .backend import cupy_device_count

    return cupy_device_count()


def gpu_memory_info(device_id: int = 0) -> tuple[int, int]:
    """(free, total) bytes of GPU ``device_id``."""
    from .backend import get_backend

    return get_backend(gpu(device_id)).memory_info()
