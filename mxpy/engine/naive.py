"""The synchronous engine: every op runs in the pushing thread at push time."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..backend.streams import RUNNERS
from ..base import MXNetError
from .var import Failure, Var, user_origin


class EngineBase:
    """Shared failure bookkeeping for both engines."""

    name = "base"

    def __init__(self) -> None:
        # failures not yet reported by wait_all, oldest first
        self._failures: list[Failure] = []

    def new_var(self) -> Var:
        return Var()

    def _fail(self, writes: Sequence[Var], failure: Failure) -> None:
        for v in writes:
            v.failure = failure
        if failure not in self._failures:
            self._failures.append(failure)

    def _take_var(self, var: Var) -> Failure | None:
        """The failure to raise for a wait on ``var`` (once: MXNet's WaitForVar clears it)."""
        failure = var.failure
        if failure is None:
            return None
        var.failure = None
        if failure.reported:
            return None
        # marking the shared record clears it for every Var that carries it
        failure.reported = True
        if failure in self._failures:
            self._failures.remove(failure)
        return failure

    def _take_all(self) -> Failure | None:
        """The oldest unreported failure; every pending one counts as reported after it."""
        first = None
        for f in self._failures:
            if not f.reported:
                f.reported = True
                if first is None:
                    first = f
        self._failures.clear()
        return first

    def _raise_var(self, var: Var) -> None:
        if var.failure is not None:
            failure = self._take_var(var)
            if failure is not None:
                raise failure.error()

    def _raise_all(self) -> None:
        if self._failures:
            failure = self._take_all()
            if failure is not None:
                raise failure.error()

    @staticmethod
    def _failed_input(reads: Sequence[Var]) -> Failure | None:
        for v in reads:
            f = v.failure
            if f is not None:
                if not f.reported:
                    return f
                v.failure = None  # already raised to the user: the Var reads normally again
        return None


class NaiveEngine(EngineBase):
    """Runs each op at push; for debugging and as the serial reference."""

    name = "NaiveEngine"

    def push(
        self,
        fn: Callable,
        args: tuple,
        reads: Sequence[Var],
        writes: Sequence[Var],
        ctx: object,
        name: str,
        cost: int = 0,
    ) -> None:
        for v in writes:  # the op finishes within this call: see Var.version and relaid()
            v.version += 1
        failed = self._failed_input(reads)
        if failed is not None:
            self._fail(writes, failed)
            return
        try:
            runner = RUNNERS.get(ctx) if RUNNERS else None
            if runner is None:
                fn(*args)
            else:
                runner.run(fn, args, reads, writes, name, user_origin())
        except Exception as e:
            self._fail(writes, Failure(name, user_origin(), e))

    def push_queued(self, fn: Callable, args: tuple, reads: Sequence[Var], writes: Sequence[Var], ctx: object, name: str) -> None:
        """Every op runs at push here, queued or not."""
        self.push(fn, args, reads, writes, ctx, name)

    def push_deferred(self, fn: Callable, args: tuple, reads: Sequence[Var], writes: Sequence[Var], ctx: object, name: str) -> object:
        """Runs at push here; returns a handle that :meth:`cancel_deferred` never drops."""
        self.push(fn, args, reads, writes, ctx, name)
        return None

    def run_now(
        self,
        fn: Callable,
        args: tuple,
        reads: Sequence[Var],
        writes: Sequence[Var],
        ctx: object,
        name: str,
        then: tuple | None = None,
        here: Callable[[], bool] | None = None,
        drop: object = None,
    ) -> object:
        """Not offered here (returns None, nothing pushed): the caller pushes as usual, which runs at once anyway."""
        return None

    def cancel_deferred(self, handle: object) -> bool:
        """Nothing is ever deferred here."""
        return False

    def wait_read(self, var: Var) -> None:
        self._raise_var(var)
        if var.event is not None:
            var.event.synchronize()

    wait_write = wait_read

    def wait_all(self) -> None:
        self._raise_all()
        sync_devices()

    def shutdown(self) -> None:
        return None

    def pending(self) -> int:
        return 0


def sync_devices() -> None:
    """Wait until every GPU with streams has run what was launched on it."""
    for runner in list(RUNNERS.values()):
        runner.synchronize()


def _check_name(name: str) -> None:
    if name not in ("NaiveEngine", "ThreadedEngine", "ThreadedEnginePerDevice"):
        raise MXNetError(f"MXNET_ENGINE_TYPE: unknown engine {name!r}; expected NaiveEngine, ThreadedEngine or ThreadedEnginePerDevice")
