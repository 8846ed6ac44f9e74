"""Copy, GPU compute and a CPU update at the same time: the seed's overlap claim, measured.

Each step does three things that depend on each other only across steps:

- copy batch i+1 from the host into one of two device buffers (the copy stream);
- forward and backward of a 4-layer MLP on batch i on the GPU (the compute stream);
- a CPU-side SGD update of a host copy of the weights with step i-1's gradients,
  as a CPU parameter server would do it (an engine op on the CPU worker).

The serial run waits for each part before starting the next; the overlapped
run pushes all three and waits once per step. The script prints, for the
last overlapped step, when each part ran on one time line (device parts from
CUDA events, the CPU part from the wall clock of the op itself) and how much
of each overlapped another, then the step times of both runs.

    python bench/gpu_overlap.py --steps 20            # needs CuPy and a GPU
    MXPY_FAKE_GPU=1 python bench/gpu_overlap.py --steps 2 --fake   # logic only (CI)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def _args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--hidden", type=int, default=4096)
    p.add_argument("--fake", action="store_true", help="run on the fake device backend (no timing: checks the script)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = _args(argv)
    if a.fake:
        os.environ.setdefault("MXPY_FAKE_GPU", "1")
    import mxpy as mx
    from mxpy import autograd, engine
    from mxpy.backend import streams

    gpu, cpu = mx.gpu(0), mx.cpu()
    rng = np.random.default_rng(0)
    dims = [a.hidden] * 5
    host_batches = [rng.standard_normal((a.batch, dims[0]), dtype=np.float32) for _ in range(3)]
    weights = [mx.nd.array(rng.standard_normal((dims[i + 1], dims[i]), dtype=np.float32) * 0.01, ctx=gpu) for i in range(4)]
    for w in weights:
        w.attach_grad()
    host_w = [w.as_in_context(cpu) for w in weights]
    host_g = [mx.nd.zeros(w.shape, ctx=cpu) for w in weights]
    buffers = [mx.nd.zeros((a.batch, dims[0]), ctx=gpu) for _ in range(2)]
    runner = streams.RUNNERS[gpu]
    cpu_times: list[tuple[float, float]] = []

    def cpu_update(ws, gs):  # runs on the engine's CPU worker
        t = time.perf_counter()
        for w, g in zip(ws, gs, strict=True):
            w -= 1e-3 * g
        cpu_times.append((t, time.perf_counter()))

    def push_cpu_update():
        eng = engine.get()
        eng.push(
            cpu_update,
            ([w._data for w in host_w], [g._data for g in host_g]),
            [g._var for g in host_g],
            [w._var for w in host_w],
            cpu,
            "cpu_sgd_update",
            1 << 30,
        )

    def forward_backward(x):
        with autograd.record():
            h = x
            for w in weights:
                h = mx.nd.relu(mx.nd.dot(h, w, transpose_b=True))
            loss = mx.nd.sum(h * h)
        loss.backward()
        return loss

    def step(i, overlapped):
        marks = {}
        nxt = buffers[(i + 1) % 2]
        marks["wall0"] = time.perf_counter()
        marks["copy0"] = runner.copy.record()
        nxt[:] = host_batches[(i + 1) % 3]
        if not overlapped:
            nxt.wait_to_read()
        marks["copy1"] = runner.copy.record()
        marks["gpu0"] = runner.compute.record()
        loss = forward_backward(buffers[i % 2])
        if not overlapped:
            loss.wait_to_read()
        marks["gpu1"] = runner.compute.record()
        push_cpu_update()
        if not overlapped:
            host_w[0].wait_to_read()
        for w, g in zip(weights, host_g, strict=True):
            w.grad.copyto(g)  # next step's CPU update reads these
        mx.nd.waitall()
        return marks

    buffers[0][:] = host_batches[0]
    report = {}
    for overlapped in (False, True):
        step(0, overlapped)  # warm-up
        t0 = time.perf_counter()
        for i in range(1, a.steps + 1):
            marks = step(i, overlapped)
        report[overlapped] = (time.perf_counter() - t0) / a.steps
    if a.fake:
        print(f"fake device: {a.steps} steps each way ran; serial {report[False] * 1e3:.1f} ms, overlapped {report[True] * 1e3:.1f} ms (no device timing)")
        return 0
    import cupy

    # one time line: device events relative to the step's first event, CPU from the wall clock
    # of the same step (the first event was recorded right after the previous waitall, when
    # the device was idle, so event time 0 and the wall clock at that moment coincide closely)
    wall0 = marks.pop("wall0")
    ref = marks["copy0"]
    ms = {k: cupy.cuda.get_elapsed_time(ref, v) for k, v in marks.items()}
    spans = {
        "copy  batch i+1": (ms["copy0"], ms["copy1"]),
        "GPU   fwd/bwd i": (ms["gpu0"], ms["gpu1"]),
        "CPU   update   ": ((cpu_times[-1][0] - wall0) * 1e3, (cpu_times[-1][1] - wall0) * 1e3),
    }
    print(f"device: {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}")
    print("last overlapped step, ms from its start (device: CUDA events; CPU: wall clock):")
    for name, (s0, s1) in spans.items():
        print(f"  {name}: {s0:8.2f} .. {s1:8.2f}")
    names = list(spans)
    for x in range(3):
        for y in range(x + 1, 3):
            (a0, a1), (b0, b1) = spans[names[x]], spans[names[y]]
            print(f"  overlap {names[x].split()[0]} & {names[y].split()[0]}: {max(0.0, min(a1, b1) - max(a0, b0)):.2f} ms")
    print(f"serial step {report[False] * 1e3:.2f} ms, overlapped step {report[True] * 1e3:.2f} ms, speed-up {report[False] / report[True]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
