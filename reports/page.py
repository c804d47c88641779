"""The one self-contained HTML page: inline CSS, charts as data URIs, no scripts, no external links;
the sections in page order (``SECTIONS``), each a module's ``Section`` (reports/view.py)."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from reports import (
    ab,
    across,
    adapters,
    defaults,
    figures,
    flops,
    history,
    machines,
    nodes,
    overview,
    parity,
    perf,
    published,
    scaling,
    suite_time,
    threads,
    verdict,
)
from reports.fmt import Notes, esc
from reports.load import Loaded
from reports.view import View

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
nav ol { columns: 5; font-size: .9em; } code { font-size: .92em; }
.noisy { background: #ffd8b0; color: #7a3b00; border-radius: 3px; padding: 0 .35em; font-size: .8em; }
.outliers { white-space: nowrap; } .ci { font-size: .85em; color: #444; white-space: nowrap; }
.verdict { display: inline-block; padding: 0 .45em; border-radius: 3px; font-weight: 700; }
.verdict.slower { background: #fbd9dc; color: #b00020; } .verdict.faster { background: #dff3e0; color: #16691e; }
.verdict.same { background: #eef0f3; color: #333; } .verdict.noisy { background: #e4e4e4; color: #777; }
.nogpu { color: #555; font-style: italic; }
table.verdict { font-size: .82em; } table.verdict td.cell { min-width: 0; white-space: nowrap; }
details { margin: .3em 0 .6em; } summary { cursor: pointer; }
details ul { margin: .2em 0; font-size: .9em; } details li { overflow-wrap: anywhere; }
.empty { font-size: 1.2em; padding: 1em; background: #f7f7f7; border: 1px solid #ddd; }
"""

SECTIONS = [
    verdict.SECTION,
    overview.SECTION,
    perf.TRAINING,
    perf.INFERENCE,
    across.SECTION,
    flops.GFLOPS,
    flops.ROOFLINE,
    figures.SECTION,
    threads.SECTION,
    scaling.SECTION,
    nodes.SECTION,
    ab.SECTION,
    history.SECTION,
    parity.SECTION,
    defaults.SECTION,
    adapters.SECTION,
    published.SECTION,
    suite_time.SECTION,
    machines.SECTION,
]


def build(
    loaded: Loaded, title: str = "dlparity report", extra_links: list[tuple[str, str]] = (), saved: Path | None = None
) -> tuple[str, dict]:
    """(html, stats) for the loaded records; ``saved``: the folder of saved runs (--save) for the history."""
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
    if not records:
        notes = Notes("frameworks")
        body = [
            '<p class="empty">No records to show: the results file(s) hold no readable records'
            f"{f' ({loaded.skipped} lines skipped, see stderr)' if loaded.skipped else ''}. "
            "Run <code>pytest</code> first.</p>",
            "<h2>Frameworks: every framework the seed projects measured</h2>"
            + overview.frameworks_table([], notes)
            + notes.html("Reasons"),
            f'<h2 id="seeds">{esc(published.SECTION.title)}</h2>' + published.tables_html(),
        ]
        return head + "".join(body) + "</body></html>", stats

    view = View(loaded, saved)
    body = [
        "<nav><ol>" + "".join(f'<li><a href="#{s.anchor}">{esc(s.title)}</a></li>' for s in SECTIONS) + "</ol></nav>"
    ]
    for n, section in enumerate(SECTIONS, 1):
        body.append(f'<h2 id="{section.anchor}">{n}. {esc(section.title)}</h2>{section.render(view)}')
    stats["charts"] = view.charts
    return head + "\n".join(body) + "</body></html>", stats
