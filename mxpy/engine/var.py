"""Engine variables and failure records."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable

from ..base import MXNetError, error_kind

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Var:
    """One unit of dependency tracking (an NDArray chunk, a parameter...).

    ``busy`` counts pushed-but-unfinished operations that touch the Var; the
    engine may run an op inline only when every Var it touches has busy == 0.
    ``queue`` holds the (op, is_write) entries waiting for a grant,
    ``readers`` the granted reads still running, ``writing`` a granted write.
    ``version`` counts the writes finished so far (an engine bumps it when a
    write completes, never earlier: a read queued before a write must not see
    it), and ``derived`` holds what :func:`relaid` keeps for the Var.
    ``event`` is set only for GPU memory: the device event after the last op
    that touched the Var (see mxpy.backend.streams); waits sync on it.
    """

    __slots__ = ("busy", "queue", "readers", "writing", "failure", "version", "derived", "event", "__weakref__")

    def __init__(self) -> None:
        # readers and writing are set when the Var is first queued (see
        # ThreadedEngine._push_queued): most Vars never are, and creating a
        # Var is on every op's path.
        self.busy = 0
        self.queue: deque | None = None
        self.failure: Failure | None = None
        self.version = 0
        self.derived: tuple | object | None = None
        self.event = None


# Var.derived of memory that something outside the engine may write (a DLPack
# or __array__ alias, a zero-copy NumPy import): its version cannot be trusted
_ALIASED = object()


def mark_aliased(var: Var) -> None:
    """Record that ``var``'s memory can change without an engine write (no relaid copies)."""
    var.derived = _ALIASED


# Var.derived of a Var whose write count someone reads (write_count) but that relaid()
# keeps nothing for: not None, so that every write counts (see ThreadedEngine.push)
_COUNTED = (None, -1, None, None)


def write_count(var: Var) -> int | None:
    """How many engine writes of ``var`` have finished, or None when its memory may also
    change behind the engine (an aliased array): a stamp for values derived from it.

    Read it from a kernel that reads ``var`` under the engine's ordering (as :func:`relaid`).
    The first call makes the engine count every later write of ``var`` (it skips counting
    writes of Vars nobody derives anything from).

    >>> write_count(Var())
    0
    """
    entry = var.derived
    if entry is _ALIASED:
        return None
    if entry is None:
        var.derived = _COUNTED
    return var.version


def relaid(var: Var, data, make: Callable):
    """``data``, or a copy ``make(data)`` with the same shape and values in a layout a kernel reads faster.

    The copy is kept on the Var and reused while the Var's ``version`` stands
    still: every write goes through the engine, which bumps it as the write
    finishes (and memory written behind the engine's back is marked aliased,
    which turns this off). Under the engine's ordering, the version a kernel
    finds counts exactly the writes pushed before it. The first time a version is seen, ``data`` comes back as is and
    the version is noted; the copy is made when the same version shows up
    again. Arrays written between every two reads (weights in training)
    therefore never pay for a copy, while weights read over and over (inference)
    pay once. Call it from a kernel that reads ``data`` under the engine's
    ordering, so every write pushed before it has finished.

    >>> import numpy as np
    >>> v, w = Var(), np.ones((2, 3), np.float32)
    >>> relaid(v, w, np.asfortranarray) is w      # first sighting of version 0
    True
    >>> relaid(v, w, np.asfortranarray).flags.f_contiguous
    True
    """
    entry = var.derived
    if entry is _ALIASED:
        return data
    version = var.version
    if entry is not None and entry[0] is data and entry[1] == version and entry[2] is make:
        kept = entry[3]
        if kept is None:
            kept = make(data)
            var.derived = (data, version, make, kept)
        return kept
    var.derived = (data, version, make, None)
    return data


class Failure:
    """A kernel's exception, the op that raised it and where the user queued it.

    One Failure is shared by every Var it reaches (the op's writes and,
    through them, downstream writes). ``reported`` turns True once a wait has
    raised it: as in MXNet, an error is raised once, after which the Vars
    that carried it read (and feed later ops) normally.
    """

    __slots__ = ("op_name", "origin", "exc", "reported")

    def __init__(self, op_name: str, origin: str, exc: BaseException) -> None:
        self.op_name = op_name
        self.origin = origin
        self.exc = exc
        self.reported = False

    def error(self) -> MXNetError:
        exc = self.exc
        if isinstance(exc, MXNetError):
            text = str(exc)
        else:
            text = f"{type(exc).__name__}: {exc}"
        where = f" (pushed at {self.origin})" if self.origin else ""
        err = error_kind(exc)(f"{self.op_name}{where} failed: {text}")
        err.__cause__ = exc
        return err


def user_origin() -> str:
    """``file:line (function)`` of the innermost frame outside the mxpy package."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return "<unknown>"
    return f"{f.f_code.co_filename}:{f.f_lineno} ({f.f_code.co_name})"
