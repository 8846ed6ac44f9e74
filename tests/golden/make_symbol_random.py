"""Golden output of MXNet 1.9.1 for ``mx.sym.random`` and the multinomial gradient.

Run: ../shared/tools/mxnet-reference tests/golden/make_symbol_random.py
Writes tests/golden/symbol_random.json. The builders below take the module as
``mx`` and are imported by tests/test_symbol_random.py, so MXNet and mxpy build
every graph with the same code; ``mxnet`` is imported only when this file runs
as a script.

Per case: the graph's nodes (op, name, attrs), list_arguments/list_outputs, and
the output shapes and dtypes of a ``simple_bind`` + ``forward`` (draws differ
between generators, shapes and dtypes must not). Plus MXNet's data gradient of
``sample_multinomial(get_prob=True)`` for its own draws, so the test can feed
the same draws to mxpy's ``_backward_sample_multinomial``.
"""

import json
import os


def _ab(mx):
    return mx.sym.Variable("a"), mx.sym.Variable("b")


# name -> (builder(mx) -> Symbol, {argument: (shape, fill value)} for the forward, or None)
def _cases():
    P2 = (2,)
    return {
        "uniform_numbers": (lambda mx: mx.sym.random.uniform(-1, 2, shape=(2, 3)), {}),
        "uniform_defaults_f64": (lambda mx: mx.sym.random.uniform(shape=(4,), dtype="float64"), {}),
        "uniform_named": (lambda mx: mx.sym.random.uniform(0, 1, shape=(3,), name="u"), {}),
        "uniform_symbols": (lambda mx: mx.sym.random.uniform(*_ab(mx), shape=(3,)), {"a": (P2, 0.0), "b": (P2, 1.0)}),
        "uniform_symbols_noshape": (lambda mx: mx.sym.random.uniform(*_ab(mx)), {"a": (P2, 0.0), "b": (P2, 1.0)}),
        "normal_numbers": (lambda mx: mx.sym.random.normal(1, 2, shape=(5,)), {}),
        "normal_symbols_f64": (lambda mx: mx.sym.random.normal(*_ab(mx), shape=(2, 2), dtype="float64"), {"a": (P2, 0.0), "b": (P2, 1.0)}),
        "randn": (lambda mx: mx.sym.random.randn(2, 3), {}),
        "randn_loc_scale": (lambda mx: mx.sym.random.randn(4, loc=1.5, scale=0.5, dtype="float16"), {}),
        "randn_symbols": (lambda mx: mx.sym.random.randn(3, loc=_ab(mx)[0], scale=_ab(mx)[1]), {"a": (P2, 0.0), "b": (P2, 1.0)}),
        "randint": (lambda mx: mx.sym.random.randint(0, 10, shape=(3,)), {}),
        "randint_int64": (lambda mx: mx.sym.random.randint(-5, 5, shape=(2, 2), dtype="int64"), {}),
        "exponential_number": (lambda mx: mx.sym.random.exponential(2.0, shape=(3,)), {}),
        "exponential_symbol": (lambda mx: mx.sym.random.exponential(_ab(mx)[0], shape=(2,)), {"a": (P2, 2.0)}),
        "gamma_numbers": (lambda mx: mx.sym.random.gamma(2, 3, shape=(2,)), {}),
        "gamma_symbols": (lambda mx: mx.sym.random.gamma(*_ab(mx), shape=(3,)), {"a": (P2, 2.0), "b": (P2, 1.0)}),
        "poisson_number": (lambda mx: mx.sym.random.poisson(3, shape=(2,)), {}),
        "poisson_symbol": (lambda mx: mx.sym.random.poisson(_ab(mx)[0], shape=(4,)), {"a": (P2, 3.0)}),
        "negative_binomial_numbers": (lambda mx: mx.sym.random.negative_binomial(3, 0.4, shape=(2,)), {}),
        "negative_binomial_symbols": (lambda mx: mx.sym.random.negative_binomial(*_ab(mx), shape=(2,)), {"a": (P2, 3.0), "b": (P2, 0.4)}),
        "gnb_numbers": (lambda mx: mx.sym.random.generalized_negative_binomial(2, 0.5, shape=(2,)), {}),
        "gnb_symbols": (lambda mx: mx.sym.random.generalized_negative_binomial(*_ab(mx), shape=(3,), dtype="float64"), {"a": (P2, 2.0), "b": (P2, 0.5)}),
        "multinomial_default": (lambda mx: mx.sym.random.multinomial(mx.sym.Variable("d"), shape=(3,)), {"d": ((2, 4), 0.25)}),
        "multinomial_noprob": (lambda mx: mx.sym.random.multinomial(mx.sym.Variable("d"), get_prob=False, dtype="float32"), {"d": ((2, 4), 0.25)}),
        "multinomial_positional": (lambda mx: mx.sym.random.multinomial(mx.sym.Variable("d"), (2, 2), False), {"d": ((4,), 0.25)}),
        "shuffle": (lambda mx: mx.sym.random.shuffle(mx.sym.Variable("d")), {"d": ((5, 2), 1.0)}),
        "uniform_like": (lambda mx: mx.sym.random.uniform_like(mx.sym.Variable("d"), low=0, high=2), {"d": ((3, 2), 0.0)}),
        "normal_like": (lambda mx: mx.sym.random.normal_like(data=mx.sym.Variable("d"), name="nl"), {"d": ((3,), 0.0)}),
        "chained": (lambda mx: mx.sym.random.normal(mx.sym.random.uniform(0, 1, shape=(2,)), mx.sym.ones((2,)), shape=(3,)), {}),
    }


CASES = _cases()

# builders that MXNet rejects: name -> (builder, exception class name)
ERRORS = {
    "mixed_symbol_number": (lambda mx: mx.sym.random.uniform(mx.sym.Variable("a"), 1), "AssertionError"),
    "mixed_number_symbol": (lambda mx: mx.sym.random.normal(0, mx.sym.Variable("a")), "AssertionError"),
    "string_param": (lambda mx: mx.sym.random.gamma("x", 1), "ValueError"),
}

FUNCTIONS = [
    "uniform",
    "normal",
    "randn",
    "randint",
    "exponential",
    "gamma",
    "poisson",
    "negative_binomial",
    "generalized_negative_binomial",
    "multinomial",
    "shuffle",
]


def describe(mx, sym, fwd):
    """Nodes, arguments, outputs and forward output shapes/dtypes of ``sym``."""
    import numpy as np

    graph = json.loads(sym.tojson())
    nodes = [[n["op"], n["name"], n.get("attrs", {})] for n in graph["nodes"]]
    rec = {"nodes": nodes, "arguments": sym.list_arguments(), "outputs": sym.list_outputs()}
    if fwd is not None:
        ex = sym.simple_bind(mx.cpu(), grad_req="null", **{k: v[0] for k, v in fwd.items()})
        for k, (_, val) in fwd.items():
            ex.arg_dict[k][:] = val
        outs = ex.forward()
        rec["shapes"] = [list(o.shape) for o in outs]
        rec["dtypes"] = [np.dtype(o.dtype).name for o in outs]
    return rec


def main():
    import inspect

    import mxnet as mx
    import numpy as np

    out = {"cases": {}, "errors": {}, "signatures": {}}
    for name, (build, fwd) in CASES.items():
        with mx.name.NameManager():
            out["cases"][name] = describe(mx, build(mx), fwd)
    for name, (build, _) in ERRORS.items():
        try:
            build(mx)
            out["errors"][name] = None
        except Exception as e:  # noqa: BLE001  (record which class MXNet raises)
            out["errors"][name] = type(e).__name__
    for fname in FUNCTIONS:
        out["signatures"][fname] = str(inspect.signature(getattr(mx.sym.random, fname)))

    # multinomial's log-probability gradient, for MXNet's own draws
    mx.random.seed(7)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25], [0.3, 0.3, 0.4]], np.float32)
    og = (np.arange(18, dtype=np.float32).reshape(3, 6) - 5.0) / 4.0
    p = mx.nd.array(probs)
    p.attach_grad()
    with mx.autograd.record():
        idx, lp = mx.nd.random.multinomial(p, shape=(6,), get_prob=True)
    lp.backward(mx.nd.array(og))
    out["multinomial_grad"] = {
        "probs": probs.tolist(),
        "og": og.tolist(),
        "idx": idx.asnumpy().tolist(),
        "logp": lp.asnumpy().tolist(),
        "grad": p.grad.asnumpy().tolist(),
    }

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "symbol_random.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", path)


if __name__ == "__main__":
    main()
