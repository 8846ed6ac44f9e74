"""Planned executor memory of the real networks (issue 14), mxpy or MXNet 1.9.1.

The shared ``memory`` case covers MLPs and LeNet; this prints the same figure
(``debug_str()``'s "Total N MB allocated", via the shared case's own helpers)
for ResNet-18 (batch 8, 224x224), CIFAR ResNet-20 (batch 64) and MobileNet v1
(batch 8), training and inference binds:

    .venv/bin/python bench/memory_nets.py --module mxpy
    ../shared/tools/mxnet-reference bench/memory_nets.py --module mxnet
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.join(HERE, "..", "shared", "bench"))

NETS = {
    "resnet18_b8": ("resnet18_symbol", (8, 3, 224, 224)),
    "resnet20_cifar_b64": ("resnet20_symbol", (64, 3, 32, 32)),
    "mobilenet_b8": ("mobilenet_symbol", (8, 3, 224, 224)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", default="mxpy")
    args = ap.parse_args()
    import cases_mx

    mx = importlib.import_module(args.module)
    out = {}
    for name, (builder, shape) in NETS.items():
        sym = getattr(cases_mx, builder)(mx)
        out[name] = {
            "train_MB": cases_mx._planned_mb(cases_mx._bind(mx, sym, shape, train=True)),
            "infer_MB": cases_mx._planned_mb(cases_mx._bind(mx, sym, shape, train=False)),
        }
    print(json.dumps({args.module: out}))


if __name__ == "__main__":
    main()
