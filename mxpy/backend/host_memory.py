"""How the process allocator treats mxpy's host buffers (glibc's ``mallopt``).

NumPy takes every array buffer from ``malloc``. glibc serves buffers above
its mmap threshold (128 KB at start, raised as such buffers are freed) with
fresh ``mmap`` calls, and gives freed memory at the top of the heap back to
the OS once it exceeds the trim threshold. A training step allocates and
frees a steady set of buffers of a few hundred KB to a few MB (batch copies,
temporaries, gradients), so under the defaults many of them come back as
new pages that fault on first write, and the unmapping of the old ones
interrupts every CPU the process runs on. With OpenBLAS's threads active on
the other cores (any default-threads run) that costs a lot: on the 2-vCPU
test box, Module.fit of the benchmark MLP ran 0.96-0.98 ms/batch under
glibc's defaults and 0.85 ms with the settings below; LeNet training
17.6-21.8 ms against 16.4-16.8 ms (at one BLAS thread it made no
difference).

:func:`tune_host_allocator` (run once when mxpy is imported) raises the mmap
threshold to 32 MB (glibc's own ceiling for its adaptive threshold) and the
trim threshold to 128 MB, so buffers below 32 MB are reused from the heap and
at most 128 MB of freed heap stays with the process. It changes the
allocator of the whole process; set ``MXPY_TUNE_MALLOC=0`` to leave it
alone. It also does nothing when the allocator is not glibc's, or when the
user has set glibc's own ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_``
or ``GLIBC_TUNABLES``.
"""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as np

# mallopt parameter numbers from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 128 << 20

_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def _glibc():
    """The process's C library when it is glibc, else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    return libc if hasattr(libc, "gnu_get_libc_version") else None  # glibc only (not musl)


def tune_host_allocator(environ=None, libc=None) -> bool:
    """Keep host buffers below 32 MB in the heap between uses (see the module docstring).

    Returns whether the allocator was changed.

    >>> tune_host_allocator(environ={"MXPY_TUNE_MALLOC": "0"})
    False
    """
    env = os.environ if environ is None else environ
    if env.get("MXPY_TUNE_MALLOC", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if any(name in env for name in _USER_SETTINGS):
        return False  # the user tuned glibc already
    libc = libc if libc is not None else _glibc()
    if libc is None:
        return False
    # mallopt returns 1 on success; setting either one also stops glibc's adaptive threshold
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


# Cache-line size of current x86 and Arm server cores; also AVX-512's vector width.
ALIGNMENT = 64


def empty_aligned(shape, dtype, order: str = "C") -> np.ndarray:
    """An uninitialised host array whose first element sits on a 64-byte boundary.

    glibc's ``malloc`` returns 16-byte-aligned memory, and OpenBLAS packs a product's
    right-hand operand 1-2% faster from a 64-byte boundary (the inference weights
    of the benchmark MLP: 255.6 against 259-260 us for ``(128, 784) @ (784, 128)``
    at one thread). Worth it for buffers allocated once and read many times;
    the extra slicing is not worth it for every small array.

    >>> a = empty_aligned((3, 5), np.float32, order="F")
    >>> a.ctypes.data % ALIGNMENT, a.shape, a.flags.f_contiguous
    (0, (3, 5), True)
    """
    dtype = np.dtype(dtype)
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.empty(count * dtype.itemsize + ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % ALIGNMENT
    flat = raw[start : start + count * dtype.itemsize].view(dtype)
    return flat.reshape(shape, order=order)
