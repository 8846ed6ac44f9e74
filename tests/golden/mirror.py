"""Inputs and helpers shared by the golden generators (run under real MXNet) and the tests (run under mxpy).

Nothing here imports a framework: what needs one takes the module (``mx``,
``ag``) as an argument, so each side passes its own and both build identical
inputs. Generators import this file as ``mirror`` (their directory is on
``sys.path`` when run as scripts); tests import ``tests.golden.mirror``.
"""

from __future__ import annotations

import gzip
import logging
import struct

import numpy as np

# -- io (make_io.py, test_io.py) ------------------------------------------------------------


def mnist_arrays(n=50, rows=5, cols=4):
    """Deterministic images (first pixel of image i is i) and labels."""
    i = np.arange(n)[:, None, None]
    j = np.arange(rows)[None, :, None]
    k = np.arange(cols)[None, None, :]
    img = ((i * 37 + j * 11 + k * 5 + 3) % 256).astype(np.uint8)
    img[:, 0, 0] = np.arange(n)
    lab = ((np.arange(n) * 3) % 10).astype(np.uint8)
    return img, lab


def write_idx(path, arr, gz=False):
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    raw = struct.pack(">I", 0x0800 | arr.ndim) + b"".join(struct.pack(">I", s) for s in arr.shape) + arr.tobytes()
    with (gzip.open if gz else open)(path, "wb") as f:
        f.write(raw)


def csv_text(rows=5, cols=6):
    return "".join(",".join(str(r * 3 + c + 0.5) for c in range(cols)) + "\n" for r in range(rows))


def batch_record(b):
    return {
        "data": [d.asnumpy().tolist() for d in b.data],
        "label": [lab.asnumpy().tolist() for lab in (b.label or [])],
        "dtype": [str(np.dtype(d.dtype)) for d in b.data],
        "pad": b.pad,
        "index": None if b.index is None else [int(x) for x in b.index],
    }


def run_epochs(it, epochs):
    out = []
    for _ in range(epochs):
        out.append([batch_record(b) for b in it])
        it.reset()
    return out


def descs(lst):
    return [[d.name, list(d.shape), str(np.dtype(d.dtype)), d.layout] for d in lst]


# -- FeedForward (make_feedforward.py, test_feedforward.py) ----------------------------------


class Capture(logging.Handler):
    """Collects log messages, without the timing and checkpoint lines that differ run to run."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        msg = record.getMessage()
        if "Time cost" not in msg and "Saved checkpoint" not in msg:
            self.lines.append(msg)


def ff_net(mx):
    data = mx.sym.Variable("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=8, name="fc1"), act_type="relu", name="relu1")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")


def ff_inputs():
    rng = np.random.RandomState(7)
    X = rng.uniform(-1, 1, (70, 5)).astype(np.float32)
    y = (np.argmax(X[:, :3], axis=1)).astype(np.float32)
    Xt = rng.uniform(-1, 1, (40, 5)).astype(np.float32)
    yt = (np.argmax(Xt[:, :3], axis=1)).astype(np.float32)
    params = {
        "fc1_weight": rng.uniform(-0.5, 0.5, (8, 5)).astype(np.float32),
        "fc1_bias": rng.uniform(-0.1, 0.1, (8,)).astype(np.float32),
        "fc2_weight": rng.uniform(-0.5, 0.5, (3, 8)).astype(np.float32),
        "fc2_bias": rng.uniform(-0.1, 0.1, (3,)).astype(np.float32),
    }
    return X, y, Xt, yt, params


# -- autograd.Function (make_autograd.py, test_autograd.py) -----------------------------------


def custom_functions(ag):
    """``(Square, MulAdd)``: two ``ag.Function`` subclasses with hand-written backward."""

    class Square(ag.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, dy):
            (x,) = self.saved_tensors
            return dy * 2 * x

    class MulAdd(ag.Function):
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b, a + b

        def backward(self, d1, d2):
            a, b = self.saved_tensors
            return d1 * b + d2, d1 * a + d2

    return Square, MulAdd


def second_order_ops(mx):
    """The unary ops whose second derivatives are compared (``autograd.grad`` with ``create_graph``)."""
    return {
        "sin": mx.nd.sin,
        "tanh": mx.nd.tanh,
        "log": mx.nd.log,
        "sigmoid": mx.nd.sigmoid,
        "sqrt": mx.nd.sqrt,
        "arctan": mx.nd.arctan,
        "reciprocal": mx.nd.reciprocal,
        "cos": mx.nd.cos,
    }


# -- callbacks (make_callback.py, test_callback.py) -------------------------------------------


class Metric:
    """A stand-in metric: two values that depend on a local counter."""

    def __init__(self):
        self.n = 0
        self.resets = 0

    def update(self):
        self.n += 1

    def get_name_value(self):
        return [("accuracy", self.n / 10.0), ("ce", 1.0 / (self.n + 1))]

    def reset_local(self):
        self.n = 0
        self.resets += 1


class Clock:
    """A clock that advances 0.5 s per reading."""

    def __init__(self):
        self.t = 100.0

    def time(self):
        self.t += 0.5
        return self.t


# -- NDArray operators (make_elemwise.py, test_arith_semantics.py) -----------------------------

OPERATORS = {
    "a+b": lambda a, b: a + b,
    "a-b": lambda a, b: a - b,
    "2-a": lambda a, b: 2 - a,
    "a*b": lambda a, b: a * b,
    "a/b": lambda a, b: a / b,
    "a/0": lambda a, b: a / 0,
    "1/a": lambda a, b: 1 / a,
    "a%b": lambda a, b: a % b,
    "a%2": lambda a, b: a % 2,
    "-3%a": lambda a, b: -3 % a,
    "a**2": lambda a, b: a**2,
    "a**b": lambda a, b: a**b,
    "2**a": lambda a, b: 2**a,
    "-a": lambda a, b: -a,
    "abs(a)": lambda a, b: abs(a),
    "a==b": lambda a, b: a == b,
    "a!=b": lambda a, b: a != b,
    "a>b": lambda a, b: a > b,
    "a>=0": lambda a, b: a >= 0,
    "a<b": lambda a, b: a < b,
    "a<=0.25": lambda a, b: a <= 0.25,
    "0<a": lambda a, b: 0 < a,
}


# -- indexing (make_ndarray_semantics.py, test_ndarray_semantics.py) ---------------------------


def index_bases(mx):
    """The arrays the indexing cases start from, by name."""
    return {
        "a1": lambda: mx.nd.array(np.arange(5)),
        "a2": lambda: mx.nd.array(np.arange(24).reshape(4, 6)),
        "a3": lambda: mx.nd.array(np.arange(24).reshape(2, 3, 4)),
    }


def decode_key(mx, k):
    """A fixture's JSON key -> the Python/NDArray index object."""
    if isinstance(k, list):
        return tuple(decode_key(mx, x) for x in k)
    kind, v = next(iter(k.items()))
    return {
        "int": lambda: v,
        "slice": lambda: slice(*v),
        "none": lambda: None,
        "ellipsis": lambda: Ellipsis,
        "list": lambda: v,
        "np": lambda: np.array(v),
        "np0": lambda: np.array(v),
        "nd": lambda: mx.nd.array(v),
        "float": lambda: float(v),
    }[kind]()


def decode_value(mx, v):
    """A fixture's JSON value -> the assigned object."""
    kind, x = next(iter(v.items()))
    return {
        "scalar": lambda: x,
        "nd": lambda: mx.nd.array(x),
        "nd_int32": lambda: mx.nd.array(x, dtype="int32"),
        "np": lambda: np.array(x),
        "list": lambda: x,
        "str": lambda: x,
    }[kind]()
