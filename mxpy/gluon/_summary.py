"""``Block.summary``: MXNet's table of layers, output shapes and parameter counts."""

from __future__ import annotations

from ..ndarray import NDArray


def _shape_str(value) -> str:
    """Shapes of a (nested) output as MXNet prints them: ``(2, 3)`` or ``(2, 3), (2, 4)``."""

    def shapes(v):
        if isinstance(v, (list, tuple)):
            return [shapes(x) for x in v]
        return v.shape if isinstance(v, NDArray) else v

    s = shapes(value)
    return str(s)[1:-1] if isinstance(s, list) else str(s)


def summary(block, *inputs) -> None:
    """Run ``block(*inputs)`` with a hook on every non-container descendant and print the table."""
    from .block import HybridBlock
    from .nn.basic_layers import HybridSequential, Sequential

    rows: list[tuple[str, str, int, int, int]] = [("Input", _shape_str(inputs), 0, 0, 0)]
    seen: set = set()
    handles = []

    def hook(blk, _inputs, outputs):
        total = trainable = shared = 0
        for p in blk.params.values():
            n = p.data().size
            total += n
            trainable += 0 if p.grad_req == "null" else n
            if id(p) in seen:
                shared += n
            else:
                seen.add(id(p))
        rows.append((f"{type(blk).__name__}-{len(rows)}", _shape_str(outputs), total, trainable, shared))

    def register(blk):
        if isinstance(blk, HybridBlock) and blk._active:
            raise AssertionError(f'"{blk.name}" must not be hybridized to print summary.')
        if not isinstance(blk, (Sequential, HybridSequential)):
            handles.append(blk.register_forward_hook(hook))

    try:
        block.apply(register)
        block(*inputs)
        fmt = "{:>20}  {:>42} {:>15}"
        print("-" * 80)
        print(fmt.format("Layer (type)", "Output Shape", "Param #"))
        print("=" * 80)
        for name, shape, n, _, _ in rows:
            print(fmt.format(name, shape, n))
        total = sum(r[2] for r in rows)
        trainable = sum(r[3] for r in rows)
        shared = sum(r[4] for r in rows)
        print("=" * 80)
        print("Parameters in forward computation graph, duplicate included")
        print(f"   Total params: {total}")
        print(f"   Trainable params: {trainable}")
        print(f"   Non-trainable params: {total - trainable}")
        print(f"Shared params in forward computation graph: {shared}")
        print(f"Unique parameters in model: {total - shared}")
        print("-" * 80)
    finally:
        for h in handles:
            h.detach()
