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

    __slots__ = ("name", "compute", "grad", "vjp", "rng", "probe_fill")

    def __init__(self, name: str, compute: Callable, grad: str | None = None, vjp: Callable | None = None, rng: bool = False) -> None:
        self.name = name
        # compute(xp, *args, **kwargs) -> array or tuple of arrays; a sampler (rng) also gets rng=
        self.compute = compute
        self.grad = grad  # None (no gradient), "gather", "einsum", "vjp" or "missing" (a backward raises)
        # vjp(xp, ograds, ins, args, kwargs) -> one gradient (or None) per input; a sampler's
        # vjp also gets outs= (its samples: reparameterized gradients are functions of them)
        self.vjp = vjp
        self.rng = rng
        # the value the shape rule's stand-in inputs hold: a sampler's parameters must be valid
        self.probe_fill = 1 if rng else 0


FUNCTIONS: dict[str, NpFunction] = {}


def _xp_fn(path: str) -> Callable:
    def compute(xp, *args, **kwargs):
        obj = xp
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj(*args, **kwargs)

    return compute


def add_function(name: str, compute: Callable | None = None, grad: str | None = None, vjp: Callable | None = None, rng: bool = False) -> None:
    """Register ``name`` (NumPy's function of that dotted name unless ``compute`` is given)."""
    FUNCTIONS[name] = NpFunction(name, compute or _xp_fn(name), "vjp" if vjp is not None else grad, vjp, rng)


def _function(name: str) -> NpFunction:
    f = FUNCTIONS.get(name)
    if f is None:
        raise ShapeError(f"unknown function {name!r}; known: {', '.join(sorted(FUNCTIONS))}")
    return f


def _as_outputs(res) -> list:
    return list(res) if isinstance(res, (tuple, list)) else [res]


# -- forward --------------------------------------------------------------------------------


def _run(p, xp, ins, rng=None):
    args, kwargs = decode_call(p.call, ins)
    f = _function(p.fn)
    if f.rng:
        kwargs["rng"] = rng if rng is not None else _onp.random.default_rng(0)
    with _onp.errstate(all="ignore"):
        return _as_outputs(f.compute(xp, *args, **kwargs))


def _kernel(p, ins, outs, req, rt):
    rng = rt.rng if _function(p.fn).rng else None
    for o, r, v in zip(outs, req, _run(p, rt.xp, list(ins), rng)):
        store(o, r, rt.xp.asarray(v).astype(o.dtype, copy=False).reshape(o.shape))


def _probe(shape: tuple, dtype: str = "float32", fill: int = 0):
    """A read-only array of ``shape`` holding ``fill``, in O(1) memory."""
    return _onp.lib.stride_tricks.as_strided(_onp.full(1, fill, dtype), shape, (0,) * len(shape), writeable=False)


def _eye_like(x):
    if x.dtype.kind != "f" or x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        return x
    return _onp.broadcast_to(_onp.eye(x.shape[-1], dtype=x.dtype), x.shape)


def _infer_shape(p, in_shapes):
    if any(s is None for s in in_shapes):
        return list(in_shapes), None
    fill = _function(p.fn).probe_fill
    probes = [_probe(tuple(s), "int64" if k in p.int_inputs else "float32", fill) for k, s in enumerate(in_shapes)]
    try:
        try:
            outs = _run(p, _onp, probes)
        except _onp.linalg.LinAlgError:  # zeros are singular: the shapes of a generic matrix, else of identities
            rng = _onp.random.default_rng(0)
            try:
                outs = _run(p, _onp, [x if x.dtype.kind != "f" else rng.standard_normal(x.shape) for x in probes])
            except _onp.linalg.LinAlgError:  # positive definite (a covariance)
                outs = _run(p, _onp, [_eye_like(x) for x in probes])
    except (ValueError, IndexError, TypeError, _onp.linalg.LinAlgError) as e:
        if isinstance(e, ValueError) and _function(p.fn).probe_fill:
            raise  # a sampler's bad parameter (scale < 0) is a ValueError, as in MXNet
        raise ShapeError(f"{p.fn}: {e}") from None
    if len(outs) != p.num_outputs:
        raise ShapeError(f"{p.fn} gives {len(outs)} outputs, the node declares num_outputs={p.num_outputs}")
    return list(in_shapes), [tuple(_onp.shape(o)) for o in outs]


def _infer_type(p, in_types):
    if p.otype[:2] == "in" and p.otype[2:].isdigit():  # "in<k>": the k-th input's dtype
        # no such input (a call on numbers only): mx.np's default float32
        t = in_types[int(p.otype[2:])] if len(in_types) > int(p.otype[2:]) else _onp.dtype("float32")
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
    outs = g.outputs if f.rng else []  # a sampler's gradient reads its samples
    return g.op(
        "_backward_npi_function",
        [*(ograds[j] for j in present), *g.inputs, *outs],
        fn=g.p.fn,
        call=g.p.call,
        num_args=len(present) + len(g.inputs) + len(outs),
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


# name -> form(args, kwargs, ins) -> (einsum subscripts, operands), for the "einsum" kind
EINSUM_FORM: dict[str, Callable] = {}


def _backward_kernel(p, ins, outs, req, rt):
    xp = rt.xp
    n_og = len(p.present)
    # one view per input slot: rules tell operands apart by identity, and one array may fill two slots
    fwd_ins = [x.view() for x in ins[n_og : n_og + p.num_inputs]]
    fwd_outs = list(ins[n_og + p.num_inputs :])
    ograds: list = [None] * p.num_outputs
    for j, og in zip(p.present, ins[:n_og]):
        ograds[j] = og
    f = _function(p.fn)
    if f.grad == "missing":
        raise ValueError(f"{p.fn}: its gradient is not implemented in mxpy (the forward is)")
    if f.grad == "gather":
        grads = _gather_vjp(xp, f, p, ograds, fwd_ins)
    else:
        args, kwargs = decode_call(p.call, fwd_ins)
        og = [xp.zeros(1, "float32") if g is None else g for g in ograds]  # einsum/vjp kinds have one output
        with _onp.errstate(all="ignore"):
            if f.grad == "einsum":
                sub, operands = EINSUM_FORM[f.name](args, kwargs, fwd_ins)
                per_op = einsum_vjp(xp, sub, og[0], operands)
                grads = [None] * len(fwd_ins)
                for k, x in enumerate(fwd_ins):
                    for pos, opnd in enumerate(operands):
                        if opnd is x and per_op[pos] is not None:
                            grads[k] = per_op[pos] if grads[k] is None else grads[k] + per_op[pos]
            elif f.rng:
                grads = f.vjp(xp, og, fwd_ins, args, kwargs, outs=fwd_outs)
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


register(
    OpDef(
        "_npi_random_function",
        _kernel,
        params=_PARAMS,
        variadic="data",
        outputs=lambda p: [f"output{i}" for i in range(p.num_outputs)],
        infer_shape=_infer_shape,
        infer_type=_infer_type,
        gradient=_grad,
        needs_rng=True,
        doc=(
            "``_npi_function`` for the samplers (``fn`` such as 'random.beta'): draws from the context's generator, "
            "so ``mx.random.seed`` governs them; reparameterized samplers differentiate through their samples.\n\n"
            "Parameters: as ``_npi_function``.\n\n"
            '>>> mx.nd._npi_random_function(fn="random.rayleigh", call=\'[[], {"size": {"$t": [2]}}]\', otype="float32").shape\n(2,)'
        ),
    )
)


def _bwd_infer_shape(p, in_shapes):
    n = len(p.present)
    return list(in_shapes), list(in_shapes[n : n + p.num_inputs])


def _bwd_infer_type(p, in_types):
    n = len(p.present)
    return list(in_types), list(in_types[n : n + p.num_inputs])


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


# the functions themselves: np_function_table.py
