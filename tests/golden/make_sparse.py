"""Golden values for sparse storage (row_sparse, csr) from real MXNet 1.9.1.

Run with the reference interpreter (writes sparse.npz and sparse.params next to this file):

    /work/shared/tools/mxnet-reference tests/golden/make_sparse.py

``sparse.params`` is a file MXNet's ``mx.nd.save`` wrote (row_sparse, csr, empty
ones, float64 and a dense array): tests load it and save the same arrays back,
byte for byte. ``sparse.npz`` holds, per case, the inputs (dense forms, ``in_*``)
and MXNet's results: the result's storage type (``*_stype``, as a 0-d string), its
dense value and, for sparse results, its index arrays.
"""

import os

import mxnet as mx
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(7)
OUT = {}


def r(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def rows(*shape, keep):
    a = r(*shape)
    mask = np.zeros(shape[0], bool)
    mask[list(keep)] = True
    a[~mask] = 0
    return a


def put(name, arr):
    OUT[f"{name}_stype"] = np.array(arr.stype)
    OUT[name] = arr.asnumpy()
    if arr.stype == "row_sparse":
        OUT[f"{name}_indices"] = arr.indices.asnumpy()
    elif arr.stype == "csr":
        OUT[f"{name}_indices"] = arr.indices.asnumpy()
        OUT[f"{name}_indptr"] = arr.indptr.asnumpy()


# -- the file format ---------------------------------------------------------------------
rsp = mx.nd.array([[0, 0, 0], [1, 2, 3], [0, 0, 0], [4, 5, 6]]).tostype("row_sparse")
csr = mx.nd.array([[0, 1, 0], [2, 0, 3]]).tostype("csr")
mx.nd.save(
    os.path.join(HERE, "sparse.params"),
    {
        "r": rsp,
        "c": csr,
        "zr": mx.nd.zeros((3, 2), stype="row_sparse"),
        "zc": mx.nd.zeros((2, 5), stype="csr"),
        "r64": mx.nd.array([[0, 0], [1, 2]], dtype="float64").tostype("row_sparse"),
        "d": mx.nd.ones((2,)),
    },
)

# -- cast_storage and the element-wise forms -----------------------------------------------
A = rows(5, 3, keep=(0, 3))
B = rows(5, 3, keep=(1, 3))
C = r(4, 6) * (rng.uniform(size=(4, 6)) < 0.4)
D = r(4, 6) * (rng.uniform(size=(4, 6)) < 0.4)
DN = r(5, 3)
OUT.update(in_A=A, in_B=B, in_C=C, in_D=D, in_DN=DN)
a, b = mx.nd.array(A).tostype("row_sparse"), mx.nd.array(B).tostype("row_sparse")
c, d = mx.nd.array(C).tostype("csr"), mx.nd.array(D).tostype("csr")
dn = mx.nd.array(DN)
put("cast_rsp", a)
put("cast_csr", c)
put("add_rsp_rsp", a + b)
put("sub_rsp_rsp", a - b)
put("mul_rsp_rsp", a * b)
put("add_csr_csr", c + d)
put("add_rsp_dns", a + dn)
put("mul_rsp_dns", mx.nd.elemwise_mul(a, dn))
put("mul_scalar_rsp", a * 3.0)
put("div_scalar_csr", c / 2.0)
put("plus_scalar_rsp", a + 1.0)
put("abs_rsp", mx.nd.abs(a))
put("exp_rsp", mx.nd.exp(a))
put("add_n_rsp", mx.nd.add_n(a, b, a))
put("retain_rsp", mx.nd.sparse.retain(a, mx.nd.array([0, 1, 2], dtype="int64")))
put("square_sum_rsp", mx.nd._internal._square_sum(a, axis=1))
put("zeros_like_rsp", mx.nd.zeros_like(a))
put("csr_slice", c[1:3])
put("csr_row", c[2])

# -- dot -------------------------------------------------------------------------------------
R1 = r(6, 3)
R2 = r(4, 2)
OUT.update(in_R1=R1, in_R2=R2)
put("dot_csr_dns", mx.nd.sparse.dot(c, mx.nd.array(R1)))
put("dot_csrT_dns", mx.nd.sparse.dot(c, mx.nd.array(R2), transpose_a=True))
put("dot_dns_rsp", mx.nd.sparse.dot(mx.nd.array(r(2, 5)), a))

# -- optimizer updates with a row_sparse gradient -------------------------------------------
W = r(5, 3)
G = rows(5, 3, keep=(1, 4))
S1 = r(5, 3, lo=0.0, hi=0.2)
S2 = r(5, 3, lo=0.1, hi=0.3)
OUT.update(in_W=W, in_G=G, in_S1=S1, in_S2=S2)
UPDATES = {
    "sgd_lazy": ("sgd_update", 0, dict(lr=0.1, wd=0.05, rescale_grad=0.7, clip_gradient=0.3)),
    "sgd_std": ("sgd_update", 0, dict(lr=0.1, wd=0.05, lazy_update=False)),
    "sgd_mom_lazy": ("sgd_mom_update", 1, dict(lr=0.1, momentum=0.9, wd=0.05)),
    "sgd_mom_std": ("sgd_mom_update", 1, dict(lr=0.1, momentum=0.9, wd=0.05, lazy_update=False)),
    "adam_lazy": ("adam_update", 2, dict(lr=0.01, wd=0.05, beta1=0.8, beta2=0.9)),
    "adam_std": ("adam_update", 2, dict(lr=0.01, wd=0.05, lazy_update=False)),
    "ftrl": ("ftrl_update", 2, dict(lr=0.1, lamda1=0.01, beta=1.0, wd=0.05)),
    "adagrad": ("_sparse_adagrad_update", 1, dict(lr=0.1, epsilon=1e-5, rescale_grad=0.5)),
    "rmsprop_fallback": ("rmsprop_update", 1, dict(lr=0.1)),
}
for case, (opname, nstate, kw) in UPDATES.items():
    w = mx.nd.array(W)
    g = mx.nd.array(G).tostype("row_sparse")
    states = [mx.nd.array(S) for S in (S1, S2)[:nstate]]
    fn = mx.nd.sparse.adagrad_update if opname == "_sparse_adagrad_update" else getattr(mx.nd, opname)
    fn(w, g, *states, out=w, **kw)
    OUT[f"upd_{case}_w"] = w.asnumpy()
    for i, s in enumerate(states):
        OUT[f"upd_{case}_s{i}"] = s.asnumpy()

np.savez(os.path.join(HERE, "sparse.npz"), **OUT)
print("wrote", len(OUT), "arrays")
