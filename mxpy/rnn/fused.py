"""FusedRNNCell (the whole multi-layer RNN as one ``RNN`` op over a packed parameter
vector) and its initializer, ``mx.init.FusedRNN``.

The packed layout is MXNet's (cuDNN's): for each layer and direction the
i2h matrices of every gate, then the h2h matrices; after all weights, the
biases in the same order. ``unpack_weights`` names the pieces as the
equivalent unfused cells do (``lstm_l0_i2h_i_weight``...).

>>> import mxpy as mx
>>> cell = mx.rnn.FusedRNNCell(4, num_layers=1, mode="lstm", prefix="lstm_")
>>> outs, _ = cell.unroll(3, mx.sym.Variable("data"), layout="TNC", merge_outputs=True)
>>> outs.infer_shape(data=(3, 2, 5))[1]
[(3, 2, 4)]
"""

from __future__ import annotations

import json
import warnings

from .. import initializer as _init
from .. import ndarray as _nd
from .. import symbol as _sym
from ..base import MXNetError
from .cells import BaseRNNCell, BidirectionalCell, DropoutCell, GRUCell, LSTMCell, RNNCell, SequentialRNNCell, _normalize_sequence

__all__ = ["FusedRNNCell", "FusedRNN"]

_GATES = {"rnn_relu": [""], "rnn_tanh": [""], "lstm": ["_i", "_f", "_c", "_o"], "gru": ["_r", "_z", "_o"]}


class FusedRNNCell(BaseRNNCell):
    """A (multi-layer, optionally bidirectional) RNN run by the fused ``RNN`` operator.

    ``mode`` is ``'rnn_relu'``, ``'rnn_tanh'``, ``'lstm'`` or ``'gru'``. It cannot be
    stepped; ``unroll`` it, or :meth:`unfuse` it into stepping cells.
    """

    def __init__(
        self,
        num_hidden: int,
        num_layers: int = 1,
        mode: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        get_next_state: bool = False,
        forget_bias: float = 1.0,
        prefix: str | None = None,
        params=None,
    ) -> None:
        if mode not in _GATES:
            raise MXNetError(f"FusedRNNCell: mode must be one of {sorted(_GATES)}, got {mode!r}")
        super().__init__(prefix=f"{mode}_" if prefix is None else prefix, params=params)
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._dropout = dropout
        self._get_next_state = get_next_state
        self._directions = ["l", "r"] if bidirectional else ["l"]
        init = FusedRNN(None, num_hidden, num_layers, mode, bidirectional, forget_bias)
        self._parameter = self.params.get("parameters", init=init)

    @property
    def state_info(self) -> list:
        b = 2 if self._bidirectional else 1
        n = 2 if self._mode == "lstm" else 1
        return [{"shape": (b * self._num_layers, 0, self._num_hidden), "__layout__": "LNC"} for _ in range(n)]

    @property
    def _gate_names(self):
        return _GATES[self._mode]

    def _slice_weights(self, arr, num_input: int, h: int) -> dict:
        """Name -> view of ``arr`` for every gate matrix and bias, in the packed order."""
        out = {}
        b = len(self._directions)
        gates = self._gate_names
        pos = 0

        def take(name, size, shape):
            nonlocal pos
            piece = arr[pos : pos + size]
            out[name] = piece.reshape(shape) if shape is not None else piece
            pos += size

        for layer in range(self._num_layers):
            width = num_input if layer == 0 else b * h
            for d in self._directions:
                for g in gates:
                    take(f"{self._prefix}{d}{layer}_i2h{g}_weight", h * width, (h, width))
                for g in gates:
                    take(f"{self._prefix}{d}{layer}_h2h{g}_weight", h * h, (h, h))
        for layer in range(self._num_layers):
            for d in self._directions:
                for g in gates:
                    take(f"{self._prefix}{d}{layer}_i2h{g}_bias", h, None)
                for g in gates:
                    take(f"{self._prefix}{d}{layer}_h2h{g}_bias", h, None)
        if pos != arr.size:
            raise MXNetError(f"Invalid parameters size for FusedRNNCell: {arr.size}, expected {pos}")
        return out

    def _num_input(self, size: int) -> int:
        b, m, h = len(self._directions), len(self._gate_names), self._num_hidden
        return size // b // h // m - (self._num_layers - 1) * (h + b * h + 2) - h - 2

    def unpack_weights(self, args: dict) -> dict:
        args = args.copy()
        arr = args.pop(self._parameter.name)
        pieces = self._slice_weights(arr, self._num_input(arr.size), self._num_hidden)
        args.update({name: piece.copy() for name, piece in pieces.items()})
        return args

    def pack_weights(self, args: dict) -> dict:
        args = args.copy()
        b, m, h = len(self._directions), len(self._gate_names), self._num_hidden
        w0 = args[f"{self._prefix}l0_i2h{self._gate_names[0]}_weight"]
        num_input = w0.shape[1]
        total = (num_input + h + 2) * h * m * b + (self._num_layers - 1) * m * h * (h + b * h + 2) * b
        arr = _nd.zeros((total,), ctx=w0.context, dtype=w0.dtype)
        for name, piece in self._slice_weights(arr, num_input, h).items():
            piece[:] = args.pop(name)
        args[self._parameter.name] = arr
        return args

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, True)
        if axis == 1:
            warnings.warn("NTC layout detected. Consider using TNC for FusedRNNCell for faster speed", stacklevel=2)
            inputs = _sym.swapaxes(inputs, dim1=0, dim2=1)
        elif axis != 0:
            raise MXNetError(f"Unsupported layout {layout}")
        states = self.begin_state() if begin_state is None else begin_state
        named = {"state": states[0], "state_cell": states[1]} if self._mode == "lstm" else {"state": states[0]}
        rnn = _sym.RNN(
            data=inputs,
            parameters=self._parameter,
            state_size=self._num_hidden,
            num_layers=self._num_layers,
            bidirectional=self._bidirectional,
            p=self._dropout,
            state_outputs=self._get_next_state,
            mode=self._mode,
            name=self._prefix + "rnn",
            **named,
        )
        if not self._get_next_state:
            outputs, states = rnn, []
        else:
            n = 3 if self._mode == "lstm" else 2
            for k in range(1, n):
                rnn[k]._set_attr(__layout__="LNC")
            outputs, states = rnn[0], [rnn[k] for k in range(1, n)]
        if axis == 1:
            outputs = _sym.swapaxes(outputs, dim1=0, dim2=1)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def unfuse(self) -> SequentialRNNCell:
        """The same network as stepping cells (their parameters named as ``unpack_weights`` names them)."""
        h = self._num_hidden

        def make(prefix):
            if self._mode == "rnn_relu":
                return RNNCell(h, activation="relu", prefix=prefix)
            if self._mode == "rnn_tanh":
                return RNNCell(h, activation="tanh", prefix=prefix)
            if self._mode == "lstm":
                return LSTMCell(h, prefix=prefix)
            return GRUCell(h, prefix=prefix)

        stack = SequentialRNNCell()
        for i in range(self._num_layers):
            if self._bidirectional:
                stack.add(BidirectionalCell(make(f"{self._prefix}l{i}_"), make(f"{self._prefix}r{i}_"), output_prefix=f"{self._prefix}bi_l{i}_"))
            else:
                stack.add(make(f"{self._prefix}l{i}_"))
            if self._dropout > 0 and i != self._num_layers - 1:
                stack.add(DropoutCell(self._dropout, prefix=f"{self._prefix}_dropout{i}_"))
        return stack


@_init.register
class FusedRNN(_init.Initializer):
    """Initializes a FusedRNNCell's packed parameters gate by gate: each piece with
    ``init`` (the global initializer when None), LSTM forget-gate biases with ``forget_bias``.
    """

    def __init__(self, init, num_hidden: int, num_layers: int, mode: str, bidirectional: bool = False, forget_bias: float = 1.0) -> None:
        if isinstance(init, str):
            klass, kwargs = json.loads(init)
            init = _init.create(klass, **kwargs)
        super().__init__(
            init=init.dumps() if init is not None else None,
            num_hidden=num_hidden,
            num_layers=num_layers,
            mode=mode,
            bidirectional=bidirectional,
            forget_bias=forget_bias,
        )
        self._init = init
        self._num_hidden = num_hidden
        self._num_layers = num_layers
        self._mode = mode
        self._bidirectional = bidirectional
        self._forget_bias = forget_bias

    def _init_weight(self, desc, arr) -> None:
        cell = FusedRNNCell(self._num_hidden, self._num_layers, self._mode, self._bidirectional, forget_bias=self._forget_bias, prefix="")
        pieces = cell.unpack_weights({"parameters": arr})
        for name, piece in pieces.items():
            sub = _init.InitDesc(name, global_init=getattr(desc, "global_init", None))
            if self._mode == "lstm" and name.endswith("_f_bias"):
                piece[:] = self._forget_bias
            elif self._init is None:
                if sub.global_init is None:
                    raise MXNetError(f"FusedRNN: no initializer for {name} (give init= or initialize through a global initializer)")
                sub.global_init(sub, piece)
            else:
                self._init(sub, piece)
        arr[:] = cell.pack_weights(pieces)["parameters"]
