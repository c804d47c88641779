"""The one self-contained HTML page: inline CSS, charts as data URIs, no scripts, no external links."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from reports import across, charts, defaults, history, nodes, scaling, suite_time, sweep, tables, threads, verdict
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
.outliers { white-space: nowrap; } .ci { font-size: .85em; color: #444; white-space: nowrap; }
.verdict { display: inline-block; padding: 0 .45em; border-radius: 3px; font-weight: 700; }
.verdict.slower { background: #fbd9dc; color: #b00020; } .verdict.faster { background: #dff3e0; color: #16691e; }
.verdict.same { background: #eef0f3; color: #333; } .verdict.noisy { background: #e4e4e4; color: #777; }
.nogpu { color: #555; font-style: italic; }
table.verdict td.cell { min-width: 5.5em; } details { margin: .3em 0 .6em; } summary { cursor: pointer; }
details ul { margin: .2em 0; font-size: .9em; } details li { overflow-wrap: anywhere; }
.empty { font-size: 1.2em; padding: 1em; background: #f7f7f7; border: 1px solid #ddd; }
"""

SECTIONS = [
    ("verdict", "Verdict"),
    ("summary", "Summary"),
    ("training", "Training"),
    ("inference", "Inference"),
    ("across", "Across machines"),
    ("gflops", "Achieved GFLOP/s"),
    ("roofline", "Roofline"),
    ("charts", "Charts"),
    ("threads", "CPU thread scaling"),
    ("scaling", "Data-parallel scaling"),
    ("nodes", "Multi-node scaling (loopback)"),
    ("ab", "A/B comparisons"),
    ("history", "Saved runs and baselines"),
    ("parity", "Parity matrix"),
    ("defaults", "Framework defaults"),
    ("adapters", "Adapter details"),
    ("seeds", "The seeds' published figures"),
    ("suite", "The suite's own time"),
    ("machines", "Machines and versions"),
]
TITLES = dict(SECTIONS)


def _h2(anchor: str) -> str:
    """``<h2 id=...>N. Title</h2>``, numbered by the section's place in SECTIONS."""
    n = [a for a, _ in SECTIONS].index(anchor) + 1
    return f'<h2 id="{anchor}">{n}. {esc(TITLES[anchor])}</h2>'


def _group_title(profile: str, device: str, machine: str = "") -> str:
    machine = f", machine <code>{esc(machine)}</code>" if machine else ""
    return f"profile <code>{esc(profile)}</code>, device <code>{esc(device)}</code>{machine}"


def _charts(recs: list[dict], key: tuple[str, ...], colors: dict) -> tuple[str, int]:
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


def _roofline(records: list[dict], grouped: dict) -> str:
    coretypes = tables.openblas_coretypes(records)
    held = f" (this machine ran with OPENBLAS_CORETYPE={', '.join(coretypes)})" if coretypes else ""
    out = [
        f'{_h2("roofline")}<p class="sub">The ceiling is each framework\'s own float32 2048³ matmul, measured '
        "once per session in its worker: achieved GFLOP/s ÷ that peak is the fraction of peak. NumPy's BLAS "
        "peak (the same matmul in the controller) is shown beside it for reference only: NumPy's BLAS may be "
        "held back, e.g. OPENBLAS_CORETYPE pins OpenBLAS to an older kernel set, so it is not the ceiling "
        f"used{esc(held)}. Lower bound per epoch = FLOPs of an epoch ÷ the framework's matmul peak: the time "
        "the epoch would take if every counted FLOP ran at matmul speed, which no run beats. Harness overhead: "
        "the timing loop around a step that does nothing, per step, and that as a fraction of the fastest "
        "measured step (the training test fails at 1 %).</p>"
    ]
    found = False
    for key, recs in grouped.items():
        if any(r["kind"] in ("train", "infer") for r in recs):
            found = True
            out.append(f"<h3>Roofline: {_group_title(*key)}</h3>{tables.roofline_table(recs)}")
    if not found:
        out.append('<p class="muted">No records.</p>')
    return "".join(out)


def _ab(grouped: dict, stats: dict) -> str:
    out = [
        f'{_h2("ab")}<p class="sub">Entry B against entry A (<code>--compare A B</code>): rounds of training '
        "steps alternate ABBA so that drift lands on both sides; ratio = mean of the paired round-time ratios "
        f"B/A less the {tables.AB_TRIM:.0%} highest and {tables.AB_TRIM:.0%} lowest (&gt; 1: B slower), with a "
        "percentile bootstrap confidence interval. Verdict: "
        '<span class="verdict slower">slower</span> when the whole interval lies above 1 + threshold, '
        '<span class="verdict faster">faster</span> below 1 − threshold, <span class="verdict same">same</span> '
        'otherwise; <span class="verdict noisy">noisy</span> when either side\'s rounds spread too much (no '
        "verdict). Gated: <code>--gate</code> was given, so a slower verdict, or B failing parity that A passes, "
        "failed the test.</p>"
    ]
    found = False
    for key, recs in grouped.items():
        ab = tables.ab_records(recs)
        if not ab:
            continue
        found = True
        notes = Notes(slug("ab", *key))
        for task in sorted({r["task"] for r in ab}):
            out.append(f"<h3>A/B: task <code>{esc(task)}</code>, {_group_title(*key)}</h3>")
            out.append(tables.ab_table([r for r in ab if r["task"] == task], notes))
        out.append(notes.html("Failures and skips"))
        rows = []
        for r in ab:
            f = r["figures"]
            a, b = tables.ab_pair(r)
            rows.append((f"{r['task']}: {b} vs {a}", f.get("ratio"), iqr(f.get("ci")), f.get("threshold"),
                         str(f.get("verdict", ""))))  # fmt: skip
        where = " / ".join(part for part in key if part)
        uri = charts.ab_ratios(f"A/B round-time ratio B/A, {where}", rows)
        if uri:
            stats["charts"] += 1
            alt = f"A/B ratios B/A with confidence intervals, {where}"
            out.append(
                f'<div class="charts"><figure><img src="{uri}" alt="{esc(alt)}"><figcaption>{esc(alt)}; dashed line: '
                "no change; band: 1 ± threshold</figcaption></figure></div>"
            )
    if not found:
        out.append('<p class="muted">No A/B records (run with <code>--compare A B</code>).</p>')
    return "".join(out)


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
        body.append(f'<h2 id="seeds">{esc(TITLES["seeds"])}</h2>' + tables.seeds_tables())
        return head + "".join(body) + "</body></html>", stats

    body.append("<nav><ol>" + "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in SECTIONS) + "</ol></nav>")
    grouped = tables.groups(records)
    body.append(f"{_h2('verdict')}{verdict.section(grouped, _group_title)}")
    body.append(f"{_h2('summary')}{tables.summary(loaded, records)}")
    latest_parity = tables.parity_status(records)

    for anchor, kind, heading, intro in (
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
    ):
        intro += (
            " Stability: CV = coefficient of variation over rounds, spread = (max − min) ÷ median of the rounds, "
            'outliers = rounds outside the Tukey fences; <span class="noisy">noisy</span> marks a measurement '
            f"the machine disturbed (the record's own flag, spread above {tables.NOISY_SPREAD:.0%}; records without "
            f"that flag: CV above {tables.NOISY_CV:.0%}). It is reported, never gated on."
        )
        body.append(f'{_h2(anchor)}<p class="sub">{intro}</p>')
        for key, recs in grouped.items():
            if not any(r["kind"] == kind for r in recs):
                continue
            notes = Notes(slug(kind, *key))
            body.append(f"<h3>{heading}: {_group_title(*key)}</h3>")
            body.append(tables.perf_table(recs, kind, notes, latest_parity))
            body.append(notes.html())
        if not any(r["kind"] == kind for r in records):
            body.append('<p class="muted">No records.</p>')

    body.append(
        f'{_h2("across")}<p class="sub">The same task, kind, profile, device and entry on each machine that '
        "measured it (its latest record there): throughput, and × = the fastest machine's ÷ this one (1.00 = "
        "fastest). Only measurements made on two machines or more; each machine's full tables are above.</p>"
        + across.section(records)
    )
    body.append(
        f'{_h2("gflops")}<p class="sub">Model FLOPs per sample (from the task spec: '
        "2 × multiply-adds of conv and dense layers; training adds the weight and input gradients, ≈ 3 × forward) "
        "× measured median throughput. Element-wise work is not counted. % of peak: of the framework's own "
        "float32 matmul peak (see the roofline).</p>"
    )
    has_perf = False
    for key, recs in grouped.items():
        if any(r["kind"] in ("train", "infer") for r in recs):
            has_perf = True
            body.append(f"<h3>GFLOP/s: {_group_title(*key)}</h3>{tables.gflops_table(recs)}")
    if not has_perf:
        body.append('<p class="muted">No records.</p>')

    body.append(_roofline(records, grouped))

    body.append(_h2("charts"))
    colors = charts.palette({r["framework"] for r in records})
    for key, recs in grouped.items():
        html_, count = _charts(recs, key, colors)
        if html_:
            stats["charts"] += count
            body.append(f"<h3>Charts: {_group_title(*key)}</h3>{html_}")
    if not stats["charts"]:
        body.append('<p class="muted">No timed records to chart.</p>')

    sweep_html, count = threads.section(grouped, colors, _group_title)
    stats["charts"] += count
    body.append(
        f'{_h2("threads")}<p class="sub">Training throughput with the framework held to 1, 2, … CPU threads '
        "(its own controls, plus OMP/BLAS variables and threadpoolctl), one fresh worker per count, run one "
        "at a time. CPU busy: the worker's CPU seconds per wall second while timed — how many threads really "
        "worked.</p>"
        + (
            sweep_html
            or '<p class="muted">No thread-sweep records (tasks with <code>thread_sweep</code>, e.g. fcn5).</p>'
        )
    )

    scaling_html, count = scaling.section(grouped, colors, _group_title)  # data-parallel replicas
    stats["charts"] += count
    body.append(_h2("scaling") + scaling_html)
    body.append(_h2("nodes") + nodes.section(grouped, _group_title))

    body.append(_ab(grouped, stats))
    body.append(f"{_h2('history')}{history.section(records, saved)}")

    body.append(
        f'{_h2("parity")}<p class="sub">Each adapter against the task spec and the NumPy golden '
        "model under the same canonical weights. Small text: the worst errors measured.</p>"
    )
    any_parity = False
    for key, recs in grouped.items():
        if any(r["kind"] == "parity" for r in recs):
            any_parity = True
            notes = Notes(slug("parity", *key))
            body.append(f"<h3>Parity: {_group_title(*key)}</h3>{tables.parity_matrix(recs, notes)}")
            body.append(notes.html("Failures and skips"))
    if not any_parity:
        body.append('<p class="muted">No parity records.</p>')
    seeds_html = sweep.section(loaded.records)  # every record read, not only the latest: one per seed
    if seeds_html:
        body.append(f"<h3>Parity across seeds</h3>{seeds_html}")

    body.append(f"{_h2('defaults')}{defaults.section(records)}")
    body.append(f"{_h2('adapters')}{tables.describe_table(records)}")
    body.append(f"{_h2('seeds')}{tables.seeds_tables()}")
    body.append(f"{_h2('suite')}{suite_time.section(loaded.records, loaded.sources)}")
    body.append(
        f"{_h2('machines')}<h3>Machines (controller; every record read)</h3>"
        f"{tables.machines_table(loaded.records)}"
        f"<h3>GPU, driver, CUDA and cuDNN</h3>{tables.gpu_table(records)}"
        f"<h3>Framework versions (worker)</h3>{tables.versions_table(records)}"
    )
    return head + "\n".join(body) + "</body></html>", stats
