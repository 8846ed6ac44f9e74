"""mxpy's glibc malloc settings (mxpy/backend/host_memory.py): applied once, skippable, never over the user's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mxpy.backend import host_memory as hm


class _FakeLibc:
    def __init__(self, result: int = 1) -> None:
        self.calls: list[tuple[int, int]] = []
        self.result = result

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return self.result


def test_sets_both_thresholds():
    libc = _FakeLibc()
    assert hm.tune_host_allocator(environ={}, libc=libc) is True
    assert libc.calls == [(-3, 32 << 20), (-1, 128 << 20)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD


@pytest.mark.parametrize(
    "env",
    [
        {"MXPY_TUNE_MALLOC": "0"},
        {"MXPY_TUNE_MALLOC": "off"},
        {"MALLOC_TRIM_THRESHOLD_": "1"},
        {"MALLOC_MMAP_THRESHOLD_": "1"},
        {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=1"},
    ],
)
def test_leaves_the_allocator_alone_when_told_or_tuned(env):
    libc = _FakeLibc()
    assert hm.tune_host_allocator(environ=env, libc=libc) is False
    assert libc.calls == []


def test_reports_a_refusal():
    assert hm.tune_host_allocator(environ={}, libc=_FakeLibc(result=0)) is False


_MMAPPED_AFTER_1MB = """
import ctypes, numpy as np, mxpy

class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
before = libc.mallinfo2().hblkhd
a = np.ones(1 << 18, np.float32)  # 1 MB, above glibc's initial 128 KB mmap threshold
print(libc.mallinfo2().hblkhd - before)
"""


@pytest.mark.skipif(hm._glibc() is None or not hasattr(hm._glibc(), "mallinfo2"), reason="needs glibc >= 2.33")
@pytest.mark.parametrize("tune", ["1", "0"])
def test_import_keeps_megabyte_buffers_in_the_heap(tune):
    """After ``import mxpy`` a 1 MB buffer comes from the heap (no new mmap); with the opt-out it is mmapped."""
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")}
    env["MXPY_TUNE_MALLOC"] = tune
    out = subprocess.run([sys.executable, "-c", _MMAPPED_AFTER_1MB], capture_output=True, text=True, check=True, env=env).stdout
    mmapped = int(out.strip())
    if tune == "1":
        assert mmapped == 0
    else:
        assert mmapped >= 1 << 20
