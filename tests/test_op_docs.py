"""Every operator front end documents its inputs, each parameter (type, default, meaning) and its outputs.

The text comes from the op record (``OpDef.doc`` and each ``Param``'s doc) via
``mxpy.registry.docs``; an operator registered with an undocumented parameter
fails ``test_every_registered_op_documents_every_parameter`` with the op, the
parameter and the file to fix.
"""

from __future__ import annotations

import inspect
import io
import os
from contextlib import redirect_stdout

import pytest

import mxpy as mx
from mxpy import registry


def _ops():
    seen, ops = set(), []
    for name in registry.all_names():
        op = registry.get(name)
        if id(op) not in seen:
            seen.add(id(op))
            ops.append(op)
    return ops


def _where(op) -> str:
    try:
        return os.path.relpath(inspect.getsourcefile(op.kernel), os.path.dirname(os.path.dirname(mx.__file__)))
    except TypeError:
        return "its registering module"


def test_every_registered_op_documents_every_parameter():
    missing = [
        f"  {op.name}: parameter '{k}' (Param in {_where(op)}: add doc=\"...\")" for op in _ops() for k, spec in op.params.items() if not spec.doc.strip()
    ]
    assert not missing, "operator parameters without a doc (help(mx.nd.X) shows each one's meaning):\n" + "\n".join(missing)


def test_every_registered_op_has_a_summary():
    missing = [f"  {op.name} ({_where(op)})" for op in _ops() if not (op.doc or "").strip()]
    assert not missing, "operators without a doc= summary:\n" + "\n".join(missing)


def _help(fn) -> str:
    buf = io.StringIO()
    with redirect_stdout(buf):
        help(fn)
    return buf.getvalue()


def test_help_batchnorm_lists_parameters_inputs_and_outputs():
    text = _help(mx.nd.BatchNorm)
    for line in (
        "fix_gamma : bool, optional, default True",
        "treat gamma as 1",
        "momentum : float, optional, default 0.9",
        "eps : float, optional, default 0.001",
        "moving_mean : NDArray",
        "Returns",
        "output (with default parameters; hidden: mean, var)",
    ):
        assert line in text, f"{line!r} missing from help(mx.nd.BatchNorm):\n{text}"


def test_help_symbol_convolution_lists_parameters_inputs_and_outputs():
    text = _help(mx.sym.Convolution)
    for line in ("kernel : tuple of int, required", "num_filter : int in [1, 100000], required", "weight : Symbol", "name : str, optional", "Returns"):
        assert line in text, f"{line!r} missing from help(mx.sym.Convolution):\n{text}"


@pytest.mark.parametrize("front, array", [(mx.nd, "NDArray"), (mx.sym, "Symbol")], ids=["nd", "sym"])
def test_every_front_end_lists_every_input_and_parameter(front, array):
    problems, checked = [], 0
    for name in registry.all_names():
        fn = getattr(front, name, None)
        if fn is None or not callable(fn) or getattr(fn, "__module__", "") not in ("mxpy.ndarray", "mxpy.symbol"):
            continue  # hand-written wrappers and internal names
        op = registry.get(name)
        doc = fn.__doc__ or ""
        want = [f"{k} : " for k in op.params if not (op.variadic is not None and k == "num_args")]
        want += [f"*data : {array}"] if op.variadic is not None else [f"{i} : {array}" for i in op.declared_inputs()]
        want += ["Parameters", "Returns"]
        checked += 1
        lost = [w for w in want if w not in doc]
        if lost:
            problems.append(f"  {front.__name__}.{name}: {lost}")
    assert checked > 200, f"only {checked} {front.__name__} functions built from the registry"
    assert not problems, "front-end docstrings missing entries:\n" + "\n".join(problems)
