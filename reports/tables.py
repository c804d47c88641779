"""What several report sections share: grouping records per (profile, device, machine), version and
BLAS texts, outcome badges and reason cells, causes, parity status per entry x task, speed ratios,
and the writers' rules the page states (noisy thresholds, the A/B trim)."""

from __future__ import annotations

from collections import Counter, defaultdict

from fixtures.results import OUTCOMES, parity_summary
from reports.fmt import Notes, esc, is_num, machine_label, shorten

OUTCOME_LABEL = {"passed": "pass", "failed": "FAIL", "skipped": "skip"}
# The writers' noisy rules as the report states them (test_report checks them against fixtures/):
NOISY_SPREAD = 0.25  # fixtures.timing.NOISY_SPREAD: a timed record's own flag, (max - min) / median of its rounds
NOISY_CV = 0.25  # for records without that flag: coefficient of variation over rounds; also compare.NOISY_CV
AB_TRIM = 0.2  # fixtures.compare.TRIM: the A/B ratio is the mean of the paired ratios less this fraction each end


def groups(records: list[dict]) -> dict[tuple[str, str, str], list[dict]]:
    """Records per (profile, device, machine), in a stable order: no table ever holds two machines'
    figures. The machine is its label (id and hardware), or "" when every record is from one machine."""
    labels = machine_labels(records)
    out: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for rec in records:
        out[(rec["profile"], rec["device"], labels[rec["machine_id"]] if len(labels) > 1 else "")].append(rec)
    return dict(sorted(out.items()))


def machine_labels(records: list[dict]) -> dict[str, str]:
    """machine_id -> ``id (CPU, cores, memory, GPUs, host)``."""
    out: dict[str, str] = {}
    for rec in records:
        if rec["machine_id"] not in out:
            out[rec["machine_id"]] = machine_label(rec["machine"]) if rec["machine"].get("id") else rec["machine_id"]
    return out


def by_cell(records: list[dict], kind: str) -> dict[tuple[str, str], dict]:
    return {(r["task"], r["framework"]): r for r in records if r["kind"] == kind}


def epoch_cut(figures: dict) -> float | None:
    """The fraction of each epoch a training record trained where a time budget cut it
    (timing.epoch_steps), else None."""
    fraction = figures.get("epoch_fraction")
    return fraction if is_num(fraction) and fraction < 1 else None


def version_text(version: dict) -> str:
    """``keras 3.6 (backend jax 0.4.35)``, ``torch 2.5.1 (cuda 12.4, cudnn 90100)``."""
    if not version:
        return "version unknown"
    text = f"{version.get('framework', '?')} {version.get('version', '?')}"
    extras = []
    if version.get("backend"):
        extras.append(f"backend {version['backend']} {version.get('backend_version', '')}".strip())
    for key, value in version.items():
        if key in ("framework", "version", "backend", "backend_version", "devices") or value in (None, "", []):
            continue
        extras.append(f"{key} {value}")
    return text + (f" ({', '.join(extras)})" if extras else "")


def blas_text(blas) -> str:
    if not isinstance(blas, list) or not blas:
        return "—"
    parts = []
    for lib in blas:
        if not isinstance(lib, dict):
            parts.append(str(lib))
            continue
        name = lib.get("internal_api") or lib.get("prefix") or "?"
        bits = [b for b in (lib.get("version"), lib.get("architecture")) if b]
        threads = lib.get("num_threads")
        text = " ".join([str(name), *(str(b) for b in bits[:1])])
        extra = [str(b) for b in bits[1:]] + ([f"{threads} threads"] if threads is not None else [])
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return "; ".join(parts)


def outcome_badge(outcome: str) -> str:
    return f'<span class="badge {esc(outcome)}">{esc(OUTCOME_LABEL.get(outcome, outcome))}</span>'


def reason_cell(rec: dict, notes: Notes) -> str:
    if not rec["reason"]:
        return ""
    full = f"{rec['framework']} · {rec['task']}: {rec['outcome']} — {rec['reason']}"
    return f'<div class="reason" title="{esc(rec["reason"])}">{esc(shorten(rec["reason"], 120))}{notes.ref(full)}</div>'


def status_text(status: str, checks: dict | None = None) -> str:
    """A parity summary (fixtures/results.parity_summary), with its checks' counts where known."""
    cls = {"passed": "ok", "failed": "bad"}.get(status, "muted")
    label = {"passed": "passed", "failed": "FAILED"}.get(status, status)
    counts = ", ".join(f"{checks[o]} {o}" for o in OUTCOMES if (checks or {}).get(o))
    return f'<span class="{cls}">{esc(label)}</span>' + (f" ({esc(counts)})" if counts and status != "passed" else "")


def cause(rec: dict) -> str:
    """A skip or failure's cause: the record's first reason line with its task's name generalised to
    ``<task>`` ("chainer does not train <task> data-parallel …" is one cause over every task)."""
    lines = (rec["reason"] or "").strip().splitlines()
    first = lines[0] if lines else "(no reason given)"
    return first.replace(rec["task"], "<task>") if rec["task"] else first


def parity_counts(records: list[dict]) -> dict[tuple[str, str], Counter]:
    """Outcome counts of the latest parity records per (framework, task)."""
    out: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in records:
        if r["kind"] == "parity":
            out[r["framework"], r["task"]][r["outcome"]] += 1
    return out


def parity_status(records: list[dict]) -> dict[tuple[str, str], str]:
    """Overall parity per (framework, task) over the latest parity records (results.parity_summary)."""
    return {key: parity_summary(c) for key, c in parity_counts(records).items()}


def cell_attrs(rec_kind: str, task: str, fw: str, cls: str) -> str:
    return f'class="cell {cls}" data-kind="{esc(rec_kind)}" data-task="{esc(task)}" data-framework="{esc(fw)}"'


def speed_ratios(cells: dict, task: str, frameworks: list[str], metric) -> dict[str, float]:
    """fastest / this for every passed cell of a row with a positive metric (1.00 = fastest)."""
    vals = {}
    for fw in frameworks:
        rec = cells.get((task, fw))
        if rec and rec["outcome"] == "passed":
            v = metric(rec["figures"])
            if is_num(v) and v > 0:
                vals[fw] = v
    best = max(vals.values(), default=None)
    return {fw: best / v for fw, v in vals.items()} if best else {}


def fine_pct(value) -> str:
    """A percentage to 3 significant figures, so that small fractions (harness overhead) stay readable."""
    return f"{100 * value:.3g} %" if is_num(value) else "—"
