"""The imperative half of the MXNet introduction tutorial, run on mxpy."""

import mxpy as mx

cpu_tensor = mx.nd.zeros((10,), ctx=mx.cpu())
ctx = mx.cpu()
a = mx.nd.ones((10,), ctx=ctx)
b = mx.nd.ones((10,), ctx=ctx)
c = (a + b) / 10.0
d = b + 1
numpy_d = d.asnumpy()
print("c =", c.asnumpy())
print("d =", numpy_d)
