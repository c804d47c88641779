"""``python -m reports.merge OUT.jsonl IN.jsonl ...``: one results file from several hosts' files.

For a CI matrix whose jobs (``--shard K/N``, ``--framework X``, one per GPU kind) each keep their
``reports/out/results.jsonl`` as an artifact: the merge job writes their records into one file, which
``python -m reports OUT.jsonl`` renders (each machine's tables apart, plus the cross-machine view).

Rules: every record of every input, in input order, except that a record of the same run id, test id
and machine fingerprint as an earlier one (the same file given twice, an artifact downloaded twice) is
kept once, the first. The session lines (``runs.jsonl``) and package lists (``environments.jsonl``)
beside the inputs are merged the same way beside OUT, each distinct line once. Lines that are not JSON
objects are reported and left out. OUT may be one of the inputs: everything is read before it is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reports.load import json_lines, machine_id

SIDE_FILES = ("runs.jsonl", "environments.jsonl")


def record_key(rec: dict) -> tuple[str, str, str]:
    """(run id, test id, machine id): two records with the same key are one test's one record."""
    machine = rec.get("machine") if isinstance(rec.get("machine"), dict) else {}
    return str(rec.get("run_id", "")), str(rec.get("test", "")), machine_id(machine)


def _read(paths: list[Path], key) -> tuple[list[dict], int]:
    """(records, duplicates dropped) of ``paths``, the first of each ``key`` kept, in input order."""
    seen, out, dropped = set(), [], 0
    for path in paths:
        for _, rec in json_lines(path, lambda message: print(f"reports.merge: {message}", file=sys.stderr)):
            k = key(rec)
            if k in seen:
                dropped += 1
                continue
            seen.add(k)
            out.append(rec)
    return out, dropped


def _write(path: Path, recs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, default=str) + "\n" for r in recs), encoding="utf-8")
    tmp.replace(path)


def merge(out: Path, inputs: list[Path]) -> dict:
    """Write the merged records to ``out`` (and the side files beside it); returns the counts."""
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"results file {missing[0]} not found")
    recs, dropped = _read(inputs, record_key)
    sides = {}
    for name in SIDE_FILES:
        found = list(dict.fromkeys(p.parent.resolve() / name for p in inputs if (p.parent / name).is_file()))
        if found:
            sides[name] = _read(found, lambda r: json.dumps(r, sort_keys=True, default=str))[0]
    _write(out, recs)
    for name, lines in sides.items():
        _write(out.parent / name, lines)
    return {"records": len(recs), "duplicates": dropped, "machines": len({record_key(r)[2] for r in recs})}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="the merged JSON-lines file to write")
    parser.add_argument("inputs", nargs="+", help="results files (JSON lines) of the hosts")
    args = parser.parse_args(argv)
    try:
        counts = merge(Path(args.output), [Path(p) for p in args.inputs])
    except FileNotFoundError as exc:
        print(f"reports.merge: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.output}: {counts['records']} records from {len(args.inputs)} file(s), "
        f"{counts['machines']} machine(s); {counts['duplicates']} duplicate(s) kept once"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
