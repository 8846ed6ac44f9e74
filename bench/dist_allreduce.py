"""Allreduce bandwidth: ``kv.pushpull`` of the dist stores against raw mpi4py ``Allreduce``.

Run under the launcher (results printed by rank 0)::

    python -m mxpy.launch -n 2 python bench/dist_allreduce.py [--sizes-mb 1 10 100] [--repeat 10] [--settle]

For each size, the median time of one sum over the ranks of a float32 array
(the three ways take turns each round, so they see the same machine load):
raw ``comm.Allreduce(src, dst)`` on NumPy buffers, then ``pushpull(key,
value, out=out)`` + ``out.wait_to_read()`` on ``dist_sync`` (no optimizer:
the store keeps the sum, as MXNet's) and on ``horovod`` (no store). Bandwidth
is the array's size over that time (algorithm bandwidth).

``dist_sync`` keeps a copy of each sum in the store (MXNet's servers do);
that copy is deferred, and the next pushpull of the key drops it unless
something read the store in between. ``--settle`` times ``mx.nd.waitall()``
after each pushpull too, which forces the copy: the cost when the store's
value is needed every step.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import mxpy as mx


def timed(fns: list, repeat: int, barrier) -> list:
    """Median seconds of each of ``fns``, run in turn each round so they share the machine's noise."""
    for fn in fns:
        fn()  # warm-up: buffers, engine workers, MPI connections
    times: list = [[] for _ in fns]
    for _ in range(repeat):
        for fn, t in zip(fns, times):
            barrier()
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes-mb", type=float, nargs="+", default=[1, 10, 100])
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--settle", action="store_true", help="also wait for the store's copy of each sum (mx.nd.waitall)")
    args = p.parse_args()
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    sync = mx.kv.create("dist_sync")
    hvd = mx.kv.create("horovod")
    rows = []
    for i, mb in enumerate(args.sizes_mb):
        n = int(mb * 1e6 / 4)
        src = np.random.RandomState(comm.rank).rand(n).astype(np.float32)
        dst = np.empty_like(src)
        value, out, hout = mx.nd.array(src), mx.nd.zeros((n,)), mx.nd.zeros((n,))
        sync.init(i, mx.nd.zeros((n,)))

        def kv_step(value=value, out=out, key=i):
            sync.pushpull(key, value, out=out)
            out.wait_to_read()
            if args.settle:
                mx.nd.waitall()

        def hvd_step(value=value, out=hout, key=i):
            hvd.pushpull(key, value, out=out)
            out.wait_to_read()

        raw, kv, hv = timed([lambda src=src, dst=dst: comm.Allreduce(src, dst), kv_step, hvd_step], args.repeat, comm.Barrier)
        np.testing.assert_allclose(out.asnumpy(), dst, rtol=1e-5)
        np.testing.assert_allclose(hout.asnumpy(), dst, rtol=1e-5)
        rows.append((mb, raw, kv, hv))
    if comm.rank == 0:
        print(f"{comm.size} ranks, median of {args.repeat}{', dist_sync with waitall' if args.settle else ''}")
        print("| size | raw Allreduce | dist_sync pushpull | ratio | horovod pushpull | ratio |")
        print("|---:|---:|---:|---:|---:|---:|")
        for mb, raw, kv, hv in rows:
            gbs = lambda t, mb=mb: mb / 1e3 / t
            print(
                f"| {mb:g} MB | {raw * 1e3:.2f} ms ({gbs(raw):.2f} GB/s) | {kv * 1e3:.2f} ms ({gbs(kv):.2f} GB/s) | {raw / kv:.2f}x | {hv * 1e3:.2f} ms | {raw / hv:.2f}x |"
            )


if __name__ == "__main__":
    main()
