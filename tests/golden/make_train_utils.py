"""Golden values for mx.init, mx.lr_scheduler and mx.metric from MXNet 1.9.1.

Run with the reference MXNet:  mxnet-reference tests/golden/make_train_utils.py
Writes tests/golden/train_utils.json. Every case is an expression evaluated
with ``mx`` bound plus a fixed procedure; tests/test_initializer.py,
tests/test_lr_scheduler.py and tests/test_metric.py run the same procedures
with mxpy and compare.
"""

import json
import logging
import os
import warnings

import numpy as np

import mxnet as mx

# ---------------------------------------------------------------- initializers
# (initializer expression, parameter name, attrs, shape, legacy str call)
INIT_CASES = [
    ("mx.init.Constant(0.5)", "fc_weight", {}, [2, 3], False),
    ("mx.init.Constant(0.5)", "fc_bias", {}, [3], False),
    ("mx.init.Constant(0.5)", "bn_gamma", {}, [3], False),
    ("mx.init.Constant(0.5)", "bn_beta", {}, [3], False),
    ("mx.init.Constant(0.5)", "q_min", {}, [2], False),
    ("mx.init.Constant(0.5)", "q_max", {}, [2], False),
    ("mx.init.Constant(0.5)", "bn_moving_mean", {}, [3], False),
    ("mx.init.Constant(0.5)", "bn_moving_var", {}, [3], False),
    ("mx.init.Constant(0.5)", "bn_moving_mean", {"__init__": '["zero", {}]'}, [3], False),
    ("mx.init.Constant(0.5)", "bn_moving_var", {"__init__": '["one", {}]'}, [3], False),
    ("mx.init.Constant(0.5)", "foo", {}, [2], False),
    ("mx.init.Constant(0.5)", "foo", {"__init__": '["constant", {"value": 2.5}]'}, [2], False),
    ("mx.init.Constant(0.5)", "fc_bias", {"__init__": '["constant", {"value": -1}]'}, [2], False),
    ("mx.init.Xavier()", "fc_bias", {"__init__": '["bilinear", {}]'}, [1, 1, 2, 4], False),
    ("mx.init.Zero()", "fc_weight", {}, [2, 2], False),
    ("mx.init.One()", "fc_weight", {}, [2, 2], False),
    ("mx.init.Constant(mx.nd.array([1, 2, 3]))", "fc_weight", {}, [2, 3], False),
    ("mx.init.Constant(3)", "fc_weight", {}, [2, 2], False),
    ("mx.init.Bilinear()", "up_weight", {}, [2, 1, 4, 4], False),
    ("mx.init.Bilinear()", "up_weight", {}, [1, 2, 3, 5], False),
    ("mx.init.LSTMBias(forget_bias=2.0)", "lstm_i2h_bias", {}, [8], False),
    ("mx.init.LSTMBias()", "lstm_bias", {}, [12], False),
    ("mx.init.Mixed(['.*bias', '.*'], [mx.init.Zero(), mx.init.Constant(3)])", "fc_bias", {}, [2], False),
    ("mx.init.Mixed(['.*bias', '.*'], [mx.init.Zero(), mx.init.Constant(3)])", "fc_weight", {}, [2], False),
    ("mx.init.Mixed(['.*bias'], [mx.init.Zero()])", "fc_weight", {}, [2], False),
    ("mx.init.Load({'arg:fc_weight': mx.nd.array([[1, 2], [3, 4]])}, mx.init.Constant(7))", "fc_weight", {}, [2, 2], False),
    ("mx.init.Load({'aux:bn_moving_var': mx.nd.array([5, 6])})", "bn_moving_var", {}, [2], False),
    ("mx.init.Load({'fc_weight': mx.nd.array([1, 2])}, mx.init.Constant(7))", "fc_bias", {}, [3], False),
    ("mx.init.Load({'fc_weight': mx.nd.array([1, 2])})", "fc_bias", {}, [3], False),
    ("mx.init.Load({'fc_weight': mx.nd.array([1, 2])})", "fc_weight", {}, [3], False),
    ("mx.init.Xavier()", "fc_weight", {}, [4], False),
    ("mx.init.Xavier(factor_type='bad')", "fc_weight", {}, [4, 4], False),
    ("mx.init.Xavier(rnd_type='bad')", "fc_weight", {}, [4, 4], False),
    # legacy calls with a plain str name
    ("mx.init.Constant(0.5)", "bn_moving_mean", {}, [3], True),
    ("mx.init.Constant(0.5)", "bn_moving_var", {}, [3], True),
    ("mx.init.Constant(0.5)", "bn_moving_inv_var", {}, [3], True),
    ("mx.init.Constant(0.5)", "bn_moving_avg", {}, [3], True),
    ("mx.init.Constant(0.5)", "fc_weight", {}, [2], True),
    ("mx.init.Constant(0.5)", "fc_bias", {}, [2], True),
    ("mx.init.Constant(0.5)", "bn_gamma", {}, [2], True),
    ("mx.init.Constant(0.5)", "q_max", {}, [2], True),
    ("mx.init.Constant(0.5)", "upsampling0_weight", {}, [1, 1, 2, 2], True),
    ("mx.init.Constant(0.5)", "stn_loc_weight", {}, [2], True),
    ("mx.init.Constant(0.5)", "stn_loc_bias", {}, [6], True),
    ("mx.init.Constant(0.5)", "foo", {}, [2], True),
]

DUMPS = [
    "mx.init.Xavier()",
    "mx.init.Xavier(rnd_type='gaussian', factor_type='in', magnitude=2)",
    "mx.init.MSRAPrelu()",
    "mx.init.MSRAPrelu('in', 0.1)",
    "mx.init.Uniform()",
    "mx.init.Uniform(0.2)",
    "mx.init.Normal()",
    "mx.init.Normal(sigma=0.5)",
    "mx.init.Orthogonal()",
    "mx.init.Constant(2)",
    "mx.init.Constant(mx.nd.array([1, 2]))",
    "mx.init.Zero()",
    "mx.init.One()",
    "mx.init.Bilinear()",
    "mx.init.LSTMBias(0.5)",
    "mx.init.create('zeros')",
    "mx.init.create('ones')",
    "mx.init.create('xavier', magnitude=2)",
    'mx.init.create(\'["normal", {"sigma": 0.3}]\')',
    'mx.init.create(\'{"initializer": "uniform", "scale": 0.3}\')',
    "mx.init.create({'initializer': 'constant', 'value': 4})",
    "mx.init.create(mx.init.One())",
]

CREATE_ERRORS = [
    "mx.init.create('nope')",
    "mx.init.create(3)",
    "mx.init.create(mx.init.One(), 2)",
]

# (expression, shape): statistics of one large draw, compared loosely.
STATS = [
    ("mx.init.Uniform(0.3)", [200, 300]),
    ("mx.init.Normal(0.2)", [200, 300]),
    ("mx.init.Xavier()", [200, 300]),
    ("mx.init.Xavier(factor_type='in', magnitude=2)", [64, 32, 3, 3]),
    ("mx.init.Xavier(rnd_type='gaussian', factor_type='out')", [64, 32, 3, 3]),
    ("mx.init.MSRAPrelu()", [128, 64, 3, 3]),
    ("mx.init.MSRAPrelu('in', 0.0)", [300, 400]),
    ("mx.init.Orthogonal()", [300, 200]),
    ("mx.init.Orthogonal(scale=2.0, rand_type='normal')", [100, 150]),
]

# ------------------------------------------------------------------ schedulers
SCHED = [
    ("mx.lr_scheduler.FactorScheduler(step=5, factor=0.5, base_lr=1.0)", list(range(51))),
    ("mx.lr_scheduler.FactorScheduler(step=3, factor=0.1, stop_factor_lr=1e-4, base_lr=0.1)", list(range(51))),
    ("mx.lr_scheduler.FactorScheduler(step=4, factor=0.9, base_lr=0.5, warmup_steps=6, warmup_begin_lr=0.1)", list(range(51))),
    ("mx.lr_scheduler.FactorScheduler(step=4, factor=0.9, base_lr=0.5, warmup_steps=6, warmup_begin_lr=0.1, warmup_mode='constant')", list(range(51))),
    ("mx.lr_scheduler.FactorScheduler(step=5, factor=0.5, base_lr=1.0)", [30, 10, 0, 31, 36, 12]),
    ("mx.lr_scheduler.MultiFactorScheduler(step=[5, 12, 30], factor=0.5, base_lr=1.0)", list(range(51))),
    ("mx.lr_scheduler.MultiFactorScheduler(step=[5, 12, 30], factor=0.3, base_lr=0.2, warmup_steps=4, warmup_begin_lr=0.02)", list(range(51))),
    ("mx.lr_scheduler.MultiFactorScheduler(step=[5, 12, 30], factor=0.5, base_lr=1.0)", [40, 3, 13, 50]),
    ("mx.lr_scheduler.PolyScheduler(max_update=40, base_lr=0.1, pwr=2)", list(range(51))),
    ("mx.lr_scheduler.PolyScheduler(max_update=40, base_lr=0.1, pwr=1, final_lr=0.01, warmup_steps=10, warmup_begin_lr=0.001)", list(range(51))),
    ("mx.lr_scheduler.PolyScheduler(max_update=40, base_lr=0.1, pwr=3, warmup_steps=5, warmup_mode='constant', warmup_begin_lr=0.05)", [50, 3, 20, 45]),
    ("mx.lr_scheduler.CosineScheduler(max_update=40, base_lr=0.1)", list(range(51))),
    ("mx.lr_scheduler.CosineScheduler(max_update=40, base_lr=0.1, final_lr=0.02, warmup_steps=8, warmup_begin_lr=0.01)", list(range(51))),
    ("mx.lr_scheduler.CosineScheduler(max_update=40, base_lr=0.1)", [45, 10]),
]

SCHED_ERRORS = [
    "mx.lr_scheduler.FactorScheduler(step=0)",
    "mx.lr_scheduler.FactorScheduler(step=2, factor=1.5)",
    "mx.lr_scheduler.FactorScheduler(step=2, base_lr=0.1, warmup_begin_lr=0.2)",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_steps=-1)",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_mode='cubic')",
    "mx.lr_scheduler.FactorScheduler(step=2, warmup_steps=2.0)",
    "mx.lr_scheduler.MultiFactorScheduler(step=[5, 3])",
    "mx.lr_scheduler.MultiFactorScheduler(step=[0, 3])",
    "mx.lr_scheduler.MultiFactorScheduler(step=[])",
    "mx.lr_scheduler.MultiFactorScheduler(step=5)",
    "mx.lr_scheduler.MultiFactorScheduler(step=[5], factor=2)",
    "mx.lr_scheduler.PolyScheduler(max_update=0)",
    "mx.lr_scheduler.PolyScheduler(max_update=5.0)",
    "mx.lr_scheduler.CosineScheduler(max_update=0)",
    "mx.lr_scheduler.CosineScheduler(max_update=5.5)",
    "mx.lr_scheduler.LRScheduler()(3)",
]

# --------------------------------------------------------------------- metrics
rng = np.random.RandomState(3)


def _probs(n, k):
    p = rng.rand(n, k).astype(np.float32) + 0.05
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def _arr(a):
    a = np.asarray(a)
    return {"data": a.tolist(), "dtype": str(a.dtype)}


BATCHES = {
    "cls": [
        ([rng.randint(0, 3, 6).astype(np.float32)], [_probs(6, 3)]),
        ([rng.randint(0, 3, 4).astype(np.float32), rng.randint(0, 3, 5).astype(np.float32)], [_probs(4, 3), _probs(5, 3)]),
    ],
    "cls_idx": [
        ([np.array([0, 1, 2, 1], np.float32)], [np.array([0, 2, 2, 1], np.float32)]),
        ([np.array([[1, 0], [2, 2]], np.float32)], [np.array([[1, 1], [2, 0]], np.float32)]),
    ],
    "topk": [
        ([rng.randint(0, 5, 7).astype(np.float32)], [_probs(7, 5)]),
        ([rng.randint(0, 5, 6).astype(np.float32)], [_probs(6, 5)]),
    ],
    "bin": [
        ([np.array([0, 1, 1, 0, 1, 0, 1, 1], np.float32)], [_probs(8, 2)]),
        ([np.array([1, 1, 0, 0, 1, 0], np.float32)], [_probs(6, 2)]),
    ],
    "multi": [
        ([np.array([0, 1, 3, 2, 1, 0], np.float32)], [_probs(6, 4)]),
        ([np.array([2, 2, 1, 0, 4], np.float32)], [_probs(5, 5)]),
    ],
    "reg": [
        ([rng.randn(5).astype(np.float32)], [rng.randn(5, 1).astype(np.float32)]),
        ([rng.randn(4, 2).astype(np.float32), rng.randn(3).astype(np.float32)], [rng.randn(4, 2).astype(np.float32), rng.randn(3).astype(np.float32)]),
    ],
    "reg_same": [
        ([rng.randn(6).astype(np.float32)], [rng.randn(6).astype(np.float32)]),
        ([rng.randn(3, 2).astype(np.float32), rng.randn(4).astype(np.float32)], [rng.randn(3, 2).astype(np.float32), rng.randn(4).astype(np.float32)]),
    ],
    "seq": [
        ([np.array([[0, 1, 3], [2, 0, 1]], np.float32)], [_probs(6, 4)]),
        ([np.array([3, 0, 2, 1], np.float32)], [_probs(4, 4)]),
    ],
    "loss": [
        ([], [rng.randn(4, 2).astype(np.float32)]),
        ([], [rng.randn(3).astype(np.float32), rng.randn(2, 2).astype(np.float32)]),
    ],
}

METRICS = [
    ("mx.metric.Accuracy()", "cls"),
    ("mx.metric.create('acc')", "cls_idx"),
    ("mx.metric.Accuracy(axis=1, name='my_acc')", "cls"),
    ("mx.metric.TopKAccuracy(top_k=2)", "topk"),
    ("mx.metric.create('top_k_accuracy', top_k=3)", "topk"),
    ("mx.metric.F1()", "bin"),
    ("mx.metric.F1(average='micro')", "bin"),
    ("mx.metric.MCC()", "bin"),
    ("mx.metric.MCC(average='micro')", "bin"),
    ("mx.metric.PCC()", "multi"),
    ("mx.metric.Perplexity(ignore_label=None)", "seq"),
    ("mx.metric.Perplexity(ignore_label=0)", "seq"),
    ("mx.metric.MAE()", "reg"),
    ("mx.metric.MSE()", "reg"),
    ("mx.metric.RMSE()", "reg"),
    ("mx.metric.create('ce')", "cls"),
    ("mx.metric.CrossEntropy(eps=1e-3)", "cls"),
    ("mx.metric.NegativeLogLikelihood()", "cls"),
    ("mx.metric.PearsonCorrelation()", "reg_same"),
    ("mx.metric.PearsonCorrelation(average='micro')", "reg_same"),
    ("mx.metric.Loss()", "loss"),
    ("mx.metric.create('torch')", "loss"),
    ("mx.metric.Caffe()", "loss"),
    ("mx.metric.CustomMetric(lambda label, pred: float(abs(label.ravel() - pred.ravel()[: label.size]).sum()))", "reg"),
    ("mx.metric.CustomMetric(lambda label, pred: (float(label.sum()), 2), name='pair', allow_extra_outputs=True)", "cls"),
    ("mx.metric.np(lambda label, pred: float((pred.argmax(axis=1) == label).mean()))", "cls"),
    ("mx.metric.create(lambda label, pred: float(pred.max()))", "cls"),
    ("mx.metric.create(['acc', 'ce', 'f1'])", "bin"),
    ("mx.metric.CompositeEvalMetric(['acc', mx.metric.TopKAccuracy(2)])", "topk"),
    ("mx.metric.create('composite')", "cls"),
]

METRIC_NAMES = [
    ("acc", []),
    ("accuracy", []),
    ("top_k_accuracy", [2]),
    ("top_k_acc", [2]),
    ("f1", []),
    ("mcc", []),
    ("pcc", []),
    ("perplexity", [None]),
    ("mae", []),
    ("mse", []),
    ("rmse", []),
    ("ce", []),
    ("crossentropy", []),
    ("nll_loss", []),
    ("negativeloglikelihood", []),
    ("pearsonr", []),
    ("pearsoncorrelation", []),
    ("loss", []),
    ("torch", []),
    ("caffe", []),
    ("composite", []),
    ("compositeevalmetric", []),
    ("ACC", []),
    ("MSE", []),
]

METRIC_ERRORS = [
    ("mx.metric.create('nope')", None),
    ("mx.metric.TopKAccuracy(top_k=1)", None),
    ("mx.metric.Accuracy()", ([np.zeros(3, np.float32)], [np.zeros((3, 2), np.float32)] * 2)),
    ("mx.metric.MSE()", ([np.zeros(3, np.float32)] * 2, [np.zeros((3, 2), np.float32)])),
    ("mx.metric.Accuracy()", ([np.zeros(4, np.float32)], [np.zeros(3, np.float32)])),
    ("mx.metric.PearsonCorrelation()", ([np.zeros(4, np.float32)], [np.zeros((4, 1), np.float32)])),
    ("mx.metric.F1()", ([np.array([0, 1, 2], np.float32)], [np.ones((3, 2), np.float32) / 2])),
    ("mx.metric.TopKAccuracy(top_k=2)", ([np.zeros(2, np.float32)], [np.zeros((2, 2, 2), np.float32)])),
    ("mx.metric.Perplexity(None)", ([np.zeros(3, np.float32)], [np.ones((2, 2), np.float32)])),
]


def _err(e):
    return {"type": type(e).__name__, "msg": str(e)}


def _num(v):
    return [_num(x) for x in v] if isinstance(v, (list, tuple)) else float(v)


def _nd(batch):
    labels, preds = batch
    return [mx.nd.array(x, dtype=x.dtype) for x in labels], [mx.nd.array(x, dtype=x.dtype) for x in preds]


def metric_record(m, batches):
    """The procedure tests/test_metric.py repeats: two updates, reads, local reset, one more update."""
    rec = {}
    for b in batches:
        m.update(*_nd(b))
    name, value = m.get()
    rec["get"] = [name, _num(value)]
    gname, gvalue = m.get_global()
    rec["get_global"] = [gname, _num(gvalue)]
    rec["name_value"] = [[n, float(v)] for n, v in m.get_name_value()]
    rec["str"] = str(m)
    m.reset_local()
    m.update(*_nd(batches[0]))
    rec["after_reset_local"] = [_num(m.get()[1]), _num(m.get_global()[1])]
    m.reset()
    rec["after_reset"] = [_num(m.get()[1]), _num(m.get_global()[1])]
    try:
        cfg = m.get_config()
        rec["config"] = json.loads(json.dumps(cfg, default=repr))
    except Exception as e:  # noqa: BLE001
        rec["config"] = _err(e)
    return rec


def main():
    out = {"init": [], "dumps": {}, "create_errors": {}, "stats": [], "sched": [], "sched_errors": {}}
    for expr, name, attrs, shape, legacy in INIT_CASES:
        init = eval(expr)
        arr = mx.nd.full(shape, -9.0)
        rec = {"expr": expr, "name": name, "attrs": attrs, "shape": shape, "legacy": legacy}
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                init(name if legacy else mx.init.InitDesc(name, attrs), arr)
            rec["value"] = arr.asnumpy().tolist()
            rec["warned"] = [x.category.__name__ for x in w]
        except Exception as e:  # noqa: BLE001
            rec["error"] = _err(e)
        out["init"].append(rec)
    for expr in DUMPS:
        init = eval(expr)
        out["dumps"][expr] = [type(init).__name__, init.dumps()]
    for expr in CREATE_ERRORS:
        try:
            eval(expr)
        except Exception as e:  # noqa: BLE001
            out["create_errors"][expr] = _err(e)
    for expr, shape in STATS:
        arr = mx.nd.zeros(shape)
        eval(expr)(mx.init.InitDesc("x_weight"), arr)
        a = arr.asnumpy().astype(np.float64)
        flat = a.reshape(shape[0], -1)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        out["stats"].append(
            {
                "expr": expr,
                "shape": shape,
                "mean": a.mean(),
                "std": a.std(),
                "absmax": np.abs(a).max(),
                "gram_diag": float(np.diag(gram).mean()),
                "gram_offdiag": float(np.abs(gram - np.diag(np.diag(gram))).max()),
            }
        )

    logger = logging.getLogger()
    logger.setLevel(logging.INFO)
    for expr, updates in SCHED:
        h = _Grab()
        records = h.records
        logger.addHandler(h)
        s = eval(expr)
        lrs = [s(n) for n in updates]
        logger.removeHandler(h)
        out["sched"].append({"expr": expr, "updates": updates, "lrs": lrs, "logs": records, "base_lr": s.base_lr})
    for expr in SCHED_ERRORS:
        try:
            eval(expr)
        except Exception as e:  # noqa: BLE001
            out["sched_errors"][expr] = _err(e)

    out["batches"] = {k: [[[_arr(x) for x in lab], [_arr(x) for x in pre]] for lab, pre in v] for k, v in BATCHES.items()}
    out["metrics"] = []
    for expr, key in METRICS:
        m = eval(expr)
        rec = {"expr": expr, "batches": key, "name": m.name, "class": type(m).__name__}
        rec.update(metric_record(m, BATCHES[key]))
        out["metrics"].append(rec)
    out["metric_names"] = []
    for name, args in METRIC_NAMES:
        m = mx.metric.create(name, *args)
        out["metric_names"].append([name, args, type(m).__name__, m.name])
    out["metric_errors"] = []
    for expr, batch in METRIC_ERRORS:
        rec = {"expr": expr, "batch": None if batch is None else [[_arr(x) for x in batch[0]], [_arr(x) for x in batch[1]]]}
        try:
            m = eval(expr)
            m.update(*_nd(batch))
            rec["error"] = None
        except Exception as e:  # noqa: BLE001
            rec["error"] = _err(e)
        out["metric_errors"].append(rec)
    # update_dict honours output_names / label_names
    m = mx.metric.Accuracy(output_names=["out"], label_names=["lab"])
    lab, pre = _nd(BATCHES["cls"][0])
    m.update_dict({"lab": lab[0], "other": mx.nd.zeros((6,))}, {"junk": mx.nd.zeros((6, 3)), "out": pre[0]})
    out["update_dict"] = m.get()[1]
    out["check_label_shapes"] = _err(_catch(lambda: mx.metric.check_label_shapes([1, 2], [1])))
    out["check_label_shapes_shape"] = _err(_catch(lambda: mx.metric.check_label_shapes(np.zeros((2, 3)), np.zeros((3, 2)), shape=True)))

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_utils.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0, default=float)


class _Grab(logging.Handler):
    """Collects the scheduler's log messages."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def _catch(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    raise AssertionError("expected an error")


if __name__ == "__main__":
    main()
