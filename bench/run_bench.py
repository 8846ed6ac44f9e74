"""Run the mxpy benchmarks against MXNet 1.9.1, PyTorch CPU and NumPy; check the targets.

A thin wrapper over the shared driver ``../shared/bench/run.py`` (not copied
here): it runs every shared case (``op_overhead``, ``elementwise_big``,
``gemm``, ``mlp_train_symbolic``, ``lenet_train``, ``inference_mlp``,
``inference_lenet``, ``memory``, ``mlp_train_module``) for the frameworks
mxpy, mxnet, torch and numpy (where a framework has the case) interleaved in
one invocation per thread configuration (``threads1``: one BLAS/OpenMP
thread; ``default``: library defaults), then the mxpy-only
``two_context_dots.py`` and ``lenet_multi_context.py``, merges everything
into ``bench/results.json`` and prints the target ratios (issues 2, 3, 4).

    python3 bench/run_bench.py                       # 1 round x 3 repeats per config
    python3 bench/run_bench.py --rounds 3 --configs threads1
    python3 bench/run_bench.py --report-only         # re-print targets from results.json
    python3 bench/run_bench.py --cases lenet_train,inference_lenet --skip-mxpy-only
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
CASES = "op_overhead,elementwise_big,gemm,mlp_train_symbolic,lenet_train,inference_lenet,inference_mlp,mlp_train_module,memory"
FRAMEWORKS = "mxpy,mxnet,torch,numpy"

# (label, case, metric, other framework, how to form the ratio, target, lower bound?)
# "other/mxpy" for time metrics reads as mxpy's speed-up; "mxpy/other" for rates.
TARGETS = [
    # issue 2: dispatch and big-kernel speed
    ("tiny op vs MXNet (speed-up)", "op_overhead", "add_us_per_op", "mxnet", "other/mxpy", 10.0, True),
    ("tiny op vs PyTorch (time ratio)", "op_overhead", "add_us_per_op", "torch", "mxpy/other", 1.5, False),
    ("chain vs PyTorch (time ratio)", "op_overhead", "chain_us_per_op", "torch", "mxpy/other", 1.0, False),
    ("10M add vs NumPy (GB/s ratio)", "elementwise_big", "add_GBps", "numpy", "mxpy/other", 0.9, True),
    ("4096 dot vs NumPy (GFLOP/s ratio)", "gemm", "gemm4096_GFLOPs", "numpy", "mxpy/other", 0.95, True),
    # issues 3 and 4: training and inference at least PyTorch's speed (samples/s ratio >= 1)
    ("mlp_train_symbolic vs PyTorch", "mlp_train_symbolic", "samples_per_s", "torch", "mxpy/other", 1.0, True),
    ("lenet_train vs PyTorch", "lenet_train", "samples_per_s", "torch", "mxpy/other", 1.0, True),
    ("inference_mlp vs PyTorch", "inference_mlp", "samples_per_s", "torch", "mxpy/other", 1.0, True),
    ("inference_lenet vs PyTorch", "inference_lenet", "samples_per_s", "torch", "mxpy/other", 1.0, True),
    ("mlp_train_module vs PyTorch", "mlp_train_module", "samples_per_s", "torch", "mxpy/other", 1.0, True),
]
# planned executor memory (debug_str "Total N MB allocated"): mxpy no more than MXNet for the same net
MEMORY_NETS = ("deep_mlp20x1024_b128", "mlp_b8192", "lenet_b64", "lenet_b512")


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
    ap.add_argument("--skip-mxpy-only", action="store_true", help="skip two_context_dots.py and lenet_multi_context.py")
    ap.add_argument("--scale", type=float, default=None, help="multiply the shared cases' iteration counts")
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
    if args.scale is not None:
        cmd += ["--scale", str(args.scale)]
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
        for net in MEMORY_NETS:
            for kind in ("train", "infer"):
                metric = f"{net}.planned_{kind}_MB"
                mine = _median(data, config, "mxpy", "memory", metric)
                theirs = _median(data, config, "mxnet", "memory", metric)
                if mine is None or theirs is None:
                    lines.append(f"  memory {net} {kind:<5}{'':<14} n/a (missing: mxpy={mine}, mxnet={theirs})")
                    continue
                ok = mine <= theirs
                lines.append(f"  memory {net} {kind:<5}{'':<14} mxpy {mine:g} MB vs mxnet {theirs:g} MB  target <=  {'ok' if ok else 'MISSED'}")
    two = data.get("two_context_dots")
    if two:
        r = two["ratio_threaded_over_naive"]
        lines.append(f"[two_context_dots] threaded/naive {r:.2f}  target <= 0.6 {'ok' if r <= 0.6 else 'MISSED'}")
    multi = data.get("lenet_multi_context")
    if multi:
        lines.append(f"[lenet_multi_context] two contexts / one context speed-up {multi['speedup']:.2f}x (2.0 = perfect on 2 cores)")
    return lines


def _mxpy_only(args: argparse.Namespace, script: str, key: str) -> None:
    """Run one mxpy-only script and store its JSON under ``key`` in the results file."""
    tmp = f"{args.out}.{key}.json"
    cmd = [args.python, os.path.join(HERE, script), "--json", tmp]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, env=dict(os.environ, MXPY_BENCH_PATH=args.pythonpath))
    with open(args.out) as f:
        data = json.load(f)
    with open(tmp) as f:
        data[key] = json.load(f)
    os.remove(tmp)
    with open(args.out, "w") as f:
        json.dump(data, f, indent=1)


def main() -> int:
    args = _parse()
    if not args.report_only:
        for config in [c for c in args.configs.split(",") if c]:
            cmd = _driver_cmd(args, config)
            print("+", " ".join(cmd), flush=True)
            # NumPy is timed under the same interpreter (same NumPy and BLAS build) as mxpy
            env = dict(os.environ, NUMPY_PY=args.python)
            subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        if not args.skip_mxpy_only:
            _mxpy_only(args, "two_context_dots.py", "two_context_dots")
            _mxpy_only(args, "lenet_multi_context.py", "lenet_multi_context")
    with open(args.out) as f:
        data = json.load(f)
    print("\n".join(["targets (mxpy vs the others; medians of one interleaved run)"] + report(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
