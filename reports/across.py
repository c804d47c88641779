"""The cross-machine view: one measurement side by side on every machine that made it.

Only like with like: a row is one task, kind (training or inference), profile, device and matrix entry;
its cells are that row's latest record on each machine (records of several hosts merged, e.g. the shards
of a CI matrix). A row that only one machine measured is left out (the per-machine tables hold it), and
no row ever puts one task's figure beside another's.
"""

from __future__ import annotations

from collections import defaultdict

from reports.fmt import esc, is_num, num, table
from reports.tables import machine_labels, status_text, version_text
from reports.view import Section, View

METRIC = {"train": ("samples_per_s", "samples/s"), "infer": ("images_per_s", "images/s")}


def rows(records: list[dict]) -> dict[tuple, dict[str, dict]]:
    """(task, kind, profile, device, entry) -> {machine_id: record}, for rows seen on two machines or more."""
    out: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in records:
        if r["kind"] in METRIC:
            out[(r["task"], r["kind"], r["profile"], r["device"], r["framework"])][r["machine_id"]] = r
    return {key: by_machine for key, by_machine in sorted(out.items()) if len(by_machine) > 1}


def _cell(rec: dict | None, best: float | None) -> str:
    if rec is None:
        return '<td class="none">not run there</td>'
    key, unit = METRIC[rec["kind"]]
    value = rec["figures"].get(key)
    if rec["outcome"] != "passed" or not is_num(value):
        return f'<td class="cell skipped">{esc(rec["outcome"])}</td>'
    ratio = f' <span class="ratio">×{best / value:.2f}</span>' if best else ""
    parity = "" if rec["parity"] in ("passed", "") else f" parity {status_text(rec['parity'], rec['parity_checks'])}"
    return (
        f'<td class="cell ok"><div class="main">{num(value)} {unit}{ratio}</div>'
        f'<div class="sub">{esc(version_text(rec["version"]))}{parity}</div></td>'
    )


INTRO = (
    "The same task, kind, profile, device and entry on each machine that measured it (its latest record there): "
    "throughput, and × = the fastest machine's ÷ this one (1.00 = fastest). Only measurements made on two machines "
    "or more; each machine's full tables are above."
)


def render(view: View) -> str:
    """The intro, a legend of the machines, then one table with a row per measurement."""
    return f'<p class="sub">{INTRO}</p>' + _body(view.records)


def _body(records: list[dict]) -> str:
    found = rows(records)
    if not found:
        return '<p class="muted">No measurement was made on more than one machine.</p>'
    labels = machine_labels(records)
    machines = sorted({mid for by_machine in found.values() for mid in by_machine})
    legend = "".join(f"<li><code>{esc(mid)}</code>: {esc(labels[mid])}</li>" for mid in machines)
    body = []
    for (task, kind, profile, device, entry), by_machine in found.items():
        key = METRIC[kind][0]
        values = [r["figures"].get(key) for r in by_machine.values() if r["outcome"] == "passed"]
        best = max((v for v in values if is_num(v)), default=None)
        body.append(
            f'<tr data-row="{esc(task)}|{esc(kind)}|{esc(profile)}|{esc(device)}|{esc(entry)}">'
            f'<th class="row">{esc(task)}</th><td>{esc(kind)}</td><td>{esc(profile)}</td><td>{esc(device)}</td>'
            f'<th class="row">{esc(entry)}</th>' + "".join(_cell(by_machine.get(m), best) for m in machines) + "</tr>"
        )
    head = ["task", "kind", "profile", "device", "entry", *(f"<code>{esc(m)}</code>" for m in machines)]
    return f"<ul>{legend}</ul>" + table(head, body, "compact across")


SECTION = Section("across", "Across machines", render)
