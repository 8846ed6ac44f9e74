"""The MPI side of the distributed stores: the process group, checked transfers, failure handling.

mpi4py is imported here and only here (``pip install mxpy[dist]`` brings it
with Open MPI). A process started without ``mpirun`` (or ``python -m
mxpy.launch``) is a world of one rank, where every transfer is a local copy.

Every transfer runs as an engine op on one communication worker (its own
engine queue), so ``push``/``pull`` return at once and the transfer overlaps
whatever the compute workers and the Python thread do; a thread that waits
for a transfer the worker has not started runs it itself (the engine's
claimable ops). MPI collectives must be entered in the same order on every
rank; all transfer ops of a :class:`Group` also write one ordering Var, so
they run in push order, which is program order and so the same on every rank.

Before the data, each transfer exchanges a small header (sequence number and
a code of func, key, shape, dtype) with every rank. A mismatch (workers
pushing different keys, shapes or dtypes at the same step) fails the op on
every rank with a message naming the key and the ranks. Waiting for that
header polls with a growing sleep instead of spinning: a rank that is ahead
(its peers still computing) should not burn a core those peers need.

A rank that dies ends the job (mpirun stops the rest). Under MPI's fault
tolerance (ULFM, ``--mpi-args "--with-ft ulfm"``) the job goes on:
:meth:`Group.failed_ranks` lists the dead ranks (``num_dead_node``), and a
transfer or barrier that meets one fails naming it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
import zlib

import numpy as np

from .. import engine as _eng
from ..base import MXNetError
from ..engine.var import Var

__all__ = ["Group", "mpi", "world"]

_INSTALL_HINT = "pip install mxpy[dist]"


def mpi():
    """The ``mpi4py.MPI`` module, or an MXNetError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise MXNetError(f"the distributed kvstore needs mpi4py and an MPI library ({e}); install them with: {_INSTALL_HINT}") from e
    return MPI


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def count_dead(group: Group, node_id: int, timeout, func: str = "KVStore.num_dead_node", servers: tuple = ()) -> int:
    """MXNet's ``num_dead_node``: how many of the nodes ``node_id`` names are dead.

    ``node_id`` is a ps-lite group (1 scheduler, 2 servers, 4 workers, or a
    sum of them) or one node (server ``r`` is ``8 + 2r``, worker ``r`` is
    ``9 + 2r``). Every rank is a worker; ``servers`` are the ranks that also
    serve (rank 0 in ``dist_async``); there is no scheduler. MPI's runtime
    notices a dead process by itself, within about a second, so ``timeout``
    (MXNet's heartbeat age) is checked but not needed.
    """
    if not isinstance(node_id, int) or isinstance(node_id, bool) or node_id < 0:
        raise TypeError(f"{func}: node_id must be a non-negative int (1 scheduler, 2 servers, 4 workers, 8+2r server r, 9+2r worker r), given {node_id!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
        raise TypeError(f"{func}: timeout must be a non-negative number of seconds, given {timeout!r}")
    dead = set(group.failed_ranks())
    if not dead:
        return 0
    if node_id < 8:
        return (len(dead) if node_id & 4 else 0) + (len(dead.intersection(servers)) if node_id & 2 else 0)
    rank, is_worker = (node_id - 8) // 2, node_id % 2 == 1
    return int(rank in dead and (is_worker or rank in servers))


def bigarray_bound() -> int:
    """Elements per transfer piece: ``MXNET_KVSTORE_BIGARRAY_BOUND`` (MXNet's knob, default 1,000,000)."""
    try:
        return max(1, int(os.environ.get("MXNET_KVSTORE_BIGARRAY_BOUND", 1000 * 1000)))
    except ValueError:
        return 1000 * 1000


class _CommKey:
    """The engine queue of communication ops (one worker thread, apart from the CPU workers)."""

    device_typeid = 2  # the engine gives such a key a single worker
    device_type = "mpi"

    def __repr__(self) -> str:
        return "mpi-comm"


COMM_KEY = _CommKey()
# Written by every communication op of every group: they run one at a time in push order, and an
# idle ALL means that no transfer is pending anywhere (see Group.run_now).
ALL = Var()
_world_lock = threading.Lock()
_world: dict = {}


def world():
    """``(MPI, COMM_WORLD)``, initialising MPI and installing the rank-aware exit hooks once."""
    with _world_lock:
        if not _world:
            MPI = mpi()
            comm = MPI.COMM_WORLD
            if MPI.Query_thread() < MPI.THREAD_MULTIPLE:
                raise MXNetError(
                    "the distributed kvstore needs MPI_THREAD_MULTIPLE (transfers run on an engine worker); "
                    f"this MPI gives thread level {MPI.Query_thread()}. Use Open MPI from {_INSTALL_HINT}"
                )
            _world.update(MPI=MPI, comm=comm)
            if comm.Get_size() > 1:
                _install_exit_hooks(MPI, comm)
        return _world["MPI"], _world["comm"]


def _install_exit_hooks(MPI, comm) -> None:
    """An uncaught error on one rank ends the job instead of leaving the others waiting.

    The hook prints the traceback with the rank, gives the other ranks a few
    seconds to report the same error (a mismatch fails on every rank), then
    leaves without MPI_Finalize (which would wait for ranks blocked in a
    transfer); mpirun then stops the rest of the job.
    """
    rank = comm.Get_rank()
    grace = _env_float("MXPY_KVSTORE_ERROR_GRACE", 3.0)
    exit_comm = comm.Dup()
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if exc_type is KeyboardInterrupt:
            previous(exc_type, exc, tb)
        else:
            lines = "".join(traceback.format_exception(exc_type, exc, tb)).splitlines()
            sys.stderr.write("".join(f"[rank {rank}] {line}\n" for line in lines))
            sys.stderr.write(f"[rank {rank}] mxpy: rank {rank} of {comm.Get_size()} failed; stopping the job\n")
        sys.stderr.flush()
        sys.stdout.flush()
        try:
            req = exit_comm.Ibarrier()
            deadline = time.monotonic() + grace
            while not req.Test() and time.monotonic() < deadline:
                time.sleep(0.01)
        except MPI.Exception:  # a rank died (a job run with MPI's fault tolerance)
            pass
        os._exit(1)

    sys.excepthook = hook


def wait_polling(req, what: str, timeout: float, rank: int):
    """Wait for MPI request ``req``: spin for 0.1 ms, then sleep in growing steps (up to 2 ms)."""
    if req.Test():
        return
    start = time.perf_counter()
    spin_until = start + 1e-4  # a short spin: a Python loop here competes for the GIL with the compute thread
    delay = 2e-5
    while not req.Test():
        now = time.perf_counter()
        if now > spin_until:
            if now - start > timeout:  # (a collective request cannot be cancelled: the job ends anyway)
                raise MXNetError(f"{what}: rank {rank} waited {timeout:.0f} s for the other ranks (MXPY_KVSTORE_TIMEOUT); a rank is stuck or has left the job")
            time.sleep(delay)
            delay = min(delay * 2, 2e-3)


class _Header:
    """One transfer's header: what this rank is about to do, and the exchange that compares it with every rank's.

    ``mine`` holds this rank's header repeated once per rank, the bytes ``every`` must equal.
    """

    __slots__ = ("func", "key", "shape", "dtype", "seq", "req", "mine", "every", "group")

    def __init__(self, func: str, key, shape: tuple, dtype, seq: int, group: Group | None = None) -> None:
        self.func, self.key, self.shape, self.dtype, self.seq = func, key, tuple(shape), dtype, seq
        self.req = None
        self.group = group

    def arrived(self) -> bool:
        """Post this header (the caller holds the group's order) and say whether every rank's is already there."""
        group = self.group
        try:
            group.post(self)
            req = self.req
            # (Open MPI's persistent allgather takes a second test to finish once every rank's part is in)
            if req is None or req.Test() or req.Test():
                self.req = None  # nothing left to wait for: check_header only compares
                return True
            return False
        except group.MPI.Exception as e:
            raise group.lost(f"KVStore.{self.func}({self.key!r})", e) from e


class Group:
    """One store's view of the MPI world: its own communicators and transfer order.

    Creating a Group is collective (it duplicates COMM_WORLD), so every rank
    must create its stores in the same order, as the same script does.
    """

    def __init__(self) -> None:
        self.MPI, base = world()
        self.comm = base.Dup()  # data
        self.ctrl = base.Dup()  # transfer headers
        self.sync = base.Dup()  # barriers and the names behind a header mismatch
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.order = Var()  # written by every transfer op: program order on every rank
        self.seq = 0
        self.timeout = _env_float("MXPY_KVSTORE_TIMEOUT", 600.0)
        self._codes: dict = {}  # (func, key, shape, dtype) -> its header code
        self._mine = np.zeros(2, np.int64)  # this rank's header: sequence number, code
        self._every = np.zeros((self.size, 2), np.int64)
        self._now_header = _Header("", None, (), None, 0, self)
        self.bound = bigarray_bound()  # elements per transfer piece, read once (MXNet reads it at start-up)
        # One header is in flight at a time (its op holds the order Var), always in these two
        # buffers: a persistent allgather (MPI 4) saves setting up a collective each transfer.
        self._header_req = None
        if self.size > 1:
            try:
                self._header_req = self.ctrl.Allgather_init(self._mine, self._every)
            except (AttributeError, NotImplementedError, self.MPI.Exception):  # an MPI before 4.0
                pass

    # -- engine ops ------------------------------------------------------------------------
    def push_op(self, fn, args: tuple, reads, writes, name: str) -> None:
        """Queue ``fn(*args)`` on the communication worker, in program order with this group's other transfers.

        A thread that waits on one of ``writes`` before the worker started
        the op runs it itself (``engine.push_queued``).
        """
        _eng.get().push_queued(fn, args, tuple(reads), (*writes, self.order, ALL), COMM_KEY, name)

    def transfer(self, fn, args: tuple, reads: tuple, writes: tuple, name: str, func: str, key, shape: tuple, dtype) -> None:
        """Queue the next transfer: ``fn(*args)`` once every rank is doing ``func`` on the same key, shape and dtype.

        An engine op on the communication worker, like :meth:`push_op`; a
        thread that waits on its ``writes`` first runs it itself. The header
        is posted by the thread that runs the op, so a peer that sees every
        header knows every rank is about to run the transfer. (See
        :meth:`run_now` for the transfer a caller will wait for at once.)
        """
        _eng.get().push_queued(self._checked, (fn, (func, key, shape, dtype), args), reads, (*writes, self.order, ALL), COMM_KEY, name)

    def run_now(
        self, fn, args: tuple, reads: tuple, writes: tuple, name: str, func: str, key, shape: tuple, dtype, then: tuple | None = None, drop: object = None
    ) -> object:
        """The transfer of :meth:`transfer`, run in this thread when every rank has already arrived.

        Only when no communication op of any group is pending (``ALL`` idle)
        and its arrays are ready: then this posts the transfer's header at
        once. If every rank's header is already there, this rank is the last
        to arrive and the transfer runs here, with no hand-off to the
        communication worker and back. Else it waits, claimable, while the
        caller goes on: a thread that waits on its result runs it, and
        otherwise the communication worker does, ahead of any later
        communication op (which waits for it through ``ALL``), so a rank
        that runs the transfer here never waits on an op of this rank that
        sits behind something else (see ``engine.run_now``). Returns None,
        with nothing queued, when something is pending (then call
        :meth:`transfer`); otherwise the handle of ``then``, a deferred op
        queued behind the transfer. ``drop``, a deferred op's handle, is
        cancelled first if it has not started.
        """
        if ALL.busy:  # an earlier transfer is pending (of this group, it may hold the header below)
            return None
        h = self._now_header  # reused: only the op that holds the order Var uses it
        h.func, h.key, h.shape, h.dtype = func, key, shape, dtype
        return _eng._current.run_now(self._posted, (fn, h, args), reads, (*writes, self.order, ALL), COMM_KEY, name, then, h.arrived, drop)

    def _posted(self, fn, header: _Header, args: tuple) -> None:
        try:
            self.check_header(header)
            fn(*args)
        except self.MPI.Exception as e:
            raise self.lost(f"KVStore.{header.func}({header.key!r})", e) from e

    def _checked(self, fn, info: tuple, args: tuple) -> None:
        header = self.post_header(*info)
        try:
            self.check_header(header)
            fn(*args)
        except self.MPI.Exception as e:
            raise self.lost(f"KVStore.{header.func}({header.key!r})", e) from e

    # -- failures ------------------------------------------------------------------------
    def failed_ranks(self) -> list:
        """The ranks of this job that MPI knows have died, in order.

        Only a job started with MPI's fault tolerance (ULFM: ``python -m
        mxpy.launch --mpi-args "--with-ft ulfm" ...``) outlives a rank;
        otherwise mpirun ends the whole job when one dies, and a running rank
        never sees a dead one (this returns ``[]``).
        """
        if self.size == 1:
            return []
        MPI = self.MPI
        try:
            self.sync.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG)  # lets MPI take in failure notices
            self.sync.Ack_failed()  # (unacknowledged failures come and go in Open MPI 5's Get_failed)
            failed = self.sync.Get_failed()
        except (AttributeError, NotImplementedError, MPI.Exception):  # an MPI without ULFM
            return []
        n = failed.Get_size()
        if n == 0:
            return []
        return sorted(MPI.Group.Translate_ranks(failed, list(range(n)), self.sync.Get_group()))

    def lost(self, what: str, e: BaseException) -> BaseException:
        """An MXNetError naming the dead ranks for MPI error ``e`` when a rank died, else ``e`` itself."""
        MPI = self.MPI
        classes = {getattr(MPI, n, None) for n in ("ERR_PROC_FAILED", "ERR_PROC_FAILED_PENDING", "ERR_REVOKED")} - {None}
        try:
            cls = e.Get_error_class()
        except Exception:  # not an MPI error
            return e
        dead = self.failed_ranks()
        if cls not in classes and not dead:  # (a persistent collective meeting a dead rank fails with ERR_OTHER)
            return e
        who = f"rank{'s' if len(dead) > 1 else ''} {', '.join(map(str, dead))}" if dead else "a rank"
        return MXNetError(f"{what}: {who} of {self.size} died; rank {self.rank} stops ({e.Get_error_string()})")

    def wait(self) -> None:
        """Block until this group's queued transfers finished; raise the first failure not yet reported."""
        _eng.get().wait_write(self.order)

    def barrier_op(self) -> None:
        """Queue a barrier after this rank's transfers and wait for it (every rank must call it)."""
        done = Var()
        self.push_op(self.barrier, (), (), (done,), "kvstore_barrier")
        _eng.get().wait_write(done)
        self.wait()

    # -- checks --------------------------------------------------------------------------
    def post_header(self, func: str, key, shape: tuple, dtype) -> _Header:
        """Start exchanging this rank's next transfer header (call in transfer order)."""
        h = _Header(func, key, shape, dtype, 0)
        self.post(h)
        return h

    def post(self, h: _Header) -> None:
        """Number header ``h`` and start exchanging it (call in transfer order)."""
        self.seq += 1
        h.seq = self.seq
        if self.size > 1:
            func, key, dtype = h.func, h.key, h.dtype
            what = (func, key, h.shape, dtype)
            code = self._codes.get(what)
            if code is None:
                code = self._codes[what] = zlib.crc32(repr((func, key, h.shape, np.dtype(dtype).str)).encode())
            # headers are posted and checked by the op that holds the group's order Var, one op
            # at a time, so the buffers are reused
            mine, h.every = self._mine, self._every
            mine[0], mine[1] = self.seq, code
            h.mine = mine.tobytes() * self.size
            req = self._header_req
            if req is None:
                req = self.ctrl.Iallgather(mine, h.every)
            else:
                req.Start()
            h.req = req

    def check_header(self, h: _Header) -> None:
        """Every rank posted the same header as ``h``, or MXNetError on every rank naming the keys and ranks."""
        if h.req is not None:
            wait_polling(h.req, f"KVStore.{h.func}({h.key!r})", self.timeout, self.rank)
        elif self.size == 1:
            return
        if h.every.tobytes() == h.mine:
            return
        # Every rank saw the same table, so every rank takes this path: learn the names and report.
        described = self.sync.allgather((h.func, h.key, h.shape, np.dtype(h.dtype).name))
        groups: dict = {}
        for r, d in enumerate(described):
            groups.setdefault(d, []).append(r)
        parts = [f"rank{'s' if len(rs) > 1 else ''} {', '.join(map(str, rs))}: {f}({k!r}) shape {s} {dt}" for (f, k, s, dt), rs in groups.items()]
        raise MXNetError(
            f"KVStore.{h.func}: the workers disagree at transfer {h.seq} (each rank must init/push/pull the same keys, "
            f"shapes and dtypes in the same order): " + "; ".join(parts)
        )

    def check_peers(self, func: str, key, shape: tuple, dtype) -> None:
        """Every rank is doing ``func`` on the same key, shape and dtype at this step, or MXNetError on every rank."""
        self.check_header(self.post_header(func, key, shape, dtype))

    def barrier(self) -> None:
        """Block until every rank reached its barrier (polling, so waiting ranks leave the CPU to the others)."""
        if self.size > 1:
            try:
                wait_polling(self.sync.Ibarrier(), "KVStore.barrier", self.timeout, self.rank)
            except self.MPI.Exception as e:
                raise self.lost("KVStore.barrier", e) from e

    # -- data ----------------------------------------------------------------------------
    def allreduce(self, buf: np.ndarray, out: np.ndarray | None = None) -> None:
        """Sum ``buf`` over the ranks into ``out`` (or in place), in pieces of ``bigarray_bound()`` elements.

        Several pieces go out as non-blocking collectives all at once, so MPI
        pipelines them (and a piece never exceeds MPI's int32 count); a single
        piece uses the blocking call, faster for small arrays.
        """
        if out is None or out is buf:
            out, src = buf, None
        else:
            src = buf
        if self.size == 1:
            if src is not None:
                np.copyto(out, src)
            return
        MPI = self.MPI
        step = self.bound
        if out.size <= step:  # one piece: Open MPI's blocking algorithms beat its non-blocking ones here
            self.comm.Allreduce(MPI.IN_PLACE if src is None else src, out, op=MPI.SUM)
            return
        dst = out.reshape(-1)
        flat = None if src is None else src.reshape(-1)
        reqs = []
        for lo in range(0, dst.size, step):
            d = dst[lo : lo + step]
            reqs.append(self.comm.Iallreduce(MPI.IN_PLACE if flat is None else flat[lo : lo + step], d, op=MPI.SUM))
        MPI.Request.Waitall(reqs)

    def bcast(self, buf: np.ndarray, root: int = 0) -> None:
        """``buf`` of rank ``root`` on every rank, in pieces."""
        if self.size == 1:
            return
        flat = buf.reshape(-1)
        step = self.bound
        reqs = [self.comm.Ibcast(flat[lo : lo + step], root=root) for lo in range(0, flat.size, step)]
        self.MPI.Request.Waitall(reqs)

    def bcast_into(self, src: np.ndarray, dst: np.ndarray) -> None:
        """``dst`` = rank 0's ``src`` on every rank."""
        if dst is not src:
            np.copyto(dst, src)
        self.bcast(dst, 0)

    def allgather_bytes(self, mine: np.ndarray) -> np.ndarray:
        """``(size, len(mine))`` uint8: every rank's ``mine`` (all the same length)."""
        every = np.empty((self.size, mine.size), np.uint8)
        if self.size == 1:
            every[0] = mine
        else:
            self.comm.Allgather(mine, every)
        return every
