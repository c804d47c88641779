"""How each adapter ran each task (layout, compilation, optimizer implementation, threads)."""

from __future__ import annotations

import json

from reports.fmt import esc, table
from reports.view import Section, View


def describe_table(records: list[dict]) -> str:
    best: dict[tuple, dict] = {}
    for r in records:
        if r["describe"]:
            key = (r["framework"], r["task"], r["device"])
            if key not in best or r["time"] >= best[key]["time"]:
                best[key] = r
    if not best:
        return '<p class="muted">No adapter descriptions recorded.</p>'
    first = ["layout", "execution", "optimizer", "threads", "device"]
    keys = [k for k in first if any(k in r["describe"] for r in best.values())]
    keys += sorted({k for r in best.values() for k in r["describe"]} - set(first))
    rows = []
    for (fw, task, device), r in sorted(best.items()):
        d = r["describe"]
        tds = "".join(
            f"<td>{esc(json.dumps(d[k]) if isinstance(d.get(k), dict | list) else d.get(k, '—'))}</td>" for k in keys
        )
        rows.append(f'<tr><th class="row">{esc(fw)}</th><td>{esc(task)}</td><td>{esc(device)}</td>{tds}</tr>')
    return table(["framework", "task", "record device", *(esc(k) for k in keys)], rows, "compact")


def render(view: View) -> str:
    return describe_table(view.records)


SECTION = Section("adapters", "Adapter details", render)
