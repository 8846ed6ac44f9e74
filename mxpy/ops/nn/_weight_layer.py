"""Shared rules of layers with data, weight and an optional bias (FullyConnected,
Convolution, Deconvolution): their inputs, and their ``_backward_*`` records
whose inputs are (ograd, data, weight) with one gradient per forward input."""

from __future__ import annotations

from collections.abc import Callable

from ...registry import OpDef, names, register
from .._split import SplitSpec


@names("data", "weight", "bias")
def layer_inputs(p) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


_grad_outputs = layer_inputs  # one gradient per forward input, named alike


def _grad_shape_rule(units: str):
    """Gradients take the data and weight shapes; the bias gradient is ``(p.<units>,)``."""

    def rule(p, in_shapes):
        _, data, weight = in_shapes
        outs = [data, weight]
        if not p.no_bias:
            outs.append((p[units],))
        return list(in_shapes), outs

    return rule


def _grad_type_rule(p, in_types):
    """Every gradient has the data's dtype."""
    return list(in_types), [in_types[1]] * (2 if p.no_bias else 3)


def layer_gradient(backward: str) -> Callable:
    """The forward's gradient rule: one ``backward`` node reading (ograd, data, weight)."""

    def gradient(g, ograds):
        return g.op(backward, [ograds[0], g.inputs[0], g.inputs[1]], g.attrs)

    return gradient


def register_layer_backward(name: str, kernel: Callable, params: dict, units: str, cost: Callable, doc: str, split_unit: str = "flops") -> None:
    """Register ``name``, the ``_backward_*`` record of a data/weight/bias layer.

    Its gradients split on batch slices (see ``ops._split``): ograd and data, and
    the data gradient, are cut on the batch axis; the weight and bias gradients
    are summed over the slices. ``cost`` (in ``split_unit``) sizes both the engine
    op and the split.
    """
    register(
        OpDef(
            name,
            kernel,
            params=params,
            inputs=("ograd", "data", "weight"),
            outputs=_grad_outputs,
            infer_shape=_grad_shape_rule(units),
            infer_type=_grad_type_rule,
            cost=cost,
            split=SplitSpec(split_ins=(0, 1), split_outs=(0,), summed_outs=(1, 2), cost=cost, unit=split_unit),
            doc=doc,
        )
    )
