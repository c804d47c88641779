"""A short Markdown summary of a run's verdicts, for a CI job summary: ``summary.md``.

The headline counts, the A/B gate verdicts, the verdicts against a saved baseline, the failures and
the expected differences (parity differences a framework is known to have), each in a table;
``pytest`` writes it for its run beside the results file, ``python -m reports`` beside the page for
the records it renders.
"""

from __future__ import annotations

from collections import Counter

from fixtures import testids

MAX_ROWS = 40  # per table: a summary, not the report; the page and pytest.html have the rest


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(head: list[str], rows: list[list], what: str) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines.append(f"\n… and {len(rows) - MAX_ROWS} more {what} (see the HTML report)")
    return lines


def _expected(rec: dict) -> bool:
    return rec["outcome"] == "skipped" and rec["reason"].startswith("expected")


def markdown(records: list[dict], title: str) -> str:
    """The summary of ``records`` (normalised, see :func:`reports.load.normalise`)."""
    counts = Counter("expected difference" if _expected(r) else r["outcome"] for r in records)
    failed = [r for r in records if r["outcome"] == "failed"]
    verdict = "**FAILED**" if failed else "**passed**"
    order = ("passed", "failed", "skipped", "expected difference")
    counted = ", ".join(f"{counts[k]} {k}" for k in order if counts[k])
    lines = [f"## {title}", "", f"{verdict}: {len(records)} tests recorded: {counted or 'none'}", ""]

    gates = [r for r in records if r["kind"] == "compare" and r["figures"].get("verdict")]
    if gates:
        rows = []
        for r in gates:
            f = r["figures"]
            ci = f.get("ci") or ["?", "?"]
            rows.append([
                r["pair"].get("a", "?"), r["pair"].get("b", "?"), r["task"], f"{f.get('ratio', float('nan')):.3f}",
                f"{ci[0]:.3f}–{ci[1]:.3f}" if all(isinstance(c, float) for c in ci) else "?",
                f"{f.get('threshold', 0):.0%}", f["verdict"], "yes" if f.get("gated") else "no", r["outcome"],
            ])  # fmt: skip
        head = ["A", "B", "task", "B/A time", "95 % interval", "threshold", "verdict", "gated", "test"]
        lines += ["### Upgrade gate (A/B)", "", *_table(head, rows, "comparisons"), ""]
    against = [(r, r["figures"]["baseline"]) for r in records if isinstance(r["figures"].get("baseline"), dict)]
    if against:
        rows = [
            [r["framework"], r["task"], r["kind"], b["missing"], "", "", "", b["baseline"], r["outcome"]]
            if b.get("missing")
            else [
                r["framework"],
                r["task"],
                r["kind"],
                f"{b['ratio']:.3f}",
                f"{b['ci'][0]:.3f}–{b['ci'][1]:.3f}",
                f"{b['threshold']:.0%}",
                b["verdict"],
                b["baseline"],
                r["outcome"],
            ]  # fmt: skip
            for r, b in against
        ]
        head = [
            "entry",
            "task",
            "kind",
            "time now/baseline",
            "95 % interval",
            "threshold",
            "verdict",
            "baseline",
            "test",
        ]
        lines += ["### Against the saved baseline", "", *_table(head, rows, "verdicts"), ""]
    if failed:
        rows = [[r["framework"], r["task"], testids.name(r["test"]), r["reason"][:200]] for r in failed]
        lines += ["### Failures", "", *_table(["entry", "task", "test", "why"], rows, "failures"), ""]
    known = [r for r in records if _expected(r)]
    if known:
        rows = [
            [r["framework"], r["task"], r["check"] or r["kind"], r["reason"].removeprefix("expected: ")[:200]]
            for r in known
        ]
        lines += ["### Expected differences", "", *_table(["entry", "task", "check", "why"], rows, "differences"), ""]
    return "\n".join(lines)
