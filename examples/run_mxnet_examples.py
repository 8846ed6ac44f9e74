"""Run MXNet 1.9.1's own example scripts on mxpy, straight from a git copy of apache/mxnet.

Each script is read from the tag (never copied into this project), written to a
scratch folder with the data it expects placed where MXNet's ``test_utils``
looks (``data/*-ubyte`` for MNIST, ``data/sherlockholmes.*.txt`` for the LSTM),
and run in a fresh interpreter where ``import mxnet`` is mxpy. The last lines
of each run (accuracies, perplexities) are printed.

    python examples/run_mxnet_examples.py --mirror /work/.mirror/apache+mxnet/repo
    python examples/run_mxnet_examples.py --mirror ... --only custom_softmax
    # the same scripts on real MXNet, for the numbers to compare against:
    python examples/run_mxnet_examples.py --mirror ... --python ../shared/tools/mxnet-reference --module mxnet

Offline there is no MNIST or Sherlock Holmes text, so unless ``--mnist-dir``
names a folder with the four MNIST idx files, the MNIST scripts get the UCI
handwritten digits (examples/data/uci-digits, 8x8 images upscaled to 28x28,
1437 train / 360 test) and the LSTM gets English text from CPython's own
documentation (pydoc_data.topics). Both frameworks see the same substitutes.

What is changed in the scripts (only to run here): NumPy aliases removed in NumPy 2
(``np.int`` -> ``int``, as the upstream-test harness rewrites them); ``python_loss.py``'s
``num_gpu = 2`` becomes 0 (CPU), and ``numba.jit`` is the identity when numba
is not installed; ``svm_mnist.py`` loses its unused import of ``fetch_mldata``
(gone from scikit-learn), splits its data 6:1 as MNIST's 60000 of 70000 (so the
digits substitute works), and gets a NumPy PCA (centred SVD) when scikit-learn is
not installed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TAG = "1.9.1"

# name -> (path in the repository, extra command-line arguments, source edits, needs)
EXAMPLES = {
    "custom_softmax": ("example/numpy-ops/custom_softmax.py", [], [], ("mnist",)),
    "weighted_logistic_regression": ("example/numpy-ops/weighted_logistic_regression.py", [], [], ()),
    "lstm_bucketing": (
        "example/rnn/bucketing/lstm_bucketing.py",
        ["--num-epochs", "2", "--num-hidden", "64", "--num-embed", "64", "--disp-batches", "20"],
        [],
        ("text",),
    ),
    "python_loss": ("example/module/python_loss.py", [], [("num_gpu = 2", "num_gpu = 0")], ("mnist",)),
    "svm_mnist": (
        "example/svm_mnist/svm_mnist.py",
        [],
        [
            ("from sklearn.datasets import fetch_mldata\n", ""),
            ("X_train = X[:60000]", "n_train = len(X) * 6 // 7  # MNIST: 60000 of 70000\nX_train = X[:n_train]"),
            ("X_test = X[60000:]", "X_test = X[n_train:]"),
            ("X_show = X_show[60000:]", "X_show = X_show[n_train:]"),
            ("Y_train = Y[:60000]", "Y_train = Y[:n_train]"),
            ("Y_test = Y[60000:]", "Y_test = Y[n_train:]"),
        ],
        ("mnist",),
    ),
}

# Makes `import mxnet` (and every mxnet.<sub>) resolve to the chosen module, as the
# upstream-test harness does; a stand-in numba whose jit is the identity when needed.
PRELUDE = r"""
import importlib, importlib.abc, importlib.util, runpy, sys, types
TARGET = {target!r}
if TARGET != "mxnet":
    class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, fullname, path=None, target=None):
            if fullname == "mxnet" or fullname.startswith("mxnet."):
                real = TARGET + fullname[len("mxnet"):]
                try:
                    importlib.import_module(real)
                except ImportError:
                    return None
                return importlib.util.spec_from_loader(fullname, self, origin=real)
            return None
        def create_module(self, spec):
            return importlib.import_module(spec.origin)
        def exec_module(self, module):
            pass
    sys.meta_path.insert(0, _Alias())
    sys.modules["mxnet"] = importlib.import_module(TARGET)
try:
    import numba  # noqa: F401
except ImportError:
    numba = types.ModuleType("numba")
    numba.jit = lambda *a, **k: (a[0] if a and callable(a[0]) else (lambda f: f))
    sys.modules["numba"] = numba
try:
    import sklearn.decomposition  # noqa: F401
except ImportError:
    class PCA:  # scikit-learn's PCA.fit_transform: the centred data's top principal components
        def __init__(self, n_components):
            self.n_components = n_components
        def fit_transform(self, X):
            import numpy as np
            u, s, _ = np.linalg.svd(X - X.mean(axis=0), full_matrices=False)
            return u[:, :self.n_components] * s[:self.n_components]
    sklearn = types.ModuleType("sklearn")
    sklearn.decomposition = types.ModuleType("sklearn.decomposition")
    sklearn.decomposition.PCA = PCA
    sys.modules["sklearn"] = sklearn
    sys.modules["sklearn.decomposition"] = sklearn.decomposition
sys.argv = {argv!r}
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _write_idx(path: str, arr: np.ndarray) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack(">I", 0x800 + arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.tobytes())


def _read_idx_gz(path: str) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim :], dtype=np.uint8).reshape(shape)


def place_mnist(workdir: str, mnist_dir: str | None) -> str:
    """Put the four MNIST idx files into ``workdir/data`` (and the .gz ones into
    ``workdir``, where ``get_mnist`` reads them); returns a description of the data."""
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    if mnist_dir:
        for n in names:
            src = os.path.join(mnist_dir, n)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(data, n))
            else:
                with gzip.open(src + ".gz", "rb") as f, open(os.path.join(data, n), "wb") as out:
                    shutil.copyfileobj(f, out)
        described = f"MNIST from {mnist_dir}"
    else:
        uci = os.path.join(HERE, "data", "uci-digits")
        for stem in ("train", "t10k"):
            img = _read_idx_gz(os.path.join(uci, f"{stem}-images-idx3-ubyte.gz"))
            lbl = _read_idx_gz(os.path.join(uci, f"{stem}-labels-idx1-ubyte.gz"))
            # 8x8 -> 24x24 (each pixel 3x3), centred in 28x28 as MNIST digits are
            big = np.zeros((len(img), 28, 28), np.uint8)
            big[:, 2:26, 2:26] = np.kron(img, np.ones((3, 3), np.uint8))
            _write_idx(os.path.join(data, f"{stem}-images-idx3-ubyte"), big)
            _write_idx(os.path.join(data, f"{stem}-labels-idx1-ubyte"), lbl)
        described = "UCI digits upscaled to 28x28 (1437 train / 360 test), not MNIST"
    for n in names:
        with open(os.path.join(data, n), "rb") as f, gzip.open(os.path.join(workdir, n + ".gz"), "wb") as out:
            shutil.copyfileobj(f, out)
    return described


def place_text(workdir: str) -> str:
    """``data/sherlockholmes.{train,valid,test}.txt`` from CPython's documentation text."""
    from pydoc_data import topics

    words = re.findall(r"[a-z]+|[.,;:()]", " ".join(topics.topics.values()).lower())
    lines = [" ".join(words[i : i + 25]) for i in range(0, len(words), 25)]
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    cut = len(lines) * 9 // 10
    train = lines[:cut]
    # the script's test vocabulary must be the training one: drop words training never saw
    seen = {w for ln in train for w in ln.split()}
    held = [" ".join(w for w in ln.split() if w in seen) for ln in lines[cut:]]
    for name, part in (("train", train), ("valid", held), ("test", held)):
        with open(os.path.join(data, f"sherlockholmes.{name}.txt"), "w") as f:
            f.write("\n".join(" " + s + " " for s in part) + "\n")
    return f"{len(lines)} lines of 25 words from pydoc_data.topics (vocabulary of the docs), not Sherlock Holmes"


def run_one(name: str, args, workroot: str) -> int:
    path, extra, edits, needs = EXAMPLES[name]
    src = subprocess.run(["git", "--git-dir", args.mirror, "show", f"{TAG}:{path}"], capture_output=True, text=True, check=True).stdout
    # NumPy 2 removed np.int and friends; the scripts meant the builtins (the upstream-test harness does the same)
    src = re.sub(r"(^|[^._\w])(np|numpy)\.(int|float|bool|object)\b(?!\w)", r"\1\3", src)
    for old, new in edits:
        if old not in src:
            print(f"[{name}] expected text not found for an edit: {old!r}")
            return 2
        src = src.replace(old, new)
    workdir = os.path.join(workroot, name)
    os.makedirs(workdir, exist_ok=True)
    script = os.path.join(workdir, os.path.basename(path))
    with open(script, "w") as f:
        f.write(src)
    notes = []
    if "mnist" in needs:
        notes.append(place_mnist(workdir, args.mnist_dir))
    if "text" in needs:
        notes.append(place_text(workdir))
    prelude = PRELUDE.format(target=args.module, argv=[script, *extra])
    # the example runs in its own folder: a relative interpreter path is taken from here
    python = os.path.abspath(args.python) if os.sep in args.python else args.python
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), os.environ.get("PYTHONPATH", "")]), MXNET_OFFLINE="1")
    print(f"=== {name} ({path} at {TAG}) on {args.module}" + (f"; data: {'; '.join(notes)}" if notes else ""))
    # one stream, unbuffered: prints and log lines stay in the order they were written
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.run([python, "-c", prelude], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, timeout=args.timeout)
    out = proc.stdout.strip().splitlines()
    keep = [ln for ln in out if any(k in ln for k in ("accuracy", "Accuracy", "perplexity", "Perplexity", "mse", "Error", "error", "output", "gradients"))]
    shown = out if len(out) <= 40 else (keep[-12:] if keep else out[-12:])
    shown += [ln for ln in out[-4:] if ln not in shown]  # the script's own summary lines
    for ln in shown:
        print("   ", ln)
    print(f"    exit status {proc.returncode}")
    return proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror", required=True, help="bare git copy of apache/mxnet with tag 1.9.1")
    ap.add_argument("--only", nargs="*", choices=sorted(EXAMPLES), help="run only these examples")
    ap.add_argument("--python", default=sys.executable, help="interpreter (default: this one)")
    ap.add_argument("--module", default="mxpy", help="what `import mxnet` loads: mxpy (default) or mxnet")
    ap.add_argument("--mnist-dir", help="folder with the four MNIST idx files (.gz or not); default: UCI digits")
    ap.add_argument("--workdir", help="scratch folder (default: a new temporary one)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per example")
    args = ap.parse_args()
    workroot = args.workdir or tempfile.mkdtemp(prefix="mxnet-examples-")
    failed = [n for n in (args.only or list(EXAMPLES)) if run_one(n, args, workroot) != 0]
    print("failed:", ", ".join(failed) if failed else "none")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
