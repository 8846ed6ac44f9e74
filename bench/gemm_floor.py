"""The GEMM floor of the inference_mlp case: the three layer products alone, NumPy vs PyTorch.

inference_mlp (784-128-64-10 MLP, batch 128) is bound by its first layer's
``(128, 784) @ (784, 128)`` product. This script times just the three layer
GEMMs (``x @ W.T`` with MXNet's ``(num_hidden, K)`` weight layout), with no
framework around them, so the floor each library's BLAS sets can be compared
with the whole-forward times of the shared benchmark. Run it under mxpy's
interpreter (NumPy, the BLAS mxpy uses) and under the PyTorch reference, in
one go, interleaved.

Two more rows time whole forwards: ``fwd_torch_work`` is what the PyTorch
case runs (``net(x)``: the layers, biases and relus on the batch as given);
``fwd_mxnet_work`` adds what the MXNet-API case also does, the copy of each
batch into the bound input and the softmax. NumPy's rows use contiguous
``W.T``, the layout mxpy keeps for inference, and no framework around the
calls: what any NumPy-based forward would need at least.

The last line of each block divides the NumPy floor of the MXNet-API case's work
by the time of PyTorch's own case. Its inverse is the best speed ratio against
PyTorch that any NumPy-based framework could reach in that run: above 1.0, the
target "at least PyTorch's speed" is out of reach.

    python3 bench/gemm_floor.py            # both, 1 thread and default threads
    python3 bench/gemm_floor.py --one numpy --threads 1   # one library (what the driver runs)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHONS = {
    "numpy": os.path.join(ROOT, ".venv", "bin", "python"),
    "torch": os.path.join(ROOT, "..", "shared", "tools", "torch-reference"),
}
SHAPES = [(128, 784, 128), (128, 128, 64), (128, 64, 10)]  # (batch, K, num_hidden)


def _measure(lib: str, reps: int, inner: int) -> dict:
    """Median microseconds per call of each layer product, of the three together, and of two
    whole forwards: the work of the PyTorch case (layers, biases and relus on the batch as
    given) and the work of the MXNet-API case (also the copy of the batch into the bound
    input and the softmax). NumPy's forwards read contiguous ``W.T`` (mxpy's kept layout)."""
    import numpy as np

    rng = np.random.RandomState(0)
    arrays = [(rng.rand(m, k).astype(np.float32), rng.rand(n, k).astype(np.float32)) for m, k, n in SHAPES]
    biases = [rng.rand(n).astype(np.float32) for _, _, n in SHAPES]
    batch = arrays[0][0]
    if lib == "torch":
        import torch

        torch.set_grad_enabled(False)
        arrays = [(torch.from_numpy(x), torch.from_numpy(w)) for x, w in arrays]
        calls = [lambda x=x, w=w: x @ w.T for x, w in arrays]
        nn = torch.nn
        net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)).eval()
        for layer, (_, w), b in zip(net[::2], arrays, biases):
            layer.weight.copy_(w)
            layer.bias.copy_(torch.from_numpy(b))
        x_t, bound = torch.from_numpy(batch.copy()), torch.empty(batch.shape)

        def torch_work():
            with torch.inference_mode():
                net(x_t)

        def mxnet_work():
            with torch.inference_mode():
                bound.copy_(x_t)
                torch.softmax(net(bound), dim=1)
    else:
        outs = [np.empty((m, n), np.float32) for m, _, n in SHAPES]
        calls = [lambda x=x, w=w, o=o: np.matmul(x, w.T, out=o) for (x, w), o in zip(arrays, outs)]
        kept = [w.T.copy() for _, w in arrays]
        src, bound, prob = batch.copy(), np.empty_like(batch), np.empty((batch.shape[0], SHAPES[-1][2]), np.float32)

        def layers(h):
            for i, (wt, b, o) in enumerate(zip(kept, biases, outs)):
                np.matmul(h, wt, out=o)
                o += b
                if i < len(kept) - 1:
                    np.maximum(o, 0, out=o)
                h = o
            return h

        def torch_work():
            layers(src)

        ones = np.ones(SHAPES[-1][2], np.float32)

        def mxnet_work():
            bound[...] = src
            h = layers(bound)
            # softmax shifted by the batch's max, sums as a matrix-vector product (as mxpy does
            # when the logits span less than 80; the spread check is left out here)
            np.subtract(h, h.max(), out=prob)
            np.exp(prob, out=prob)
            np.divide(prob, (prob @ ones)[:, None], out=prob)

    def all_three():
        for c in calls:
            c()

    named = [*((f"{m}x{k}x{n}", c) for (m, k, n), c in zip(SHAPES, calls)), ("all_three", all_three)]
    named += [("fwd_torch_work", torch_work), ("fwd_mxnet_work", mxnet_work)]
    result = {}
    for name, fn in named:
        fn()
        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            samples.append((time.perf_counter() - t0) / inner * 1e6)
        result[name] = statistics.median(samples)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one", choices=sorted(PYTHONS), help="measure one library in this process and print JSON")
    ap.add_argument("--threads", default="1,default", help="comma list: 1 and/or default")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds per library")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(_measure(args.one, reps=5, inner=200)))
        return 0
    for threads in args.threads.split(","):
        env = dict(os.environ)
        if threads != "default":
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                env[var] = threads
        runs: dict[str, list[dict]] = {lib: [] for lib in PYTHONS}
        for _ in range(args.rounds):
            for lib, python in PYTHONS.items():
                out = subprocess.run([python, __file__, "--one", lib], env=env, capture_output=True, text=True, check=True)
                runs[lib].append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"[threads={threads}] median of {args.rounds} interleaved rounds, microseconds per call")
        keys = list(runs["numpy"][0])
        print(f"  {'product':<14}" + "".join(f"{lib:>10}" for lib in PYTHONS) + f"{'numpy/torch':>13}")
        for k in keys:
            med = {lib: statistics.median(r[k] for r in runs[lib]) for lib in PYTHONS}
            print(f"  {k:<14}" + "".join(f"{med[lib]:>10.1f}" for lib in PYTHONS) + f"{med['numpy'] / med['torch']:>13.2f}")
        floor = statistics.median(r["fwd_mxnet_work"] for r in runs["numpy"])
        torch_case = statistics.median(r["fwd_torch_work"] for r in runs["torch"])
        print(f"  NumPy floor of the MXNet-API case / PyTorch's own case: {floor:.1f} / {torch_case:.1f} us = {floor / torch_case:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
