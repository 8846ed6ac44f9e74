"""Contributed recurrent cells: :class:`VariationalDropoutCell` and :class:`LSTMPCell`.

>>> import mxpy as mx
>>> cell = mx.gluon.contrib.rnn.LSTMPCell(8, 3)
>>> cell.initialize()
>>> out, (r, c) = cell(mx.nd.ones((2, 5)), cell.begin_state(batch_size=2))
>>> out.shape, c.shape
((2, 3), (2, 8))
"""

from __future__ import annotations

from ....base import _as_list
from ...parameter import tensor_types
from ...rnn import BidirectionalCell, HybridRecurrentCell, ModifierCell, SequentialRNNCell
from ...rnn.rnn_cell import _format_sequence, _get_begin_state, _mask_sequence_variable_length

__all__ = ["VariationalDropoutCell", "LSTMPCell"]


class VariationalDropoutCell(ModifierCell):
    """Variational dropout (Gal and Ghahramani, 2016) around ``base_cell``: one
    dropout mask per sequence, shared by every time step, for the inputs
    (``drop_inputs``), the first state (``drop_states``) and the outputs
    (``drop_outputs``). The masks are drawn at the first step and kept until
    ``reset()`` (``unroll`` resets).

    >>> cell = mx.gluon.contrib.rnn.VariationalDropoutCell(mx.gluon.rnn.GRUCell(4), drop_inputs=0.5)
    >>> cell.initialize()
    >>> cell.unroll(3, mx.nd.ones((2, 3, 5)), merge_outputs=True)[0].shape
    (2, 3, 4)
    """

    def __init__(self, base_cell, drop_inputs=0.0, drop_states=0.0, drop_outputs=0.0):
        if drop_states and isinstance(base_cell, BidirectionalCell):
            raise AssertionError(
                "BidirectionalCell doesn't support variational state dropout. Please add VariationalDropoutCell to the cells underneath instead."
            )
        if drop_states and isinstance(base_cell, SequentialRNNCell) and getattr(base_cell, "_bidirectional", False):
            raise AssertionError(
                "Bidirectional SequentialRNNCell doesn't support variational state dropout. Please add VariationalDropoutCell to the cells underneath instead."
            )
        super().__init__(base_cell)
        self.drop_inputs = drop_inputs
        self.drop_states = drop_states
        self.drop_outputs = drop_outputs
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _alias(self) -> str:
        return "vardrop"

    def reset(self) -> None:
        super().reset()
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _initialize_input_masks(self, F, inputs, states):
        # Dropout of ones is the scaled keep-mask in training and ones otherwise
        if self.drop_states and self.drop_states_mask is None:
            self.drop_states_mask = F.Dropout(F.ones_like(states[0]), p=self.drop_states)
        if self.drop_inputs and self.drop_inputs_mask is None:
            self.drop_inputs_mask = F.Dropout(F.ones_like(inputs), p=self.drop_inputs)

    def _initialize_output_mask(self, F, output):
        if self.drop_outputs and self.drop_outputs_mask is None:
            self.drop_outputs_mask = F.Dropout(F.ones_like(output), p=self.drop_outputs)

    def hybrid_forward(self, F, inputs, states):
        self._initialize_input_masks(F, inputs, states)
        if self.drop_states:
            states = list(states)
            states[0] = states[0] * self.drop_states_mask
        if self.drop_inputs:
            inputs = inputs * self.drop_inputs_mask
        next_output, next_states = self.base_cell(inputs, states)
        self._initialize_output_mask(F, next_output)
        if self.drop_outputs:
            next_output = next_output * self.drop_outputs_mask
        return next_output, next_states

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p_out = {self.drop_outputs}, p_state = {self.drop_states})"

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        """As :meth:`RecurrentCell.unroll`; without state dropout the input and output
        masks are applied to the whole sequence at once (shared along the time axis)."""
        if self.drop_states:
            return super().unroll(length, inputs, begin_state, layout, merge_outputs, valid_length=valid_length)
        self.reset()
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, True)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        if self.drop_inputs:
            inputs = F.Dropout(inputs, p=self.drop_inputs, axes=(axis,))
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs, states, layout, merge_outputs=True, valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        if self.drop_outputs:
            outputs = F.Dropout(outputs, p=self.drop_outputs, axes=(axis,))
        merge_outputs = isinstance(outputs, tensor_types) if merge_outputs is None else merge_outputs
        outputs, _, _, _ = _format_sequence(length, outputs, layout, merge_outputs)
        if valid_length is not None:
            outputs = _mask_sequence_variable_length(F, outputs, length, valid_length, axis, merge_outputs)
        return outputs, states


class LSTMPCell(HybridRecurrentCell):
    """LSTM with a projected recurrent state (Sak et al., 2014): the hidden
    ``h_t = o * tanh(c_t)`` (``hidden_size``) is projected to
    ``r_t = W_hr h_t`` (``projection_size``), which is the output and feeds
    the next step.

    Parameters: ``hidden_size``, ``projection_size``, ``i2h_weight_initializer``,
    ``h2h_weight_initializer``, ``h2r_weight_initializer``,
    ``i2h_bias_initializer`` ('zeros'), ``h2h_bias_initializer`` ('zeros'),
    ``input_size`` (0 = inferred), ``prefix`` (default ``lstmp<k>_``), ``params``.
    States ``[r (N, P), c (N, H)]``.
    """

    def __init__(
        self,
        hidden_size,
        projection_size,
        i2h_weight_initializer=None,
        h2h_weight_initializer=None,
        h2r_weight_initializer=None,
        i2h_bias_initializer="zeros",
        h2h_bias_initializer="zeros",
        input_size=0,
        prefix=None,
        params=None,
    ):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._projection_size = projection_size
        gh = 4 * hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(gh, input_size), init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(gh, projection_size), init=h2h_weight_initializer, allow_deferred_init=True)
        self.h2r_weight = self.params.get("h2r_weight", shape=(projection_size, hidden_size), init=h2r_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(gh,), init=i2h_bias_initializer, allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(gh,), init=h2h_bias_initializer, allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._projection_size), "__layout__": "NC"}, {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self) -> str:
        return "lstmp"

    def __repr__(self) -> str:
        shape = self.i2h_weight.shape
        return f"{type(self).__name__}({shape[1] if shape[1] else None} -> {shape[0]} -> {self.h2r_weight.shape[0]})"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, h2r_weight, i2h_bias, h2h_bias):
        prefix = f"t{self._counter}_"
        nh = self._hidden_size * 4
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=nh, name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias, num_hidden=nh, name=prefix + "h2h")
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice")
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        in_transform = F.Activation(gates[2], act_type="tanh", name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * in_transform, name=prefix + "state")
        hidden = F.elemwise_mul(out_gate, F.Activation(next_c, act_type="tanh"), name=prefix + "hidden")
        next_r = F.FullyConnected(data=hidden, num_hidden=self._projection_size, weight=h2r_weight, no_bias=True, name=prefix + "out")
        return next_r, [next_r, next_c]


def dynamic_unroll(cell, inputs, begin_state, drop_inputs=0, drop_outputs=0, layout="TNC", valid_length=None):
    """Run ``cell`` over every step of ``inputs`` with the ``foreach`` operator (one graph node, any length).

    ``inputs`` is one tensor laid out as ``layout`` ('TNC' or 'NTC');
    ``begin_state`` the cell's initial states. ``drop_inputs``/``drop_outputs``
    apply dropout shared over the time axis. With ``valid_length`` (shape
    ``(batch,)``), each sequence's states stop changing after its last valid
    step and the outputs past it are zero. Returns ``(outputs, states)``,
    the outputs merged in ``layout``.

    >>> import mxpy as mx
    >>> cell = mx.gluon.rnn.RNNCell(4)
    >>> cell.initialize()
    >>> x = mx.nd.ones((3, 2, 5))
    >>> out, states = mx.gluon.contrib.rnn.rnn_cell.dynamic_unroll(cell, x, cell.begin_state(batch_size=2), valid_length=mx.nd.array([2, 3]))
    >>> out.shape, float(out[2, 0].abs().sum().asscalar())
    ((3, 2, 4), 0.0)
    """
    inputs, axis, F, _ = _format_sequence(0, inputs, layout, True)
    axes = None
    if axis != 0:
        axes = list(range(len(layout)))
        axes[0], axes[axis] = axes[axis], axes[0]
        inputs = F.transpose(inputs, axes=axes)
    if drop_inputs:
        inputs = F.Dropout(inputs, p=drop_inputs, axes=(axis,))
    states = begin_state
    if valid_length is None:

        def step(x, cell_states):
            return cell(x, cell_states)

    else:
        # the last state counts the steps, so a step past a sequence's length keeps its old states
        states = [*_as_list(states), F.zeros((1,))]

        def step(x, loop_states):
            cell_states, count = loop_states[:-1], loop_states[-1]
            out, new_states = cell(x, cell_states)
            running = F.broadcast_greater(valid_length, count)
            kept = [F.where(running, new, old) for new, old in zip(new_states, cell_states)]
            return out, [*kept, count + 1]

    outputs, states = F.contrib.foreach(step, inputs, states)
    if drop_outputs:
        outputs = F.Dropout(outputs, p=drop_outputs, axes=(axis,))
    if axes is not None:
        outputs = F.transpose(outputs, axes=axes)
    if valid_length is not None:
        outputs = F.SequenceMask(outputs, sequence_length=valid_length, use_sequence_length=True, axis=axis)
        return outputs, states[:-1]
    return outputs, states
