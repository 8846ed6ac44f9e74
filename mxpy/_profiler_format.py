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


class TraceEncoder:
    """The Chrome trace of one file, encoded event by event as the events come.

    Each dump encodes only the events recorded since the previous one (an
    event is encoded once, and the recorded tuples are dropped); the whole
    document is then written atomically from the encoded lines. One process
    track per device (``cpu/0``, ``gpu/0``) and per domain, one thread track
    per thread that ran something, named by metadata events where they first
    appear. Operators are complete (``X``) events, so each thread's events
    nest by construction.
    """

    _HEAD = '{\n"traceEvents": [\n'
    _TAIL = '\n],\n"displayTimeUnit": "ms"\n}\n'

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[str] = []
        self.tracks: dict[str, int] = {}
        self.threads: dict[int, int] = {}
        self.seen: set[tuple[int, int]] = set()

    def _add(self, ev: dict) -> None:
        self.lines.append(json.dumps(ev, separators=(",", ":")))

    def append(self, events: list[tuple]) -> None:
        names = {t.ident: t.name for t in threading.enumerate()}
        # devices first, in order, so cpu/0 is the top track
        for track in sorted({e[3] for e in events if "/" in e[3]} - set(self.tracks)) + [e[3] for e in events]:
            if track not in self.tracks:
                pid = self.tracks[track] = len(self.tracks)
                self._add({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": track}})
                self._add({"ph": "M", "name": "process_sort_index", "pid": pid, "args": {"sort_index": pid}})
        for kind, name, cat, track, ident, ts, value, args in events:
            pid = self.tracks[track]
            tid = self.threads.setdefault(ident, len(self.threads))
            if (pid, tid) not in self.seen:
                self.seen.add((pid, tid))
                self._add({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": names.get(ident, f"thread {tid}")}})
            ev: dict = {"name": name, "cat": cat, "ph": kind, "ts": round(ts, 3), "pid": pid, "tid": tid}
            if kind == "X":
                ev["dur"] = round(value, 3)
                if args:
                    ev["args"] = args
            elif kind == "C":
                ev["args"] = {name: value}
            else:
                ev["s"] = value
            self._add(ev)

    def chunks(self) -> list[bytes]:
        """The whole document, for an atomic write."""
        return [self._HEAD.encode(), ",\n".join(self.lines).encode("utf-8"), self._TAIL.encode()]
