"""mx.th: torch modules and functions as mxpy operators (DLPack in, torch autograd for the backward)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine

torch = pytest.importorskip("torch")


def test_cpu_build():
    assert torch.version.cuda is None or mx.num_gpus() > 0  # tests here run the CPU wheel


def test_dlpack_round_trips_share_memory():
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    a = mx.nd.from_dlpack(t)
    t[0, 0] = 42.0
    assert a.asnumpy()[0, 0] == 42.0
    b = mx.nd.array(np.ones((2, 2), dtype=np.float32))
    tb = torch.from_dlpack(b)
    tb.mul_(5)
    assert b.asnumpy().tolist() == [[5.0, 5.0], [5.0, 5.0]]
    back = mx.nd.from_dlpack(torch.from_dlpack(mx.nd.to_dlpack_for_write(b)))
    back[:] = 7
    back.wait_to_read()
    assert tb[0, 0].item() == 7.0 and b.asnumpy()[1, 1] == 7.0


def _mid():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.Tanh())


def test_params_share_memory_with_the_module():
    mid = _mid()
    op = mx.th.TorchOp(mid, name="shared")
    w = op.params["0_weight"]
    w[:] = 0.5
    w.wait_to_read()
    assert float(mid[0].weight.detach()[3, 4]) == 0.5
    assert op.param_names == ["0_weight", "0_bias"]


def test_imperative_and_autograd_match_torch():
    mid = _mid()
    op = mx.th.TorchOp(mid, name="imp")
    x = mx.nd.array(np.random.default_rng(0).normal(size=(4, 16)))
    np.testing.assert_allclose(op(x).asnumpy(), mid(torch.from_numpy(x.asnumpy())).detach().numpy(), rtol=1e-6)
    for v in op.params.values():
        v.attach_grad()
    x.attach_grad()
    with mx.autograd.record():
        loss = (op(x) * mx.nd.arange(16)).sum()
    loss.backward()
    xt = torch.from_numpy(x.asnumpy()).requires_grad_(True)
    (mid(xt) * torch.arange(16.0)).sum().backward()
    np.testing.assert_allclose(x.grad.asnumpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(op.params["0_weight"].grad.asnumpy(), mid[0].weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(op.params["0_bias"].grad.asnumpy(), mid[0].bias.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_function_with_two_inputs_and_outputs_in_an_executor():
    def fn(a, b):
        return torch.sin(a) * b, a @ b.T

    op = mx.th.TorchOp(fn, num_outputs=2)
    assert op.num_inputs == 2
    a, b = mx.sym.Variable("a"), mx.sym.Variable("b")
    out = op(a, b, name="f")
    sym = mx.sym.Group([mx.sym.sum(out[0]), mx.sym.sum(out[1] * 3)])
    rng = np.random.default_rng(1)
    av, bv = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    args = {"a": mx.nd.array(av), "b": mx.nd.array(bv)}
    grads = {"a": mx.nd.zeros((3, 4)), "b": mx.nd.zeros((3, 4))}
    ex = sym.bind(mx.cpu(), args, args_grad=grads)
    outs = ex.forward(is_train=True)
    ex.backward([mx.nd.ones((1,)), mx.nd.ones((1,))])
    at, bt = torch.tensor(av, dtype=torch.float32, requires_grad=True), torch.tensor(bv, dtype=torch.float32, requires_grad=True)
    s0, s1 = (torch.sin(at) * bt).sum(), ((at @ bt.T) * 3).sum()
    (s0 + s1).backward()
    np.testing.assert_allclose(outs[0].asnumpy(), [s0.item()], rtol=1e-5)
    np.testing.assert_allclose(outs[1].asnumpy(), [s1.item()], rtol=1e-5)
    np.testing.assert_allclose(grads["a"].asnumpy(), at.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grads["b"].asnumpy(), bt.grad.numpy(), rtol=1e-5, atol=1e-6)


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32) + (x[:, 2] > 1).astype(np.float32)
    return x, y


def test_module_training_matches_pure_torch():
    """FC -> torch (Linear + Tanh) -> FC -> SoftmaxOutput trained by Module == the same net trained in torch, to 1e-5."""
    torch.manual_seed(0)
    first, mid, last = torch.nn.Linear(8, 16), _mid(), torch.nn.Linear(16, 3)
    init = {
        "fc1_weight": first.weight.detach().numpy().copy(),
        "fc1_bias": first.bias.detach().numpy().copy(),
        "fc2_weight": last.weight.detach().numpy().copy(),
        "fc2_bias": last.bias.detach().numpy().copy(),
    }
    op = mx.th.TorchOp(_mid(), name="middle")
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=16, name="fc1")
    net = op(net, name="mid")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(net, num_hidden=3, name="fc2"), name="softmax")
    x, y = _data()
    batch, lr, steps = 16, 0.5, 8
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (batch, 8))], label_shapes=[("softmax_label", (batch,))])
    arg_params = {k: mx.nd.array(v) for k, v in init.items()}
    arg_params.update(op.arg_params("mid"))
    mod.init_params(arg_params=arg_params)
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": lr})

    params = list(first.parameters()) + list(mid.parameters()) + list(last.parameters())
    opt = torch.optim.SGD(params, lr=lr)
    for step in range(steps):
        sl = slice((step * batch) % len(x), (step * batch) % len(x) + batch)
        mod.forward(mx.io.DataBatch([mx.nd.array(x[sl])], [mx.nd.array(y[sl])]), is_train=True)
        mod.backward()
        mod.update()
        opt.zero_grad()
        logits = last(mid(first(torch.from_numpy(x[sl]))))
        torch.nn.functional.cross_entropy(logits, torch.from_numpy(y[sl]).long()).backward()
        opt.step()
    got, _ = mod.get_params()
    np.testing.assert_allclose(got["mid_0_weight"].asnumpy(), mid[0].weight.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["mid_0_bias"].asnumpy(), mid[0].bias.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["fc1_weight"].asnumpy(), first.weight.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["fc2_weight"].asnumpy(), last.weight.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert np.abs(got["mid_0_weight"].asnumpy() - _mid()[0].weight.detach().numpy()).max() > 1e-3  # it did train
    op.load_params(got, prefix="mid")
    np.testing.assert_allclose(op.fn[0].weight.detach().numpy(), got["mid_0_weight"].asnumpy())


def test_lazy_on_the_engine():
    """The call returns before the torch code runs; a wait gives its result."""
    release = threading.Event()

    def slow(a):
        if a.device.type != "meta":  # shape inference runs on the meta device at call time
            assert release.wait(10)
        return a * 2

    with engine.engine_type(engine.ThreadedEngine(inline_max=-1)):
        op = mx.th.TorchOp(slow)
        x = mx.nd.ones((3,))
        x.wait_to_read()
        y = op(x)  # queued: the kernel waits for the event
        assert engine.get().pending() >= 1
        release.set()
        assert y.asnumpy().tolist() == [2.0, 2.0, 2.0]


def test_errors_name_the_op_at_the_sync_point():
    def shifty(a):  # one shape on the meta device (inference), another when it really runs
        return a if a.device.type == "meta" else a[:1]

    y = mx.th.TorchOp(shifty)(mx.nd.ones((3, 2)))
    with pytest.raises(mx.MXNetError, match=r"torch_shifty.*shape \(1, 2\), expected \(3, 2\)"):
        y.asnumpy()

    def boom(a):
        if a.device.type != "meta":
            raise ValueError("torch side exploded")
        return a

    z = mx.th.TorchOp(boom)(mx.nd.ones((2,)))
    with pytest.raises(mx.MXNetError, match="torch_boom.*torch side exploded"):
        z.wait_to_read()
    with pytest.raises(TypeError, match="NDArrays or all Symbols"):
        mx.th.TorchOp(torch.tanh, name="tanh_mixed")(mx.nd.ones((2,)), mx.sym.Variable("x"))
    with pytest.raises(mx.MXNetError, match="parameter '0_weight' has shape"):
        op = mx.th.TorchOp(_mid(), name="bad_shape")
        op(mx.sym.Variable("x"), name="m").infer_shape(x=(2, 16), m_0_weight=(3, 3))
