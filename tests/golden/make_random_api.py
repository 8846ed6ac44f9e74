"""Golden facts about MXNet 1.9.1's samplers: output shape/dtype per call,
which calls MXNet rejects, and the outputs that are deterministic (one-hot
multinomial, its log-probabilities, degenerate distributions).

Run with the reference MXNet:  mxnet-reference tests/golden/make_random_api.py
Writes tests/golden/random_api.json. Each case is an expression evaluated
with ``mx`` bound; tests/test_random.py evaluates the same text with mxpy.
"""

import inspect
import json
import os

import mxnet as mx  # noqa: F401  (used by the evaluated expressions)

SHAPE_CASES = [
    "mx.nd.random.uniform()",
    "mx.nd.random.uniform(shape=3)",
    "mx.nd.random.uniform(-1, 1, shape=(2, 3), dtype='float64')",
    "mx.nd.random.uniform(shape=(2,), dtype='float16')",
    "mx.nd.random.normal(shape=(4, 1))",
    "mx.nd.random.randn(2, 3)",
    "mx.nd.random.randn(2, 3, loc=1, scale=2, dtype='float64')",
    "mx.nd.random.randint(0, 5, shape=(3,))",
    "mx.nd.random.randint(0, 5, shape=(3,), dtype='int64')",
    "mx.nd.random.exponential(2.0, shape=(2, 2))",
    "mx.nd.random.gamma(2.0, 3.0, shape=(5,))",
    "mx.nd.random.poisson(3.0, shape=(5,))",
    "mx.nd.random.negative_binomial(3, 0.4, shape=(5,))",
    "mx.nd.random.generalized_negative_binomial(2.0, 0.5, shape=(5,))",
    "mx.nd.random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 3]), shape=(3,))",
    "mx.nd.random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 3]))",
    "mx.nd.random.uniform(mx.nd.array([0, 1], dtype='float64'), mx.nd.array([1, 3], dtype='float64'))",
    "mx.nd.random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 3]), dtype='float64')",
    "mx.nd.random.normal(mx.nd.zeros((2, 2)), mx.nd.ones((2, 2)), shape=(3,))",
    "mx.nd.random.exponential(mx.nd.array([1.0, 2.0]), shape=(2,))",
    "mx.nd.random.gamma(mx.nd.array([1.0, 2.0]), mx.nd.array([1.0, 2.0]), shape=(2,))",
    "mx.nd.random.poisson(mx.nd.array([1.0, 2.0]), shape=(2,))",
    "mx.nd.random.negative_binomial(mx.nd.array([1.0, 2.0]), mx.nd.array([0.5, 0.5]), shape=(2,))",
    "mx.nd.random.generalized_negative_binomial(mx.nd.array([1.0, 2.0]), mx.nd.array([0.5, 0.5]), shape=(2,))",
    "mx.nd._internal._sample_uniform(mx.nd.array([0, 1], dtype='int32'), mx.nd.array([1, 3], dtype='int32'))",
    "mx.nd.random.multinomial(mx.nd.array([[0.1, 0.9], [0.5, 0.5]]))",
    "mx.nd.random.multinomial(mx.nd.array([[0.1, 0.9], [0.5, 0.5]]), shape=(3,))",
    "mx.nd.random.multinomial(mx.nd.array([[0.1, 0.9], [0.5, 0.5]]), shape=(3,), get_prob=True)",
    "mx.nd.random.multinomial(mx.nd.array([[0.1, 0.9]], dtype='float64'), get_prob=True)",
    "mx.nd.random.multinomial(mx.nd.array([0.2, 0.8]))",
    "mx.nd.random.multinomial(mx.nd.array([0.2, 0.8]), dtype='float32')",
    "mx.nd.random.multinomial(mx.nd.array([0.2, 0.8]), dtype='uint8')",
    "mx.nd.random.shuffle(mx.nd.arange(6).reshape((3, 2)))",
    "mx.nd.random.shuffle(mx.nd.arange(6, dtype='int32'))",
    "mx.nd.random.uniform_like(mx.nd.ones((2, 2), dtype='float64'), low=0, high=2)",
    "mx.nd.random.normal_like(mx.nd.ones((2, 2), dtype='float16'))",
    "mx.nd.random.uniform(shape=(2,), ctx=mx.cpu(1))",
    "mx.nd.random.uniform(shape=(2,), out=mx.nd.zeros((2,)))",
    "mx.nd.random.uniform(out=mx.nd.zeros((3,)))",
    "mx.nd.random_uniform(shape=(2,))",
    "mx.nd.uniform(shape=(2,))",
    "mx.nd.normal(shape=(2,))",
    "mx.nd.random_randint(0, 3, shape=(2,))",
    "mx.nd.sample_normal(mx.nd.zeros((2,)), mx.nd.ones((2,)), shape=(2,))",
    "mx.nd.sample_multinomial(mx.nd.array([0.5, 0.5]), shape=(4,))",
    "mx.nd.shuffle(mx.nd.ones((3,)))",
    "mx.random.uniform(shape=(2,))",
    "mx.random.normal(shape=(2,))",
    "mx.random.randint(0, 9, shape=(2,))",
]

# MXNet rejects these (MXNetError, or the Python error named)
ERROR_CASES = [
    "mx.nd.random.uniform(1, 0, shape=(2,))",
    "mx.nd.random.uniform(shape=(2,), dtype='int32')",
    "mx.nd.random.normal(0, -1, shape=(2,))",
    "mx.nd.random.normal(0, 0, shape=(2,))",
    "mx.nd.random.normal(shape=(2,), dtype='int32')",
    "mx.nd._internal._random_exponential(lam=0, shape=(2,))",
    "mx.nd.random.exponential(scale=0, shape=(2,))",
    "mx.nd.random.gamma(0, 1, shape=(2,))",
    "mx.nd.random.gamma(1, -1, shape=(2,))",
    "mx.nd.random.poisson(-1, shape=(2,))",
    "mx.nd.random.negative_binomial(-1, 0.5, shape=(2,))",
    "mx.nd.random.generalized_negative_binomial(-1, 1, shape=(2,))",
    "mx.nd.random.generalized_negative_binomial(1, -1, shape=(2,))",
    "mx.nd.random.randint(6, 5, shape=(3,))",
    "mx.nd.random.randint(0, 5, shape=(3,), dtype='float32')",
    "mx.nd.random.uniform(mx.nd.array([0, 1]), 1.0)",
    "mx.nd.random.uniform('a', 1.0)",
    "mx.nd.random.uniform(mx.nd.array([0, 1]), mx.nd.array([1, 2, 3]))",
    "mx.nd._internal._sample_uniform(mx.nd.array([0, 1]), mx.nd.array([1, 3], dtype='float64'))",
    "mx.nd.random.multinomial(mx.nd.array([0.5, 0.5]), dtype='int64')",
    "mx.nd.random.multinomial(mx.nd.array([0, 1], dtype='int32'))",
    "mx.nd.random.uniform_like(mx.nd.ones((2,)), low=2, high=0)",
    "mx.nd.random.uniform(shape=(0,))",
    "mx.nd.random.randn()",
]

# deterministic outputs
VALUE_CASES = [
    "mx.nd.random.multinomial(mx.nd.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), shape=(4,))",
    "mx.nd.random.multinomial(mx.nd.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype='float64'), shape=(2,), get_prob=True)[1]",
    "mx.nd.random.multinomial(mx.nd.array([2.0, 2.0]), shape=(4,))",
    "mx.nd.random.multinomial(mx.nd.array([-1.0, 2.0]), shape=(4,))",
    "mx.nd.random.uniform(1, 1, shape=(3,))",
    "mx.nd.random.poisson(0, shape=(3,))",
    "mx.nd.random.negative_binomial(2, 1.0, shape=(3,))",
    "mx.nd.random.negative_binomial(0, 0.5, shape=(3,))",
    "mx.nd._internal._sample_normal(mx.nd.array([1.0, 2.0]), mx.nd.array([0.0, 0.0]), shape=(2,))",
    "mx.nd._internal._sample_uniform(mx.nd.array([1.0]), mx.nd.array([1.0]), shape=(2,))",
    "mx.nd._internal._sample_poisson(mx.nd.array([-1.0, 0.0]), shape=(2,))",
    "mx.nd.random.shuffle(mx.nd.array([[1, 2, 3]]))",
]


def describe(r):
    rs = r if isinstance(r, (list, tuple)) else [r]
    return [{"shape": list(x.shape), "dtype": x.asnumpy().dtype.name} for x in rs]


SIGNATURES = [
    "uniform",
    "normal",
    "randn",
    "randint",
    "exponential",
    "gamma",
    "poisson",
    "negative_binomial",
    "generalized_negative_binomial",
    "multinomial",
    "shuffle",
]

out = {"shapes": {}, "errors": {}, "values": {}, "signatures": {}}
for fname in SIGNATURES:
    out["signatures"][fname] = str(inspect.signature(getattr(mx.nd.random, fname)))
    assert getattr(mx.random, fname) is getattr(mx.nd.random, fname)
for expr in SHAPE_CASES:
    out["shapes"][expr] = describe(eval(expr))
for expr in ERROR_CASES:
    try:
        r = eval(expr)
        (r if isinstance(r, (list, tuple)) else [r])[0].asnumpy()
    except Exception as e:  # noqa: BLE001  (recording which error MXNet raises)
        out["errors"][expr] = type(e).__name__
    else:
        raise SystemExit(f"expected an error from {expr}")
for expr in VALUE_CASES:
    r = eval(expr).asnumpy()
    out["values"][expr] = {"dtype": r.dtype.name, "shape": list(r.shape), "data": r.ravel().tolist()}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_api.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote", path)
