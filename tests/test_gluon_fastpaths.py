"""A hybridized block reads the caller's inputs in place (no copy into the executor's own)."""

from __future__ import annotations

import numpy as np

import mxpy as mx
from mxpy import autograd, gluon
from mxpy.gluon import nn


def _net(hybrid: bool):
    mx.random.seed(5)
    net = nn.HybridSequential()
    net.add(nn.Dense(7, activation="tanh"), nn.Dense(3))
    net.initialize(mx.init.Xavier())
    if hybrid:
        net.hybridize(static_alloc=True, static_shape=True)
    return net


def test_inputs_read_in_place_give_the_imperative_numbers_and_input_gradients():
    rng = np.random.RandomState(0)
    xs = [mx.nd.array(rng.randn(4, 5)) for _ in range(3)]
    results = {}
    for hybrid in (False, True):
        net = _net(hybrid)
        outs, grads = [], []
        for x in xs + xs[:1]:  # the same input again: the kept steps
            x.attach_grad()
            with autograd.record():
                y = net(x)
                loss = (y * y).sum()
            loss.backward()
            outs.append(y.asnumpy())
            grads.append(x.grad.asnumpy())
        results[hybrid] = (outs, grads, net[0].weight.grad().asnumpy())
    for a, b in zip(results[False][0] + results[False][1], results[True][0] + results[True][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(results[False][2], results[True][2], rtol=1e-5, atol=1e-6)


def test_inference_outputs_are_new_arrays_and_follow_the_input():
    net = _net(True)
    rng = np.random.RandomState(1)
    x1, x2 = mx.nd.array(rng.randn(4, 5)), mx.nd.array(rng.randn(4, 5))
    y1 = net(x1)
    want1 = y1.asnumpy().copy()
    y2 = net(x2)
    np.testing.assert_array_equal(y1.asnumpy(), want1)  # the first output is not overwritten
    x1[:] = x2  # an input written after the call: the next call reads its new value
    np.testing.assert_array_equal(net(x1).asnumpy(), y2.asnumpy())
    assert not np.array_equal(want1, y2.asnumpy())


def test_training_loop_matches_imperative_with_trainer():
    rng = np.random.RandomState(2)
    xs = [mx.nd.array(rng.randn(6, 5)) for _ in range(4)]
    ys = [mx.nd.array(rng.randint(0, 3, 6)) for _ in range(4)]
    final = []
    for hybrid in (False, True):
        net = _net(hybrid)
        trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "momentum": 0.9})
        for x, y in zip(xs, ys):
            with autograd.record():
                loss = -mx.nd.pick(mx.nd.log_softmax(net(x)), y)
            loss.backward()
            trainer.step(6)
        final.append([p.data().asnumpy() for p in net.collect_params().values()])
    for a, b in zip(*final):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
