"""``mx.recordio``: MXNet's RecordIO container (``.rec``), its text index (``.idx``) and image records.

The byte layout is dmlc-core's: every part of a record starts with the magic
``0xCED7230A`` and a 32-bit word holding a 3-bit continuation flag and a 29-bit
length, and its payload is zero-padded to a multiple of 4. A payload that
contains the magic word at a 4-byte-aligned offset is written as several parts
(the magic itself is dropped and restored on reading), so a reader can always
resynchronise on the magic. Files written here are byte-identical to MXNet's.

>>> import mxpy as mx
>>> w = mx.recordio.MXRecordIO("tmp.rec", "w")                        # doctest: +SKIP
>>> w.write(b"record_0"); w.close()                                    # doctest: +SKIP
>>> mx.recordio.MXRecordIO("tmp.rec", "r").read()                      # doctest: +SKIP
b'record_0'
"""

from __future__ import annotations

import numbers
import os
import queue
import struct
import threading
from collections import namedtuple
from multiprocessing import current_process

import numpy as np

from . import _atomic_file
from .base import MXNetError

__all__ = ["MXRecordIO", "MXIndexedRecordIO", "IRHeader", "pack", "unpack", "pack_img", "unpack_img"]

_MAGIC = 0xCED7230A
_MAGIC_BYTES = struct.pack("<I", _MAGIC)
_MAX_LEN = 1 << 29


def _uri_str(uri) -> str:
    if isinstance(uri, bytes):
        return uri.decode("utf-8")
    return os.fspath(uri)


class _AtomicStream:
    """A file written as a stream but appearing atomically: chunks go to a temporary file beside
    ``path`` (through ``_atomic_file.stage`` on a helper thread) and ``close`` renames it into place."""

    def __init__(self, path: str, func: str):
        self._q: queue.Queue = queue.Queue(maxsize=256)
        self._staged = None
        self._error: BaseException | None = None
        self.pos = 0
        self._thread = threading.Thread(target=self._run, args=(path, func), name="mxpy-recordio-writer", daemon=True)
        self._thread.start()

    def _chunks(self):
        while (chunk := self._q.get()) is not None:
            yield chunk

    def _run(self, path, func):
        try:
            self._staged = _atomic_file.stage(path, self._chunks(), func=func)
        except BaseException as e:  # noqa: BLE001 - re-raised on the writing thread
            self._error = e
            while self._q.get() is not None:  # let the writer finish
                pass

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._q.put(data)
        self.pos += len(data)

    def finish(self):
        """Wait for the temporary file; returns its (temp, target) pair for ``_atomic_file.commit``."""
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._staged


class MXRecordIO:
    """Sequential reader (``flag='r'``) or writer (``flag='w'``) of a RecordIO file.

    >>> w = MXRecordIO("tmp.rec", "w")                                 # doctest: +SKIP
    >>> for i in range(3):
    ...     w.write(b"record_%d" % i)                                  # doctest: +SKIP
    >>> w.close()                                                      # doctest: +SKIP
    >>> r = MXRecordIO("tmp.rec", "r"); r.read()                       # doctest: +SKIP
    b'record_0'
    """

    def __init__(self, uri, flag):
        self.uri = _uri_str(uri)
        self.flag = flag
        self.pid = None
        self.is_open = False
        self._f = None
        self.open()

    # -- life cycle -------------------------------------------------------------------------
    def open(self):
        """Open the file (``'w'`` truncates it)."""
        if self.flag == "w":
            # Records stream into a temporary file; close() renames it into place (mxpy writes files atomically).
            self._f = _AtomicStream(self.uri, "MXRecordIO")
            self.writable = True
        elif self.flag == "r":
            try:
                self._f = open(self.uri, "rb")
            except OSError as e:
                raise MXNetError(f"MXRecordIO: cannot open {self.uri!r} for reading: {e.strerror or e}") from e
            self.writable = False
            self._size = os.fstat(self._f.fileno()).st_size
        else:
            raise ValueError(f"MXRecordIO: invalid flag {self.flag!r}; expected 'r' or 'w'")
        self.pid = current_process().pid
        self.is_open = True

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getstate__(self):
        # A worker process reopens the file by name; the handle itself is not pickled.
        is_open = self.is_open
        self.close()
        d = dict(self.__dict__)
        d["is_open"] = is_open
        d["_f"] = None
        return d

    def __setstate__(self, d):
        self.__dict__ = d
        is_open = d["is_open"]
        self.is_open = False
        if is_open:
            self.open()

    def _check_pid(self, allow_reset=False):
        if self.pid != current_process().pid:
            if allow_reset:
                self.reset()
            else:
                raise RuntimeError("MXRecordIO: forbidden operation in multiple processes; reopen the file in this process")

    def close(self):
        """Close the file (a writer's file appears, complete, at this point)."""
        if not self.is_open:
            return
        self.is_open = False
        self.pid = None
        f, self._f = self._f, None
        if self.writable:
            _atomic_file.commit(self._staged_files(f), func="MXRecordIO")
        else:
            f.close()

    def _staged_files(self, f):
        return [f.finish()]

    def reset(self):
        """Go back to the first record (a writer truncates the file)."""
        self.close()
        self.open()

    # -- records ----------------------------------------------------------------------------
    def write(self, buf):
        """Append ``buf`` (bytes) as one record.

        >>> w = MXRecordIO("tmp.rec", "w"); w.write(b"abc")            # doctest: +SKIP
        """
        if not self.writable:
            raise MXNetError(f"MXRecordIO.write: {self.uri!r} is open for reading")
        self._check_pid(allow_reset=False)
        self._f.write(_encode_record(bytes(buf), "MXRecordIO.write"))

    def read(self):
        """The next record as bytes, or None at the end of the file.

        >>> MXRecordIO("tmp.rec", "r").read()                          # doctest: +SKIP
        b'abc'
        """
        if self.writable:
            raise MXNetError(f"MXRecordIO.read: {self.uri!r} is open for writing")
        self._check_pid(allow_reset=False)
        return _read_record(self._f, self._size, self.uri)


def _encode_record(data: bytes, owner: str) -> bytes:
    n = len(data)
    if n >= _MAX_LEN:
        raise MXNetError(f"{owner}: a record holds less than 2^29 bytes, given {n}")
    out = []
    start = 0
    # Split at every 4-byte-aligned occurrence of the magic, as dmlc's writer does.
    pos = data.find(_MAGIC_BYTES)
    lower = n - n % 4
    while pos != -1:
        if pos % 4 == 0 and pos < lower:
            out.append(_MAGIC_BYTES)
            out.append(struct.pack("<I", ((1 if start == 0 else 2) << 29) | (pos - start)))
            out.append(data[start:pos])
            start = pos + 4
            pos = data.find(_MAGIC_BYTES, start)
        else:
            pos = data.find(_MAGIC_BYTES, pos + 1)
    out.append(_MAGIC_BYTES)
    out.append(struct.pack("<I", ((3 if start != 0 else 0) << 29) | (n - start)))
    out.append(data[start:])
    pad = (-n) % 4
    if pad:
        out.append(b"\0" * pad)
    return b"".join(out)


def _read_record(f, size: int, uri: str):
    """Read one (possibly multi-part) record from ``f``; None at a clean end of file."""
    parts = []
    while True:
        offset = f.tell()
        head = f.read(8)
        if not head and not parts:
            return None
        if len(head) < 8:
            raise MXNetError(f"MXRecordIO: {uri!r} is truncated at offset {offset}: {len(head)} bytes where a record header of 8 was expected")
        magic, lrec = struct.unpack("<II", head)
        if magic != _MAGIC:
            raise MXNetError(f"MXRecordIO: {uri!r} is corrupt at offset {offset}: magic {magic:#010x}, expected {_MAGIC:#010x}")
        cflag, length = lrec >> 29, lrec & (_MAX_LEN - 1)
        padded = (length + 3) & ~3
        # Check the declared length against the bytes left before reading anything.
        if padded > size - offset - 8:
            raise MXNetError(
                f"MXRecordIO: {uri!r} is truncated at offset {offset}: the record declares {length} bytes, only {max(size - offset - 8, 0)} remain"
            )
        if parts and cflag not in (2, 3):
            raise MXNetError(f"MXRecordIO: {uri!r} is corrupt at offset {offset}: continuation flag {cflag} inside a multi-part record")
        if not parts and cflag in (2, 3):
            raise MXNetError(f"MXRecordIO: {uri!r} is corrupt at offset {offset}: a record starts with continuation flag {cflag}")
        body = f.read(padded)
        parts.append(body[:length] if padded != length else body)
        if cflag in (0, 3):
            break
        parts.append(_MAGIC_BYTES)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read_record_at(fd: int, offset: int, size: int, uri: str) -> bytes:
    """The record starting at byte ``offset`` of the open file descriptor ``fd`` (``size`` bytes long).

    Uses ``os.pread``, so threads may share one descriptor.
    """
    parts = []
    pos = offset
    while True:
        head = os.pread(fd, 8, pos)
        if len(head) < 8:
            raise MXNetError(f"MXRecordIO: {uri!r} is truncated at offset {pos}: {len(head)} bytes where a record header of 8 was expected")
        magic, lrec = struct.unpack("<II", head)
        if magic != _MAGIC:
            raise MXNetError(f"MXRecordIO: {uri!r} is corrupt at offset {pos}: magic {magic:#010x}, expected {_MAGIC:#010x}")
        cflag, length = lrec >> 29, lrec & (_MAX_LEN - 1)
        if ((length + 3) & ~3) > size - pos - 8:
            raise MXNetError(f"MXRecordIO: {uri!r} is truncated at offset {pos}: the record declares {length} bytes, only {max(size - pos - 8, 0)} remain")
        parts.append(os.pread(fd, length, pos + 8))
        pos += 8 + ((length + 3) & ~3)
        if cflag in (0, 3):
            break
        parts.append(_MAGIC_BYTES)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class MXIndexedRecordIO(MXRecordIO):
    """RecordIO with random access through a text index of ``key\\toffset`` lines.

    >>> w = MXIndexedRecordIO("tmp.idx", "tmp.rec", "w")               # doctest: +SKIP
    >>> for i in range(3):
    ...     w.write_idx(i, b"record_%d" % i)                           # doctest: +SKIP
    >>> w.close()                                                      # doctest: +SKIP
    >>> MXIndexedRecordIO("tmp.idx", "tmp.rec", "r").read_idx(2)       # doctest: +SKIP
    b'record_2'
    """

    def __init__(self, idx_path, uri, flag, key_type=int):
        self.idx_path = _uri_str(idx_path)
        self.idx = {}
        self.keys = []
        self.key_type = key_type
        self.fidx = None
        super().__init__(uri, flag)

    def open(self):
        super().open()
        self.idx = {}
        self.keys = []
        if self.writable:
            self.fidx = _AtomicStream(self.idx_path, "MXIndexedRecordIO")
            return
        try:
            self.fidx = open(self.idx_path)
        except OSError as e:
            super().close()
            raise MXNetError(f"MXIndexedRecordIO: cannot open index {self.idx_path!r}: {e.strerror or e}") from e
        if not self.writable:
            for lineno, line in enumerate(self.fidx, 1):
                fields = line.strip().split("\t")
                if fields == [""]:
                    continue
                try:
                    key = self.key_type(fields[0])
                    pos = int(fields[1])
                except (ValueError, IndexError) as e:
                    raise MXNetError(f"MXIndexedRecordIO: index {self.idx_path!r} line {lineno} is not 'key<TAB>offset': {line.rstrip()!r}") from e
                if pos < 0 or pos > self._size:
                    raise MXNetError(f"MXIndexedRecordIO: index {self.idx_path!r} line {lineno} gives offset {pos} outside {self.uri!r} ({self._size} bytes)")
                self.idx[key] = pos
                self.keys.append(key)

    def close(self):
        """Close the record and index files (a writer's two files appear together)."""
        if not self.is_open:
            return
        fidx = self.fidx
        if self.writable:
            self._idx_stream = fidx
        super().close()
        if not self.writable:
            fidx.close()

    def _staged_files(self, f):
        return [f.finish(), self._idx_stream.finish()]

    def __getstate__(self):
        d = super().__getstate__()
        d["fidx"] = None
        return d

    def seek(self, idx):
        """Move the read position to the record with key ``idx``."""
        if self.writable:
            raise MXNetError(f"MXIndexedRecordIO.seek: {self.uri!r} is open for writing")
        self._check_pid(allow_reset=True)
        try:
            pos = self.idx[idx]
        except KeyError:
            raise KeyError(f"MXIndexedRecordIO: key {idx!r} is not in index {self.idx_path!r}") from None
        self._f.seek(pos)

    def tell(self):
        """Byte offset where the next record will be written.

        >>> MXIndexedRecordIO("tmp.idx", "tmp.rec", "w").tell()        # doctest: +SKIP
        0
        """
        if not self.writable:
            raise MXNetError(f"MXIndexedRecordIO.tell: {self.uri!r} is open for reading")
        return self._f.pos

    def read_idx(self, idx):
        """The record with key ``idx``."""
        self.seek(idx)
        return self.read()

    def write_idx(self, idx, buf):
        """Append ``buf`` as the record with key ``idx`` and index it."""
        key = self.key_type(idx)
        pos = self.tell()
        self.write(buf)
        self.fidx.write(f"{key}\t{pos}\n".encode())
        self.idx[key] = pos
        self.keys.append(key)


IRHeader = namedtuple("HEADER", ["flag", "label", "id", "id2"])
IRHeader.__doc__ = """Header of an image record: ``flag`` (number of float labels when ``label`` is
an array, else 0), ``label`` (a number or an array of float32), ``id`` and ``id2`` (uint64).

>>> IRHeader(0, 3.0, 7, 0).label
3.0
"""

_IR_FORMAT = "IfQQ"
_IR_SIZE = struct.calcsize(_IR_FORMAT)


def pack(header, s):
    """Prefix the bytes ``s`` with an image-record header (an array label goes before ``s``).

    >>> h, body = unpack(pack(IRHeader(0, [1.0, 2.0], 5, 0), b"xyz"))
    >>> h.flag, list(h.label), h.id, body
    (2, [1.0, 2.0], 5, b'xyz')
    """
    header = IRHeader(*header)
    if isinstance(header.label, numbers.Number):
        header = header._replace(flag=0)
    else:
        label = np.asarray(header.label, dtype=np.float32)
        header = header._replace(flag=label.size, label=0)
        s = label.tobytes() + bytes(s)
    return struct.pack(_IR_FORMAT, *header) + bytes(s)


def unpack(s):
    """Split a record into its ``IRHeader`` and the remaining bytes.

    >>> unpack(pack(IRHeader(0, 4.0, 1, 0), b"img"))
    (HEADER(flag=0, label=4.0, id=1, id2=0), b'img')
    """
    if len(s) < _IR_SIZE:
        raise MXNetError(f"recordio.unpack: a record holds at least a {_IR_SIZE}-byte header, given {len(s)} bytes")
    header = IRHeader(*struct.unpack(_IR_FORMAT, s[:_IR_SIZE]))
    s = s[_IR_SIZE:]
    if header.flag > 0:
        if header.flag * 4 > len(s):
            raise MXNetError(f"recordio.unpack: the header declares {header.flag} float labels ({header.flag * 4} bytes), only {len(s)} bytes follow")
        header = header._replace(label=np.frombuffer(s, np.float32, header.flag))
        s = s[header.flag * 4 :]
    return header, s


def _cv2(owner: str):
    try:
        import cv2
    except ImportError as e:
        raise MXNetError(f"{owner} needs OpenCV: pip install 'mxpy[image]' (opencv-python-headless)") from e
    return cv2


def unpack_img(s, iscolor=-1):
    """Split a record into its header and the image decoded by OpenCV (BGR, as ``cv2.imdecode``).

    >>> header, img = unpack_img(record)                               # doctest: +SKIP
    """
    cv2 = _cv2("recordio.unpack_img")
    header, s = unpack(s)
    img = cv2.imdecode(np.frombuffer(s, dtype=np.uint8), iscolor)
    if img is None:
        raise MXNetError(f"recordio.unpack_img: the record (id {header.id}) does not hold a decodable image")
    return header, img


def pack_img(header, img, quality=95, img_fmt=".jpg"):
    """Encode ``img`` (an HxW or HxWxC uint8 array, BGR) with OpenCV and pack it with ``header``.

    ``quality`` is the JPEG quality (1-100) or the PNG compression level (0-9).

    >>> s = pack_img(IRHeader(0, 1.0, 0, 0), np.zeros((4, 4, 3), np.uint8), img_fmt=".png")  # doctest: +SKIP
    """
    cv2 = _cv2("recordio.pack_img")
    fmt = img_fmt.upper()
    params = None
    if fmt in (".JPG", ".JPEG"):
        params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    elif fmt == ".PNG":
        params = [cv2.IMWRITE_PNG_COMPRESSION, quality]
    ok, buf = cv2.imencode(img_fmt, np.asarray(img), params)
    if not ok:
        raise MXNetError(f"recordio.pack_img: OpenCV could not encode the image as {img_fmt!r}")
    return pack(header, buf.tobytes())
