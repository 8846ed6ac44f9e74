"""Cases for ``mx.np`` / ``mx.npx`` / Gluon under ``npx.set_np()``, run the same way
by MXNet 1.9.1 (``make_numpy.py`` writes ``numpy.json``) and by mxpy
(``tests/test_numpy_golden.py`` compares).

Every case takes the library module (``mxnet`` or ``mxpy``) and returns plain
Python data. The training cases are D2L's softmax regression, MLP and LeNet
loops (``SoftmaxCrossEntropyLoss``, ``Trainer('sgd')``, ``DataLoader``) on the
8x8 UCI digits shipped in ``examples/data``, with parameters set from a seeded
NumPy generator so both libraries start from the same weights.
"""

from __future__ import annotations

import gzip
import os
import struct

import numpy as onp

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "examples", "data", "uci-digits")


def _idx(name: str) -> onp.ndarray:
    with gzip.open(os.path.join(DIGITS, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return onp.frombuffer(raw, onp.uint8, offset=4 + 4 * ndim).reshape(dims)


def digits(n_train: int = 320, n_test: int = 64):
    """(train images N x 8 x 8 x 1 uint8, train labels, test images, test labels)."""
    xtr, ytr = _idx("train-images-idx3-ubyte.gz")[:n_train], _idx("train-labels-idx1-ubyte.gz")[:n_train]
    xte, yte = _idx("t10k-images-idx3-ubyte.gz")[:n_test], _idx("t10k-labels-idx1-ubyte.gz")[:n_test]
    return xtr[..., None], ytr.astype(onp.int32), xte[..., None], yte.astype(onp.int32)


def _desc(v):
    """A result as plain data: arrays as dtype/shape/values, tuples and lists item by item."""
    if hasattr(v, "asnumpy"):
        a = v.asnumpy()
        vals = onp.where(onp.isnan(a), None, a).tolist() if a.dtype.kind == "f" else a.tolist()
        return {"type": type(v).__name__, "dtype": str(a.dtype), "shape": list(a.shape), "value": vals}
    if isinstance(v, (list, tuple)):
        return [_desc(x) for x in v]
    if isinstance(v, (onp.generic, float, int, bool)):
        return {"scalar": type(v).__name__, "value": v.item() if isinstance(v, onp.generic) else v}
    return {"other": type(v).__name__}


def semantics_cases(mx):
    """name -> zero-argument function, over the library's np/npx."""
    np, npx = mx.np, mx.npx
    a3 = np.arange(24.0).reshape(2, 3, 4)
    i32 = np.array([1, 2, 3], dtype="int32")
    m = np.arange(6.0).reshape(2, 3)

    def setitem(x, key, value):
        x[key] = value
        return x

    def grad_dot():
        x = np.arange(4.0)
        x.attach_grad()
        with mx.autograd.record():
            y = 2 * np.dot(x, x)
        y.backward()
        return [y, x.grad]

    def grad_index_reduce():
        x = np.arange(6.0).reshape(2, 3)
        x.attach_grad()
        with mx.autograd.record():
            y = (x[1] * x[:, 1].sum()).mean() + (x.T**2).sum() / 3
        y.backward()
        return [y, x.grad]

    return {
        "arange_int": lambda: np.arange(4),
        "arange_float": lambda: np.arange(4.0),
        "array_list": lambda: np.array([1, 2, 3]),
        "array_np_int64": lambda: np.array(onp.array([1, 2, 3])),
        "array_np_f64": lambda: np.array(onp.array([1.0, 2.0])),
        "array_scalar": lambda: np.array(3),
        "array_bools": lambda: np.array([True, False]),
        "int32_plus_float": lambda: i32 + 1.5,
        "int32_div_int": lambda: i32 / 2,
        "rdiv_int": lambda: 1 / i32,
        "int32_times_int": lambda: i32 * 2,
        "int32_plus_f32": lambda: i32 + np.ones(3),
        "f16_plus_f32": lambda: np.ones(2, dtype="float16") + np.ones(2),
        "i32_plus_i64": lambda: np.ones(2, dtype="int32") + np.ones(2, dtype="int64"),
        "u8_plus_i32": lambda: np.ones(2, dtype="uint8") + np.ones(2, dtype="int32"),
        "i32_plus_f16": lambda: np.ones(2, dtype="int32") + np.ones(2, dtype="float16"),
        "bool_plus_bool": lambda: (np.ones(2) > 0) + (np.ones(2) > 0),
        "f32_plus_bool": lambda: np.ones(2) + (np.ones(2) > 0),
        "bool_plus_int": lambda: (np.ones(2) > 0) + 1,
        "bool_times_float": lambda: (np.ones(2) > 0) * 1.5,
        "i32_gt_half": lambda: np.array([0, 1], dtype="int32") > 0.5,
        "compare": lambda: np.ones(3) > 0.5,
        "eq": lambda: np.ones(2) == np.ones(2),
        "sum_all": lambda: np.ones((2, 3)).sum(),
        "sum_int": lambda: i32.sum(),
        "sum_bool": lambda: (np.ones(3) > 0).sum(),
        "sum_dtype": lambda: np.ones(2).sum(dtype="float64"),
        "sum_axis_keepdims": lambda: m.sum(axis=1, keepdims=True),
        "sum_empty_axis": lambda: np.zeros((0, 3)).sum(axis=0),
        "mean_int": lambda: i32.mean(),
        "mean_bool": lambda: (np.arange(4.0) > 1).mean(),
        "mean_axis_tuple": lambda: np.mean(a3, axis=(0, 2)),
        "max_all": lambda: m.max(),
        "max_int": lambda: np.array([1, 5], dtype="int32").max(),
        "min_axis": lambda: np.min(m, axis=0),
        "prod": lambda: np.prod(np.arange(1.0, 4.0)),
        "std": lambda: np.arange(4.0).std(),
        "std_ddof": lambda: np.std(np.arange(4.0), ddof=1),
        "var": lambda: np.var(np.arange(4.0)),
        "argmax_axis": lambda: np.array([[0.1, 0.9], [0.8, 0.2]]).argmax(axis=1),
        "argmax_all": lambda: np.argmax(m),
        "argsort": lambda: np.argsort(np.array([3.0, 1.0, 2.0])),
        "sort": lambda: np.sort(np.array([3.0, 1.0, 2.0])),
        "cumsum": lambda: np.cumsum(np.arange(4.0)),
        "zero_d_add": lambda: np.array(2.0) + np.ones((2,)),
        "zero_d_sum": lambda: np.array(2.0).sum(),
        "zero_d_max": lambda: np.array(2.0).max(),
        "getitem_int": lambda: np.ones((2, 3))[0],
        "getitem_ints": lambda: np.ones((2, 3))[0, 1],
        "getitem_bool": lambda: np.arange(4.0)[np.arange(4.0) > 1],
        "getitem_adv": lambda: m[np.array([1, 0]), np.array([0, 2])],
        "getitem_neg_step": lambda: m[-1, ::-1],
        "getitem_list": lambda: np.arange(6.0)[[0, 2, 4]],
        "getitem_ellipsis": lambda: m[..., 1],
        "getitem_float_index": lambda: m[np.array([1, 0])],
        "getitem_none": lambda: list(np.arange(6.0)[None, :, None].shape),
        "setitem_bool": lambda: setitem(np.arange(4.0), np.arange(4.0) > 1, 0),
        "setitem_slice": lambda: setitem(np.zeros((2, 3)), (slice(None), 1), 5),
        "T": lambda: m.T,
        "transpose_axes": lambda: list(np.ones((2, 3, 4)).transpose(2, 0, 1).shape),
        "reshape_neg": lambda: np.arange(6.0).reshape(-1, 2),
        "reshape_tuple": lambda: np.arange(6.0).reshape((3, 2)),
        "flatten": lambda: m.flatten(),
        "astype": lambda: np.ones(3).astype("int32"),
        "item": lambda: np.ones((2, 3))[0, 1].item(),
        "tolist": lambda: np.ones((2,)).tolist(),
        "float": lambda: float(np.ones(1)),
        "len": lambda: len(np.ones((3, 2))),
        "zeros": lambda: np.zeros((2,)),
        "zeros_empty": lambda: np.zeros((0, 3)),
        "ones_int": lambda: np.ones((2,), dtype=int),
        "full": lambda: np.full((2,), 3),
        "full_like": lambda: np.full_like(np.ones((2,)), 7),
        "zeros_like": lambda: np.zeros_like(np.ones((2,), dtype="int32")),
        "eye": lambda: np.eye(2),
        "linspace": lambda: np.linspace(0, 1, 5),
        "linspace_open": lambda: np.linspace(0, 1, 4, endpoint=False),
        "meshgrid": lambda: np.meshgrid(np.arange(3.0), np.arange(2.0)),
        "concatenate": lambda: np.concatenate([np.ones(2), np.zeros(2)]),
        "concatenate_none": lambda: np.concatenate([np.ones((2, 2)), np.zeros(3)], axis=None),
        "stack": lambda: np.stack([np.ones(2), np.zeros(2)], axis=1),
        "vstack": lambda: np.vstack([np.ones(2), np.zeros(2)]),
        "hstack": lambda: np.hstack([np.ones(2), np.zeros(2)]),
        "split": lambda: np.split(np.arange(6.0), 3),
        "split_indices": lambda: np.split(np.arange(6.0), [1, 4]),
        "squeeze": lambda: np.squeeze(np.ones((1, 3, 1))),
        "squeeze_to_0d": lambda: np.squeeze(np.ones((1,))),
        "expand_dims": lambda: np.expand_dims(np.arange(2.0), 0),
        "swapaxes": lambda: np.swapaxes(m, 0, 1),
        "flip": lambda: np.flip(np.arange(4.0)),
        "tile": lambda: np.tile(np.arange(2.0), (2, 2)),
        "repeat": lambda: np.repeat(np.arange(2.0), 2),
        "broadcast_to": lambda: np.broadcast_to(np.arange(2.0), (3, 2)),
        "where": lambda: np.where(np.array([1.0, 0.0]) > 0, 1.0, -1.0),
        "where_arrays": lambda: np.where(np.ones(2) > 0, np.ones(2), np.zeros(2)),
        "clip": lambda: np.clip(np.arange(4.0), 1, 2),
        "clip_none": lambda: np.clip(np.arange(4.0), None, 2),
        "maximum": lambda: np.maximum(np.arange(4.0), 1),
        "pow": lambda: np.arange(3.0) ** 2,
        "rpow": lambda: 2 ** np.arange(3.0),
        "pow_arrays": lambda: np.power(np.arange(3.0), np.arange(3.0)),
        "rsub": lambda: 1 - np.arange(3.0),
        "mod": lambda: np.arange(5.0) % 2,
        "neg": lambda: -np.arange(3.0),
        "exp": lambda: np.exp(np.arange(3.0)),
        "exp_int": lambda: np.exp(np.array([1, 2], dtype="int32")),
        "sqrt_int": lambda: np.sqrt(np.array([4], dtype="int32")),
        "round_half_even": lambda: np.round(np.array([0.5, 1.5, 2.5])),
        "isnan": lambda: np.isnan(np.array([1.0, onp.nan])),
        "isinf": lambda: np.isinf(np.array([1.0, onp.inf])),
        "dot_vec": lambda: np.dot(np.arange(4.0), np.arange(4.0)),
        "dot_mat_vec": lambda: np.dot(m, np.arange(3.0)),
        "matmul_batch": lambda: np.matmul(np.arange(12.0).reshape(2, 2, 3), np.ones((3, 2))),
        "tensordot": lambda: np.tensordot(np.ones((2, 3, 4)), np.ones((3, 4, 5))),
        "outer": lambda: np.outer(np.arange(2.0), np.arange(3.0)),
        "take": lambda: np.take(np.arange(5.0), np.array([0, 3])),
        "unique": lambda: np.unique(np.array([1.0, 1.0, 2.0])),
        "nonzero": lambda: np.nonzero(np.array([0.0, 1.0, 2.0])),
        "norm": lambda: np.linalg.norm(np.array([3.0, 4.0])),
        "norm_axis": lambda: np.linalg.norm(np.ones((2, 3)), axis=1),
        "iadd": lambda: setitem(np.arange(3.0), slice(None), np.arange(3.0) + 1),
        "as_np_ndarray": lambda: mx.nd.ones((2,)).as_np_ndarray(),
        "as_nd_ndarray": lambda: np.ones(2).as_nd_ndarray(),
        "grad_dot": grad_dot,
        "grad_index_reduce": grad_index_reduce,
        "npx_relu": lambda: npx.relu(np.array([-1.0, 2.0])),
        "npx_sigmoid": lambda: npx.sigmoid(np.array([0.0])),
        "npx_softmax": lambda: npx.softmax(np.array([[1.0, 2.0, 3.0]])),
        "npx_log_softmax": lambda: npx.log_softmax(np.array([[1.0, 2.0, 4.0]])),
        "npx_pick": lambda: npx.pick(m, np.array([0, 2])),
        "npx_pick_keepdims": lambda: npx.pick(m, np.array([0, 2]), keepdims=True),
        "npx_pick_axis0": lambda: npx.pick(m, np.array([0, 1, 1]), axis=0),
        "npx_one_hot": lambda: npx.one_hot(np.array([0, 2]), 3),
        "npx_sequence_mask": lambda: npx.sequence_mask(np.ones((3, 2)), np.array([1, 2]), use_sequence_length=True),
        "npx_batch_dot": lambda: npx.batch_dot(np.ones((2, 2, 3)), np.ones((2, 3, 1))),
        "npx_batch_flatten": lambda: npx.batch_flatten(a3),
        "npx_topk": lambda: npx.topk(np.array([1.0, 3.0, 2.0]), k=2),
        "npx_topk_both": lambda: npx.topk(np.array([1.0, 3.0, 2.0]), k=2, ret_typ="both"),
        "npx_fully_connected": lambda: npx.fully_connected(np.ones((2, 3)), np.ones((4, 3)), np.zeros(4), num_hidden=4, no_bias=False),
        "npx_embedding": lambda: npx.embedding(np.array([0, 1]), np.arange(6.0).reshape(3, 2), input_dim=3, output_dim=2),
        "npx_dropout_eval": lambda: npx.dropout(np.ones(4), p=0.5),
        "npx_reshape_copy_infer": lambda: npx.reshape(a3, (-2, -1)),
        "npx_reshape_rest": lambda: npx.reshape(a3, (-4,)),
        "npx_reshape_merge": lambda: npx.reshape(a3, (-5, -2)),
        "npx_reshape_split": lambda: npx.reshape(a3, (-6, 1, 2, -4)),
        "npx_reshape_skip": lambda: npx.reshape(np.ones((2, 1, 3)), (-2, -3, -2)),
        "npx_reshape_reverse": lambda: npx.reshape(a3, (-1, -2), reverse=True),
    }


def error_cases(mx):
    """name -> function expected to raise; the golden records the exception type name."""
    np = mx.np
    return {
        "broadcast_mismatch": lambda: (np.ones((2, 3)) + np.ones((3, 2))).asnumpy(),
        "array_from_nd": lambda: np.array(mx.nd.ones((2,))),
        "floordiv": lambda: np.ones(2) // 2,
        "reshape_bad": lambda: np.ones(6).reshape(4, 2),
    }


def run_semantics(mx) -> dict:
    mx.npx.set_np()
    try:
        out = {name: _desc(fn()) for name, fn in semantics_cases(mx).items()}
        errs = {}
        for name, fn in error_cases(mx).items():
            try:
                fn()
                errs[name] = None
            except Exception as e:  # noqa: BLE001 -- the type is the golden value
                errs[name] = [c.__name__ for c in type(e).__mro__ if c.__name__ in ("MXNetError", "ValueError", "TypeError", "IndexError")]
        return {"values": out, "errors": errs}
    finally:
        mx.npx.reset_np()


# -- D2L-style training --------------------------------------------------------------------------


def _nets(mx, which: str):
    nn = mx.gluon.nn
    if which == "softmax":
        net = nn.HybridSequential()
        net.add(nn.Dense(10))
    elif which == "mlp":
        net = nn.HybridSequential()
        net.add(nn.Dense(32, activation="relu"), nn.Dense(10))
    else:  # LeNet on 8x8 digits (ReLU in place of the sigmoids, which need many epochs to move)
        net = nn.HybridSequential()
        net.add(
            nn.Conv2D(channels=6, kernel_size=3, padding=1, activation="relu"),
            nn.AvgPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=8, kernel_size=3, activation="relu"),
            nn.Dense(24, activation="relu"),
            nn.Dense(10),
        )
    return net


def train(mx, which: str, hybridize: bool, epochs: int = 3, lr: float = 0.5, batch_size: int = 32, num_workers: int = 0) -> dict:
    """Train net ``which`` as D2L's ``train_ch3``; per-epoch loss/accuracy and test logits."""
    np, npx, gluon, autograd = mx.np, mx.npx, mx.gluon, mx.autograd
    npx.set_np()
    try:
        xtr, ytr, xte, yte = digits()
        transform = gluon.data.vision.transforms.ToTensor()
        train_ds = gluon.data.ArrayDataset(np.array(xtr, dtype="uint8"), ytr).transform_first(transform)
        loader = gluon.data.DataLoader(train_ds, batch_size, shuffle=False, num_workers=num_workers)
        net = _nets(mx, which)
        net.initialize()
        net(np.zeros((2, 1, 8, 8)))  # finish the deferred shapes
        rng = onp.random.RandomState(7)
        for _name, p in sorted(net.collect_params().items()):
            p.set_data(np.array(rng.uniform(-0.3, 0.3, p.shape).astype("float32")))
        if hybridize:
            net.hybridize()
        loss = gluon.loss.SoftmaxCrossEntropyLoss()
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
        history = []
        for _ in range(epochs):
            total, correct, n = 0.0, 0.0, 0
            for X, y in loader:
                with autograd.record():
                    y_hat = net(X)
                    lv = loss(y_hat, y)
                lv.backward()
                trainer.step(X.shape[0])
                total += float(lv.sum())
                correct += float((y_hat.argmax(axis=1).astype(y.dtype) == y).sum())
                n += y.size
            history.append([total / n, correct / n])
        test_x = np.array(xte.transpose(0, 3, 1, 2).astype("float32") / 255.0)
        logits = net(test_x)
        acc = float((logits.argmax(axis=1) == np.array(yte, dtype="int64")).astype("float32").mean())
        kinds = sorted({type(X).__name__, type(y).__name__, type(y_hat).__name__, type(lv).__name__})
        return {"history": history, "test_logits": logits[:4].asnumpy().tolist(), "test_acc": acc, "types": kinds}
    finally:
        npx.reset_np()


def export_info(mx, path_prefix: str) -> dict:
    """Export a hybridized MLP under np mode: the graph's ops, the params' keys and record magic."""
    import json

    np, npx = mx.np, mx.npx
    npx.set_np()
    try:
        net = _nets(mx, "mlp")
        net.initialize()
        net.hybridize()
        net(np.ones((2, 64)))
        net.export(path_prefix)
        with open(path_prefix + "-symbol.json") as f:
            doc = json.load(f)
        with open(path_prefix + "-0000.params", "rb") as f:
            raw = f.read()
        loaded = npx.load(path_prefix + "-0000.params")
        net.save_parameters(path_prefix + ".params")
        with open(path_prefix + ".params", "rb") as f:
            saved = f.read()
        return {
            "save_parameters_keys": sorted(npx.load(path_prefix + ".params")),
            "save_parameters_magic": saved[24:28].hex(),
            "ops": [n["op"] for n in doc["nodes"]],
            "attrs": doc.get("attrs", {}),
            "param_keys": sorted(loaded),
            "loaded_types": sorted({type(v).__name__ for v in loaded.values()}),
            "record_magic": raw[24:28].hex(),
        }
    finally:
        npx.reset_np()
