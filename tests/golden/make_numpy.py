"""Golden values for tests/test_numpy_golden.py from real MXNet 1.9.1.

Run: /work/shared/tools/mxnet-reference tests/golden/make_numpy.py
Writes tests/golden/numpy.json: the mx.np / mx.npx results of
``numpy_cases.semantics_cases`` (dtype, shape, values) and the exception types
of ``error_cases``; D2L-style training (softmax regression, MLP, LeNet on the
8x8 UCI digits, imperative and hybridized) with per-epoch loss and accuracy
and test logits; and what ``export`` writes for a hybridized MLP in np mode.
"""

import json
import os
import sys
import tempfile

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from numpy_cases import export_info, run_semantics, train  # noqa: E402

out = {"semantics": run_semantics(mx), "train": {}}
for which in ("softmax", "mlp", "lenet"):
    for hyb in (False, True):
        out["train"][f"{which}_{'hybrid' if hyb else 'imperative'}"] = train(mx, which, hyb)
with tempfile.TemporaryDirectory() as d:
    out["export"] = export_info(mx, os.path.join(d, "mlp"))
with open(os.path.join(HERE, "numpy.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote numpy.json")
