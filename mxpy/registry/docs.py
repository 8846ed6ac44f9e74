"""Front-end docstrings built from an op record: what ``help(mx.nd.X)`` and ``help(mx.sym.X)`` show.

The record's own ``doc`` gives the summary and the examples; its inputs,
``Param`` specs (type, default, bounds, choices, doc) and outputs give the
``Parameters`` and ``Returns`` sections, so the two front ends never drift
from the record or from each other.

>>> from mxpy import registry
>>> from mxpy.registry.docs import op_docstring
>>> text = op_docstring(registry.get("BatchNorm"), "BatchNorm", "NDArray")
>>> "fix_gamma : bool, optional, default True" in text
True
"""

from __future__ import annotations

from .opdef import OpDef
from .params import REQUIRED, Param

# What the usual input names mean; an op whose input is not here gets "an input array".
_INPUT_DOCS = {
    "data": "the input data",
    "lhs": "the left operand",
    "rhs": "the right operand",
    "weight": "the weights",
    "bias": "the bias",
    "gamma": "the scale",
    "beta": "the shift",
    "label": "the labels",
    "grad": "the gradient",
    "mom": "the momentum state, updated in place",
    "moving_mean": "the running mean (auxiliary state, updated in training)",
    "moving_var": "the running variance (auxiliary state, updated in training)",
    "sequence_length": "the length of each sequence in the batch",
    "parameters": "all the weights and biases, packed into one vector",
    "state": "the initial hidden state",
    "state_cell": "the initial cell state (LSTM)",
    "index": "the indices",
    "indices": "the indices",
    "condition": "the condition",
    "x": "the first input",
    "y": "the second input",
}

_KINDS = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "str": "str",
    "dtype": "dtype (str or numpy dtype)",
    "shape": "tuple of int",
    "tuple": "tuple of numbers",
    "axis": "int or tuple of int",
    "any": "any",
}


def param_type(spec: Param) -> str:
    """``int``, ``{'max', 'avg'}``, ``tuple of int``... with the bounds a value must meet."""
    if spec.choices is not None:
        text = "{" + ", ".join(repr(c) for c in spec.choices) + "}"
    else:
        text = _KINDS.get(spec.kind, spec.kind)
    if spec.low is not None and spec.high is not None:
        text += f" in [{spec.low}, {spec.high}]"
    elif spec.low is not None:
        text += f" >= {spec.low}"
    elif spec.high is not None:
        text += f" <= {spec.high}"
    if spec.optional and spec.default is not REQUIRED:
        text += " or None"
    return text


def _param_line(name: str, spec: Param) -> list[str]:
    default = (
        "required"
        if spec.default is REQUIRED
        else f"optional, default {spec.default!r}"
        if isinstance(spec.default, str)
        else f"optional, default {spec.default}"
    )
    return [f"{name} : {param_type(spec)}, {default}", f"    {spec.doc}"]


def _outputs(op: OpDef) -> str:
    """The visible outputs with default parameters, or a note when they depend on required ones."""
    if not callable(op._outputs):
        outs = list(op._outputs)
        visible = outs if op._num_visible is None else None
    else:
        outs, visible = None, None
    try:
        p = op.parse({})
        outs = op.output_names(p)
        visible = outs[: op.num_visible_outputs(p)]
    except Exception:  # required parameters: the outputs depend on them
        pass
    if visible is None and outs is None:
        return "the outputs depend on the parameters"
    shown = visible if visible is not None else outs
    text = ", ".join(shown)
    if visible is not None and outs is not None and len(outs) > len(visible):
        text += f" (with default parameters; hidden: {', '.join(outs[len(visible) :])})"
    return text


def op_docstring(op: OpDef, public_name: str, array: str) -> str:
    """The docstring of ``mx.nd.<public_name>`` (``array="NDArray"``) or ``mx.sym.<public_name>`` (``"Symbol"``)."""
    doc = (op.doc or f"The {op.name} operator.").strip("\n")
    lines = doc.splitlines()
    cut = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")), len(lines))
    summary, examples = "\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut:]).rstrip()
    out = [summary, ""]
    if public_name != op.name:
        out += [f"``{public_name}`` is ``{op.name}``.", ""]
    out += ["Parameters", "----------"]
    aux = set(getattr(op._aux, "all_names", ())) if callable(op._aux) else set(op._aux)
    if op.variadic is not None:
        out += [f"*data : {array}", "    the inputs, any number of them (or one list)"]
    else:
        for nm in op.declared_inputs():
            role = _INPUT_DOCS.get(nm, "an input array")
            if nm in aux and "auxiliary" not in role:
                role += " (auxiliary state, updated in place)"
            out += [f"{nm} : {array}", f"    {role}"]
    for k, spec in op.params.items():
        if op.variadic is not None and k == "num_args":
            continue  # set from the number of inputs
        out += _param_line(k, spec)
    if array == "NDArray":
        out += ["out : NDArray or list of NDArray, optional", "    write the result into these arrays instead of new ones"]
    else:
        out += ["name : str, optional", "    the node's name (default: an automatic one such as fullyconnected0)"]
        out += ["attr : dict of str to str, optional", "    attributes of the node"]
    out += ["", "Returns", "-------"]
    out += [f"{array} or list of {array}", f"    {_outputs(op)}"]
    if examples:
        out += ["", "Examples", "--------", examples]
    return "\n".join(out) + "\n"
