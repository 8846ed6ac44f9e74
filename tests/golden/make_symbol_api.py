"""Golden Symbol API behaviour (attributes, internals, inference) from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_symbol_api.py
Writes tests/golden/symbol_api.json: for each probe in tests/symbol_cases.py
(``PROBES``), the plain data it returns. The same probes run under mxpy in
tests/test_symbol_api.py. Also writes the legacy JSON loading results for the
hand-made files in tests/golden/old_json/.
"""

import json
import os
import sys

import mxnet as mx

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(here)))
from tests.symbol_cases import PROBES  # noqa: E402

out = {"probes": {}, "old_json": {}}
for name, probe in PROBES.items():
    with mx.name.NameManager():
        out["probes"][name] = probe(mx)

old = os.path.join(here, "old_json")
for fname in sorted(os.listdir(old)) if os.path.isdir(old) else []:
    with open(os.path.join(old, fname)) as f:
        text = f.read()
    try:
        s = mx.sym.load_json(text)
        out["old_json"][fname] = {
            "json": s.tojson(),
            "arguments": s.list_arguments(),
            "outputs": s.list_outputs(),
            "aux": s.list_auxiliary_states(),
            "attr_dict": s.attr_dict(),
        }
    except Exception as e:  # noqa: BLE001 - the class is the golden
        out["old_json"][fname] = {"error": type(e).__name__, "message": str(e).splitlines()[0][:300]}

path = os.path.join(here, "symbol_api.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote", path)
