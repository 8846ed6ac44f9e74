"""Worker processes of ``DataLoader`` and the shared-memory hand-over of their batches.

A worker builds a batch, puts every large array into a POSIX shared-memory
segment and sends only a small description (name, shape, dtype) back through
a queue; the parent maps the segment, unlinks its name at once and wraps the
mapping as an NDArray without copying. The mapping is released when the last
array using it is freed. Small arrays (under ``_INLINE_BYTES``) and other
values travel inline, pickled.

``multiprocessing.shared_memory.SharedMemory`` registers every segment with
the resource tracker, which would unlink a worker's segments when the worker
exits and warn about "leaked" ones; this module opens the segments through the
same primitive (``_posixshmem``) without that bookkeeping, because the parent
takes ownership of each segment as soon as it arrives.
"""

from __future__ import annotations

import itertools
import mmap
import os
import traceback

import numpy as np

try:  # POSIX only; elsewhere batches are pickled whole
    import _posixshmem
except ImportError:  # pragma: no cover - Windows
    _posixshmem = None

_INLINE_BYTES = 1 << 14
_counter = itertools.count()

# Set in a worker process: allocates arrays whose memory is a shared segment.
_worker_alloc = None


class _Shm:
    """Description of an array in a shared segment (what crosses the queue)."""

    __slots__ = ("name", "shape", "dtype", "nd")

    def __init__(self, name, shape, dtype, nd):
        self.name, self.shape, self.dtype, self.nd = name, shape, dtype, nd

    def __getstate__(self):
        return (self.name, self.shape, self.dtype, self.nd)

    def __setstate__(self, state):
        self.name, self.shape, self.dtype, self.nd = state


def _new_segment(nbytes: int) -> tuple[str, mmap.mmap]:
    name = f"/mxpy-dl-{os.getpid()}-{next(_counter)}"
    fd = _posixshmem.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
    try:
        os.ftruncate(fd, max(nbytes, 1))
        mm = mmap.mmap(fd, max(nbytes, 1))
    finally:
        os.close(fd)
    return name, mm


class _SegmentPool:
    """The segments a worker made for the batch it is building (``id(array) -> name``)."""

    def __init__(self):
        self.names: dict[int, tuple[str, bool]] = {}
        self.maps: list[mmap.mmap] = []
        self.arrays: list[np.ndarray] = []

    def alloc(self, shape, dtype, nd: bool = False) -> np.ndarray:
        """An array in a new segment; ``nd`` makes it an NDArray in the parent."""
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        name, mm = _new_segment(nbytes)
        arr = np.frombuffer(mm, dtype=dtype, count=int(np.prod(shape, dtype=np.int64))).reshape(shape)
        self.names[id(arr)] = (name, nd)
        self.maps.append(mm)
        self.arrays.append(arr)
        return arr

    def export(self, obj):
        """Replace large arrays (NumPy or NDArray) in a nested batch by ``_Shm`` descriptions."""
        from ...ndarray import NDArray

        if isinstance(obj, NDArray):
            return self._array(obj.asnumpy(), nd=True)
        if isinstance(obj, np.ndarray):
            return self._array(obj, nd=False)
        if isinstance(obj, tuple):
            return tuple(self.export(x) for x in obj)
        if isinstance(obj, list):
            return [self.export(x) for x in obj]
        if isinstance(obj, dict):
            return {k: self.export(v) for k, v in obj.items()}
        return obj

    def _array(self, arr: np.ndarray, nd: bool):
        known = self.names.get(id(arr))
        if known is not None:
            return _Shm(known[0], arr.shape, arr.dtype.str, known[1] or nd)
        if arr.nbytes < _INLINE_BYTES or arr.dtype.hasobject:
            return ("__mxpy_nd__", arr) if nd else arr
        out = self.alloc(arr.shape, arr.dtype, nd)
        out[...] = arr
        return _Shm(self.names[id(out)][0], arr.shape, arr.dtype.str, nd)

    def release(self):
        """Drop this process's mappings (the names stay for the parent to open)."""
        self.arrays.clear()
        self.names.clear()
        for mm in self.maps:
            try:
                mm.close()
            except BufferError:  # a view still alive in user code: the mapping goes with it
                pass
        self.maps.clear()


def unlink_quietly(obj) -> None:
    """Unlink the segments named in an exported batch that will never be imported."""
    if isinstance(obj, _Shm):
        try:
            _posixshmem.shm_unlink(obj.name)
        except OSError:
            pass
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            unlink_quietly(x)
    elif isinstance(obj, dict):
        for x in obj.values():
            unlink_quietly(x)


def import_batch(obj):
    """Map the segments of an exported batch into NDArrays / NumPy arrays of this process (no copy)."""
    from ...ndarray.creation import array, from_numpy

    if isinstance(obj, _Shm):
        fd = _posixshmem.shm_open(obj.name, os.O_RDWR, mode=0o600)
        try:
            size = os.fstat(fd).st_size
            mm = mmap.mmap(fd, size)
        finally:
            os.close(fd)
            _posixshmem.shm_unlink(obj.name)
        dtype = np.dtype(obj.dtype)
        count = int(np.prod(obj.shape, dtype=np.int64))
        arr = np.frombuffer(mm, dtype=dtype, count=count).reshape(obj.shape)
        return from_numpy(arr) if obj.nd else arr
    if isinstance(obj, tuple):
        if len(obj) == 2 and isinstance(obj[0], str) and obj[0] == "__mxpy_nd__":
            return array(obj[1], dtype=obj[1].dtype)
        return tuple(import_batch(x) for x in obj)
    if isinstance(obj, list):
        return [import_batch(x) for x in obj]
    if isinstance(obj, dict):
        return {k: import_batch(v) for k, v in obj.items()}
    return obj


def worker_main(wid, dataset, batchify_fn, task_q, conn):
    """Loop of one worker process: (epoch, batch number, indices) in, (epoch, number, ok, payload) out."""
    global _worker_alloc
    # A forked child has none of the parent's engine threads: run ops inline here.
    from ... import engine

    engine._current = engine._make("NaiveEngine")
    use_shm = _posixshmem is not None
    while True:
        task = task_q.get()
        if task is None:
            break
        epoch, k, indices = task
        pool = _SegmentPool() if use_shm else None
        try:
            _worker_alloc = pool.alloc if pool is not None else None
            batch = batchify_fn([dataset[i] for i in indices])
            payload = pool.export(batch) if pool is not None else batch
            del batch
            conn.send((epoch, k, True, payload))
        except BaseException as e:  # noqa: BLE001 - reported to the parent with its traceback
            if pool is not None:
                for name, _ in pool.names.values():
                    unlink_quietly(_Shm(name, (), "u1", False))
            conn.send((epoch, k, False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))
        finally:
            _worker_alloc = None
            if pool is not None:
                pool.release()
