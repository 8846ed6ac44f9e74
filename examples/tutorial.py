"""The MXNet introduction tutorial (the project's seed), run on mxpy.

Every code line of the tutorial runs here with ``import mxpy as mx``; the lines
the copied web page lost are restored (prints, ``forward`` calls, the end of
``simple_bind``/``bind`` calls, ``continue`` after the batch-size checks).
GPU lines use ``mx.gpu(0)`` when CuPy sees a GPU and fall back to ``mx.cpu()``.
The hand-written MNIST loop reads MNIST-format idx files: ``--data-dir``,
else Debian's Fashion-MNIST when installed, else the UCI digits shipped in
``examples/data/uci-digits``. ``make demo`` runs this file.
"""

from __future__ import annotations

import argparse
import gzip
import os
import struct
import time

import numpy as np

import mxpy as mx
from mxpy import engine

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = "/usr/share/datasets/fashion-mnist"


def device():
    return mx.gpu(0) if mx.num_gpus() > 0 else mx.cpu()


# -- part 1: imperative NDArrays ---------------------------------------------------------------


def imperative_part() -> None:
    print("== NDArrays ==")
    cpu_tensor = mx.nd.zeros((10,), ctx=mx.cpu())
    gpu_tensor = mx.nd.zeros((10,), ctx=device())
    print(cpu_tensor.context, gpu_tensor.context)

    ctx = mx.cpu()  # which context to put memory on.
    a = mx.nd.ones((10,), ctx=ctx)
    b = mx.nd.ones((10,), ctx=ctx)
    c = (a + b) / 10.0
    d = b + 1
    numpy_d = d.asnumpy()
    print("c =", c.asnumpy())
    print("d =", numpy_d)


# -- part 2: symbols, binding, executors -----------------------------------------------------


def symbolic_part() -> None:
    print("\n== Symbols ==")
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    c = (a + b) / 10
    d = c + 1
    print(d.list_arguments())  # ['A', 'B']
    print(d.list_outputs())  # ['_plusscalar0_output']

    inp_shapes = {"A": (10,), "B": (10,)}
    arg_shapes, out_shapes, aux_shapes = d.infer_shape(**inp_shapes)
    print(arg_shapes, out_shapes, aux_shapes)  # [(10,), (10,)] [(10,)] []

    input_arguments = {}
    input_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    input_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    executor = d.bind(ctx=mx.cpu(), args=input_arguments, grad_req="null")
    print(executor.arg_dict)
    executor.arg_dict["A"][:] = np.random.rand(10)
    executor.arg_dict["B"][:] = np.random.rand(10)
    executor.forward()
    print(executor.outputs)
    output_value = executor.outputs[0].asnumpy()
    print("output:", output_value)

    input_arguments = {}
    input_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    input_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    grad_arguments = {}
    grad_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    grad_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    executor = d.bind(ctx=mx.cpu(), args=input_arguments, args_grad=grad_arguments, grad_req="write")
    executor.arg_dict["A"][:] = np.random.rand(10)
    executor.arg_dict["B"][:] = np.random.rand(10)
    executor.forward()
    out_grad = mx.nd.ones((10,), ctx=mx.cpu())
    executor.backward([out_grad])
    print("gradients:", executor.grad_arrays)

    input_shapes = {"A": (10,), "B": (10,)}
    executor = d.simple_bind(ctx=mx.cpu(), grad_req="write", **input_shapes)
    executor.arg_dict["A"][:] = np.random.rand(10)
    executor.arg_dict["B"][:] = np.random.rand(10)
    executor.forward()
    out_grad = mx.nd.ones((10,), ctx=mx.cpu())
    executor.backward([out_grad])
    print("simple_bind gradient of A:", executor.grad_dict["A"].asnumpy())


# -- part 3: the hand-written MNIST loop ------------------------------------------------------


def load_idx(path: str) -> np.ndarray:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_data(data_dir: str | None) -> tuple[str, str]:
    for d in [data_dir, FASHION, os.path.join(HERE, "data", "uci-digits")]:
        if d and os.path.exists(os.path.join(d, "train-images-idx3-ubyte.gz")):
            return d, ".gz"
        if d and os.path.exists(os.path.join(d, "train-images-idx3-ubyte")):
            return d, ""
    raise SystemExit(f"no MNIST-format data found in {data_dir!r}")


def mnist_loop(data_dir: str | None, epochs: int) -> float:
    d, ext = find_data(data_dir)
    print(f"\n== Hand-written training loop on {d} ==")
    tr_x = load_idx(os.path.join(d, "train-images-idx3-ubyte" + ext))
    tr_y = load_idx(os.path.join(d, "train-labels-idx1-ubyte" + ext))
    te_x = load_idx(os.path.join(d, "t10k-images-idx3-ubyte" + ext))
    te_y = load_idx(os.path.join(d, "t10k-labels-idx1-ubyte" + ext))
    all_vectors = np.concatenate([tr_x, te_x]).reshape(len(tr_x) + len(te_x), -1).astype(np.float32)
    all_labels = np.concatenate([tr_y, te_y]).astype(np.float32)
    trIdx = np.arange(len(tr_x))
    teIdx = np.arange(len(tr_x), len(all_labels))
    n_in = all_vectors.shape[1]

    data = mx.sym.Variable("data")
    label = mx.sym.Variable("softmax_label")
    w1 = mx.sym.Variable("weight1")
    b1 = mx.sym.Variable("bias1")
    l1 = mx.sym.FullyConnected(data=data, num_hidden=128, name="layer1", weight=w1, bias=b1)
    a1 = mx.sym.Activation(data=l1, act_type="relu", name="act1")
    l2 = mx.sym.FullyConnected(data=a1, num_hidden=10, name="layer2")
    cost_classification = mx.sym.SoftmaxOutput(data=l2, label=label)

    batch_size = 128
    input_shapes = {"data": (batch_size, n_in), "softmax_label": (batch_size,)}
    executor = cost_classification.simple_bind(ctx=device(), grad_req="write", **input_shapes)
    executor_test = cost_classification.bind(ctx=device(), args=executor.arg_arrays, grad_req="null")

    for r in executor.arg_arrays:
        r[:] = np.random.randn(*r.shape) * 0.02

    accuracy = 0.0
    for epoch in range(epochs):
        print("Starting epoch", epoch)
        t0 = time.perf_counter()
        for x in range(0, len(trIdx), batch_size):
            batchX = all_vectors[trIdx[x : x + batch_size]]
            batchY = all_labels[trIdx[x : x + batch_size]]
            if batchX.shape[0] != batch_size:
                continue
            executor.arg_dict["data"][:] = batchX / 255.0
            executor.arg_dict["softmax_label"][:] = batchY
            executor.forward(is_train=True)
            executor.backward()
            for pname, W, G in zip(cost_classification.list_arguments(), executor.arg_arrays, executor.grad_arrays):
                if pname in ["data", "softmax_label"]:
                    continue
                W[:] = W - G * 0.001
        num_correct = 0
        num_total = 0
        for x in range(0, len(teIdx), batch_size):
            batchX = all_vectors[teIdx[x : x + batch_size]]
            batchY = all_labels[teIdx[x : x + batch_size]]
            if batchX.shape[0] != batch_size:
                continue
            executor_test.arg_dict["data"][:] = batchX / 255.0
            executor_test.forward()
            num_correct += sum(batchY == np.argmax(executor_test.outputs[0].asnumpy(), axis=1))
            num_total += len(batchY)
        accuracy = num_correct / float(num_total)
        print("Accuracy thus far", accuracy, f"({time.perf_counter() - t0:.2f} s)")
    return accuracy


# -- the engine at work -------------------------------------------------------------------------


def overlap_demo(n: int = 2048, reps: int = 4) -> None:
    """Two independent GEMM chains on cpu(0) and cpu(1): the threaded engine runs
    them at the same time (NumPy's BLAS releases the GIL); NaiveEngine runs
    them one after the other."""
    print("\n== Two independent ops overlapping ==")
    rng = np.random.default_rng(0)
    host = rng.standard_normal((n, n)).astype(np.float32) / np.sqrt(n)

    def run() -> float:
        x0 = mx.nd.array(host, ctx=mx.cpu(0))
        x1 = mx.nd.array(host, ctx=mx.cpu(1))
        mx.nd.waitall()
        t = time.perf_counter()
        y0, y1 = x0, x1
        for _ in range(reps):
            y0 = mx.nd.dot(y0, x0)  # lives on cpu(0)
            y1 = mx.nd.dot(y1, x1)  # lives on cpu(1), independent of y0
        mx.nd.waitall()
        return time.perf_counter() - t

    with engine.engine_type("NaiveEngine"):
        run()
        naive = run()
    with engine.engine_type("ThreadedEnginePerDevice"):
        run()
        threaded = run()
    print(f"{reps} x 2 dots of {n}x{n} float32: NaiveEngine {naive * 1e3:.0f} ms, ThreadedEngine {threaded * 1e3:.0f} ms ({threaded / naive:.2f}x)")
    print("(overlap needs free cores; with BLAS using every core per call, OPENBLAS_NUM_THREADS=1 shows it best)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="folder with MNIST-format idx files")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--skip-overlap", action="store_true")
    args = parser.parse_args()
    imperative_part()
    symbolic_part()
    mnist_loop(args.data_dir, args.epochs)
    if not args.skip_overlap:
        overlap_demo(int(os.environ.get("MXPY_DEMO_N", "2048")))


if __name__ == "__main__":
    main()
