"""Golden log lines of mx.callback for tests/test_callback.py, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_callback.py``;
writes ``tests/golden/callback.json``. The clock is replaced by a fake one
that advances 0.5 s per reading, and the metric by a stand-in, so the lines
are exact.
"""

import json
import logging
import os

import mxnet as mx
from mirror import Clock, Metric

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback.json")


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def run(make_cb, epochs=2, batches=7, with_metric=True):
    cap = Capture()
    root = logging.getLogger()
    root.addHandler(cap)
    root.setLevel(logging.INFO)
    mx.callback.time = Clock()
    cb = make_cb()
    metric = Metric() if with_metric else None
    for epoch in range(epochs):
        for nbatch in range(batches):
            if metric:
                metric.update()
            cb(mx.model.BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=metric, locals=None))
    root.removeHandler(cap)
    return {"lines": cap.lines, "resets": metric.resets if metric else None}


def main():
    res = {
        "speed_reset": run(lambda: mx.callback.Speedometer(16, frequent=3)),
        "speed_noreset": run(lambda: mx.callback.Speedometer(16, frequent=2, auto_reset=False)),
        "speed_nometric": run(lambda: mx.callback.Speedometer(8, frequent=3), with_metric=False),
        "log_train": run(lambda: mx.callback.log_train_metric(3, auto_reset=True)),
        "log_train_noreset": run(lambda: mx.callback.log_train_metric(2)),
        "progress": run(lambda: mx.callback.ProgressBar(total=7, length=10), epochs=1),
        "validation": run(lambda: mx.callback.LogValidationMetricsCallback(), epochs=2, batches=1),
    }
    with open(OUT, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
