"""The parity matrix: every parity check per entry x task with its worst errors, and, for records of
several seeds, the runs that passed per entry and check."""

from __future__ import annotations

from reports import sweep
from reports.fmt import Notes, esc, is_num, num, sci, slug, table
from reports.tables import OUTCOME_LABEL, outcome_badge
from reports.view import Section, View, group_title

CHECK_ORDER = ("parameters", "forward_matches_reference", "train_step_matches_reference")


def _parity_figures(f: dict) -> str:
    bits = []
    if is_num(f.get("max_abs_err")):
        bits.append(f"max abs {sci(f['max_abs_err'])}")
    if is_num(f.get("max_rel_err")):
        bits.append(f"max rel {sci(f['max_rel_err'])}")
    if is_num(f.get("max_rel_l2_err")):
        steps = f" ({f['steps']} steps)" if is_num(f.get("steps")) else ""
        bits.append(f"rel L2 {sci(f['max_rel_l2_err'])}{steps}")
    if is_num(f.get("param_count")):
        bits.append(f"{f['param_count']:,} params")
    for key, value in f.items():
        if key not in ("max_abs_err", "max_rel_err", "max_rel_l2_err", "steps", "param_count") and is_num(value):
            bits.append(f"{key} {num(value)}")
    return f'<div class="fig">{esc(" · ".join(bits))}</div>' if bits else ""


def parity_matrix(records: list[dict], notes: Notes) -> str:
    cells = {(r["framework"], r["task"], r["check"]): r for r in records if r["kind"] == "parity"}
    if not cells:
        return '<p class="muted">No parity records.</p>'
    checks = sorted({c for _, _, c in cells}, key=lambda c: (CHECK_ORDER.index(c) if c in CHECK_ORDER else 99, c))
    rows = []
    for fw, task in sorted({(f, t) for f, t, _ in cells}):
        tds = []
        for check in checks:
            rec = cells.get((fw, task, check))
            if rec is None:
                tds.append(f'<td class="none" data-framework="{esc(fw)}" data-task="{esc(task)}">—</td>')
                continue
            ref = ""
            if rec["outcome"] != "passed" or rec["reason"]:
                text = f"{OUTCOME_LABEL.get(rec['outcome'], rec['outcome'])}: {rec['reason'] or '(no reason recorded)'}"
                ref = notes.ref(text)
            tds.append(
                f'<td class="cell {esc(rec["outcome"])}" data-kind="parity" data-check="{esc(check)}" '
                f'data-framework="{esc(fw)}" data-task="{esc(task)}" title="{esc(rec["reason"])}">'
                f"{outcome_badge(rec['outcome'])}{ref}{_parity_figures(rec['figures'])}</td>"
            )
        rows.append(f'<tr><th class="row">{esc(fw)}</th><th class="row">{esc(task)}</th>{"".join(tds)}</tr>')
    return table(["framework", "task", *(esc(c) for c in checks)], rows, "parity")


def render(view: View) -> str:
    """Per group its parity matrix with the failures and skips; then, for records of several seeds,
    the runs that passed per entry and check (every record read, not only the latest: one per seed)."""
    out = [
        '<p class="sub">Each adapter against the task spec and the NumPy golden model under the same canonical '
        "weights. Small text: the worst errors measured.</p>"
    ]
    for key, recs in view.grouped.items():
        if any(r["kind"] == "parity" for r in recs):
            notes = Notes(slug("parity", *key))
            out.append(f"<h3>Parity: {group_title(*key)}</h3>{parity_matrix(recs, notes)}")
            out.append(notes.html("Failures and skips"))
    if len(out) == 1:
        out.append('<p class="muted">No parity records.</p>')
    seeds_html = sweep.parity_across_seeds(view.loaded.records)
    if seeds_html:
        out.append(f"<h3>Parity across seeds</h3>{seeds_html}")
    return "".join(out)


SECTION = Section("parity", "Parity matrix", render)
