"""Convolution, transposed convolution, pooling and padding layers.

>>> import mxpy as mx
>>> conv = mx.gluon.nn.Conv2D(4, kernel_size=3, padding=1)
>>> conv.initialize()
>>> conv(mx.nd.ones((1, 2, 5, 5))).shape, conv.weight.shape
((1, 4, 5, 5), (4, 2, 3, 3))
"""

from __future__ import annotations

from numbers import Number

from ..block import HybridBlock
from .basic_layers import Activation

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "ReflectionPad2D",
]

_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _tuple(value, n: int, what: str) -> tuple:
    if isinstance(value, Number):
        return (int(value),) * n
    value = tuple(value)
    if len(value) != n:
        raise AssertionError(f"{what} must be a number or a list of {n} ints")
    return value


def _weight_shapes(op_name: str, in_channels: int, kwargs: dict) -> tuple[tuple, tuple]:
    """The weight and bias shapes of a (transposed) convolution; 0 marks the unknown input channels."""
    channels, groups, kernel = kwargs["num_filter"], kwargs["num_group"], tuple(kwargs["kernel"])
    if op_name == "Deconvolution":
        weight = (in_channels, channels // groups, *kernel)
    elif kwargs["layout"].endswith("C"):  # channels-last data keeps its weight as (out, *kernel, in)
        weight = (channels, *kernel, in_channels // groups)
    else:
        weight = (channels, in_channels // groups, *kernel)
    return weight, (channels,)


class _Conv(HybridBlock):
    """Shared body of the convolution layers (Convolution or Deconvolution)."""

    def __init__(
        self,
        channels,
        kernel_size,
        strides,
        padding,
        dilation,
        groups,
        layout,
        in_channels=0,
        activation=None,
        use_bias=True,
        weight_initializer=None,
        bias_initializer="zeros",
        op_name="Convolution",
        adj=None,
        prefix=None,
        params=None,
    ):
        super().__init__(prefix=prefix, params=params)
        n = len(kernel_size)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            self._op_name = op_name
            self._kwargs = {
                "kernel": kernel_size,
                "stride": _tuple(strides, n, "strides"),
                "dilate": _tuple(dilation, n, "dilation"),
                "pad": _tuple(padding, n, "padding"),
                "num_filter": channels,
                "num_group": groups,
                "no_bias": not use_bias,
                "layout": layout,
            }
            if adj is not None:
                self._kwargs["adj"] = adj
            wshape, bshape = _weight_shapes(op_name, in_channels, self._kwargs)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer, allow_deferred_init=True)
            if use_bias:
                self.bias = self.params.get("bias", shape=bshape, init=bias_initializer, allow_deferred_init=True)
            else:
                self.bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation is not None else None

    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            out = op(x, weight, name="fwd", **self._kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._kwargs)
        if self.act is not None:
            out = self.act(out)
        return out

    def _alias(self) -> str:
        return "conv"

    def __repr__(self) -> str:
        return conv_repr(self, self._kwargs, self.weight, self.bias, getattr(self, "outpad", None))


def conv_repr(block, k: dict, weight, bias, outpad=None) -> str:
    """MXNet's repr of a convolution block: ``Conv2D(3 -> 8, kernel_size=(3, 3), stride=(1, 1))``."""
    n = len(k["kernel"])
    s = f"{type(block).__name__}({{mapping}}, kernel_size={k['kernel']}, stride={k['stride']}"
    if k["pad"] != (0,) * n:
        s += f", padding={k['pad']}"
    if k["dilate"] != (1,) * n:
        s += f", dilation={k['dilate']}"
    if outpad is not None and tuple(outpad) != (0,) * n:
        s += f", output_padding={tuple(outpad)}"
    if k["num_group"] != 1:
        s += f", groups={k['num_group']}"
    if bias is None:
        s += ", bias=False"
    if block.act:
        s += f", {block.act}"
    shape = weight.shape
    return (s + ")").format(mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}")


def _conv_class(ndim: int, transpose: bool):
    layouts = _LAYOUTS[ndim]
    ones = (1,) * ndim
    zeros = (0,) * ndim
    name = f"Conv{ndim}D{'Transpose' if transpose else ''}"

    if transpose:

        def __init__(
            self,
            channels,
            kernel_size,
            strides=ones,
            padding=zeros,
            output_padding=zeros,
            dilation=ones,
            groups=1,
            layout=layouts[0],
            activation=None,
            use_bias=True,
            weight_initializer=None,
            bias_initializer="zeros",
            in_channels=0,
            **kwargs,
        ):
            if layout not in layouts:
                raise AssertionError(f"Only supports {' and '.join(repr(x) for x in layouts)} layout for now")
            kernel_size = _tuple(kernel_size, ndim, "kernel_size")
            output_padding = _tuple(output_padding, ndim, "output_padding")
            op_name = kwargs.pop("op_name", "Deconvolution")
            _Conv.__init__(
                self,
                channels,
                kernel_size,
                strides,
                padding,
                dilation,
                groups,
                layout,
                in_channels,
                activation,
                use_bias,
                weight_initializer,
                bias_initializer,
                op_name=op_name,
                adj=output_padding,
                **kwargs,
            )
            self.outpad = output_padding

    else:

        def __init__(
            self,
            channels,
            kernel_size,
            strides=ones,
            padding=zeros,
            dilation=ones,
            groups=1,
            layout=layouts[0],
            activation=None,
            use_bias=True,
            weight_initializer=None,
            bias_initializer="zeros",
            in_channels=0,
            **kwargs,
        ):
            if layout not in layouts:
                raise AssertionError(f"Only supports {' and '.join(repr(x) for x in layouts)} layout for now")
            kernel_size = _tuple(kernel_size, ndim, "kernel_size")
            op_name = kwargs.pop("op_name", "Convolution")
            _Conv.__init__(
                self,
                channels,
                kernel_size,
                strides,
                padding,
                dilation,
                groups,
                layout,
                in_channels,
                activation,
                use_bias,
                weight_initializer,
                bias_initializer,
                op_name,
                **kwargs,
            )

    what = "transposed (fractionally strided) convolution" if transpose else "convolution"
    doc = (
        f"{ndim}-D {what} over layout {layouts[0]} (or {layouts[1]}).\n\n"
        "``channels`` output channels; ``in_channels=0`` is inferred at the first call.\n"
        "Weight shape is (channels, in_channels/groups, *kernel)"
        + (" for convolution." if not transpose else "; for the transpose (in_channels, channels/groups, *kernel).")
        + f"\n\n>>> layer = mx.gluon.nn.{name}(2, kernel_size=3); layer.initialize()\n"
        + f">>> layer(mx.nd.ones((1, 1) + (5,) * {ndim})).shape[:2]\n(1, 2)\n"
    )
    __init__.__doc__ = f"Create a {name} layer (MXNet 1.9.1's arguments and defaults)."
    return type(name, (_Conv,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


Conv1D = _conv_class(1, False)
Conv2D = _conv_class(2, False)
Conv3D = _conv_class(3, False)
Conv1DTranspose = _conv_class(1, True)
Conv2DTranspose = _conv_class(2, True)
Conv3DTranspose = _conv_class(3, True)


class _Pooling(HybridBlock):
    """Shared body of the pooling layers (the Pooling operator)."""

    def __init__(self, pool_size, strides, padding, ceil_mode, global_pool, pool_type, layout, count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        n = len(pool_size)
        if strides is None:
            strides = pool_size
        self._kwargs = {
            "kernel": pool_size,
            "stride": _tuple(strides, n, "strides"),
            "pad": _tuple(padding, n, "padding"),
            "global_pool": global_pool,
            "pool_type": pool_type,
            "layout": layout,
            "pooling_convention": "full" if ceil_mode else "valid",
        }
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self) -> str:
        return "pool"

    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return (
            f"{type(self).__name__}(size={k['kernel']}, stride={k['stride']}, padding={k['pad']}, ceil_mode={k['pooling_convention'] == 'full'}"
            f", global_pool={k['global_pool']}, pool_type={k['pool_type']}, layout={k['layout']})"
        )


def _pool_class(ndim: int, pool_type: str, is_global: bool):
    layouts = _LAYOUTS[ndim]
    prefix = "Global" if is_global else ""
    name = f"{prefix}{pool_type.capitalize()}Pool{ndim}D"

    def check(layout):
        if layout not in layouts:
            raise AssertionError(f"Only {layouts[0]} and {layouts[1]} layouts are valid for {ndim}D Pooling")

    if is_global:

        def __init__(self, layout=layouts[0], **kwargs):
            check(layout)
            _Pooling.__init__(self, (1,) * ndim, None, 0, True, True, pool_type, layout, **kwargs)

    elif pool_type == "max":

        def __init__(self, pool_size=(2,) * ndim if ndim > 1 else 2, strides=None, padding=0, layout=layouts[0], ceil_mode=False, **kwargs):
            check(layout)
            _Pooling.__init__(self, _tuple(pool_size, ndim, "pool_size"), strides, padding, ceil_mode, False, "max", layout, **kwargs)

    else:

        def __init__(
            self, pool_size=(2,) * ndim if ndim > 1 else 2, strides=None, padding=0, layout=layouts[0], ceil_mode=False, count_include_pad=True, **kwargs
        ):
            check(layout)
            _Pooling.__init__(self, _tuple(pool_size, ndim, "pool_size"), strides, padding, ceil_mode, False, "avg", layout, count_include_pad, **kwargs)

    what = f"global {pool_type} pooling (output size 1 per spatial axis)" if is_global else f"{pool_type} pooling"
    extra = "" if is_global else " ``strides=None`` means ``pool_size``; ``ceil_mode`` rounds the output size up."
    if pool_type == "avg" and not is_global:
        extra += " ``count_include_pad=False`` leaves padding out of the averages."
    doc = (
        f"{ndim}-D {what} over layout {layouts[0]} (or {layouts[1]}).{extra}\n\n"
        f">>> mx.gluon.nn.{name}()(mx.nd.ones((1, 1) + (4,) * {ndim})).shape[2]\n{1 if is_global else 2}\n"
    )
    __init__.__doc__ = f"Create a {name} layer (MXNet 1.9.1's arguments and defaults)."
    return type(name, (_Pooling,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


MaxPool1D = _pool_class(1, "max", False)
MaxPool2D = _pool_class(2, "max", False)
MaxPool3D = _pool_class(3, "max", False)
AvgPool1D = _pool_class(1, "avg", False)
AvgPool2D = _pool_class(2, "avg", False)
AvgPool3D = _pool_class(3, "avg", False)
GlobalMaxPool1D = _pool_class(1, "max", True)
GlobalMaxPool2D = _pool_class(2, "max", True)
GlobalMaxPool3D = _pool_class(3, "max", True)
GlobalAvgPool1D = _pool_class(1, "avg", True)
GlobalAvgPool2D = _pool_class(2, "avg", True)
GlobalAvgPool3D = _pool_class(3, "avg", True)


class ReflectionPad2D(HybridBlock):
    """Pad the two spatial axes of NCHW data by reflection (``padding`` on every side, or 8 pad widths).

    >>> mx.gluon.nn.ReflectionPad2D(1)(mx.nd.ones((1, 1, 3, 3))).shape
    (1, 1, 5, 5)
    """

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, Number):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError(f"ReflectionPad2D: padding must be a number or 8 pad widths, got {padding}")
        self._padding = tuple(padding)

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
