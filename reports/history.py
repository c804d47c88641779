"""Saved runs over time (``--save NAME``, fixtures/baselines.py) and the verdicts against a baseline.

The history is one table per machine folder of the save directory (saved runs of two machines never
share one): a row per (entry, task, kind), a column per saved run, each cell the trimmed-mean
throughput over the run's rounds with its 95 % bootstrap interval, as computed when it was saved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from reports.fmt import esc, machine_label, num, table
from reports.view import Section, View

MAX_RUNS = 12  # latest saved runs per machine shown: a page, not an archive


def read(where: Path) -> dict[str, list[dict]]:
    """{machine folder name: [saved run's dlparity section + file name, oldest first]}."""
    out: dict[str, list[dict]] = {}
    for folder in sorted(p for p in where.iterdir() if p.is_dir()) if where.is_dir() else ():
        runs = []
        for path in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                runs.append({**doc["dlparity"], "file": path.stem, "commit": doc.get("commit_info") or {}})
            except (OSError, ValueError, KeyError, TypeError) as exc:
                print(f"reports: {path}: not a saved run, left out ({type(exc).__name__})", file=sys.stderr)
        if runs:
            out[folder.name] = runs[-MAX_RUNS:]
    return out


def _history(folder: str, runs: list[dict]) -> str:
    cells: dict[tuple, dict[str, dict]] = {}
    for run in runs:
        for rec in run.get("records") or []:
            saved = (rec.get("figures") or {}).get("saved")
            if saved:
                key = (rec.get("framework"), rec.get("task"), rec.get("kind"), rec.get("profile"), rec.get("device"))
                cells.setdefault(key, {})[run["file"]] = saved
    if not cells:
        return ""
    head = ["entry", "task", "kind", "profile", "device"]
    for run in runs:
        commit = str(run["commit"].get("id") or "")[:8] + (" dirty" if run["commit"].get("dirty") else "")
        head.append(f"{esc(run['file'])}<div class='fig'>{esc(commit)}</div>")
    rows = []
    for key, per_run in sorted(cells.items(), key=lambda kv: tuple(map(str, kv[0]))):
        tds = "".join(f"<td>{esc(k)}</td>" for k in key)
        for run in runs:
            s = per_run.get(run["file"])
            tds += (
                f"<td>{num(s['trimmed_mean'])} {esc(s['unit'])}<div class='fig'>95 % {num(s['ci95'][0])}–"
                f"{num(s['ci95'][1])}, {s['rounds']} rounds</div></td>"
                if s
                else "<td class='muted'>—</td>"
            )
        rows.append(f"<tr>{tds}</tr>")
    return (
        f"<h3>Saved runs on machine {esc(machine_label(runs[-1].get('machine') or {}))} <code>{esc(folder)}</code></h3>"
        + table([esc(h) if i < 5 else h for i, h in enumerate(head)], rows, "compact history")
    )


def _verdicts(records: list[dict]) -> str:
    rows = []
    for r in records:
        b = r["figures"].get("baseline") if r["kind"] in ("train", "infer") else None
        if not isinstance(b, dict):
            continue
        what = f"<tr><td>{esc(r['framework'])}</td><td>{esc(r['task'])}</td><td>{esc(r['kind'])}</td>"
        if b.get("missing"):
            rows.append(
                f"{what}<td colspan='4' class='muted'>{esc(b['missing'])}</td><td>{esc(b['baseline'])}</td></tr>"
            )
            continue
        ci = b.get("ci") or [None, None]
        rows.append(
            f"{what}<td>{num(b.get('ratio'))}</td><td>{num(ci[0])}–{num(ci[1])}</td>"
            f"<td>{esc(format(b.get('threshold', 0), '.0%'))}</td><td><span class='verdict {esc(b.get('verdict'))}'>"
            f"{esc(b.get('verdict'))}</span></td><td>{esc(b.get('baseline'))}</td></tr>"
        )
    if not rows:
        return ""
    head = ["entry", "task", "kind", "time now/baseline", "95 % interval", "threshold", "verdict", "baseline"]
    return "<h3>This run against its baseline</h3>" + table(head, rows, "compact")


def render(view: View) -> str:
    """This run's verdicts against a baseline, then the history of the runs saved in ``view.saved``."""
    saved = read(view.saved) if view.saved is not None else {}
    body = _verdicts(view.records) + "".join(_history(folder, runs) for folder, runs in saved.items())
    return body or (
        '<p class="muted">No saved runs (<code>--save NAME</code> stores one in <code>.benchmarks/</code>; '
        "<code>--baseline NAME --gate PCT</code> judges a later run against it).</p>"
    )


SECTION = Section("history", "Saved runs and baselines", render)
