"""The A/B section (``--compare A B``): per task the paired-round verdicts, their intervals and a chart."""

from __future__ import annotations

from reports.fmt import Notes, esc, iqr, is_num, num, shorten, slug, table
from reports.tables import AB_TRIM, NOISY_CV, fine_pct, outcome_badge, reason_cell
from reports.view import Section, View, group_title

VERDICT_TITLE = {
    "slower": "the whole confidence interval lies above 1 + threshold: B is slower than A",
    "faster": "the whole confidence interval lies below 1 - threshold: B is faster than A",
    "same": "the confidence interval reaches inside 1 ± threshold: no difference past the threshold",
    "noisy": (
        f"one side's rounds, less the {AB_TRIM:.0%} highest and lowest, spread too much "
        f"(coefficient of variation above {NOISY_CV:.0%}): no verdict, rerun"
    ),
}


def ab_pair(rec: dict) -> tuple[str, str]:
    """(A, B) of an A/B record (its ``pair``)."""
    return str(rec["pair"].get("a", "?")), str(rec["pair"].get("b", rec["framework"]))


def ab_ci_text(f: dict) -> str:
    """``95 % CI 1.150–1.210`` (or an empty string)."""
    ci = iqr(f.get("ci"))
    if not ci:
        return ""
    conf = f.get("confidence")
    level = f"{100 * conf:.0f} % " if is_num(conf) else ""
    return f"{level}CI {ci[0]:.3f}–{ci[1]:.3f}"


def _verdict(verdict) -> str:
    if not verdict:
        return "—"
    v = str(verdict)
    return f'<span class="verdict {esc(v)}" title="{esc(VERDICT_TITLE.get(v, ""))}">{esc(v)}</span>'


def _ab_parity(status) -> str:
    text = str(status or "")
    if not text:
        return "—"
    if text == "passed":
        return '<span class="ok">passed</span>'
    if text.startswith("failed"):
        detail = text.removeprefix("failed").lstrip(": ")
        sub = f'<div class="reason" title="{esc(detail)}">{esc(shorten(detail, 120))}</div>' if detail else ""
        return f'<span class="bad">FAILED</span>{sub}'
    return f'<span class="muted">{esc(text)}</span>'


def ab_records(records: list[dict]) -> list[dict]:
    return sorted((r for r in records if r["kind"] == "compare"), key=lambda r: (r["task"], *ab_pair(r)))


def ab_table(records: list[dict], notes: Notes) -> str:
    """One row per A/B pair (all of one task): B/A round-time ratio with its interval, the verdict."""
    rows = []
    for rec in ab_records(records):
        f = rec["figures"]
        a, b = ab_pair(rec)
        ratio = f.get("ratio")
        if is_num(ratio):
            change = (ratio - 1) * 100
            word = "slower" if change > 0 else "faster"
            ratio_cell = (
                f'<span class="ratio">{ratio:.3f}</span> <span class="ci">({esc(ab_ci_text(f))})</span>'
                f'<div class="sub">B {abs(change):.1f} % {word} than A</div>'
            )
        else:
            ratio_cell = "—"
        rounds = f.get("rounds")
        rounds_cell = esc(rounds) if is_num(rounds) else "—"
        sub = []
        if is_num(f.get("steps_per_round")):
            sub.append(f"× {int(f['steps_per_round'])} steps")
        if is_num(f.get("cv_a")) and is_num(f.get("cv_b")):
            sub.append(f"CV A {100 * f['cv_a']:.0f} %, B {100 * f['cv_b']:.0f} %")
        if sub:
            rounds_cell += f'<div class="sub">{esc("; ".join(sub))}</div>'
        gated = f.get("gated")
        gated_cell = "—" if not isinstance(gated, bool) else "yes" if gated else '<span class="muted">no</span>'
        outcome = outcome_badge(rec["outcome"]) + reason_cell(rec, notes)
        cells = [
            ratio_cell,
            fine_pct(f.get("threshold")) if is_num(f.get("threshold")) else "—",
            _verdict(f.get("verdict")),
            rounds_cell,
            num(f.get("samples_per_s_a")),
            num(f.get("samples_per_s_b")),
            _ab_parity(f.get("parity_a")),
            _ab_parity(f.get("parity_b")),
            gated_cell,
            outcome,
        ]
        rows.append(
            f'<tr class="ab" data-task="{esc(rec["task"])}" data-a="{esc(a)}" data-b="{esc(b)}" '
            f'data-verdict="{esc(f.get("verdict", ""))}"><th class="row">{esc(a)}</th><th class="row">{esc(b)}</th>'
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    head = [
        "A",
        "B",
        "ratio B/A (round time)",
        "threshold",
        "verdict",
        "rounds",
        "samples/s A",
        "samples/s B",
        "parity A",
        "parity B",
        "gated",
        "outcome",
    ]
    return table(head, rows, "compact ab")


INTRO = (
    "Entry B against entry A (<code>--compare A B</code>): rounds of training steps alternate ABBA so that drift "
    "lands on both sides; ratio = mean of the paired round-time ratios B/A less the "
    f"{AB_TRIM:.0%} highest and {AB_TRIM:.0%} lowest (&gt; 1: B slower), with a percentile bootstrap confidence "
    'interval. Verdict: <span class="verdict slower">slower</span> when the whole interval lies above 1 + '
    'threshold, <span class="verdict faster">faster</span> below 1 − threshold, <span class="verdict same">same'
    '</span> otherwise; <span class="verdict noisy">noisy</span> when either side\'s rounds spread too much (no '
    "verdict). Gated: <code>--gate</code> was given, so a slower verdict, or B failing parity that A passes, "
    "failed the test."
)


def render(view: View) -> str:
    """Per group and task the A/B table, the group's failures and skips, and a chart of the ratios."""
    from reports import charts  # matplotlib: only for a page

    out = [f'<p class="sub">{INTRO}</p>']
    for key, recs in view.grouped.items():
        ab = ab_records(recs)
        if not ab:
            continue
        notes = Notes(slug("ab", *key))
        for task in sorted({r["task"] for r in ab}):
            out.append(f"<h3>A/B: task <code>{esc(task)}</code>, {group_title(*key)}</h3>")
            out.append(ab_table([r for r in ab if r["task"] == task], notes))
        out.append(notes.html("Failures and skips"))
        rows = []
        for r in ab:
            f = r["figures"]
            a, b = ab_pair(r)
            rows.append((f"{r['task']}: {b} vs {a}", f.get("ratio"), iqr(f.get("ci")), f.get("threshold"),
                         str(f.get("verdict", ""))))  # fmt: skip
        where = " / ".join(part for part in key if part)
        uri = charts.ab_ratios(f"A/B round-time ratio B/A, {where}", rows)
        if uri:
            view.charts += 1
            alt = f"A/B ratios B/A with confidence intervals, {where}"
            out.append(
                f'<div class="charts"><figure><img src="{uri}" alt="{esc(alt)}"><figcaption>{esc(alt)}; dashed line: '
                "no change; band: 1 ± threshold</figcaption></figure></div>"
            )
    if len(out) == 1:
        out.append('<p class="muted">No A/B records (run with <code>--compare A B</code>).</p>')
    return "".join(out)


SECTION = Section("ab", "A/B comparisons", render)
