"""``python -m mxpy.launch``: start a distributed training job on one or several machines (over ``mpirun``).

The options follow MXNet's ``tools/launch.py``::

    python -m mxpy.launch -n 2 python train.py --kv-store dist_sync
    python -m mxpy.launch -n 8 -H hosts --launcher ssh python train.py --kv-store dist_sync

``-n`` processes run the command; with ``--launcher local`` (the default
without ``-H``) they all run here and no hostfile is needed. ``ssh`` and
``mpi`` spread them over the hosts of ``-H hostfile`` (Open MPI's format:
``host1 slots=4`` a line); ``ssh`` starts remote processes over ssh and can
first copy this folder to ``--sync-dst-dir`` on every host. There are no
server processes: the ``dist`` stores keep the parameters on the workers
(``-s`` is accepted and ignored). Each process finds its rank and the job
size through MPI; ``mx.kv.create('dist_sync')`` joins the job.

Open MPI comes with ``pip install mxpy[dist]``. The launcher adds what
running as root and oversubscribing a small machine need, forwards ``PATH``,
``PYTHONPATH`` and the ``MXNET_*``/``MXPY_*``/``OMP_*`` variables, and returns
the job's exit code (mpirun names any rank that died).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys

__all__ = ["build_command", "main"]

_FORWARD_PREFIXES = ("MXNET_", "MXPY_", "OMP_", "OPENBLAS_", "MKL_", "PYTHON", "DMLC_")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mxpy.launch", description="Launch a distributed mxpy job over mpirun (MXNet's tools/launch.py options).")
    p.add_argument("-n", "--num-workers", required=True, type=int, help="number of worker processes")
    p.add_argument("-s", "--num-servers", type=int, help="ignored: mxpy's dist stores keep parameters on the workers")
    p.add_argument("-H", "--hostfile", type=str, help="hosts to run on, one 'host slots=N' a line (needed by ssh and mpi)")
    p.add_argument("--launcher", choices=["local", "ssh", "mpi"], help="local (default without -H), ssh (default with -H) or mpi")
    p.add_argument("--sync-dst-dir", type=str, help="ssh launcher: rsync the current folder to this folder on every host first")
    p.add_argument("--env", action="append", default=[], help="NAME (pass its value from here) or NAME:VALUE, for every process; repeatable")
    p.add_argument("--env-worker", action="append", default=[], help="NAME:VALUE for the workers (every process)")
    p.add_argument("--env-server", action="append", default=[], help="ignored: there are no server processes")
    p.add_argument("--mpirun", type=str, help="the mpirun to use (default: the one beside this Python, else PATH)")
    p.add_argument("--mpi-args", type=str, default="", help="extra mpirun arguments, as one quoted string")
    p.add_argument("--tag-output", action="store_true", help="prefix every output line with the rank (mpirun --output tag)")
    p.add_argument("--dry-run", action="store_true", help="print the mpirun command instead of running it")
    p.add_argument("command", nargs=argparse.REMAINDER, help="the command each process runs, e.g. python train.py --kv-store dist_sync")
    return p


def _find_mpirun(given: str | None) -> str:
    if given:
        return given
    beside = os.path.join(os.path.dirname(sys.executable), "mpirun")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("mpirun")
    if found is None:
        raise SystemExit("mxpy.launch: mpirun not found; install Open MPI with: pip install mxpy[dist]")
    return found


def _env_pairs(items: list, flag: str) -> list:
    """``NAME`` -> (NAME, current value); ``NAME:VALUE`` or ``NAME=VALUE`` -> (NAME, VALUE)."""
    pairs = []
    for item in items:
        for sep in ("=", ":"):
            if sep in item:
                name, value = item.split(sep, 1)
                break
        else:
            name, value = item, os.environ.get(item)
            if value is None:
                raise SystemExit(f"mxpy.launch: {flag} {item}: no such variable in this environment")
        if not name.isidentifier():
            raise SystemExit(f"mxpy.launch: {flag} {item!r}: {name!r} is not a variable name")
        pairs.append((name, value))
    return pairs


def build_command(args: argparse.Namespace, environ: dict | None = None) -> tuple[list, dict]:
    """The mpirun command line and the environment to run it with, for parsed ``args``."""
    environ = dict(os.environ if environ is None else environ)
    if args.num_workers < 1:
        raise SystemExit(f"mxpy.launch: -n must be at least 1, given {args.num_workers}")
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise SystemExit("mxpy.launch: give the command to run, e.g. python -m mxpy.launch -n 2 python train.py")
    launcher = args.launcher or ("ssh" if args.hostfile else "local")
    if launcher in ("ssh", "mpi") and not args.hostfile:
        raise SystemExit(f"mxpy.launch: --launcher {launcher} needs a hostfile (-H hosts, one 'host slots=N' a line)")
    if args.hostfile and not os.path.isfile(args.hostfile):
        raise SystemExit(f"mxpy.launch: hostfile {args.hostfile!r} not found")
    # 'python' in the command is this Python (the one with mxpy), as on the launching shell
    bindir = os.path.dirname(sys.executable)
    environ["PATH"] = bindir + os.pathsep + environ.get("PATH", "")
    cmd = [_find_mpirun(args.mpirun), "-n", str(args.num_workers)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
        environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    if launcher == "local":
        cmd += ["--host", f"localhost:{args.num_workers}"]
        if args.num_workers > (os.cpu_count() or 1):
            cmd.append("--oversubscribe")
        # waiting ranks yield the CPU: on a small machine they share cores with ranks still computing
        cmd += ["--mca", "mpi_yield_when_idle", "1"]
    else:
        cmd += ["--hostfile", args.hostfile]
        if launcher == "ssh":
            cmd += ["--mca", "plm_rsh_agent", "ssh"]
    wdir = os.getcwd()
    if args.sync_dst_dir:
        if launcher != "ssh":
            raise SystemExit("mxpy.launch: --sync-dst-dir works with --launcher ssh only")
        wdir = args.sync_dst_dir
    cmd += ["--wdir", wdir]
    if args.tag_output:
        cmd += ["--output", "tag"]
    forwarded = {"PATH": environ["PATH"]}
    for name, value in environ.items():
        if name.startswith(_FORWARD_PREFIXES) or name in ("LD_LIBRARY_PATH", "VIRTUAL_ENV"):
            forwarded[name] = value
    for name, value in _env_pairs(args.env, "--env") + _env_pairs(args.env_worker, "--env-worker"):
        forwarded[name] = value
        environ[name] = value
    for name in sorted(forwarded):
        environ[name] = forwarded[name]
        cmd += ["-x", name]
    cmd += shlex.split(args.mpi_args)
    return cmd + command, environ


def _sync_dirs(hostfile: str, dst: str) -> None:
    hosts = []
    with open(hostfile) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                hosts.append(line.split()[0])
    for host in dict.fromkeys(hosts):
        if host in ("localhost", "127.0.0.1"):
            continue
        subprocess.run(["ssh", "-o", "StrictHostKeyChecking=no", host, "mkdir", "-p", dst], check=True)
        subprocess.run(["rsync", "-az", "--exclude", ".git", "./", f"{host}:{dst}"], check=True)


def main(argv: list | None = None) -> int:
    """Parse MXNet-style launcher options, run the job under mpirun and return its exit code."""
    args = _parser().parse_args(argv)
    if args.num_servers:
        print("mxpy.launch: -s/--num-servers ignored: the dist stores keep parameters on the workers", file=sys.stderr)
    if args.env_server:
        print("mxpy.launch: --env-server ignored: there are no server processes", file=sys.stderr)
    cmd, env = build_command(args)
    if args.dry_run:
        print(shlex.join(cmd))
        return 0
    if args.sync_dst_dir:
        _sync_dirs(args.hostfile, args.sync_dst_dir)
    proc = subprocess.Popen(cmd, env=env)

    def forward(signum, frame):
        proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    rc = proc.wait()
    if rc != 0:
        print(f"mxpy.launch: the job failed (mpirun exit code {rc}); mpirun's report above names the rank that failed", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
