"""What each rank runs in tests/test_dist_mpi.py (under ``python -m mxpy.launch -n N``).

``python worker.py OUTDIR SCENARIO...`` runs the scenarios in order and
writes ``OUTDIR/SCENARIO-rankR.npz``; the test compares those files with a
single process computing the same thing. The data, networks and reference
training live in ``common.py`` beside this file, shared with the test.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

import mxpy as mx  # noqa: E402


def save(out: str, name: str, rank: int, **arrays) -> None:
    np.savez(os.path.join(out, f"{name}-rank{rank}.npz"), **arrays)


def scenario_api(out: str) -> None:
    """init takes rank 0's value; push sums over ranks; an optimizer runs on the sum; lists of devices; int and str keys."""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    kv.init(3, mx.nd.ones((2, 3)) * (r + 1))
    a = mx.nd.zeros((2, 3))
    kv.pull(3, out=a)
    init = a.asnumpy()
    kv.push(3, [mx.nd.ones((2, 3), ctx=mx.cpu(0)) * (r + 1), mx.nd.ones((2, 3), ctx=mx.cpu(1))])
    kv.pull(3, out=a)
    summed = a.asnumpy()
    kv = mx.kv.create("dist_sync")  # str keys, an optimizer on the store
    kv.init(["w", "b"], [mx.nd.ones((4,)) * 10, mx.nd.zeros((1,))])
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.5, momentum=0.5))
    outs = [mx.nd.zeros((4,)), mx.nd.zeros((1,))]
    for _ in range(2):
        kv.pushpull(["w", "b"], [mx.nd.arange(4) * (r + 1), mx.nd.ones((1,))], out=outs)
    kv.barrier()
    kv.save_optimizer_states(os.path.join(out, f"states-{r}"))
    save(out, "api", r, init=init, summed=summed, w=outs[0].asnumpy(), b=outs[1].asnumpy(), n=n)
    # the device flavour sums each rank's devices on the devices, then across ranks
    kvd = mx.kv.create("dist_device_sync")
    kvd.init(0, mx.nd.zeros((3,)))
    res = mx.nd.zeros((3,))
    kvd.pushpull(0, [mx.nd.ones((3,), ctx=mx.cpu(i)) for i in range(2)], out=res)
    save(out, "device", r, pulled=res.asnumpy())
    # horovod: allreduce in place and broadcast, no init
    hv = mx.kv.create("horovod")
    g = mx.nd.ones((5,)) * (r + 1)
    hv.pushpull("g", g)
    bc = mx.nd.zeros((2,))
    hv.broadcast("p", mx.nd.ones((2,)) * (r + 7), out=bc)
    save(out, "horovod", r, g=g.asnumpy(), bc=bc.asnumpy(), hv_rank=hv.rank, size=hv.num_workers)


def scenario_lazy(out: str) -> None:
    """pushpull returns at once: the transfer waits on the communication worker for the late rank."""
    kv = mx.kv.create("dist_sync")
    kv.init(0, mx.nd.zeros((1000,)))
    kv.barrier()
    res = mx.nd.zeros((1000,))
    if kv.rank != 0:
        time.sleep(1.0)  # the other ranks arrive late
    t0 = time.perf_counter()
    kv.pushpull(0, mx.nd.ones((1000,)), out=res)
    returned = time.perf_counter() - t0
    busy = mx.nd.dot(mx.nd.ones((200, 200)), mx.nd.ones((200, 200))).asnumpy()  # compute goes on meanwhile
    res.wait_to_read()
    done = time.perf_counter() - t0
    save(out, "lazy", kv.rank, returned=returned, done=done, res=res.asnumpy(), busy=busy[0, 0])


def scenario_fastpath(out: str) -> None:
    """pushpull without an optimizer on two dist_sync stores and horovod, interleaved (transfers of several
    groups in flight, some claimed by a waiting thread, some run by the worker, one rank late each step):
    the sums, a pull after the user overwrote out, in place."""
    stores = {"a": mx.kv.create("dist_sync"), "b": mx.kv.create("dist_sync"), "horovod": mx.kv.create("horovod")}
    r, n = stores["a"].rank, stores["a"].num_workers
    outs = {name: mx.nd.zeros((50,)) for name in stores}
    seen: dict = {name: [] for name in stores}
    for name in ("a", "b"):
        stores[name].init("g", mx.nd.zeros((50,)))
    for step in range(6):
        if r == step % n:
            time.sleep(0.02)  # this rank is late: the others' transfers wait for it
        for name, store in stores.items():
            store.pushpull("g", mx.nd.arange(50) * (r + 1) + step, out=outs[name])
        if step % 2:
            outs["b"].wait_to_read()  # claims b's transfer if the worker has not started it
        for name in stores:
            seen[name].append(outs[name].asnumpy())
    for name in ("a", "b"):
        outs[name][:] = -1  # the store keeps its own copy of the sum
        pulled = mx.nd.zeros((50,))
        stores[name].pull("g", out=pulled)
        seen[name].append(pulled.asnumpy())
    for name, store in stores.items():
        v = mx.nd.ones((50,)) * (r + 1)
        store.pushpull("g", v)  # in place
        seen[name].append(v.asnumpy())
    save(out, "fastpath", r, **{name: np.stack(v) for name, v in seen.items()})


def scenario_bigarray(out: str) -> None:
    """Pieces of MXNET_KVSTORE_BIGARRAY_BOUND elements (uneven with 3 ranks and 7-element pieces)."""
    kv = mx.kv.create("dist_sync")
    r = kv.rank
    x = np.arange(60, dtype=np.float32).reshape(6, 10) * (r + 1)
    kv.init("big", mx.nd.zeros((6, 10)))
    res = mx.nd.zeros((6, 10))
    kv.pushpull("big", mx.nd.array(x), out=res)
    save(out, "bigarray", r, res=res.asnumpy())


def scenario_compress(out: str) -> None:
    """Rank r pushes device r % 2's gradients of the MXNet golden's two-device run."""
    golden = np.load(common.GOLDEN_2BIT)
    kv = mx.kv.create("dist_sync")
    kv.set_gradient_compression({"type": "2bit", "threshold": 0.3})
    kv.init("w", mx.nd.zeros((3, 5)))
    pulled = []
    for step in golden["two_grads"]:
        kv.push("w", mx.nd.array(step[kv.rank % 2]))
        o = mx.nd.zeros((3, 5))
        kv.pull("w", out=o)
        pulled.append(o.asnumpy())
    save(out, "compress", kv.rank, pulled=np.stack(pulled))


def scenario_mlp(out: str) -> None:
    """Module.fit with dist_sync on this rank's slice of each global batch; checkpoints from rank 0 only."""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    x, y = common.rank_slices(*common.mlp_data(), n, r, common.MLP_BATCH)
    it = mx.io.NDArrayIter(x, y, batch_size=common.MLP_BATCH, label_name="softmax_label")
    mod = mx.mod.Module(common.mlp_symbol(), context=mx.cpu())
    prefix = os.path.join(out, "mlp")
    common.seed()
    mod.fit(
        it,
        num_epoch=common.EPOCHS,
        kvstore=kv,
        optimizer="sgd",
        optimizer_params=common.OPT_PARAMS,
        initializer=mx.init.Xavier(),
        epoch_end_callback=mx.callback.do_checkpoint(prefix),
        batch_end_callback=mx.callback.Speedometer(common.MLP_BATCH, 2),
    )
    mod.save_checkpoint(prefix + "-mod", common.EPOCHS, save_optimizer_states=True)
    args, _ = mod.get_params()
    save(out, "mlp", r, **{k: v.asnumpy() for k, v in args.items()})


def scenario_feedforward(out: str) -> None:
    """The legacy FeedForward API with kvstore='dist_sync' (it trains through Module)."""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    x, y = common.rank_slices(*common.mlp_data(), n, r, common.MLP_BATCH)
    model = common.feedforward(x, y, common.MLP_BATCH, kv)
    save(out, "feedforward", r, **{k: v.asnumpy() for k, v in model.arg_params.items()})


def scenario_horovod_module(out: str) -> None:
    """Module.fit over the horovod store: gradients are allreduced, each rank updates its own weights."""
    kv = mx.kv.create("horovod")
    r, n = kv.rank, kv.num_workers
    x, y = common.rank_slices(*common.mlp_data(), n, r, common.MLP_BATCH)
    mod = mx.mod.Module(common.mlp_symbol(), context=mx.cpu())
    common.seed()  # as MXNet's Module, the horovod store's init does not reach the executors' weights
    mod.fit(
        mx.io.NDArrayIter(x, y, batch_size=common.MLP_BATCH),
        num_epoch=common.EPOCHS,
        kvstore=kv,
        optimizer="sgd",
        optimizer_params=common.HOROVOD_OPT,
        initializer=mx.init.Xavier(),
    )
    args, _ = mod.get_params()
    save(out, "horovod_module", r, **{k: v.asnumpy() for k, v in args.items()})


def scenario_gluon(out: str) -> None:
    """gluon.Trainer(kvstore='dist_sync'): the store sums every rank's gradients and runs the optimizer."""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    x, y = common.rank_slices(*common.mlp_data(), n, r, common.MLP_BATCH)
    # the same seed everywhere: as MXNet's, the Trainer broadcasts rank 0's weights only at the first
    # step, after the first gradients were computed with each rank's own
    net, params = common.gluon_net(x, y, common.MLP_BATCH, kv, init_seed=100)
    save(out, "gluon", r, **params)


def scenario_conv_bn(out: str) -> None:
    """A conv net with BatchNorm under dist_sync; each rank normalises its own slice, as a device would."""
    kv = mx.kv.create("dist_sync")
    r, n = kv.rank, kv.num_workers
    x, y = common.rank_slices(*common.conv_data(), n, r, common.CONV_BATCH)
    it = mx.io.NDArrayIter(x, y, batch_size=common.CONV_BATCH, label_name="softmax_label")
    mod = mx.mod.Module(common.conv_symbol(), context=mx.cpu())
    common.seed()
    mod.fit(it, num_epoch=common.EPOCHS, kvstore=kv, optimizer="sgd", optimizer_params=common.OPT_PARAMS, initializer=mx.init.Xavier())
    args, aux = mod.get_params()
    arrays = {"arg:" + k: v.asnumpy() for k, v in args.items()}
    arrays.update({"aux:" + k: v.asnumpy() for k, v in aux.items()})
    save(out, "conv_bn", r, **arrays)


def scenario_async(out: str) -> None:
    """dist_async trains an MLP on this rank's part of the demo digits; every rank scores the test set."""
    kv = mx.kv.create("dist_async")
    r, n = kv.rank, kv.num_workers
    img, lbl = common.digits_files()
    train = mx.io.MNISTIter(image=img, label=lbl, batch_size=16, flat=True, shuffle=True, seed=r, num_parts=n, part_index=r)
    timg, tlbl = common.digits_files("t10k")
    test = mx.io.MNISTIter(image=timg, label=tlbl, batch_size=50, flat=True)
    mod = mx.mod.Module(common.digits_symbol(), context=mx.cpu())
    common.seed()
    # each push is applied alone (rescale_grad is 1/batch, as in MXNet's async mode), so the step shrinks with the workers
    lr = 0.1 / n
    mod.fit(train, num_epoch=8, kvstore=kv, optimizer="sgd", optimizer_params={"learning_rate": lr, "momentum": 0.9}, initializer=mx.init.Xavier())
    kv.barrier()
    score = mod.score(test, "acc")[0][1]
    if r == 0:
        kv.save_optimizer_states(os.path.join(out, "async.states"))
    save(out, "async", r, acc=score)


def scenario_mnist_parts(out: str) -> None:
    """MNISTIter reads part kv.rank of kv.num_workers (uneven with 3 ranks), as MXNet's examples do."""
    kv = mx.kv.create("dist_sync")
    img, lbl = common.digits_files()
    it = mx.io.MNISTIter(image=img, label=lbl, batch_size=1, flat=True, shuffle=False, num_parts=kv.num_workers, part_index=kv.rank)
    seen = np.concatenate([b.label[0].asnumpy() for b in it])
    save(out, "mnist_parts", kv.rank, labels=seen)


def scenario_mismatch(out: str) -> None:
    """Rank 1 inits the key with another shape: every rank must fail with the key and ranks named."""
    kv = mx.kv.create("dist_sync")
    shape = (2, 3) if kv.rank != 1 else (3, 3)
    kv.init("weight", mx.nd.zeros(shape))
    kv.barrier()
    print("mismatch not detected", flush=True)


def scenario_mismatch_push(out: str) -> None:
    """Both keys exist, but at the same step rank 0 pushes 'a' and rank 1 pushes 'b'."""
    kv = mx.kv.create("dist_sync")
    kv.init(["a", "b"], [mx.nd.zeros((4,)), mx.nd.zeros((4,))])
    key = "a" if kv.rank == 0 else "b"
    res = mx.nd.zeros((4,))
    kv.pushpull(key, mx.nd.ones((4,)), out=res)
    res.wait_to_read()
    print("mismatch not detected", flush=True)


def scenario_stall(out: str) -> None:
    """Rank 1 stops answering (alive, stuck) before a barrier; with MXPY_KVSTORE_TIMEOUT the others give up."""
    kv = mx.kv.create("dist_sync")
    kv.init(0, mx.nd.zeros((10,)))
    if kv.rank == 1:
        time.sleep(60)
    kv.barrier()
    print("stall not noticed", flush=True)


def scenario_kill(out: str) -> None:
    """Rank 1 dies in the middle of training; the others must stop, not hang."""
    kv = mx.kv.create("dist_sync")
    kv.init(0, mx.nd.zeros((1000,)))
    res = mx.nd.zeros((1000,))
    for step in range(1000):
        if step == 5 and kv.rank == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        kv.pushpull(0, mx.nd.ones((1000,)), out=res)
        res.wait_to_read()
        time.sleep(0.01)
    print("kill not noticed", flush=True)


def scenario_dead_node(out: str) -> None:
    """Under MPI's fault tolerance (--mpi-args "--with-ft ulfm") rank 1 dies: rank 0 counts it, then its
    next transfer fails naming rank 1."""
    kv = mx.kv.create("dist_sync")
    kv.init(0, mx.nd.zeros((10,)))
    before = kv.num_dead_node(4)
    kv.barrier()
    if kv.rank == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    start = time.monotonic()
    while kv.num_dead_node(4) == 0 and time.monotonic() - start < 30:
        time.sleep(0.05)
    counts = {node: kv.num_dead_node(node) for node in (4, 6, 7, 2, 1, 9, 11)}
    print(f"dead before {before}; after {time.monotonic() - start:.1f} s: {counts}", flush=True)
    res = mx.nd.zeros((10,))
    kv.pushpull(0, mx.nd.ones((10,)), out=res)
    res.wait_to_read()
    print("dead rank not noticed", flush=True)


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    outdir = sys.argv[1]
    for name in sys.argv[2:]:
        globals()["scenario_" + name](outdir)
