"""mxpy logs only through its module loggers: it never configures the root logger for a script.

Python's ``logging.info()`` (the root logger's function) calls ``basicConfig()``
when the root has no handler, which fixes the level at WARNING; a script's later
``logging.basicConfig(level=logging.DEBUG)`` then does nothing, and ``fit``'s
epoch and Speedometer lines never show. Each check runs in a fresh interpreter,
where nothing else has touched logging.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import textwrap

import mxpy as mx

REPO = pathlib.Path(__file__).resolve().parent.parent
DIGITS = REPO / "examples" / "data" / "uci-digits"

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    import numpy as np
    import mxpy as mx

    root = logging.getLogger()

    def untouched(where):
        assert root.handlers == [] and root.level == logging.WARNING, (where, root.handlers, root.level)

    untouched("import")
    d = os.environ["DIGITS"]
    tmp = os.environ["TMPDIR_T"]
    csv = os.path.join(tmp, "d.csv")
    np.savetxt(csv, np.arange(24, dtype=np.float32).reshape(4, 6), delimiter=",")
    iters = {
        "MNISTIter": mx.io.MNISTIter(image=d + "/t10k-images-idx3-ubyte.gz", label=d + "/t10k-labels-idx1-ubyte.gz", batch_size=50, flat=True, silent=False),
        "NDArrayIter": mx.io.NDArrayIter(np.ones((10, 3), np.float32), np.zeros(10, np.float32), batch_size=4, last_batch_handle="roll_over"),
        "CSVIter": mx.io.CSVIter(data_csv=csv, data_shape=(6,), batch_size=3),
    }
    iters["ResizeIter"] = mx.io.ResizeIter(mx.io.NDArrayIter(np.ones((10, 3), np.float32), batch_size=5), 3)
    iters["PrefetchingIter"] = mx.io.PrefetchingIter(mx.io.NDArrayIter(np.ones((10, 3), np.float32), batch_size=5))
    for name, it in iters.items():
        for _ in range(2):
            for _batch in it:
                pass
            it.reset()
        untouched(name)

    def fit(label):
        it = mx.io.NDArrayIter(np.random.rand(40, 3).astype(np.float32), (np.arange(40) % 2).astype(np.float32), batch_size=4)
        net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=2, name="fc"), name="softmax")
        mod = mx.mod.Module(net, context=mx.cpu())
        mod.fit(it, eval_data=it, num_epoch=1, optimizer_params={"learning_rate": 0.1},
                batch_end_callback=mx.callback.Speedometer(4, 5),
                epoch_end_callback=mx.callback.do_checkpoint(os.path.join(tmp, label)))
        mx.model.load_checkpoint(os.path.join(tmp, label), 1)

    fit("quiet")
    untouched("fit")
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="LOG %(name)s %(message)s")
    fit("loud")
    """
)


def test_mxpy_leaves_the_root_logger_to_the_script(tmp_path):
    env = dict(os.environ, DIGITS=str(DIGITS), TMPDIR_T=str(tmp_path), PYTHONPATH=str(REPO))
    env.pop("MXNET_ENGINE_TYPE", None)
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    # before the script's basicConfig nothing was printed; after it, fit's lines appear
    assert out.startswith("LOG "), out[:500]
    for line in ("Epoch[0] Train-accuracy=", "Epoch[0] Time cost=", "Epoch[0] Validation-accuracy=", "Speed: ", 'Saved checkpoint to "'):
        assert line in out, f"{line!r} missing from the log after basicConfig:\n{out}"
    assert "LOG mxpy.callback Epoch[0] Batch [0-5]" in out or "LOG mxpy.callback Epoch[0] Batch [5-10]" in out, out


def test_no_root_logger_calls_in_the_source():
    root = pathlib.Path(mx.__file__).parent
    pattern = re.compile(r"\blogging\.(debug|info|warning|warn|error|exception|critical|log|basicConfig)\(|getLogger\(\)")
    offenders = [
        f"{p.relative_to(root)}:{i}: {line.strip()}"
        for p in root.rglob("*.py")
        for i, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith(("#", ">>>", "..."))
    ]
    assert not offenders, "log through logging.getLogger(__name__), not the root logger:\n" + "\n".join(offenders)


def test_module_default_logger_is_mxpys_own():
    net = mx.sym.Variable("data")
    assert mx.mod.Module(net, label_names=None).logger.name.startswith("mxpy.")
