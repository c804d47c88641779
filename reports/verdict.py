"""The report's first screen: per (profile, device, machine), which entries pass parity on which
tasks and how fast each trains and infers relative to the others, then what failed and why, then
the skips grouped by cause (collapsed).

Rules:

* A cell's parity is fixtures/results.parity_summary of that entry and task's parity checks: FAILED
  (with how many) when any failed; "passed" when every one ran and passed; else skipped, shown as
  "n of m passed" (the rest skipped or expected differences) or "skipped" (none passed).
* Speed: the fastest median throughput of the task's row ÷ this entry's (1.00 = fastest, 2.00 = half
  as fast), training samples/s and inference images/s apart, passed timed records only.
* Failures and skips are listed once per entry and cause (``tables.cause``), with their count and tasks.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from fixtures.results import parity_summary
from reports import tables
from reports.fmt import esc, shorten, table
from reports.view import Section, View, group_title

SPEED_KINDS = (("train", "samples_per_s", "t"), ("infer", "images_per_s", "i"))
CAUSE_CHARS = 240  # a cause line is cut here (its whole text stays in the title attribute)


def parity_cell(outcomes: Counter) -> tuple[str, str]:
    """(css class, text) of one entry x task's parity checks (rule in the module docstring)."""
    passed, failed, skipped = outcomes["passed"], outcomes["failed"], outcomes["skipped"]
    summary, ran = parity_summary(outcomes), passed + failed + skipped
    if summary == "failed":
        return "failed", f"FAILED {failed} of {ran}"
    if summary == "passed":
        return "ok", "passed"
    return "skipped", f"{passed} of {ran} passed" if passed else "skipped"


def _speed(records: list[dict]) -> dict[tuple[str, str, str], float]:
    """(kind, task, entry) -> fastest ÷ this, over passed timed records."""
    out = {}
    for kind, metric, _ in SPEED_KINDS:
        cells = tables.by_cell(records, kind)
        for task in {t for t, _ in cells}:
            frameworks = sorted(fw for t, fw in cells if t == task)
            for fw, ratio in tables.speed_ratios(cells, task, frameworks, lambda f, m=metric: f.get(m)).items():
                out[kind, task, fw] = ratio
    return out


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def matrix(records: list[dict]) -> str:
    """Rows = tasks, columns = entries (the narrower axis across): parity and the speed ratios."""
    parity = tables.parity_counts(records)
    speed = _speed(records)
    entries = sorted({r["framework"] for r in records})
    tasks = sorted({r["task"] for r in records})
    rows = []
    for task in tasks:
        tds = []
        for fw in entries:
            bits, cls = [], "none"
            if (fw, task) in parity:
                cls, text = parity_cell(parity[fw, task])
                bits.append(f'<span class="main{" bad" * (cls == "failed")}">{esc(text)}</span>')
            ratios = [
                f"{abbr} {_ratio(speed[kind, task, fw])}" for kind, _, abbr in SPEED_KINDS if (kind, task, fw) in speed
            ]
            if ratios:
                bits.append(f'<div class="fig">{" · ".join(ratios)}</div>')
            text = "".join(bits) or "—"
            tds.append(f'<td class="cell {cls}" data-task="{esc(task)}" data-framework="{esc(fw)}">{text}</td>')
        rows.append(f'<tr><th class="row">{esc(task)}</th>{"".join(tds)}</tr>')
    return table(["task", *(esc(fw) for fw in entries)], rows, "compact verdict")


def _cause_lines(recs: list[dict]) -> list[tuple[int, str]]:
    """(count, html line) per (entry, cause), most frequent first."""
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in recs:
        grouped[r["framework"], tables.cause(r)].append(r)
    lines = []
    for (fw, why), rs in grouped.items():
        tasks = sorted({r["task"] for r in rs if r["task"]})
        kinds = sorted({r["check"] or r["kind"] for r in rs})
        where = f"{len(rs)} test{'s' * (len(rs) != 1)}" + (f" · tasks: {', '.join(tasks)}" if tasks else "")
        what = f" · {', '.join(kinds)}" if len(kinds) <= 4 else f" · {len(kinds)} checks"
        lines.append(
            (
                len(rs),
                f'<li><b>{esc(fw)}</b> <span class="sub">({esc(where + what)})</span>: '
                f'<span title="{esc(why)}">{esc(shorten(why, CAUSE_CHARS))}</span></li>',
            )
        )
    return sorted(lines, key=lambda x: -x[0])


def render(view: View) -> str:
    """Per (profile, device, machine) group: the matrix, the failures by cause (open), the skips by
    cause (collapsed)."""
    out = [
        '<p class="sub">Cells: parity over every parity check of that entry and task (<b>passed</b>: every one '
        "ran and passed; <b>n of m passed</b>: the rest skipped or expected differences; <b>FAILED</b>: any "
        "failed), and speed = the "
        "fastest median throughput of the task ÷ this entry's (1.00 = fastest, 2.00 = half as fast): "
        "<b>t</b> training samples/s, <b>i</b> inference images/s. The tables below hold the figures.</p>"
    ]
    for key, recs in view.grouped.items():
        out.append(f"<h3>Verdict: {group_title(*key)}</h3>{matrix(recs)}")
        failed = _cause_lines([r for r in recs if r["outcome"] == "failed"])
        lines = "".join(line for _, line in failed)
        if failed:
            out.append(
                f'<details class="failed" open><summary><b class="bad">{sum(n for n, _ in failed)} failed</b>, '
                f"by cause</summary><ul>{lines}</ul></details>"
            )
        else:
            out.append('<p class="ok">Nothing failed.</p>')
        skipped = _cause_lines([r for r in recs if r["outcome"] == "skipped"])
        lines, causes = "".join(line for _, line in skipped), f"cause{'s' * (len(skipped) != 1)}"
        if skipped:
            out.append(
                f'<details class="skipped"><summary>{sum(n for n, _ in skipped)} skipped, {len(skipped)} {causes} '
                f"(entry, tests, tasks, reason)</summary><ul>{lines}</ul></details>"
            )
    return "".join(out)


SECTION = Section("verdict", "Verdict", render)
