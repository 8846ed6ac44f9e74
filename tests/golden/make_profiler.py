"""Golden aggregate-statistics text of mx.profiler for tests/test_profiler.py, from real MXNet 1.9.1.

Run with ``/work/shared/tools/mxnet-reference tests/golden/make_profiler.py``;
writes ``tests/golden/profiler.json``. Only counters and markers are
recorded: their statistics are values, not times, so the text is exact.
"""

import json
import os
import tempfile

from mxnet import profiler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profiler.json")


def main():
    out = {}
    tmp = tempfile.mkdtemp()
    profiler.set_config(
        profile_symbolic=False,
        profile_imperative=False,
        profile_memory=False,
        profile_api=False,
        aggregate_stats=True,
        continuous_dump=False,
        filename=os.path.join(tmp, "p.json"),
    )
    profiler.set_state("run")
    dom = profiler.Domain("Dom")
    c = profiler.Counter(dom, "queue_length", 3)
    c += 2
    c.decrement(1)
    c.set_value(10)
    d = dom.new_counter("a_counter_with_a_rather_long_name", 7)
    d -= 4
    profiler.Marker(dom, "mark").mark("process")
    profiler.set_state("stop")
    for fmt in ("table", "json"):
        for sort_by in ("total", "avg", "min", "max", "count"):
            for asc in (False, True):
                out[f"{fmt}-{sort_by}-{asc}"] = profiler.dumps(format=fmt, sort_by=sort_by, ascending=asc)
    out["reset"] = profiler.dumps(reset=True)
    out["after_reset"] = profiler.dumps()
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)


main()
