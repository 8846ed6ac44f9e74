"""Run benchmark cases quiet and with a busy-loop process pinned to one CPU, alternating.

Users run on shared machines, laptops and CI runners; a framework must not fall
off a cliff when another process keeps a core busy. For each framework and
case this alternates ``--pairs`` quiet and loaded runs (each its own
subprocess; the busy loop is a separate ``python3`` spinning on the last CPU,
started before the case and killed after it) and prints the medians and the
slowdown factor loaded/quiet, frameworks side by side:

    python3 bench/loaded.py                                   # mlp_train_module, lstm, demo; mxpy and mxnet
    python3 bench/loaded.py --cases lstm --frameworks mxpy --pairs 3
    python3 bench/loaded.py --cases lenet_train,resnet20_cifar_train --json /tmp/loaded.json

Cases: any case of ``../shared/bench/cases_mx.py`` (its ``ms_per_batch``), ``lstm``
(``bench/lstm_case.py``: a 2-layer LSTM language model's ``Module.fit`` epoch) and
``demo`` (``examples/train_mnist.py``'s whole run, wall seconds; mxpy only: the
script imports mxpy). ``--env KEY=VAL`` is passed to every run (``OPENBLAS_NUM_THREADS=1``,
``MXPY_ADAPT_THREADS=0``). mxpy runs under ``.venv/bin/python``, MXNet 1.9.1 under
``../shared/tools/mxnet-reference``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared")
PYTHONS = {"mxpy": os.path.join(ROOT, ".venv", "bin", "python"), "mxnet": os.path.join(SHARED, "tools", "mxnet-reference")}
RESULT_MARK = "@@ANCHOR_RESULT@@ "
BUSY = "import os, sys\nos.sched_setaffinity(0, {int(sys.argv[1])})\nwhile True:\n    pass\n"


def _command(framework: str, case: str) -> tuple[list[str], str] | None:
    """(argv, cwd) of one run, or None when the framework cannot run the case."""
    py = PYTHONS[framework]
    if case == "lstm":
        return [py, "-W", "ignore", os.path.join(HERE, "lstm_case.py"), "--module", framework, "--epochs", "2", "--batches", "10"], ROOT
    if case == "demo":
        if framework != "mxpy":
            return None
        out = tempfile.mkdtemp(prefix="loaded-demo-")
        return [py, os.path.join(ROOT, "examples", "train_mnist.py"), "--out-dir", out, "--no-progress"], ROOT
    return [py, "cases_mx.py", "--module", framework, "--case", case, "--repeats", "3"], os.path.join(SHARED, "bench")


def _value(framework: str, case: str, stdout: str, wall: float) -> float:
    """The run's time in the case's unit (ms per batch; seconds for the demo)."""
    if case == "demo":
        return wall
    if case == "lstm":
        return json.loads(stdout.strip().splitlines()[-1])["ms_per_batch"]
    line = [x for x in stdout.splitlines() if x.startswith(RESULT_MARK)][-1]
    res = json.loads(line[len(RESULT_MARK) :])
    if res.get("status") != "ok":
        raise RuntimeError(f"{framework} {case}: {res.get('status')}: {res.get('error', '')[-400:]}")
    return res["metrics"]["ms_per_batch"]["median"]


def _busy_seconds(stat: str = "/proc/stat") -> float:
    """CPU seconds the whole machine has been busy (all CPUs), 0.0 where unknown."""
    try:
        with open(stat) as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def _proc_seconds(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used, 0.0 where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(framework: str, case: str, loaded: bool, env: dict) -> tuple[float, float, float]:
    """(the case's time, its CPU / wall, other processes' load in cores) of one run.

    The last two tell a slowdown the case causes itself from one the machine
    imposes: a loaded run whose other CPU is also taken (``others`` near a
    core or more: other users of a shared machine) gets a fair share of one
    CPU, not the free core the test means to leave it.
    """
    argv, cwd = _command(framework, case)
    busy = None
    if loaded:
        cpu = max(os.sched_getaffinity(0))
        busy = subprocess.Popen([sys.executable, "-c", BUSY, str(cpu)])
        time.sleep(0.2)  # let it take its core
    try:
        spin0 = _proc_seconds(busy.pid) if busy is not None else 0.0
        box0, mine0 = _busy_seconds(), _children_seconds()
        t0 = time.perf_counter()
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
        wall = time.perf_counter() - t0
        box, mine = _busy_seconds() - box0, _children_seconds() - mine0
        spin = _proc_seconds(busy.pid) - spin0 if busy is not None else 0.0
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    if p.returncode != 0:
        raise RuntimeError(f"{framework} {case} failed:\n{p.stderr[-2000:]}")
    others = max(0.0, box - mine - spin) / wall
    return _value(framework, case, p.stdout, wall), mine / wall, others


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="mlp_train_module,lstm,demo")
    ap.add_argument("--frameworks", default="mxpy,mxnet")
    ap.add_argument("--pairs", type=int, default=2, help="quiet/loaded run pairs per framework and case")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VAL")
    ap.add_argument("--json", help="write every sample here")
    args = ap.parse_args()
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    for kv in args.env:
        k, _, v = kv.partition("=")
        env[k] = v
    cases = [c for c in args.cases.split(",") if c]
    frameworks = [f for f in args.frameworks.split(",") if f]
    samples: dict = {}
    usage: dict = {}  # key -> [(case CPU / wall, others' load in cores)]
    for _ in range(args.pairs):
        for case in cases:
            for fw in frameworks:
                if _command(fw, case) is None:
                    continue
                for loaded in (False, True):
                    key = f"{fw}|{case}|{'loaded' if loaded else 'quiet'}"
                    value, share, others = _run(fw, case, loaded, env)
                    samples.setdefault(key, []).append(value)
                    usage.setdefault(key, []).append((share, others))
                    print(f"  {key}: {value:.4g}  (cpu/wall {share:.2f}, others {others:.2f} cores)", flush=True)
    print(f"\nbusy loop on CPU {max(os.sched_getaffinity(0))} of {len(os.sched_getaffinity(0))}; medians of {args.pairs} alternating pairs")
    print("cpu/wall: the case's process CPU time over its wall time (1.0: one core's worth);")
    print("others: other processes' load on the machine during the runs, in cores (busy loop and case excluded);")
    print("a loaded run only has a free core when others stays well under 1 (max shown)")
    print(f"{'case':22s} {'framework':9s} {'quiet':>10s} {'loaded':>10s} {'factor':>7s}  {'cpu/wall q/l':>12s} {'others q/l':>10s}  unit")
    for case in cases:
        for fw in frameworks:
            q, lo = samples.get(f"{fw}|{case}|quiet"), samples.get(f"{fw}|{case}|loaded")
            if not q:
                continue
            unit = "s (whole run)" if case == "demo" else "ms/batch"
            mq, ml = statistics.median(q), statistics.median(lo)
            uq, ul = usage[f"{fw}|{case}|quiet"], usage[f"{fw}|{case}|loaded"]
            share = f"{statistics.median(u[0] for u in uq):.2f}/{statistics.median(u[0] for u in ul):.2f}"
            others = f"{max(u[1] for u in uq):.2f}/{max(u[1] for u in ul):.2f}"
            print(f"{case:22s} {fw:9s} {mq:10.4g} {ml:10.4g} {ml / mq:6.2f}x  {share:>12s} {others:>10s}  {unit}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "cpu_per_wall_and_others": usage}, f, indent=1)


if __name__ == "__main__":
    main()
