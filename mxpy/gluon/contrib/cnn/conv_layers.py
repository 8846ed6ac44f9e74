"""Deformable convolution layers: a plain convolution predicts the sampling offsets
(and, for v2, the modulation mask) of a deformable convolution of the same geometry."""

from __future__ import annotations

from ....base import numeric_types
from ...block import HybridBlock
from ...nn import Activation
from ...nn.conv_layers import conv_repr

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]


class _DeformableConv(HybridBlock):
    """The body both layers share; ``_per_tap`` is 2 (offsets) or 3 (offsets and a mask)."""

    _per_tap = 2

    def __init__(
        self,
        channels,
        kernel_size=(1, 1),
        strides=(1, 1),
        padding=(0, 0),
        dilation=(1, 1),
        groups=1,
        num_deformable_group=1,
        layout="NCHW",
        use_bias=True,
        in_channels=0,
        activation=None,
        weight_initializer=None,
        bias_initializer="zeros",
        offset_weight_initializer="zeros",
        offset_bias_initializer="zeros",
        offset_use_bias=True,
        op_name="DeformableConvolution",
        adj=None,
        prefix=None,
        params=None,
    ):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            assert layout in ("NCHW", "NHWC"), "Only supports 'NCHW' and 'NHWC' layout for now"
            if isinstance(kernel_size, numeric_types):
                kernel_size = (kernel_size,) * 2
            kernel_size = tuple(kernel_size)
            n = len(kernel_size)
            strides, padding, dilation = (tuple(v) if not isinstance(v, numeric_types) else (v,) * n for v in (strides, padding, dilation))
            self._op_name = op_name
            taps = kernel_size[0] * kernel_size[1] * num_deformable_group
            # v2's offset convolution predicts 2 offsets and 1 mask value per tap; the first
            # 2*taps channels are the offsets
            self.offset_split_index = 2 * taps
            offset_channels = self._per_tap * taps
            geometry = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding, "num_group": groups, "layout": layout}
            self._kwargs_offset = dict(geometry, num_filter=offset_channels, no_bias=not offset_use_bias)
            self._kwargs_deformable_conv = dict(geometry, num_filter=channels, num_deformable_group=num_deformable_group, no_bias=not use_bias)
            if adj:
                self._kwargs_offset["adj"] = adj
                self._kwargs_deformable_conv["adj"] = adj
            # MXNet lays the offset weight out as Convolution's: (filters, in_channels/groups, *kernel)
            self.offset_weight = self.params.get(
                "offset_weight", shape=(offset_channels, in_channels // groups, *kernel_size), init=offset_weight_initializer, allow_deferred_init=True
            )
            if offset_use_bias:
                self.offset_bias = self.params.get("offset_bias", shape=(offset_channels,), init=offset_bias_initializer, allow_deferred_init=True)
            else:
                self.offset_bias = None
            self.deformable_conv_weight = self.params.get(
                "deformable_conv_weight", shape=(channels, 0, *kernel_size), init=weight_initializer, allow_deferred_init=True
            )
            if use_bias:
                self.deformable_conv_bias = self.params.get("deformable_conv_bias", shape=(channels,), init=bias_initializer, allow_deferred_init=True)
            else:
                self.deformable_conv_bias = None
            self.act = Activation(activation, prefix=activation + "_") if activation else None

    def _offsets(self, F, x, offset_weight, offset_bias):
        if offset_bias is None:
            return F.Convolution(x, offset_weight, cudnn_off=True, **self._kwargs_offset)
        return F.Convolution(x, offset_weight, offset_bias, cudnn_off=True, **self._kwargs_offset)

    def _finish(self, out):
        return self.act(out) if self.act else out


class DeformableConvolution(_DeformableConv):
    """2-D deformable convolution v1 (Dai et al., 2017).

    A convolution of ``x`` (zero-initialised weights by default) predicts,
    per output position, a (dy, dx) offset for every kernel tap of every
    deformable group; ``mx.nd.contrib.DeformableConvolution`` then samples the
    input at those shifted positions.

    Parameters: channels (output channels); kernel_size, strides, padding,
    dilation (int or 2 ints; defaults (1, 1), (1, 1), (0, 0), (1, 1)); groups
    (1); num_deformable_group (1); layout ('NCHW'); use_bias (True);
    in_channels (0: inferred); activation (None); weight_initializer (None);
    bias_initializer ('zeros'); offset_weight_initializer ('zeros');
    offset_bias_initializer ('zeros'); offset_use_bias (True); op_name; adj;
    prefix; params.

    >>> import mxpy as mx
    >>> net = mx.gluon.contrib.cnn.DeformableConvolution(4, kernel_size=(3, 3))
    >>> net.initialize()
    >>> net(mx.nd.ones((2, 3, 6, 6))).shape
    (2, 4, 4, 4)
    """

    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None, deformable_conv_bias=None):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        extra = {} if deformable_conv_bias is None else {"bias": deformable_conv_bias}
        out = F.contrib.DeformableConvolution(data=x, offset=offset, weight=deformable_conv_weight, name="fwd", **extra, **self._kwargs_deformable_conv)
        return self._finish(out)

    def _alias(self) -> str:
        return "deformable_conv"

    def __repr__(self) -> str:
        return conv_repr(self, self._kwargs_deformable_conv, self.deformable_conv_weight, self.deformable_conv_bias)


class ModulatedDeformableConvolution(_DeformableConv):
    """2-D modulated deformable convolution v2 (Zhu et al., 2018).

    Like :class:`DeformableConvolution`, but the offset convolution also
    predicts one modulation value per tap, applied as ``2 * sigmoid(m)`` to
    each sample (``mx.nd.contrib.ModulatedDeformableConvolution``). Same
    parameters as :class:`DeformableConvolution` (op_name defaults to
    'ModulatedDeformableConvolution').

    >>> import mxpy as mx
    >>> net = mx.gluon.contrib.cnn.ModulatedDeformableConvolution(4, kernel_size=3, padding=1)
    >>> net.initialize()
    >>> net(mx.nd.ones((1, 2, 5, 5))).shape
    (1, 4, 5, 5)
    """

    _per_tap = 3

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1, num_deformable_group=1, layout="NCHW",
                 use_bias=True, in_channels=0, activation=None, weight_initializer=None, bias_initializer="zeros",
                 offset_weight_initializer="zeros", offset_bias_initializer="zeros", offset_use_bias=True,
                 op_name="ModulatedDeformableConvolution", adj=None, prefix=None, params=None):  # fmt: skip
        super().__init__(
            channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout, use_bias, in_channels, activation,
            weight_initializer, bias_initializer, offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj, prefix, params,
        )  # fmt: skip

    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None, deformable_conv_bias=None):
        offset = self._offsets(F, x, offset_weight, offset_bias)
        offset_t = F.slice_axis(offset, axis=1, begin=0, end=self.offset_split_index)
        mask = F.sigmoid(F.slice_axis(offset, axis=1, begin=self.offset_split_index, end=None)) * 2
        extra = {} if deformable_conv_bias is None else {"bias": deformable_conv_bias}
        out = F.contrib.ModulatedDeformableConvolution(
            data=x, offset=offset_t, mask=mask, weight=deformable_conv_weight, name="fwd", **extra, **self._kwargs_deformable_conv
        )
        return self._finish(out)

    def _alias(self) -> str:
        return "modulated_deformable_conv"
