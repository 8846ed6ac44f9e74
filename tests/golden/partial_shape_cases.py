"""Partial shape inference cases shared by tests/golden/make_partial_shape.py (real
MXNet 1.9.1) and tests/test_partial_shape.py (mxpy).

Each case is ``fn(mx) -> (symbol, known_shapes, how)``: ``how`` is "partial" for
``infer_shape_partial`` and "full" for ``infer_shape``; a case named ``np_*`` runs
under ``mx.np_shape(True)`` (-1 is unknown there, 0 a real size). ``run(mx, name)``
gives what the call returned, as JSON-able lists, or the name of the error raised.
"""

import warnings

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def elemwise_both_ways(mx):
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.Variable("b", shape=(12, 0))
    return a + b, {}, "full"


@case
def fc_weight_and_batch(mx):
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.FullyConnected(data=a, num_hidden=21, name="fc")
    c = mx.sym.Variable("c", shape=(5, 0))
    return b + c, {}, "full"


@case
def fc_partial_only(mx):
    x = mx.sym.Variable("x", shape=(0, 3, 2))
    return mx.sym.FullyConnected(data=x, num_hidden=4, name="fc"), {}, "partial"


@case
def zeros_begin_state(mx):
    # a zero begin state of batch 0 learns its batch size through h2h + i2h
    data = mx.sym.Variable("data")
    h0 = mx.sym.zeros(shape=(0, 4))
    i2h = mx.sym.FullyConnected(data=data, num_hidden=8, name="i2h")
    h2h = mx.sym.FullyConnected(data=h0, num_hidden=8, name="h2h")
    return mx.sym.Group([i2h + h2h, h0 * 1]), {"data": (3, 5)}, "full"


@case
def split_squeeze(mx):
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.SliceChannel(data=a, num_outputs=10, axis=1, squeeze_axis=True)
    return b[1] + mx.sym.Variable("c", shape=(5,)), {}, "full"


@case
def split_keep_axis(mx):
    a = mx.sym.Variable("a", shape=(0, 15, 0))
    b = mx.sym.SliceChannel(data=a, num_outputs=3, squeeze_axis=False)
    return b[1] + mx.sym.Variable("c", shape=(3, 5, 2)), {}, "full"


@case
def conv_back_to_data(mx):
    a = mx.sym.Variable("a", shape=(0, 10, 0, 0))
    b = mx.sym.Convolution(data=a, num_filter=21, kernel=(3, 3), dilate=(1, 1), pad=(1, 1), name="conv")
    return b + mx.sym.Variable("c", shape=(5, 21, 32, 32)), {}, "full"


@case
def conv_partial_weight(mx):
    data = mx.sym.Variable("data", shape=(1, 0, 0, 0))
    w = mx.sym.cast(mx.sym.Variable("weight"), dtype="float16")
    net = mx.sym.Convolution(data=mx.sym.cast(data, dtype="float16"), weight=w, pad=(3, 3), num_filter=64, stride=(2, 2), no_bias=True, kernel=(7, 7))
    return net, {}, "partial"


@case
def concat_shared_dims(mx):
    a = mx.sym.Variable("a", shape=(0, 10))
    b = mx.sym.Variable("b", shape=(0, 5))
    c = mx.sym.Concat(a, b, num_args=2, dim=1)
    return mx.sym.Variable("d", shape=(2, 0)) + c, {}, "full"


@case
def concat_unknown_length(mx):
    a = mx.sym.Variable("a", shape=(3, 0))
    b = mx.sym.Variable("b", shape=(3, 4))
    return mx.sym.Concat(a, b, num_args=2, dim=1), {}, "partial"


@case
def dot_unknown_batch(mx):
    z = mx.sym.dot(mx.sym.Variable("x"), mx.sym.Variable("y"))
    return z, {"x": (0, 3, 4), "y": (4, 5)}, "partial"


@case
def batch_dot_unknown_batch(mx):
    z = mx.sym.batch_dot(mx.sym.Variable("x"), mx.sym.Variable("y"))
    return z, {"x": (0, 3, 4), "y": (0, 4, 5)}, "partial"


@case
def batch_dot_unknown_inner(mx):
    z = mx.sym.batch_dot(mx.sym.Variable("x"), mx.sym.Variable("y"))
    return z, {"x": (0, 3, 4), "y": (0, 0, 5)}, "partial"


@case
def embedding_unknown_batch(mx):
    y = mx.sym.Embedding(data=mx.sym.Variable("x"), weight=mx.sym.Variable("w"), input_dim=100, output_dim=10)
    return y, {"x": (0, 5), "w": (100, 10)}, "partial"


@case
def transpose_unknown_batch(mx):
    return mx.sym.transpose(mx.sym.Variable("x"), axes=(0, 3, 2, 1)), {"x": (0, 3, 224, 224)}, "partial"


@case
def transpose_backward(mx):
    t = mx.sym.transpose(mx.sym.ones(shape=(-1, -1)))
    return mx.sym.ones(shape=(2, 3)) + t, {}, "full"


@case
def transpose_mixed(mx):
    t = mx.sym.transpose(mx.sym.ones(shape=(3, -1)))
    return mx.sym.ones(shape=(2, -1)) + t, {}, "full"


@case
def pick_unknown_batch(mx):
    y = mx.sym.pick(mx.sym.Variable("x"), mx.sym.Variable("index"), axis=1)
    return y, {"x": (0, 3, 3), "index": (0, 3)}, "partial"


@case
def where_needs_condition(mx):
    w = mx.sym.where(mx.sym.Variable("cond"), mx.sym.Variable("x"), mx.sym.Variable("y"))
    return w, {"cond": (0, 2), "x": (0, 2), "y": (0, 2)}, "partial"


@case
def where_known_condition(mx):
    w = mx.sym.where(mx.sym.Variable("cond"), mx.sym.Variable("x"), mx.sym.Variable("y"))
    return w, {"cond": (4, 2), "x": (0, 2)}, "partial"


@case
def reshape_codes_partial(mx):
    x = mx.sym.Variable("x", shape=(0, 2, 3))
    return mx.sym.Group([mx.sym.Reshape(x, shape=(0, -1)), mx.sym.Reshape(x, shape=(-1, 3)), mx.sym.Reshape(x, shape=(0, -3))]), {}, "partial"


@case
def reshape_backward(mx):
    x = mx.sym.Variable("x", shape=(0, 6))
    y = mx.sym.Reshape(x, shape=(-1, 3))
    return y + mx.sym.Variable("y", shape=(4, 3)), {}, "full"


@case
def reshape_holdout_dims(mx):
    x = mx.sym.Variable("x", shape=(0, 0, 4))
    return mx.sym.Reshape(x, shape=(0, 0, 2, 2)), {}, "partial"


@case
def broadcast_partial(mx):
    a = mx.sym.Variable("a", shape=(0, 3))
    return (
        mx.sym.Group([mx.sym.broadcast_add(a, mx.sym.Variable("b", shape=(1, 3))), mx.sym.broadcast_mul(a, mx.sym.Variable("c", shape=(4, 1)))]),
        {},
        "partial",
    )


@case
def slice_partial(mx):
    x = mx.sym.var("data", shape=(0, 20))
    return (
        mx.sym.Group(
            [
                mx.sym.slice(x, begin=(None, 3), end=(5, 10)),
                mx.sym.slice(x, begin=(2, 3), end=(None, 10), step=(3, 3)),
                mx.sym.slice_axis(x, axis=0, begin=0, end=5),
                mx.sym.slice_axis(x, axis=1, begin=0, end=5),
            ]
        ),
        {},
        "partial",
    )


@case
def unary_chain_partial(mx):
    x = mx.sym.Variable("x", shape=(0, 7))
    y = mx.sym.Activation(mx.sym.cast(x, dtype="float16"), act_type="relu")
    return mx.sym.Group([mx.sym.exp(y), mx.sym.Flatten(mx.sym.expand_dims(y, axis=2)), mx.sym.sum(y, axis=1)]), {}, "partial"


@case
def softmax_output_label(mx):
    pred = mx.sym.FullyConnected(mx.sym.Variable("data", shape=(0, 6)), num_hidden=5, name="fc")
    return mx.sym.SoftmaxOutput(pred, name="softmax"), {}, "partial"


@case
def pooling_unknown_batch(mx):
    x = mx.sym.Variable("x", shape=(0, 3, 8, 8))
    return mx.sym.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type="max"), {}, "partial"


@case
def layers_keep_unknown_batch(mx):
    x = mx.sym.Variable("x", shape=(0, 3, 8, 8))
    return (
        mx.sym.Group(
            [
                mx.sym.BatchNorm(x, name="bn"),
                mx.sym.Dropout(x, p=0.5),
                mx.sym.Deconvolution(x, kernel=(2, 2), num_filter=4, name="dc"),
                mx.sym.LeakyReLU(x, act_type="prelu", name="pr"),
                mx.sym.softmax(x, axis=1),
                mx.sym.LayerNorm(mx.sym.Variable("v", shape=(0, 5)), name="ln"),
                mx.sym.SequenceLast(mx.sym.Variable("s", shape=(4, 0, 5))),
            ]
        ),
        {},
        "partial",
    )


@case
def ops_waiting_for_known_input(mx):
    a = mx.sym.Variable("a", shape=(0, 3))
    i = mx.sym.Variable("i", shape=(0,))
    return mx.sym.Group([mx.sym.take(mx.sym.Variable("w", shape=(10, 3)), i), mx.sym.one_hot(i, depth=4), mx.sym.tile(a, reps=(2, 2))]), {}, "partial"


@case
def stack_merges_inputs(mx):
    return mx.sym.stack(mx.sym.Variable("a", shape=(0, 3)), mx.sym.Variable("b", shape=(2, 3))), {}, "partial"


@case
def fused_lstm_begin_state(mx):
    cell = mx.rnn.FusedRNNCell(6, num_layers=1, mode="lstm", prefix="f_")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the NTC layout note
        out, _ = cell.unroll(3, inputs=mx.sym.Variable("data"), merge_outputs=True)
    return out, {"data": (2, 3, 4)}, "full"


@case
def incomplete_returns_none(mx):
    data = mx.sym.Variable("data")
    x2h = mx.sym.FullyConnected(data=data, name="x2h", num_hidden=8)
    h2h = mx.sym.FullyConnected(data=mx.sym.Variable("prev"), name="h2h", num_hidden=8)
    return mx.sym.Activation(x2h + h2h, act_type="relu"), {"data": (4, 6)}, "full"


@case
def incomplete_partial_view(mx):
    sym, known, _ = incomplete_returns_none(mx)
    return sym, known, "partial"


@case
def legacy_lstm_unroll(mx):
    # mx.rnn cells' default begin states are zeros of batch 0, filled by inference
    stack = mx.rnn.SequentialRNNCell()
    for i in range(2):
        stack.add(mx.rnn.LSTMCell(num_hidden=6, prefix=f"l{i}_"))
    embed = mx.sym.Embedding(mx.sym.Variable("data"), input_dim=20, output_dim=5, name="embed")
    outputs, states = stack.unroll(4, inputs=embed, merge_outputs=True)
    pred = mx.sym.FullyConnected(mx.sym.Reshape(outputs, shape=(-1, 6)), num_hidden=20, name="pred")
    return mx.sym.Group([pred, *states]), {"data": (3, 4)}, "full"


@case
def legacy_gru_states_as_variables(mx):
    cell = mx.rnn.GRUCell(num_hidden=5, prefix="gru_")
    begin = cell.begin_state(func=mx.sym.Variable)
    outputs, states = cell.unroll(3, begin_state=begin, inputs=mx.sym.Variable("data"), merge_outputs=True)
    return mx.sym.Group([outputs, *states]), {"data": (2, 3, 4)}, "full"


@case
def np_dot_unknown_batch(mx):
    z = mx.sym.dot(mx.sym.Variable("x"), mx.sym.Variable("y"))
    return z, {"x": (-1, 3, 4), "y": (4, 5)}, "partial"


@case
def np_unknown_is_none(mx):
    return mx.sym.sin(mx.sym.var("data")), {}, "partial"


@case
def np_slice_partial(mx):
    x = mx.sym.var("data", shape=(-1, 20))
    return mx.sym.slice(x, begin=(None, 3), end=(None, 10)), {}, "partial"


def _lists(shapes):
    return None if shapes is None else [None if s is None else list(s) for s in shapes]


def run(mx, name):
    """What ``name``'s inference call returns in ``mx``: {args: {name: shape}, outs, aux} or {error}."""

    def go():
        sym, known, how = CASES[name](mx)
        call = sym.infer_shape_partial if how == "partial" else sym.infer_shape
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                args, outs, aux = call(**known)
        except mx.base.MXNetError:
            return {"error": "MXNetError"}
        if args is None:
            return {"args": None, "outs": None, "aux": None}
        return {"args": dict(zip(sym.list_arguments(), _lists(args))), "outs": _lists(outs), "aux": dict(zip(sym.list_auxiliary_states(), _lists(aux)))}

    if name.startswith("np_"):
        with mx.np_shape(True):
            return go()
    return go()
