"""autograd.backward's replayed plans (mxpy._autograd_plan) give what a fresh build gives."""

import json
import threading

import numpy as np
import pytest

import mxpy as mx
from mxpy import _autograd_plan, autograd
from mxpy.gluon import nn


def _batches(n, shape, seed=0):
    rng = np.random.RandomState(seed)
    return [mx.nd.array(rng.randn(*shape)) for _ in range(n)]


def _twice(step):
    """``step(fresh)`` with every backward built afresh, then with plans replayed: same numbers."""
    _autograd_plan.clear()
    fresh = step(True)
    _autograd_plan.clear()
    replayed = step(False)
    assert len(fresh) == len(replayed) > 0
    for a, b in zip(fresh, replayed):
        np.testing.assert_array_equal(a, b)
    return replayed


def _backward(head, fresh, **kw):
    if fresh:
        _autograd_plan.clear()
    head.backward(**kw)


def test_replay_is_used_and_matches_fresh_builds():
    xs = _batches(4, (3, 5))
    w = mx.nd.array(np.random.RandomState(1).randn(4, 5))
    b = mx.nd.zeros((4,))

    def step(fresh):
        w.attach_grad()
        b.attach_grad()
        out = []
        for x in xs:
            with autograd.record():
                y = mx.nd.FullyConnected(x, w, b, num_hidden=4)
                loss = (mx.nd.relu(y) * y).sum()
            _backward(loss, fresh)
            out += [w.grad.asnumpy(), b.grad.asnumpy()]
        return out

    _twice(step)
    assert len(_autograd_plan._cache()) == 1  # one signature, replayed for batches 2-4


def test_grad_req_add_accumulates_over_replays():
    xs = _batches(3, (2, 3))

    def step(fresh):
        v = mx.nd.ones((2, 3))
        v.attach_grad(grad_req="add")
        out = []
        for x in xs:
            with autograd.record():
                y = (v * x + v).sum()
            _backward(y, fresh)
            out.append(v.grad.asnumpy())
        return out

    res = _twice(step)
    np.testing.assert_allclose(res[-1], sum(x.asnumpy() + 1 for x in xs), rtol=1e-6)


def test_same_shapes_other_aliasing_is_another_plan():
    # x*x and x*y record the same ops on the same shapes; only which arrays are the same differs
    x = mx.nd.array([1.0, 2.0, 3.0])
    y = mx.nd.array([4.0, 5.0, 6.0])
    x.attach_grad()
    y.attach_grad()
    with autograd.record():
        z = x * y
    z.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [4, 5, 6])
    with autograd.record():
        z = x * x
    z.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [2, 4, 6])
    with autograd.record():
        z = x * y
    z.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [4, 5, 6])
    np.testing.assert_array_equal(y.grad.asnumpy(), [1, 2, 3])


def test_views_of_one_chunk_as_constants():
    a = mx.nd.array(np.arange(6.0).reshape(2, 3))
    v = mx.nd.ones((3,))
    v.attach_grad()
    for rows in ((0, 1), (1, 0), (0, 0)):
        with autograd.record():
            z = (v * a[rows[0]] + v * v * a[rows[1]]).sum()
        z.backward()
        want = a.asnumpy()[rows[0]] + 2 * a.asnumpy()[rows[1]]
        np.testing.assert_array_equal(v.grad.asnumpy(), want)


def test_one_constant_twice_then_two_constants():
    # the first graph reads one array in two places; the next, with the same ops and
    # shapes, reads two arrays there: replaying the first would read one of them twice
    v = mx.nd.ones((3,))
    v.attach_grad()
    a, b = mx.nd.array([1.0, 2.0, 3.0]), mx.nd.array([10.0, 20.0, 30.0])
    for c1, c2 in ((a, a), (a, b), (b, a), (b, b)):
        with autograd.record():
            z = (v * c1 + v * v * c2).sum()
        z.backward()
        np.testing.assert_array_equal(v.grad.asnumpy(), c1.asnumpy() + 2 * c2.asnumpy())


def test_other_params_or_shapes_are_other_plans():
    x = mx.nd.ones((2, 2))
    x.attach_grad()
    for s, shape in ((2.0, (2, 2)), (3.0, (2, 2)), (3.0, (4,))):
        x = mx.nd.ones(shape)
        x.attach_grad()
        with autograd.record():
            z = (x * s).sum()
        z.backward()
        np.testing.assert_array_equal(x.grad.asnumpy(), np.full(shape, s))


def test_head_grads_and_two_heads():
    xs = _batches(3, (4,))
    v = mx.nd.array([1.0, -2.0, 3.0, 0.5])

    def step(fresh):
        v.attach_grad()
        out = []
        for k, x in enumerate(xs):
            with autograd.record():
                a, b = v * x, mx.nd.exp(v)
            if fresh:
                _autograd_plan.clear()
            autograd.backward([a, b], [mx.nd.full((4,), k + 1.0), x])
            out.append(v.grad.asnumpy())
        return out

    _twice(step)


def test_batchnorm_aux_and_loss_head_over_replays():
    xs = _batches(3, (4, 3, 2, 2))
    labels = [mx.nd.array([0, 1, 2, 1]) for _ in xs]

    def step(fresh):
        mx.random.seed(3)
        net = nn.HybridSequential()
        net.add(nn.Conv2D(3, 1, in_channels=3), nn.BatchNorm(in_channels=3), nn.Flatten(), nn.Dense(3, in_units=12))
        net.initialize(mx.init.Xavier())
        out = []
        for x, y in zip(xs, labels):
            with autograd.record():
                o = mx.nd.SoftmaxOutput(net(x), y)
            _backward(o, fresh)
            for p in net.collect_params().values():
                out.append(p.data().asnumpy() if p.grad_req == "null" else p.grad().asnumpy())
        return out

    _twice(step)


def test_plans_are_per_thread():
    xs = _batches(6, (8, 4))
    results = {}

    def worker(tag, arrays):
        v = mx.nd.ones((4,))
        v.attach_grad()
        got = []
        for x in arrays:
            with autograd.record():
                z = (mx.nd.tanh(x * v) * x).sum()
            z.backward()
            got.append(v.grad.asnumpy())
        results[tag] = got

    threads = [threading.Thread(target=worker, args=(k, xs[k::2])) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(2):
        for x, g in zip(xs[k::2], results[k]):
            xn = x.asnumpy()
            np.testing.assert_allclose(g, (xn * xn * (1 - np.tanh(xn) ** 2)).sum(axis=0), rtol=1e-5)


def test_cache_is_bounded():
    _autograd_plan.clear()
    for n in range(1, _autograd_plan._MAX + 4):
        x = mx.nd.ones((n,))
        x.attach_grad()
        with autograd.record():
            z = (x * 2).sum()
        z.backward()
        np.testing.assert_array_equal(x.grad.asnumpy(), np.full((n,), 2.0))
    assert len(_autograd_plan._cache()) == _autograd_plan._MAX


@pytest.mark.parametrize("engine", ["NaiveEngine", "ThreadedEngine"])
def test_replay_on_both_engines(engine):
    xs = _batches(3, (5, 6))
    w = mx.nd.array(np.random.RandomState(2).randn(6, 6))

    def step(fresh):
        w.attach_grad()
        out = []
        for x in xs:
            with autograd.record():
                z = mx.nd.sigmoid(mx.nd.dot(x, w)).sum()
            _backward(z, fresh)
            out.append(w.grad.asnumpy())
        return out

    with mx.engine.engine_type(engine):
        _twice(step)


class _Sig(autograd.Function):
    def forward(self, x):
        y = 1 / (1 + mx.nd.exp(-x))
        self.save_for_backward(y)
        return y, x * 2

    def backward(self, dy, d2):
        (y,) = self.saved_tensors
        return dy * y * (1 - y) + d2 * 2


@pytest.mark.parametrize("use_second", [True, False])
def test_function_graphs_are_replayed(use_second):
    xs = _batches(4, (3,))

    def step(fresh):
        v = mx.nd.array([0.5, -1.0, 2.0])
        v.attach_grad()
        out = []
        for x in xs:
            with autograd.record():
                a, b = _Sig()(v * x)
                c, _ = _Sig()(a)  # two Function calls in one graph
                z = (c * c).sum() + ((b * 3).sum() if use_second else 0)
            _backward(z, fresh)
            out.append(v.grad.asnumpy())
        return out

    _twice(step)


def test_hybridized_block_with_loss_is_replayed_and_releases_its_executor():
    xs = _batches(4, (6, 5))
    ys = [mx.nd.array([0, 1, 2, 0, 1, 2]) for _ in xs]

    def step(fresh):
        mx.random.seed(0)
        net = nn.HybridSequential()
        net.add(nn.Dense(4, activation="relu", in_units=5), nn.Dense(3, in_units=4))
        net.initialize(mx.init.Xavier())
        net.hybridize(static_alloc=True, static_shape=True)
        trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        out = []
        for x, y in zip(xs, ys):
            with autograd.record():
                loss = -mx.nd.pick(mx.nd.log_softmax(net(x)), y)
            _backward(loss, fresh)
            out += [p.grad().asnumpy() for p in net.collect_params().values()]
            trainer.step(6)
        # the kept gradient graph holds no Function: one executor served every batch
        assert [len(v) for v in net._cached_op._pool.values()] == [1]
        return out

    _twice(step)


def test_hybridized_block_twice_in_one_graph():
    xs = _batches(3, (2, 4))

    def step(fresh):
        net = nn.Dense(4, in_units=4)
        net.initialize(mx.init.One())
        net.hybridize(static_alloc=True)
        out = []
        for x in xs:
            with autograd.record():
                z = (net(mx.nd.tanh(net(x))) ** 2).sum()
            _backward(z, fresh)
            out += [net.weight.grad().asnumpy(), net.bias.grad().asnumpy()]
        return out

    _twice(step)


def _grads(net):
    return [p.grad().asnumpy() for p in net.collect_params().values() if p.grad_req != "null"]


def test_recorded_hybrid_steps_match_the_imperative_net():
    # a hybridized block's forward steps go on the tape op by op; gradients (input included)
    # and BatchNorm's running statistics match the same net run imperatively
    x = mx.nd.array(np.random.RandomState(4).randn(4, 2, 6, 6))
    y = mx.nd.array([0, 1, 2, 1])
    results = []
    for hybrid in (False, True):
        mx.random.seed(5)
        net = nn.HybridSequential()
        net.add(nn.Conv2D(3, 3, in_channels=2), nn.BatchNorm(in_channels=3), nn.Activation("relu"))
        net.add(nn.MaxPool2D(2), nn.Flatten(), nn.Dense(3, in_units=12))
        net.initialize(mx.init.Xavier())
        if hybrid:
            net.hybridize(static_alloc=True, static_shape=True)
        xs = x.copy()
        xs.attach_grad()
        got = []
        for _ in range(3):
            with autograd.record():
                loss = -mx.nd.pick(mx.nd.log_softmax(net(xs)), y)
            loss.backward()
            got += _grads(net) + [xs.grad.asnumpy()]
        got += [p.data().asnumpy() for p in net.collect_params().values() if p.grad_req == "null"]
        results.append(got)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class _TwoOut(mx.gluon.HybridBlock):
    def __init__(self, **kw):
        super().__init__(**kw)
        with self.name_scope():
            self.a = nn.Dense(3, in_units=4)
            self.b = nn.Dense(2, in_units=4)

    def hybrid_forward(self, F, x):
        return self.a(x), F.tanh(self.b(x))


def test_recorded_hybrid_output_left_unused_and_calls_without_backward():
    net = _TwoOut()
    net.initialize(mx.init.One())
    net.hybridize(static_alloc=True)
    x = mx.nd.ones((2, 4))
    for _ in range(3):
        with autograd.record():  # forward only (an evaluation under record, say)
            net(x)
    for k in range(3):
        with autograd.record():
            first, _ = net(x * (k + 1))
            head = first.sum()
        head.backward()  # the second output's nodes are never freed
        np.testing.assert_allclose(net.a.weight.grad().asnumpy(), np.full((3, 4), 2.0 * (k + 1)))
    with autograd.record():
        first, _ = net(x * 2)
    nodes = json.loads(autograd.get_symbol(first).tojson())["nodes"]
    assert [n["op"] for n in nodes if n["op"] != "null"] == ["_CachedOp"]  # x * 2 is a constant here


def test_cache_is_bounded_in_bytes(monkeypatch):
    _autograd_plan.clear()
    monkeypatch.setattr(_autograd_plan, "_MAX_BYTES", 3000)
    x = mx.nd.ones((100,))  # each backward plans a few hundred-float temporaries
    x.attach_grad()
    for s in range(1, 6):
        with autograd.record():
            z = (mx.nd.exp(x * s) * x).sum()
        z.backward()
        np.testing.assert_allclose(x.grad.asnumpy(), np.exp(s * 1.0) * (s + 1), rtol=1e-6)
    plans = [p for p in _autograd_plan._cache().values() if isinstance(p, _autograd_plan.Plan)]
    assert plans and sum(p.nbytes for p in plans) <= 3000


def test_hybridized_steps_are_kept_and_imperative_arrays_are_not(monkeypatch):
    """A hybridized block's backward steps (its own arrays) are made once and kept; an
    imperative net's steps are made every batch and hold none of its arrays afterwards."""
    import gc
    import weakref

    made = []
    real = _autograd_plan.make_step
    monkeypatch.setattr(_autograd_plan, "make_step", lambda *a, **k: made.append(1) or real(*a, **k))
    xs, ys = _batches(6, (8, 5)), [mx.nd.array(np.arange(8) % 3) for _ in range(6)]

    def train(hybrid, fresh):
        mx.random.seed(3)
        net = nn.HybridSequential()
        net.add(nn.Dense(6, activation="relu"), nn.Dense(3))
        net.initialize(mx.init.Xavier())
        if hybrid:
            net.hybridize(static_alloc=True, static_shape=True)
        trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
        counts, refs = [], []
        for x, y in zip(xs, ys):
            made.clear()
            with autograd.record():
                out = net(x)
                loss = -mx.nd.pick(mx.nd.log_softmax(out), y)
            _backward(loss, fresh)
            trainer.step(8)
            counts.append(len(made))
            refs.append(weakref.ref(out))
            del out, loss
        gc.collect()
        assert all(r() is None for r in refs)  # no batch's output is held by a plan
        return [p.data().asnumpy() for p in net.collect_params().values()], counts

    _autograd_plan.clear()
    want, _ = train(False, True)
    for hybrid in (False, True):
        _autograd_plan.clear()
        got, counts = train(hybrid, False)
        for a, b in zip(want, got):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        if hybrid:  # from the third batch on only the loss's steps (new arrays) are made
            assert counts[-1] < counts[1]
        else:
            assert counts[-1] == counts[1] > 0


def _graphs():
    """Recorded graphs of several shapes: (heads, head grads) after one record block each."""
    rng = np.random.RandomState(3)
    w = mx.nd.array(rng.randn(4, 5))
    b = mx.nd.zeros((4,))
    x = mx.nd.array(rng.randn(3, 5))
    c = mx.nd.array(rng.randn(3, 4))
    w.attach_grad()
    b.attach_grad()
    x.attach_grad(grad_req="add")
    with autograd.record():
        y = mx.nd.FullyConnected(x, w, b, num_hidden=4)
        shared = mx.nd.relu(y)
        one = (shared * shared + c * y).sum()  # a node read twice, a constant, a leaf read twice
        two = mx.nd.log_softmax(shared) * c
    yield [one], [None]
    with autograd.record():
        y = mx.nd.FullyConnected(x, w, b, num_hidden=4)
        a, d = mx.nd.split(y, num_outputs=2, axis=1)  # two outputs of one node, read in reverse
        two = d * a - b.reshape((1, 4))[:, :2]
    yield [two, a], [mx.nd.ones((3, 2)), mx.nd.ones((3, 2)) * 2]
    with autograd.record():
        z = w * 3  # a marked variable read directly, and as a head
    yield [z, w], [None, None]


def test_replay_key_is_the_signature_of_the_copied_graph(monkeypatch):
    """The copy-free walk of replay() keys and orders arrays as signature() over _collect()."""
    seen = []

    def lookup(key, ext):
        seen.append((key, _autograd_plan._pattern(ext), [id(a) for a in ext]))
        return None, None

    for heads, hgs in _graphs():
        hgs = autograd._head_grads(heads, hgs)
        monkeypatch.setattr(_autograd_plan, "lookup", lookup)
        assert not _autograd_plan.replay(heads, hgs, True, True, autograd._Mark, autograd._HIGHER, autograd._FunctionOp)
        monkeypatch.undo()
        g = autograd._collect(heads)
        marked = [(n, arr) for n, arr in g.marks.values() if arr._ag[0].grad_req != "null"]
        key, ext = _autograd_plan.signature(g, [n for n, _ in marked], [arr._ag[0].grad_req for _, arr in marked], hgs, True)
        ext += [arr._grad for _, arr in marked]
        assert seen[-1] == (key, _autograd_plan._pattern(ext), [id(a) for a in ext])


def test_replayed_backwards_do_not_copy_the_graph(monkeypatch):
    xs = _batches(3, (3, 5))
    w = mx.nd.array(np.random.RandomState(1).randn(4, 5))
    w.attach_grad()
    copies = []
    real = autograd._collect
    monkeypatch.setattr(autograd, "_collect", lambda heads: copies.append(1) or real(heads))
    _autograd_plan.clear()
    grads = []
    for x in xs:
        with autograd.record():
            loss = mx.nd.relu(mx.nd.FullyConnected(x, w, no_bias=True, num_hidden=4)).sum()
        loss.backward()
        grads.append(w.grad.asnumpy())
    assert len(copies) == 1  # the first backward builds the plan; the others replay it
    assert loss._ag is None  # the replayed backward freed the graph, as backward does
    for x, g in zip(xs, grads):  # d sum(relu(x w^T)) / dw = [x w^T > 0]^T x
        xn, wn = x.asnumpy(), w.asnumpy()
        np.testing.assert_allclose(g, ((xn @ wn.T) > 0).astype(np.float32).T @ xn, rtol=1e-5, atol=1e-6)
