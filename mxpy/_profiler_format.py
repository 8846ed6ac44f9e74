"""Text the profiler writes: MXNet's aggregate table and JSON, and the Chrome trace.

Kept apart from :mod:`mxpy.profiler` so the recording side stays short. The
statistics are rows ``[kind, count, total, min, max]`` per category and
name, in microseconds (bytes for memory categories); ``kind`` is ``'X'`` for
durations and ``'C'`` for counters, whose total is their latest value.
"""

from __future__ import annotations

import json
import threading

import numpy as np

_MEMORY_CATS = ("Device Storage", "Pool Memory")


def _f32(x: float) -> float:
    # MXNet converts each statistic to a C float before printing it
    return float(np.float32(x / 1000.0))


def _avg(row: list) -> float:
    kind, count, total, lo, hi = row
    # a counter's "average" is half its range, in MXNet's unsigned integer arithmetic
    return (hi - lo) // 2 if kind == "C" else total / count


def _sorted(rows: dict[str, list], sort_by: str, ascending: bool) -> list[tuple[str, list]]:
    def value(item):
        row = item[1]
        v = {"total": row[2], "avg": _avg(row), "min": row[3], "max": row[4], "count": row[1]}[sort_by]
        return (-v if ascending else v, item[0])

    return sorted(rows.items(), key=value, reverse=True)


def stats_table(agg: dict, sort_by: str, ascending: bool) -> str:
    """MXNet's ``dumps(format='table')`` text."""
    out = ["", "Profile Statistics:", "\tNote the difference in units for different entries."]
    for cat in sorted(agg):
        mem = cat in _MEMORY_CATS
        out.append(cat)
        out.append("=================")
        if mem:
            out.append(f"{'Name':<25}{'Total Count':>16} {'Min Use  (kB)':>16} {'Max Use  (kB)':>16} {'Avg Use  (kB)':>16}")
            out.append(f"{'----':<25}{'-----------':>16} {'-------------':>16} {'-------------':>16} {'-------------':>16}")
        else:
            out.append(f"{'Name':<25}{'Total Count':>16} {'Time (ms)':>16} {'Min Time (ms)':>16} {'Max Time (ms)':>16} {'Avg Time (ms)':>16}")
            out.append(f"{'----':<25}{'-----------':>16} {'---------':>16} {'-------------':>16} {'-------------':>16} {'-------------':>16}")
        for name, row in _sorted(agg[cat], sort_by, ascending):
            kind, count, total, lo, hi = row
            cells = [] if mem else [f"{_f32(total):>16.4f}"]
            cells += [f"{_f32(lo):>16.4f}", f"{_f32(hi):>16.4f}", f"{_f32(_avg(row)):>16.4f}"]
            out.append(f"{name:<25}{count:>16} " + " ".join(cells))
        out.append("")
    return "\n".join(out) + "\n"


def _g(x: float) -> str:
    return format(_f32(x), ".4g")


def stats_json(agg: dict, sort_by: str, ascending: bool) -> str:
    """MXNet's ``dumps(format='json')`` text: ``Time``, ``Memory`` and ``Unit``."""
    sections: dict[bool, list[str]] = {False: [], True: []}
    for cat in sorted(agg):
        mem = cat in _MEMORY_CATS
        lines = sections[mem]
        if lines:
            lines.append("        ,")
        lines.append(f'        "{cat}": {{')
        first = True
        for name, row in _sorted(agg[cat], sort_by, ascending):
            kind, count, total, lo, hi = row
            if not first:
                lines.append("            ,")
            first = False
            lines.append(f'            "{name}": {{')
            lines.append(f'                "Count": {count},')
            if not mem:
                lines.append(f'                "Total": {_g(total)},')
            lines.append(f'                "Min": {_g(lo)},')
            lines.append(f'                "Max": {_g(hi)},')
            lines.append(f'                "Avg": {_g(_avg(row))}')
            lines.append("            }")
        lines.append("        }")
    out = ["{", '    "Time": {', *sections[False], "    }", "    ,", '    "Memory": {', *sections[True], "    }", ","]
    out += ['    "Unit": {', '        "Time": "ms",', '        "Memory": "kB"', "    }", "}"]
    return "\n".join(out) + "\n"


def trace_json(events: list[tuple]) -> str:
    """Chrome trace JSON (``traceEvents``) for the recorded events.

    One process track per device (``cpu/0``, ``gpu/0``) and per domain, one
    thread track per thread that ran something; operators are complete
    (``X``) events, so each thread's events nest by construction.
    """
    tracks: dict[str, int] = {}
    threads: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()
    names = {t.ident: t.name for t in threading.enumerate()}
    devices = sorted({e[3] for e in events if "/" in e[3]})
    for d in devices:
        tracks[d] = len(tracks)
    for e in events:
        if e[3] not in tracks:
            tracks[e[3]] = len(tracks)
    out: list[dict] = []
    for name, pid in tracks.items():
        out.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": name}})
        out.append({"ph": "M", "name": "process_sort_index", "pid": pid, "args": {"sort_index": pid}})
    body: list[dict] = []
    for kind, name, cat, track, ident, ts, value, args in events:
        pid = tracks[track]
        tid = threads.setdefault(ident, len(threads))
        if (pid, tid) not in seen:
            seen.add((pid, tid))
            out.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": names.get(ident, f"thread {tid}")}})
        ev: dict = {"name": name, "cat": cat, "ph": kind, "ts": round(ts, 3), "pid": pid, "tid": tid}
        if kind == "X":
            ev["dur"] = round(value, 3)
            if args:
                ev["args"] = args
        elif kind == "C":
            ev["args"] = {name: value}
        else:
            ev["s"] = value
        body.append(ev)
    return json.dumps({"traceEvents": out + body, "displayTimeUnit": "ms"}, indent=0)
