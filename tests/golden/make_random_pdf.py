"""Golden values for tests/test_random_pdf.py from real MXNet 1.9.1.

Run: ../shared/tools/mxnet-reference tests/golden/make_random_pdf.py
Writes tests/golden/random_pdf.json: per case the op, is_log, the float64
inputs (sample first), a head gradient, MXNet's output and the gradient of
every input (autograd; MXNet gives the discrete ones' and uniform's sample 0).
"""

import json
import os

import mxnet as mx
import numpy as np

rs = np.random.RandomState(7)


def L(x):
    return np.asarray(x.asnumpy() if hasattr(x, "asnumpy") else x, dtype=np.float64).round(10).tolist()


def u(lo, hi, *shape):
    return rs.uniform(lo, hi, shape)


def counts(hi, *shape):
    return rs.randint(0, hi, shape).astype(np.float64)


def dirichlet(alpha, n):
    # alpha (..., k) -> samples (..., n, k) on the simplex
    out = np.stack([rs.dirichlet(a, n) for a in alpha.reshape(-1, alpha.shape[-1])])
    return out.reshape(alpha.shape[:-1] + (n, alpha.shape[-1]))


ALPHA = u(0.6, 2.5, 2, 3)
CASES = [
    ("uniform", [u(0.1, 0.9, 2, 3, 4), u(-1, 0, 2, 3), u(1, 2, 2, 3)]),
    ("uniform", [u(0.1, 0.9, 3), u(-1, 0, 3), u(1, 2, 3)]),
    ("normal", [u(-2, 2, 2, 3, 4), u(-1, 1, 2, 3), u(0.5, 2, 2, 3)]),
    ("normal", [u(-2, 2, 3, 5), u(-1, 1, 3), u(0.5, 2, 3)]),
    ("gamma", [u(0.2, 4, 2, 3, 4), u(0.8, 3, 2, 3), u(0.5, 2, 2, 3)]),
    ("exponential", [u(0.1, 3, 3, 4), u(0.5, 2, 3)]),
    ("poisson", [counts(6, 2, 3, 4), u(0.5, 4, 2, 3)]),
    ("negative_binomial", [counts(6, 3, 4), u(0.5, 4, 3), u(0.2, 0.8, 3)]),
    ("generalized_negative_binomial", [counts(6, 3, 4), u(0.5, 4, 3), u(0.2, 1.5, 3)]),
    ("dirichlet", [dirichlet(ALPHA, 4), ALPHA]),
    ("dirichlet", [dirichlet(ALPHA[:1], 1)[0, 0], ALPHA[0]]),
]

out = []
for dist, ins in CASES:
    for is_log in (False, True):
        arrs = [mx.nd.array(x, dtype="float64") for x in ins]
        for a in arrs:
            a.attach_grad()
        op = getattr(mx.nd, f"random_pdf_{dist}")
        with mx.autograd.record():
            y = op(*arrs, is_log=is_log)
        head = rs.uniform(0.5, 1.5, y.shape)
        y.backward(mx.nd.array(head, dtype="float64"))
        out.append(
            {
                "dist": dist,
                "is_log": is_log,
                "inputs": [L(x) for x in ins],
                "head": L(head),
                "output": L(y),
                "grads": [L(a.grad) for a in arrs],
            }
        )

# float32 forward of MXNet's own doc examples
f32 = {
    "normal": L(mx.nd.random_pdf_normal(mx.nd.array([[-2, -1, 0, 1, 2]] * 2), mx.nd.array([0, 0]), mx.nd.array([1, 2]))),
    "dirichlet": L(mx.nd.random_pdf_dirichlet(mx.nd.array([[1, 2], [2, 3], [3, 4]]), mx.nd.array([2.5, 2.5]))),
}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "random_pdf.json"), "w") as f:
    json.dump({"cases": out, "float32": f32}, f)
print(len(out), "cases")
