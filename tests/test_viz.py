"""mx.viz: print_summary byte for byte as MXNet 1.9.1, plot_network's Graphviz source and a rendered PNG."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import warnings

import numpy as np
import pytest

import mxpy as mx

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "golden")
with open(os.path.join(GOLDEN_DIR, "viz.json")) as _f:
    GOLDEN = json.load(_f)


def _nets():
    """The nets of tests/golden/make_viz.py, built by the same code."""
    with open(os.path.join(GOLDEN_DIR, "make_viz.py")) as f:
        source = f.read().replace("import mxnet as mx", "").replace("\nmain()\n", "\n")
    scope = {"mx": mx, "__file__": os.path.join(GOLDEN_DIR, "make_viz.py")}
    exec(compile(source, "make_viz.py", "exec"), scope)  # noqa: S102 - one definition of the nets for golden and test
    return scope, {
        "mlp": (scope["mlp"](), {"data": (100, 784)}),
        "lenet": (scope["lenet"](), {"data": (64, 1, 28, 28)}),
        "upstream": (scope["upstream"](), {"data": (1, 3, 28)}),
    }


SCOPE, NETS = _nets()


def summary(*args, **kwargs) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mx.viz.print_summary(*args, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["mlp", "lenet", "upstream"])
def test_print_summary_equals_mxnet(name):
    sym, shape = NETS[name]
    assert summary(sym) == GOLDEN[f"summary-{name}"]
    assert summary(sym, shape) == GOLDEN[f"summary-{name}-shape"]


def test_print_summary_widths():
    lenet, shape = NETS["lenet"]
    assert summary(lenet, shape, line_length=80, positions=[30, 50, 62, 80]) == GOLDEN["summary-lenet-narrow"]
    mlp, shape = NETS["mlp"]
    assert summary(mlp, shape, line_length=100, positions=[0.3, 0.6, 0.7, 1.0]) == GOLDEN["summary-mlp-ratio"]
    text = GOLDEN["summary-lenet-shape"]
    assert "Total params: 431170" in text  # conv 520 + 25050, bn 100, fc 400500 + 5000


def test_print_summary_bad_input():
    with pytest.raises(TypeError, match="Symbol"):
        mx.viz.print_summary("not a symbol")
    with pytest.raises(mx.MXNetError):
        mx.viz.print_summary(NETS["lenet"][0], {"data": (64, 1, 3, 3)})  # a 5x5 kernel on 3x3


@pytest.fixture
def graphviz():
    """The graphviz package (the plot tests skip without it; print_summary needs none)."""
    return pytest.importorskip("graphviz")


def _same_source(got: str, want: str) -> bool:
    # graphviz >= 0.10 ends the source with a newline, MXNet's 0.8.4 did not
    return got.rstrip("\n") == want.rstrip("\n")


@pytest.mark.parametrize("name", ["mlp", "lenet"])
def test_plot_network_source_equals_mxnet(name, graphviz):
    sym, shape = NETS[name]
    assert _same_source(mx.viz.plot_network(sym).source, GOLDEN[f"plot-{name}"])
    dot = mx.viz.plot_network(sym, title=name, shape=shape, dtype={"data": np.float32}, save_format="png")
    assert isinstance(dot, graphviz.Digraph) and dot.format == "png" and dot.name == name
    assert _same_source(dot.source, GOLDEN[f"plot-{name}-shape"])
    shown = mx.viz.plot_network(sym, hide_weights=False, node_attrs={"shape": "oval", "fixedsize": "false"})
    assert _same_source(shown.source, GOLDEN[f"plot-{name}-weights"])


def test_plot_network_multi_output_and_duplicates(graphviz):
    sym, shape = NETS["upstream"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _same_source(mx.viz.plot_network(sym, shape=shape).source, GOLDEN["plot-upstream-shape"])
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data=net, name="fc", num_hidden=128)
    net = mx.sym.FullyConnected(data=net, name="fc", num_hidden=10)
    with pytest.warns(RuntimeWarning, match="multiple variables with the same name.*fc"):
        mx.viz.plot_network(net, shape={"data": (100, 200)})
    with pytest.raises(TypeError, match="Symbol"):
        mx.viz.plot_network(42)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_plot_network_renders_png(tmp_path, graphviz):
    sym, shape = NETS["lenet"]
    dot = mx.viz.plot_network(sym, title="lenet", shape=shape, save_format="png")
    path = dot.render(filename="lenet", directory=str(tmp_path), cleanup=True)
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert width > 50 and height > 500  # a tall chain of 14 boxes


def test_hidden_keyword_arguments_become_attributes():
    """As MXNet's symbol creator: lr_mult/wd_mult/ctx_group... given to an op are stored as __key__ attributes."""
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), name="fc1", num_hidden=10, lr_mult=0, wd_mult=0.5)
    node = json.loads(fc.tojson())["nodes"][-1]
    assert node["attrs"] == {"__lr_mult__": "0", "__wd_mult__": "0.5", "num_hidden": "10"}
    assert fc.attr("lr_mult") == "0"
    with pytest.raises(mx.MXNetError, match="unknown parameter 'foo'"):
        mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=10, foo=3)
