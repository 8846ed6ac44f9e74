"""Golden symbol JSON and auto-names from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_symbol_json.py
Writes tests/golden/symbol_json.json. Each case is built by the same code in
tests/test_symbol_json.py (the ``build`` functions take the module as ``mx``).
"""

import json
import os
import sys

import mxnet as mx

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tests.symbol_cases import CASES  # noqa: E402

out = {}
for name, build in CASES.items():
    with mx.name.NameManager():
        s = build(mx)
    out[name] = {
        "json": s.tojson(),
        "arguments": s.list_arguments(),
        "outputs": s.list_outputs(),
        "aux": s.list_auxiliary_states(),
    }
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "symbol_json.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote", path)
