"""Convolutional recurrent cells (Shi et al., 2015): RNN, LSTM and GRU cells whose
input-to-state and state-to-state transforms are 1-D, 2-D or 3-D convolutions.

The state keeps the spatial size of the input convolution's output; the
state-to-state convolution pads to keep it (its kernel must be odd).

>>> import mxpy as mx
>>> cell = mx.gluon.contrib.rnn.Conv2DLSTMCell((3, 8, 8), 4, 3, 3, i2h_pad=1)
>>> cell.initialize()
>>> out, states = cell.unroll(2, mx.nd.ones((1, 2, 3, 8, 8)), merge_outputs=True)
>>> out.shape
(1, 2, 4, 8, 8)
"""

from __future__ import annotations

from ....base import numeric_types
from ...rnn import HybridRecurrentCell

__all__ = [
    "Conv1DRNNCell",
    "Conv2DRNNCell",
    "Conv3DRNNCell",
    "Conv1DLSTMCell",
    "Conv2DLSTMCell",
    "Conv3DLSTMCell",
    "Conv1DGRUCell",
    "Conv2DGRUCell",
    "Conv3DGRUCell",
]


def _conv_out_size(dimensions, kernels, paddings, dilations):
    # an unknown (0) input size stays unknown
    return tuple((x + 2 * p - d * (k - 1) - 1) + 1 if x else 0 for x, k, p, d in zip(dimensions, kernels, paddings, dilations))


def _tuple(spec, dims):
    return (spec,) * dims if isinstance(spec, numeric_types) else tuple(spec)


class _BaseConvRNNCell(HybridRecurrentCell):
    """What the convolutional cells share: parameter and state shapes, the two convolutions."""

    _gate_names: tuple = ()

    def __init__(
        self,
        input_shape,
        hidden_channels,
        i2h_kernel,
        h2h_kernel,
        i2h_pad,
        i2h_dilate,
        h2h_dilate,
        i2h_weight_initializer,
        h2h_weight_initializer,
        i2h_bias_initializer,
        h2h_bias_initializer,
        dims,
        conv_layout,
        activation,
        prefix=None,
        params=None,
    ):
        super().__init__(prefix=prefix, params=params)
        self._hidden_channels = hidden_channels
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        specs = [i2h_kernel, i2h_pad, i2h_dilate, h2h_kernel, h2h_dilate]
        if not all(isinstance(s, int) or len(s) == dims for s in specs):
            raise AssertionError(f"For {dims}D convolution, the convolution settings can only be either int or list/tuple of length {dims}")
        self._i2h_kernel = _tuple(i2h_kernel, dims)
        self._stride = (1,) * dims
        self._i2h_pad = _tuple(i2h_pad, dims)
        self._i2h_dilate = _tuple(i2h_dilate, dims)
        self._h2h_kernel = _tuple(h2h_kernel, dims)
        if not all(k % 2 == 1 for k in self._h2h_kernel):
            raise AssertionError(f"Only support odd number, get h2h_kernel= {h2h_kernel}")
        self._h2h_dilate = _tuple(h2h_dilate, dims)
        self._channel_axis, self._in_channels, i2h_shape, h2h_shape, self._h2h_pad, self._state_shape = self._decide_shapes()
        total = hidden_channels * len(self._gate_names)
        self.i2h_weight = self.params.get("i2h_weight", shape=i2h_shape, init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=h2h_shape, init=h2h_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(total,), init=i2h_bias_initializer, allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(total,), init=h2h_bias_initializer, allow_deferred_init=True)

    def _decide_shapes(self):
        channel_axis = self._conv_layout.find("C")
        in_channels = self._input_shape[channel_axis - 1]
        dimensions = self._input_shape[1:] if channel_axis == 1 else self._input_shape[:-1]
        total = self._hidden_channels * len(self._gate_names)
        out_size = _conv_out_size(dimensions, self._i2h_kernel, self._i2h_pad, self._i2h_dilate)
        h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        if channel_axis == 1:
            i2h_shape = (total, in_channels) + self._i2h_kernel
            h2h_shape = (total, self._hidden_channels) + self._h2h_kernel
            state_shape = (self._hidden_channels,) + out_size
        else:
            i2h_shape = (total,) + self._i2h_kernel + (in_channels,)
            h2h_shape = (total,) + self._h2h_kernel + (self._hidden_channels,)
            state_shape = out_size + (self._hidden_channels,)
        return channel_axis, in_channels, i2h_shape, h2h_shape, h2h_pad, state_shape

    def __repr__(self) -> str:
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return f"{type(self).__name__}({in_channels if in_channels else None} -> {shape[0]}, {self._activation}, {self._conv_layout})"

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}] * self._num_states

    def _conv_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix):
        nf = self._hidden_channels * len(self._gate_names)
        i2h = F.Convolution(
            data=inputs,
            num_filter=nf,
            kernel=self._i2h_kernel,
            stride=self._stride,
            pad=self._i2h_pad,
            dilate=self._i2h_dilate,
            weight=i2h_weight,
            bias=i2h_bias,
            layout=self._conv_layout,
            name=prefix + "i2h",
        )
        h2h = F.Convolution(
            data=states[0],
            num_filter=nf,
            kernel=self._h2h_kernel,
            dilate=self._h2h_dilate,
            pad=self._h2h_pad,
            stride=self._stride,
            weight=h2h_weight,
            bias=h2h_bias,
            layout=self._conv_layout,
            name=prefix + "h2h",
        )
        return i2h, h2h


class _ConvRNNCell(_BaseConvRNNCell):
    _gate_names = ("",)
    _num_states = 1

    def _alias(self) -> str:
        return "conv_rnn"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        output = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return output, [output]


class _ConvLSTMCell(_BaseConvRNNCell):
    _gate_names = ("_i", "_f", "_c", "_o")
    _num_states = 2

    def _alias(self) -> str:
        return "conv_lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice", axis=self._channel_axis)
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        in_transform = self._get_activation(F, gates[2], self._activation, name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform, name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation), name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRUCell(_BaseConvRNNCell):
    _gate_names = ("_r", "_z", "_o")
    _num_states = 1

    def _alias(self) -> str:
        return "conv_gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        i2h_r, i2h_z, i2h = F.SliceChannel(i2h, num_outputs=3, name=prefix + "i2h_slice", axis=self._channel_axis)
        h2h_r, h2h_z, h2h = F.SliceChannel(h2h, num_outputs=3, name=prefix + "h2h_slice", axis=self._channel_axis)
        reset_gate = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update_gate = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        candidate = self._get_activation(F, i2h + reset_gate * h2h, self._activation, name=prefix + "h_act")
        next_h = F.elemwise_add((1.0 - update_gate) * candidate, update_gate * states[0], name=prefix + "out")
        return next_h, [next_h]


def _init_args(loc):
    """The base-class arguments from a public cell's ``__init__`` locals."""
    keys = (
        "input_shape",
        "hidden_channels",
        "i2h_kernel",
        "h2h_kernel",
        "i2h_pad",
        "i2h_dilate",
        "h2h_dilate",
        "i2h_weight_initializer",
        "h2h_weight_initializer",
        "i2h_bias_initializer",
        "h2h_bias_initializer",
        "conv_layout",
        "activation",
        "prefix",
        "params",
    )
    return {k: loc[k] for k in keys}


# The public cells differ only in their defaults. Parameters: ``input_shape``
# (C, W...) of one step without the batch (0 = inferred), ``hidden_channels``,
# ``i2h_kernel``, ``h2h_kernel`` (odd), ``i2h_pad``, ``i2h_dilate``, ``h2h_dilate``,
# the four initializers, ``conv_layout``, ``activation``, ``prefix``, ``params``.


class Conv1DRNNCell(_ConvRNNCell):
    """1-D convolutional Elman cell (layout 'NCW' or 'NWC')."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0,), i2h_dilate=(1,), h2h_dilate=(1,), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=1, **_init_args(locals()))


class Conv2DRNNCell(_ConvRNNCell):
    """2-D convolutional Elman cell (layout 'NCHW' or 'NHWC')."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0), i2h_dilate=(1, 1), h2h_dilate=(1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=2, **_init_args(locals()))


class Conv3DRNNCell(_ConvRNNCell):
    """3-D convolutional Elman cell (layout 'NCDHW' or 'NDHWC')."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0, 0), i2h_dilate=(1, 1, 1), h2h_dilate=(1, 1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCDHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=3, **_init_args(locals()))


class Conv1DLSTMCell(_ConvLSTMCell):
    """1-D convolutional LSTM cell (states h, c)."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0,), i2h_dilate=(1,), h2h_dilate=(1,), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=1, **_init_args(locals()))


class Conv2DLSTMCell(_ConvLSTMCell):
    """2-D convolutional LSTM cell (states h, c)."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0), i2h_dilate=(1, 1), h2h_dilate=(1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=2, **_init_args(locals()))


class Conv3DLSTMCell(_ConvLSTMCell):
    """3-D convolutional LSTM cell (states h, c)."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0, 0), i2h_dilate=(1, 1, 1), h2h_dilate=(1, 1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCDHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=3, **_init_args(locals()))


class Conv1DGRUCell(_ConvGRUCell):
    """1-D convolutional GRU cell."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0,), i2h_dilate=(1,), h2h_dilate=(1,), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=1, **_init_args(locals()))


class Conv2DGRUCell(_ConvGRUCell):
    """2-D convolutional GRU cell."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0), i2h_dilate=(1, 1), h2h_dilate=(1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=2, **_init_args(locals()))


class Conv3DGRUCell(_ConvGRUCell):
    """3-D convolutional GRU cell."""

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=(0, 0, 0), i2h_dilate=(1, 1, 1), h2h_dilate=(1, 1, 1), i2h_weight_initializer=None, h2h_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout="NCDHW", activation="tanh", prefix=None, params=None):  # fmt: skip
        super().__init__(dims=3, **_init_args(locals()))
