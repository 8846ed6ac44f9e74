"""Run the mxpy benchmarks against MXNet 1.9.1, PyTorch CPU and NumPy; check the targets.

A thin wrapper over the shared driver ``../shared/bench/run.py`` (not copied
here): it runs the cases ``op_overhead``, ``elementwise_big`` and ``gemm`` for
the frameworks mxpy, mxnet, torch and numpy in one invocation per thread
configuration (``threads1``: one BLAS/OpenMP thread; ``default``: library
defaults), then the mxpy-only ``two_context_dots.py``, merges everything into
``bench/results.json`` and prints the target ratios.

    python3 bench/run_bench.py                       # 1 round x 3 repeats per config
    python3 bench/run_bench.py --rounds 3 --configs threads1
    python3 bench/run_bench.py --report-only         # re-print targets from results.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DRIVER = os.path.join(ROOT, "..", "shared", "bench", "run.py")
VENV_PY = os.path.join(ROOT, ".venv", "bin", "python")
CASES = "op_overhead,elementwise_big,gemm"
FRAMEWORKS = "mxpy,mxnet,torch,numpy"

# (label, config, case, metric, other framework, how to form the ratio, target, lower bound?)
# "other/mxpy" for time metrics reads as mxpy's speed-up; "mxpy/other" for rates.
TARGETS = [
    ("tiny op vs MXNet (speed-up)", "op_overhead", "add_us_per_op", "mxnet", "other/mxpy", 10.0, True),
    ("tiny op vs PyTorch (time ratio)", "op_overhead", "add_us_per_op", "torch", "mxpy/other", 1.5, False),
    ("chain vs PyTorch (time ratio)", "op_overhead", "chain_us_per_op", "torch", "mxpy/other", 1.0, False),
    ("10M add vs NumPy (GB/s ratio)", "elementwise_big", "add_GBps", "numpy", "mxpy/other", 0.9, True),
    ("4096 dot vs NumPy (GFLOP/s ratio)", "gemm", "gemm4096_GFLOPs", "numpy", "mxpy/other", 0.95, True),
]


def _parse() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="threads1,default", help="comma list of threads1 and/or default")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--frameworks", default=FRAMEWORKS)
    ap.add_argument("--cases", default=CASES)
    ap.add_argument("--python", default=VENV_PY if os.path.exists(VENV_PY) else sys.executable, help="interpreter with mxpy's dependencies")
    ap.add_argument(
        "--pythonpath",
        default=ROOT,
        help="where mxpy is imported from (e.g. a `git archive HEAD` snapshot, so edits in progress do not leak in)",
    )
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--skip-two-context", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="only print the targets from --out")
    return ap.parse_args()


def _driver_cmd(args: argparse.Namespace, config: str) -> list[str]:
    cmd = [
        args.python,
        DRIVER,
        "--mx-like",
        f"mxpy:{args.python}",
        "--pythonpath",
        args.pythonpath,
        "--frameworks",
        args.frameworks,
        "--cases",
        args.cases,
        "--baseline",
        "mxnet",
        "--rounds",
        str(args.rounds),
        "--repeats",
        str(args.repeats),
        "--merge",
        args.out,
        "--out",
        args.out,
    ]
    if config == "threads1":
        cmd += ["--threads", "1"]
    elif config != "default":
        raise SystemExit(f"run_bench: unknown config {config!r}; expected threads1 or default")
    return cmd


def _median(data: dict, config: str, fw: str, case: str, metric: str) -> float | None:
    try:
        res = data["configs"][config]["results"][fw][case]
        return float(res["metrics"][metric]["median"])
    except (KeyError, TypeError, ValueError):
        return None


def report(data: dict) -> list[str]:
    """One line per (config, target): the measured ratio and whether it meets the target."""
    lines = []
    for config in sorted(data.get("configs", {})):
        lines.append(f"[{config}]")
        for label, case, metric, other, form, target, lower in TARGETS:
            mine = _median(data, config, "mxpy", case, metric)
            theirs = _median(data, config, other, case, metric)
            if mine is None or theirs is None or mine == 0 or theirs == 0:
                lines.append(f"  {label:<36} n/a (missing: mxpy={mine}, {other}={theirs})")
                continue
            ratio = theirs / mine if form == "other/mxpy" else mine / theirs
            ok = ratio >= target if lower else ratio <= target
            sign = ">=" if lower else "<="
            lines.append(f"  {label:<36} {ratio:7.2f}  target {sign} {target:<5} {'ok' if ok else 'MISSED'}  (mxpy {mine:.4g}, {other} {theirs:.4g})")
    two = data.get("two_context_dots")
    if two:
        r = two["ratio_threaded_over_naive"]
        lines.append(f"[two_context_dots] threaded/naive {r:.2f}  target <= 0.6 {'ok' if r <= 0.6 else 'MISSED'}")
    return lines


def main() -> int:
    args = _parse()
    if not args.report_only:
        for config in [c for c in args.configs.split(",") if c]:
            cmd = _driver_cmd(args, config)
            print("+", " ".join(cmd), flush=True)
            # NumPy is timed under the same interpreter (same NumPy and BLAS build) as mxpy
            env = dict(os.environ, NUMPY_PY=args.python)
            subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        if not args.skip_two_context:
            tmp = args.out + ".two_context.json"
            cmd = [args.python, os.path.join(HERE, "two_context_dots.py"), "--json", tmp]
            print("+", " ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, cwd=ROOT, env=dict(os.environ, MXPY_BENCH_PATH=args.pythonpath))
            with open(args.out) as f:
                data = json.load(f)
            with open(tmp) as f:
                data["two_context_dots"] = json.load(f)
            os.remove(tmp)
            with open(args.out, "w") as f:
                json.dump(data, f, indent=1)
    with open(args.out) as f:
        data = json.load(f)
    print("\n".join(["targets (mxpy vs the others; medians)"] + report(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
