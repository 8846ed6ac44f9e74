"""Golden run of the seed tutorial (examples/tutorial.py) on MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_tutorial.py
Writes tests/golden/tutorial.npz. ``run_tutorial(mx)`` below is the tutorial's
code with ``mx`` passed in and its ``np.random`` draws replaced by fixed arrays
from a seeded ``RandomState``; tests/test_tutorial.py imports it and runs the
very same code on mxpy. The MLP trains on the UCI digits shipped in
examples/data/uci-digits (read with NumPy), on the CPU, for two epochs.

MKL-DNN is switched off (MXNET_MKLDNN_ENABLED=0) for this run: the pip build's
MKL-DNN FullyConnected keeps a cached copy of the weights in the inference
executor (``executor_test``, bound to the training executor's arrays), so after
the tutorial's in-place ``W[:] = W - G * .001`` updates its second-epoch
evaluation still partly uses stale weights (accuracy 0.293 where a NumPy forward
of the very final weights, and MXNet without MKL-DNN, give 0.492). The plain CPU
operators give the tutorial's intended results, bit for bit the same weights.
"""

import gzip
import json
import os
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIGITS = os.path.join(ROOT, "examples", "data", "uci-digits")
EPOCHS = 2


def load_idx(path: str) -> np.ndarray:
    """An MNIST-format idx file (gzip) as a uint8 array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_digits():
    """``all_vectors, all_labels, trIdx, teIdx`` as the tutorial's skdata view gives them."""
    tr_x = load_idx(os.path.join(DIGITS, "train-images-idx3-ubyte.gz"))
    tr_y = load_idx(os.path.join(DIGITS, "train-labels-idx1-ubyte.gz"))
    te_x = load_idx(os.path.join(DIGITS, "t10k-images-idx3-ubyte.gz"))
    te_y = load_idx(os.path.join(DIGITS, "t10k-labels-idx1-ubyte.gz"))
    all_vectors = np.concatenate([tr_x, te_x]).reshape(len(tr_x) + len(te_x), -1).astype(np.float32)
    all_labels = np.concatenate([tr_y, te_y]).astype(np.float32)
    return all_vectors, all_labels, np.arange(len(tr_x)), np.arange(len(tr_x), len(all_labels))


def run_tutorial(mx) -> dict:
    """Every step of the tutorial; returns what it prints and computes, as arrays."""
    rs = np.random.RandomState(1234)  # stands in for the tutorial's np.random draws
    res = {}

    # -- imperative
    ctx = mx.cpu()
    a = mx.nd.ones((10,), ctx=ctx)
    b = mx.nd.ones((10,), ctx=ctx)
    c = (a + b) / 10.0
    d = b + 1
    res["nd_c"] = c.asnumpy()
    res["nd_d"] = d.asnumpy()

    # -- symbolic
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    c = (a + b) / 10
    d = c + 1
    meta = {"arguments": d.list_arguments(), "outputs": d.list_outputs()}
    inp_shapes = {"A": (10,), "B": (10,)}
    arg_shapes, out_shapes, aux_shapes = d.infer_shape(**inp_shapes)
    meta["infer_shape"] = [[list(s) for s in arg_shapes], [list(s) for s in out_shapes], [list(s) for s in aux_shapes]]

    input_arguments = {}
    input_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    input_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    executor = d.bind(ctx=mx.cpu(), args=input_arguments, grad_req="null")
    meta["arg_dict_keys"] = sorted(executor.arg_dict)
    executor.arg_dict["A"][:] = rs.rand(10)
    executor.arg_dict["B"][:] = rs.rand(10)
    executor.forward()
    meta["num_outputs"] = len(executor.outputs)
    res["bind_output"] = executor.outputs[0].asnumpy()

    input_arguments = {}
    input_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    input_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    grad_arguments = {}
    grad_arguments["A"] = mx.nd.ones((10,), ctx=mx.cpu())
    grad_arguments["B"] = mx.nd.ones((10,), ctx=mx.cpu())
    executor = d.bind(ctx=mx.cpu(), args=input_arguments, args_grad=grad_arguments, grad_req="write")
    executor.arg_dict["A"][:] = rs.rand(10)
    executor.arg_dict["B"][:] = rs.rand(10)
    executor.forward()
    res["bind_grad_output"] = executor.outputs[0].asnumpy()
    # a head gradient that is not all ones, so the check sees it scaled by 1/10
    out_grad = mx.nd.array(rs.rand(10), ctx=mx.cpu())
    res["out_grad"] = out_grad.asnumpy()
    executor.backward([out_grad])
    res["grad_A"] = executor.grad_arrays[0].asnumpy()
    res["grad_B"] = executor.grad_arrays[1].asnumpy()
    res["grad_args_A"] = grad_arguments["A"].asnumpy()  # bind wrote into the caller's arrays

    input_shapes = {"A": (10,), "B": (10,)}
    executor = d.simple_bind(ctx=mx.cpu(), grad_req="write", **input_shapes)
    executor.arg_dict["A"][:] = rs.rand(10)
    executor.arg_dict["B"][:] = rs.rand(10)
    executor.forward()
    res["simple_bind_output"] = executor.outputs[0].asnumpy()
    out_grad = mx.nd.ones((10,), ctx=mx.cpu())
    executor.backward([out_grad])
    res["simple_grad_A"] = executor.grad_dict["A"].asnumpy()
    res["simple_grad_B"] = executor.grad_dict["B"].asnumpy()

    # -- the hand-written MLP loop
    data = mx.sym.Variable("data")
    label = mx.sym.Variable("softmax_label")
    w1 = mx.sym.Variable("weight1")
    b1 = mx.sym.Variable("bias1")
    l1 = mx.sym.FullyConnected(data=data, num_hidden=128, name="layer1", weight=w1, bias=b1)
    a1 = mx.sym.Activation(data=l1, act_type="relu", name="act1")
    l2 = mx.sym.FullyConnected(data=a1, num_hidden=10, name="layer2")
    cost_classification = mx.sym.SoftmaxOutput(data=l2, label=label)

    all_vectors, all_labels, trIdx, teIdx = load_digits()
    batch_size = 128
    input_shapes = {"data": (batch_size, all_vectors.shape[1]), "softmax_label": (batch_size,)}
    executor = cost_classification.simple_bind(ctx=mx.cpu(), grad_req="write", **input_shapes)
    executor_test = cost_classification.bind(ctx=mx.cpu(), args=executor.arg_arrays, grad_req="null")
    meta["mlp_arguments"] = cost_classification.list_arguments()
    meta["mlp_outputs"] = cost_classification.list_outputs()
    meta["mlp_arg_shapes"] = [list(r.shape) for r in executor.arg_arrays]

    for r in executor.arg_arrays:
        r[:] = rs.randn(*r.shape) * 0.02

    accuracies = []
    for _epoch in range(EPOCHS):
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
        probs = []
        for x in range(0, len(teIdx), batch_size):
            batchX = all_vectors[teIdx[x : x + batch_size]]
            batchY = all_labels[teIdx[x : x + batch_size]]
            if batchX.shape[0] != batch_size:
                continue
            executor_test.arg_dict["data"][:] = batchX / 255.0
            executor_test.forward()
            out = executor_test.outputs[0].asnumpy()
            probs.append(out)
            num_correct += sum(batchY == np.argmax(out, axis=1))
            num_total += len(batchY)
        accuracies.append(num_correct / float(num_total))
        res[f"test_probs_epoch{_epoch}"] = np.concatenate(probs)
    res["accuracy"] = np.array(accuracies)
    for pname, W in zip(cost_classification.list_arguments(), executor.arg_arrays):
        if pname not in ["data", "softmax_label"]:
            res[f"final_{pname}"] = W.asnumpy()
    res["meta"] = np.array(json.dumps(meta))
    return res


def main():
    os.environ["MXNET_MKLDNN_ENABLED"] = "0"  # see the module docstring: MKL-DNN's stale weight cache
    import mxnet as mx

    res = run_tutorial(mx)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tutorial.npz")
    np.savez_compressed(path, **res)
    print("wrote", path, "accuracy", res["accuracy"].tolist())


if __name__ == "__main__":
    main()
