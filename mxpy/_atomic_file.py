"""The one way mxpy writes a file: in full to a temporary file beside it, fsync, rename.

Every save in mxpy (``mx.nd.save``, ``Symbol.save``, checkpoints, optimizer
states) goes through :func:`atomic_write` or :func:`stage` + :func:`commit`, so

- a failed or interrupted save leaves the earlier file (or none), never a torn one;
- a new file gets the permissions a plain ``open(path, "w")`` would give it
  (``0o666`` less the umask), and an overwritten file keeps its own mode;
- a path that is a symlink is written through: the link stays, its target changes,
  as ``open()`` would do.

>>> import os, tempfile
>>> from mxpy._atomic_file import atomic_write
>>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
>>> atomic_write(path, [b"hello"], func="demo")
>>> open(path, "rb").read()
b'hello'
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable, Sequence

from .base import MXNetError

__all__ = ["atomic_write", "stage", "commit", "discard"]


def _error(func: str, path: str, e: OSError) -> MXNetError:
    return MXNetError(f"{func}: cannot write {path!r}: {e.strerror or e}")


def stage(path: str | os.PathLike, chunks: Iterable[bytes | memoryview], *, func: str = "save") -> tuple[str, str]:
    """Write ``chunks`` in full to a fsynced temporary file next to ``path``'s target.

    Returns ``(temp, target)`` for :func:`commit`; ``target`` is ``path`` with
    symlinks resolved. Raises ``MXNetError`` naming ``func`` and ``path`` when it
    cannot write; nothing is left behind then.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)  # write through a symlink, as open() does
    if os.path.isdir(target):
        raise MXNetError(f"{func}: cannot write {path!r}: it is a directory")
    folder = os.path.dirname(target) or "."
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    try:
        # 0o666 filtered by the umask, exactly what open(path, "w") creates
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:
        raise _error(func, path, e) from e
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileNotFoundError):
            # overwriting keeps the old file's mode, as writing it in place would
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _error(func, path, e) from e
        raise
    return tmp, target


def discard(staged: Sequence[tuple[str, str]]) -> None:
    """Remove staged temporary files that will not be committed."""
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def commit(staged: Sequence[tuple[str, str]], *, func: str = "save") -> None:
    """Rename each staged ``(temp, target)`` into place, in the order given, and fsync the folders."""
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as e:
        discard(staged)
        raise _error(func, staged[0][1], e) from e
    for folder in {os.path.dirname(target) or "." for _, target in staged}:
        _fsync_dir(folder)


def atomic_write(path: str | os.PathLike, chunks: Iterable[bytes | memoryview], *, func: str = "save") -> None:
    """Replace ``path`` with ``chunks`` atomically (see the module docstring)."""
    commit([stage(path, chunks, func=func)], func=func)


def _fsync_dir(folder: str) -> None:
    """Make the rename durable; not every platform can open a directory."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
