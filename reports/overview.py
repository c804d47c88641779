"""The summary section: outcome counts, the runs (with their shards), and the framework table
(every matrix entry with records, every seed framework, each with its reasons)."""

from __future__ import annotations

from collections import Counter, defaultdict

from reports import seeds
from reports.fmt import Notes, esc, shorten, table
from reports.machines import gpu_summary
from reports.tables import blas_text, cause, machine_labels, version_text
from reports.view import Section, View

FW_REASON_CHARS = 320  # reasons in the framework table are shown whole up to this length (else a footnote)


FW_REASONS_OPEN = 2  # an entry's skip causes in the framework table: shown open up to this many, else collapsed


def summary(loaded, records: list[dict]) -> str:
    runs: dict[str, list[dict]] = defaultdict(list)
    for r in loaded.records:
        runs[r["run_id"] or "?"].append(r)
    run_rows = []
    for run_id, recs in sorted(runs.items(), key=lambda kv: min(r["time"] for r in kv[1])):
        times = sorted(r["time"] for r in recs if r["time"])
        hosts = sorted({str(r["machine"].get("hostname", "?")) for r in recs})
        shards = defaultdict(set)  # --shard K/N -> the entries that shard ran
        for r in recs:
            if r["shard"]:
                shards[r["shard"]].add(r["framework"])
        shard_text = "; ".join(f"{k}: {', '.join(sorted(fws))}" for k, fws in sorted(shards.items())) or "—"
        run_rows.append(
            f"<tr><td><code>{esc(run_id)}</code></td><td>{esc(times[0] if times else '?')} … "
            f"{esc(times[-1] if times else '?')}</td><td>{esc(', '.join(sorted({r['profile'] for r in recs})))}</td>"
            f"<td>{esc(', '.join(sorted({r['device'] for r in recs})))}</td><td>{esc(', '.join(hosts))}</td>"
            f"<td>{esc(shard_text)}</td><td>{len(recs)}</td></tr>"
        )
    counts = Counter(r["outcome"] for r in records)
    per_kind = []
    for kind in ("parity", "train", "infer", "compare"):
        c = Counter(r["outcome"] for r in records if r["kind"] == kind)
        if c:
            per_kind.append(
                f"<tr><td>{kind}</td><td class='ok'>{c['passed']}</td><td class='bad'>{c['failed']}</td>"
                f"<td class='muted'>{c['skipped']}</td></tr>"
            )
    fw_notes = Notes("frameworks")
    fw_table = frameworks_table(records, fw_notes)
    machines = {r["machine_id"]: r["machine"] for r in records}
    m_items = "".join(
        f"<li>{esc(label)}: python {esc(machines[mid].get('python', '?'))}, "
        f"{esc(machines[mid].get('platform', '?'))}</li>"
        for mid, label in machine_labels(records).items()
    )
    blas = defaultdict(set)
    for r in records:
        text = blas_text(r["worker"].get("blas"))
        if text != "—":
            blas[r["framework"]].add(text)
    blas_items = "".join(f"<li><b>{esc(fw)}</b>: {esc(' | '.join(sorted(t)))}</li>" for fw, t in sorted(blas.items()))
    tasks = sorted({r["task"] for r in records})
    return (
        f'<p class="counts"><span class="ok">{counts["passed"]} passed</span> · '
        f'<span class="bad">{counts["failed"]} failed</span> · <span class="muted">{counts["skipped"]} skipped</span> '
        f"(latest record per framework × task × kind × check × profile × device: {len(records)} of "
        f"{len(loaded.records)} records read from {esc(', '.join(loaded.sources))}"
        f"{f'; {loaded.skipped} unreadable or old-schema lines skipped' if loaded.skipped else ''})</p>"
        + table(["kind", "passed", "failed", "skipped"], per_kind, "compact")
        + "<h3>Runs</h3>"
        + table(["run id", "time (UTC)", "profiles", "devices", "hosts", "shards", "records"], run_rows, "compact")
        + f"<p><b>Tasks</b>: {esc(', '.join(tasks))} · <b>profiles</b>: "
        f"{esc(', '.join(sorted({r['profile'] for r in records})))} · <b>devices</b>: "
        f"{esc(', '.join(sorted({r['device'] for r in records})))}</p>"
        + "<h3>Frameworks: tested here, and every framework the seed projects measured</h3>"
        + fw_table
        + fw_notes.html("Reasons")
        + f"<h3>Machines</h3><ul>{m_items or '<li>unknown</li>'}</ul>"
        + f'<p><b>GPU</b>: <span class="gpusummary">{esc(gpu_summary(records))}</span></p>'
        + (f"<h3>BLAS / threading libraries (per framework worker)</h3><ul>{blas_items}</ul>" if blas_items else "")
    )


def _fw_row(entry: str, seed: str, version: str, status: str, reasons: list[str], notes: Notes, kind: str) -> str:
    cells = "".join(
        f'<div class="reason" title="{esc(r)}">{esc(shorten(r, FW_REASON_CHARS))}'
        f"{notes.ref(r) if len(' '.join(r.split())) > FW_REASON_CHARS else ''}</div>"
        for r in reasons
    )
    if len(reasons) > FW_REASONS_OPEN:
        cells = f"<details><summary>{len(reasons)} causes</summary>{cells}</details>"
    return (
        f'<tr data-framework="{esc(entry)}" data-seed="{esc(seed)}" data-status="{esc(kind)}">'
        f'<th class="row">{esc(entry or "—")}</th><td>{esc(seed or "—")}</td><td>{esc(version)}</td>'
        f"<td>{status}</td><td>{cells}</td></tr>"
    )


def frameworks_table(records: list[dict], notes: Notes) -> str:
    """One row per framework: every matrix entry with records (version, outcome counts, skip
    reasons), then every seed framework the records do not cover: those with an entry that did not
    run here, and those with no adapter at all (``reports.seeds``), each with its reason."""
    by_fw: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_fw[r["framework"]].append(r)
    seeds_of: dict[str, list[str]] = defaultdict(list)
    for seed, entries, _ in seeds.SEED_FRAMEWORKS:
        for entry in entries:
            seeds_of[entry].append(seed)
    rows = []
    for fw in sorted(by_fw):
        recs = by_fw[fw]
        versions = sorted({version_text(r["version"]) for r in recs if r["version"]})
        c = Counter(r["outcome"] for r in recs)
        status = (
            f'<span class="ok">{c["passed"]} passed</span> · <span class="bad">{c["failed"]} failed</span> · '
            f'<span class="muted">{c["skipped"]} skipped</span>'
        )
        causes = Counter(cause(r) for r in recs if r["outcome"] == "skipped" and r["reason"])
        reasons = [f"{n} × {c}" if n > 1 else c for c, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))]
        if c["failed"]:
            reasons.append(
                f"{c['failed']} failed: see the parity matrix, the timing tables and the A/B comparisons for their "
                "reasons"
            )
        version = "; ".join(versions) or "not started (no version reported)"
        kind = "failed" if c["failed"] else "passed" if c["passed"] else "skipped"
        rows.append(_fw_row(fw, ", ".join(seeds_of.get(fw, [])), version, status, reasons, notes, kind))
    for seed, entries, note in seeds.SEED_FRAMEWORKS:
        if any(e in by_fw for e in entries):
            continue
        names = ", ".join(entries)
        why = f"matrix entr{'ies' if len(entries) > 1 else 'y'} {names} did not run in these results" + (
            f" ({note})" if note else ""
        )
        status = '<span class="muted">no records</span>'
        rows.append(_fw_row(names, seed, "—", status, [why], notes, "no-records"))
    for seed, version, reason in seeds.NO_ADAPTER:
        status = '<span class="badge skipped">no adapter</span>'
        rows.append(_fw_row("", seed, version, status, [reason], notes, "no-adapter"))
    head = ["matrix entry", "seed framework", "version", "status (latest records)", "reasons"]
    return table(head, rows, "compact frameworks")


def render(view: View) -> str:
    return summary(view.loaded, view.records)


SECTION = Section("summary", "Summary", render)
