"""Golden output of MXNet 1.9.1 for mx.sym's Python-level functions and Symbol's fluent methods.

Run: ../shared/tools/mxnet-reference tests/golden/make_symbol_wrappers.py
Writes tests/golden/symbol_wrappers.json. The builders below take the module as
``mx`` and are imported by tests/test_symbol_wrappers.py, so MXNet and mxpy
build every graph with the same code; ``mxnet`` is imported only when this file
runs as a script.
"""

import inspect
import json
import os

# -- module-level functions -----------------------------------------------------------


def _ab(mx):
    return mx.sym.Variable("a"), mx.sym.Variable("b")


def _binary_cases(fname):
    def sym_sym(mx):
        a, b = _ab(mx)
        return getattr(mx.sym, fname)(a, b)

    def sym_num(mx):
        a, _ = _ab(mx)
        return getattr(mx.sym, fname)(a, 2)

    def num_sym(mx):
        a, _ = _ab(mx)
        return getattr(mx.sym, fname)(3.5, a)

    def chained(mx):
        a, b = _ab(mx)
        f = getattr(mx.sym, fname)
        return mx.sym.Group([f(a, b), f(a, 1), f(f(a, b), 2)])

    return {f"{fname}_sym_sym": sym_sym, f"{fname}_sym_num": sym_num, f"{fname}_num_sym": num_sym, f"{fname}_chained": chained}


FUNCTION_CASES = {}
for _f in ("pow", "power", "maximum", "minimum", "hypot"):
    FUNCTION_CASES.update(_binary_cases(_f))

FUNCTION_CASES.update(
    {
        "pow_keywords": lambda mx: mx.sym.pow(base=mx.sym.Variable("a"), exp=2),
        "zeros": lambda mx: mx.sym.zeros((2, 3)),
        "zeros_dtype_name": lambda mx: mx.sym.zeros(shape=(4,), dtype="int32", name="z"),
        "ones": lambda mx: mx.sym.ones((3,)),
        "ones_dtype": lambda mx: mx.sym.ones((2, 2), "float16"),
        "full": lambda mx: mx.sym.full((2, 2), 7),
        "full_dtype": lambda mx: mx.sym.full((3,), 1.5, dtype="float64", name="f"),
        "arange": lambda mx: mx.sym.arange(5),
        "arange_step": lambda mx: mx.sym.arange(1, 10, 2),
        "arange_repeat": lambda mx: mx.sym.arange(0, 4, repeat=2, dtype="int32", name="r"),
        "arange_infer": lambda mx: mx.sym.arange(0, step=0.5, infer_range=True),
        "linspace": lambda mx: mx.sym.linspace(0, 1, 5),
        "linspace_open": lambda mx: mx.sym.linspace(0, 1, 4, endpoint=False, dtype="float64", name="ls"),
        "eye": lambda mx: mx.sym.eye(3),
        "eye_full": lambda mx: mx.sym.eye(3, 4, 1, dtype="int32"),
        "eye_keywords": lambda mx: mx.sym.eye(N=2, M=3, k=-1, name="I"),
        "creation_chain": lambda mx: mx.sym.zeros((2,)) + mx.sym.ones((2,)) * mx.sym.full((2,), 3),
        "histogram_count": lambda mx: mx.sym.histogram(mx.sym.Variable("a"), bins=5, range=(0, 1)),
        "histogram_edges": lambda mx: mx.sym.histogram(mx.sym.Variable("a"), bins=mx.sym.Variable("edges"), name="h"),
        "with_attr": lambda mx: mx.sym.zeros((2,), attr={"__mood__": "calm"}),
    }
)

# -- Symbol methods ---------------------------------------------------------------------


def _x(mx):
    return mx.sym.Variable("x")


UNARY_METHODS = (
    "abs arccos arccosh arcsin arcsinh arctan arctanh cbrt ceil cos cosh degrees exp expm1 fix floor "
    "log log10 log1p log2 radians rcbrt reciprocal relu rint round rsqrt sigmoid sign sin sinh sqrt "
    "square tan tanh trunc zeros_like ones_like flatten argmax_channel shape_array size_array"
).split()


def _unary(name):
    return lambda mx: getattr(_x(mx), name)()


def _m(method, *args, **kwargs):
    return lambda mx: getattr(_x(mx), method)(*args, **kwargs)


def _m2(method, *args, **kwargs):
    """Method with a second Symbol ``y`` as its first argument."""
    return lambda mx: getattr(_x(mx), method)(mx.sym.Variable("y"), *args, **kwargs)


METHOD_CASES = {f"m_{n}": _unary(n) for n in UNARY_METHODS}
METHOD_CASES.update(
    {
        "m_reshape": _m("reshape", (2, 3)),
        "m_reshape_kw": _m("reshape", shape=(0, -1), reverse=True),
        "m_reshape_like": _m2("reshape_like"),
        "m_reshape_like_ranges": _m2("reshape_like", lhs_begin=1, lhs_end=2, rhs_begin=0, rhs_end=1),
        "m_astype": _m("astype", "float16"),
        "m_astype_kw": _m("astype", dtype="int32"),
        "m_expand_dims": _m("expand_dims", axis=1),
        "m_squeeze": _m("squeeze"),
        "m_squeeze_axis": _m("squeeze", axis=(0, 2)),
        "m_transpose": _m("transpose"),
        "m_transpose_axes": _m("transpose", axes=(1, 0, 2)),
        "m_swapaxes": _m("swapaxes", dim1=0, dim2=1),
        "m_split": _m("split", num_outputs=2, axis=1),
        "m_split_squeeze": _m("split", num_outputs=3, axis=0, squeeze_axis=True),
        "m_split_v2": _m("split_v2", 2, axis=1),
        "m_split_v2_indices": _m("split_v2", (1, 3)),
        "m_slice": _m("slice", begin=(0, 1), end=(2, 3)),
        "m_slice_step": _m("slice", (None, 0), (None, 4), (None, 2)),
        "m_slice_axis": _m("slice_axis", axis=1, begin=0, end=2),
        "m_slice_like": _m2("slice_like", axes=(0,)),
        "m_take": _m2("take"),
        "m_take_mode": _m2("take", axis=1, mode="wrap"),
        "m_pick": _m2("pick", axis=1),
        "m_pick_keep": _m2("pick", 0, keepdims=True, mode="wrap"),
        "m_one_hot": _m("one_hot", 4),
        "m_one_hot_values": _m("one_hot", depth=3, on_value=2.0, off_value=-1.0, dtype="int32"),
        "m_tile": _m("tile", reps=(2, 1)),
        "m_repeat": _m("repeat", repeats=2, axis=0),
        "m_flip": _m("flip", axis=0),
        "m_pad": _m("pad", mode="constant", pad_width=(0, 0, 0, 0, 1, 1, 1, 1), constant_value=1),
        "m_sort": _m("sort"),
        "m_sort_desc": _m("sort", axis=0, is_ascend=False),
        "m_argsort": _m("argsort", axis=1, dtype="int32"),
        "m_topk": _m("topk", k=2),
        "m_topk_both": _m("topk", axis=1, k=2, ret_typ="both"),
        "m_softmax": _m("softmax", axis=1),
        "m_softmax_temp": _m("softmax", temperature=2.0),
        "m_log_softmax": _m("log_softmax"),
        "m_softmin": _m("softmin", axis=0),
        "m_sum": _m("sum"),
        "m_sum_axis": _m("sum", axis=1),
        "m_sum_keep": _m("sum", axis=(0, 1), keepdims=True),
        "m_mean_exclude": _m("mean", axis=0, exclude=True),
        "m_max": _m("max", axis=1),
        "m_min": _m("min", 0),
        "m_prod": _m("prod", axis=1),
        "m_nansum": _m("nansum", axis=0),
        "m_nanprod": _m("nanprod"),
        "m_norm": _m("norm"),
        "m_norm_axis": _m("norm", ord=1, axis=1, keepdims=True),
        "m_argmax": _m("argmax", axis=1),
        "m_argmin": _m("argmin", axis=0, keepdims=True),
        "m_clip": _m("clip", 0, 1),
        "m_clip_kw": _m("clip", a_min=-1.5, a_max=2.5),
        "m_broadcast_to": _m("broadcast_to", shape=(2, 3)),
        "m_broadcast_to_pos": _m("broadcast_to", (4, 0)),
        "m_broadcast_like": _m2("broadcast_like"),
        "m_broadcast_axes": _m("broadcast_axes", axis=0, size=3),
        "m_diag": _m("diag", k=1),
        "m_diag_default": _m("diag"),
        "m_expand_dims_inplace": _m("expand_dims", 0, inplace=True),
        "m_flatten_inplace": _m("flatten", inplace=True),
        "m_squeeze_inplace": _m("squeeze", 1, True),
        "m_depth_to_space": _m("depth_to_space", 2),
        "m_space_to_depth": _m("space_to_depth", block_size=2),
        "m_named": _m("sum", axis=1, name="total"),
        "m_chain": lambda mx: _x(mx).reshape((2, 3)).sum(axis=1).exp().astype("float16"),
        "m_mixed": lambda mx: mx.sym.Group([_x(mx).abs(), abs(_x(mx)), _x(mx).abs()]),
    }
)

CASES = {**FUNCTION_CASES, **METHOD_CASES}

# -- forward values: (builder, {input: nested list}) ------------------------------------------------

FORWARD = {
    "maximum_scalar": (lambda mx: mx.sym.maximum(mx.sym.Variable("a"), 2), {"a": [[1.0, 3.0], [2.5, -1.0]]}),
    "minimum_sym": (lambda mx: mx.sym.minimum(*_ab(mx)), {"a": [1.0, 5.0, -2.0], "b": [2.0, 4.0, -3.0]}),
    "pow_rscalar": (lambda mx: mx.sym.pow(2, mx.sym.Variable("a")), {"a": [0.0, 1.0, 3.0, -1.0]}),
    "power_sym": (lambda mx: mx.sym.power(*_ab(mx)), {"a": [2.0, 3.0], "b": [3.0, 0.5]}),
    "hypot_sym": (lambda mx: mx.sym.hypot(*_ab(mx)), {"a": [3.0, 5.0], "b": [4.0, 12.0]}),
    "hypot_scalar": (lambda mx: mx.sym.hypot(4, mx.sym.Variable("a")), {"a": [3.0, 0.0]}),
    "reshape_sum": (lambda mx: _x(mx).reshape((2, 3)).sum(axis=1), {"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}),
    "astype_round": (lambda mx: _x(mx).round().astype("int32"), {"x": [1.4, -2.6, 3.5]}),
    "topk_both": (lambda mx: _x(mx).topk(k=2, ret_typ="both"), {"x": [[1.0, 5.0, 3.0], [4.0, 0.0, 9.0]]}),
    "split_take": (lambda mx: _x(mx).split(num_outputs=2, axis=1)[1].clip(0, 4), {"x": [[1.0, 5.0], [-4.0, 3.0]]}),
    "creation": (lambda mx: mx.sym.Group([mx.sym.arange(1, 7, 2), mx.sym.linspace(0, 1, 5), mx.sym.eye(2, 3, 1), mx.sym.full((2,), 2.5)]), {}),
    "zeros_plus": (lambda mx: mx.sym.zeros((2,), dtype="int32") + mx.sym.ones((2,), dtype="int32"), {}),
}

# Symbol methods that only raise (NDArray-only operations)
RAISING_METHODS = ("as_in_context", "asnumpy", "asscalar", "backward", "detach", "wait_to_read")

SIGNATURE_FUNCTIONS = ("pow", "power", "maximum", "minimum", "hypot", "zeros", "ones", "full", "arange", "linspace", "eye", "histogram", "split_v2")


def _graph_record(s):
    return {"json": s.tojson(), "arguments": s.list_arguments(), "outputs": s.list_outputs(), "aux": s.list_auxiliary_states()}


def main():
    import mxnet as mx
    import numpy as np

    out = {"cases": {}, "forward": {}, "signatures": {}, "numbers": {}, "raising": {}, "methods": []}
    for name, build in CASES.items():
        with mx.name.NameManager():
            out["cases"][name] = _graph_record(build(mx))
    for name, (build, inputs) in FORWARD.items():
        with mx.name.NameManager():
            s = build(mx)
        args = {k: mx.nd.array(v) for k, v in inputs.items()}
        ex = s.bind(mx.cpu(), args)
        res = ex.forward()
        out["forward"][name] = [{"value": r.asnumpy().tolist(), "dtype": str(r.dtype.__name__ if hasattr(r.dtype, "__name__") else r.dtype)} for r in res]
    for name in SIGNATURE_FUNCTIONS:
        out["signatures"][name] = str(inspect.signature(getattr(mx.sym, name)))
    out["numbers"] = {
        "pow": mx.sym.pow(2, 3),
        "power": mx.sym.power(2.0, 0.5),
        "maximum": mx.sym.maximum(2, 3.5),
        "minimum": mx.sym.minimum(2, 3.5),
        "hypot": float(mx.sym.hypot(3, 4)),
    }
    for bad in ({"bins": 5}, {"bins": 2.5, "range": (0, 1)}):
        try:
            mx.sym.histogram(mx.sym.Variable("a"), **bad)
        except ValueError as e:
            out.setdefault("histogram_errors", []).append(str(e))
    x = mx.sym.Variable("x")
    for name in RAISING_METHODS:
        try:
            getattr(x, name)()
        except mx.base.NotImplementedForSymbol as e:
            out["raising"][name] = str(e)
    out["methods"] = sorted(n for n in dir(mx.sym.Symbol) if not n.startswith("_"))
    out["array_priority"] = mx.sym.Symbol.__array_priority__
    out["np_scalar_mul"] = (np.float32(2) * x).tojson()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "symbol_wrappers.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, sort_keys=True)
    print("wrote", path, os.path.getsize(path))


if __name__ == "__main__":
    main()
