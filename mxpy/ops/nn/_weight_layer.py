"""Shared rules of layers with data, weight and an optional bias (FullyConnected,
Convolution, Deconvolution): their inputs, and their ``_backward_*`` records
whose inputs are (ograd, data, weight) with one gradient per forward input."""

from __future__ import annotations

from ...registry import names


@names("data", "weight", "bias")
def layer_inputs(p) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


def grad_outputs(p) -> list[str]:
    return ["data", "weight"] if p.no_bias else ["data", "weight", "bias"]


def grad_shape_rule(units: str):
    """Gradients take the data and weight shapes; the bias gradient is ``(p.<units>,)``."""

    def rule(p, in_shapes):
        _, data, weight = in_shapes
        outs = [data, weight]
        if not p.no_bias:
            outs.append((p[units],))
        return list(in_shapes), outs

    return rule


def grad_type_rule(p, in_types):
    """Every gradient has the data's dtype."""
    return list(in_types), [in_types[1]] * (2 if p.no_bias else 3)
