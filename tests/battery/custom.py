"""Battery cases for the Custom operator (mx.operator), through a custom op registered here."""

from __future__ import annotations

import mxpy as mx

from . import add, f32


class _MulAdd(mx.operator.CustomOp):
    """out = scale * x * w + x, written with NDArray code."""

    def __init__(self, scale: float):
        self.scale = scale

    def forward(self, is_train, req, in_data, out_data, aux):
        x, w = in_data
        self.assign(out_data[0], req[0], x * w * self.scale + x)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        x, w = in_data
        og = out_grad[0]
        self.assign(in_grad[0], req[0], og * (w * self.scale + 1))
        self.assign(in_grad[1], req[1], og * x * self.scale)


@mx.operator.register("battery_mul_add")
class _MulAddProp(mx.operator.CustomOpProp):
    def __init__(self, scale="1"):
        super().__init__(need_top_grad=True)
        self.scale = float(scale)

    def list_arguments(self):
        return ["x", "w"]

    def infer_shape(self, in_shape):
        return [in_shape[0], in_shape[0]], [in_shape[0]], []

    def create_operator(self, ctx, shapes, dtypes):
        return _MulAdd(self.scale)


add("Custom", [f32(3, 4), f32(3, 4, seed=1)], {"op_type": "battery_mul_add", "scale": "2.5"}, ref=lambda x, w, op_type, scale: x * w * 2.5 + x, rtol=1e-6)
