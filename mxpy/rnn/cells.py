"""The legacy symbolic RNN cells: one step is ``cell(inputs, states)``; ``unroll`` chains steps.

Names follow MXNet 1.9.1 exactly (checkpoints and tests depend on them): a
cell with prefix ``lstm_`` owns variables ``lstm_i2h_weight``,
``lstm_i2h_bias``, ``lstm_h2h_weight``, ``lstm_h2h_bias``; step ``k`` names
its nodes ``lstm_t<k>_...`` and its output ``lstm_t<k>_out``; begin states
are ``lstm_begin_state_<k>``.

>>> import mxpy as mx
>>> cell = mx.rnn.LSTMCell(4, prefix="lstm_")
>>> outs, states = cell.unroll(2, [mx.sym.Variable("x0"), mx.sym.Variable("x1")])
>>> [o.name for o in outs]
['lstm_t0_out', 'lstm_t1_out']
"""

from __future__ import annotations

from .. import initializer as _init
from .. import ndarray as _nd
from .. import symbol as _sym
from ..base import MXNetError, numeric_types

__all__ = [
    "RNNParams",
    "BaseRNNCell",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "SequentialRNNCell",
    "DropoutCell",
    "ModifierCell",
    "ZoneoutCell",
    "ResidualCell",
    "BidirectionalCell",
]


def _normalize_sequence(length, inputs, layout: str, merge, in_layout: str | None = None):
    """Inputs as a list of per-step symbols (``merge`` False) or one symbol with a time
    axis (``merge`` True); None keeps what was given. Returns (inputs, time axis)."""
    if inputs is None:
        raise MXNetError("unroll(inputs=None) has been deprecated. Please create input variables outside unroll.")
    axis = layout.find("T")
    in_axis = in_layout.find("T") if in_layout is not None else axis
    if isinstance(inputs, _sym.Symbol):
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise MXNetError("unroll doesn't allow grouped symbol as input. Please convert to list with list(inputs) first or let unroll handle splitting.")
            inputs = list(_sym.split(inputs, axis=in_axis, num_outputs=length, squeeze_axis=1))
    else:
        if length is not None and len(inputs) != length:
            raise MXNetError(f"unroll: {len(inputs)} inputs given for length {length}")
        if merge is True:
            inputs = _sym.Concat(*[_sym.expand_dims(i, axis=axis) for i in inputs], dim=axis)
            in_axis = axis
    if isinstance(inputs, _sym.Symbol) and axis != in_axis:
        inputs = _sym.swapaxes(inputs, dim0=axis, dim1=in_axis)
    return inputs, axis


class RNNParams:
    """The variables of one or more cells, created on first ``get`` under ``prefix + name``."""

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._params: dict = {}

    def get(self, name: str, **kwargs):
        """The variable ``prefix + name`` (``kwargs`` such as ``init`` apply when it is created)."""
        full = self._prefix + name
        if full not in self._params:
            self._params[full] = _sym.Variable(full, **kwargs)
        return self._params[full]


class BaseRNNCell:
    """Base of the legacy RNN cells: parameters, step counters, begin states, unroll."""

    def __init__(self, prefix: str = "", params: RNNParams | None = None) -> None:
        self._own_params = params is None
        self._prefix = prefix
        self._params = RNNParams(prefix) if params is None else params
        self._modified = False
        self.reset()

    def reset(self) -> None:
        """Restart the step and begin-state counters (before building a new unrolled graph)."""
        self._init_counter = -1
        self._counter = -1
        for cell in getattr(self, "_cells", ()):
            cell.reset()

    def __call__(self, inputs, states):
        """One step: ``(output, new_states)`` from the step's input and the previous states."""
        raise MXNetError(f"{type(self).__name__} cannot be stepped; use unroll")

    @property
    def params(self) -> RNNParams:
        """The cell's parameters (reading them makes the cell share rather than own them)."""
        self._own_params = False
        return self._params

    @property
    def state_info(self) -> list:
        """One dict per state: ``shape`` (0 = batch size, unknown) and ``__layout__``."""
        return []

    @property
    def state_shape(self) -> list:
        """The shape of each state (``state_info``'s shapes)."""
        return [info["shape"] for info in self.state_info]

    @property
    def _gate_names(self):
        return ()

    def begin_state(self, func=None, **kwargs) -> list:
        """The initial states, each made by ``func(name=<prefix>begin_state_<k>, **info, **kwargs)``
        (default ``mx.sym.zeros``; ``mx.sym.Variable`` lets you feed them)."""
        if self._modified:
            raise MXNetError("After applying modifier cells (e.g. DropoutCell) the base cell cannot be called directly. Call the modifier cell instead.")
        func = _sym.zeros if func is None else func
        states = []
        for info in self.state_info:
            self._init_counter += 1
            if info is not None:
                kwargs.update(info)
            states.append(func(name=f"{self._prefix}begin_state_{self._init_counter}", **kwargs))
        return states

    def unpack_weights(self, args: dict) -> dict:
        """Split each fused gate matrix (``i2h_weight``...) into one array per gate (``i2h_i_weight``...)."""
        args = args.copy()
        if not self._gate_names:
            return args
        h = self._num_hidden
        for group in ("i2h", "h2h"):
            weight = args.pop(f"{self._prefix}{group}_weight")
            bias = args.pop(f"{self._prefix}{group}_bias")
            for j, gate in enumerate(self._gate_names):
                args[f"{self._prefix}{group}{gate}_weight"] = weight[j * h : (j + 1) * h].copy()
                args[f"{self._prefix}{group}{gate}_bias"] = bias[j * h : (j + 1) * h].copy()
        return args

    def pack_weights(self, args: dict) -> dict:
        """The inverse of :meth:`unpack_weights`."""
        args = args.copy()
        if not self._gate_names:
            return args
        for group in ("i2h", "h2h"):
            weights = [args.pop(f"{self._prefix}{group}{g}_weight") for g in self._gate_names]
            biases = [args.pop(f"{self._prefix}{group}{g}_bias") for g in self._gate_names]
            args[f"{self._prefix}{group}_weight"] = _nd.concat(*weights, dim=0)
            args[f"{self._prefix}{group}_bias"] = _nd.concat(*biases, dim=0)
        return args

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        """Apply the cell ``length`` times: ``(outputs, states)``.

        ``inputs`` is one symbol with a time axis (``layout``) or a list of
        per-step symbols; ``merge_outputs`` True gives one symbol, False a list,
        None whatever came naturally.
        """
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        outputs = []
        for i in range(length):
            out, states = self(inputs[i], states)
            outputs.append(out)
        outputs, _ = _normalize_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, inputs, activation, **kwargs):
        if isinstance(activation, str):
            return _sym.Activation(inputs, act_type=activation, **kwargs)
        return activation(inputs, **kwargs)

    def _step_name(self) -> str:
        self._counter += 1
        return f"{self._prefix}t{self._counter}_"


def _hidden_state(num_hidden: int) -> dict:
    return {"shape": (0, num_hidden), "__layout__": "NC"}


class RNNCell(BaseRNNCell):
    """Elman RNN step: ``out = act(i2h(x) + h2h(h))``."""

    def __init__(self, num_hidden: int, activation="tanh", prefix: str = "rnn_", params: RNNParams | None = None) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._activation = activation
        self._iW = self.params.get("i2h_weight")
        self._iB = self.params.get("i2h_bias")
        self._hW = self.params.get("h2h_weight")
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list:
        return [_hidden_state(self._num_hidden)]

    @property
    def _gate_names(self):
        return ("",)

    def __call__(self, inputs, states):
        name = self._step_name()
        i2h = _sym.FullyConnected(data=inputs, weight=self._iW, bias=self._iB, num_hidden=self._num_hidden, name=f"{name}i2h")
        h2h = _sym.FullyConnected(data=states[0], weight=self._hW, bias=self._hB, num_hidden=self._num_hidden, name=f"{name}h2h")
        out = self._get_activation(i2h + h2h, self._activation, name=f"{name}out")
        return out, [out]


class LSTMCell(BaseRNNCell):
    """LSTM step with gates in MXNet's order (input, forget, cell, output); the
    i2h bias starts with ``forget_bias`` on the forget gate."""

    def __init__(self, num_hidden: int, prefix: str = "lstm_", params: RNNParams | None = None, forget_bias: float = 1.0) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get("i2h_weight")
        self._hW = self.params.get("h2h_weight")
        self._iB = self.params.get("i2h_bias", init=_init.LSTMBias(forget_bias=forget_bias))
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list:
        return [_hidden_state(self._num_hidden), _hidden_state(self._num_hidden)]

    @property
    def _gate_names(self):
        return ["_i", "_f", "_c", "_o"]

    def __call__(self, inputs, states):
        name = self._step_name()
        n = self._num_hidden * 4
        i2h = _sym.FullyConnected(data=inputs, weight=self._iW, bias=self._iB, num_hidden=n, name=f"{name}i2h")
        h2h = _sym.FullyConnected(data=states[0], weight=self._hW, bias=self._hB, num_hidden=n, name=f"{name}h2h")
        gates = _sym.SliceChannel(i2h + h2h, num_outputs=4, name=f"{name}slice")
        in_gate = _sym.Activation(gates[0], act_type="sigmoid", name=f"{name}i")
        forget_gate = _sym.Activation(gates[1], act_type="sigmoid", name=f"{name}f")
        in_transform = _sym.Activation(gates[2], act_type="tanh", name=f"{name}c")
        out_gate = _sym.Activation(gates[3], act_type="sigmoid", name=f"{name}o")
        next_c = _sym._internal._plus(forget_gate * states[1], in_gate * in_transform, name=f"{name}state")
        next_h = _sym._internal._mul(out_gate, _sym.Activation(next_c, act_type="tanh"), name=f"{name}out")
        return next_h, [next_h, next_c]


class GRUCell(BaseRNNCell):
    """GRU step (reset, update, candidate gates; MXNet's/cuDNN's formulation)."""

    def __init__(self, num_hidden: int, prefix: str = "gru_", params: RNNParams | None = None) -> None:
        super().__init__(prefix=prefix, params=params)
        self._num_hidden = num_hidden
        self._iW = self.params.get("i2h_weight")
        self._iB = self.params.get("i2h_bias")
        self._hW = self.params.get("h2h_weight")
        self._hB = self.params.get("h2h_bias")

    @property
    def state_info(self) -> list:
        return [_hidden_state(self._num_hidden)]

    @property
    def _gate_names(self):
        return ["_r", "_z", "_o"]

    def __call__(self, inputs, states):
        name = self._step_name()
        prev_h = states[0]
        n = self._num_hidden * 3
        i2h = _sym.FullyConnected(data=inputs, weight=self._iW, bias=self._iB, num_hidden=n, name=f"{name}_i2h")
        h2h = _sym.FullyConnected(data=prev_h, weight=self._hW, bias=self._hB, num_hidden=n, name=f"{name}_h2h")
        i2h_r, i2h_z, i2h = _sym.SliceChannel(i2h, num_outputs=3, name=f"{name}_i2h_slice")
        h2h_r, h2h_z, h2h = _sym.SliceChannel(h2h, num_outputs=3, name=f"{name}_h2h_slice")
        reset = _sym.Activation(i2h_r + h2h_r, act_type="sigmoid", name=f"{name}_r_act")
        update = _sym.Activation(i2h_z + h2h_z, act_type="sigmoid", name=f"{name}_z_act")
        candidate = _sym.Activation(i2h + reset * h2h, act_type="tanh", name=f"{name}_h_act")
        next_h = _sym._internal._plus((1.0 - update) * candidate, update * prev_h, name=f"{name}out")
        return next_h, [next_h]


def _share_params(container: BaseRNNCell, cell: BaseRNNCell) -> None:
    """Merge a child's variables into ``container``'s (or, when the container was
    given params, hand them to the child first)."""
    if container._override_cell_params:
        if not cell._own_params:
            raise MXNetError(f"Either specify params for {type(container).__name__} or child cells, not both.")
        cell.params._params.update(container.params._params)
    container.params._params.update(cell.params._params)


class SequentialRNNCell(BaseRNNCell):
    """Cells stacked: each one's output is the next one's input."""

    def __init__(self, params: RNNParams | None = None) -> None:
        super().__init__(prefix="", params=params)
        self._override_cell_params = params is not None
        self._cells: list[BaseRNNCell] = []

    def add(self, cell: BaseRNNCell) -> None:
        """Append ``cell`` to the stack."""
        self._cells.append(cell)
        _share_params(self, cell)

    @property
    def state_info(self) -> list:
        return sum((c.state_info for c in self._cells), [])

    def begin_state(self, **kwargs) -> list:
        if self._modified:
            raise MXNetError("After applying modifier cells (e.g. ZoneoutCell) the base cell cannot be called directly. Call the modifier cell instead.")
        return sum((c.begin_state(**kwargs) for c in self._cells), [])

    def unpack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.unpack_weights(args)
        return args

    def pack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.pack_weights(args)
        return args

    def __call__(self, inputs, states):
        self._counter += 1
        next_states = []
        pos = 0
        for cell in self._cells:
            if isinstance(cell, BidirectionalCell):
                raise MXNetError("SequentialRNNCell: a BidirectionalCell cannot be stepped; use unroll")
            n = len(cell.state_info)
            inputs, new = cell(inputs, states[pos : pos + n])
            pos += n
            next_states.extend(new)
        return inputs, next_states

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        self.reset()
        states = self.begin_state() if begin_state is None else begin_state
        pos = 0
        next_states = []
        last = len(self._cells) - 1
        for i, cell in enumerate(self._cells):
            n = len(cell.state_info)
            inputs, new = cell.unroll(
                length, inputs=inputs, begin_state=states[pos : pos + n], layout=layout, merge_outputs=merge_outputs if i == last else None
            )
            pos += n
            next_states.extend(new)
        return inputs, next_states


class DropoutCell(BaseRNNCell):
    """Dropout on the step's input (no state)."""

    def __init__(self, dropout: float, prefix: str = "dropout_", params: RNNParams | None = None) -> None:
        super().__init__(prefix, params)
        if not isinstance(dropout, numeric_types):
            raise MXNetError("dropout probability must be a number")
        self.dropout = dropout

    @property
    def state_info(self) -> list:
        return []

    def __call__(self, inputs, states):
        if self.dropout > 0:
            inputs = _sym.Dropout(data=inputs, p=self.dropout)
        return inputs, states

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        self.reset()
        inputs, _ = _normalize_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, _sym.Symbol):  # one dropout over the whole sequence
            return self(inputs, [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout, merge_outputs=merge_outputs)


class ModifierCell(BaseRNNCell):
    """Wraps a base cell and changes its step; the base cell is then only usable through it."""

    def __init__(self, base_cell: BaseRNNCell) -> None:
        super().__init__()
        base_cell._modified = True
        self.base_cell = base_cell

    @property
    def params(self) -> RNNParams:
        self._own_params = False
        return self.base_cell.params

    @property
    def state_info(self) -> list:
        return self.base_cell.state_info

    def begin_state(self, init_sym=None, **kwargs) -> list:
        if self._modified:
            raise MXNetError("After applying modifier cells (e.g. DropoutCell) the base cell cannot be called directly. Call the modifier cell instead.")
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(init_sym, **kwargs)
        finally:
            self.base_cell._modified = True

    def unpack_weights(self, args: dict) -> dict:
        return self.base_cell.unpack_weights(args)

    def pack_weights(self, args: dict) -> dict:
        return self.base_cell.pack_weights(args)


class ZoneoutCell(ModifierCell):
    """Zoneout: each output/state unit keeps its previous value with probability
    ``zoneout_outputs``/``zoneout_states`` during training."""

    def __init__(self, base_cell: BaseRNNCell, zoneout_outputs: float = 0.0, zoneout_states: float = 0.0) -> None:
        from .fused import FusedRNNCell

        if isinstance(base_cell, FusedRNNCell):
            raise MXNetError("FusedRNNCell doesn't support zoneout. Please unfuse first.")
        if isinstance(base_cell, BidirectionalCell):
            raise MXNetError("BidirectionalCell doesn't support zoneout since it doesn't support step. Please add ZoneoutCell to the cells underneath instead.")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self.prev_output = None

    def reset(self) -> None:
        super().reset()
        self.prev_output = None

    def __call__(self, inputs, states):
        next_output, next_states = self.base_cell(inputs, states)

        def keep_new(p, like):  # 1 where the new value is kept (scaled by Dropout, but only its sign matters)
            return _sym.Dropout(_sym.ones_like(like), p=p)

        prev = self.prev_output if self.prev_output is not None else _sym.zeros((0, 0))
        output = next_output if self.zoneout_outputs == 0.0 else _sym.where(keep_new(self.zoneout_outputs, next_output), next_output, prev)
        if self.zoneout_states != 0.0:
            next_states = [_sym.where(keep_new(self.zoneout_states, new), new, old) for new, old in zip(next_states, states)]
        self.prev_output = output
        return output, next_states


class ResidualCell(ModifierCell):
    """Adds the step's input to the base cell's output."""

    def __call__(self, inputs, states):
        output, states = self.base_cell(inputs, states)
        return _sym.elemwise_add(output, inputs, name=f"{output.name}_plus_residual"), states

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state, layout=layout, merge_outputs=merge_outputs)
        finally:
            self.base_cell._modified = True
        merge = isinstance(outputs, _sym.Symbol) if merge_outputs is None else merge_outputs
        inputs, _ = _normalize_sequence(length, inputs, layout, merge)
        if merge:
            return _sym.elemwise_add(outputs, inputs, name=f"{outputs.name}_plus_residual"), states
        return [_sym.elemwise_add(o, i, name=f"{o.name}_plus_residual") for o, i in zip(outputs, inputs)], states


class BidirectionalCell(BaseRNNCell):
    """Runs ``l_cell`` forward and ``r_cell`` backward in time and concatenates their outputs."""

    def __init__(self, l_cell: BaseRNNCell, r_cell: BaseRNNCell, params: RNNParams | None = None, output_prefix: str = "bi_") -> None:
        super().__init__("", params=params)
        self._output_prefix = output_prefix
        self._override_cell_params = params is not None
        if self._override_cell_params and not (l_cell._own_params and r_cell._own_params):
            raise MXNetError("Either specify params for BidirectionalCell or child cells, not both.")
        for cell in (l_cell, r_cell):
            _share_params(self, cell)
        self._cells = [l_cell, r_cell]

    def unpack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.unpack_weights(args)
        return args

    def pack_weights(self, args: dict) -> dict:
        for cell in self._cells:
            args = cell.pack_weights(args)
        return args

    @property
    def state_info(self) -> list:
        return sum((c.state_info for c in self._cells), [])

    def begin_state(self, **kwargs) -> list:
        if self._modified:
            raise MXNetError("After applying modifier cells (e.g. DropoutCell) the base cell cannot be called directly. Call the modifier cell instead.")
        return sum((c.begin_state(**kwargs) for c in self._cells), [])

    def unroll(self, length: int, inputs, begin_state=None, layout: str = "NTC", merge_outputs=None):
        self.reset()
        inputs, axis = _normalize_sequence(length, inputs, layout, False)
        states = self.begin_state() if begin_state is None else begin_state
        l_cell, r_cell = self._cells
        n_l = len(l_cell.state_info)
        l_out, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_l], layout=layout, merge_outputs=merge_outputs)
        r_out, r_states = r_cell.unroll(length, inputs=list(reversed(inputs)), begin_state=states[n_l:], layout=layout, merge_outputs=merge_outputs)
        if merge_outputs is None:
            merge_outputs = isinstance(l_out, _sym.Symbol) and isinstance(r_out, _sym.Symbol)
            if not merge_outputs:
                if isinstance(l_out, _sym.Symbol):
                    l_out = list(_sym.SliceChannel(l_out, axis=axis, num_outputs=length, squeeze_axis=1))
                if isinstance(r_out, _sym.Symbol):
                    r_out = list(_sym.SliceChannel(r_out, axis=axis, num_outputs=length, squeeze_axis=1))
        if merge_outputs:
            return _sym.Concat(l_out, _sym.reverse(r_out, axis=axis), dim=2, name=f"{self._output_prefix}out"), [l_states, r_states]
        r_out = list(reversed(r_out))
        outputs = [_sym.Concat(lo, ro, dim=1, name=f"{self._output_prefix}t{i}") for i, (lo, ro) in enumerate(zip(l_out, r_out))]
        return outputs, [l_states, r_states]
