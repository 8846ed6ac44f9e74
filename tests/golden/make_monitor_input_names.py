"""How MXNet 1.9.1's monitor names each operator's inputs, for tests/test_monitor_input_names.py.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_monitor_input_names.py``;
writes ``tests/golden/monitor_input_names.json``: ``{op: [suffix, ...]}``, the
names (after ``<node>_``) that ``set_monitor_callback(..., monitor_all=True)``
reports for the inputs of one node of ``op``, for every op of mxpy's op battery
(tests/battery; its NumPy-only modules are imported here) that MXNet 1.9.1 has
and can run with the battery's first case. An op that declares its input names
(FListInputNames) reports them (``lhs``, ``rhs``); the others report
``input0``, ``input1``, ...
"""

import importlib
import json
import os
import pkgutil
import sys
import types

# as Gluon's CachedOp sees the graph: no MKLDNN subgraph rewriting FullyConnected/Convolution into fused ops
os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
# the battery asks mxpy's registry whether an op has a backward op (to add its
# gradient cases); only forward cases matter here, so it is told there is none
_mxpy = types.ModuleType("mxpy")
_mxpy.registry = types.SimpleNamespace(find=lambda name: None)
sys.modules["mxpy"] = _mxpy
import battery  # noqa: E402

for info in pkgutil.iter_modules(battery.__path__):
    if info.name != "custom":  # the Custom-op cases need mxpy itself
        importlib.import_module(f"battery.{info.name}")

# ops whose battery case crashes MXNet 1.9.1's process (segfault) in this run
CRASH = set(os.environ.get("SKIP_OPS", "").split(","))
result, failed = {}, {}
for case in battery.CASES:
    if case.op in result:
        continue
    fn = getattr(mx.sym, case.op, None) or getattr(mx.sym._internal, case.op, None)
    if fn is None or case.op in CRASH:
        continue
    print(case.op, flush=True)
    try:
        ins = case.make_inputs(np.random.default_rng(0))
        names = [f"in{i}" for i in range(len(ins))]
        sym = fn(*[mx.sym.Variable(n) for n in names], name="node", **case.params)
        args = {n: mx.nd.array(x, dtype=x.dtype) for n, x in zip(names, ins)}
        arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
        if sorted(arg_names + aux_names) != sorted(names):
            raise ValueError(f"arguments {arg_names + aux_names}")
        ex = sym.bind(mx.cpu(), {n: args[n] for n in arg_names}, aux_states={n: args[n] for n in aux_names} or None, grad_req="null")
        seen = []
        ex.set_monitor_callback(lambda name, arr, seen=seen: seen.append(mx.base.py_str(name)), monitor_all=True)
        ex.forward(is_train=False)
        mx.nd.waitall()
        n_in = len(ins)
        got = [s[len("node_") :] for s in seen if s.startswith("node_")][:n_in]
        result[case.op] = got
    except Exception as e:  # noqa: BLE001 - an op the battery drives differently from MXNet: left out
        failed[case.op] = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"

with open(os.path.join(HERE, "monitor_input_names.json"), "w") as f:
    json.dump(result, f, indent=0, sort_keys=True)
print(len(result), "ops;", len(failed), "left out:", sorted(failed))
