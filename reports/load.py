"""Read result records (fixtures/results.py schema 2; older ones through its ``upgrade``) and keep the
latest one per measurement.

Kept standalone (the stdlib, ``fixtures/results.py`` and ``fixtures/testids.py``, both stdlib only)
so the report renders in an environment that has none of the frameworks or the harness installed.
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from fixtures.results import upgrade

REQUIRED = ("framework", "task", "kind", "outcome")
# A/B records add their test id (A and B); machine_id: two machines' figures never replace each other
KEY = ("framework", "task", "kind", "check", "profile", "device", "machine_id")
MAX_WARNINGS = 20


@dataclass
class Loaded:
    records: list[dict] = field(default_factory=list)  # every valid record, file order
    latest: list[dict] = field(default_factory=list)  # the latest record per KEY
    skipped: int = 0  # lines that were not JSON, of a schema ``upgrade`` refuses, or lacked required keys
    sources: list[str] = field(default_factory=list)


def _warn(state: dict, message: str) -> None:
    state["n"] += 1
    if state["n"] <= MAX_WARNINGS:
        print(f"reports: {message}", file=sys.stderr)


def normalise(rec: dict) -> dict:
    """Defaults for optional keys, so the renderers can index without guards."""
    rec = dict(rec)
    rec["kind"] = str(rec["kind"])
    for key in ("framework", "task", "outcome"):
        rec[key] = str(rec[key])
    for key in ("check", "reason", "profile", "device", "run_id", "time", "test", "parity", "shard"):
        value = rec.get(key)
        rec[key] = "" if value is None else str(value)
    rec["profile"] = rec["profile"] or "?"
    rec["device"] = rec["device"] or "?"
    for key in ("version", "data", "figures", "describe", "machine", "worker", "commit", "pair", "parity_checks"):
        if not isinstance(rec.get(key), dict):
            rec[key] = {}
    rec["machine_id"] = machine_id(rec["machine"])
    return rec


def machine_id(machine: dict) -> str:
    """The fingerprint's id (fixtures/fingerprint.py); for records written before fingerprints, the host
    and CPU they name."""
    if machine.get("id"):
        return str(machine["id"])
    return f"{machine.get('hostname', '?')}: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores"


def json_lines(path, warn):
    """(``path:line``, object) for each line of a JSON-lines file that is a UTF-8 JSON object; every
    other non-blank line (cut short, not JSON, not an object, not UTF-8) goes to ``warn(message)``
    and is skipped, so one bad line never costs the others."""
    for n, raw in enumerate(Path(path).read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{n}"
        try:
            rec = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            warn(f"{where}: skipped, not UTF-8")
            continue
        except json.JSONDecodeError as exc:
            warn(f"{where}: skipped, not JSON ({exc.msg})")
            continue
        if not isinstance(rec, dict):
            warn(f"{where}: skipped, not a JSON object")
            continue
        yield where, rec


def read(paths) -> Loaded:
    out = Loaded(sources=[str(p) for p in paths])
    state = {"n": 0}
    for path in paths:
        for where, rec in json_lines(path, lambda message: _warn(state, message)):
            try:
                rec = upgrade(rec)
            except ValueError as exc:
                _warn(state, f"{where}: skipped, {exc}")
                continue
            missing = [k for k in REQUIRED if rec.get(k) in (None, "")]
            if missing:
                _warn(state, f"{where}: skipped, missing {', '.join(missing)}")
                continue
            out.records.append(normalise(rec))
    if state["n"] > MAX_WARNINGS:
        print(f"reports: ... {state['n'] - MAX_WARNINGS} more lines skipped", file=sys.stderr)
    out.skipped = state["n"]
    out.latest = latest(out.records)
    return out


def _when(rec: dict) -> datetime.datetime:
    try:
        t = datetime.datetime.fromisoformat(rec["time"])
    except (ValueError, TypeError):
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return t if t.tzinfo else t.replace(tzinfo=datetime.UTC)


def latest(records: list[dict]) -> list[dict]:
    """The latest record (by ``time``; later in the input on a tie) per KEY, in input order."""
    best: dict[tuple, tuple] = {}
    for i, rec in enumerate(records):
        key = tuple(rec[k] for k in KEY) + ((rec["test"],) if rec["kind"] == "compare" else ())
        rank = (_when(rec), i)
        if key not in best or rank >= best[key][0]:
            best[key] = (rank, rec)
    return [rec for _, rec in sorted(best.values(), key=lambda item: item[0][1])]
