"""mx.profiler: the Chrome trace, MXNet's aggregate statistics, user objects, zero cost when off.

Two tests follow the logic of MXNet's example/profiler scripts: imperative
NDArray work profiled with ``profile_all`` (profiler_ndarray.py) and a
Module training an MLP profiled with ``profile_symbolic`` (profiler_executor.py).
"""

from __future__ import annotations

import json
import os
import pickle
from collections import defaultdict

import numpy as np
import pytest

import mxpy as mx
from mxpy import engine, profiler
from mxpy.base import MXNetError

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "profiler.json")


@pytest.fixture(autouse=True)
def fresh_profiler(tmp_path, monkeypatch):
    """Each test starts with a stopped, empty profiler inside its own folder."""
    monkeypatch.chdir(tmp_path)
    profiler._reset_for_tests()
    yield tmp_path
    profiler._reset_for_tests()


def load_trace(path) -> list[dict]:
    with open(path) as f:
        doc = json.load(f)
    assert set(doc) >= {"traceEvents"}
    return doc["traceEvents"]


def check_nesting(events: list[dict]) -> dict:
    """Complete events of one thread must be disjoint or nested; returns events per (pid, tid)."""
    per_thread = defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            per_thread[(e["pid"], e["tid"])].append((e["ts"], e["ts"] + e["dur"], e["name"]))
    for spans in per_thread.values():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack: list[tuple] = []
        for start, end, name in spans:
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack:  # inside the span on top: it must end within it
                assert end <= stack[-1][1] + 1e-3, f"{name} overlaps {stack[-1][2]} on one thread without nesting"
            stack.append((start, end, name))
    return per_thread


def op_events(events, name=None):
    return [e for e in events if e["ph"] == "X" and e["cat"] == "operator" and (name is None or e["name"] == name)]


def test_ndarray_example_logic(fresh_profiler):
    """profiler_ndarray.py: imperative ops under profile_all give named, shaped, nested events."""
    profiler.set_config(profile_all=True, filename="profile_ndarray.json")
    profiler.set_state("run")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64, np.int32):
        x = rng.uniform(1, 10, (3, 4)).astype(dtype)
        y = rng.uniform(1, 10, (3, 4)).astype(dtype)
        a, b = mx.nd.array(x, dtype=dtype), mx.nd.array(y, dtype=dtype)
        for got, want in [(a + b, x + y), (a - b, x - y), (a * b, x * y)]:
            np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
    x = rng.uniform(0, 10, (5, 6)).astype(np.float32)
    a = mx.nd.array(x)
    np.testing.assert_allclose(mx.nd.sqrt(a).asnumpy(), np.sqrt(x), rtol=1e-6)
    np.testing.assert_allclose(mx.nd.square(a).asnumpy(), np.square(x), rtol=1e-6)
    np.testing.assert_allclose(mx.nd.norm(a).asscalar(), np.linalg.norm(x), rtol=1e-5)
    np.testing.assert_allclose((-a).asnumpy(), -x)
    idx = rng.integers(0, 6, 5)
    np.testing.assert_array_equal(mx.nd.choose_element_0index(a, mx.nd.array(idx)).asnumpy(), x[np.arange(5), idx])
    np.testing.assert_allclose(pickle.loads(pickle.dumps(a)).asnumpy(), x)
    mx.nd.save("arrays.params", {"a": a})
    np.testing.assert_allclose(mx.nd.load("arrays.params")["a"].asnumpy(), x)
    np.testing.assert_allclose(a[1:3].asnumpy(), x[1:3])
    np.testing.assert_allclose(mx.nd.clip(a, 2, 5).asnumpy(), np.clip(x, 2, 5))
    np.testing.assert_allclose(mx.nd.dot(a, a.T).asnumpy(), x @ x.T, rtol=1e-5)
    np.testing.assert_allclose(mx.nd.sum(a, axis=1).asnumpy(), x.sum(axis=1), rtol=1e-5)
    np.testing.assert_allclose(mx.nd.broadcast_to(mx.nd.array(x[:1]), shape=(5, 6)).asnumpy(), np.broadcast_to(x[:1], (5, 6)))
    profiler.set_state("stop")
    profiler.dump()

    events = load_trace("profile_ndarray.json")
    check_nesting(events)
    names = {e["name"] for e in op_events(events)}
    assert {"sqrt", "square", "dot", "clip", "sum", "pick", "broadcast_add"} <= names
    dot = op_events(events, "dot")[0]
    assert dot["args"]["inputs"] == [[5, 6], [6, 5]] and dot["args"]["outputs"] == [[5, 5]]
    assert dot["args"]["bytes"] == 5 * 5 * 4 and dot["args"]["mode"] == "imperative"
    # every device track and thread track is named
    meta = {(e["name"], e["pid"], e.get("tid")) for e in events if e["ph"] == "M"}
    for e in op_events(events):
        assert ("process_name", e["pid"], None) in meta and ("thread_name", e["pid"], e["tid"]) in meta


def _mlp():
    data = mx.sym.Variable("data")
    net = data
    for i in range(1, 5):
        net = mx.sym.FullyConnected(net, name=f"fc{i}", num_hidden=32)
        net = mx.sym.Activation(net, name=f"relu{i}", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc5", num_hidden=10)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def test_executor_example_logic(fresh_profiler):
    """profiler_executor.py: a Module trained with profile_symbolic records the executor's ops only."""
    profiler.set_config(profile_symbolic=True, profile_imperative=False, filename="profile_executor_5iter.json")
    mod = mx.mod.Module(_mlp(), data_names=["data"], label_names=["softmax_label"], context=mx.cpu())
    mod.bind(data_shapes=[("data", (16, 1, 8, 8))], label_shapes=[("softmax_label", (16,))])
    mod.init_params(initializer=mx.init.Xavier(magnitude=2.0))
    mod.init_optimizer(optimizer="ccsgd", optimizer_params={"learning_rate": 0.0001, "momentum": 0.0, "wd": 0.0})
    batch = mx.io.DataBatch([mx.random.uniform(-1.0, 1.0, shape=(16, 1, 8, 8))], [mx.nd.array(np.arange(16) % 10)])
    for _ in range(2):  # dry run, not recorded
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
    mx.nd.waitall()
    profiler.set_state("run")
    iterations = 3
    for _ in range(iterations):
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
        for out in mod.get_outputs(merge_multi_context=False)[0]:
            out.wait_to_read()
    profiler.set_state("stop")
    profiler.dump()

    events = load_trace("profile_executor_5iter.json")
    check_nesting(events)
    ops = op_events(events)
    assert ops and all(e["args"]["mode"] == "symbolic" for e in ops)
    counts = defaultdict(int)
    for e in ops:
        counts[e["name"]] += 1
    assert counts["FullyConnected"] == 5 * iterations
    assert counts["SoftmaxOutput"] == iterations
    assert any(name.startswith("_backward_") for name in counts)
    fc5 = [e for e in ops if e["name"] == "FullyConnected" and e["args"]["outputs"] == [[16, 10]]]
    assert len(fc5) == iterations and fc5[0]["args"]["inputs"] == [[16, 32], [10, 32], [10]]


def test_worker_threads_get_their_own_tracks(fresh_profiler):
    """Queued ops run on engine workers; each thread is a track and its events nest."""
    with engine.engine_type(engine.ThreadedEngine(inline_max=-1)):
        profiler.set_config(profile_all=True, filename="threads.json")
        profiler.set_state("run")
        a = mx.nd.ones((64, 64), ctx=mx.cpu(0))
        b = mx.nd.ones((64, 64), ctx=mx.cpu(1))
        for _ in range(5):
            a = mx.nd.dot(a, a) * 0.01
            b = mx.nd.dot(b, b) * 0.01
        mx.nd.waitall()
        profiler.set_state("stop")
        profiler.dump()
    events = load_trace("threads.json")
    per_thread = check_nesting(events)
    ops = op_events(events, "dot")
    assert len(ops) == 10
    pids = {e["pid"] for e in ops}
    assert len(pids) == 2, "one process track per device"
    process_names = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    assert {process_names[p] for p in pids} == {"cpu/0", "cpu/1"}
    thread_names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name" and e["pid"] in pids}
    assert all(n.startswith("mxpy-cpu(") for n in thread_names), thread_names
    assert len([k for k in per_thread if k[0] in pids]) >= 2


def test_off_means_the_class_methods(fresh_profiler):
    """Recording gives the engine instance its own push; stop, pause and switching engines take it away."""
    eng = engine.get()
    assert "push" not in vars(eng)
    profiler.set_config(filename="x.json", continuous_dump=False)
    profiler.set_state("run")
    assert "push" in vars(eng) and "wait_all" in vars(eng)
    profiler.pause()
    assert "push" not in vars(eng)
    (mx.nd.ones((2,)) + 1).wait_to_read()  # not recorded
    profiler.resume()
    (mx.nd.ones((3,)) * 2).wait_to_read()
    with engine.engine_type("NaiveEngine") as naive:
        assert "push" in vars(naive)
        mx.nd.sqrt(mx.nd.ones((4,))).wait_to_read()
    assert "push" in vars(engine.get())
    profiler.set_state("stop")
    assert "push" not in vars(engine.get()) and "wait_read" not in vars(engine.get())
    profiler.dump()
    names = [e["name"] for e in op_events(load_trace("x.json"))]
    assert "_plus_scalar" not in names and "_mul_scalar" in names and "sqrt" in names


def test_default_filename_and_dump_rules(fresh_profiler):
    with pytest.raises(MXNetError, match="has not run"):
        profiler.dump()
    profiler.set_state("run")  # no set_config: MXNet's defaults, continuous dump on
    mx.nd.ones((2, 2)).wait_to_read()
    profiler.set_state("stop")
    assert op_events(load_trace(fresh_profiler / "profile.json"), "_ones")
    profiler.dump(finished=True)
    assert op_events(load_trace("profile.json"), "_ones")
    profiler.dump()  # a finished trace starts anew: nothing recorded since
    assert not op_events(load_trace("profile.json"))
    os.remove("profile.json")  # a trace file removed under the profiler is started again
    profiler.set_state("run")
    mx.nd.zeros((2,)).wait_to_read()
    profiler.dump(False)
    assert op_events(load_trace("profile.json"), "_zeros")


def test_continuous_dump_grows(fresh_profiler):
    profiler.set_config(filename="c.json", continuous_dump=True, aggregate_stats=True, dump_period=0.05)
    profiler.set_state("run")
    dom = profiler.Domain("PythonDomain::continuous")
    sizes = []
    for i in range(3):
        profiler.Marker(dom, f"StartIteration-{i}").mark("process")
        mx.nd.ones((10, 10)).wait_to_read()
        profiler.dump(False)
        sizes.append(os.path.getsize("c.json"))
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    marks = [e for e in load_trace("c.json") if e["ph"] == "i"]
    assert [m["name"] for m in marks] == ["StartIteration-0", "StartIteration-1", "StartIteration-2"] and marks[0]["s"] == "p"
    profiler.set_state("stop")


def test_aggregate_counts(fresh_profiler):
    """As MXNet's test_aggregate_duplication: per-op counts in dumps(format='json')."""
    profiler.set_config(filename="a.json", aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    profiler.dumps(reset=True)
    inp = mx.nd.zeros((100, 100))
    mx.nd.sqrt(inp)
    inp = inp + 1
    inp = inp + 1
    mx.nd.waitall()
    stats = json.loads(profiler.dumps(format="json"))
    assert stats["Time"]["operator"]["sqrt"]["Count"] == 1
    assert stats["Time"]["operator"]["_plus_scalar"]["Count"] == 2
    assert set(stats) == {"Time", "Memory", "Unit"} and stats["Unit"] == {"Time": "ms", "Memory": "kB"}
    table = profiler.dumps(sort_by="count", reset=True)
    rows = [line for line in table.splitlines() if line.startswith(("sqrt", "_plus_scalar"))]
    assert rows[0].startswith("_plus_scalar") and rows[0].split()[1] == "2"
    assert "operator" not in profiler.dumps()  # reset cleared them
    profiler.set_state("stop")


def test_stats_text_equals_mxnet(fresh_profiler):
    """Counters and markers have exact statistics: the text equals real MXNet's byte for byte."""
    with open(GOLDEN) as f:
        golden = json.load(f)
    profiler.set_config(
        profile_symbolic=False,
        profile_imperative=False,
        profile_memory=False,
        profile_api=False,
        aggregate_stats=True,
        continuous_dump=False,
        filename="g.json",
    )
    profiler.set_state("run")
    dom = profiler.Domain("Dom")
    c = profiler.Counter(dom, "queue_length", 3)
    c += 2
    c.decrement(1)
    c.set_value(10)
    d = dom.new_counter("a_counter_with_a_rather_long_name", 7)
    d -= 4
    profiler.Marker(dom, "mark").mark("process")
    profiler.set_state("stop")
    for fmt in ("table", "json"):
        for sort_by in ("total", "avg", "min", "max", "count"):
            for asc in (False, True):
                assert profiler.dumps(format=fmt, sort_by=sort_by, ascending=asc) == golden[f"{fmt}-{sort_by}-{asc}"], (fmt, sort_by, asc)
    assert profiler.dumps(reset=True) == golden["reset"]
    assert profiler.dumps() == golden["after_reset"]


def test_user_objects_and_sorting(fresh_profiler):
    profiler.set_config(filename="u.json", aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    dom = profiler.Domain("PythonDomain")
    assert str(dom) == "PythonDomain"
    task, frame, event = dom.new_task("task"), dom.new_frame("frame"), profiler.Event("event")
    task.start()
    for _ in range(3):
        with frame:
            mx.nd.ones((50, 50)).asnumpy()
    event.start()
    event.stop()
    task.stop()
    counter = dom.new_counter("counter", 5)
    counter += 1
    assert counter.value == 6 and str(counter) == "counter"
    stats = json.loads(profiler.dumps(format="json"))
    assert stats["Time"]["PythonDomain,frame"]["frame"]["Count"] == 3
    assert stats["Time"]["PythonDomain"]["task"]["Count"] == 1
    assert stats["Time"]["event"]["event"]["Count"] == 1
    for key, field in [("total", "Total"), ("avg", "Avg"), ("min", "Min"), ("max", "Max"), ("count", "Count")]:
        for asc in (False, True):
            doc = json.loads(profiler.dumps(format="json", sort_by=key, ascending=asc))
            for rows in doc["Time"].values():
                values = [r[field] for r in rows.values()]
                assert values == sorted(values, reverse=not asc)
    profiler.set_state("stop")
    profiler.dump()
    events = load_trace("u.json")
    check_nesting(events)
    frames = [e for e in events if e["name"] == "frame"]
    tasks = [e for e in events if e["name"] == "task"]
    assert len(frames) == 3 and len(tasks) == 1 and frames[0]["cat"] == "PythonDomain,frame"
    with pytest.raises(MXNetError, match="stop\\(\\) without start"):
        profiler.Event("never").stop()
    with pytest.raises(MXNetError, match="Domain"):
        profiler.Task("not a domain", "t")
    with pytest.raises(MXNetError, match="scope"):
        profiler.Marker(dom, "m").mark("galaxy")


def test_scope_prefixes_op_names(fresh_profiler):
    profiler.set_config(filename="s.json", aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    with profiler.scope("layer1:"):
        x = mx.nd.ones((3,)) + 1
        with profiler.scope("inner:", append_mode=True):
            mx.nd.sqrt(x).wait_to_read()
    mx.nd.sqrt(x).wait_to_read()
    profiler.set_state("stop")
    ops = json.loads(profiler.dumps(format="json"))["Time"]["operator"]
    assert {"layer1:_plus_scalar", "layer1:inner:sqrt", "sqrt"} <= set(ops)


def test_bad_arguments(fresh_profiler):
    with pytest.raises(MXNetError, match="unknown argument 'bogus'"):
        profiler.set_config(bogus=1)
    with pytest.raises(MXNetError, match="'run' or 'stop'"):
        profiler.set_state("walk")
    with pytest.raises(MXNetError, match="sort_by"):
        profiler.dumps(sort_by="speed")
    with pytest.raises(MXNetError, match="format"):
        profiler.dumps(format="xml")
    with pytest.raises(MXNetError, match="server"):
        profiler.set_state("run", profile_process="server")
    with pytest.warns(DeprecationWarning):
        profiler.profiler_set_config("all", "dep.json")
    with pytest.warns(DeprecationWarning):
        profiler.profiler_set_state("stop")


def test_failed_op_still_reported(fresh_profiler):
    """A kernel that raises under the profiler fails as usual, and the trace records it."""
    profiler.set_config(filename="f.json", continuous_dump=False)
    profiler.set_state("run")
    var = engine.Var()

    def boom():
        raise ValueError("kernel exploded")

    engine.get().push(boom, (), (), (var,), mx.cpu(), "boom")
    with pytest.raises(MXNetError, match="boom.*kernel exploded"):
        engine.get().wait_read(var)
    profiler.set_state("stop")
    profiler.dump()
    assert len(op_events(load_trace("f.json"), "boom")) == 1


def test_host_memory_counter(fresh_profiler):
    """profile_memory: 'Memory: cpu/0' in 'Device Storage' follows NDArray buffers made and freed while recording."""
    from mxpy.ndarray import ndarray as nd_module

    profiler.set_config(filename="m.json", aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    assert nd_module._np_empty is not np.empty
    a = mx.nd.zeros((100, 10))  # 4000 bytes
    b = mx.nd.zeros((50,))  # 200 bytes
    mx.nd.waitall()
    del b
    profiler.set_state("stop")
    assert nd_module._np_empty is np.empty  # NumPy's own allocator again when not recording
    memory = json.loads(profiler.dumps(format="json"))["Memory"]["Device Storage"]["Memory: cpu/0"]
    assert memory["Count"] == 3 and memory["Max"] == pytest.approx(4.2) and memory["Min"] == pytest.approx(4.0)
    profiler.dump()
    values = [e["args"]["Memory: cpu/0"] for e in load_trace("m.json") if e["ph"] == "C"]
    assert values == [4000, 4200, 4000]
    assert "Min Use  (kB)" in profiler.dumps()
    del a


def test_custom_operator_names(fresh_profiler):
    """A custom op's kernel is '<op_type>::pure_python' and the ops its code pushes '<op_type>::<op>', in 'Custom Operator'."""

    class Double(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], in_data[0] * 2 + mx.nd.zeros(in_data[0].shape))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            self.assign(in_grad[0], req[0], out_grad[0] * 2)

    @mx.operator.register("ProfiledDouble")
    class DoubleProp(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["data"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            return [in_shape[0]], [in_shape[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return Double()

    profiler.set_config(filename="c.json", aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, op_type="ProfiledDouble")
    y.backward()
    assert x.grad.asnumpy().tolist() == [2.0, 2.0]
    profiler.set_state("stop")
    custom = json.loads(profiler.dumps(format="json"))["Time"]["Custom Operator"]
    assert {"ProfiledDouble::pure_python", "_backward_ProfiledDouble::pure_python", "ProfiledDouble::_zeros", "ProfiledDouble::_mul_scalar"} <= set(custom)
