"""Convolutional RNN cells (ConvRNN, ConvLSTM, ConvGRU): the FullyConnected layers of
RNN/LSTM/GRU replaced by convolutions, states shaped like the i2h convolution's output.

>>> import mxpy as mx
>>> cell = mx.rnn.ConvLSTMCell(input_shape=(1, 3, 8, 8), num_hidden=4, prefix="cl_")
>>> cell.state_shape
[(0, 4, 8, 8), (0, 4, 8, 8)]
"""

from __future__ import annotations

import functools

from .. import symbol as _sym
from ..base import MXNetError
from .cells import BaseRNNCell

__all__ = ["BaseConvRNNCell", "ConvRNNCell", "ConvLSTMCell", "ConvGRUCell"]


class BaseConvRNNCell(BaseRNNCell):
    """Shared set-up of the convolutional cells: kernels, the state shape, the four variables."""

    def __init__(
        self,
        input_shape,
        num_hidden: int,
        h2h_kernel,
        h2h_dilate,
        i2h_kernel,
        i2h_stride,
        i2h_pad,
        i2h_dilate,
        i2h_weight_initializer,
        h2h_weight_initializer,
        i2h_bias_initializer,
        h2h_bias_initializer,
        activation,
        prefix: str = "",
        params=None,
        conv_layout: str = "NCHW",
    ) -> None:
        super().__init__(prefix=prefix, params=params)
        if h2h_kernel[0] % 2 != 1 or h2h_kernel[1] % 2 != 1:
            raise MXNetError(f"Only support odd number, get h2h_kernel= {h2h_kernel}")
        self._h2h_kernel = h2h_kernel
        # 'same' padding for the hidden-to-hidden convolution, so states keep their shape
        self._h2h_pad = (h2h_dilate[0] * (h2h_kernel[0] - 1) // 2, h2h_dilate[1] * (h2h_kernel[1] - 1) // 2)
        self._h2h_dilate = h2h_dilate
        self._i2h_kernel = i2h_kernel
        self._i2h_stride = i2h_stride
        self._i2h_pad = i2h_pad
        self._i2h_dilate = i2h_dilate
        self._num_hidden = num_hidden
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        probe = _sym.Convolution(
            data=_sym.Variable("data"), num_filter=num_hidden, kernel=i2h_kernel, stride=i2h_stride, pad=i2h_pad, dilate=i2h_dilate, layout=conv_layout
        )
        out_shape = probe.infer_shape(data=input_shape)[1][0]
        self._state_shape = (0,) + tuple(out_shape[1:])
        self._iW = self.params.get("i2h_weight", init=i2h_weight_initializer)
        self._hW = self.params.get("h2h_weight", init=h2h_weight_initializer)
        self._iB = self.params.get("i2h_bias", init=i2h_bias_initializer)
        self._hB = self.params.get("h2h_bias", init=h2h_bias_initializer)

    @property
    def _num_gates(self) -> int:
        return len(self._gate_names)

    @property
    def state_info(self) -> list:
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}] * 2

    def _conv_forward(self, inputs, states, name: str):
        n = self._num_hidden * self._num_gates
        i2h = _sym.Convolution(
            name=f"{name}i2h",
            data=inputs,
            num_filter=n,
            kernel=self._i2h_kernel,
            stride=self._i2h_stride,
            pad=self._i2h_pad,
            dilate=self._i2h_dilate,
            weight=self._iW,
            bias=self._iB,
            layout=self._conv_layout,
        )
        h2h = _sym.Convolution(
            name=f"{name}h2h",
            data=states[0],
            num_filter=n,
            kernel=self._h2h_kernel,
            dilate=self._h2h_dilate,
            pad=self._h2h_pad,
            stride=(1, 1),
            weight=self._hW,
            bias=self._hB,
            layout=self._conv_layout,
        )
        return i2h, h2h


def _defaults(prefix: str) -> dict:
    return dict(
        h2h_kernel=(3, 3),
        h2h_dilate=(1, 1),
        i2h_kernel=(3, 3),
        i2h_stride=(1, 1),
        i2h_pad=(1, 1),
        i2h_dilate=(1, 1),
        i2h_weight_initializer=None,
        h2h_weight_initializer=None,
        i2h_bias_initializer="zeros",
        h2h_bias_initializer="zeros",
        activation=functools.partial(_sym.LeakyReLU, act_type="leaky", slope=0.2),
        prefix=prefix,
        params=None,
        conv_layout="NCHW",
    )


class ConvRNNCell(BaseConvRNNCell):
    """Convolutional Elman RNN step (activation default: leaky ReLU with slope 0.2)."""

    def __init__(self, input_shape, num_hidden: int, **kwargs) -> None:
        opts = _defaults("ConvRNN_")
        opts.update(kwargs)
        super().__init__(input_shape=input_shape, num_hidden=num_hidden, **opts)

    @property
    def _gate_names(self):
        return ("",)

    @property
    def state_info(self) -> list:
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}]

    def __call__(self, inputs, states):
        name = self._step_name()
        i2h, h2h = self._conv_forward(inputs, states, name)
        out = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return out, [out]


class ConvLSTMCell(BaseConvRNNCell):
    """Convolutional LSTM step (Shi et al. 2015), gates in MXNet's i, f, c, o order."""

    def __init__(self, input_shape, num_hidden: int, **kwargs) -> None:
        opts = _defaults("ConvLSTM_")
        opts.update(kwargs)
        super().__init__(input_shape=input_shape, num_hidden=num_hidden, **opts)

    @property
    def _gate_names(self):
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs, states):
        name = self._step_name()
        i2h, h2h = self._conv_forward(inputs, states, name)
        gates = _sym.SliceChannel(i2h + h2h, num_outputs=4, axis=self._conv_layout.find("C"), name=f"{name}slice")
        in_gate = _sym.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        forget_gate = _sym.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        in_transform = self._get_activation(gates[2], self._activation, name=f"{name}c")
        out_gate = _sym.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = _sym._internal._plus(forget_gate * states[1], in_gate * in_transform, name=f"{name}state")
        next_h = _sym._internal._mul(out_gate, self._get_activation(next_c, self._activation), name=f"{name}out")
        return next_h, [next_h, next_c]


class ConvGRUCell(BaseConvRNNCell):
    """Convolutional GRU step."""

    def __init__(self, input_shape, num_hidden: int, **kwargs) -> None:
        opts = _defaults("ConvGRU_")
        opts.update(kwargs)
        super().__init__(input_shape=input_shape, num_hidden=num_hidden, **opts)

    @property
    def _gate_names(self):
        return ["_r", "_z", "_o"]

    @property
    def state_info(self) -> list:
        return [{"shape": self._state_shape, "__layout__": self._conv_layout}]

    def __call__(self, inputs, states):
        name = self._step_name()
        i2h, h2h = self._conv_forward(inputs, states, name)
        i2h_r, i2h_z, i2h = _sym.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h = _sym.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset = _sym.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = _sym.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        candidate = self._get_activation(i2h + reset * h2h, self._activation, name=f"{name}_h_act")
        next_h = _sym._internal._plus((1.0 - update) * candidate, update * states[0], name=f"{name}out")
        return next_h, [next_h]
