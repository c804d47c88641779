"""Run dlparity's own pytest in a subprocess, as a user would, and read back its records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures import results, testids

ROOT = Path(__file__).resolve().parents[2]


def write_workers(path: Path, entries: dict[str, dict]) -> Path:
    """A worker config TOML: {name: {"module": ..., "python": ..., "env": {...}}}."""
    lines = []
    for name, spec in entries.items():
        lines.append(f"[frameworks.{name}]")
        for key, value in spec.items():
            if isinstance(value, dict):
                inner = ", ".join(f'{k} = "{v}"' for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n")
    return path


def run(
    tmp_path: Path,
    args: list[str],
    entries: dict | None = None,
    env: dict | None = None,
    timeout: float = 600,
    wait: bool = True,
):
    """``pytest args`` in the repository; returns (CompletedProcess, records)."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:html",
        "-q",
        # value in the option's token: a bare path before any test path would be taken for one
        f"--results={tmp_path / 'results.jsonl'}",
        *args,
    ]
    if entries:
        cmd.append(f"--workers={write_workers(tmp_path / 'workers.toml', entries)}")
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTEST_ADDOPTS", None)
    if not wait:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    return proc, records(tmp_path)


def records(tmp_path: Path) -> list[dict]:
    path = tmp_path / "results.jsonl"
    return results.read([path]) if path.exists() else []


def by_test(recs: list[dict]) -> dict[str, dict]:
    """Records keyed by 'function[id]'."""
    return {testids.name(r["test"]): r for r in recs}


FAKE = {"module": "suites.selftest.fakefw"}


_CLEAN: dict = {}


def clean_record(tmp_path: Path, nodes: list[str], node: str, args: tuple = ()) -> dict:
    """The record of test ``node`` run without any plant. All ``nodes`` (a plant module's clean
    counterparts) run together once per session, sharing their workers, and the records are kept:
    each plant then costs one planted run, not two."""
    key = (tuple(nodes), tuple(args))
    if key not in _CLEAN:
        proc, recs = run(tmp_path, [*nodes, *args])
        _CLEAN[key] = (proc, by_test(recs))
    proc, recs = _CLEAN[key]
    rec = recs.get(testids.name(node))
    assert rec is not None, f"{node}: no record from the clean run\n" + proc.stdout[-2000:] + proc.stderr[-2000:]
    return rec


def planted_record(tmp_path: Path, node: str, plant: str, args: tuple = ()) -> dict:
    """The record of test ``node`` run with ``plant`` ("fn" in suites/selftest/plants.py, or
    "module:fn" under suites/selftest) hooked into its workers; skips where the test skipped."""
    import pytest

    hook = plant if ":" in plant else f"plants:{plant}"
    proc, recs = run(tmp_path, [node, *args], env={"DLPARITY_WORKER_HOOK": f"suites.selftest.{hook}"})
    rec = by_test(recs).get(testids.name(node))
    if rec and rec["outcome"] == "skipped":
        pytest.skip(rec["reason"])
    assert rec is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    return rec
