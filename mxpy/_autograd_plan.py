"""Reusing the gradient pass of ``autograd.backward`` from batch to batch.

A training loop records the same computation every batch: same operators,
same parameters, same shapes, new arrays. Building the backward Executor
(gradient graph, shape and type inference, memory plan, one step per node)
costs far more than a small net's kernels, so the first backward of a graph
*signature* keeps the Executor's backward steps as a :class:`Plan`, and later
backwards with that signature replay the steps with this batch's arrays put
in (the recorded forward outputs, the leaves, the gradient arrays). The
planned temporaries are reused; the engine orders each replay after the
previous one through their Vars, as an Executor's repeated ``backward`` is.

The signature covers everything the Executor's build reads: per recorded
node its op, parsed params (by identity: the plan keeps them alive), inputs
and output shapes/dtypes; per leaf its shape, dtype and context; the heads,
head gradient dtypes, wanted variables and their ``grad_req``; the training
flag; and which of the arrays are the same object or share a chunk. Plans are
per thread (two threads replaying one plan would interleave its temporaries),
at most ``_MAX`` per thread holding at most ``_MAX_BYTES`` of temporaries, least
recently used dropped first.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

from .executor import Executor, make_step, run_steps
from .ndarray.creation import copy_into

_MAX = 8
_MAX_BYTES = 1 << 30
_local = threading.local()


def _cache() -> OrderedDict:
    c = getattr(_local, "plans", None)
    if c is None:
        c = _local.plans = OrderedDict()
    return c


def clear() -> None:
    """Forget this thread's plans (tests; frees their temporaries)."""
    _cache().clear()


def _op_key(node) -> tuple:
    return node.op, id(node._params)


def signature(g, wanted: list, reqs, hgs: list, train_mode: bool, op_key=_op_key) -> tuple[tuple, list]:
    """The cache key of one backward over the collected graph ``g``, and its external arrays.

    External arrays, in order: the leaves, every recorded node's outputs, then
    the gradient arrays are appended by the caller (``run``'s ``grads``).
    ``op_key(node)``: what identifies a node's op and parameters.
    """
    pos: dict = {}
    ext: list = []
    leaf_sig = []
    for k, leaf in enumerate(g.leaves):
        pos[id(leaf)] = k
        a = g.arrays[(id(leaf), 0)]
        ext.append(a)
        leaf_sig.append((a._data.shape, a._data.dtype, a._ctx))
    base = len(g.leaves)
    node_sig = []
    for k, node in enumerate(g.order):
        pos[id(node)] = base + k
        outs = g.outs[k]
        ext.extend(outs)
        node_sig.append((op_key(node), tuple([(pos[id(s)], j) for s, j in node.inputs]), tuple([(o._data.shape, o._data.dtype) for o in outs])))
    heads = tuple([(pos[id(n)], i) for n, i in g.heads])
    want = (tuple([pos[id(n)] for n in wanted]), tuple(reqs))
    hg = tuple([h._data.dtype for h in hgs])
    return (tuple(leaf_sig), tuple(node_sig), heads, want, hg, bool(train_mode)), ext


def _pattern(arrays: list) -> tuple:
    """Which arrays are the same object, and which share a chunk (an engine Var)."""
    first_obj: dict = {}
    first_var: dict = {}
    out = []
    for k, a in enumerate(arrays):
        out.append((first_obj.setdefault(id(a), k), first_var.setdefault(id(a._var), k)))
    return tuple(out)


# a recipe whose external arrays differ this many times in a row stops being watched
_REUSE_TRIES = 3


class _Reuse:
    """Keeps a recipe's step while its external arrays stay the same objects.

    A hybridized block's recorded steps read and write the block's own arrays and
    the parameters' gradients every batch, so their steps can be kept; an
    imperative net's are new arrays every batch. Only a step whose arrays were
    the same in two backwards in a row is kept (it holds them alive, so an
    imperative batch's arrays never are); until then the arrays are watched
    through weak references, and after ``_REUSE_TRIES`` changes in a row not at all.
    """

    __slots__ = ("slots", "step", "arrays", "refs", "misses")

    def __init__(self, slots: tuple):
        self.slots = slots
        self.step = None  # the kept step, and the arrays of its slots
        self.arrays: tuple = ()
        self.refs: tuple | None = None  # weak references to the last backward's arrays
        self.misses = 0

    def seen(self, ext: list, made) -> None:
        """A step was just made for ``ext``: keep it if its arrays repeat the last ones."""
        cur = [ext[i] for i in self.slots]
        refs = self.refs
        if refs is not None and all(r() is a for r, a in zip(refs, cur)):
            self.step, self.arrays, self.refs, self.misses = made, tuple(cur), None, 0
            return
        self.step, self.arrays = None, ()
        self.misses += refs is not None
        self.refs = tuple(weakref.ref(a) for a in cur) if self.misses < _REUSE_TRIES else None


class Plan:
    """The backward steps of one Executor, with the slots of external arrays left open."""

    __slots__ = ("recipes", "head_grads", "zero", "split", "keep", "nbytes")

    def __init__(self, ex: Executor, ext: list, keep: tuple):
        index: dict = {}
        for k, a in enumerate(ext):
            index.setdefault(id(a), k)
        self.recipes = []
        for st in ex._bwd_steps:
            ins, outs = st.arrays
            in_ext = tuple([index.get(id(a), -1) for a in ins])
            out_ext = tuple([index.get(id(a), -1) for a in outs])
            if max(in_ext + out_ext, default=-1) < 0:
                self.recipes.append((st, None, None, None, None, None))
                continue
            # only the planned arrays are kept: the batch's own arrays are not held alive
            ins_t = [None if i >= 0 else a for i, a in zip(in_ext, ins)]
            outs_t = [None if i >= 0 else a for i, a in zip(out_ext, outs)]
            slots = tuple(sorted({i for i in in_ext + out_ext if i >= 0}))
            self.recipes.append(((st.node, st.req, st.ctx, st.cost), ins_t, outs_t, in_ext, out_ext, _Reuse(slots)))
        self.head_grads = list(ex._head_grad_arrays)
        self.zero = [index[id(a)] for a in ex._zero_grads]
        self.split = ex._split
        self.keep = keep  # the template's params and ops: their ids are part of the key
        self.nbytes = int(ex._plan.total_bytes)

    def run(self, ext: list, hgs: list, train_mode: bool) -> None:
        for arr, given in zip(self.head_grads, hgs):
            if arr is not None:
                copy_into(given, arr)
        for k in self.zero:
            ext[k][:] = 0
        steps = []
        split = self.split
        for st, ins_t, outs_t, in_ext, out_ext, reuse in self.recipes:
            if ins_t is None:
                steps.append(st)
                continue
            kept = reuse.step
            if kept is not None:
                for i, a in zip(reuse.slots, reuse.arrays):
                    if ext[i] is not a:
                        break
                else:  # the same arrays as the kept step's (a hybridized block's own)
                    steps.append(kept)
                    continue
            node, req, ctx, cost = st
            ins = [a if i < 0 else ext[i] for i, a in zip(in_ext, ins_t)]
            outs = [a if i < 0 else ext[i] for i, a in zip(out_ext, outs_t)]
            made = make_step(node, ins, outs, req, ctx, split, cost)
            if reuse.misses < _REUSE_TRIES:
                reuse.seen(ext, made)
            steps.append(made)
        run_steps(steps, train_mode, split)


def lookup(key: tuple, ext: list):
    """The plan for ``key`` with this call's arrays (None: build one)."""
    cache = _cache()
    full = (key, _pattern(ext))
    plan = cache.get(full)
    if plan is not None:
        cache.move_to_end(full)
    return plan, full


def replay(heads: list, hgs: list, retain_graph: bool, train_mode: bool, mark_type: type, higher: dict, function_type: type) -> bool:
    """``autograd.backward`` through a kept plan without copying the recorded graph.

    Walks the recorded graph as ``autograd._collect`` does and builds the same key and
    external arrays as :func:`signature` over its copy, but makes no node copies: on a
    hit (every batch of a training loop after the first) those are never needed. False,
    having changed nothing, when there is no plan yet or the graph holds Functions: the
    caller then takes the general path. ``mark_type``: autograd's marked-variable record;
    ``higher``: its op -> higher-order op map; ``function_type``: the op of a Function call.
    """
    seen: dict = {}
    order: list = []
    leaf_of: dict = {}
    leaf_arrays: list = []
    leaf_sig: list = []
    marks: dict = {}
    refs: list = []
    node_outs: list = []
    out_sig: list = []

    def leaf(src, i: int, arr) -> int:
        ag = arr._ag
        mark = ag[0] if ag is not None and type(ag[0]) is mark_type and ag[0].node is src else None
        key = id(mark) if mark is not None else (id(src), i, id(arr))
        k = leaf_of.get(key)
        if k is None:
            k = leaf_of[key] = len(leaf_arrays)
            leaf_arrays.append(arr)
            leaf_sig.append((arr._data.shape, arr._data.dtype, arr._ctx))
            if mark is not None:
                marks[id(mark)] = (k, arr)
        return k

    head_refs = []
    for h in heads:
        src, i = h._ag
        if type(src) is mark_type:
            head_refs.append((leaf(src.node, 0, h), 0))
            continue
        stack = [(src, False)]
        while stack:  # the post-order of _collect, so that positions match signature's
            node, ready = stack.pop()
            if id(node) in seen:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((s, False) for s, _ in node.inputs if s.op is not None and s.tape is not None and id(s) not in seen)
                continue
            if isinstance(node.op, function_type):
                return False
            ins_arrays, outs = node.tape
            # node inputs as ~index (made leaf count + index below, once the leaves are all known)
            r = []
            for (s, j), a in zip(node.inputs, ins_arrays):
                r.append((~seen[id(s)], j) if s.op is not None and s.tape is not None else (leaf(s, j, a), 0))
            seen[id(node)] = len(order)
            order.append(node)
            refs.append(r)
            node_outs.extend(outs)
            out_sig.append(tuple([(o._data.shape, o._data.dtype) for o in outs]))
        head_refs.append((~seen[id(src)], i))
    marked = [(k, arr) for k, arr in marks.values() if arr._ag[0].grad_req != "null"]
    if not marked:
        return False
    base = len(leaf_arrays)
    node_sig = tuple(
        [((higher.get(n.op, n.op), id(n._params)), tuple([(k if k >= 0 else base + ~k, j) for k, j in r]), o) for n, r, o in zip(order, refs, out_sig)]
    )
    heads_key = tuple([(k if k >= 0 else base + ~k, i) for k, i in head_refs])
    reqs = tuple([arr._ag[0].grad_req for _, arr in marked])
    key = (tuple(leaf_sig), node_sig, heads_key, (tuple([k for k, _ in marked]), reqs), tuple([h._data.dtype for h in hgs]), bool(train_mode))
    ext = leaf_arrays + node_outs + [arr._grad for _, arr in marked]
    plan, _ = lookup(key, ext)
    if plan is None:
        return False
    plan.run(ext, hgs, train_mode)
    for _, arr in marked:
        arr._ag[0].fresh = True
    if not retain_graph:
        for node in order:  # what autograd._free does (no Functions here)
            if node.tape is None:
                continue
            for o in node.tape[1]:
                if o._ag is not None and o._ag[0] is node:
                    o._ag = None
            node.tape = None
    return True


def store(full_key: tuple, ex: Executor, ext: list, g) -> None:
    """Keep ``ex``'s backward as the plan for ``full_key`` (not when it copies between contexts)."""
    if any(st.node is None for st in ex._bwd_steps) or ex._plan.total_bytes > _MAX_BYTES:
        return
    cache = _cache()
    cache[full_key] = Plan(ex, ext, tuple((n.op, n._params) for n in g.order))
    _trim(cache)


def _trim(cache: OrderedDict) -> None:
    held = sum(p.nbytes for p in cache.values() if isinstance(p, Plan))
    while len(cache) > _MAX or held > _MAX_BYTES:
        _, old = cache.popitem(last=False)
        if isinstance(old, Plan):
            held -= old.nbytes


class Interpreted:
    """The gradient graph of one backward run node by node (a graph holding Function calls,
    such as a hybridized block's), kept for later graphs of the same signature.

    It holds nodes only: each replay binds that graph's arrays and Function objects.
    """

    __slots__ = ("order", "leaves", "hg_nodes", "bwd", "entries", "made", "fn_sources")

    def __init__(self, g, hg_nodes: list, bwd: list, entries: list, made: set, backward_op_type: type):
        self.order = list(g.order)
        self.leaves = list(g.leaves)
        self.hg_nodes = hg_nodes
        self.bwd = bwd
        self.entries = entries
        self.made = made
        where = {id(n): k for k, n in enumerate(self.order)}
        # a Function's backward node runs the Function of the forward node it came from
        self.fn_sources = [(id(n), where[id(n.op.source)]) for n in bwd if type(n.op) is backward_op_type]

    def bind(self, g, hgs: list) -> tuple[dict, dict]:
        """Values of the kept graph's entries and its backward nodes' Functions, from ``g``."""
        vals: dict = {}
        for tnode, outs in zip(self.order, g.outs):
            tid = id(tnode)
            for j, o in enumerate(outs):
                vals[(tid, j)] = o
        for tleaf, leaf in zip(self.leaves, g.leaves):
            vals[(id(tleaf), 0)] = g.arrays[(id(leaf), 0)]
        for v, hg in zip(self.hg_nodes, hgs):
            if v is not None:
                vals[(id(v), 0)] = hg
        functions = {b: g.order[k].op.function for b, k in self.fn_sources}
        return vals, functions


def lookup_interpreted(key: tuple):
    """The kept gradient graph for ``key`` (None: build one)."""
    cache = _cache()
    full = ("interpreted", key)
    tpl = cache.get(full)
    if tpl is not None:
        cache.move_to_end(full)
    return tpl


def store_interpreted(key: tuple, tpl: Interpreted) -> None:
    cache = _cache()
    cache[("interpreted", key)] = tpl
    _trim(cache)
