"""MXNet 1.9.1's partial shape inference (legacy 0 = unknown dims) on the cases of
partial_shape_cases.py.

Run with the reference interpreter (never at test time):

    ../shared/tools/mxnet-reference tests/golden/make_partial_shape.py

It writes tests/golden/partial_shape.json, which tests/test_partial_shape.py
compares mxpy against.
"""

import json
import os
import sys

import mxnet as mx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from partial_shape_cases import CASES, run  # noqa: E402

cases = {name: run(mx, name) for name in CASES}
with open(os.path.join(HERE, "partial_shape.json"), "w") as f:
    # one line per case, so a diff shows which case changed
    rows = [f"  {json.dumps(name)}: {json.dumps(cases[name], sort_keys=True)}" for name in sorted(cases)]
    f.write(f'{{"mxnet_version": {json.dumps(mx.__version__)},\n "cases": {{\n' + ",\n".join(rows) + "\n }\n}\n")
