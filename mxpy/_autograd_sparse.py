"""Sparse gradient buffers in ``autograd.backward``.

The gradient pass computes densely. When a marked variable's gradient buffer
is a row_sparse (or csr) array, backward gives the pass a dense stand-in and
afterwards stores, in the sparse buffer, the rows (entries) of the result that
hold values ('add' sums into what the buffer had). autograd only calls this
module once a sparse buffer has been marked, so dense training never does.

>>> import mxpy as mx
>>> w = mx.nd.ones((4, 2)); w.attach_grad(stype="row_sparse")
>>> with mx.autograd.record():
...     y = mx.nd.Embedding(mx.nd.array([3]), w, input_dim=4, output_dim=2, sparse_grad=True)
>>> y.backward()
>>> w.grad.indices.asnumpy().tolist()
[3]
"""

from __future__ import annotations

from .ndarray.ndarray import _new
from .ndarray.sparse import cast_storage


def stand_ins(grads: list, reqs: list) -> list | None:
    """(dense buffer, (sparse grad, req) or None) per gradient; None when all are dense."""
    if all(gr.stype == "default" for gr in grads):
        return None
    out = []
    for gr, req in zip(grads, reqs):
        if gr.stype == "default":
            out.append((gr, None))
        else:
            out.append((_new(gr._ctx, gr.shape, gr._data.dtype), (gr, req)))
    return out


def store(pairs: list) -> None:
    """Each sparse gradient gets its dense buffer's rows that hold values ('add' sums into it)."""
    for dense, sp in pairs:
        if sp is None:
            continue
        grad, req = sp
        value = cast_storage(dense, grad.stype)
        if req == "add":
            value = value + grad
        value.copyto(grad)
