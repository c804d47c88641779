"""``python -m reports.sweep RESULTS.jsonl ...``: is any parity check flaky across seeds?

Reads the parity records of runs made with different ``--seed`` values (``./dlp sweep`` writes one
file per seed) and prints one line per seed, then every check that failed under some seed: a check
that fails under some seeds and passes under others is *flaky* (its tolerance or its statistical
test is wrong for the spread of weights and data the seeds give), one that fails under every seed
is a plain failure. Exit status 0 only when every seed ran and no parity check failed under any.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from reports.load import json_lines


def outcomes(records) -> dict:
    """{test id: {seed: outcome}} of the parity records; a test run twice under one seed keeps its
    worst outcome (failed > passed > skipped)."""
    rank = {"failed": 2, "passed": 1, "skipped": 0}
    table: dict = collections.defaultdict(dict)
    for r in records:
        if r.get("kind") != "parity" or r.get("seed") is None:
            continue
        seen = table[r["test"]].get(r["seed"])
        if seen is None or rank[r["outcome"]] > rank[seen]:
            table[r["test"]][r["seed"]] = r["outcome"]
    return dict(table)


def closest(records, n: int = 5) -> list[tuple[float, str, int]]:
    """The ``n`` passing parity tests that came closest to their tolerance (figure
    ``worst_of_bound``: 1.0 = at the bound), each at its worst seed: the flakes a longer sweep
    would find first."""
    worst: dict = {}
    for r in records:
        used = (r.get("figures") or {}).get("worst_of_bound")
        if r.get("kind") != "parity" or r.get("outcome") != "passed" or not isinstance(used, int | float):
            continue
        if r["test"] not in worst or used > worst[r["test"]][0]:
            worst[r["test"]] = (float(used), r["test"], r.get("seed"))
    return sorted(worst.values(), key=lambda t: -t[0])[:n]


def summarize(records) -> tuple[list[str], bool]:
    """The report's lines, and whether the sweep is clean (no parity check failed under any seed)."""
    table = outcomes(records)
    seeds = sorted({s for per in table.values() for s in per})
    if not seeds:
        return ["sweep: no parity records with a seed in these files"], False
    lines = []
    for s in seeds:
        count = collections.Counter(per[s] for per in table.values() if s in per)
        lines.append(f"seed {s}: {count['passed']} passed, {count['failed']} failed, {count['skipped']} skipped")
    failing = {t: per for t, per in table.items() if "failed" in per.values()}
    ran = {t for t, per in table.items() if "passed" in per.values() or "failed" in per.values()}
    missing = {t: [s for s in seeds if s not in per] for t, per in table.items() if t in ran}
    missing = {t: m for t, m in missing.items() if m}
    for t, per in sorted(failing.items()):
        bad = [s for s in seeds if per.get(s) == "failed"]
        kind = "failed under every seed" if len(bad) == len(seeds) else "FLAKY"
        lines.append(f"{kind}: {t} (seeds {', '.join(map(str, bad))})")
    for t, m in sorted(missing.items()):
        lines.append(f"not run under seeds {', '.join(map(str, m))}: {t}")
    for used, test, seed in closest(records):
        lines.append(f"closest to its bound: {100 * used:.0f} % of the tolerance, {test} (seed {seed})")
    flaky = sum(1 for per in failing.values() if "passed" in per.values())
    lines.append(
        f"sweep: {len(seeds)} seeds ({seeds[0]}..{seeds[-1]}), {len(ran)} parity checks run: "
        f"{flaky} flaky, {len(failing) - flaky} failing under every seed, {len(missing)} not run under every seed"
    )
    return lines, not failing and not missing


def parity_across_seeds(records) -> str:
    """The report's "parity across seeds" table (entry x check: runs that passed / runs, over every
    seed), then the checks that failed under some seed; "" for records of fewer than two seeds."""
    from reports import fmt
    from reports.fmt import esc

    table = outcomes(records)
    seeds = sorted({s for per in table.values() for s in per})
    if len(seeds) < 2:
        return ""
    where = {
        r["test"]: (r["framework"], r["check"]) for r in records if r.get("kind") == "parity" and r["test"] in table
    }
    cells: dict = collections.defaultdict(collections.Counter)
    for test, per in table.items():
        cells[where[test]].update(per.values())
    entries = sorted({f for f, _ in cells})
    checks = sorted({c for _, c in cells})
    rows = []
    for check in checks:
        tds = []
        for fw in entries:
            n = cells.get((fw, check), collections.Counter())
            ran = n["passed"] + n["failed"]
            css = "failed" if n["failed"] else ("ok" if ran else "none")
            text = f"{n['passed']}/{ran}" if ran else "—"
            tds.append(f'<td class="cell {css}">{text}</td>')
        rows.append(f'<tr><th class="row">{esc(check)}</th>{"".join(tds)}</tr>')
    lines, clean = summarize(records)
    told = [ln for ln in lines if not ln.startswith("seed ")]
    return (
        f'<p class="sub">Parity records of {len(seeds)} seeds ({esc(", ".join(map(str, seeds)))}): per entry and '
        "check, the runs that passed / the runs (a test under one seed is one run; — : skipped under every "
        "seed). <code>python -m reports.sweep</code> prints the same.</p>"
        + fmt.table(["check", *(esc(f) for f in entries)], rows, "parity compact")
        + f'<p class="{"ok" if clean else "bad"}">{"<br>".join(esc(ln) for ln in told)}</p>'
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.sweep", description=__doc__)
    parser.add_argument("results", nargs="+", help="JSON-lines files of the seeds' runs")
    args = parser.parse_args(argv)
    missing = [p for p in args.results if not Path(p).is_file()]
    for p in missing:
        print(f"sweep: {p}: no such file (that run wrote no record: see its log)")

    def warn(message: str) -> None:
        print(f"sweep: {message}", file=sys.stderr)

    records = [rec for p in args.results if p not in missing for _, rec in json_lines(p, warn)]
    lines, clean = summarize(records)
    print("\n".join(lines))
    return 0 if clean and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
