"""Torch inside mxpy graphs (``mx.th``, also ``mx.torch``: MXNet 1.x's names for its Torch interface).

``TorchOp(module_or_function)`` turns a ``torch.nn.Module`` or a torch
function into an mxpy operator: a record registered in the op registry at
run time (named ``torch_<name>``, with a ``_backward_torch_<name>`` record),
so ``mx.nd`` calls, symbols, executors, ``Module``, ``autograd.record`` and
the engine treat it like a built-in op. (It is built on the registry itself,
not on ``mx.operator``'s custom-op machinery, which lands separately.)

* The module's parameters are inputs of the op (named after them), so
  mxpy's optimizers train them like any weight; ``op.params`` holds NDArrays
  that share memory with the module's parameters.
* Inputs cross to torch by DLPack without copies; the kernel writes torch's
  result into the output buffer the engine gives it (one copy, as every
  kernel that cannot compute in place).
* The backward recomputes the forward under torch's autograd and asks it for
  the input and parameter gradients, so no torch graph is kept between the
  two passes (a module with randomness, e.g. torch Dropout, draws anew).
* Output shapes and dtypes come from running the module on torch's ``meta``
  device (no computation); when that fails, from a run on zeros.

Needs torch (``pip install 'mxpy[torch]'``), imported only when a TorchOp is
made. CPU arrays, and GPU arrays when CuPy and a CUDA build of torch are both
present.

>>> import mxpy as mx, torch  # doctest: +SKIP
>>> layer = mx.th.TorchOp(torch.nn.Linear(4, 3), name='lin')  # doctest: +SKIP
>>> layer(mx.nd.ones((2, 4))).shape  # doctest: +SKIP
(2, 3)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .base import MXNetError

__all__ = ["TorchOp"]

_counter = itertools.count()


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("mx.th needs PyTorch: pip install 'mxpy[torch]'") from None
    return torch


def _to_torch(torch, arr):
    """A torch tensor over ``arr``'s memory (DLPack); read-only NumPy arrays are copied."""
    try:
        return torch.from_dlpack(arr)
    except (BufferError, TypeError, RuntimeError):
        return torch.as_tensor(np.array(arr))


def _store(torch, out, req: str, value) -> None:
    if req == "null":
        return
    dst = _to_torch(torch, out)
    if tuple(value.shape) != tuple(dst.shape):
        raise MXNetError(f"returned an output of shape {tuple(value.shape)}, expected {tuple(dst.shape)}")
    value = value.detach().to(dtype=dst.dtype)
    if req == "add":
        dst.add_(value)
    else:
        dst.copy_(value)


class TorchOp:
    """An mxpy operator running a ``torch.nn.Module`` or a function of torch tensors.

    ``fn``: the module or function; its inputs are ``num_inputs`` tensors
    (default: the arguments of ``forward``/the function without defaults)
    and it returns one tensor, or a tuple of ``num_outputs`` tensors. ``name`` names the op
    (``torch_<name>``; default from the class or function name).

    Call it on NDArrays (``op(x)`` uses ``op.params``, or pass parameter
    arrays after the data) or on Symbols (``op(sym, name='mid')`` makes the
    parameters variables ``mid_<param>``, which ``op.arg_params('mid')``
    initialises from the module).

    >>> import mxpy as mx, torch  # doctest: +SKIP
    >>> mid = mx.th.TorchOp(torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.Tanh()), name='mid')  # doctest: +SKIP
    >>> net = mid(mx.sym.FullyConnected(mx.sym.Variable('data'), num_hidden=16), name='mid')  # doctest: +SKIP
    >>> net.list_arguments()[-2:]  # doctest: +SKIP
    ['mid_0_weight', 'mid_0_bias']
    """

    def __init__(self, fn: Callable, name: str | None = None, num_inputs: int | None = None, num_outputs: int = 1) -> None:
        torch = _torch()
        if not callable(fn):
            raise TypeError(f"TorchOp: expected a torch.nn.Module or a callable, got {type(fn).__name__}")
        self.fn = fn
        self.is_module = isinstance(fn, torch.nn.Module)
        base = name or (type(fn).__name__ if self.is_module else getattr(fn, "__name__", "function"))
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in base)
        self.op_name = f"torch_{base}"
        from . import registry

        if registry.find(self.op_name) is not None:
            self.op_name = f"torch_{base}_{next(_counter)}"
        self._torch_params = dict(fn.named_parameters()) if self.is_module else {}
        self.param_names = [k.replace(".", "_") for k in self._torch_params]
        if num_inputs is None:
            num_inputs = _count_inputs(fn.forward if self.is_module else fn)
        self.num_inputs = int(num_inputs)
        self.num_outputs = int(num_outputs)
        self.data_names = ["data"] if self.num_inputs == 1 else [f"data{i}" for i in range(self.num_inputs)]
        self._infer_cache: dict = {}
        self._params: dict | None = None
        self._register()

    # -- the registry records ---------------------------------------------------------------
    def _register(self) -> None:
        from .registry import OpDef, register

        n_in = self.num_inputs + len(self.param_names)
        names = self.data_names + self.param_names
        register(
            OpDef(
                self.op_name,
                self._forward_kernel,
                inputs=tuple(names),
                outputs=self._output_names,
                infer_shape=self._infer_shape,
                infer_type=self._infer_type,
                gradient=self._gradient,
                probe_shapes=False,  # torch's shape functions see real shapes only
                doc=f"Runs {self.fn!r} with torch (mx.th.TorchOp).",
            )
        )
        register(
            OpDef(
                "_backward_" + self.op_name,
                self._backward_kernel,
                inputs=lambda p: [f"ograd{i}" for i in range(self._n_out())] + names,
                outputs=tuple(f"{n}_grad" for n in names),
                infer_shape=lambda p, s: (s, list(s[self._n_out() :])),
                infer_type=lambda p, t: (t, list(t[self._n_out() :])),
                doc=f"Gradient of {self.op_name} (torch autograd).",
            )
        )
        self._n_in = n_in

    def _n_out(self) -> int:
        return self.num_outputs

    def _output_names(self, p) -> list[str]:
        n = self._n_out()
        return ["output"] if n == 1 else [f"output{i}" for i in range(n)]

    def _call(self, tensors: list, is_train: bool):
        torch = _torch()
        data, params = tensors[: self.num_inputs], tensors[self.num_inputs :]
        if self.is_module:
            self.fn.train(is_train)
            named = dict(zip(self._torch_params, params))
            out = torch.func.functional_call(self.fn, named, tuple(data))
        else:
            out = self.fn(*data)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        for o in outs:
            if not isinstance(o, torch.Tensor):
                raise MXNetError(f"{self.op_name}: the torch code returned {type(o).__name__}, expected tensors")
        return outs

    def _meta_run(self, shapes: tuple, dtypes: tuple) -> list:
        key = (shapes, dtypes)
        hit = self._infer_cache.get(key)
        if hit is not None:
            return hit
        torch = _torch()
        tdt = [torch.from_numpy(np.zeros(0, dtype=d)).dtype for d in dtypes]
        try:
            with torch.no_grad():
                outs = self._call([torch.empty(s, dtype=t, device="meta") for s, t in zip(shapes, tdt)], False)
        except Exception:  # noqa: BLE001 - code the meta device cannot run: run it on zeros
            try:
                with torch.no_grad():
                    outs = self._call([torch.zeros(s, dtype=t) for s, t in zip(shapes, tdt)], False)
            except Exception as e:
                raise MXNetError(f"{self.op_name}: running the torch code on inputs of shapes {list(shapes)} failed: {type(e).__name__}: {e}") from None
        result = [(tuple(o.shape), np.dtype(str(o.dtype).replace("torch.", ""))) for o in outs]
        if len(result) != self._n_out():
            raise MXNetError(f"{self.op_name}: the torch code returned {len(result)} outputs, expected num_outputs={self._n_out()}")
        self._infer_cache[key] = result
        return result

    def _infer_shape(self, p, in_shapes):
        shapes = list(in_shapes)
        for i, prm in enumerate(self._torch_params.values()):
            j = self.num_inputs + i
            want = tuple(prm.shape)
            if shapes[j] is not None and tuple(shapes[j]) != want:
                from .registry import ShapeError

                raise ShapeError(f"parameter {self.param_names[i]!r} has shape {tuple(shapes[j])}, the torch module's is {want}")
            shapes[j] = want
        if any(s is None for s in shapes[: self.num_inputs]):
            return shapes, [None] * self._n_out()
        dtypes = tuple(np.dtype(np.float32) for _ in shapes)
        outs = self._meta_run(tuple(tuple(s) for s in shapes), dtypes)
        return shapes, [s for s, _ in outs]

    def _infer_type(self, p, in_types):
        types = list(in_types)
        for i, prm in enumerate(self._torch_params.values()):
            types[self.num_inputs + i] = np.dtype(str(prm.dtype).replace("torch.", ""))
        known = next((t for t in types[: self.num_inputs] if t is not None), None)
        if known is None:
            return types, [None] * self._n_out()
        types = [known if t is None else t for t in types]
        return types, [known] * self._n_out()

    def _forward_kernel(self, p, ins, outs, req, rt) -> None:
        torch = _torch()
        with torch.no_grad():
            results = self._call([_to_torch(torch, a) for a in ins], rt.is_train)
        if len(results) != len(outs):
            raise MXNetError(f"{self.op_name}: the torch code returned {len(results)} outputs, expected {len(outs)}")
        for i, (o, r) in enumerate(zip(outs, results)):
            try:
                _store(torch, o, req[i], r)
            except MXNetError as e:
                raise MXNetError(f"{self.op_name}: output {i} {e}") from None

    def _backward_kernel(self, p, ins, outs, req, rt) -> None:
        torch = _torch()
        n_out = self._n_out()
        ograds = [_to_torch(torch, a) for a in ins[:n_out]]
        leaves = [_to_torch(torch, a).detach().requires_grad_(True) for a in ins[n_out:]]
        with torch.enable_grad():
            results = self._call(leaves, rt.is_train)
            grads = torch.autograd.grad(results, leaves, grad_outputs=ograds, allow_unused=True)
        for o, r, g, leaf in zip(outs, req, grads, leaves):
            _store(torch, o, r, torch.zeros_like(leaf) if g is None else g)

    def _gradient(self, g, ograds):
        filled = [og if og is not None else g.op1("zeros_like", [g.outputs[j]]) for j, og in enumerate(ograds)]
        return g.op("_backward_" + self.op_name, filled + list(g.inputs))

    # -- front ends ------------------------------------------------------------------------------
    @property
    def params(self) -> dict:
        """NDArrays sharing memory with the module's parameters (mxpy names), made once."""
        if self._params is None:
            from .ndarray import from_dlpack

            self._params = {n: from_dlpack(t.detach()) for n, t in zip(self.param_names, self._torch_params.values())}
        return self._params

    def arg_params(self, prefix: str) -> dict:
        """Copies of the module's current parameter values keyed ``<prefix>_<param>``, for ``Module.init_params``."""
        from .ndarray import array

        return {
            f"{prefix}_{n}": array(t.detach().cpu().numpy(), dtype=t.detach().cpu().numpy().dtype)
            for n, t in zip(self.param_names, self._torch_params.values())
        }

    def load_params(self, values: dict, prefix: str | None = None) -> None:
        """Copy trained values (``<prefix>_<param>`` or ``<param>`` keys) back into the torch module."""
        torch = _torch()
        with torch.no_grad():
            for n, t in zip(self.param_names, self._torch_params.values()):
                key = f"{prefix}_{n}" if prefix else n
                if key not in values:
                    raise MXNetError(f"{self.op_name}.load_params: no value for {key!r}")
                t.copy_(torch.as_tensor(values[key].asnumpy() if hasattr(values[key], "asnumpy") else np.asarray(values[key])))

    def __call__(self, *inputs, name: str | None = None):
        from . import registry
        from .ndarray import NDArray
        from .ndarray.dispatch import invoke
        from .symbol import Symbol
        from .symbol.symbol import create

        op = registry.get(self.op_name)
        if inputs and all(isinstance(x, Symbol) for x in inputs):
            if len(inputs) not in (self.num_inputs, self._n_in):
                raise MXNetError(
                    f"{self.op_name}: expected {self.num_inputs} data symbols (and optionally the {len(self.param_names)} parameters), got {len(inputs)}"
                )
            out = create(op, list(inputs), {}, name=name, hint=self.op_name.lower())
            return out
        if inputs and all(isinstance(x, NDArray) for x in inputs):
            args = list(inputs)
            if len(args) == self.num_inputs:
                args += list(self.params.values())
            if len(args) != self._n_in:
                raise MXNetError(
                    f"{self.op_name}: expected {self.num_inputs} data arrays (and optionally the {len(self.param_names)} parameters), got {len(inputs)}"
                )
            out = invoke(op, args, {})
            return out
        raise TypeError(f"{self.op_name}: inputs must be all NDArrays or all Symbols, got {[type(x).__name__ for x in inputs]}")


def _count_inputs(fn: Callable) -> int:
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    n = 0
    for prm in sig.parameters.values():
        if prm.kind in (prm.VAR_POSITIONAL, prm.VAR_KEYWORD):
            break
        if prm.default is prm.empty and prm.kind in (prm.POSITIONAL_ONLY, prm.POSITIONAL_OR_KEYWORD):
            n += 1
    return max(n, 1)
