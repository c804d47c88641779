"""The suite's own time: where a run's wall time went, and its CPU use and peak memory.

Reads the parts of one run from ``runs.jsonl`` beside the results file (one line per pytest session,
written by fixtures/progress.py: wall time, machine CPU use, peak memory of the run's process tree,
test seconds per entry and per module) and the run's records (``seconds`` and ``phases`` of every
matrix test). Test seconds add up over pytest processes, so under ``-n 2`` they exceed the wall time.

``python -m reports.suite_time [RESULTS.jsonl] [--run ID] [--top N]`` prints it;
``reports/out/suite-time.json`` is written by the harness at the end of every session.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from fixtures import testids
from reports.fmt import esc
from reports.view import Section, View

CHECK = "check itself"  # a test's seconds in no phase: the controller's own comparison code


def read_runs(results_paths) -> list[dict]:
    """Every session line of the ``runs.jsonl`` files beside ``results_paths``; bad lines are skipped."""
    out = []
    for path in {Path(p).parent / "runs.jsonl" for p in results_paths}:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                run = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(run, dict) and run.get("run_id"):
                out.append(run)
    return sorted(out, key=lambda r: r.get("started") or 0)


def breakdown(records: list[dict], runs: list[dict], run_id: str | None = None) -> dict:
    """One run's figures (the latest run that has session lines, unless ``run_id``); {} when none."""
    run_id = run_id or (runs[-1]["run_id"] if runs else None)
    parts = [r for r in runs if r["run_id"] == run_id]
    if not parts:
        return {}
    by_entry, by_module, by_phase = collections.Counter(), collections.Counter(), collections.Counter()
    cells = collections.Counter()
    for part in parts:
        by_entry.update(part.get("test_seconds", {}).get("by_entry", {}))
        by_module.update(part.get("test_seconds", {}).get("by_module", {}))
    for rec in records:
        if rec.get("run_id") != run_id or not isinstance(rec.get("phases"), dict):
            continue
        phases = {k: float(v) for k, v in rec["phases"].items()}
        phases[CHECK] = max(0.0, float(rec.get("seconds") or 0.0) - sum(phases.values()))
        module = testids.module(str(rec.get("test", "")))
        for name, seconds in phases.items():
            by_phase[name] += seconds
            cells[(rec["framework"], module, name)] += seconds
    first = min(p.get("started") or 0 for p in parts)
    last = max((p.get("started") or 0) + p.get("wall_s", 0) for p in parts)
    cores = max(p.get("cores", 1) for p in parts)
    return {
        "run_id": run_id,
        "parts": [
            {
                **{k: p.get(k) for k in ("part", "profile", "workers_n", "wall_s", "cpu_pct", "peak_rss_mb", "tests")},
                "peak_largest": p.get("peak_largest") or [],
            }
            for p in parts
        ],
        "wall_s": round(last - first, 1),
        "cpu_pct": round(
            sum(p.get("cpu_pct", 0) * p.get("wall_s", 0) for p in parts)
            / max(1e-9, sum(p.get("wall_s", 0) for p in parts)),
            1,
        ),
        "cores": cores,
        "peak_rss_mb": max(p.get("peak_rss_mb", 0) for p in parts),
        "by_entry": dict(by_entry.most_common()),
        "by_module": dict(by_module.most_common()),
        "by_phase": {k: round(v, 1) for k, v in by_phase.most_common()},
        "top": [
            {"entry": e, "module": m, "phase": ph, "seconds": round(s, 1)} for (e, m, ph), s in cells.most_common(10)
        ],
    }


def largest(processes: list[dict], n: int = 3) -> str:
    """The first ``n`` of a memory peak's largest processes (runs.jsonl's ``peak_largest``): "label GB, ..."."""
    return ", ".join(f"{p['process']} {p['rss_mb'] / 1024:.1f} GB" for p in processes[:n])


def text(b: dict, top: int = 10) -> str:
    if not b:
        return "no session lines (runs.jsonl) for that run"
    lines = [
        f"run {b['run_id']}: {b['wall_s']:.0f} s wall, machine CPU {b['cpu_pct']:.0f} % of {100 * b['cores']} %, "
        f"peak memory {b['peak_rss_mb'] / 1024:.1f} GB"
    ]
    for p in b["parts"]:
        lines.append(
            f"  part {p['part']} ({p['profile']}, -n {p['workers_n']}): {p['wall_s']:.0f} s, {p['tests']} tests, "
            f"CPU {p['cpu_pct']:.0f} %, peak {p['peak_rss_mb'] / 1024:.1f} GB"
            + (f" (largest: {largest(p['peak_largest'])})" if p["peak_largest"] else "")
        )
    for title, key in (("entry", "by_entry"), ("module", "by_module"), ("phase", "by_phase")):
        lines.append(f"test seconds by {title} (top {top}):")
        lines += [f"  {s:8.1f}  {name}" for name, s in list(b[key].items())[:top]]
    lines.append("top phases (entry, module, phase):")
    lines += [f"  {c['seconds']:8.1f}  {c['entry']}  {c['module']}  {c['phase']}" for c in b["top"][:top]]
    return "\n".join(lines)


def _rows(mapping: dict, top: int) -> str:
    return "".join(f"<tr><td>{esc(k)}</td><td>{v:.1f}</td></tr>" for k, v in list(mapping.items())[:top])


def render(view: View) -> str:
    """The breakdown of the latest run with session lines (every record read, not only the latest)."""
    b = breakdown(view.loaded.records, read_runs(view.loaded.sources))
    if not b:
        return '<p class="muted">No session lines (runs.jsonl beside the results file) to show.</p>'
    parts = "".join(
        f"<tr><td>{esc(p['part'])}</td><td>{esc(p['profile'])}</td><td>{p['workers_n']}</td><td>{p['tests']}</td>"
        f"<td>{p['wall_s']:.0f}</td><td>{p['cpu_pct']:.0f} %</td><td>{p['peak_rss_mb'] / 1024:.1f}</td>"
        f"<td>{esc(largest(p['peak_largest']))}</td></tr>"
        for p in b["parts"]
    )
    top = "".join(
        f"<tr><td>{esc(c['entry'])}</td><td>{esc(c['module'])}</td><td>{esc(c['phase'])}</td><td>{c['seconds']:.1f}</td></tr>"
        for c in b["top"]
    )
    head = "<table class='compact'><thead><tr><th>{}</th><th>test seconds</th></tr></thead><tbody>{}</tbody></table>"
    return (
        f'<p class="sub">Run <code>{esc(b["run_id"])}</code>: {b["wall_s"]:.0f} s wall, machine CPU '
        f"{b['cpu_pct']:.0f} % of {100 * b['cores']} %, peak memory {b['peak_rss_mb'] / 1024:.1f} GB (resident, "
        "summed over the run's process tree, sampled each second). Test seconds add up over pytest processes; "
        f"a phase's time is measured in the controller around the worker commands and the golden model; "
        f"“{CHECK}” is the rest of a test.</p>"
        "<table class='compact'><thead><tr><th>part</th><th>profile</th><th>-n</th><th>tests</th><th>wall s</th>"
        f"<th>CPU</th><th>peak GB</th><th>largest processes at the peak</th></tr></thead><tbody>{parts}</tbody></table>"
        "<div class='charts'>"
        + head.format("entry", _rows(b["by_entry"], 20))
        + head.format("module", _rows(b["by_module"], 20))
        + head.format("phase", _rows(b["by_phase"], 20))
        + "</div><h3>Top phases</h3><table class='compact'><thead><tr><th>entry</th><th>module</th><th>phase</th>"
        f"<th>test seconds</th></tr></thead><tbody>{top}</tbody></table>"
    )


def main(argv=None) -> int:
    from reports import DEFAULT_RESULTS, load

    parser = argparse.ArgumentParser(prog="python -m reports.suite_time", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", default=[str(DEFAULT_RESULTS)])
    parser.add_argument("--run", default=None, help="run id (default: the latest with session lines)")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    paths = [p for p in args.results if Path(p).is_file()]
    print(text(breakdown(load.read(paths).records, read_runs(args.results), args.run), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())


SECTION = Section("suite", "The suite's own time", render)
