"""``autograd.Function``: a differentiable function written with NDArray code.

Its calls are recorded as one ``_FunctionOp`` node, whose gradient is a
``_FunctionBackwardOp`` node calling the user's ``backward`` (both unregistered:
they hold Python objects, and only autograd runs them).

>>> class Double(mx.autograd.Function):
...     def forward(self, x):
...         return x * 2
...     def backward(self, dy):
...         return dy * 2
>>> x = mx.nd.array([1.0]); x.attach_grad()
>>> with mx.autograd.record():
...     y = Double()(x)
>>> y.backward(); x.grad.asnumpy().tolist()
[2.0]
"""

from __future__ import annotations

from . import autograd as _ag
from .base import MXNetError
from .ndarray import NDArray
from .registry import OpDef, Params
from .symbol.node import Node


class _FunctionOp(OpDef):
    """The node of one :class:`Function` call (MXNet's ``_CustomFunction``).

    Deliberately not registered: it holds a Python object and only autograd
    runs it (the forward already ran when the node is recorded).
    """

    def __init__(self, fn: Function, n_in: int, n_out: int):
        super().__init__(
            "_CustomFunction",
            None,
            inputs=tuple(f"data{k}" for k in range(n_in)),
            outputs=tuple(f"output{k}" for k in range(n_out)),
            gradient=self._gradient,
            doc="A custom autograd.Function call (recorded by autograd only).",
        )
        self.function = fn
        self.n_in = n_in

    def _gradient(self, g, ograds):
        # every output gets a gradient, zeros where the heads do not reach it (as MXNet)
        ins = [og if og is not None else g.op1("zeros_like", [g.outputs[j]]) for j, og in enumerate(ograds)]
        node = Node(_FunctionBackwardOp(g.node, self.n_in, len(ins)), f"{g.node.name}_backward", {}, ins)
        g.created.append(node)
        return [(node, k) for k in range(self.n_in)]


class _FunctionBackwardOp(OpDef):
    """Calls the user's ``Function.backward`` (run by ``_interpret`` on the caller's thread).

    ``source`` is the Function call's node; the Function itself is handed to ``run``
    (a kept gradient graph serves later calls, see ``_autograd_plan.Interpreted``).
    """

    def __init__(self, source: Node, n_in: int, n_out: int):
        super().__init__(
            "_backward_CustomFunction",
            None,
            inputs=tuple(f"ograd{k}" for k in range(n_out)),
            outputs=tuple(f"igrad{k}" for k in range(n_in)),
            doc="Gradient of a custom autograd.Function call.",
        )
        self.source = source
        self.n_in = n_in

    def run(self, ograds: list[NDArray], train_mode: bool, fn: Function) -> list[NDArray]:
        name = type(fn).__name__
        with _ag._scope(False, train_mode):
            rets = fn.backward(*ograds)
        if isinstance(rets, NDArray):
            rets = (rets,)
        if not isinstance(rets, (list, tuple)) or len(rets) != self.n_in:
            got = len(rets) if isinstance(rets, (list, tuple)) else type(rets).__name__
            raise MXNetError(
                f"{name}.backward must return exactly the same number of NDArrays as the number of NDArrays arguments to forward. Expecting {self.n_in} got {got}"
            )
        shapes = fn._input_shapes
        for k, r in enumerate(rets):
            if not isinstance(r, NDArray):
                raise MXNetError(f"{name}.backward: autograd.Function.backward must return NDArrays, not {type(r).__name__} (return value {k})")
            if r.shape != shapes[k]:
                raise MXNetError(f"{name}.backward: gradient {k} has shape {r.shape}, expected {shapes[k]} (forward input {k}'s)")
        return list(rets)


class Function:
    """A differentiable function written with NDArray code: subclass it and
    define ``forward(self, *inputs)`` and ``backward(self, *output_grads)``
    (one gradient per input). ``forward`` runs with recording off; inside
    ``record()`` the call is recorded as one node whose gradient is your
    ``backward``. Each instance may be called once.

    >>> class Sigmoid(mx.autograd.Function):
    ...     def forward(self, x):
    ...         y = 1 / (1 + mx.nd.exp(-x))
    ...         self.save_for_backward(y)
    ...         return y
    ...     def backward(self, dy):
    ...         (y,) = self.saved_tensors
    ...         return dy * y * (1 - y)
    >>> x = mx.nd.array([0.0, 1.0]); x.attach_grad()
    >>> with mx.autograd.record():
    ...     y = Sigmoid()(x)
    >>> y.backward()
    """

    def __init__(self):
        self._used = False
        self._input_shapes: list = []
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *args) -> None:
        """Keep arrays for ``backward`` (read them back as ``self.saved_tensors``)."""
        self.saved_tensors = args

    def forward(self, *inputs):
        """Compute the outputs from NDArray inputs (override this)."""
        raise MXNetError(f"{type(self).__name__}: autograd.Function subclasses must define forward(self, *inputs)")

    def backward(self, *output_grads):
        """Return the input gradients from the output gradients (override this)."""
        raise MXNetError(f"{type(self).__name__}: autograd.Function subclasses must define backward(self, *output_grads)")

    def __call__(self, *inputs):
        if self._used:
            raise AssertionError("Each Function instance can only be called once. Please create another instance.")
        for k, a in enumerate(inputs):
            if not isinstance(a, NDArray):
                raise TypeError(f"{type(self).__name__}: input {k} must be an NDArray, got {type(a).__name__}")
        self._used = True
        prev = _ag.set_recording(False)
        try:
            outputs = self.forward(*inputs)
        finally:
            _ag.set_recording(prev)
        if not prev:
            return outputs
        outs = [outputs] if isinstance(outputs, NDArray) else list(outputs)
        for k, o in enumerate(outs):
            if not isinstance(o, NDArray):
                raise TypeError(f"{type(self).__name__}.forward must return NDArrays, got {type(o).__name__} (output {k})")
        self._input_shapes = [a.shape for a in inputs]
        _ag._record_op(_FunctionOp(self, len(inputs), len(outs)), Params(), list(inputs), outs)
        return outputs
