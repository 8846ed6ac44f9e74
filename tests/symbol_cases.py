"""Symbols built the same way under MXNet (golden makers) and mxpy (tests).

``CASES`` build one Symbol each: the goldens hold its JSON and listings.
``PROBES`` return plain JSON data about Symbol API behaviour (attributes,
internals, inference results, which exception class a misuse raises).
"""

import warnings


def tutorial(mx):
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    c = (a + b) / 10
    return c + 1


def scalars(mx):
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    return mx.sym.Group([2 - a, -a, a * b, a - 2, a / 2, a**2, 3 / a, a % 2, mx.sym.elemwise_add(a, b), mx.sym.broadcast_add(a, b)])


def more_scalars(mx):
    a = mx.sym.Variable("A")
    b = mx.sym.Variable("B")
    return mx.sym.Group([a + 1.5, 1 + a, a * 3, 4 * a, a - b, a / b, a % b, a**b, 2**a, 5 % a, a + b + a, a * 1])


def comparisons(mx):
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    outs = [a == b, a != b, a > b, a >= b, a < b, a <= b]
    outs += [a == 1, a != 1, a > 2, a >= 2, a < 3, a <= 3]
    outs += [1 == a, 1 != a, 2 > a, 2 >= a, 3 < a, 3 <= a]
    return mx.sym.Group(outs)


def variables(mx):
    x = mx.sym.Variable("x", shape=(2, 3), lr_mult=2.0, wd_mult=0.5, dtype="float16", __foo__="bar")
    return x * 2


def variable_init(mx):
    x = mx.sym.Variable("x", init='["uniform", {"scale": 0.1}]')
    y = mx.sym.Variable("y", init='["xavier", {"magnitude": 2.0}]', shape=(4,), dtype="int32")
    z = mx.sym.var("z", stype="row_sparse", lr_mult=0, attr={"mood": "calm"})
    return mx.sym.Group([x, y, z])


def reshape_names(mx):
    a = mx.sym.Variable("data")
    r = mx.sym.Reshape(a, shape=(0, -1))
    return mx.sym.reshape(r, shape=(-1,), name="flat")


def aliases(mx):
    x = mx.sym.Variable("x")
    y = mx.sym.Variable("y")
    outs = [
        mx.sym.flatten(x),
        mx.sym.Flatten(x),
        mx.sym.relu(x),
        mx.sym.Activation(x, act_type="relu"),
        mx.sym.sum(x, axis=1),
        mx.sym.sum_axis(x, axis=1),
        mx.sym.broadcast_plus(x, y),
        mx.sym.broadcast_add(x, y),
        mx.sym.elemwise_add(x, y),
        mx.sym.concat(x, y),
        mx.sym.Concat(x, y, dim=0),
        mx.sym.SwapAxis(x, dim1=0, dim2=1),
        mx.sym.swapaxes(x, dim1=0, dim2=1),
        mx.sym.Cast(x, dtype="float16"),
        mx.sym.cast(x, dtype="int32"),
        mx.sym.identity(x),
        mx.sym.BlockGrad(x),
        mx.sym.stop_gradient(x),
        mx.sym.transpose(x),
        mx.sym.expand_dims(x, axis=0),
        mx.sym.exp(x),
        mx.sym.sqrt(x),
        mx.sym.negative(x),
        mx.sym.dot(x, y),
        mx.sym.mean(x),
        mx.sym.max(x, axis=0),
        mx.sym.softmax(x),
        mx.sym.SoftmaxActivation(x),
        mx.sym.clip(x, a_min=0, a_max=1),
        mx.sym.slice_axis(x, axis=0, begin=0, end=1),
        mx.sym.take(x, y),
        mx.sym.where(x, y, x),
        mx.sym.zeros_like(x),
        mx.sym.ones_like(x),
        mx.sym.argmax(x, axis=0),
        mx.sym.square(x),
        mx.sym.L2Normalization(x),
    ]
    return mx.sym.Group(outs)


def split_names(mx):
    x = mx.sym.Variable("x")
    a = mx.sym.split(x, num_outputs=3, axis=1)
    b = mx.sym.SliceChannel(x, num_outputs=2)
    c = mx.sym.split(x, num_outputs=2, squeeze_axis=True)
    return mx.sym.Group([a, b[1], c[0]])


def mlp(mx):
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=128)
    act1 = mx.sym.Activation(data=fc1, name="relu1", act_type="relu")
    fc2 = mx.sym.FullyConnected(data=act1, name="fc2", num_hidden=64)
    act2 = mx.sym.Activation(data=fc2, name="relu2", act_type="relu")
    fc3 = mx.sym.FullyConnected(data=act2, name="fc3", num_hidden=10)
    return mx.sym.SoftmaxOutput(data=fc3, name="softmax")


def mlp_auto(mx):
    data = mx.sym.Variable("data")
    h = mx.sym.FullyConnected(data, num_hidden=32)
    h = mx.sym.Activation(h, act_type="tanh")
    h = mx.sym.FullyConnected(h, num_hidden=16, no_bias=True)
    h = mx.sym.Dropout(h, p=0.3)
    h = mx.sym.FullyConnected(h, num_hidden=4, flatten=False)
    return mx.sym.SoftmaxOutput(h)


def lenet(mx):
    data = mx.sym.Variable("data")
    conv1 = mx.sym.Convolution(data=data, kernel=(5, 5), num_filter=20)
    tanh1 = mx.sym.Activation(data=conv1, act_type="tanh")
    pool1 = mx.sym.Pooling(data=tanh1, pool_type="max", kernel=(2, 2), stride=(2, 2))
    conv2 = mx.sym.Convolution(data=pool1, kernel=(5, 5), num_filter=50)
    tanh2 = mx.sym.Activation(data=conv2, act_type="tanh")
    pool2 = mx.sym.Pooling(data=tanh2, pool_type="max", kernel=(2, 2), stride=(2, 2))
    flatten = mx.sym.Flatten(data=pool2)
    fc1 = mx.sym.FullyConnected(data=flatten, num_hidden=500)
    tanh3 = mx.sym.Activation(data=fc1, act_type="tanh")
    fc2 = mx.sym.FullyConnected(data=tanh3, num_hidden=10)
    return mx.sym.SoftmaxOutput(data=fc2, name="softmax")


def resblock(mx):
    data = mx.sym.Variable("data")
    body = mx.sym.Convolution(data, num_filter=8, kernel=(3, 3), pad=(1, 1), no_bias=True, name="conv0")
    body = mx.sym.BatchNorm(body, fix_gamma=False, eps=2e-5, momentum=0.9, name="bn0")
    body = mx.sym.Activation(body, act_type="relu", name="relu0")
    short = body
    body = mx.sym.Convolution(body, num_filter=8, kernel=(3, 3), pad=(1, 1), no_bias=True)
    body = mx.sym.BatchNorm(body)
    body = mx.sym.Activation(body, act_type="relu")
    body = mx.sym.Convolution(body, num_filter=8, kernel=(3, 3), stride=(1, 1), pad=(1, 1), no_bias=True)
    body = mx.sym.BatchNorm(body, use_global_stats=True)
    body = body + short
    body = mx.sym.Pooling(body, global_pool=True, kernel=(7, 7), pool_type="avg")
    body = mx.sym.Flatten(body)
    body = mx.sym.Dropout(body, p=0.5)
    body = mx.sym.FullyConnected(body, num_hidden=10)
    return mx.sym.SoftmaxOutput(body, name="softmax")


def attr_scope(mx):
    data = mx.sym.Variable("data")
    with mx.AttrScope(ctx_group="dev1", lr_mult="2"):
        fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
        with mx.AttrScope(ctx_group="dev2", __mood__="happy"):
            bn = mx.sym.BatchNorm(fc, name="bn")
    v = mx.sym.Variable("v", attr={"ctx_group": "dev3"}, lr_mult=3)
    out = mx.sym.FullyConnected(bn, weight=v, num_hidden=3, attr={"wd_mult": "0.1", "__note__": "x"})
    return out


def prefix_names(mx):
    data = mx.sym.Variable("data")
    with mx.name.Prefix("net_"):
        a = mx.sym.FullyConnected(data, num_hidden=4)
        b = mx.sym.FullyConnected(a, num_hidden=4, name="named")
        v = mx.sym.Variable("w")
        c = b * v
        with mx.name.Prefix("inner_"):
            d = mx.sym.Activation(c, act_type="relu")
            with mx.name.NameManager():
                e = mx.sym.Activation(d, act_type="relu")
        f = mx.sym.Activation(e, act_type="relu")
    return f + 1


def variadic(mx):
    xs = [mx.sym.Variable(f"x{i}") for i in range(12)]
    c = mx.sym.Concat(*xs, dim=1)
    s = mx.sym.add_n(*xs[:3])
    t = mx.sym.stack(*xs[:4], axis=1)
    e = mx.sym.ElementWiseSum(xs[0], xs[1], name="esum")
    return mx.sym.Group([c, s, t, e])


def big_chain(mx):
    h = mx.sym.Variable("data")
    for i in range(12):
        h = mx.sym.FullyConnected(h, num_hidden=8 + i)
    return h


def multi_output(mx):
    x = mx.sym.Variable("x")
    bn = mx.sym.BatchNorm(x, output_mean_var=True)
    tk = mx.sym.topk(x, k=2, ret_typ="both")
    tk2 = mx.sym.topk(x, k=2)
    sc = mx.sym.SliceChannel(x, num_outputs=3)
    return mx.sym.Group([bn, tk, tk2, sc[2], sc])


def rnn_params(mx):
    x = mx.sym.Variable("x")
    r1 = mx.sym.RNN(x, state_size=8, num_layers=1, mode="lstm", state_outputs=True)
    r2 = mx.sym.RNN(x, state_size=4, num_layers=2, mode="gru", bidirectional=True, name="gru")
    r3 = mx.sym.RNN(x, state_size=4, num_layers=1, mode="rnn_tanh", state_outputs=True)
    return mx.sym.Group([r1, r2, r3])


def param_layers(mx):
    x = mx.sym.Variable("x")
    i = mx.sym.Variable("idx")
    outs = [
        mx.sym.LeakyReLU(x, act_type="prelu"),
        mx.sym.LeakyReLU(x, act_type="leaky", slope=0.1),
        mx.sym.Embedding(i, input_dim=10, output_dim=4),
        mx.sym.UpSampling(x, scale=2, sample_type="bilinear", num_filter=3),
        mx.sym.UpSampling(x, scale=2, sample_type="nearest"),
        mx.sym.Deconvolution(x, kernel=(2, 2), num_filter=3),
        mx.sym.Convolution(x, kernel=(3,), num_filter=2, num_group=1),
        mx.sym.InstanceNorm(x),
        mx.sym.LayerNorm(x),
        mx.sym.BatchNorm(x, name="bnx", fix_gamma=True),
        mx.sym.LinearRegressionOutput(x),
        mx.sym.MakeLoss(x),
        mx.sym.LRN(x, nsize=3),
        mx.sym.SequenceMask(x, use_sequence_length=False),
    ]
    return mx.sym.Group(outs)


def groups_of_groups(mx):
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    g1 = mx.sym.Group([a, b])
    g2 = mx.sym.Group([g1, a + b])
    return mx.sym.Group([g2, g1])


def compose(mx):
    data = mx.sym.Variable("data")
    net1 = mx.sym.FullyConnected(data=data, name="fc1", num_hidden=10)
    net1 = mx.sym.FullyConnected(data=net1, name="fc2", num_hidden=100)
    data2 = mx.sym.Variable("data2")
    net2 = mx.sym.FullyConnected(data=data2, name="fc3", num_hidden=10)
    net2 = mx.sym.Activation(data=net2, act_type="relu")
    composed = net2(data2=net1, name="composed")
    again = net2(data2=mx.sym.Variable("p"))
    return mx.sym.Group([composed, again])


def internals_json(mx):
    return lenet(mx).get_internals()


def children_json(mx):
    x = mx.sym.Variable("x")
    fc = mx.sym.FullyConnected(x, num_hidden=3, name="fc")
    return fc.get_children()


def copies(mx):
    import copy

    x = mx.sym.Variable("x")
    y = mx.sym.FullyConnected(x, num_hidden=3, name="fc")
    c = copy.copy(y)
    d = copy.deepcopy(y)
    c._set_attr(__mood__="changed")
    return mx.sym.Group([y, c, d])


CASES = {
    name: fn
    for name, fn in list(globals().items())
    if callable(fn) and not name.startswith("_") and fn.__module__ == __name__ and name not in ("probe", "catch") and not name.startswith("probe_")
}


# -- probes: plain data about API behaviour --------------------------------------------


def catch(fn):
    """The exception class name ``fn()`` raises, or its value."""
    try:
        return {"value": fn()}
    except Exception as e:  # noqa: BLE001 - the class name is what we compare
        return {"error": type(e).__name__}


def probe_attrs(mx):
    out = {}
    data = mx.sym.Variable("data", lr_mult=2.0)
    with mx.AttrScope(ctx_group="dev1", lr_mult="3", __mood__="ok"):
        fc = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
        v = mx.sym.Variable("v")
    with mx.AttrScope(mood="plain"):
        out["plain_scope_var"] = mx.sym.Variable("pv").list_attr()
        out["plain_scope_op"] = catch(lambda: mx.sym.FullyConnected(data, num_hidden=4).list_attr())
    out["fc_list_attr"] = fc.list_attr()
    out["v_list_attr"] = v.list_attr()
    out["data_list_attr"] = data.list_attr()
    out["attr_dict"] = fc.attr_dict()
    out["fc_attr"] = {k: fc.attr(k) for k in ("ctx_group", "__ctx_group__", "lr_mult", "__lr_mult__", "mood", "__mood__", "num_hidden", "nope")}
    out["data_attr"] = {k: data.attr(k) for k in ("lr_mult", "__lr_mult__")}
    g = mx.sym.Group([fc, v])
    out["group_list_attr"] = catch(lambda: g.list_attr())
    out["group_attr"] = catch(lambda: g.attr("mood"))
    out["recursive"] = catch(lambda: fc.list_attr(recursive=True))
    # MXNet keeps a rejected attribute on the node; mxpy does not, so each
    # failing call gets its own symbol
    out["set_plain_on_op"] = catch(lambda: mx.sym.FullyConnected(data, num_hidden=4)._set_attr(mood="sad"))
    out["set_bad_param_on_op"] = catch(lambda: mx.sym.FullyConnected(data, num_hidden=4)._set_attr(num_hidden="five"))
    fc2 = mx.sym.FullyConnected(data, num_hidden=4, name="fc2")
    fc2._set_attr(num_hidden="5")
    out["set_param_on_op"] = [fc2.list_attr(), fc2.infer_shape(data=(2, 3))[1][0]]
    v._set_attr(mood="sad", extra="1")
    fc._set_attr(__mood__="sad", lr_mult="7")
    out["after_set_var"] = v.list_attr()
    out["after_set"] = fc.list_attr()
    out["set_nonstring"] = catch(lambda: fc._set_attr(extra=1))
    out["scope_nonstring"] = catch(lambda: mx.AttrScope(x=1))
    out["var_bad_kw"] = catch(lambda: mx.sym.Variable("q", foo="bar"))
    return out


def probe_structure(mx):
    out = {}
    x = mx.sym.Variable("x")
    bn = mx.sym.BatchNorm(x, output_mean_var=True, name="bn")
    sc = mx.sym.SliceChannel(x, num_outputs=3, name="sc")
    tk = mx.sym.topk(x, ret_typ="both", name="tk")
    rnn = mx.sym.RNN(x, state_size=4, num_layers=1, mode="lstm", state_outputs=True, name="rnn")
    rnn_plain = mx.sym.RNN(x, state_size=4, num_layers=1, mode="lstm", name="rnn2")
    bn_plain = mx.sym.BatchNorm(x, name="bn2")
    for key, s in (("bn", bn), ("sc", sc), ("tk", tk), ("rnn", rnn), ("rnn_plain", rnn_plain), ("bn_plain", bn_plain)):
        out[key] = {
            "outputs": s.list_outputs(),
            "len": len(s),
            "iter": [t.name for t in s],
            "internals": s.get_internals().list_outputs(),
            "children": s.get_children().list_outputs(),
            "name": s.name,
            "inputs": s.list_inputs(),
        }
    out["index_int"] = sc[1].list_outputs()
    out["index_neg"] = catch(lambda: sc[-1].list_outputs())
    out["index_name"] = sc["sc_output2"].list_outputs()
    out["index_bad_name"] = catch(lambda: sc["nope"])
    out["index_range"] = catch(lambda: sc[3])
    out["index_slice"] = catch(lambda: sc[0:2].list_outputs())
    out["var_children"] = x.get_children() is None
    out["var_internals"] = x.get_internals().list_outputs()
    out["var_len"] = len(x)
    a = mx.sym.Variable("a")
    g = mx.sym.Group([a, a * 2])
    out["group_name"] = g.name
    out["group_children"] = g.get_children().list_outputs()
    out["group_internals"] = g.get_internals().list_outputs()
    out["nested_group"] = mx.sym.Group([g, mx.sym.Group([g, a])]).list_outputs()
    out["group_bad"] = catch(lambda: mx.sym.Group([a, 1]))
    out["group_empty"] = catch(lambda: mx.sym.Group([]))
    out["sc_sc_outputs"] = mx.sym.Group([sc, sc[0]]).list_outputs()
    fc = mx.sym.FullyConnected(x, num_hidden=2, name="fc")
    internals = fc.get_internals()
    out["internal_by_name"] = internals["fc_weight"].list_outputs()
    out["internal_output"] = internals["fc_output"].list_arguments()
    out["bool"] = catch(lambda: bool(x))
    out["repr"] = [repr(x), repr(fc)]
    return out


def probe_compose(mx):
    import copy

    out = {}
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    y = mx.sym.Variable("y")
    z = mx.sym.Variable("z")
    out["kw"] = fc(data=y).list_arguments()
    out["kw_name"] = fc(data=y, name="new").list_outputs()
    out["pos"] = catch(lambda: fc(y).list_arguments())
    out["empty"] = fc().list_arguments()
    out["both"] = catch(lambda: fc(y, data=z))
    out["unknown_kw"] = catch(lambda: fc(nope=y).list_arguments())
    out["too_many"] = catch(lambda: fc(y, z, y, z).list_arguments())
    out["non_symbol"] = catch(lambda: fc(data=1))
    out["group_input"] = catch(lambda: fc(data=mx.sym.Group([y, z])))
    out["original"] = fc.list_arguments()
    c = copy.copy(fc)
    c._set_attr(__mood__="x")
    d = copy.deepcopy(fc)
    out["copy_independent"] = [fc.list_attr(), c.list_attr(), d.list_attr()]
    s = fc + 1
    s2 = s(fc_weight=z)
    out["compose_inner"] = [s.list_arguments(), s2.list_arguments(), s2.list_outputs()]
    g = mx.sym.Group([fc, fc * 2])
    out["group_compose"] = catch(lambda: g(data=y).list_arguments())
    return out


def _infer_all(sym, partial=False, **shapes):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            if partial:
                res = sym.infer_shape_partial(**shapes)
            else:
                res = sym.infer_shape(**shapes)
        except Exception as e:  # noqa: BLE001
            return {"error": type(e).__name__}
    res = [None if r is None else [list(t) if t is not None else None for t in r] for r in res]
    return {"result": res, "warnings": [str(x.message) for x in w]}


def probe_infer(mx):
    out = {}
    nets = {"mlp": mlp(mx), "lenet": lenet(mx), "resblock": resblock(mx), "mlp_auto": mlp_auto(mx)}
    data_shapes = {"mlp": (5, 20), "lenet": (2, 1, 28, 28), "resblock": (2, 3, 7, 7), "mlp_auto": (3, 6)}
    for key, net in nets.items():
        ds = data_shapes[key]
        out[f"{key}_full"] = _infer_all(net, data=ds)
        out[f"{key}_partial"] = _infer_all(net, partial=True, data=ds)
        out[f"{key}_nothing"] = _infer_all(net)
        out[f"{key}_nothing_partial"] = _infer_all(net, partial=True)
    m = mlp(mx)
    out["mlp_weight_only"] = _infer_all(m, partial=True, fc1_weight=(128, 20))
    out["mlp_weight_only_full"] = _infer_all(m, fc1_weight=(128, 20))
    out["mlp_conflict"] = _infer_all(m, data=(5, 20), fc1_weight=(128, 30))
    out["mlp_label"] = _infer_all(m, softmax_label=(5,))
    out["mlp_bad_name"] = _infer_all(m, nope=(1,))
    out["mlp_positional"] = _infer_all(m.get_internals()["fc1_output"], data=(5, 20))
    a = mx.sym.Variable("a")
    b = mx.sym.Variable("b")
    s = a + b
    out["add_conflict"] = _infer_all(s, a=(2, 3), b=(3, 2))
    out["add_one"] = _infer_all(s, a=(2, 3))
    out["add_one_partial"] = _infer_all(s, partial=True, a=(2, 3))
    out["bcast_one"] = _infer_all(mx.sym.broadcast_add(a, b), a=(2, 3))
    out["zero_dim"] = _infer_all(s, partial=True, a=(0, 3))
    v = mx.sym.Variable("v", shape=(4, 5))
    out["var_shape_attr"] = _infer_all(v * 2)
    types = {}
    types["mlp"] = [[str(getattr(t, "__name__", t)) for t in r] for r in m.infer_type(data="float32")]
    types["mlp_f16"] = [[str(getattr(t, "__name__", t)) for t in r] for r in m.infer_type(data="float16")]
    types["bn_f64"] = [[str(getattr(t, "__name__", t)) for t in r] for r in mx.sym.BatchNorm(a).infer_type(a="float64")]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = s.infer_type()
    types["none"] = [r is None or r == (None, None, None), [str(x.message) for x in w]]
    types["partial"] = [[str(getattr(t, "__name__", t)) for t in r] for r in mx.sym.FullyConnected(a, num_hidden=2).infer_type_partial()]
    types["conflict"] = catch(lambda: s.infer_type(a="float32", b="float16"))
    out["types"] = types
    return out


def shared_aux(mx):
    x = mx.sym.Variable("x")
    mm = mx.sym.Variable("mm")
    mv = mx.sym.Variable("mv")
    a = mx.sym.BatchNorm(x, moving_mean=mm, moving_var=mv, name="a")
    b = mx.sym.BatchNorm(a, moving_mean=mm, moving_var=mv, name="b")
    return b + mm


CASES["shared_aux"] = shared_aux


def _node(op, name, inputs, **extra):
    rec = {"op": op, "name": name, "inputs": inputs}
    rec.update(extra)
    return rec


BAD_JSON = {
    "truncated": '{"nodes": [{"op": "null", "name": "x", "inputs": []}',
    "not_json": "hello",
    "list": "[1, 2, 3]",
    "no_nodes": '{"heads": [[0, 0, 0]]}',
    "unknown_op": {"nodes": [_node("null", "x", []), _node("NoSuchOp", "y", [[0, 0, 0]])], "arg_nodes": [0], "heads": [[1, 0, 0]]},
    "bad_input_node": {"nodes": [_node("null", "x", []), _node("negative", "y", [[5, 0, 0]])], "arg_nodes": [0], "heads": [[1, 0, 0]]},
    "bad_head": {"nodes": [_node("null", "x", [])], "arg_nodes": [0], "heads": [[3, 0, 0]]},
    "bad_param": {"nodes": [_node("null", "x", []), _node("Activation", "y", [[0, 0, 0]], attrs={"act_type": "nope"})], "arg_nodes": [0], "heads": [[1, 0, 0]]},
}


def probe_errors(mx):
    import json

    out = {}
    for key, doc in BAD_JSON.items():
        text = doc if isinstance(doc, str) else json.dumps(doc)
        out[key] = catch(lambda text=text: mx.sym.load_json(text).list_outputs())
    x = mx.sym.Variable("x")
    out["aux_not_variable"] = catch(lambda: mx.sym.BatchNorm(x, moving_mean=x + 1).list_outputs())
    out["bad_op_param"] = catch(lambda: mx.sym.FullyConnected(x, num_hidden="a"))
    out["missing_param"] = catch(lambda: mx.sym.FullyConnected(x))
    out["unknown_kwarg"] = catch(lambda: mx.sym.FullyConnected(x, num_hidden=2, foo=1))
    out["var_name_type"] = catch(lambda: mx.sym.Variable(3))
    out["add_string"] = catch(lambda: x + "a")
    out["iadd"] = catch(lambda: x.__iadd__(1))
    return out


PROBES = {name: fn for name, fn in list(globals().items()) if name.startswith("probe_") and callable(fn)}
