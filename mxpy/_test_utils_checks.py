"""The symbol checks of :mod:`mxpy.test_utils` (re-exported there, use them from there).

``simple_forward``, finite-difference ``numeric_grad`` / ``check_numeric_gradient``,
``check_symbolic_forward`` / ``check_symbolic_backward`` against expected values,
and ``check_consistency`` across contexts and dtypes.
"""

from __future__ import annotations

import numbers
import traceback

import numpy as np

from .base import MXNetError
from .ndarray import NDArray
from .ndarray import array as _nd_array
from .symbol import Symbol
from .test_utils import _FLOATS, _to_numpy, assert_almost_equal, default_context, default_numeric_eps, get_tolerance, get_tols


def _float_dtype(dtype, what: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in _FLOATS:
        raise ValueError(f"{what}: dtype must be float16, float32 or float64, got {dtype!r}")
    return dt


def _as_nd(v, ctx, dtype) -> NDArray:
    # NumPy arrays are converted to the check's dtype; NDArrays are used as given
    if isinstance(v, NDArray):
        return v
    v = np.asarray(v)
    return _nd_array(v, ctx=ctx, dtype=v.dtype if dtype == "asnumpy" else dtype)


def _parse_location(sym: Symbol, location, ctx, dtype=np.float32) -> dict:
    """``location`` (a list in argument order or a dict by name) as {argument name: NDArray}."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        if set(location) != set(names):
            raise ValueError(
                f"Symbol arguments and keys of the given location do not match: symbol arguments {sorted(names)}, location keys {sorted(location)}"
            )
    elif isinstance(location, (list, tuple)):
        if len(location) != len(names):
            raise ValueError(f"location has {len(location)} arrays, the symbol has {len(names)} arguments {names}")
        location = dict(zip(names, location))
    else:
        raise TypeError(f"location must be a list, tuple or dict of arrays, got {type(location).__name__}")
    return {k: _as_nd(location[k], ctx, dtype) for k in sorted(location)}


def _parse_aux_states(sym: Symbol, aux_states, ctx, dtype=np.float32) -> dict | None:
    """``aux_states`` (list or dict) as {aux name: NDArray}, or None."""
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if isinstance(aux_states, dict):
        if set(aux_states) != set(names):
            raise ValueError(f"Symbol aux_states names and given aux_states do not match: symbol aux states {sorted(names)}, given {sorted(aux_states)}")
    elif isinstance(aux_states, (list, tuple)):
        if len(aux_states) != len(names):
            raise ValueError(f"aux_states has {len(aux_states)} arrays, the symbol has {len(names)} auxiliary states {names}")
        aux_states = dict(zip(names, aux_states))
    else:
        raise TypeError(f"aux_states must be a list, tuple or dict of arrays, got {type(aux_states).__name__}")
    return {k: _as_nd(v, ctx, dtype) for k, v in aux_states.items()}


def simple_forward(sym: Symbol, ctx=None, is_train: bool = False, **inputs):
    """Bind ``sym`` to ``inputs`` (arrays by argument name), run forward, return NumPy output(s).

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> simple_forward(x * 2, x=np.ones(2)).tolist()
    [2.0, 2.0]
    """
    ctx = ctx or default_context()
    args = {k: _nd_array(v, ctx=ctx) for k, v in inputs.items()}
    exe = sym.bind(ctx, args=args)
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs


def numeric_grad(executor, location: dict, aux_states: dict | None = None, eps: float = 1e-4, use_forward_train: bool = True, dtype=np.float32) -> dict:
    """Central differences of ``sum(executor.outputs[0])`` with respect to each array in ``location``.

    ``location`` maps argument names to NumPy arrays; each element moves by
    ``+eps/2`` and ``-eps/2`` (aux states are restored before every forward,
    so BatchNorm's moving statistics do not drift). Arguments are restored
    to their values afterwards. Returns {name: gradient as NumPy}.
    """
    dtype = _float_dtype(dtype, "numeric_grad")
    arg_dict = executor.arg_dict
    unknown = [k for k in location if k not in arg_dict]
    if unknown:
        raise ValueError(f"numeric_grad: {unknown} are not arguments of the executor; arguments are {sorted(arg_dict)}")
    grads = {k: np.zeros(np.shape(v), dtype=dtype) for k, v in location.items()}
    values = {k: np.array(v, dtype=dtype, copy=True, order="C") for k, v in location.items()}
    for k, v in values.items():
        arg_dict[k][:] = v

    def objective() -> np.ndarray:
        if aux_states is not None:
            for name, val in aux_states.items():
                executor.aux_dict[name][:] = _to_numpy(val)
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for k, v in values.items():
        if np.asarray(location[k]).dtype.kind != "f":
            continue  # integer inputs (indices, labels) have no gradient
        flat = v.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps / 2.0
            arg_dict[k][:] = v
            f_plus = objective()
            flat[i] = old - eps / 2.0
            arg_dict[k][:] = v
            f_minus = objective()
            flat[i] = old
            grads[k].reshape(-1)[i] = (f_plus.astype(np.float64) - f_minus).sum() / eps
        arg_dict[k][:] = v
    return grads


def _grad_reqs(grad_nodes, arg_names: list[str]) -> dict:
    if grad_nodes is None:
        return {k: "write" for k in arg_names}
    if isinstance(grad_nodes, dict):
        reqs = dict(grad_nodes)
    elif isinstance(grad_nodes, (list, tuple)):
        reqs = {k: "write" for k in grad_nodes}
    else:
        raise ValueError(
            f"check_numeric_gradient: grad_nodes must be None, a list of argument names or a dict name -> grad_req, got {type(grad_nodes).__name__}"
        )
    unknown = [k for k in reqs if k not in arg_names]
    if unknown:
        raise ValueError(f"check_numeric_gradient: grad_nodes {unknown} are not arguments of the symbol {arg_names}")
    bad = {k: r for k, r in reqs.items() if r not in ("write", "add", "null")}
    if bad:
        raise ValueError(f"check_numeric_gradient: invalid grad_req {bad}; expected 'write', 'add' or 'null'")
    return reqs


def _compare_grad(req: str, name: str, expected, got, dirt, rtol, atol, names, equal_nan: bool = False) -> None:
    """Check a gradient buffer after backward under ``req`` (it started as ``dirt``)."""
    if req == "write":
        assert_almost_equal(expected, got, rtol, atol, names, equal_nan=equal_nan)
    elif req == "add":
        assert_almost_equal(expected, _to_numpy(got) - dirt, rtol, atol, names, equal_nan=equal_nan)
    elif req == "null":
        assert_almost_equal(dirt, got, rtol, atol, names, equal_nan=equal_nan)
    else:
        raise ValueError(f"Invalid grad_req {req!r} for argument {name!r}")


def check_numeric_gradient(
    sym: Symbol,
    location,
    aux_states=None,
    numeric_eps=None,
    rtol=None,
    atol=None,
    grad_nodes=None,
    use_forward_train: bool = True,
    ctx=None,
    grad_stype_dict=None,
    dtype=np.float32,
) -> None:
    """Compare the symbolic gradient of ``sym`` with finite differences.

    The single output is multiplied by a fixed random projection (uniform in
    [0.1, 1.1)) and summed, so every output element counts; the symbolic
    gradient of that scalar (via backward) must match its central differences
    (step ``numeric_eps``, by default 2**-9 for float32, 2**-14 for float64).
    ``grad_nodes`` lists the arguments to check (all by default) or maps them
    to a grad_req ('write', 'add' or 'null'); gradient buffers start as small
    random values so 'add' and 'null' are checked too.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> check_numeric_gradient(mx.sym.tanh(x), [np.random.uniform(-1, 1, (2, 3))], dtype=np.float64)
    """
    from . import symbol as _sym

    dt = _float_dtype(dtype, "check_numeric_gradient")
    ctx = ctx or default_context()
    # grad_stype_dict: sparse gradients hold the same values as dense ones, which are checked
    if len(sym.list_outputs()) != 1:
        raise ValueError(f"check_numeric_gradient: the symbol must have one output, it has {sym.list_outputs()}")
    location = _parse_location(sym, location, ctx, dt)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    aux_npy = {k: v.asnumpy() for k, v in aux.items()} if aux is not None else None
    arg_names = sym.list_arguments()
    grad_req = _grad_reqs(grad_nodes, arg_names)
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    if out_shapes is None:
        raise MXNetError(f"check_numeric_gradient: cannot infer the output shape from { ({k: v.shape for k, v in location.items()}) }")
    proj_shape = tuple(out_shapes[0])
    loss = _sym.MakeLoss(sym * _sym.Variable("__random_proj"))
    location = dict(location)
    location["__random_proj"] = _nd_array(np.random.rand(*proj_shape) + 0.1, ctx=ctx, dtype=dt)
    dirt = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_req}
    dirt["__random_proj"] = np.random.normal(0, 0.01, size=proj_shape)
    args_grad = {k: _nd_array(v, ctx=ctx, dtype=dt) for k, v in dirt.items()}
    reqs = dict(grad_req)
    reqs["__random_proj"] = "write"
    executor = loss.bind(ctx, args=location, args_grad=args_grad, grad_req=reqs, aux_states=aux)
    executor.forward(is_train=True)
    eps = get_tolerance(executor.outputs[0], numeric_eps, default_numeric_eps())
    # smaller steps drown in float32/float16 rounding
    if dt in (np.dtype(np.float16), np.dtype(np.float32)) and eps < 1e-5:
        raise ValueError(f"check_numeric_gradient: numeric_eps={eps} is too small for {dt.name}; use >= 1e-5 or dtype=np.float64")
    executor.backward()
    symbolic = {k: executor.grad_dict[k].asnumpy() for k in grad_req}
    numeric = numeric_grad(executor, location_npy, aux_npy, eps=eps, use_forward_train=use_forward_train, dtype=dt)
    for name, req in grad_req.items():
        _compare_grad(req, name, numeric[name] if req != "null" else None, symbolic[name], dirt[name], rtol, atol, (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


def check_symbolic_forward(sym: Symbol, location, expected, rtol=None, atol=None, aux_states=None, ctx=None, equal_nan: bool = False, dtype=np.float32) -> list:
    """Run ``sym`` forward (inference mode) on ``location`` and compare each output with ``expected``.

    ``expected`` is a list in output order or a dict by output name.
    Returns the executor's outputs.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_symbolic_forward(x * 3, [np.ones(2)], [np.full(2, 3.0)])
    """
    dt = dtype if dtype == "asnumpy" else _float_dtype(dtype, "check_symbolic_forward")
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dt)
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    outputs_names = sym.list_outputs()
    if isinstance(expected, dict):
        missing = [k for k in outputs_names if k not in expected]
        if missing:
            raise ValueError(f"check_symbolic_forward: expected has no value for outputs {missing}; outputs are {outputs_names}")
        expected = [expected[k] for k in outputs_names]
    if len(expected) != len(outputs_names):
        raise ValueError(f"check_symbolic_forward: {len(expected)} expected arrays for {len(outputs_names)} outputs {outputs_names}")
    args_grad = {k: _nd_array(np.zeros(v.shape), ctx=ctx, dtype=v.dtype if dt == "asnumpy" else dt) for k, v in location.items()}
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux)
    executor.forward(is_train=False)
    for name, expect, output in zip(outputs_names, expected, executor.outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"), equal_nan=equal_nan)
    return executor.outputs


def check_symbolic_backward(
    sym: Symbol,
    location,
    out_grads,
    expected,
    rtol=None,
    atol=None,
    aux_states=None,
    grad_req="write",
    ctx=None,
    grad_stypes=None,
    equal_nan: bool = False,
    dtype=np.float32,
) -> dict:
    """Run forward (training) and backward with ``out_grads``; compare gradients with ``expected``.

    ``expected`` is a list in argument order or a dict by argument name (only
    those arguments get gradient buffers). Buffers start as random values, so
    ``grad_req='add'`` checks ``buffer - start`` and 'null' checks they are
    untouched. Returns {name: gradient NDArray}.

    >>> import numpy as np
    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_symbolic_backward(x * 3, [np.ones(2)], [np.ones(2)], [np.full(2, 3.0)])
    """
    dt = dtype if dtype == "asnumpy" else _float_dtype(dtype, "check_symbolic_backward")
    # grad_stypes: sparse gradients hold the same values as dense ones, which are compared
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dt)
    aux = _parse_aux_states(sym, aux_states, ctx, dt)
    arg_names = sym.list_arguments()
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(arg_names, expected))
    unknown = [k for k in expected if k not in arg_names]
    if unknown:
        raise ValueError(f"check_symbolic_backward: expected gradients for {unknown}, which are not arguments {arg_names}")
    # random starting values show whether backward writes, adds or leaves the buffer
    dirt = {k: np.random.normal(size=np.shape(v)) for k, v in expected.items()}
    args_grad = {k: _nd_array(v, ctx=ctx, dtype=np.asarray(_to_numpy(expected[k])).dtype if dt == "asnumpy" else dt) for k, v in dirt.items()}
    for k, st in dict(grad_stypes or {}).items():  # sparse gradient buffers hold the same values
        if k in args_grad and st != "default":
            args_grad[k] = args_grad[k].tostype(st)
            dirt[k] = args_grad[k].asnumpy()
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in arg_names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(arg_names, grad_req))
    executor = sym.bind(ctx, args=location, args_grad=args_grad, aux_states=aux, grad_req=grad_req)
    executor.forward(is_train=True)
    if isinstance(out_grads, (list, tuple)):
        out_grads = [_as_nd(g, ctx, dt) for g in out_grads]
    elif isinstance(out_grads, dict):
        out_grads = {k: _as_nd(g, ctx, dt) for k, g in out_grads.items()}
    elif isinstance(out_grads, (NDArray, np.ndarray)):
        out_grads = [_as_nd(out_grads, ctx, dt)]
    elif out_grads is not None:
        raise TypeError(f"check_symbolic_backward: out_grads must be a list, dict, array or None, got {type(out_grads).__name__}")
    executor.backward(out_grads)
    for name in expected:
        names = (f"EXPECTED_{name}", f"BACKWARD_{name}")
        _compare_grad(grad_req.get(name, "null"), name, expected[name], args_grad[name], dirt[name], rtol, atol, names, equal_nan)
    return args_grad


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (``dt1`` when ``dt2`` is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def _report(err: AssertionError, header: str, raise_on_err: bool) -> None:
    print(header)
    if raise_on_err:
        raise err
    traceback.print_exception(type(err), err, err.__traceback__)


def check_consistency(
    sym,
    ctx_list: list[dict],
    scale: float = 1.0,
    grad_req="write",
    arg_params=None,
    aux_params=None,
    rtol=None,
    atol=None,
    raise_on_err: bool = True,
    ground_truth=None,
    equal_nan: bool = False,
    use_uniform: bool = False,
    rand_type=np.float64,
) -> dict:
    """Run ``sym`` on every configuration in ``ctx_list`` and check they agree.

    Each entry of ``ctx_list`` is ``simple_bind``'s keyword arguments, e.g.
    ``{'ctx': mx.cpu(0), 'data': (2, 3), 'type_dict': {'data': np.float64}}``.
    All executors get the same random arguments (normal with ``scale``, or
    uniform in +-0.92*scale), then forward (inference) outputs and, unless
    ``grad_req='null'``, training outputs and gradients (backward with the
    first executor's outputs as head gradients) are compared with the most
    precise executor (or ``ground_truth``). Tolerances default per dtype.
    Returns the ground truth {name: array}.

    >>> import mxpy as mx
    >>> x = mx.sym.Variable("x")
    >>> _ = check_consistency(mx.sym.tanh(x), [{"ctx": mx.cpu(0), "x": (2, 3)}, {"ctx": mx.cpu(1), "x": (2, 3)}])
    """
    if len(ctx_list) < 2:
        raise ValueError(f"check_consistency: ctx_list needs at least 2 configurations, got {len(ctx_list)}")
    if isinstance(sym, Symbol):
        sym = [sym] * len(ctx_list)
    elif len(sym) != len(ctx_list):
        raise ValueError(f"check_consistency: {len(sym)} symbols for {len(ctx_list)} configurations")
    output_names = sym[0].list_outputs()
    arg_names = sym[0].list_arguments()
    exe_list = []
    for k, (s, cfg) in enumerate(zip(sym, ctx_list)):
        if s.list_arguments() != arg_names or s.list_outputs() != output_names:
            raise ValueError(
                f"check_consistency: symbol {k} has arguments {s.list_arguments()} and outputs {s.list_outputs()}, expected {arg_names} and {output_names}"
            )
        exe_list.append(s.simple_bind(grad_req=grad_req, **cfg))
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    # draw in sorted name order so a seed reproduces the same arguments
    for n in sorted(exe_list[0].arg_dict):
        if n not in arg_params:
            shape = exe_list[0].arg_dict[n].shape
            if use_uniform:
                arg_params[n] = np.random.uniform(low=-0.92 * scale, high=0.92 * scale, size=shape).astype(rand_type)
            else:
                arg_params[n] = np.random.normal(size=shape, scale=scale).astype(rand_type)
    for n in exe_list[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = _to_numpy(arg_params[name])
        for name, arr in exe.aux_dict.items():
            arr[:] = _to_numpy(aux_params[name]) if not isinstance(aux_params[name], numbers.Number) else aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0
    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    # the first executor with the widest output dtype is the reference
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    gt = ground_truth
    if gt is None:
        # live arrays: they hold the reference's results after each phase below
        gt = dict(exe_list[gt_idx].output_dict)
        if grad_req != "null":
            gt.update(exe_list[gt_idx].grad_dict)

    for exe in exe_list:
        exe.forward(is_train=False)
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names, exe.outputs):
            try:
                assert_almost_equal(arr, gt[name], rtol=rtol, atol=atol, names=(f"ctx{i}_{name}", f"ctx{gt_idx}_{name}"), equal_nan=equal_nan)
            except AssertionError as e:
                _report(e, f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}", raise_on_err)

    if grad_req == "null":
        return gt
    for exe in exe_list:
        exe.forward(is_train=True)
    # every executor gets the same head gradients: the first one's outputs in the least precise dtype
    least = [out.dtype for out in exe_list[0].outputs]
    for exe in exe_list:
        least = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least)]
    heads = [out.asnumpy().astype(dt) for out, dt in zip(exe_list[0].outputs, least)]
    for exe in exe_list:
        exe.backward([_nd_array(h, ctx=out.context, dtype=out.dtype) for h, out in zip(heads, exe.outputs)])
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names + arg_names, list(exe.outputs) + list(exe.grad_arrays)):
            gtarr = gt.get(name)
            if gtarr is None:
                if arr is not None:
                    raise AssertionError(f"check_consistency: ctx {i} has a gradient for {name!r}, the reference has none")
                continue
            rt, at = rtol, atol
            # a float32 gradient in a float16 model is only as precise as float16
            small_arr = _smaller_dtype(arr.dtype, dtypes[i])
            small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if np.dtype(small_arr) != np.dtype(arr.dtype) or np.dtype(small_gt) != np.dtype(gtarr.dtype):
                rt, at = get_tols(np.zeros(1, small_arr), np.zeros(1, small_gt), rtol, atol)
            try:
                assert_almost_equal(arr, gtarr, rtol=rt, atol=at, names=(f"ctx{i}_{name}", f"ctx{gt_idx}_{name}"), equal_nan=equal_nan)
            except AssertionError as e:
                _report(e, f"Train Err: {np.dtype(arr.dtype).name} ctx {i} vs {np.dtype(gtarr.dtype).name} ctx {gt_idx} at {name}", raise_on_err)
    return gt
