"""The battery's gradient checks: every case whose op has a gradient rule.

Per case (inputs from ``Case.grad_inputs`` when given, float inputs cast to
float64, integer inputs kept and never differentiated):

- the symbolic executor's input gradients equal float64 central differences
  of ``sum(out * head)`` for a fixed random head gradient (loss ops, whose
  rules ignore the head gradient, against central differences of their
  closed-form loss instead);
- ``mx.autograd`` gives the same input gradients as the symbolic executor;
- in-place planning on == off: ``op(_copy(x)...) * 1.0`` bound with
  ``MXNET_EXEC_ENABLE_INPLACE=false`` and with the default give the same
  outputs and gradients (the planner only shares internal entries, hence the
  nodes around the op).

Integer inputs are not differentiated. A float input the rule gives no
gradient (it returns None) must have a zero numerical gradient, unless it holds
whole numbers (indices, lengths: their truncation jumps right there); loss ops
differentiate their prediction only; ``Case.grad_wrt`` overrides all that.
Inputs with more than ``MAX_ELEMS`` elements are checked on a random sample of
elements plus one random direction over all of them. An op with a gradient
rule must have a checked case or a stated reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, registry
from mxpy.graph.gradient import GradBuilder
from mxpy.symbol.node import Node
from tests.battery import CASES, Case, load_all

load_all()

EPS, RTOL, ATOL = 1e-6, 1e-4, 1e-6
MAX_ELEMS = 16  # elements checked one by one per input; bigger inputs add a random direction

# ops with a gradient rule whose battery cases are not checked numerically, and why
OP_REASONS: dict[str, str] = {}


def _fn(namespace, name: str):
    return getattr(namespace, name) if hasattr(namespace, name) else getattr(namespace._internal, name)


# -- closed-form losses of the is_loss ops (their gradient ignores the head gradient) ------
def _num_output(x) -> float:
    return x.size / x.shape[0]


def _softmax_output_loss(x, label, **p):
    if set(p) - {"multi_output"}:
        raise KeyError(f"no closed form for SoftmaxOutput params {p}")
    axis = 1 if p.get("multi_output") else -1
    # multi_output with normalization 'null' still divides by the spatial size in
    # MXNet 1.9.1 (checked with mxnet-reference: grad == (p - onehot) / 4 for (2, 3, 4))
    scale = 1.0 / np.prod(x.shape[2:]) if p.get("multi_output") else 1.0
    x = x if p.get("multi_output") else x.reshape(x.shape[0], -1)
    z = x - x.max(axis=axis, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    lab = np.expand_dims(label.astype(np.int64), axis)
    return -scale * np.take_along_axis(logp, lab, axis=axis).sum()


def _regression_loss(kind: str):
    def loss(x, label, grad_scale=1.0):
        d = x - label.reshape(x.shape)
        scale = grad_scale / _num_output(x)
        if kind == "linear":
            return scale * 0.5 * (d * d).sum()
        if kind == "mae":
            return scale * np.abs(d).sum()
        return scale * (np.logaddexp(0.0, x) - label.reshape(x.shape) * x).sum()

    return loss


def _make_loss_loss(x, grad_scale=1.0, normalization="null"):
    if normalization != "null":
        raise KeyError(f"no closed form for MakeLoss normalization={normalization}")
    return grad_scale * x.sum()


LOSSES = {
    "SoftmaxOutput": _softmax_output_loss,
    "LinearRegressionOutput": _regression_loss("linear"),
    "MAERegressionOutput": _regression_loss("mae"),
    "LogisticRegressionOutput": _regression_loss("logistic"),
    "MakeLoss": _make_loss_loss,
}


# -- per-case setup ------------------------------------------------------------------------
@dataclass
class _Setup:
    case: Case
    op: registry.OpDef
    inputs: list  # np arrays, floats as float64
    raw: list  # the case's forward inputs, dtypes as given
    names: list  # in0, in1, ... per input
    arg_names: list
    aux_names: list
    wrt: list  # indices of differentiated inputs
    sym: object


def _rule_none_inputs(sym, op) -> set[int]:
    """Input positions the op's gradient rule returns None for."""
    if op.gradient is None:
        return set(range(len(sym._outputs[0][0].inputs)))
    node = sym._outputs[0][0]
    heads = {(id(n), i) for n, i in sym._outputs}
    ograds = []
    for j in range(node.num_outputs()):
        live = (id(node), j) in heads and not node.is_loss()
        ograds.append((Node(None, f"_head{j}", {}, []), 0) if live else None)
    got = op.gradient(GradBuilder(node, []), ograds)
    return {i for i, e in enumerate(got) if e is None}


def _setup(case: Case) -> _Setup | str:
    """The case ready for the gradient checks, or the reason it cannot be checked."""
    op = registry.get(case.op)
    if op.shape_from_values is not None:
        return "its output shape depends on input values, which executors cannot bind (as MXNet's simple_bind); see no_grad_reason"
    raw = case.make_grad_inputs(np.random.default_rng(0))
    inputs = [x.astype(np.float64) if x.dtype.kind == "f" else x.copy() for x in raw]
    names = [f"in{i}" for i in range(len(inputs))]
    sym = _fn(mx.sym, case.op)(*[mx.sym.Variable(n) for n in names], **case.params)
    arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
    if sorted(arg_names + aux_names) != sorted(names):
        return "the op creates inputs the case does not give"
    none = _rule_none_inputs(sym, op)
    floats = [i for i, n in enumerate(names) if n in arg_names and inputs[i].dtype.kind == "f"]
    if case.grad_wrt is not None:
        wrt = list(case.grad_wrt)
    elif sym._outputs[0][0].is_loss():
        wrt = [0]  # the prediction; MXNet's loss layers give labels a zero gradient
    else:
        # an input the rule gives no gradient (None) is checked to have a zero numerical
        # gradient too, unless it holds whole numbers: indices, lengths, whose
        # truncation jumps right there
        wrt = [i for i in floats if i not in none or not np.array_equal(inputs[i], np.round(inputs[i]))]
    if sym._outputs[0][0].is_loss() and case.op not in LOSSES:
        return f"loss op {case.op} has no closed-form loss here"
    return _Setup(case, op, inputs, case.make_inputs(np.random.default_rng(0)), names, arg_names, aux_names, wrt, sym)


_SETUPS: dict[int, _Setup | str] = {}


def _get(case: Case) -> _Setup:
    if id(case) not in _SETUPS:
        _SETUPS[id(case)] = _setup(case)
    st = _SETUPS[id(case)]
    if isinstance(st, str):
        pytest.skip(st)
    return st


GRAD_CASES = [c for c in CASES if registry.get(c.op).gradient is not None]


def _params_for(cases, numeric: bool):
    out = []
    for c in cases:
        marks = [pytest.mark.xfail(strict=True, reason=c.grad_xfail)] if numeric and c.grad_xfail else []
        out.append(pytest.param(c, marks=marks, id=c.id))
    return out


# -- executors -----------------------------------------------------------------------------
def _bind(st: _Setup, sym, values: list, grads: bool = True):
    by_name = dict(zip(st.names, values))
    args = {n: mx.nd.array(by_name[n], dtype=by_name[n].dtype) for n in st.arg_names}
    aux = {n: mx.nd.array(by_name[n], dtype=by_name[n].dtype) for n in st.aux_names}
    wrt_names = {st.names[i] for i in st.wrt} if grads else set()
    req = {n: ("write" if n in wrt_names else "null") for n in st.arg_names}
    g = {n: mx.nd.zeros(args[n].shape, dtype=args[n].dtype) for n in wrt_names}
    return sym.bind(mx.cpu(), args, args_grad=g or None, grad_req=req, aux_states=aux or None)


def _heads(outs, live=None, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    heads = []
    for k, o in enumerate(outs):
        dt = np.dtype(o.dtype)
        h = rng.standard_normal(o.shape) if dt.kind == "f" else rng.integers(-3, 4, o.shape)
        heads.append(h.astype(dt) if live is None or k in live else np.zeros(o.shape, dt))
    return heads


def _forward_backward(st: _Setup, ex, heads=None):
    mx.random.seed(0)  # random ops (Dropout, rrelu) draw the same mask every run
    outs = ex.forward(is_train=True)
    if heads is None:
        heads = _heads(outs, st.case.grad_outputs)
    ex.backward([mx.nd.array(h, dtype=h.dtype) for h in heads])
    grads = {i: ex.grad_dict[st.names[i]].asnumpy() for i in st.wrt}
    return [o.asnumpy() for o in outs], heads, grads


def _indices(size: int, rng) -> np.ndarray:
    return np.arange(size) if size <= MAX_ELEMS else np.sort(rng.choice(size, MAX_ELEMS, replace=False))


@pytest.mark.parametrize("case", _params_for(GRAD_CASES, numeric=True))
def test_gradient_matches_central_differences(case):
    if case.no_grad_reason:
        pytest.skip(case.no_grad_reason)
    st = _get(case)
    if not st.wrt:
        pytest.skip("no differentiable input")
    eps = case.grad_opts.get("eps", EPS)
    rtol, atol = case.grad_opts.get("rtol", RTOL), case.grad_opts.get("atol", ATOL)
    with engine.engine_type("NaiveEngine"):
        ex = _bind(st, st.sym, st.inputs)
        _, heads, analytic = _forward_backward(st, ex)
        fwd = _bind(st, st.sym, st.inputs, grads=False)
        loss = LOSSES.get(case.op) if st.sym._outputs[0][0].is_loss() else None
        values = [x.copy() for x in st.inputs]

        def objective() -> float:
            if loss is not None:
                return float(loss(*values, **case.params))
            for n, v in zip(st.names, values):  # aux states too: training forwards update them
                target = fwd.arg_dict.get(n)
                target = fwd.aux_dict[n] if target is None else target
                target[:] = v
            mx.random.seed(0)
            outs = fwd.forward(is_train=True)
            return float(sum((o.asnumpy().astype(np.float64) * h).sum() for o, h in zip(outs, heads)))

        rng = np.random.default_rng(2)
        for i in st.wrt:
            flat = values[i].reshape(-1)
            idx = _indices(flat.size, rng)
            num = np.empty(idx.size)
            for k, j in enumerate(idx):
                old = flat[j]
                flat[j] = old + eps
                up = objective()
                flat[j] = old - eps
                down = objective()
                flat[j] = old
                num[k] = (up - down) / (2 * eps)
            what = f"{case.id}: gradient of input {i} at flat indices {idx.tolist()}"
            np.testing.assert_allclose(analytic[i].reshape(-1)[idx], num, rtol=rtol, atol=atol, err_msg=what)
            if flat.size > MAX_ELEMS:  # every element at once: one random direction
                d = rng.standard_normal(flat.size)
                base = flat.copy()
                flat[:] = base + eps * d
                up = objective()
                flat[:] = base - eps * d
                down = objective()
                flat[:] = base
                want = (up - down) / (2 * eps)
                got = float((analytic[i].reshape(-1) * d).sum())
                scale = float(np.abs(analytic[i].reshape(-1) * d).sum())
                assert abs(got - want) <= rtol * scale + atol * np.sqrt(flat.size), f"{case.id}: directional derivative of input {i}: {got} vs {want}"


@pytest.mark.parametrize("case", _params_for(GRAD_CASES, numeric=False))
def test_autograd_matches_symbolic(case):
    st = _get(case)
    if not st.wrt:
        pytest.skip("no differentiable input")
    with engine.engine_type("NaiveEngine"):
        ex = _bind(st, st.sym, st.inputs)
        outs, heads, want = _forward_backward(st, ex)
        arrays = [mx.nd.array(x, dtype=x.dtype) for x in st.inputs]
        for i in st.wrt:
            arrays[i].attach_grad()
        mx.random.seed(0)
        with mx.autograd.record(train_mode=True):
            res = _fn(mx.nd, case.op)(*arrays, **case.params)
        res = res if isinstance(res, list) else [res]
        assert len(res) == len(outs), f"{case.id}: autograd gives {len(res)} outputs, the executor {len(outs)}"
        for r, o in zip(res, outs):
            np.testing.assert_allclose(r.asnumpy(), o, rtol=1e-12, atol=1e-12, err_msg=f"{case.id}: forward")
        if st.sym._outputs[0][0].is_loss():  # a node-level flag: a Custom op's depends on its prop
            mx.autograd.backward(res)
        else:
            mx.autograd.backward(res, head_grads=[mx.nd.array(h, dtype=h.dtype) for h in heads])
        for i in st.wrt:
            np.testing.assert_allclose(arrays[i].grad.asnumpy(), want[i], rtol=1e-10, atol=1e-12, err_msg=f"{case.id}: gradient of input {i}")


def _wrapped(st: _Setup):
    """``op(_copy(arg)..., aux...) * 1.0`` per output: the op's inputs, outputs and
    head gradients are internal entries, which only the planner may share.

    ``_copy`` makes the arguments internal (its gradient is the incoming entry
    itself); ``_mul_scalar`` adds a backward node, so the op's backward reads an
    internal out-gradient its in-place pairs may overwrite.
    """
    copy, one = mx.sym._internal._copy, mx.sym._internal._mul_scalar
    ins = [mx.sym.Variable(n) for n in st.names]
    ins = [copy(s) if n in st.arg_names else s for s, n in zip(ins, st.names)]
    out = _fn(mx.sym, st.case.op)(*ins, **st.case.params)
    n = len(out.list_outputs())
    return one(out, scalar=1.0) if n == 1 else mx.sym.Group([one(out[j], scalar=1.0) for j in range(n)])


def _run_wrapped(st: _Setup, sym, train: bool, heads):
    # training binds in float64 like the gradient checks, forward-only ones in the case's dtypes
    ex = _bind(st, sym, st.inputs if train else st.raw, grads=train and bool(st.wrt))
    if train and st.wrt:
        outs, heads, grads = _forward_backward(st, ex, heads)
    else:
        mx.random.seed(0)
        outs, grads = [o.asnumpy() for o in ex.forward(is_train=train)], {}
    return ex._plan.inplace_count, outs, grads, heads


# forward-only in-place checks cover the ops without a gradient rule too (not the
# samplers: their draws differ by design between binds that reseed differently)
_INPLACE = [(c, True) for c in GRAD_CASES] + [(c, False) for c in CASES if not registry.get(c.op).needs_rng]


@pytest.mark.parametrize(("case", "train"), [pytest.param(c, t, id=f"{c.id}-{'train' if t else 'forward'}") for c, t in _INPLACE])
def test_inplace_on_equals_off(case, train, monkeypatch):
    """Training binds (forward + backward) and forward-only binds, where no backward
    node keeps the op's input alive and more in-place pairs apply."""
    st = _get(case)
    sym = _wrapped(st)
    with engine.engine_type("NaiveEngine"):
        monkeypatch.setenv("MXNET_EXEC_ENABLE_INPLACE", "false")
        n_off, outs0, grads0, heads = _run_wrapped(st, sym, train, None)
        monkeypatch.setenv("MXNET_EXEC_ENABLE_INPLACE", "true")
        _, outs1, grads1, _ = _run_wrapped(st, sym, train, heads)
    assert n_off == 0, f"{case.id}: MXNET_EXEC_ENABLE_INPLACE=false still planned {n_off} entries in place"
    for a, b in zip(outs0, outs1):
        np.testing.assert_array_equal(a, b, err_msg=f"{case.id}: output, in-place on vs off")
    for i in grads0:
        np.testing.assert_array_equal(grads0[i], grads1[i], err_msg=f"{case.id}: gradient of input {i}, in-place on vs off")


def test_every_op_with_a_gradient_rule_is_checked_or_says_why():
    checked: set[str] = set()
    for c in GRAD_CASES:
        if c.no_grad_reason or c.grad_xfail:
            continue
        if id(c) not in _SETUPS:
            _SETUPS[id(c)] = _setup(c)
        st = _SETUPS[id(c)]
        if not isinstance(st, str) and st.wrt:
            checked.add(c.op)
    with_rule = {n for n in registry.all_ops() if registry.get(n).gradient is not None}
    missing = sorted(with_rule - checked - set(OP_REASONS))

    def explained(name: str) -> bool:
        cases = [c for c in GRAD_CASES if c.op == name]
        # creation ops (_zeros, _arange...) take no inputs: nothing to differentiate
        no_inputs = all(not c.make_grad_inputs(np.random.default_rng(0)) for c in cases)
        return no_inputs or any(c.no_grad_reason or c.grad_xfail for c in cases)

    unexplained = [n for n in missing if not explained(n)]
    assert not unexplained, f"ops with a gradient rule but no gradient-checked case and no reason: {unexplained}"
