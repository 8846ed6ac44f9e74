"""Memory planning: give every internal entry a storage slot, reusing memory.

Walks the nodes in execution order with reference counts. An output may take
its input's slot in place when the op declares the pair in ``OpDef.inplace``
and that input dies at this node; otherwise it takes the best-fitting free
slot (smallest that is large enough, else the largest, grown) or a new one. A
slot is freed when the last reader of its entry has run. External entries
(arguments, aux states, head gradients, results bound to user arrays) and
pinned entries (graph outputs) are never planned or shared.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from ..symbol.node import Node


@dataclass
class MemoryPlan:
    """``slot_of[entry] = slot``; ``slot_bytes[slot]`` its size; naive = no reuse."""

    slot_of: dict = field(default_factory=dict)
    slot_bytes: list = field(default_factory=list)
    slot_device: list = field(default_factory=list)
    naive_bytes: int = 0
    inplace_count: int = 0

    @property
    def total_bytes(self) -> int:
        return int(sum(self.slot_bytes))


def inplace_enabled() -> bool:
    return os.environ.get("MXNET_EXEC_ENABLE_INPLACE", "true").lower() not in ("0", "false", "off")


def plan_memory(
    nodes: list[Node], shapes: dict, dtypes: dict, external: set, pinned: set, allow_inplace: bool | None = None, device_of: dict | None = None
) -> MemoryPlan:
    """Plan storage for every entry produced by ``nodes`` that is not external.

    ``shapes``/``dtypes`` map ``(id(node), index)`` to shape/np.dtype;
    ``external`` entries live in caller-provided arrays; ``pinned`` entries
    get a slot of their own that is never reused. ``device_of`` maps
    ``id(node)`` to a device key: slots are only shared within one device
    (``plan.slot_device`` records each slot's device).
    """
    device_of = device_of or {}
    if allow_inplace is None:
        allow_inplace = inplace_enabled()
    refs: dict = {}
    for node in nodes:
        for src, i in node.inputs:
            key = (id(src), i)
            refs[key] = refs.get(key, 0) + 1
    plan = MemoryPlan()
    free: list[int] = []  # slot ids available for reuse
    slot_refs: dict[int, int] = {}  # live entries per slot

    def nbytes(key) -> int:
        return int(np.prod(shapes[key], dtype=np.int64)) * np.dtype(dtypes[key]).itemsize

    def take(key) -> int:
        need = nbytes(key)
        plan.naive_bytes += need
        dev = device_of.get(key[0])
        best = None
        for s in free:
            if plan.slot_device[s] != dev:
                continue
            size = plan.slot_bytes[s]
            if size >= need and (best is None or size < plan.slot_bytes[best]):
                best = s
        same_dev = [s for s in free if plan.slot_device[s] == dev]
        if best is None and same_dev:
            best = max(same_dev, key=lambda s: plan.slot_bytes[s])
            plan.slot_bytes[best] = need  # grow the largest free slot
        if best is None:
            plan.slot_bytes.append(need)
            plan.slot_device.append(dev)
            best = len(plan.slot_bytes) - 1
        else:
            free.remove(best)
        return best

    def release(key) -> None:
        s = plan.slot_of.get(key)
        if s is None or key in pinned:
            return
        slot_refs[s] -= 1
        if slot_refs[s] == 0:
            free.append(s)

    for node in nodes:
        if node.op is None:
            continue
        n_out = node.num_outputs()
        inplace_pairs = node.op.inplace if allow_inplace else ()
        for j in range(n_out):
            key = (id(node), j)
            if key in external:
                continue
            slot = None
            if key not in pinned:
                for in_idx, out_idx in inplace_pairs:
                    if out_idx != j or in_idx >= len(node.inputs):
                        continue
                    src_key = (id(node.inputs[in_idx][0]), node.inputs[in_idx][1])
                    s = plan.slot_of.get(src_key)
                    if s is None or src_key in pinned or refs.get(src_key, 0) != 1 or slot_refs.get(s, 0) != 1:
                        continue
                    if nbytes(src_key) != nbytes(key) or device_of.get(src_key[0]) != device_of.get(key[0]):
                        continue
                    slot = s
                    plan.inplace_count += 1
                    plan.naive_bytes += nbytes(key)
                    break
            if slot is None:
                slot = take(key)
                slot_refs[slot] = 0
            plan.slot_of[key] = slot
            slot_refs[slot] = slot_refs.get(slot, 0) + 1
        # inputs read for the last time here free their slots
        for src, i in node.inputs:
            key = (id(src), i)
            refs[key] -= 1
            if refs[key] == 0:
                release(key)
        # outputs nobody reads die at once
        for j in range(n_out):
            key = (id(node), j)
            if refs.get(key, 0) == 0 and key in plan.slot_of:
                release(key)
    return plan
