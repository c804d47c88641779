"""The one self-contained HTML page: inline CSS, charts as data URIs, no scripts, no external links."""

from __future__ import annotations

import datetime
from collections import Counter

from reports import charts, tables
from reports.fmt import Notes, esc, iqr, slug
from reports.load import Loaded

CSS = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto; max-width: 1400px;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #ddd; margin-top: 1.8em; }
h3 { margin: 1.2em 0 .4em; font-size: 1.05em; }
table { border-collapse: collapse; margin: .4em 0 .8em; }
th, td { border: 1px solid #ccc; padding: 4px 7px; vertical-align: top; text-align: left; }
thead th { background: #f0f3f7; } th.row { background: #fafafa; white-space: nowrap; }
td.cell { min-width: 12em; } td.cell.ok { background: #fbfffb; } td.cell.failed { background: #fff3f3; }
td.cell.skipped, td.none { background: #f7f7f7; color: #666; }
table.parity td.cell { min-width: 8em; } table.compact td, table.compact th { padding: 2px 6px; }
.main { font-weight: 600; } .sub, .fig, .reason { font-size: .82em; color: #555; }
.reason { max-width: 24em; overflow-wrap: anywhere; }
.ratio { font-weight: 600; } .ok { color: #16691e; } .bad { color: #b00020; font-weight: 600; } .muted { color: #777; }
.badge { display: inline-block; padding: 0 .45em; border-radius: 3px; font-size: .85em; font-weight: 600; }
.badge.passed { background: #dff3e0; color: #16691e; } .badge.failed { background: #fbd9dc; color: #b00020; }
.badge.skipped { background: #e8e8e8; color: #555; }
.synthetic { background: #ffe9a8; color: #6b4e00; border: 1px solid #e0b84a; border-radius: 3px; padding: 0 .4em;
             font-size: .8em; font-weight: 700; text-transform: uppercase; }
sup.ref a { text-decoration: none; font-size: .8em; }
.notes { font-size: .85em; color: #333; margin: .2em 0 1em; } .notes ol { margin: .2em 0; padding-left: 2em; }
.notes li { overflow-wrap: anywhere; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.charts figure { margin: 0; border: 1px solid #e3e3e3; padding: 4px; } .charts img { display: block; }
figcaption { font-size: .8em; color: #555; }
.seeds { border: 2px dashed #b58a00; background: #fffbea; padding: .4em 1em; }
.seedlabel { font-weight: 700; color: #6b4e00; }
nav ol { columns: 3; font-size: .9em; } code { font-size: .92em; }
.noisy { background: #ffd8b0; color: #7a3b00; border-radius: 3px; padding: 0 .35em; font-size: .8em; }
.empty { font-size: 1.2em; padding: 1em; background: #f7f7f7; border: 1px solid #ddd; }
"""

SECTIONS = [
    ("summary", "Summary"),
    ("training", "Training"),
    ("inference", "Inference"),
    ("gflops", "Achieved GFLOP/s"),
    ("charts", "Charts"),
    ("parity", "Parity matrix"),
    ("adapters", "Adapter details"),
    ("seeds", "The seeds' published figures"),
    ("machines", "Machines and versions"),
]


def _group_title(profile: str, device: str) -> str:
    return f"profile <code>{esc(profile)}</code>, device <code>{esc(device)}</code>"


def _charts(recs: list[dict], key: tuple[str, str], colors: dict) -> tuple[str, int]:
    figs, count = [], 0
    train, infer = tables.by_cell(recs, "train"), tables.by_cell(recs, "infer")
    for task in sorted({t for t, _ in train} | {t for t, _ in infer}):
        items = []
        rows = [
            (fw, r["figures"].get("samples_per_s"), iqr(r["figures"].get("samples_per_s_iqr")))
            for (t, fw), r in sorted(train.items())
            if t == task
        ]
        items.append((charts.bars(f"{task}: training", "samples/s (median, IQR)", rows, colors), "training samples/s"))
        rows = [
            (fw, r["figures"].get("images_per_s"), charts.ips_band(r["figures"]))
            for (t, fw), r in sorted(infer.items())
            if t == task
        ]
        items.append((charts.bars(f"{task}: inference", "images/s (median, IQR)", rows, colors), "inference images/s"))
        series = [
            (fw, r["figures"].get("accuracy_per_epoch") or [], r["figures"].get("loss_per_epoch") or [])
            for (t, fw), r in sorted(train.items())
            if t == task and isinstance(r["figures"].get("accuracy_per_epoch"), list)
        ]
        synthetic = [fw for (t, fw), r in sorted(train.items()) if t == task and r["data"].get("synthetic")]
        caption = "convergence" + (f" (synthetic data: {', '.join(synthetic)})" if synthetic else "")
        items.append((charts.curves(f"{task}: accuracy per epoch", series, colors), caption))
        for uri, caption in items:
            if uri:
                count += 1
                alt = f"{task} {caption}"
                figs.append(
                    f'<figure><img src="{uri}" alt="{esc(alt)}"><figcaption>{esc(alt)}, '
                    f"{_group_title(*key)}</figcaption></figure>"
                )
    return ('<div class="charts">' + "".join(figs) + "</div>" if figs else ""), count


def build(loaded: Loaded, title: str = "dlparity report", extra_links: list[tuple[str, str]] = ()) -> tuple[str, dict]:
    """(html, stats) for the loaded records."""
    records = loaded.latest
    generated = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    stats = {
        "records": len(loaded.records),
        "latest": len(records),
        "skipped_lines": loaded.skipped,
        "outcomes": Counter(r["outcome"] for r in records),
        "runs": sorted({r["run_id"] for r in loaded.records}),
        "frameworks": sorted({r["framework"] for r in records}),
        "tasks": sorted({r["task"] for r in records}),
        "charts": 0,
    }
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
        f"<h1>{esc(title)}</h1><p class='sub'>generated {esc(generated)} from {esc(', '.join(loaded.sources))}"
        + "".join(f' · <a href="{esc(href)}">{esc(text)}</a>' for href, text in extra_links)
        + "</p>"
    )
    body = []
    if not records:
        body.append(
            '<p class="empty">No records to show: the results file(s) hold no readable schema-1 records'
            f"{f' ({loaded.skipped} lines skipped, see stderr)' if loaded.skipped else ''}. "
            "Run <code>pytest</code> first.</p>"
        )
        notes = Notes("frameworks")
        body.append(
            "<h2>Frameworks: every framework the seed projects measured</h2>"
            + tables.frameworks_table([], notes)
            + notes.html("Reasons")
        )
        body.append(f'<h2 id="seeds">{SECTIONS[7][1]}</h2>' + tables.seeds_tables())
        return head + "".join(body) + "</body></html>", stats

    body.append("<nav><ol>" + "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in SECTIONS) + "</ol></nav>")
    body.append(f'<h2 id="summary">1. Summary</h2>{tables.summary(loaded, records)}')
    grouped = tables.groups(records)
    latest_parity = tables.parity_status(records)

    for n, (anchor, kind, heading, intro) in enumerate(
        [
            (
                "training",
                "train",
                "Training",
                "Cells: samples/s (median over rounds, inter-quartile range), s/epoch (median), ratio = "
                "fastest samples/s in the row ÷ this one (1.00 = fastest; 2.00 = half as fast), first step "
                "(tracing/compilation, timed apart), final test accuracy, parity status.",
            ),
            (
                "inference",
                "infer",
                "Inference",
                "Cells: latency per batch (median, IQR), images/s, ratio = fastest images/s in the row ÷ this one "
                "(1.00 = fastest), cold (first) pass, parity status.",
            ),
        ],
        start=2,
    ):
        body.append(f'<h2 id="{anchor}">{n}. {heading}</h2><p class="sub">{intro}</p>')
        for (profile, device), recs in grouped.items():
            if not any(r["kind"] == kind for r in recs):
                continue
            notes = Notes(slug(kind, profile, device))
            body.append(f"<h3>{heading}: {_group_title(profile, device)}</h3>")
            body.append(tables.perf_table(recs, kind, notes, latest_parity))
            body.append(notes.html())
        if not any(r["kind"] == kind for r in records):
            body.append('<p class="muted">No records.</p>')

    body.append(
        '<h2 id="gflops">4. Achieved GFLOP/s</h2><p class="sub">Model FLOPs per sample (from the task spec: '
        "2 × multiply-adds of conv and dense layers; training adds the weight and input gradients, ≈ 3 × forward) "
        "× measured median throughput. Element-wise work is not counted.</p>"
    )
    has_perf = False
    for (profile, device), recs in grouped.items():
        if any(r["kind"] in ("train", "infer") for r in recs):
            has_perf = True
            body.append(f"<h3>GFLOP/s: {_group_title(profile, device)}</h3>{tables.gflops_table(recs)}")
    if not has_perf:
        body.append('<p class="muted">No records.</p>')

    body.append('<h2 id="charts">5. Charts</h2>')
    colors = charts.palette({r["framework"] for r in records})
    for key, recs in grouped.items():
        html_, count = _charts(recs, key, colors)
        if html_:
            stats["charts"] += count
            body.append(f"<h3>Charts: {_group_title(*key)}</h3>{html_}")
    if not stats["charts"]:
        body.append('<p class="muted">No timed records to chart.</p>')

    body.append(
        '<h2 id="parity">6. Parity matrix</h2><p class="sub">Each adapter against the task spec and the NumPy golden '
        "model under the same canonical weights. Small text: the worst errors measured.</p>"
    )
    any_parity = False
    for (profile, device), recs in grouped.items():
        if any(r["kind"] == "parity" for r in recs):
            any_parity = True
            notes = Notes(slug("parity", profile, device))
            body.append(f"<h3>Parity: {_group_title(profile, device)}</h3>{tables.parity_matrix(recs, notes)}")
            body.append(notes.html("Failures and skips"))
    if not any_parity:
        body.append('<p class="muted">No parity records.</p>')

    body.append(f'<h2 id="adapters">7. Adapter details</h2>{tables.describe_table(records)}')
    body.append(f'<h2 id="seeds">8. The seeds\' published figures</h2>{tables.seeds_tables()}')
    body.append(
        f'<h2 id="machines">9. Machines and versions</h2><h3>Machines (controller; every record read)</h3>'
        f"{tables.machines_table(loaded.records)}"
        f"<h3>Framework versions (worker)</h3>{tables.versions_table(records)}"
    )
    return head + "\n".join(body) + "</body></html>", stats
