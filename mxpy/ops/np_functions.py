"""``_npi_function``: a NumPy function applied as one operator record.

MXNet 1.9.1 has one ``_npi_*`` operator per ``mx.np`` function; most of them
compute exactly what NumPy's function of the same name computes. Here they
share one record whose ``fn`` parameter names the function (a key of
:data:`FUNCTIONS`) and whose ``call`` parameter holds the call's other
arguments as JSON, array arguments replaced by ``{"$in": k}`` (the record's
k-th input). Every front end uses the record: ``mx.sym.np`` (what
``hybridize()`` traces), the ``mx.np`` functions that have no dedicated legacy
record, JSON graphs and autograd.

Gradients come from the function's kind:

* ``gather``: every output element is a copy of one input element (or a
  constant): ``tril``, ``roll``, ``rot90``, ``concatenate``, ``split``, ``pad``...
  The backward applies the function to the inputs' element ids and scatters the
  output gradient back to those ids, so one rule serves them all;
* ``einsum``: a product of operands (``einsum``, ``tensordot``, ``inner``,
  ``trace``), differentiated operand by operand with ``einsum``;
* a hand-written vector-Jacobian product (``diff``, ``nan_to_num``, ``polyval``...);
* none: integer-valued or piecewise-constant results.
"""

from __future__ import annotations

import functools
import json
import math
import string
from collections.abc import Callable

import numpy as _onp

from ..registry import REQUIRED, OpDef, Param, ShapeError, register
from ._util import store

# -- encoding a call ---------------------------------------------------------------------------


def encode_call(args: list, kwargs: dict) -> str:
    """JSON of a call whose array arguments were already replaced by ``{"$in": k}``.

    >>> encode_call([{"$in": 0}], {"k": 1, "axes": (0, 1)})
    '[[{"$in": 0}], {"k": 1, "axes": {"$t": [0, 1]}}]'
    """
    return json.dumps([_enc(list(args)), _enc(dict(kwargs))])


def _enc(v):
    if isinstance(v, tuple):
        return {"$t": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _enc(x) for k, x in v.items()}
    if isinstance(v, _onp.dtype) or (isinstance(v, type) and issubclass(v, _onp.generic)):
        return {"$dt": _onp.dtype(v).name}
    if hasattr(v, "asnumpy"):  # an array constant in a traced call (a block's attribute)
        v = v.asnumpy()
    if isinstance(v, _onp.ndarray):
        return {"$a": _enc(v.tolist()), "$dt": v.dtype.name}
    if isinstance(v, _onp.generic):
        return v.item()
    if isinstance(v, slice):
        return {"$s": [v.start, v.stop, v.step]}
    return v


@functools.lru_cache(maxsize=1024)
def _decode(call: str):
    return json.loads(call)


def _dec(v, ins):
    if isinstance(v, list):
        return [_dec(x, ins) for x in v]
    if isinstance(v, dict):
        if "$in" in v:
            return ins[v["$in"]]
        if "$t" in v:
            return tuple(_dec(x, ins) for x in v["$t"])
        if "$a" in v:
            return _onp.array(v["$a"], dtype=v["$dt"])
        if "$dt" in v:
            return _onp.dtype(v["$dt"])
        if "$s" in v:
            return slice(*v["$s"])
        return {k: _dec(x, ins) for k, x in v.items()}
    return v


def decode_call(call: str, ins: list) -> tuple[list, dict]:
    """The arguments of an encoded call, with the arrays ``ins`` in place of their markers."""
    args, kwargs = _decode(call)
    return _dec(args, ins), _dec(kwargs, ins)


def build_call(args, kwargs: dict, is_array: Callable) -> tuple[list, str]:
    """The array inputs of a front-end call and its encoded ``call`` parameter.

    Arrays (``is_array``) anywhere in ``args``/``kwargs``, lists included, become
    ``{"$in": k}`` markers; ``out``, ``ctx`` and ``device`` are front-end matters.

    >>> build_call([[1.5, 2.5], 3], {"ctx": None}, lambda v: isinstance(v, float))
    ([1.5, 2.5], '[[[{"$in": 0}, {"$in": 1}], 3], {}]')
    """
    inputs: list = []

    def sub(v):
        if is_array(v):
            inputs.append(v)
            return {"$in": len(inputs) - 1}
        if isinstance(v, (list, tuple)):
            return type(v)(sub(x) for x in v)
        return v

    a = [sub(v) for v in args]
    kw = {k: sub(v) for k, v in kwargs.items() if k not in ("out", "ctx", "device")}
    return inputs, encode_call(a, kw)


# -- the function table ------------------------------------------------------------------------


class NpFunction:
    """How ``_npi_function`` computes, and differentiates, one function."""

    __slots__ = ("name", "compute", "grad", "vjp")

    def __init__(self, name: str, compute: Callable, grad: str | None = None, vjp: Callable | None = None) -> None:
        self.name = name
        self.compute = compute  # compute(xp, *args, **kwargs) -> array or tuple of arrays
        self.grad = grad  # None, "gather", "einsum" or "vjp"
        self.vjp = vjp  # vjp(xp, ograds, ins, args, kwargs) -> one gradient (or None) per input


FUNCTIONS: dict[str, NpFunction] = {}


def _xp_fn(path: str) -> Callable:
    def compute(xp, *args, **kwargs):
        obj = xp
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    return compute


def add_function(name: str, compute: Callable | None = None, grad: str | None = None, vjp: Callable | None = None) -> None:
    """Register ``name`` (NumPy's function of that dotted name unless ``compute`` is given)."""
    FUNCTIONS[name] = NpFunction(name, compute or _xp_fn(name), "vjp" if vjp is not None else grad, vjp)


def _function(name: str) -> NpFunction:
    f = FUNCTIONS.get(name)
    if f is None:
        raise ShapeError(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
    return f


def _as_outputs(res) -> list:
    return list(res) if isinstance(res, (tuple, list)) else [res]


# -- forward --------------------------------------------------------------------------------


def _run(p, xp, ins):
    args, kwargs = decode_call(p.call, ins)
    with _onp.errstate(all="ignore"):
        return _as_outputs(_function(p.fn).compute(xp, *args, **kwargs))


def _kernel(p, ins, outs, req, rt):
    for o, r, v in zip(outs, req, _run(p, rt.xp, list(ins))):
        store(o, r, rt.xp.asarray(v).astype(o.dtype, copy=False).reshape(o.shape))


def _probe(shape: tuple, dtype: str = "float32"):
    """A read-only array of ``shape`` holding zeros, in O(1) memory."""
    return _onp.lib.stride_tricks.as_strided(_onp.zeros(1, dtype), shape, (0,) * len(shape), writeable=False)


def _infer_shape(p, in_shapes):
    if any(s is None for s in in_shapes):
        return list(in_shapes), None
    probes = [_probe(tuple(s), "int64" if k in p.int_inputs else "float32") for k, s in enumerate(in_shapes)]
    try:
        try:
            outs = _run(p, _onp, probes)
        except _onp.linalg.LinAlgError:  # zeros are singular: the shapes of a generic matrix
            rng = _onp.random.default_rng(0)
            outs = _run(p, _onp, [x if x.dtype.kind != "f" else rng.standard_normal(x.shape) for x in probes])
    except (ValueError, IndexError, TypeError, _onp.linalg.LinAlgError) as e:
        raise ShapeError(f"{p.fn}: {e}") from None
    if len(outs) != p.num_outputs:
        raise ShapeError(f"{p.fn} gives {len(outs)} outputs, the node declares num_outputs={p.num_outputs}")
    return list(in_shapes), [tuple(_onp.shape(o)) for o in outs]


def _infer_type(p, in_types):
    if p.otype[:2] == "in" and p.otype[2:].isdigit():  # "in<k>": the k-th input's dtype
        t = in_types[int(p.otype[2:])] if len(in_types) > int(p.otype[2:]) else None
    elif p.otype == "float":  # the first input's dtype when it is floating, else float32
        t = in_types[0] if in_types and in_types[0] is not None and in_types[0].kind == "f" else None
        if in_types and in_types[0] is not None and t is None:
            t = _onp.dtype("float32")
    elif p.otype in ("promote", "promote_float"):  # MXNet np's promotion of the inputs
        known = [x for x in in_types if x is not None]
        t = known[0] if known and len(known) == len(in_types) else None
        for x in known[1:] if t is not None else ():
            t = promote(t, x)
        if t is not None and p.otype == "promote_float" and t.kind != "f":
            t = _onp.dtype("float32")
    else:
        t = _onp.dtype(p.otype)
    return list(in_types), [t] * p.num_outputs


def promote(a: _onp.dtype, b: _onp.dtype) -> _onp.dtype:
    """MXNet np's promotion of two array dtypes: bool gives way, a float beats any integer.

    >>> promote(_onp.dtype('int32'), _onp.dtype('float16'))
    dtype('float16')
    """
    if a == b or b.kind == "b":
        return a
    if a.kind == "b":
        return b
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return _onp.result_type(a, b)


# -- gradients ------------------------------------------------------------------------------------


def _grad(g, ograds):
    f = _function(g.p.fn)
    if f.grad is None or all(og is None for og in ograds):
        return [None] * len(g.inputs)
    present = tuple(j for j, og in enumerate(ograds) if og is not None)
    return g.op(
        "_backward_npi_function",
        [*(ograds[j] for j in present), *g.inputs],
        fn=g.p.fn,
        call=g.p.call,
        num_args=len(present) + len(g.inputs),
        num_inputs=len(g.inputs),
        present=present,
        num_outputs=g.p.num_outputs,
        int_inputs=g.p.int_inputs,
    )


def _gather_vjp(xp, f, p, ograds, ins):
    """Scatter each output gradient back to the input element it was copied from."""
    diff = [k for k in range(len(ins)) if k not in p.int_inputs]  # integer arrays get gradients too, as in MXNet
    ids, offset = list(ins), 1  # id 0: an element that is no input's copy (padding, zeros)
    for k in diff:
        ids[k] = xp.arange(offset, offset + ins[k].size, dtype=xp.int64).reshape(ins[k].shape)
        offset += ins[k].size
    args, kwargs = decode_call(p.call, ids)
    # constants the function writes into its result get id 0 (no input's element)
    if f.name == "pad":
        kwargs.pop("constant_values", None)
    for pos, key in ({"insert": (2, "values"), "append": (1, "values")}.get(f.name, (None, None)),):
        if pos is not None:
            if key in kwargs and not hasattr(kwargs[key], "dtype"):
                kwargs[key] = 0
            elif len(args) > pos and not hasattr(args[pos], "dtype"):
                args[pos] = 0
    srcs = _as_outputs(f.compute(xp, *args, **kwargs))
    total = xp.zeros(offset, dtype=xp.float64)
    for src, og in zip(srcs, ograds):
        if og is not None:
            total += xp.bincount(xp.asarray(src).ravel(), weights=og.ravel().astype(xp.float64), minlength=offset)[:offset]
    grads: list = [None] * len(ins)
    start = 1
    for k in diff:
        n = ins[k].size
        grads[k] = total[start : start + n].reshape(ins[k].shape)
        start += n
    return grads


def _einsum_parse(subscripts: str, ins) -> tuple[list[str], str]:
    """Operand and output subscripts of an einsum call, with '...' spelt as letters."""
    subscripts = subscripts.replace(" ", "")
    lhs, out = subscripts.split("->") if "->" in subscripts else (subscripts, None)
    ops = lhs.split(",")
    used = set(subscripts)
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = max((x.ndim - len(s.replace("...", "")) for s, x in zip(ops, ins) if "..." in s), default=0)
    ell = "".join(spare[:n_ell])
    spelt = []
    for s, x in zip(ops, ins):
        if "..." in s:
            k = x.ndim - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ell - k :])
        spelt.append(s)
    if out is None:
        counts = {c: sum(s.count(c) for s in spelt) for c in set("".join(spelt))}
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    return spelt, out


def einsum_vjp(xp, subscripts: str, ograd, ins) -> list:
    """Gradients of ``einsum(subscripts, *ins)`` with respect to each operand."""
    ops, out = _einsum_parse(subscripts, ins)
    sizes = {}
    for s, x in zip(ops, ins):
        sizes.update(zip(s, x.shape))
    grads = []
    for k, (s, x) in enumerate(zip(ops, ins)):
        own = dict(zip(s, x.shape))
        terms, operands = [out], [ograd]
        for j, (sj, xj) in enumerate(zip(ops, ins)):
            if j != k:
                terms.append(sj)
                operands.append(xj)
        have = set("".join(terms))
        for c in dict.fromkeys(s):  # letters only this operand has: summed out, so broadcast back
            if c not in have:
                terms.append(c)
                operands.append(xp.ones(own[c], dtype=ograd.dtype))
        uniq = "".join(dict.fromkeys(s))
        g = xp.einsum(",".join(terms) + "->" + uniq, *operands)
        if len(uniq) != len(s):  # a repeated letter (a diagonal): place the values on it
            spare = iter(c for c in string.ascii_letters if c not in set("".join(ops) + out))
            renamed, deltas, seen = [], [], set()
            for c in s:
                if c in seen:
                    d = next(spare)
                    deltas.append((c, d))
                    renamed.append(d)
                else:
                    seen.add(c)
                    renamed.append(c)
            eyes = [xp.eye(sizes[c], dtype=g.dtype) for c, _ in deltas]
            g = xp.einsum(",".join([uniq] + [c + d for c, d in deltas]) + "->" + "".join(renamed), g, *eyes)
        if g.shape != x.shape:  # the operand was broadcast (a size-1 dim against a longer one)
            g = g.sum(axis=tuple(k for k, (n, m) in enumerate(zip(x.shape, g.shape)) if n != m), keepdims=True)
        grads.append(g.reshape(x.shape))
    return grads


def _backward_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    n_og = len(p.present)
    # one view per input slot: rules tell operands apart by identity, and one array may fill two slots
    fwd_ins = [x.view() for x in ins[n_og:]]
    ograds: list = [None] * p.num_outputs
    for j, og in zip(p.present, ins[:n_og]):
        ograds[j] = og
    f = _function(p.fn)
    if f.grad == "gather":
        grads = _gather_vjp(xp, f, p, ograds, fwd_ins)
    else:
        args, kwargs = decode_call(p.call, fwd_ins)
        og = [xp.zeros(1, "float32") if g is None else g for g in ograds]  # einsum/vjp kinds have one output
        with _onp.errstate(all="ignore"):
            if f.grad == "einsum":
                sub, operands = _EINSUM_FORM[f.name](args, kwargs, fwd_ins)
                per_op = einsum_vjp(xp, sub, og[0], operands)
                grads = [None] * len(fwd_ins)
                for k, x in enumerate(fwd_ins):
                    for pos, opnd in enumerate(operands):
                        if opnd is x and per_op[pos] is not None:
                            grads[k] = per_op[pos] if grads[k] is None else grads[k] + per_op[pos]
            else:
                grads = f.vjp(xp, og, fwd_ins, args, kwargs)
    for o, r, gk in zip(outs, req, grads):
        store(o, r, 0 if gk is None else xp.asarray(gk).astype(o.dtype, copy=False).reshape(o.shape))


_PARAMS = {
    "fn": Param("str", REQUIRED, "the function's name, a key of ops.np_functions.FUNCTIONS"),
    "call": Param("str", "[[], {}]", "JSON [args, kwargs] of the call, array arguments as {'$in': k}"),
    "num_args": Param("int", 0, "number of array inputs", low=0),
    "num_outputs": Param("int", 1, "number of outputs", low=1),
    "otype": Param("str", "in0", "output dtype: a dtype name, 'in<k>' (the k-th input's) or 'float'"),
    "int_inputs": Param("tuple", (), "inputs the shape rule probes as int64 (index arguments)"),
}

register(
    OpDef(
        "_npi_function",
        _kernel,
        params=_PARAMS,
        variadic="data",
        outputs=lambda p: [f"output{i}" for i in range(p.num_outputs)],
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_grad,
        doc=(
            "Apply the NumPy function ``fn`` to the inputs (the ``mx.np`` functions without a legacy record).\n\n"
            "Parameters: ``fn`` (function name), ``call`` (JSON ``[args, kwargs]``, inputs as ``{'$in': k}``), "
            "``num_args`` (inputs), ``num_outputs``, ``otype`` (output dtype rule), ``int_inputs``.\n\n"
            '>>> mx.nd._npi_function(mx.nd.ones((2, 2)), fn="tril", call=\'[[{"$in": 0}], {"k": -1}]\', num_args=1).asnumpy().tolist()\n'
            "[[0.0, 0.0], [1.0, 0.0]]"
        ),
    )
)


def _bwd_infer_shape(p, in_shapes):
    fwd = list(in_shapes[len(p.present) :])
    return list(in_shapes), fwd


def _bwd_infer_type(p, in_types):
    fwd = list(in_types[len(p.present) :])
    return list(in_types), fwd


register(
    OpDef(
        "_backward_npi_function",
        _backward_kernel,
        params={
            **_PARAMS,
            "num_inputs": Param("int", REQUIRED, "inputs of the forward node", low=0),
            "present": Param("tuple", (), "which forward outputs have a gradient (the first inputs)"),
        },
        variadic="data",
        outputs=lambda p: [f"grad{i}" for i in range(p.num_inputs)],
        infer_shape=_bwd_infer_shape,
        infer_type=_bwd_infer_type,
        doc="Gradient of _npi_function: output gradients then the forward inputs; one gradient per forward input.",
    )
)


# -- the functions ------------------------------------------------------------------------------


def _delete_compute(xp, arr, obj, axis=None):
    if not isinstance(obj, (int, _onp.integer, slice)):  # MXNet skips positions outside [0, n) in an index array
        obj = xp.asarray(obj).astype(xp.int64)
        n = arr.size if axis is None else arr.shape[axis]
        obj = obj[(obj >= 0) & (obj < n)]
    return xp.delete(arr, obj, axis)


add_function("delete", _delete_compute, grad="gather")
add_function("unravel_index", lambda xp, indices, shape, order="C": xp.unravel_index(xp.asarray(indices).astype(xp.int64), shape, order=order))
add_function("full", lambda xp, shape, fill_value, dtype=None, order="C": xp.full(shape, fill_value))


def _take_compute(xp, a, indices, axis=None, mode="raise", out=None):
    # MXNet's 'raise' clips (out-of-range indices are not checked on the device)
    return xp.take(a, xp.asarray(indices).astype(xp.int64), axis=axis, mode="clip" if mode == "raise" else mode)


add_function("take", _take_compute, grad="gather")


def _moment_compute(name: str):
    def compute(xp, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
        return getattr(xp, name)(a, axis=axis, ddof=ddof, keepdims=keepdims)

    return compute


def _moment_vjp(std: bool):
    def vjp(xp, og, ins, args, kwargs):
        a = args[0]
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        ddof = kwargs.get("ddof", 0)
        keep = kwargs.get("keepdims", False)
        ax = tuple(range(a.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        n = math.prod(a.shape[k] for k in ax)
        g = og[0] if keep else xp.expand_dims(og[0], tuple(k % a.ndim for k in ax)) if a.ndim else og[0]
        dev = a - a.mean(axis=ax, keepdims=True)
        grad = g * 2 * dev / max(n - ddof, 1)
        if std:
            grad = grad / (2 * xp.sqrt(xp.var(a, axis=ax, ddof=ddof, keepdims=True)))
        return [grad]

    return vjp


add_function("var", _moment_compute("var"), vjp=_moment_vjp(False))
add_function("std", _moment_compute("std"), vjp=_moment_vjp(True))

for _name in "tril triu roll rot90 flip flipud fliplr moveaxis transpose swapaxes atleast_1d atleast_2d atleast_3d concatenate stack hstack vstack dstack column_stack append split array_split hsplit vsplit dsplit diag diagflat diagonal insert resize pad tile repeat broadcast_to squeeze expand_dims reshape ravel".split():
    add_function(_name, grad="gather")

for _name in "logspace linspace indices eye diag_indices_from bitwise_not invert histogram bincount unique argmax argmin floor ceil rint trunc sign around isnan isinf isfinite isposinf isneginf logical_not linalg.matrix_rank linalg.eigvals linalg.eigvalsh linalg.eig linalg.eigh linalg.svd".split():
    add_function(_name)


def _window(name: str):
    def compute(xp, M, dtype=None, ctx=None):  # noqa: N803 -- NumPy's name
        return getattr(xp, name)(M)

    return compute


for _name in ("hanning", "hamming", "blackman"):
    add_function(_name, _window(_name))


# einsum-form functions: (subscripts, operands) of the call
def _tensordot_form(args, kwargs, ins):
    a, b = args[0], args[1]
    axes = kwargs.get("axes", args[2] if len(args) > 2 else 2)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    ax_a = [x % a.ndim for x in ax_a] if a.ndim else []
    ax_b = [x % b.ndim for x in ax_b] if b.ndim else []
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in ax_a] + [c for k, c in enumerate(sb) if k not in ax_b]
    return f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", [a, b]


def _inner_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 0 or b.ndim == 0:
        return _tensordot_form([a, b], {"axes": 0}, ins)
    return _tensordot_form([a, b], {"axes": ([-1], [-1])}, ins)


def _dot_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 0 or b.ndim == 0:
        return _tensordot_form([a, b], {"axes": 0}, ins)
    return _tensordot_form([a, b], {"axes": ([a.ndim - 1], [max(b.ndim - 2, 0)])}, ins)


def _matmul_form(args, kwargs, ins):
    a, b = args[0], args[1]
    if a.ndim == 1 and b.ndim == 1:
        return "i,i->", [a, b]
    if a.ndim == 1:
        return "k,...kn->...n", [a, b]
    if b.ndim == 1:
        return "...mk,k->...m", [a, b]
    return "...mk,...kn->...mn", [a, b]


def _einsum_form(args, kwargs, ins):
    return args[0], list(args[1:])


_EINSUM_FORM = {"tensordot": _tensordot_form, "inner": _inner_form, "einsum": _einsum_form, "dot": _dot_form, "matmul": _matmul_form}


def _einsum_compute(xp, subscripts, *operands, optimize=False, **kwargs):
    return xp.einsum(subscripts, *operands, optimize=bool(optimize))


add_function("tensordot", grad="einsum")
add_function("dot", grad="einsum")
add_function("matmul", grad="einsum")
add_function("inner", grad="einsum")
add_function("einsum", _einsum_compute, grad="einsum")


def _trace_compute(xp, a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    return xp.trace(a, offset, axis1, axis2)


def _trace_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    names = ("offset", "axis1", "axis2")
    opts = {"offset": 0, "axis1": 0, "axis2": 1, **dict(zip(names, args[1:])), **{k: kwargs[k] for k in names if k in kwargs}}
    grad = xp.zeros(a.shape, dtype=og[0].dtype)
    view = xp.moveaxis(grad, (opts["axis1"], opts["axis2"]), (-2, -1))  # a view: writes land in grad
    n1, n2, k = view.shape[-2], view.shape[-1], opts["offset"]
    rows = xp.arange(max(0, -k), min(n1, n2 - k)) if n1 and n2 else xp.arange(0)
    view[..., rows, rows + k] = og[0][..., None]
    return [grad]


add_function("trace", _trace_compute, vjp=_trace_vjp)


# hand-written vector-Jacobian products


def _diff_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    n = kwargs.get("n", args[1] if len(args) > 1 else 1)
    axis = kwargs.get("axis", args[2] if len(args) > 2 else -1)
    g = og[0]
    axis = axis % a.ndim
    for _ in range(n):
        shape = list(g.shape)
        shape[axis] += 1
        up = xp.zeros(shape, dtype=g.dtype)
        lead = (slice(None),) * axis
        up[lead + (slice(1, None),)] += g
        up[lead + (slice(None, -1),)] -= g
        g = up
    return [g] + [None] * (len(ins) - 1)


add_function("diff", vjp=_diff_vjp)


def _ediff1d_compute(xp, ary, to_end=None, to_begin=None):
    parts = []
    if to_begin is not None:
        parts.append(xp.ravel(xp.asarray(to_begin, dtype=ary.dtype)))
    flat = xp.ravel(ary)
    parts.append(flat[1:] - flat[:-1])
    if to_end is not None:
        parts.append(xp.ravel(xp.asarray(to_end, dtype=ary.dtype)))
    return xp.concatenate(parts)


def _ediff1d_vjp(xp, og, ins, args, kwargs):
    ary = args[0]
    to_end = kwargs.get("to_end", args[1] if len(args) > 1 else None)
    to_begin = kwargs.get("to_begin", args[2] if len(args) > 2 else None)
    g = og[0]
    nb = 0 if to_begin is None else int(_onp.size(to_begin))
    n = max(ary.size - 1, 0)
    mid = g[nb : nb + n]
    gx = xp.zeros(ary.size, dtype=g.dtype)
    gx[1:] += mid
    gx[:-1] -= mid
    grads: list = [None] * len(ins)
    for k, x in enumerate(ins):
        if x is ary:
            grads[k] = gx.reshape(ary.shape)
        elif x is to_begin and x.dtype.kind == "f":
            grads[k] = g[:nb].reshape(x.shape)
        elif x is to_end and x.dtype.kind == "f":
            grads[k] = g[nb + n :].reshape(x.shape)
    return grads


add_function("ediff1d", _ediff1d_compute, vjp=_ediff1d_vjp)


def _nan_to_num_compute(xp, x, copy=True, nan=0.0, posinf=None, neginf=None):
    if x.dtype.kind != "f":
        return x.copy()
    return xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)


def _nan_to_num_vjp(xp, og, ins, args, kwargs):
    return [xp.where(xp.isfinite(ins[0]), og[0], 0)]


add_function("nan_to_num", _nan_to_num_compute, vjp=_nan_to_num_vjp)


def _polyval_vjp(xp, og, ins, args, kwargs):
    p, x = args[0], args[1]
    g = og[0]
    n = p.shape[0]
    powers = xp.stack([x ** (n - 1 - k) for k in range(n)]) if n else xp.zeros((0, *x.shape), x.dtype)
    gp = (powers * g).reshape(n, -1).sum(axis=1) if n else xp.zeros(0, g.dtype)
    dp = p[:-1] * xp.arange(n - 1, 0, -1, dtype=p.dtype) if n > 1 else xp.zeros(1, p.dtype)
    gx = g * xp.polyval(dp, x)
    out: list = [None] * len(ins)
    for k, v in enumerate(ins):
        if v is p and v.dtype.kind == "f":
            out[k] = gp
        elif v is x and v.dtype.kind == "f":
            out[k] = gx
    return out


add_function("polyval", vjp=_polyval_vjp)


def _quantile_compute(name: str):
    def compute(xp, a, q, axis=None, out=None, overwrite_input=False, interpolation="linear", keepdims=False):
        return getattr(xp, name)(a, q, axis=axis, method=interpolation, keepdims=keepdims)

    return compute


add_function("quantile", _quantile_compute("quantile"))
add_function("percentile", _quantile_compute("percentile"))


def _solve_vjp(xp, og, ins, args, kwargs):
    a, b = args[0], args[1]
    x = xp.linalg.solve(a, b)
    vec = b.ndim == a.ndim - 1
    g = og[0]
    gb = xp.linalg.solve(xp.swapaxes(a, -1, -2), g)
    if vec:
        ga = -gb[..., :, None] * x[..., None, :]
    else:
        ga = -gb @ xp.swapaxes(x, -1, -2)
    return [ga if ins[0].dtype.kind == "f" else None, gb if ins[1].dtype.kind == "f" else None]


add_function("linalg.solve", vjp=_solve_vjp)


def _tensorinv_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    ind = kwargs.get("ind", args[1] if len(args) > 1 else 2)
    inv = xp.linalg.tensorinv(a, ind)
    rows = math.prod(a.shape[:ind])
    m_inv = inv.reshape(-1, rows)
    g = og[0].reshape(m_inv.shape)
    ga = -(m_inv.T @ g @ m_inv.T)
    return [ga.reshape(a.shape)]


add_function("linalg.tensorinv", vjp=_tensorinv_vjp)


def _pinv_compute(xp, a, rcond=1e-15, hermitian=False):
    return xp.linalg.pinv(a, rcond=rcond, hermitian=hermitian)


add_function("linalg.pinv", _pinv_compute)


def _tensorsolve_vjp(xp, og, ins, args, kwargs):
    a, b = args[0], args[1]
    axes = kwargs.get("axes", args[2] if len(args) > 2 else None)
    order = list(range(a.ndim))
    if axes is not None:  # NumPy moves these axes of a to the end first
        for k in axes:
            order.remove(k % a.ndim)
            order.append(k % a.ndim)
    a2 = a.transpose(order)
    m = b.size
    mat = a2.reshape(m, -1)
    x = xp.linalg.solve(mat, b.ravel())
    gb = xp.linalg.solve(mat.T, og[0].ravel())
    ga2 = -xp.outer(gb, x).reshape(a2.shape)
    return [ga2.transpose(xp.argsort(xp.asarray(order)).tolist()), gb.reshape(b.shape)]


add_function("linalg.tensorsolve", vjp=_tensorsolve_vjp)


def _det_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    return [(og[0] * xp.linalg.det(a))[..., None, None] * xp.swapaxes(xp.linalg.inv(a), -1, -2)]


def _slogdet_vjp(xp, og, ins, args, kwargs):
    return [og[1][..., None, None] * xp.swapaxes(xp.linalg.inv(args[0]), -1, -2)]  # the sign has no gradient


add_function("linalg.det", vjp=_det_vjp)


def _norm_vjp(xp, og, ins, args, kwargs):
    x = args[0]
    names = ("ord", "axis", "keepdims")
    opts = {"ord": None, "axis": None, "keepdims": False, **dict(zip(names, args[1:])), **{k: kwargs[k] for k in names if k in kwargs}}
    order, axis = opts["ord"], opts["axis"]
    n = xp.linalg.norm(x, order, axis, True)
    ax = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    g = og[0] if opts["keepdims"] else og[0].reshape(n.shape)
    safe = xp.where(n == 0, 1, n)
    vector = len(ax) == 1 or (axis is None and x.ndim == 1)
    if order in (None, "fro") or (order == 2 and vector):
        return [g * x / safe]
    if vector and order == 1:
        return [g * xp.sign(x)]
    if vector and order in (math.inf, -math.inf):
        hit = xp.abs(x) == n
        return [g * xp.sign(x) * hit / xp.maximum(hit.sum(axis=ax, keepdims=True), 1)]
    if vector and isinstance(order, (int, float)) and order not in (0,):
        p = float(order)
        return [g * xp.sign(x) * xp.abs(x) ** (p - 1) / safe ** (p - 1)]
    xm = xp.moveaxis(x, ax, (-2, -1)) if len(ax) == 2 else None
    if xm is not None and order == "nuc":  # d||A||_* = U V^T
        u, _, vt = xp.linalg.svd(xm, full_matrices=False)
        return [g * xp.moveaxis(u @ vt, (-2, -1), ax)]
    if xm is not None and order in (2, -2):  # the extreme singular value: u_k v_k^T
        u, _, vt = xp.linalg.svd(xm, full_matrices=False)
        k = 0 if order == 2 else -1
        return [g * xp.moveaxis(u[..., :, k, None] * vt[..., k, None, :], (-2, -1), ax)]
    if xm is not None and order in (1, -1, math.inf, -math.inf):  # the extreme column (1) or row (inf) sum
        over = -2 if order in (1, -1) else -1
        sums = xp.abs(xm).sum(axis=over)
        pick = sums.argmax(-1) if order in (1, math.inf) else sums.argmin(-1)
        mask = (xp.arange(sums.shape[-1]) == pick[..., None]).astype(x.dtype)
        mask = mask[..., None, :] if over == -2 else mask[..., :, None]
        return [g * xp.moveaxis(xp.sign(xm) * mask, (-2, -1), ax)]
    raise ValueError(f"linalg.norm: no gradient for ord={order!r} over axes {ax}")


add_function("linalg.norm", vjp=_norm_vjp)
add_function("linalg.slogdet", lambda xp, a: tuple(xp.linalg.slogdet(a)), vjp=_slogdet_vjp)


def _where_vjp(xp, og, ins, args, kwargs):
    cond, x, y = args[0], args[1], args[2]
    mask = xp.broadcast_to(xp.asarray(cond).astype(bool), og[0].shape)
    out: list = [None] * len(ins)
    for k, v in enumerate(ins):
        if v is x:
            out[k] = _unbroadcast(xp, xp.where(mask, og[0], 0), v.shape)
        elif v is y:
            out[k] = _unbroadcast(xp, xp.where(mask, 0, og[0]), v.shape)
    return out


add_function("where", lambda xp, c, x, y: xp.where(xp.asarray(c).astype(bool), x, y), vjp=_where_vjp)


def _sort_compute(xp, a, axis=-1, kind=None, order=None):
    return xp.sort(a, axis=axis)


def _sort_vjp(xp, og, ins, args, kwargs):
    a = args[0]
    axis = kwargs.get("axis", args[1] if len(args) > 1 else -1)
    flat = axis is None
    src = a.ravel() if flat else a
    ax = 0 if flat else axis
    idx = xp.argsort(src, axis=ax, kind="stable")
    grad = xp.zeros(src.shape, dtype=og[0].dtype)
    xp.put_along_axis(grad, idx, og[0].reshape(idx.shape), axis=ax)
    return [grad.reshape(a.shape)]


add_function("sort", _sort_compute, vjp=_sort_vjp)
add_function("argsort", lambda xp, a, axis=-1, kind=None, order=None: xp.argsort(a, axis=axis, kind="stable"))
add_function("any", lambda xp, a, axis=None, out=None, keepdims=False: xp.any(a, axis=axis, keepdims=keepdims))
add_function("all", lambda xp, a, axis=None, out=None, keepdims=False: xp.all(a, axis=axis, keepdims=keepdims))


# element-wise binary functions: vjp from the two partial derivatives, summed over broadcast axes


def _unbroadcast(xp, g, shape: tuple):
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _binary_vjp(d1: Callable, d2: Callable):
    def vjp(xp, og, ins, args, kwargs):
        x1, x2 = args[0], args[1]
        a1, a2 = xp.asarray(x1, dtype=og[0].dtype), xp.asarray(x2, dtype=og[0].dtype)
        out: list = [None] * len(ins)
        for k, v in enumerate(ins):
            if v is x1:
                out[k] = _unbroadcast(xp, og[0] * d1(xp, a1, a2), v.shape)
            elif v is x2:
                out[k] = _unbroadcast(xp, og[0] * d2(xp, a1, a2), v.shape)
        return out

    return vjp


add_function("arctan2", vjp=_binary_vjp(lambda xp, a, b: b / (a * a + b * b), lambda xp, a, b: -a / (a * a + b * b)))
add_function("copysign", vjp=_binary_vjp(lambda xp, a, b: xp.where((a < 0) == (b < 0), 1.0, -1.0), lambda xp, a, b: xp.zeros_like(b)))
add_function(
    "ldexp", lambda xp, a, b: a * xp.power(2.0, b), vjp=_binary_vjp(lambda xp, a, b: xp.power(2.0, b), lambda xp, a, b: a * xp.power(2.0, b) * math.log(2.0))
)
for _name in "bitwise_and bitwise_or bitwise_xor lcm gcd".split():
    add_function(_name)


# -- front-end calls ----------------------------------------------------------------------------

# name -> (output dtype rule, number of outputs: an int or a rule on (args, kwargs))
# dtype rules: 'in<k>' the k-th array input's dtype, 'float' (floating inputs keep
# theirs, others give float32), or a dtype name (the call's dtype= overrides it)


def _sections(args, kwargs) -> int:
    ios = kwargs.get("indices_or_sections", args[1] if len(args) > 1 else None)
    return int(ios) if isinstance(ios, (int, _onp.integer)) else len(ios) + 1


def _n_arrays(args, kwargs) -> int:
    return len(args)


SPECS: dict[str, tuple[str, object]] = {
    "tensordot": ("in0", 1),
    "inner": ("in0", 1),
    "einsum": ("in0", 1),
    "trace": ("in0", 1),
    "tril": ("in0", 1),
    "triu": ("in0", 1),
    "roll": ("in0", 1),
    "rot90": ("in0", 1),
    "flip": ("in0", 1),
    "flipud": ("in0", 1),
    "fliplr": ("in0", 1),
    "moveaxis": ("in0", 1),
    "atleast_1d": ("in0", _n_arrays),
    "atleast_2d": ("in0", _n_arrays),
    "atleast_3d": ("in0", _n_arrays),
    "hstack": ("in0", 1),
    "vstack": ("in0", 1),
    "dstack": ("in0", 1),
    "column_stack": ("in0", 1),
    "split": ("in0", _sections),
    "array_split": ("in0", _sections),
    "hsplit": ("in0", _sections),
    "vsplit": ("in0", _sections),
    "dsplit": ("in0", _sections),
    "diagflat": ("in0", 1),
    "delete": ("in0", 1),
    "insert": ("in0", 1),
    "resize": ("in0", 1),
    "pad": ("in0", 1),
    "diff": ("in0", 1),
    "ediff1d": ("in0", 1),
    "nan_to_num": ("in0", 1),
    "polyval": ("in0", 1),
    "quantile": ("float", 1),
    "percentile": ("float", 1),
    "bitwise_not": ("in0", 1),
    "invert": ("in0", 1),
    "logspace": ("float32", 1),
    "indices": ("int64", lambda a, k: 1),
    "hanning": ("float32", 1),
    "hamming": ("float32", 1),
    "blackman": ("float32", 1),
    "linalg.solve": ("in0", 1),
    "linalg.tensorinv": ("in0", 1),
    "linalg.tensorsolve": ("in0", 1),
    "linalg.pinv": ("in0", 1),
    "linalg.eigvalsh": ("in0", 1),
    "linalg.eigh": ("in0", 2),
    "linalg.matrix_rank": ("int64", 1),
    "linalg.det": ("in0", 1),
    "linalg.norm": ("float", 1),
    "argmax": ("int64", 1),
    "argmin": ("int64", 1),
    "eye": ("float32", 1),
    "full": ("in0", 1),
    "append": ("in0", 1),
    "unravel_index": ("int64", lambda args, kwargs: len(args[1]) if isinstance(args[1], (tuple, list)) else 1),
    "dot": ("promote", 1),
    "matmul": ("promote", 1),
    "where": ("promote", 1),
    "sort": ("in0", 1),
    "argsort": ("int64", 1),
    "any": ("bool", 1),
    "all": ("bool", 1),
    "squeeze": ("in0", 1),
    "tile": ("in0", 1),
    "broadcast_to": ("in0", 1),
    "transpose": ("in0", 1),
    "diag": ("in0", 1),
    "diagonal": ("in0", 1),
    "take": ("in0", 1),
    "swapaxes": ("in0", 1),
    "var": ("float", 1),
    "std": ("float", 1),
    "arctan2": ("promote_float", 1),
    "copysign": ("promote_float", 1),
    "ldexp": ("promote_float", 1),
    "bitwise_and": ("promote", 1),
    "bitwise_or": ("promote", 1),
    "bitwise_xor": ("promote", 1),
    "lcm": ("promote", 1),
    "gcd": ("promote", 1),
    "linalg.slogdet": ("in0", 2),
}

_INT_INPUTS = {
    "insert": (1,),
    "delete": (1,),
    "bitwise_not": (0,),
    "invert": (0,),
    **{n: (0, 1) for n in ("bitwise_and", "bitwise_or", "bitwise_xor", "lcm", "gcd")},
}
# where a creation function takes dtype positionally
_DTYPE_POS = {"eye": 3, "logspace": 5, "indices": 1, "hanning": 1, "hamming": 1, "blackman": 1}


def _dtype_rule(name: str, args: tuple, kwargs: dict) -> str:
    dt = kwargs.get("dtype")
    pos = _DTYPE_POS.get(name)
    if dt is None and pos is not None and len(args) > pos:
        dt = args[pos]
    if dt is not None:
        return _onp.dtype(dt).name
    return SPECS[name][0]


def call_spec(name: str, args: tuple, kwargs: dict, is_array) -> tuple[list, dict]:
    """Inputs and ``_npi_function`` parameters of ``name(*args, **kwargs)``."""
    n_out = SPECS[name][1]
    n_out = n_out if isinstance(n_out, int) else n_out(args, kwargs)
    inputs, call = build_call(list(args), kwargs, is_array)
    int_inputs = tuple(k for k in _INT_INPUTS.get(name, ()) if k < len(inputs))
    params = {"fn": name, "call": call, "num_args": len(inputs), "num_outputs": n_out, "otype": _dtype_rule(name, args, kwargs), "int_inputs": int_inputs}
    return inputs, params
