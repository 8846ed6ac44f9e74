"""Fused recurrent layers: :class:`RNN`, :class:`LSTM` and :class:`GRU`.

Each layer keeps one weight and bias pair per layer and direction
(``l0_i2h_weight`` ... ``r1_h2h_bias``), joins them into the flat vector the
``RNN`` operator reads, and runs every layer and time step in one operator
call (imperative or hybridized alike).

>>> import mxpy as mx
>>> layer = mx.gluon.rnn.LSTM(8, num_layers=2)
>>> layer.initialize()
>>> layer(mx.nd.ones((5, 3, 4))).shape
(5, 3, 8)
"""

from __future__ import annotations

import re

from ... import ndarray as nd
from ... import symbol as sym
from ...base import MXNetError
from ..block import HybridBlock
from ..parameter import tensor_types
from . import rnn_cell

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
# a structural parameter name (l0_i2h_weight) and its place in the unfused cell stack
_PARAM_KEY = re.compile(r"(l|r)(\d)_(i2h|h2h|h2r)_(weight|bias)\Z")


class _RNNLayer(HybridBlock):
    """The shared machinery of the fused layers; ``mode`` picks the cell."""

    def __init__(
        self,
        hidden_size,
        num_layers,
        layout,
        dropout,
        bidirectional,
        input_size,
        i2h_weight_initializer,
        h2h_weight_initializer,
        i2h_bias_initializer,
        h2h_bias_initializer,
        mode,
        projection_size,
        h2r_weight_initializer,
        lstm_state_clip_min,
        lstm_state_clip_max,
        lstm_state_clip_nan,
        dtype,
        use_sequence_length=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise AssertionError(f"Invalid layout {layout}; must be one of ['TNC' or 'NTC']")
        self._hidden_size = hidden_size
        self._projection_size = projection_size if projection_size else None
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._i2h_weight_initializer = i2h_weight_initializer
        self._h2h_weight_initializer = h2h_weight_initializer
        self._i2h_bias_initializer = i2h_bias_initializer
        self._h2h_bias_initializer = h2h_bias_initializer
        self._h2r_weight_initializer = h2r_weight_initializer
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self.skip_states = None
        self._gates = _GATES[mode]

        ng, ni, nh = self._gates, input_size, hidden_size
        # with a projection, the recurrent input is the projected state (size P)
        nr = self._projection_size or nh
        for i in range(num_layers):
            for j in ["l", "r"][: self._dir]:
                self._register_param(f"{j}{i}_i2h_weight", (ng * nh, ni), i2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_weight", (ng * nh, nr), h2h_weight_initializer, dtype)
                self._register_param(f"{j}{i}_i2h_bias", (ng * nh,), i2h_bias_initializer, dtype)
                self._register_param(f"{j}{i}_h2h_bias", (ng * nh,), h2h_bias_initializer, dtype)
                if self._projection_size:
                    self._register_param(f"{j}{i}_h2r_weight", (nr, nh), h2r_weight_initializer, dtype)
            ni = nr * self._dir

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)
        return p

    def __repr__(self) -> str:
        extra = ""
        if self._num_layers != 1:
            extra += f", num_layers={self._num_layers}"
        if self._dropout != 0:
            extra += f", dropout={self._dropout}"
        if self._dir == 2:
            extra += ", bidirectional"
        shape = self.l0_i2h_weight.shape
        mapping = f"{shape[1] if shape[1] else None} -> {shape[0] // self._gates}"
        return f"{type(self).__name__}({mapping}, {self._layout}{extra})"

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        # save_parameters keeps MXNet's file names, which still describe the older
        # unfused cell stack: l0_i2h_weight -> _unfused.0.i2h_weight (or
        # _unfused.0.l_cell.i2h_weight when bidirectional)
        if prefix:
            prefix += "."
        bidirectional = any(_PARAM_KEY.match(k).group(1) == "r" for k in self._reg_params)

        def convert(key):
            d, layer, g, t = _PARAM_KEY.match(key).groups()
            if bidirectional:
                return f"_unfused.{layer}.{d}_cell.{g}_{t}"
            return f"_unfused.{layer}.{g}_{t}"

        ret = {prefix + convert(key): val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def state_info(self, batch_size=0):
        """Shape, layout and dtype of each begin state, for ``batch_size`` sequences."""
        shape = (self._num_layers * self._dir, batch_size, self._hidden_size)
        return [{"shape": shape, "__layout__": "LNC", "dtype": self._dtype}]

    def _unfuse(self):
        """The same network as a stack of cells sharing this layer's parameters."""
        if self._projection_size:
            raise MXNetError(f"{self.name}: _unfuse does not support a projection layer (projection_size={self._projection_size})")
        if self._lstm_state_clip_min or self._lstm_state_clip_max:
            raise MXNetError(f"{self.name}: _unfuse does not support state clipping")

        def get_cell(**kwargs):
            if self._mode in ("rnn_relu", "rnn_tanh"):
                return rnn_cell.RNNCell(self._hidden_size, activation=self._mode[4:], **kwargs)
            if self._mode == "lstm":
                return rnn_cell.LSTMCell(self._hidden_size, **kwargs)
            return rnn_cell.GRUCell(self._hidden_size, **kwargs)

        stack = rnn_cell.HybridSequentialRNNCell(prefix=self.prefix, params=self.params)
        with stack.name_scope():
            ni = self._input_size
            for i in range(self._num_layers):
                kwargs = {
                    "input_size": ni,
                    "i2h_weight_initializer": self._i2h_weight_initializer,
                    "h2h_weight_initializer": self._h2h_weight_initializer,
                    "i2h_bias_initializer": self._i2h_bias_initializer,
                    "h2h_bias_initializer": self._h2h_bias_initializer,
                }
                if self._dir == 2:
                    stack.add(rnn_cell.BidirectionalCell(get_cell(prefix=f"l{i}_", **kwargs), get_cell(prefix=f"r{i}_", **kwargs)))
                else:
                    stack.add(get_cell(prefix=f"l{i}_", **kwargs))
                if self._dropout > 0 and i != self._num_layers - 1:
                    stack.add(rnn_cell.DropoutCell(self._dropout))
                ni = self._hidden_size * self._dir
        return stack

    def cast(self, dtype) -> None:
        super().cast(dtype)
        self._dtype = dtype

    def begin_state(self, batch_size=0, func=nd.zeros, **kwargs):
        """Initial states (zeros by default) named ``<prefix>h0_<i>``.

        ``func`` makes each state from its ``state_info`` (``mx.nd.zeros``,
        ``mx.sym.zeros``, ``mx.sym.var``...); ``kwargs`` override it (``ctx``, ``dtype``).

        >>> layer = mx.gluon.rnn.GRU(4, num_layers=2)
        >>> [s.shape for s in layer.begin_state(batch_size=3)]
        [(2, 3, 4)]
        """
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            if info is not None:
                info.update(kwargs)
            else:
                info = kwargs
            states.append(func(name=f"{self.prefix}h0_{i}", **info))
        return states

    def __call__(self, inputs, states=None, sequence_length=None, **kwargs):
        # with no states given, the layer makes zeros and returns only the output
        self.skip_states = states is None
        if states is None:
            if isinstance(inputs, nd.NDArray):
                batch_size = inputs.shape[self._layout.find("N")]
                states = self.begin_state(batch_size, ctx=inputs.context, dtype=inputs.dtype)
            else:
                states = self.begin_state(0, func=sym.zeros)
        if isinstance(states, tensor_types):
            states = [states]
        if self._use_sequence_length:
            return super().__call__(inputs, states, sequence_length, **kwargs)
        return super().__call__(inputs, states, **kwargs)

    def hybrid_forward(self, F, inputs, states, sequence_length=None, **kwargs):
        if F is nd:
            batch_size = inputs.shape[self._layout.find("N")]
            for state, info in zip(states, self.state_info(batch_size)):
                if state.shape != info["shape"]:
                    raise ValueError(f"Invalid recurrent state shape. Expecting {info['shape']}, got {state.shape}.")
        out = self._forward_kernel(F, inputs, states, sequence_length, **kwargs)
        return out[0] if self.skip_states else out

    def _forward_kernel(self, F, inputs, states, sequence_length, **kwargs):
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, 0, 1)
        gates = ["i2h", "h2h", "h2r"] if self._projection_size else ["i2h", "h2h"]
        # the RNN operator's order: every weight (layer, direction, i2h then h2h), then every bias
        flat = [
            kwargs[f"{d}{layer}_{g}_{t}"].reshape(-1)
            for t in ["weight", "bias"]
            for layer in range(self._num_layers)
            for d in ["l", "r"][: self._dir]
            for g in gates
            if g != "h2r" or t != "bias"
        ]
        params = F._internal._rnn_param_concat(*flat, dim=0)
        rnn_args = list(states) + [sequence_length] if self._use_sequence_length else list(states)
        rnn = F.RNN(
            inputs,
            params,
            *rnn_args,
            use_sequence_length=self._use_sequence_length,
            state_size=self._hidden_size,
            projection_size=self._projection_size,
            num_layers=self._num_layers,
            bidirectional=self._dir == 2,
            p=self._dropout,
            state_outputs=True,
            mode=self._mode,
            lstm_state_clip_min=self._lstm_state_clip_min,
            lstm_state_clip_max=self._lstm_state_clip_max,
            lstm_state_clip_nan=self._lstm_state_clip_nan,
        )
        if self._mode == "lstm":
            outputs, states = rnn[0], [rnn[1], rnn[2]]
        else:
            outputs, states = rnn[0], [rnn[1]]
        if self._layout == "NTC":
            outputs = F.swapaxes(outputs, 0, 1)
        return outputs, states


class RNN(_RNNLayer):
    """A multi-layer Elman RNN, ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    Parameters: ``hidden_size``, ``num_layers`` (1), ``activation`` ('relu' or
    'tanh'), ``layout`` ('TNC' or 'NTC'), ``dropout`` between layers (0),
    ``bidirectional`` (False), the four ``*_initializer`` arguments,
    ``input_size`` (0 = inferred from the first input), ``dtype``, ``prefix``,
    ``params``.

    Call with ``data`` of shape (T, N, C) ('TNC') and optionally the begin state
    (L*D, N, H); returns the output (T, N, D*H), and with a given state also the
    list of final states.

    >>> layer = mx.gluon.rnn.RNN(6, 2, activation="tanh")
    >>> layer.initialize()
    >>> out, hn = layer(mx.nd.ones((4, 2, 3)), mx.nd.zeros((2, 2, 6)))
    >>> out.shape, hn[0].shape
    ((4, 2, 6), (2, 2, 6))
    """

    def __init__(
        self,
        hidden_size,
        num_layers=1,
        activation="relu",
        layout="TNC",
        dropout=0,
        bidirectional=False,
        i2h_weight_initializer=None,
        h2h_weight_initializer=None,
        i2h_bias_initializer="zeros",
        h2h_bias_initializer="zeros",
        input_size=0,
        dtype="float32",
        **kwargs,
    ):
        super().__init__(
            hidden_size,
            num_layers,
            layout,
            dropout,
            bidirectional,
            input_size,
            i2h_weight_initializer,
            h2h_weight_initializer,
            i2h_bias_initializer,
            h2h_bias_initializer,
            "rnn_" + activation,
            None,
            None,
            None,
            None,
            False,
            dtype,
            **kwargs,
        )


class LSTM(_RNNLayer):
    """A multi-layer long short-term memory network (gates i, f, g, o in that order).

    Parameters as :class:`RNN` (no ``activation``), plus ``projection_size``
    and ``h2r_weight_initializer`` (LSTMP: the output and recurrent state are
    ``W_hr h`` of size P; as MXNet on CPU, for inference only) and
    ``state_clip_min``, ``state_clip_max``, ``state_clip_nan`` (clip the cell state).

    The states are ``[h, c]``, each (L*D, N, H).

    >>> layer = mx.gluon.rnn.LSTM(5, bidirectional=True, layout="NTC")
    >>> layer.initialize()
    >>> out, (h, c) = layer(mx.nd.ones((2, 7, 3)), layer.begin_state(2))
    >>> out.shape, h.shape, c.shape
    ((2, 7, 10), (2, 2, 5), (2, 2, 5))
    """

    def __init__(
        self,
        hidden_size,
        num_layers=1,
        layout="TNC",
        dropout=0,
        bidirectional=False,
        input_size=0,
        i2h_weight_initializer=None,
        h2h_weight_initializer=None,
        i2h_bias_initializer="zeros",
        h2h_bias_initializer="zeros",
        projection_size=None,
        h2r_weight_initializer=None,
        state_clip_min=None,
        state_clip_max=None,
        state_clip_nan=False,
        dtype="float32",
        **kwargs,
    ):
        super().__init__(
            hidden_size,
            num_layers,
            layout,
            dropout,
            bidirectional,
            input_size,
            i2h_weight_initializer,
            h2h_weight_initializer,
            i2h_bias_initializer,
            h2h_bias_initializer,
            "lstm",
            projection_size,
            h2r_weight_initializer,
            state_clip_min,
            state_clip_max,
            state_clip_nan,
            dtype,
            **kwargs,
        )

    def state_info(self, batch_size=0):
        h = self._projection_size or self._hidden_size
        lnc = self._num_layers * self._dir
        return [
            {"shape": (lnc, batch_size, h), "__layout__": "LNC", "dtype": self._dtype},
            {"shape": (lnc, batch_size, self._hidden_size), "__layout__": "LNC", "dtype": self._dtype},
        ]


class GRU(_RNNLayer):
    """A multi-layer gated recurrent unit network (cuDNN's variant: the reset gate
    multiplies ``W_hn h + b_hn``; gates r, z, n in that order).

    Parameters as :class:`RNN` without ``activation``.

    >>> layer = mx.gluon.rnn.GRU(4, num_layers=2, dropout=0.5)
    >>> layer.initialize()
    >>> layer(mx.nd.ones((3, 2, 5))).shape
    (3, 2, 4)
    """

    def __init__(
        self,
        hidden_size,
        num_layers=1,
        layout="TNC",
        dropout=0,
        bidirectional=False,
        input_size=0,
        i2h_weight_initializer=None,
        h2h_weight_initializer=None,
        i2h_bias_initializer="zeros",
        h2h_bias_initializer="zeros",
        dtype="float32",
        **kwargs,
    ):
        super().__init__(
            hidden_size,
            num_layers,
            layout,
            dropout,
            bidirectional,
            input_size,
            i2h_weight_initializer,
            h2h_weight_initializer,
            i2h_bias_initializer,
            h2h_bias_initializer,
            "gru",
            None,
            None,
            None,
            None,
            False,
            dtype,
            **kwargs,
        )
