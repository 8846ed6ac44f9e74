"""The public names of MXNet 1.9.1's Python API, from real MXNet 1.9.1.

Run with the reference interpreter (never at test time):

    ../shared/tools/mxnet-reference tests/golden/make_api_names.py

It writes tests/golden/api_names.json: the public callables of ``mx.nd`` and
``mx.sym`` (operators and helpers). ``tests/test_packaging.py`` checks that
README.md lists exactly the ones mxpy does not have yet.
"""

import json
import os

import mxnet as mx


def public(module):
    return sorted(n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n)))


out = {"mxnet_version": mx.__version__, "nd": public(mx.nd), "sym": public(mx.sym)}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_names.json"), "w") as f:
    json.dump(out, f, indent=0, sort_keys=True)
    f.write("\n")
