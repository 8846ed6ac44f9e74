"""Monitored input names (``monitor_all=True``) match MXNet 1.9.1 for every op of the battery.

Golden: tests/golden/make_monitor_input_names.py (real MXNet 1.9.1) records,
per op, the names its monitor gives one node's inputs: declared names for ops
with FListInputNames, ``input0``... for the others.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from battery import load_all

import mxpy as mx

with open(os.path.join(os.path.dirname(__file__), "golden", "monitor_input_names.json")) as _f:
    G = json.load(_f)

CASES = {}
for _c in load_all():
    CASES.setdefault(_c.op, _c)

# Backward-only operators (never in a user's forward graph) whose MXNet names
# mxpy does not copy: the *_scalar backward ops name their inputs lhs/rhs, and
# multi_all_finite array_<i>.
NOT_COPIED = {op for op in G if op.startswith("_backward_") and op.endswith("_scalar")} | {"multi_all_finite"}


@pytest.mark.parametrize("op", sorted(set(G) - NOT_COPIED))
def test_monitor_input_names_match_mxnet(op):
    case = CASES[op]
    ins = case.make_inputs(np.random.default_rng(0))
    names = [f"in{i}" for i in range(len(ins))]
    fn = getattr(mx.sym, op, None) or getattr(mx.sym._internal, op)
    sym = fn(*[mx.sym.Variable(n) for n in names], name="node", **case.params)
    args = {n: mx.nd.array(x, dtype=x.dtype) for n, x in zip(names, ins)}
    arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
    ex = sym.bind(mx.cpu(), {n: args[n] for n in arg_names}, aux_states={n: args[n] for n in aux_names} or None, grad_req="null")
    seen = []
    ex.set_monitor_callback(lambda name, arr: seen.append(name), monitor_all=True)
    ex.forward(is_train=False)
    mx.nd.waitall()
    got = [s[len("node_") :] for s in seen if s.startswith("node_")][: len(ins)]
    assert got == G[op]
