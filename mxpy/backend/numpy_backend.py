"""The CPU backend: NumPy arrays in host memory."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np


class Backend:
    """What the runtime needs from a device kind.

    ``xp`` is the array module; ``device()`` is a context manager that makes
    the device current for the calling thread (a no-op on CPU).
    """

    name = "numpy"
    xp = np
    is_gpu = False

    def empty(self, shape, dtype):
        return np.empty(shape, dtype)

    def from_host(self, host: np.ndarray):
        """Copy (or, on CPU, adopt) a host array into device memory."""
        return host

    def to_host(self, arr) -> np.ndarray:
        return arr

    def copy_from_host(self, dst, host: np.ndarray) -> None:
        """Write host values into the existing device array ``dst`` (same shape)."""
        np.copyto(dst, host, casting="unsafe")

    def device(self):
        return nullcontext()

    def synchronize(self) -> None:
        return None

    def memory_info(self) -> tuple[int, int]:
        import os

        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        return avail, pages

    def empty_cache(self) -> None:
        return None


NUMPY_BACKEND = Backend()
