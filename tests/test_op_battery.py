"""The op battery: every registered operator, every case, both engines."""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, registry
from mxpy.ndarray import dispatch
from tests.battery import CASES, load_all

load_all()


def test_every_registered_op_has_a_case():
    covered = {c.op for c in CASES}
    missing = sorted(n for n in registry.all_ops() if n not in covered)
    assert not missing, f"registered ops without a battery case: {missing}"


def test_cases_name_registered_ops():
    unknown = sorted({c.op for c in CASES if c.op not in registry.all_ops()})
    assert not unknown, f"battery cases for unknown or non-canonical op names: {unknown}"


def test_parsed_params_read_as_attributes_from_the_instance_dict():
    """Every battery case's parsed Params: each value is in the instance ``__dict__``
    (fast attribute reads) and is the item itself; copies and pickles keep both."""
    import copy
    import pickle

    parsed = 0
    for case in CASES:
        try:
            p = registry.get(case.op).parse(case.params)
        except mx.base.MXNetError:  # the front end adds num_args and the like from the inputs
            continue
        parsed += 1
        assert set(p.__dict__) == set(p), case.id
        assert all(getattr(p, k) is p[k] for k in p), case.id
        for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
            assert clone == p and all(getattr(clone, k) == p[k] for k in p), case.id
    assert parsed > 0.9 * len(CASES)
    with pytest.raises(AttributeError):
        _ = registry.get("FullyConnected").parse({"num_hidden": 2}).no_such_param


def _run(case, np_inputs, out=None):
    fn = getattr(mx.nd, case.op) if hasattr(mx.nd, case.op) else getattr(mx.nd._internal, case.op)
    args = [mx.nd.array(x, dtype=x.dtype) for x in np_inputs]
    res = fn(*args, **case.params) if out is None else fn(*args, out=out, **case.params)
    return res if isinstance(res, list) else [res]


def _check(case, np_inputs, outs):
    got = [o.asnumpy() for o in outs]
    if case.check is not None:
        case.check(got, np_inputs, case.params)
    if case.ref is not None:
        want = case.ref(*[x.copy() for x in np_inputs], **case.params)
        want = want if isinstance(want, (list, tuple)) else [want]
        assert len(got) == len(want), f"{case.id}: {len(got)} outputs, reference has {len(want)}"
        for g, w in zip(got, want):
            w = np.asarray(w)
            assert g.shape == w.shape, f"{case.id}: shape {g.shape} vs reference {w.shape}"
            assert g.dtype == w.dtype, f"{case.id}: dtype {g.dtype} vs reference {w.dtype}"
            np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=case.rtol, atol=case.atol, err_msg=case.id)


@pytest.mark.parametrize("eng", ["NaiveEngine", "ThreadedEngine"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_forward_matches_reference(case, eng):
    rng = np.random.default_rng(0)
    np_inputs = case.make_inputs(rng)
    with engine.engine_type(eng):
        mx.random.seed(0)
        outs = _run(case, np_inputs)
        _check(case, np_inputs, outs)
        # inferred shape and dtype equal what the kernel produced
        op = registry.get(case.op)
        params = dict(case.params)
        if op.variadic is not None and "num_args" in op.params:
            params.setdefault("num_args", len(np_inputs))
        p = op.parse(params)
        # ops whose output shape depends on input values read the inputs themselves
        values = [mx.nd.array(x, dtype=x.dtype) for x in np_inputs] if op.shape_from_values is not None else None
        shapes, types = dispatch.infer(op, p, [x.shape for x in np_inputs], [x.dtype for x in np_inputs], values)
        n = op.num_visible_outputs(p)
        assert [tuple(s) for s in shapes[:n]] == [o.shape for o in outs]
        assert [np.dtype(t) for t in types[:n]] == [np.dtype(o.dtype) for o in outs]
        # out= writes into a given array and returns it
        if case.out_ok:
            given = [mx.nd.empty(o.shape, dtype=o.dtype) for o in outs]
            res = _run(case, np_inputs, out=given if len(given) > 1 else given[0])
            assert all(r is g for r, g in zip(res, given))
            if case.ref is not None or case.check is not None:
                _check(case, np_inputs, given)
        mx.nd.waitall()


def _symbolic(case, np_inputs):
    op = registry.get(case.op)
    names = [f"in{i}" for i in range(len(np_inputs))]
    syms = [mx.sym.Variable(n) for n in names]
    fn = getattr(mx.sym, case.op) if hasattr(mx.sym, case.op) else getattr(mx.sym._internal, case.op)
    sym = fn(*syms, **case.params)
    return op, sym, names


@pytest.mark.parametrize("case", [c for c in CASES if not registry.get(c.op).needs_rng], ids=lambda c: c.id)
def test_symbolic_matches_imperative_and_json_round_trips(case):
    rng = np.random.default_rng(0)
    np_inputs = case.make_inputs(rng)
    op, sym, names = _symbolic(case, np_inputs)
    if op.shape_from_values is not None:
        pytest.skip("the output shape depends on input values: executors cannot bind it (as MXNet's simple_bind)")
    if len(sym.list_arguments()) + len(sym.list_auxiliary_states()) != len(np_inputs):
        pytest.skip("the op creates inputs the case does not give")
    again = mx.sym.load_json(sym.tojson())
    assert again.tojson() == sym.tojson()
    node = again._outputs[0][0]
    assert node.params == sym._outputs[0][0].params
    args = {n: mx.nd.array(x, dtype=x.dtype) for n, x in zip(names, np_inputs)}
    arg_names = sym.list_arguments()
    aux_names = sym.list_auxiliary_states()
    ex = sym.bind(mx.cpu(), {n: args[n] for n in arg_names}, aux_states={n: args[n] for n in aux_names} or None, grad_req="null")
    outs = ex.forward(is_train=False)
    imperative = _run(case, np_inputs)
    assert len(outs) == len(imperative)
    for s_out, i_out in zip(outs, imperative):
        np.testing.assert_allclose(s_out.asnumpy().astype(np.float64), i_out.asnumpy().astype(np.float64), rtol=1e-6, atol=1e-7, err_msg=case.id)
