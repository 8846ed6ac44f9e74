"""The operator record: one definition per operator, read by every front end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..base import MXNetError
from .infer import same_shape, same_type
from .params import REQUIRED, Param, Params

_EMPTY = Params()


class OpDef:
    """Everything mxpy knows about one operator.

    ``kernel(p, ins, outs, req, rt)`` reads backend arrays ``ins`` and writes
    the backend arrays ``outs`` it is given, honouring ``req[i]`` (``write``,
    ``add``, ``inplace``, ``null``); ``rt`` is the :class:`Runtime` (``xp``,
    ``is_train``, ``rng``). See DESIGN.md for the other fields.
    """

    def __init__(
        self,
        name: str,
        kernel: Callable | None,
        *,
        params: dict[str, Param] | None = None,
        inputs: Sequence[str] | Callable[[Params], list[str]] = ("data",),
        outputs: Sequence[str] | Callable[[Params], list[str]] = ("output",),
        num_visible_outputs: Callable[[Params], int] | None = None,
        aux: Sequence[str] | Callable[[Params], list[str]] = (),
        mutates: Callable[[Params], Sequence[int]] | None = None,
        infer_shape: Callable = same_shape,
        infer_type: Callable = same_type,
        gradient: Callable | None = None,
        aliases: Sequence[str] = (),
        inplace: Sequence[tuple[int, int]] = (),
        backward_needs: Any = None,
        variadic: str | None = None,
        needs_rng: bool = False,
        creates: bool = False,
        cost: Callable | None = None,
        is_loss: bool = False,
        relayout: tuple[int, Callable] | None = None,
        split: Any = None,
        partial_shapes: bool = False,
        probe_shapes: bool = True,
        shape_from_values: Callable | None = None,
        doc: str = "",
    ) -> None:
        self.name = name
        self.kernel = kernel
        self.params: dict[str, Param] = dict(params or {})
        self._inputs = inputs
        self._outputs = outputs
        self._num_visible = num_visible_outputs
        self._aux = aux
        # input slots (besides the trailing aux states) the kernel updates in
        # place, for ops whose mutated inputs sit between the others, as the
        # momenta of multi_sgd_mom_update do (MXNet's FMutateInputs)
        self.mutates = mutates
        self.infer_shape = infer_shape
        self.infer_type = infer_type
        self.gradient = gradient
        self.aliases = tuple(aliases)
        self.inplace = tuple(inplace)
        self.backward_needs = backward_needs
        self.variadic = variadic
        self.needs_rng = needs_rng
        self.creates = creates
        self.cost = cost
        self.is_loss = is_loss  # gradient ignores the head gradient (SoftmaxOutput, MakeLoss...)
        # (input slot, make): on CPU the kernel may get make(input) instead of the
        # input, an array with the same shape and values in a layout it reads
        # faster, kept between calls while the input is not written (engine.var.relaid)
        self.relayout = relayout
        # how the kernel runs on batch slices at once (an ops._split.SplitSpec): executors
        # of nets with large such kernels run them on several CPU threads
        self.split = split
        # the graph's shape pass calls the rule as rule(p, in_shapes, out_shapes),
        # with the known output shapes and partly known shapes (UNKNOWN = -1 dims),
        # so it can propagate unknown dims and infer inputs backwards as MXNet's
        # rules do; a rule marked with registry.infer.partial_rule says so itself
        self.partial_shapes = partial_shapes or getattr(infer_shape, "partial_shapes", False)
        # a rule that is not partial is probed on partly known inputs (registry.probe_rule),
        # unless it runs user code that should only ever see real shapes (custom ops)
        self.probe_shapes = probe_shapes and getattr(infer_shape, "probe_shapes", True)
        # ops whose output shape depends on input values (boolean_mask): when
        # infer_shape leaves an output unknown, an imperative call waits for the
        # inputs and calls shape_from_values(p, host arrays) -> output shapes
        self.shape_from_values = shape_from_values
        self.doc = doc
        self._parse_cache: dict[tuple, Params] = {}

    def __repr__(self) -> str:
        return f"<OpDef {self.name}>"

    # -- parameters ------------------------------------------------------------
    def parse(self, kwargs: dict[str, Any]) -> Params:
        """Validate and convert user kwargs or JSON attrs into :class:`Params`."""
        if not self.params:
            # MXNet's operators without a parameter struct never look at their
            # keyword arguments, so extra ones (broadcast_maximum(a, b, axis=1))
            # are accepted and ignored there; do the same.
            return _EMPTY
        try:
            key = tuple(kwargs.items())
            hit = self._parse_cache.get(key)
            if hit is not None:
                return hit
        except TypeError:  # unhashable value (a list): parse without caching
            key = None
        out = Params()
        for k, v in kwargs.items():
            spec = self.params.get(k)
            if spec is None:
                if k.startswith("__") and k.endswith("__"):
                    continue  # user attributes such as __lr_mult__ travel separately
                known = ", ".join(sorted(self.params)) or "none"
                raise MXNetError(f"{self.name}: unknown parameter '{k}'; known parameters: {known}")
            if (v is None or (isinstance(v, str) and v == "None" and spec.kind != "str")) and not spec.optional:
                # MXNet's front ends pass None for "not given": the default applies
                if spec.default is REQUIRED:
                    raise MXNetError(f"{self.name}: required parameter '{k}' is missing (given None)")
                continue
            out[k] = spec.parse(self.name, k, v)
        for k, spec in self.params.items():
            if k not in out:
                if spec.default is REQUIRED:
                    raise MXNetError(f"{self.name}: required parameter '{k}' is missing")
                out[k] = spec.default
        out.freeze()
        if key is not None:
            if len(self._parse_cache) > 512:
                self._parse_cache.clear()
            self._parse_cache[key] = out
        return out

    def format_attrs(self, p: Params, only: Sequence[str] | None = None) -> dict[str, str]:
        """MXNet attribute strings for ``p`` (only the keys in ``only`` when given)."""
        keys = only if only is not None else [k for k in p if p[k] != self.params[k].default]
        return {k: Param.format(p[k]) for k in keys}

    # -- arity -------------------------------------------------------------------
    def input_names(self, p: Params) -> list[str]:
        if self.variadic is not None and not callable(self._inputs):
            n = p.get("num_args", 0)
            return [f"arg{i}" for i in range(n)]
        return list(self._inputs(p)) if callable(self._inputs) else list(self._inputs)

    def declared_inputs(self) -> list[str]:
        """Every input name the op can take, aux states last (for front-end signatures)."""
        names = list(getattr(self._inputs, "all_names", ())) if callable(self._inputs) else list(self._inputs)
        aux = list(getattr(self._aux, "all_names", ())) if callable(self._aux) else list(self._aux)
        return names + [a for a in aux if a not in names]

    def output_names(self, p: Params) -> list[str]:
        return list(self._outputs(p)) if callable(self._outputs) else list(self._outputs)

    def num_outputs(self, p: Params) -> int:
        return len(self.output_names(p))

    def num_visible_outputs(self, p: Params) -> int:
        return self._num_visible(p) if self._num_visible is not None else self.num_outputs(p)

    def aux_names(self, p: Params) -> list[str]:
        return list(self._aux(p)) if callable(self._aux) else list(self._aux)

    def mutated_inputs(self, p: Params, n_inputs: int) -> list[int]:
        """Input slots the kernel writes: the trailing aux states, then ``mutates``."""
        n_aux = len(self.aux_names(p)) if self._aux else 0
        slots = list(range(n_inputs - n_aux, n_inputs))
        if self.mutates is not None:
            slots += [i for i in self.mutates(p) if i < n_inputs - n_aux]
        return slots


def names(*all_names: str) -> Callable:
    """Mark a callable ``inputs(p)`` rule with the full set of names it can return."""

    def deco(fn: Callable) -> Callable:
        fn.all_names = all_names
        return fn

    return deco
