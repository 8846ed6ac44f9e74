"""mx.operator: custom ops imperatively, under autograd, in executors, Modules and JSON; legacy NumpyOp/NDArrayOp; errors."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine
from mxpy.base import MXNetError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "golden"))
from custom_op_case import run as golden_run  # noqa: E402


class _Scale(mx.operator.CustomOp):
    """out = scale * x * w (elementwise); aux counts forward calls."""

    def __init__(self, scale):
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * in_data[1] * self.scale)
        if aux:
            aux[0][:] += 1

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0] * in_data[1] * self.scale)
        self.assign(in_grad[1], req[1], out_grad[0] * in_data[0] * self.scale)


@mx.operator.register("test_scale")
class _ScaleProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1.0", with_aux="False"):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)
        self.with_aux = with_aux == "True"

    def list_arguments(self):
        return ["x", "w"]

    def list_auxiliary_states(self):
        return ["count"] if self.with_aux else []

    def infer_shape(self, in_shape):
        s = in_shape[0]
        return [s, s], [s], [(1,)] if self.with_aux else []

    def create_operator(self, ctx, shapes, dtypes):
        return _Scale(self.scale)


class _Bad(mx.operator.CustomOp):
    def __init__(self, mode):
        self.mode = mode

    def forward(self, is_train, req, in_data, out_data, aux):
        if self.mode == "raise":
            raise ValueError("forward exploded")
        if self.mode == "shape":
            self.assign(out_data[0], req[0], mx.nd.ones((7,)))
            return
        self.assign(out_data[0], req[0], in_data[0])

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        self.assign(in_grad[0], req[0], out_grad[0])


@mx.operator.register("test_bad")
class _BadProp(mx.operator.CustomOpProp):
    def __init__(self, mode="ok"):
        super().__init__()
        self.mode = mode

    def infer_shape(self, in_shape):
        if self.mode == "count":
            return [in_shape[0]], [in_shape[0], in_shape[0]], []
        return [in_shape[0]], [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _Bad(self.mode)


def test_golden_softmax_custom_op_trained_in_module_matches_mxnet():
    want = np.load(os.path.join(os.path.dirname(__file__), "golden", "custom_op.npz"))
    got = golden_run(mx)
    for k in want.files:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-5, atol=1e-6, err_msg=k)


def test_imperative_autograd_and_kwargs(each_engine):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    X, W = mx.nd.array(x), mx.nd.array(w)
    y = mx.nd.Custom(X, W, op_type="test_scale", scale=2.5)
    np.testing.assert_allclose(y.asnumpy(), 2.5 * x * w, rtol=1e-6)
    y2 = mx.nd.Custom(w=W, x=X, op_type="test_scale", scale=0.5)  # inputs by name
    np.testing.assert_allclose(y2.asnumpy(), 0.5 * x * w, rtol=1e-6)
    X.attach_grad()
    W.attach_grad()
    og = rng.standard_normal((3, 4)).astype(np.float32)
    with mx.autograd.record():
        z = mx.nd.Custom(X, W, op_type="test_scale", scale=3) * 2
    z.backward(mx.nd.array(og))
    np.testing.assert_allclose(X.grad.asnumpy(), og * 2 * 3 * w, rtol=1e-5)
    np.testing.assert_allclose(W.grad.asnumpy(), og * 2 * 3 * x, rtol=1e-5)


def test_executor_json_round_trip_and_aux_states():
    x = mx.sym.Variable("x")
    s = mx.sym.Custom(x, op_type="test_scale", scale="1.5", with_aux="True", name="sc")
    assert s.list_arguments() == ["x", "sc_w"] and s.list_auxiliary_states() == ["sc_count"]
    s2 = mx.sym.load_json(s.tojson())
    assert s2.tojson() == s.tojson()
    ex = s2.simple_bind(mx.cpu(), x=(2, 3))
    ex.arg_dict["x"][:] = 2.0
    ex.arg_dict["sc_w"][:] = 3.0
    ex.forward(is_train=True)
    ex.forward(is_train=True)
    np.testing.assert_allclose(ex.outputs[0].asnumpy(), np.full((2, 3), 9.0))
    assert ex.aux_dict["sc_count"].asnumpy().tolist() == [2.0]
    ex.backward(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(ex.grad_dict["x"].asnumpy(), np.full((2, 3), 4.5))
    np.testing.assert_allclose(ex.grad_dict["sc_w"].asnumpy(), np.full((2, 3), 3.0))
    # grad_req add accumulates through the op's req
    ex2 = s2.simple_bind(mx.cpu(), x=(2, 3), grad_req="add")
    ex2.arg_dict["x"][:] = 1.0
    ex2.arg_dict["sc_w"][:] = 1.0
    for _ in range(2):
        ex2.forward(is_train=True)
        ex2.backward(mx.nd.ones((2, 3)))
    np.testing.assert_allclose(ex2.grad_dict["x"].asnumpy(), np.full((2, 3), 3.0))


def test_runs_on_queued_worker_without_deadlock():
    # every push goes to a worker: the custom op's own pushes and waits must still finish
    with engine.engine_type(engine.ThreadedEngine(inline_max=-1)):
        a = mx.nd.ones((50, 50))
        y = mx.nd.Custom(a + 1, a, op_type="test_scale", scale=2)
        assert float(y.sum().asscalar()) == 2 * 2 * 2500


def test_forward_error_surfaces_at_sync_naming_op_type_and_poisons_nothing_else(each_engine):
    a = mx.nd.ones((2, 2))
    bad = mx.nd.Custom(a, op_type="test_bad", mode="raise")
    other = a * 3
    with pytest.raises(MXNetError, match="test_bad.*forward.*ValueError: forward exploded"):
        bad.asnumpy()
    assert other.asnumpy().tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert mx.nd.Custom(a, op_type="test_bad", mode="ok").asnumpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
    wrong = mx.nd.Custom(a, op_type="test_bad", mode="shape")
    with pytest.raises(MXNetError, match="test_bad.*forward"):
        wrong.wait_to_read()


def test_bad_declarations_raise_at_call_time():
    a = mx.nd.ones((2, 2))
    with pytest.raises(MXNetError, match="test_bad.*expecting 1 entries in returned output"):
        mx.nd.Custom(a, op_type="test_bad", mode="count")
    with pytest.raises(MXNetError, match="test_bad.*expecting 1 entries in returned output"):
        mx.sym.Custom(mx.sym.Variable("d"), op_type="test_bad", mode="count").infer_shape(d=(2, 2))
    with pytest.raises(MXNetError, match="no custom operator is registered as op_type='nope'"):
        mx.nd.Custom(a, op_type="nope")
    with pytest.raises(MXNetError, match="op_type"):
        mx.nd.Custom(a)
    with pytest.raises(MXNetError, match="unknown input 'y'"):
        mx.nd.Custom(a, y=a, op_type="test_bad")
    with pytest.raises(MXNetError, match="create_operator"):

        @mx.operator.register("test_no_create")
        class _P(mx.operator.CustomOpProp):
            pass

        mx.nd.Custom(a, op_type="test_no_create").asnumpy()


def test_assign_semantics():
    op = mx.operator.CustomOp()
    d = mx.nd.ones((2,))
    op.assign(d, "null", mx.nd.zeros((2,)))
    op.assign(d, "add", mx.nd.ones((2,)) * 2)
    assert d.asnumpy().tolist() == [3.0, 3.0]
    op.assign(d, "write", mx.nd.zeros((2,)))
    op.assign(d, "inplace", 5)
    assert d.asnumpy().tolist() == [5.0, 5.0]
    with pytest.raises(MXNetError, match="unknown req"):
        op.assign(d, "bogus", d)


def test_legacy_numpy_and_ndarray_ops():
    class NpSquare(mx.operator.NumpyOp):
        def __init__(self):
            super().__init__(False)

        def forward(self, in_data, out_data):
            out_data[0][:] = in_data[0] ** 2

        def backward(self, out_grad, in_data, out_data, in_grad):
            in_grad[0][:] = 2 * in_data[0]

    class NdDouble(mx.operator.NDArrayOp):
        def forward(self, in_data, out_data):
            out_data[0][:] = in_data[0] * 2

        def backward(self, out_grad, in_data, out_data, in_grad):
            in_grad[0][:] = out_grad[0] * 2

    x = mx.sym.Variable("x")
    s = NpSquare()(NdDouble()(x))
    ex = s.simple_bind(mx.cpu(), x=(3,))
    ex.arg_dict["x"][:] = mx.nd.array([1.0, 2.0, 3.0])
    ex.forward(is_train=True)
    assert ex.outputs[0].asnumpy().tolist() == [4.0, 16.0, 36.0]
    ex.backward()  # NpSquare does not need a head gradient
    assert ex.grad_dict["x"].asnumpy().tolist() == [8.0, 16.0, 24.0]


def test_registry_listing_and_arguments():
    names = mx.operator.get_all_registered_operators()
    assert "Custom" in names and "FullyConnected" in names and names == sorted(names)
    args = mx.operator.get_operator_arguments("FullyConnected")
    assert args.narg == len(args.names) and "num_hidden" in args.names and "data" in args.names


def test_operator_argument_types_read_like_mxnet():
    # MXNet 1.9.1's strings (tests/python/unittest/test_operator.py::test_get_operator_arguments and the reference)
    act = mx.operator.get_operator_arguments("Activation")
    assert act.names == ["data", "act_type"]
    assert act.types == ["NDArray-or-Symbol", "{'relu', 'sigmoid', 'softrelu', 'softsign', 'tanh'}, required"]
    pool = dict(zip(*(lambda a: (a.names, a.types))(mx.operator.get_operator_arguments("Pooling"))))
    assert pool["pool_type"] == "{'avg', 'lp', 'max', 'sum'},optional, default='max'"
    assert pool["global_pool"] == "boolean, optional, default=0"
    assert pool["kernel"] == "Shape(tuple), optional, default=[]"
    conv = dict(zip(*(lambda a: (a.names, a.types))(mx.operator.get_operator_arguments("Convolution"))))
    assert conv["layout"] == "{None, 'NCDHW', 'NCHW', 'NCW', 'NDHWC', 'NHWC'},optional, default='None'"
    assert conv["kernel"] == "Shape(tuple), required"
