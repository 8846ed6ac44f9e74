"""Symbol: a stateless graph with named arguments and outputs.

>>> import mxpy as mx
>>> a = mx.sym.Variable("A"); b = mx.sym.Variable("B")
>>> d = (a + b) / 10 + 1
>>> d.list_arguments(), d.list_outputs()
(['A', 'B'], ['_plusscalar0_output'])
"""

from __future__ import annotations

import numpy as np

from ..attribute import AttrScope
from ..base import DTYPE_TO_FLAG, MXNetError, NotImplementedForSymbol, np_dtype, numeric_types
from ..name import NameManager
from ..registry import UNKNOWN, OpDef, Param, get, shape_is_known
from ..util import is_np_shape
from .node import HIDDEN_KEYS, Node, aux_variables, topo_order

__all__ = ["Symbol", "Variable", "var", "Group", "create", "NotImplementedForSymbol"]


class Symbol:
    """A list of output entries ``(node, index)`` over immutable nodes."""

    __slots__ = ("_outputs", "__weakref__")

    def __init__(self, outputs: list[tuple[Node, int]]):
        self._outputs = list(outputs)

    # -- structure -----------------------------------------------------------------
    def _order(self) -> list[Node]:
        return topo_order(self._outputs)

    def _single_node(self) -> Node | None:
        """The node behind every output, or None when the outputs come from several nodes."""
        node = self._outputs[0][0] if self._outputs else None
        if any(n is not node for n, _ in self._outputs):
            return None
        return node

    @property
    def name(self) -> str | None:
        """The node's name when every output comes from one node, else None."""
        node = self._single_node()
        return None if node is None else node.name

    def list_arguments(self) -> list[str]:
        """Names of the graph's arguments (inputs and parameters), in DFS order."""
        order = self._order()
        aux = aux_variables(order)
        return [n.name for n in order if n.op is None and id(n) not in aux]

    def list_auxiliary_states(self) -> list[str]:
        """Names of auxiliary states (e.g. BatchNorm's moving_mean)."""
        order = self._order()
        aux = aux_variables(order)
        return [n.name for n in order if n.op is None and id(n) in aux]

    def list_inputs(self) -> list[str]:
        """Arguments and auxiliary states, in DFS order."""
        return [n.name for n in self._order() if n.op is None]

    def list_outputs(self) -> list[str]:
        return [node.output_name(i) for node, i in self._outputs]

    def __len__(self) -> int:
        return len(self._outputs)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index) -> Symbol:
        """Output ``index`` (an int or an output name); a slice gives a Group.

        As MXNet, negative indices are not counted from the end: they are errors.
        """
        count = len(self._outputs)
        if isinstance(index, slice):
            start = 0 if index.start is None else index.start
            stop = count if index.stop is None else index.stop
            step = 1 if index.step is None else index.step
            return Group([self[i] for i in range(start, stop, step)])
        if isinstance(index, str):
            names = self.list_outputs()
            matches = [i for i, n in enumerate(names) if n == index]
            if not matches:
                raise ValueError(f'Cannot find output that matches name "{index}"; outputs are {names}')
            if len(matches) > 1:
                raise ValueError(f'There are multiple outputs with name "{index}"')
            index = matches[0]
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"Symbol only support integer index to fetch i-th output, got {type(index).__name__}")
        if index >= count:
            raise IndexError(f"Symbol index {index} out of range for {count} outputs")
        if index < 0:
            raise MXNetError(f"Symbol.__getitem__: index {index} is negative; expected 0 <= index < {count}")
        return Symbol([self._outputs[index]])

    def get_internals(self) -> Symbol:
        """A group of every output of every node in the graph."""
        outs = []
        for node in self._order():
            outs.extend((node, i) for i in range(node.num_outputs() if node.op is None else node.num_visible_outputs()))
        return Symbol(outs)

    def get_children(self) -> Symbol | None:
        """The inputs of this symbol's node(s), grouped (each node once); None for a variable."""
        kids = []
        seen: set[int] = set()
        for node, _ in self._outputs:
            if id(node) not in seen:
                seen.add(id(node))
                kids.extend(node.inputs)
        return Symbol(kids) if kids else None

    # -- attributes ------------------------------------------------------------------
    def attr(self, key: str) -> str | None:
        """The string attribute ``key`` (None if absent, or if the outputs come from several nodes).

        >>> import mxpy as mx
        >>> mx.sym.Variable("w", lr_mult=2).attr("lr_mult")
        '2'
        """
        node = self._single_node()
        if node is None:
            return None
        if key in node.attrs:
            return node.attrs[key]
        if key in HIDDEN_KEYS:
            return node.attrs.get(f"__{key}__")
        return None

    def list_attr(self, recursive: bool = False) -> dict[str, str]:
        """Attributes of the first output's node (``recursive`` is deprecated in MXNet: use attr_dict)."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. Please use attr_dict instead.")
        return _listed(self._outputs[0][0].attrs) if self._outputs else {}

    def attr_dict(self) -> dict[str, dict[str, str]]:
        """{node name: attributes} for every node that has any."""
        out = {}
        for node in self._order():
            listed = _listed(node.attrs)
            if listed:
                out[node.name] = listed
        return out

    def _set_attr(self, **kwargs: str) -> None:
        """Set string attributes on this symbol's node; an operator re-checks its parameters.

        All keys are checked first: a rejected call leaves the node unchanged.
        """
        for k, v in kwargs.items():
            if not isinstance(v, str):
                raise ValueError(f"Set Attr only accepts string values; {k!r} is {type(v).__name__}")
        node = self._single_node()
        if node is None:
            raise MXNetError("Symbol._set_attr: SetAttrs only works for non-grouped symbols; this symbol has outputs from several nodes")
        new = dict(node.attrs)
        new.update({_stored_key(k): v for k, v in kwargs.items()})
        if node.op is not None:
            check = {k: v for k, v in new.items() if not (k.startswith("__") and k.endswith("__"))}
            if node.subgraphs is not None:
                check["__subgraphs__"] = node.subgraphs
            node.op.parse(check)
        node.attrs = new
        node._params = None

    # -- composition -------------------------------------------------------------------
    def __call__(self, *args: Symbol, **kwargs) -> Symbol:
        """A copy of this graph with some of its variables replaced by symbols."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args: Symbol, name: str | None = None, **kwargs: Symbol) -> None:
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or keyword arguments, not both")
        for v in list(args) + list(kwargs.values()):
            if not isinstance(v, Symbol):
                raise TypeError(f"Compose expect `Symbol` as arguments, got {type(v).__name__}")
            if len(v) != 1:
                raise MXNetError(f"compose: argument must be a single-output symbol, given one with {len(v)} outputs {v.list_outputs()}")
        atomic = self._single_node()
        if atomic is not None and atomic.op is not None and not atomic.inputs:
            self._compose_atomic(atomic, args, kwargs, name)
            return
        arg_names = self.list_arguments()
        if args:
            # MXNet composes general graphs by keyword only (positional inputs
            # fill an unconnected atomic op, above)
            raise MXNetError(f"compose: general composition only supports keyword arguments; given {len(args)} positional, arguments are {arg_names}")
        else:
            unknown = [k for k in kwargs if k not in arg_names]
            if unknown:
                raise MXNetError(f"compose: no argument named {unknown[0]!r}; arguments are {arg_names}")
            mapping = dict(kwargs)
        replace = {name_: sym._outputs[0] for name_, sym in mapping.items()}
        memo: dict[int, Node] = {}

        def rebuild(node: Node) -> tuple[Node, int] | Node:
            if id(node) in memo:
                return memo[id(node)]
            new = _clone_node(node)
            memo[id(node)] = new
            new.inputs = [_entry(rebuild, src, i, replace) for src, i in node.inputs]
            return new

        self._outputs = [_entry(rebuild, n, i, replace) for n, i in self._outputs]
        if name is not None and len(self._outputs) == 1:
            self._outputs[0][0].name = name

    def _compose_atomic(self, node: Node, args: tuple, kwargs: dict, name: str | None) -> None:
        """Connect the inputs of an op node that has none (from :meth:`_gen_atomic_symbol`)."""
        slots = node.input_names()
        if len(args) > len(slots):
            raise MXNetError(f"compose {node.op.name}: incorrect number of arguments, requires {len(slots)}, provided {len(args)}")
        given = dict(zip(slots, args))
        for key, sym in kwargs.items():
            if key not in slots:
                raise MXNetError(f"compose {node.op.name}: no input named {key!r}; inputs are {slots}")
            if key in given:
                raise MXNetError(f"compose {node.op.name}: input {key!r} given twice")
            given[key] = sym
        if name is not None:
            node.name = name
        # inputs left out become variables named after the node, as MXNet's auto-created arguments
        prefix = f"{node.name}_" if node.name else ""
        node.inputs = [given[k]._outputs[0] if k in given else (Node(None, prefix + k, {}, []), 0) for k in slots]
        node.mark_versions()

    def _gen_atomic_symbol(self) -> Symbol:
        """The operator of this single-node symbol, with its attributes, unconnected and unnamed.

        Calling the result connects its inputs, positionally or by name.

        >>> import mxpy as mx
        >>> atom = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=3)._gen_atomic_symbol()
        >>> atom.list_arguments(), atom.list_outputs()
        ([], ['output'])
        >>> atom(mx.sym.Variable("a"), mx.sym.Variable("w"), mx.sym.Variable("b")).list_arguments()
        ['a', 'w', 'b']
        """
        node = self._single_node()
        if node is None:
            raise MXNetError("_gen_atomic_symbol: generating an atomic symbol only works for a non-grouped symbol (one node)")
        if node.op is None:
            raise MXNetError(f"_gen_atomic_symbol: {node.name!r} is a variable, not an operator")
        atom = Node(node.op, "", dict(node.attrs), [])
        atom.subgraphs = node.subgraphs
        return Symbol([(atom, i) for i in range(node.num_visible_outputs())])

    def __copy__(self) -> Symbol:
        memo: dict[int, Node] = {}

        def clone(node: Node) -> Node:
            got = memo.get(id(node))
            if got is None:
                got = memo[id(node)] = _clone_node(node)
                got.inputs = [(clone(src), i) for src, i in node.inputs]
            return got

        return Symbol([(clone(n), i) for n, i in self._outputs])

    def __deepcopy__(self, memo) -> Symbol:
        return self.__copy__()

    copy = __copy__

    def __repr__(self) -> str:
        name = self.name
        if name is None:
            return f"<Symbol group [{', '.join(s.name for s in self)}]>"
        return f"<Symbol {name}>"

    def __getstate__(self):
        return {"json": self.tojson()}

    def __setstate__(self, state) -> None:
        from .json_io import load_json

        self._outputs = load_json(state["json"])._outputs

    # -- arithmetic ------------------------------------------------------------------------
    def _binary(self, other, array_fn: str, scalar_fn: str, reverse_scalar_fn: str | None = None, reflected: bool = False):
        if isinstance(other, Symbol):
            return _invoke_named(array_fn, [other, self] if reflected else [self, other], {})
        if isinstance(other, numeric_types):
            fn = reverse_scalar_fn if (reflected and reverse_scalar_fn) else scalar_fn
            return _invoke_named(fn, [self], {"scalar": other})
        raise TypeError(f"type {type(other).__name__} not supported")

    def __add__(self, o):
        return self._binary(o, "_Plus", "_PlusScalar")

    __radd__ = __add__

    def __sub__(self, o):
        return self._binary(o, "_Minus", "_MinusScalar")

    def __rsub__(self, o):
        return self._binary(o, "_Minus", "_MinusScalar", "_RMinusScalar", True)

    def __mul__(self, o):
        return self._binary(o, "_Mul", "_MulScalar")

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._binary(o, "_Div", "_DivScalar")

    def __rtruediv__(self, o):
        return self._binary(o, "_Div", "_DivScalar", "_RDivScalar", True)

    __div__ = __truediv__
    __rdiv__ = __rtruediv__

    def __mod__(self, o):
        return self._binary(o, "_Mod", "_ModScalar")

    def __rmod__(self, o):
        return self._binary(o, "_Mod", "_ModScalar", "_RModScalar", True)

    def __pow__(self, o):
        return self._binary(o, "_Power", "_PowerScalar")

    def __rpow__(self, o):
        return self._binary(o, "_Power", "_PowerScalar", "_rpower_scalar", True)

    def __neg__(self):
        return self.__mul__(-1.0)

    def __eq__(self, o):
        return self._binary(o, "_equal", "_equal_scalar")

    def __ne__(self, o):
        return self._binary(o, "_not_equal", "_not_equal_scalar")

    def __gt__(self, o):
        return self._binary(o, "_greater", "_greater_scalar")

    def __ge__(self, o):
        return self._binary(o, "_greater_equal", "_greater_equal_scalar")

    def __lt__(self, o):
        return self._binary(o, "_lesser", "_lesser_scalar")

    def __le__(self, o):
        return self._binary(o, "_lesser_equal", "_lesser_equal_scalar")

    def __abs__(self):
        return _invoke_named("abs", [self], {})

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        raise NotImplementedForSymbol(self.__bool__, "bool")

    __nonzero__ = __bool__

    # in-place arithmetic would mutate a shared graph: MXNet refuses it
    def __iadd__(self, o):
        raise NotImplementedForSymbol(self.__iadd__, "+=", o, 1)

    def __isub__(self, o):
        raise NotImplementedForSymbol(self.__isub__, "-=", o, 1)

    def __imul__(self, o):
        raise NotImplementedForSymbol(self.__imul__, "*=", o, 1)

    def __idiv__(self, o):
        raise NotImplementedForSymbol(self.__idiv__, "/=", o, 1)

    def __itruediv__(self, o):
        raise NotImplementedForSymbol(self.__itruediv__, "/=", o, 1)

    # -- serialisation ----------------------------------------------------------------------
    def tojson(self) -> str:
        """MXNet's symbol JSON (the ``prefix-symbol.json`` format)."""
        from .json_io import to_json

        return to_json(self)

    def save(self, fname: str, remove_amp_cast: bool = True) -> None:
        """Write :meth:`tojson` to ``fname`` atomically."""
        from .json_io import save_text_atomic

        save_text_atomic(fname, self.tojson())


def _clone_node(node: Node) -> Node:
    new = Node(node.op, node.name, dict(node.attrs), [])
    new.versions = None if node.versions is None else list(node.versions)
    new.version = node.version
    new.subgraphs = node.subgraphs
    return new


def _entry(rebuild, node: Node, index: int, replace: dict) -> tuple[Node, int]:
    if node.op is None and node.name in replace:
        return replace[node.name]
    return (rebuild(node), index)


def _stored_key(key: str) -> str:
    if key in HIDDEN_KEYS:
        return f"__{key}__"
    return key


def _listed(attrs: dict[str, str]) -> dict[str, str]:
    out = dict(attrs)
    for k in HIDDEN_KEYS:
        hidden = f"__{k}__"
        if hidden in attrs:
            out[k] = attrs[hidden]
    return out


# -- creation ---------------------------------------------------------------------------------


def Variable(name: str, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None, stype=None, **kwargs) -> Symbol:
    """A placeholder: an input, weight or any other argument of the graph.

    >>> import mxpy as mx
    >>> mx.sym.Variable("x", shape=(2, 3)).attr("__shape__")
    '(2, 3)'
    """
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    attrs = AttrScope.current.get(attr)
    stored = {_stored_key(k): v for k, v in attrs.items()}
    if shape is not None:
        # an int is a 1-D shape, stored as MXNet writes it ("1")
        stored["__shape__"] = str(int(shape)) if isinstance(shape, (int, np.integer)) else str(tuple(shape))
    if lr_mult is not None:
        stored["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        stored["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        stored["__dtype__"] = str(DTYPE_TO_FLAG[np_dtype(dtype, "Variable: dtype")])
    if init is not None:
        stored["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        stored["__storage_type__"] = str({"default": 0, "row_sparse": 1, "csr": 2}[stype])
    for k, v in kwargs.items():
        if not (k.startswith("__") and k.endswith("__")):
            raise ValueError(f"Attribute name={k} is not supported. Additional attributes must start and end with double underscores, e.g, __yourattr__")
        stored[k] = str(v)
    return Symbol([(Node(None, name, stored, []), 0)])


var = Variable


def Group(symbols: list[Symbol]) -> Symbol:
    """One symbol whose outputs are the outputs of ``symbols``, in order."""
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    return Symbol([o for s in symbols for o in s._outputs])


def _invoke_named(fn_name: str, inputs: list[Symbol], params: dict) -> Symbol:
    return create(get(fn_name), inputs, params, hint=fn_name.lower())


_HIDDEN_KEYS = ("ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage")


def create(
    op: OpDef, inputs: list[Symbol] | dict[str, Symbol], params: dict, name: str | None = None, attr: dict | None = None, hint: str | None = None
) -> Symbol:
    """Apply ``op`` to input symbols (a list in order, or a dict by input name).

    Missing inputs become new variables named ``<node name>_<input name>``.
    """
    # a control-flow op's body graphs ride on the node, not in its string attrs
    subgraphs = params.get("__subgraphs__")
    if subgraphs is not None:
        params = {k: v for k, v in params.items() if k != "__subgraphs__"}
    # MXNet stores these keyword arguments as the attributes __lr_mult__ etc. (its C API's kHiddenKeys)
    hidden = {f"__{k}__": str(params[k]) for k in _HIDDEN_KEYS if k in params and k not in op.params}
    if hidden:
        params = {k: v for k, v in params.items() if f"__{k}__" not in hidden}
    # an explicit None is a value (sort(axis=None) flattens), stored as "None" like MXNet
    attrs = {k: (v if isinstance(v, str) else _fmt(v)) for k, v in params.items()}
    if op.variadic is not None and "num_args" in op.params and "num_args" not in attrs:
        attrs["num_args"] = str(len(inputs))
    node_name = NameManager.current.get(name, hint or op.name.lower())
    scope_attrs = AttrScope.current.get(attr)
    user = {_stored_key(k): v for k, v in scope_attrs.items()}
    node = Node(op, node_name, {**attrs, **user, **hidden}, [])
    node.subgraphs = subgraphs
    slots = node.input_names()
    given = inputs if isinstance(inputs, dict) else dict(zip(slots, inputs))
    if not isinstance(inputs, dict) and len(inputs) > len(slots):
        raise MXNetError(f"{op.name}: {len(inputs)} inputs given, expected at most {len(slots)} ({slots})")
    if not slots and op.variadic is None and isinstance(inputs, dict):
        # MXNet ignores Symbol keywords given to an operator that takes no inputs
        # (mx.sym.random.randn(data=x) in its own test_random.py)
        given = {}
    unknown = [k for k in given if k not in slots]
    if unknown:
        raise MXNetError(f"{op.name}: unknown input {unknown[0]!r}; inputs are {slots}")
    _ = node.params  # validate parameters now, at creation time
    first_aux = len(slots) - node.n_aux()
    entries = []
    tag: list[tuple[Node, str]] = []
    for k, slot in enumerate(slots):
        sym = given.get(slot)
        if sym is None:
            # MXNet copies the op node's whole attribute dict onto the variables
            # it creates (so checkpoints show fc_weight with num_hidden)
            var_attrs = dict(node.attrs)
            init = _var_init(op, node.params, slot)
            if init is not None:
                var_attrs["__init__"] = init
            entries.append((Node(None, f"{node_name}_{slot}", var_attrs, []), 0))
        else:
            if not isinstance(sym, Symbol):
                raise TypeError(f"{op.name}: input {slot!r} must be a Symbol, got {type(sym).__name__}")
            if len(sym) != 1:
                raise MXNetError(f"{op.name}: input {slot!r} must be a single-output symbol, got {len(sym)} outputs")
            src = sym._outputs[0][0]
            if k >= first_aux and src.op is not None:
                raise MXNetError(f"{op.name}: input {slot!r} is mutated (an auxiliary state), so it must be a Variable; given the output of {src.name!r}")
            init = _var_init(op, node.params, slot) if src.op is None else None
            if init is not None and "__init__" not in src.attrs:
                tag.append((src, init))
            entries.append(sym._outputs[0])
    # as MXNet, a variable given for moving_mean etc. is tagged in place (once all checks passed)
    for src, init in tag:
        src.attrs["__init__"] = init
    node.inputs = entries
    node.mark_versions()
    n_vis = node.num_visible_outputs()
    return Symbol([(node, i) for i in range(n_vis)])


def _var_init(op: OpDef, p, slot: str) -> str | None:
    """The ``__init__`` MXNet gives some auto-created variables."""
    if slot.endswith("moving_mean"):
        return '["zero", {}]'
    if slot.endswith("moving_var"):
        return '["one", {}]'
    if op.name == "UpSampling" and slot == "weight":
        return '["bilinear", {}]'
    if op.name == "LeakyReLU" and slot == "gamma":
        return '["Constant", {"value": 0.25}]'
    return None


def _fmt(v) -> str:
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and issubclass(v, np.generic):
        return np.dtype(v).name
    return Param.format(v)  # NumPy scalars, also inside tuples, as plain numbers


# -- inference (methods attached here to keep the class body about structure) ------------------


def _gather_inputs(sym: Symbol, args: tuple, kwargs: dict, what: str) -> dict:
    names = sym.list_arguments()
    given: dict = {}
    if args:
        if len(args) > len(names):
            raise MXNetError(f"{what}: {len(args)} positional values for {len(names)} arguments {names}")
        given.update({n: v for n, v in zip(names, args) if v is not None})
    inputs = set(sym.list_inputs())
    for k, v in kwargs.items():
        if k not in inputs:
            raise MXNetError(f"{what}: {k!r} is not an input of the symbol; inputs are {sorted(inputs)}")
        if v is not None:
            given[k] = v
    return given


def _infer(sym: Symbol, args, kwargs, partial: bool, shapes: bool):
    import warnings

    from ..graph import infer_graph_shapes, infer_graph_types

    what = "infer_shape" if shapes else "infer_type"
    if args and kwargs:
        raise ValueError(f"{what}: can only specify known argument {'shapes' if shapes else 'types'} either by positional or kwargs way")
    if shapes:
        for key, v in list(enumerate(args)) + list(kwargs.items()):
            if v is not None and not isinstance(v, tuple):
                where = f"argument {key}" if isinstance(key, int) else f"'{key}'"
                raise TypeError(f"Arguments need to be shapes (tuple), but {where} is {type(v)}.")
    given = _gather_inputs(sym, args, kwargs, what)
    order = sym._order()
    try:
        if shapes:
            known = infer_graph_shapes(order, {k: tuple(v) for k, v in given.items()})
        else:
            known = infer_graph_types(order, {k: np_dtype(v, f"infer_type: {k}") for k, v in given.items()})
    except MXNetError:
        if not partial:
            # MXNet prints what it was given before re-raising a failed inference
            print(f"{what} error. Arguments:")
            for i, v in enumerate(args):
                print(f"  #{i}: {v}")
            for k, v in kwargs.items():
                print(f"  {k}: {v}")
        raise
    aux = aux_variables(order)
    arg_nodes = [n for n in order if n.op is None and id(n) not in aux]
    aux_nodes = [n for n in order if n.op is None and id(n) in aux]
    arg = [known.get((id(n), 0)) for n in arg_nodes]
    out = [known.get((id(n), i)) for n, i in sym._outputs]
    auxv = [known.get((id(n), 0)) for n in aux_nodes]
    if not shapes:
        arg = [None if t is None else t.type for t in arg]
        out = [None if t is None else t.type for t in out]
        auxv = [None if t is None else t.type for t in auxv]
    if shapes:
        complete = all(shape_is_known(v) for v in arg + out + auxv)
    else:
        complete = all(v is not None for v in arg + out + auxv)
    if not partial and not complete:
        unknowns = []
        for n, v in zip(arg_nodes, arg):
            if not (shape_is_known(v) if shapes else v is not None):
                if len(unknowns) >= 10:
                    unknowns.append("...")
                    break
                unknowns.append(f"{n.name}: {_shown_shape(v, is_np_shape()) if shapes else None}")
        if shapes:
            head = "Cannot decide shape for the following arguments (0s in shape means unknown dimensions). Consider providing them as input:\n\t"
        else:
            head = "Cannot decide type for the following arguments. Consider providing them as input:\n\t"
        warnings.warn(head + "\n\t".join(unknowns), stacklevel=3)
        return None, None, None
    if shapes:
        np_mode = is_np_shape()
        arg, out, auxv = ([_shown_shape(v, np_mode) for v in vals] for vals in (arg, out, auxv))
    return arg, out, auxv


def _shown_shape(s, np_mode: bool):
    """A (partly) inferred shape as MXNet returns it: unknown dims 0 and an unknown
    shape () in the legacy mode; -1 and None under NumPy shape semantics."""
    if s is None:
        return None if np_mode else ()
    if np_mode:
        return tuple(s)
    return tuple(0 if d == UNKNOWN else d for d in s)


def _infer_shape(self: Symbol, *args, **kwargs):
    """(arg_shapes, out_shapes, aux_shapes) from known input shapes; (None, None, None) if incomplete."""
    return _infer(self, args, kwargs, False, True)


def _infer_shape_partial(self: Symbol, *args, **kwargs):
    """Like infer_shape, with ``()`` for shapes that cannot be decided."""
    return _infer(self, args, kwargs, True, True)


def _infer_type(self: Symbol, *args, **kwargs):
    """(arg_types, out_types, aux_types) from known input dtypes."""
    return _infer(self, args, kwargs, False, False)


def _infer_type_partial(self: Symbol, *args, **kwargs):
    """Like infer_type, with None for types that cannot be decided."""
    return _infer(self, args, kwargs, True, False)


Symbol.infer_type_partial = _infer_type_partial
Symbol.infer_shape = _infer_shape
Symbol.infer_shape_partial = _infer_shape_partial
Symbol.infer_type = _infer_type
