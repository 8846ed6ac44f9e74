"""The kvstore interfaces: ``KVStoreBase`` (any store, with its registry) and ``KVStore``.

``KVStoreBase`` is MXNet's abstract store: the methods Gluon's Trainer and
Module call (``broadcast``, ``pushpull``, ``is_capable``, ``set_optimizer``,
...), and a registry so that a Python class decorated with
``KVStoreBase.register`` is what ``mx.kv.create(<its lower-case name>)``
returns.

``KVStore`` is the built-in stores' shared body: argument checking, keys, updaters.

A concrete store (``local.py``; later a ``dist_sync`` store over MPI)
subclasses :class:`KVStore` and supplies how values are kept, merged and
broadcast (``_init_impl``, ``_push_impl``, ``_pull_impl``) plus, for
multi-process stores, ``rank``/``num_workers``/``_barrier``. Everything a
call needs is checked here *before* any of those run, so a rejected call
changes nothing.

>>> import mxpy as mx
>>> from mxpy import kvstore
>>> kv = kvstore.create("local")
>>> kv.init(3, mx.nd.ones((2, 2)))
>>> kv.push(3, [mx.nd.ones((2, 2)), mx.nd.ones((2, 2)) * 2])
>>> out = mx.nd.zeros((2, 2))
>>> kv.pull(3, out=out)
>>> out.asnumpy().tolist()
[[3.0, 3.0], [3.0, 3.0]]
"""

from __future__ import annotations

import abc
import warnings

from ..base import MXNetError
from ..ndarray.ndarray import NDArray

__all__ = ["KVStore", "KVStoreBase"]

# Pairs of (key, [NDArray, ...]) in call order, one entry per distinct key.
Grouped = list


def _key_kind(key, func: str) -> str:
    if isinstance(key, str):
        return "str"
    if isinstance(key, int) and not isinstance(key, bool):
        return "int"
    raise TypeError(f"KVStore.{func}: key {key!r} is a {type(key).__name__}, expected int or str")


def _as_list(value, func: str, what: str, key) -> list:
    """One key's value(s): an NDArray or a non-empty list/tuple of NDArrays."""
    if isinstance(value, NDArray):
        return [value]
    if isinstance(value, (list, tuple)) and value:
        for i, v in enumerate(value):
            if not isinstance(v, NDArray):
                raise TypeError(f"KVStore.{func}: {what}[{i}] for key {key!r} is a {type(v).__name__}, expected NDArray")
        return list(value)
    raise TypeError(f"KVStore.{func}: {what} for key {key!r} is a {type(value).__name__}, expected an NDArray or a non-empty list of NDArrays")


def _pairs(key, value, func: str, what: str) -> tuple[list, str]:
    """Flatten (key, value) as MXNet does: ``[(k, NDArray), ...]`` and the key kind.

    A list of keys needs a list of values of the same length; each value is an
    NDArray or a list of them (one per device). All keys of one call must be of
    one type.
    """
    if isinstance(key, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(key):
            given = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
            raise ValueError(f"KVStore.{func}: {len(key)} keys need a list of {len(key)} {what}s, given {given}")
        pairs, kinds = [], set()
        for k, v in zip(key, value):
            kinds.add(_key_kind(k, func))
            pairs.extend((k, a) for a in _as_list(v, func, what, k))
        if len(kinds) > 1:
            raise TypeError(f"KVStore.{func}: inconsistent types of keys detected: {list(key)!r} mixes int and str keys")
        return pairs, kinds.pop() if kinds else ""
    kind = _key_kind(key, func)
    return [(key, a) for a in _as_list(value, func, what, key)], kind


def _group(pairs: list) -> Grouped:
    """Values of the same key together, keys in order of first appearance."""
    grouped: dict = {}
    for k, v in pairs:
        grouped.setdefault(k, []).append(v)
    return list(grouped.items())


class KVStoreNotImplementedError(MXNetError, NotImplementedError):
    """A ``KVStoreBase`` method the store's class does not provide.

    An ``MXNetError`` and, as MXNet raises there, a ``NotImplementedError``.
    """


class KVStoreBase:
    """The interface every kvstore offers to Gluon's Trainer and to Module.

    A Python store subclasses it, overrides what it supports and registers
    itself with :meth:`register`; ``mx.kv.create(name)`` then finds it by its
    class name in lower case (before the built-in types, as MXNet looks up
    the registry first). A method the subclass leaves out raises
    :class:`KVStoreNotImplementedError` naming the class and the method.

    ``is_capable(KVStoreBase.OPTIMIZER)`` says whether the store can run the
    optimizer itself (``set_optimizer``); when it is False, the Trainer
    only reduces gradients through the store and updates on each device.

    >>> import mxpy as mx
    >>> @mx.kvstore.KVStoreBase.register
    ... class SumStore(mx.kvstore.KVStoreBase):
    ...     def pushpull(self, key, value, out=None, priority=0):
    ...         total = sum(v.as_in_context(value[0].context) for v in value)
    ...         for o in (value if out is None else out):
    ...             o[:] = total
    >>> kv = mx.kv.create("sumstore")
    >>> vals = [mx.nd.ones((2,)), mx.nd.ones((2,)) * 2]
    >>> kv.pushpull(0, vals)
    >>> vals[0].asnumpy().tolist()
    [3.0, 3.0]
    """

    OPTIMIZER = "optimizer"

    # lower-case class name -> class; filled by register, read by mx.kv.create
    kv_registry: dict = {}

    def _missing(self, method: str):
        raise KVStoreNotImplementedError(f"{type(self).__name__}.{method}: this kvstore does not implement {method}; a KVStoreBase subclass must override it")

    def broadcast(self, key, value, out, priority: int = 0) -> None:
        """Copy ``value`` (rank 0's) of ``key`` into ``out`` (an NDArray or a list) on every worker."""
        self._missing("broadcast")

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """Sum ``value`` (a list: one per device) over devices and workers into ``out``, or into ``value`` when ``out`` is None."""
        self._missing("pushpull")

    def set_optimizer(self, optimizer) -> None:
        """Run ``optimizer`` inside the store (only where ``is_capable(OPTIMIZER)``)."""
        self._missing("set_optimizer")

    def is_capable(self, capability: str) -> bool:
        """Whether the store supports ``capability`` (``KVStoreBase.OPTIMIZER``)."""
        return self._missing("is_capable")

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the store's optimizer states to ``fname``."""
        self._missing("save_optimizer_states")

    def load_optimizer_states(self, fname: str) -> None:
        """Read optimizer states written by :meth:`save_optimizer_states`."""
        self._missing("load_optimizer_states")

    @property
    def type(self) -> str:
        """The store's type name."""
        return self._missing("type")

    @property
    def rank(self) -> int:
        """This worker's rank in ``[0, num_workers)``."""
        return self._missing("rank")

    @property
    def num_workers(self) -> int:
        """How many workers share the store."""
        return self._missing("num_workers")

    @staticmethod
    def register(klass: type) -> type:
        """Class decorator: ``mx.kv.create(klass.__name__.lower())`` makes a ``klass()``.

        Registering a second class under a taken name warns and replaces it.

        >>> import mxpy as mx
        >>> @mx.kvstore.KVStoreBase.register
        ... class EchoStore(mx.kvstore.KVStoreBase):
        ...     pass
        >>> type(mx.kv.create("EchoStore")).__name__
        'EchoStore'
        """
        if not isinstance(klass, type):
            raise TypeError(f"KVStoreBase.register: expected a class, given {type(klass).__name__}")
        name = klass.__name__.lower()
        old = KVStoreBase.kv_registry.get(name)
        if old is not None:
            warnings.warn(
                f"WARNING: New kvstore {klass.__module__}.{klass.__name__} is overriding existing kvstore {old.__module__}.{old.__name__}",
                stacklevel=2,
            )
        KVStoreBase.kv_registry[name] = klass
        return klass


class KVStore(KVStoreBase, metaclass=abc.ABCMeta):
    """A key-value store for parameters and gradients shared across devices.

    Keys are ints or strs (one kind per store, as in MXNet); each key holds
    one array. ``push`` sums the values given for a key (across devices) and
    either replaces the stored value with the sum or, once an optimizer or
    updater is set, calls ``updater(key, summed_grad, stored_weight)``;
    ``pull`` copies the stored value into one or more outputs. Both are lazy
    engine operations: they return at once. ``priority`` is accepted for
    compatibility; mxpy's engine runs work in dependency order only.
    """

    def __init__(self, kv_type: str) -> None:
        self._type = kv_type
        self._key_kind: str | None = None  # "int" or "str" once the store has seen a key
        self._updater = None
        self._compression = {"type": "none"}
        self._compressor = None

    # -- properties --------------------------------------------------------------------
    @property
    def type(self) -> str:
        """The store type, e.g. ``'local'`` or ``'device'``."""
        return self._type

    @property
    def rank(self) -> int:
        """This worker's rank in ``[0, num_workers)``: always 0 on one machine."""
        return 0

    @property
    def num_workers(self) -> int:
        """The number of worker processes: 1 on one machine."""
        return 1

    # -- subclass hooks ----------------------------------------------------------------
    @abc.abstractmethod
    def _has_key(self, key) -> bool: ...

    @abc.abstractmethod
    def _stored(self, key) -> NDArray:
        """The array currently held for ``key`` (used for checks only)."""

    @abc.abstractmethod
    def _init_impl(self, grouped: Grouped) -> None: ...

    @abc.abstractmethod
    def _push_impl(self, grouped: Grouped) -> None: ...

    @abc.abstractmethod
    def _pull_impl(self, grouped: Grouped) -> None: ...

    # -- checks ------------------------------------------------------------------------
    def _check_kind(self, kind: str, func: str) -> None:
        if self._key_kind is not None and kind and kind != self._key_kind:
            raise MXNetError(f"KVStore.{func}: Mixed key types are not allowed: this store uses {self._key_kind} keys, given {kind} keys")

    def _check_new(self, pairs: list, func: str) -> None:
        """Each key given once and not yet in the store."""
        seen = set()
        for k, _ in pairs:
            if self._has_key(k) or k in seen:
                raise MXNetError(
                    f"KVStore.{func}: duplicate init of key {k!r}. Please double check if you called kv.init or kv.broadcast with this key multiple times"
                )
            seen.add(k)

    def _check_known(self, grouped: Grouped, func: str, what: str) -> None:
        """Every key initialised and every array shaped like the stored value."""
        for k, arrays in grouped:
            if not self._has_key(k):
                raise MXNetError(f"KVStore.{func}: key {k!r} has not been inited; call init({k!r}, value) first")
            shape = self._stored(k).shape
            for i, a in enumerate(arrays):
                if a.shape != shape:
                    raise MXNetError(f"KVStore.{func}: {what} {i} for key {k!r} has shape {a.shape}, expected {shape} (the shape it was inited with)")

    # -- public API --------------------------------------------------------------------
    def init(self, key, value) -> None:
        """Initialise ``key`` (or each key of a list) with ``value``; each key only once.

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> kv.init(["w", "b"], [mx.nd.ones((2,)), mx.nd.zeros((2,))])
        """
        pairs, kind = _pairs(key, value, "init", "value")
        self._check_kind(kind, "init")
        self._check_new(pairs, "init")
        self._init_impl(_group(pairs))
        if kind:
            self._key_kind = kind

    def broadcast(self, key, value, out, priority: int = 0) -> None:
        """``init(key, value)`` then ``pull(key, out)``; both checked before either runs.

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> outs = [mx.nd.zeros((2,), ctx=mx.cpu(i)) for i in range(2)]
        >>> kv.broadcast("w", mx.nd.ones((2,)) * 4, out=outs)
        >>> outs[1].asnumpy().tolist()
        [4.0, 4.0]
        """
        init_pairs, kind = _pairs(key, value, "broadcast", "value")
        self._check_kind(kind, "broadcast")
        self._check_new(init_pairs, "broadcast")
        out_pairs, _ = _pairs(key, out, "broadcast", "out")
        shapes = {k: v.shape for k, v in init_pairs}
        for k, arrays in _group(out_pairs):
            if k not in shapes:
                raise MXNetError(f"KVStore.broadcast: out given for key {k!r}, which is not among the keys broadcast")
            for i, a in enumerate(arrays):
                if a.shape != shapes[k]:
                    raise MXNetError(f"KVStore.broadcast: out {i} for key {k!r} has shape {a.shape}, expected {shapes[k]}")
        self._init_impl(_group(init_pairs))
        if kind:
            self._key_kind = kind
        self._pull_impl(_group(out_pairs))

    @staticmethod
    def is_capable(capability: str) -> bool:
        """Whether the store supports ``capability``; only ``'optimizer'`` is known (True).

        >>> from mxpy import kvstore
        >>> kvstore.KVStore.is_capable("optimizer")
        True
        """
        if isinstance(capability, str) and capability.lower() == "optimizer":
            return True
        raise ValueError(f"KVStore.is_capable: unknown capability {capability!r}; known: 'optimizer'")

    def push(self, key, value, priority: int = 0) -> None:
        """Push ``value`` to ``key``: a list of values for one key is summed first.

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> kv.init(0, mx.nd.zeros((2,)))
        >>> kv.push(0, [mx.nd.ones((2,), ctx=mx.cpu(0)), mx.nd.ones((2,), ctx=mx.cpu(1))])
        >>> out = mx.nd.zeros((2,)); kv.pull(0, out=out); out.asnumpy().tolist()
        [2.0, 2.0]
        """
        grouped = self._prepare_push(key, value, "push")
        self._push_impl(grouped)

    def pull(self, key, out=None, priority: int = 0, ignore_sparse: bool = True) -> None:
        """Copy the value of ``key`` into ``out`` (an NDArray or a list, e.g. one per device).

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> kv.init("w", mx.nd.ones((2,)) * 5)
        >>> outs = [mx.nd.zeros((2,), ctx=mx.cpu(i)) for i in range(2)]
        >>> kv.pull("w", out=outs)
        >>> outs[1].asnumpy().tolist()
        [5.0, 5.0]
        """
        grouped = self._prepare_pull(key, out, "pull")
        if ignore_sparse:  # MXNet leaves sparse outputs alone unless asked (row_sparse_pull fills them)
            grouped = [(k, [o for o in outs if o.stype == "default"]) for k, outs in grouped]
        self._pull_impl(grouped)

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """``push(key, value)`` then ``pull(key, out)``; without ``out`` the result lands in ``value``.

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> kv.init(1, mx.nd.zeros((2,)))
        >>> vals = [mx.nd.ones((2,)), mx.nd.ones((2,)) * 3]
        >>> kv.pushpull(1, vals)
        >>> vals[0].asnumpy().tolist()
        [4.0, 4.0]
        """
        pushed = self._prepare_push(key, value, "pushpull")
        pulled = self._prepare_pull(key, value if out is None else out, "pushpull")
        self._push_impl(pushed)
        self._pull_impl(pulled)

    def _prepare_push(self, key, value, func: str) -> Grouped:
        pairs, kind = _pairs(key, value, func, "value")
        self._check_kind(kind, func)
        grouped = _group(pairs)
        self._check_known(grouped, func, "value")
        return grouped

    def _prepare_pull(self, key, out, func: str) -> Grouped:
        if out is None:
            raise ValueError(f"KVStore.{func}: out is required (an NDArray or a list of NDArrays), given None")
        pairs, kind = _pairs(key, out, func, "out")
        self._check_kind(kind, func)
        grouped = _group(pairs)
        self._check_known(grouped, func, "out")
        return grouped

    def row_sparse_pull(self, key, out=None, priority: int = 0, row_ids=None) -> None:
        """Pull the rows ``row_ids`` of ``key``'s value into row_sparse ``out`` (one ``row_ids``
        per ``out``, or one for all); stores without row pulls copy every row.

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> kv.init("w", mx.nd.ones((3, 2)))
        >>> out = mx.nd.sparse.zeros("row_sparse", (3, 2))
        >>> kv.row_sparse_pull("w", out=out, row_ids=mx.nd.array([2]))
        >>> out.asnumpy().tolist()
        [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]
        """
        if row_ids is None:
            raise ValueError("KVStore.row_sparse_pull: row_ids is required, given None")
        impl = getattr(self, "_row_sparse_pull_impl", None)
        if impl is None:
            self.pull(key, out=out, priority=priority)
            return
        grouped = self._prepare_pull(key, out, "row_sparse_pull")
        # row_ids follow out: one per out array, or one shared by every out of a key
        keys = list(key) if isinstance(key, (list, tuple)) else [key]
        outs_per_key = list(out) if isinstance(key, (list, tuple)) else [out]
        ids_per_key = list(row_ids) if isinstance(key, (list, tuple)) and isinstance(row_ids, (list, tuple)) else [row_ids] * len(keys)
        per_key: dict = {}
        for k, o, rid in zip(keys, outs_per_key, ids_per_key):
            outs = list(o) if isinstance(o, (list, tuple)) else [o]
            rids = list(rid) if isinstance(rid, (list, tuple)) else [rid] * len(outs)
            if len(rids) != len(outs):
                raise ValueError(f"KVStore.row_sparse_pull: {len(rids)} row_ids for {len(outs)} outputs of key {k!r}")
            per_key.setdefault(k, []).extend(rids)
        impl(grouped, per_key)

    _compression_capable = False  # stores that quantize pushes override this (device, dist_*)

    def set_gradient_compression(self, compression_params: dict) -> None:
        """Compress pushed gradients: ``{'type': '2bit', 'threshold': t}`` (t defaults to 0.5) or ``{'type': 'none'}``.

        2-bit compression sends each element as ``+t``, ``-t`` or 0 and keeps
        what was not sent in a residual per key and device, added to the next
        push (MXNet's error feedback). The ``device`` and ``dist_*`` stores
        support it; ``local`` refuses it, as in MXNet. Set it before the first
        push.

        >>> from mxpy import kvstore
        >>> kv = kvstore.create("device")
        >>> kv.set_gradient_compression({"type": "2bit", "threshold": 0.5})
        """
        from .compression import TwoBitCompressor, parse_compression

        params = parse_compression(compression_params)
        if params["type"] != "none" and not self._compression_capable:
            raise MXNetError(
                f"KVStore.set_gradient_compression: gradient compression is not supported by the {self.type!r} kvstore; use 'device' or a 'dist_*' kvstore"
            )
        self._compression = params
        self._compressor = TwoBitCompressor(params["threshold"]) if params["type"] == "2bit" else None

    def set_optimizer(self, optimizer) -> None:
        """Run ``optimizer`` on the store at every push (as MXNet does on one machine).

        >>> import mxpy as mx
        >>> from mxpy import kvstore
        >>> kv = kvstore.create()
        >>> w = mx.nd.zeros((2,))
        >>> kv.init(3, w)
        >>> kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1))
        >>> kv.push(3, mx.nd.ones((2,)))
        >>> kv.pull(3, out=w); w.asnumpy().tolist()
        [-0.10000000149011612, -0.10000000149011612]
        """
        from ..optimizer import Optimizer, get_updater

        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"KVStore.set_optimizer: optimizer must be an mx.optimizer.Optimizer, given {type(optimizer).__name__}")
        self._set_updater(get_updater(optimizer))

    def _set_updater(self, updater) -> None:
        """Install ``updater(key, grad, stored)``, called at each push; str keys arrive as bytes (as MXNet)."""
        if not callable(updater):
            raise TypeError(f"KVStore._set_updater: updater must be callable, given {type(updater).__name__}")
        self._updater = updater

    def _barrier(self) -> None:
        """Wait for every worker: with a single worker there is nobody to wait for."""
        return None

    barrier = _barrier

    def _check_states_updater(self, func: str) -> None:
        if self._updater is None:
            raise MXNetError(f"KVStore.{func}: no optimizer is set on this kvstore; call set_optimizer first")
        for name in ("get_states", "set_states"):
            if not callable(getattr(self._updater, name, None)):
                raise MXNetError(f"KVStore.{func}: the updater set by _set_updater has no {name}(); only set_optimizer's updater has states")

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        """Write the updater's states (and the optimizer when ``dump_optimizer``) to ``fname`` atomically."""
        from .._atomic_file import atomic_write

        self._check_states_updater("save_optimizer_states")
        blob = self._updater.get_states(dump_optimizer)
        atomic_write(fname, [blob], func="KVStore.save_optimizer_states")

    def load_optimizer_states(self, fname: str) -> None:
        """Load states written by :meth:`save_optimizer_states` (a pickle: load only files you trust)."""
        self._check_states_updater("load_optimizer_states")
        try:
            with open(fname, "rb") as f:
                blob = f.read()
        except OSError as e:
            raise MXNetError(f"KVStore.load_optimizer_states: cannot read {fname!r}: {e.strerror or e}") from e
        try:
            self._updater.set_states(blob)
        except Exception as e:
            raise MXNetError(f"KVStore.load_optimizer_states: {fname!r} is not a valid optimizer states file ({type(e).__name__}: {e})") from e


def _out_list(out) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


@KVStoreBase.register
class TestStore(KVStoreBase):
    """``mx.kv.create('teststore')``: a one-worker store in plain Python, as MXNet ships for tests.

    ``pushpull`` sums the values given for a key on the first value's device;
    ``broadcast`` copies. It cannot run an optimizer
    (``is_capable('optimizer')`` is False), so Gluon's Trainer updates on
    each device.

    >>> import mxpy as mx
    >>> kv = mx.kv.create("teststore")
    >>> vals = [mx.nd.ones((2,), ctx=mx.cpu(0)), mx.nd.ones((2,), ctx=mx.cpu(1))]
    >>> kv.pushpull("g", vals)
    >>> vals[1].asnumpy().tolist(), kv.is_capable("optimizer")
    ([2.0, 2.0], False)
    """

    __test__ = False  # a store, not a pytest test class

    def broadcast(self, key, value, out, priority: int = 0) -> None:
        """Copy ``value`` into every array of ``out``."""
        for o in _out_list(out):
            o[:] = value

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """Sum ``value`` (a list) into each of ``out`` (or back into ``value``); one NDArray is copied to ``out``."""
        if isinstance(value, NDArray):
            if out is not None:
                for o in _out_list(out):
                    o[:] = value
            return
        ctx = value[0].context
        total = value[0].as_in_context(ctx)
        for v in value[1:]:
            total = total + v.as_in_context(ctx)
        for o in value if out is None else _out_list(out):
            o[:] = total

    @staticmethod
    def is_capable(capability: str) -> bool:
        """``'optimizer'``: False (the optimizer runs on the workers); any other capability is a ValueError."""
        if isinstance(capability, str) and capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")

    @property
    def type(self) -> str:
        """``'teststore'``."""
        return "teststore"

    @property
    def rank(self) -> int:
        """Always 0: one worker."""
        return 0

    @property
    def num_workers(self) -> int:
        """Always 1."""
        return 1
