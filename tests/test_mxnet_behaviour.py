"""Behaviour a new user met that differed from MXNet 1.9.1 (issue 11), checked against the reference.

MXNet 1.9.1 (../shared/tools/mxnet-reference): ``nd.ones((2, 3, 4)).T.shape``
is ``(4, 3, 2)`` and equals NumPy's ``.T``; ``copyto`` between shapes
``(2, 3)`` and ``(3, 2)`` raises ``MXNetError``; ``init.create``/
``metric.create`` of an unknown name and ``Module.forward`` before ``bind``
raise ``AssertionError``; FullyConnected with a wrong weight raises
``MXNetError`` (its text only says "Shape inconsistent").
"""

from __future__ import annotations

import numpy as np
import pytest

import mxpy as mx
from mxpy.base import MXNetError


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 4, 5), (1, 2, 1, 3, 2), (5,), (2, 3)])
def test_T_reverses_all_axes(shape):
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    got = mx.nd.array(x).T
    assert got.shape == x.T.shape
    np.testing.assert_array_equal(got.asnumpy(), x.T)


def test_copyto_shape_mismatch_is_mxnet_error():
    with pytest.raises(MXNetError, match=r"copyto: shape mismatch, source \(2, 3\) vs destination \(3, 2\)"):
        mx.nd.ones((2, 3)).copyto(mx.nd.zeros((3, 2)))


@pytest.mark.parametrize(
    "create, kind, known",
    [(mx.init.create, "initializer", "xavier"), (mx.metric.create, "metric", "accuracy")],
)
def test_create_unknown_name_says_what_was_given_and_what_is_known(create, kind, known):
    with pytest.raises(MXNetError) as ei:
        create("unknown")
    msg = str(ei.value)
    assert f"{kind}.create was given 'unknown'" in msg and "known: " in msg and known in msg
    assert isinstance(ei.value, AssertionError)  # what MXNet raises, for code that catches it


def _module():
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=5, name="fc"), name="softmax")
    return mx.mod.Module(net, context=mx.cpu())


def test_module_forward_before_bind_says_what_to_call_first():
    mod = _module()
    with pytest.raises(MXNetError, match=r"Module.forward: call bind\(\) and init_params\(\) first"):
        mod.forward(mx.io.DataBatch([mx.nd.ones((2, 784))]))
    with pytest.raises(MXNetError, match=r"Module.init_params: call bind\(\) first"):
        mod.init_params()
    mod.bind(data_shapes=[("data", (2, 784))], label_shapes=[("softmax_label", (2,))])
    mod.init_params()
    with pytest.raises(MXNetError, match=r"Module.update: call init_optimizer\(\) first"):
        mod.update()


def test_fully_connected_weight_error_says_which_parameter_decides():
    want = "weight: given (10, 784), expected (5, 784) from num_hidden=5 and the data's 784 features"
    with pytest.raises(MXNetError) as ei:
        mx.nd.FullyConnected(mx.nd.ones((2, 784)), mx.nd.ones((10, 784)), mx.nd.ones((5,)), num_hidden=5)
    assert str(ei.value).startswith("FullyConnected: " + want)
    with pytest.raises(MXNetError) as ei:
        mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=5, name="fc").infer_shape(data=(2, 784), fc_weight=(10, 784))
    assert "FullyConnected" in str(ei.value) and want in str(ei.value)


# (call, operator, argument, given, expected): every shape error names all four
SHAPE_ERRORS = [
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 6)), mx.nd.ones((4, 6)), mx.nd.ones((3,)), num_hidden=4), "FullyConnected", "bias", "(3,)", "(4,)"),
    (
        lambda: mx.nd.Convolution(mx.nd.ones((1, 3, 5, 5)), mx.nd.ones((2, 1, 3, 3)), mx.nd.zeros((2,)), kernel=(3, 3), num_filter=2),
        "Convolution",
        "weight",
        "(2, 1, 3, 3)",
        "(2, 3, 3, 3)",
    ),
    (
        lambda: mx.nd.Deconvolution(mx.nd.ones((1, 3, 5, 5)), mx.nd.ones((2, 2, 3, 3)), kernel=(3, 3), num_filter=2, no_bias=True),
        "Deconvolution",
        "weight",
        "(2, 2, 3, 3)",
        "(3, 2, 3, 3)",
    ),
    (
        lambda: mx.nd.BatchNorm(mx.nd.ones((2, 3)), mx.nd.ones((2,)), mx.nd.ones((3,)), mx.nd.ones((3,)), mx.nd.ones((3,))),
        "BatchNorm",
        "gamma",
        "(2,)",
        "(3,)",
    ),
    (lambda: mx.nd.LayerNorm(mx.nd.ones((2, 3)), mx.nd.ones((3,)), mx.nd.ones((4,))), "LayerNorm", "beta", "(4,)", "(3,)"),
    (lambda: mx.nd.InstanceNorm(mx.nd.ones((2, 3, 4)), mx.nd.ones((2,)), mx.nd.ones((2,))), "InstanceNorm", "gamma", "(2,)", "(3,)"),
    (lambda: mx.nd.Embedding(mx.nd.ones((2,)), mx.nd.ones((4, 5)), input_dim=3, output_dim=5), "Embedding", "weight", "(4, 5)", "(3, 5)"),
    (lambda: mx.nd.LeakyReLU(mx.nd.ones((2, 3)), mx.nd.ones((2,)), act_type="prelu"), "LeakyReLU", "gamma", "(2,)", "(3,)"),
    (
        lambda: mx.nd.SequenceMask(mx.nd.ones((4, 2, 3)), mx.nd.ones((3,)), use_sequence_length=True),
        "SequenceMask",
        "sequence_length",
        "(3,)",
        "(2,)",
    ),
]


@pytest.mark.parametrize("case", SHAPE_ERRORS, ids=lambda c: c[1] if isinstance(c, str) else None)
def test_shape_errors_name_operator_argument_given_and_expected(case):
    call, op, arg, given, expected = case
    with pytest.raises(MXNetError) as ei:
        call()
    msg = str(ei.value)
    assert msg.startswith(op + ":"), msg
    assert f"{arg}: given {given}, expected {expected}" in msg, msg
    assert " from " in msg, f"the error does not say what decides the expected shape: {msg}"
