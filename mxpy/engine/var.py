"""Engine variables and failure records."""

from __future__ import annotations

import os
import sys
from collections import deque

from ..base import MXNetError

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Var:
    """One unit of dependency tracking (an NDArray chunk, a parameter...).

    ``busy`` counts pushed-but-unfinished operations that touch the Var; the
    engine may run an op inline only when every Var it touches has busy == 0.
    ``queue`` holds the (op, is_write) entries waiting for a grant,
    ``readers`` the granted reads still running, ``writing`` a granted write.
    """

    __slots__ = ("busy", "queue", "readers", "writing", "failure", "__weakref__")

    def __init__(self) -> None:
        # readers and writing are set when the Var is first queued (see
        # ThreadedEngine._push_queued): most Vars never are, and creating a
        # Var is on every op's path.
        self.busy = 0
        self.queue: deque | None = None
        self.failure: Failure | None = None


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
        err = MXNetError(f"{self.op_name} (pushed at {self.origin}) failed: {text}")
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
