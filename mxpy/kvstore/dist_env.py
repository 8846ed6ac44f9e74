"""This process's place in a launched job, read from the environment (no MPI import).

``mpirun`` (and so ``python -m mxpy.launch``) tells each process its rank and
the job size in environment variables; the training helpers read them to
log which rank speaks and to let only rank 0 write checkpoints.

>>> from mxpy.kvstore import dist_env
>>> dist_env.rank_prefix() if dist_env.world_size() == 1 else ""
''
"""

from __future__ import annotations

import os

__all__ = ["world_rank", "world_size", "rank_prefix", "writes_checkpoints"]

_RANK_VARS = ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK")
_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")


def _first_int(names: tuple, default: int) -> int:
    for name in names:
        value = os.environ.get(name)
        if value is not None:
            try:
                return int(value)
            except ValueError:
                continue
    return default


def world_rank() -> int:
    """This process's rank in the launched job (0 outside a launcher)."""
    return _first_int(_RANK_VARS, 0)


def world_size() -> int:
    """The number of processes in the launched job (1 outside a launcher)."""
    return _first_int(_SIZE_VARS, 1)


def rank_prefix() -> str:
    """``'[rank R] '`` in a job of several processes, else ``''`` (for log lines)."""
    return f"[rank {world_rank()}] " if world_size() > 1 else ""


def writes_checkpoints(rank: int | None = None) -> bool:
    """Whether this process writes checkpoints: rank 0 only, unless ``MXPY_CHECKPOINT_ALL_RANKS=1``."""
    if os.environ.get("MXPY_CHECKPOINT_ALL_RANKS", "0") == "1":
        return True
    return (world_rank() if rank is None else rank) == 0
