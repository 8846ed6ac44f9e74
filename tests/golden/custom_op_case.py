"""The custom-op training run shared by tests/golden/make_custom_op.py (real MXNet 1.9.1)
and tests/test_operator_custom.py (mxpy): ``run(mx)`` trains a 2-layer MLP whose loss
is a softmax written as a CustomOp, in a Module, and returns its parameters."""

import numpy as np


def define_ops(mx):
    class Softmax(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            x = in_data[0].asnumpy()
            y = np.exp(x - x.max(axis=1, keepdims=True))
            y /= y.sum(axis=1, keepdims=True)
            self.assign(out_data[0], req[0], mx.nd.array(y))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            lbl = in_data[1].asnumpy().ravel().astype(np.int64)
            y = out_data[0].asnumpy()
            y[np.arange(lbl.shape[0]), lbl] -= 1.0
            self.assign(in_grad[0], req[0], mx.nd.array(y))

    @mx.operator.register("golden_softmax")
    class SoftmaxProp(mx.operator.CustomOpProp):
        def __init__(self):
            super().__init__(need_top_grad=False)

        def list_arguments(self):
            return ["data", "label"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            return [in_shape[0], (in_shape[0][0],)], [in_shape[0]], []

        def infer_type(self, in_type):
            return in_type, [in_type[0]], []

        def create_operator(self, ctx, shapes, dtypes):
            return Softmax()

    return SoftmaxProp


def run(mx):
    define_ops(mx)
    rs = np.random.RandomState(3)
    x = rs.uniform(-1, 1, (64, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(np.float32) + (x[:, 3] > 0.5)
    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=8, name="fc1")
    act = mx.sym.Activation(fc1, act_type="tanh", name="act")
    fc2 = mx.sym.FullyConnected(act, num_hidden=3, name="fc2")
    net = mx.sym.Custom(data=fc2, name="softmax", op_type="golden_softmax")
    init = {
        "fc1_weight": rs.uniform(-0.5, 0.5, (8, 6)).astype(np.float32),
        "fc1_bias": np.zeros(8, np.float32),
        "fc2_weight": rs.uniform(-0.5, 0.5, (3, 8)).astype(np.float32),
        "fc2_bias": np.zeros(3, np.float32),
    }
    it = mx.io.NDArrayIter(x, y, batch_size=16, shuffle=False, label_name="softmax_label")
    mod = mx.mod.Module(net, context=mx.cpu())
    mod.bind(it.provide_data, it.provide_label)
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in init.items()})
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5, "momentum": 0.9, "wd": 1e-4})
    metric = mx.metric.Accuracy()
    for _ in range(3):
        it.reset()
        metric.reset()
        for batch in it:
            mod.forward(batch, is_train=True)
            mod.update_metric(metric, batch.label)
            mod.backward()
            mod.update()
    args, _ = mod.get_params()
    out = {k: v.asnumpy() for k, v in args.items()}
    out["accuracy"] = np.array(metric.get()[1])
    it.reset()
    out["predict"] = mod.predict(it).asnumpy()
    return out
