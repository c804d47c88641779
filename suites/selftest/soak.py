"""Soak: the smoke suite of some entries run several times, one worker killed (SIGKILL) in each run.

    .venv/bin/python -m suites.selftest.soak --runs 5 --framework torch --framework mxnet [pytest args]

Each run starts pytest on those entries, waits a random 5 s to ``--kill-by`` seconds, kills one of
its framework workers at random, and lets the run finish. Then it counts: tests reported (a
``call`` report, or a setup that did not pass, of a test with a framework: what gets a record),
records written, records lost (reported, no whole record) and processes of the run left behind.
Loaded by pytest as a plugin (``-p suites.selftest.soak``) it writes the reported test ids.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures.harness.case import case_of

ROOT = Path(__file__).resolve().parents[2]
LOG = "DLPARITY_SOAK_LOG"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """(as a plugin, in the process running the test) each reported test that gets a record."""
    report = (yield).get_result()
    path = os.environ.get(LOG)
    if path and case_of(item).entries:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            with open(path, "a") as fh:
                fh.write(report.nodeid + "\n")


def _procs() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process."""
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z":
                continue
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        out[int(stat.parent.name)] = (int(fields[1]), cmd)
    return out


def _descendants(root: int) -> list[int]:
    procs, found, todo = _procs(), [], [root]
    while todo:
        parent = todo.pop()
        kids = [pid for pid, (ppid, _) in procs.items() if ppid == parent]
        found += kids
        todo += kids
    return found


def _workers() -> set[int]:
    return {pid for pid, (_, cmd) in _procs().items() if "-m fixtures.worker" in cmd}


def one_run(out: Path, n: int, pytest_args: list[str], kill_by: float, rng: random.Random) -> dict:
    results, log = out / f"run-{n}.jsonl", out / f"run-{n}.reported"
    before = _workers()
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:html"]
    cmd += ["-p", "suites.selftest.soak", f"--results={results}", *pytest_args]
    env = {**os.environ, LOG: str(log)}
    env.pop("DLPARITY_RUN_ID", None)
    start = time.monotonic()
    with open(out / f"run-{n}.log", "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        at = rng.uniform(5.0, kill_by)
        killed = None
        while proc.poll() is None and killed is None:
            if time.monotonic() - start >= at:
                ours = [pid for pid in _descendants(proc.pid) if pid in _workers()]
                if ours:
                    killed = rng.choice(ours)
                    os.kill(killed, 9)
            time.sleep(0.2)
        proc.wait()
    wall = time.monotonic() - start
    time.sleep(1.0)
    left = sorted(_workers() - before)
    reported = set(log.read_text().split()) if log.exists() else set()
    recorded, bad = set(), 0
    for line in results.read_bytes().splitlines() if results.exists() else []:
        try:
            recorded.add(json.loads(line)["test"])
        except (ValueError, KeyError, TypeError):
            bad += 1
    tail = (out / f"run-{n}.log").read_text().strip().splitlines()
    return {
        "run": n,
        "exit": proc.returncode,
        "wall_s": round(wall, 1),
        "killed_at_s": round(at, 1) if killed else None,
        "killed_pid": killed,
        "reported": len(reported),
        "records": len(recorded),
        "lost": len(reported - recorded),
        "bad_lines": bad,
        "left_behind": left,
        "summary": tail[-1] if tail else "",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kill-by", type=float, default=60.0, help="latest second of a run to kill a worker at")
    ap.add_argument("--seed", type=int, default=0, help="of the kill times and victims")
    ap.add_argument("--out", type=Path, default=ROOT / "reports" / "out" / "soak")
    args, pytest_args = ap.parse_known_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    rows = []
    for n in range(1, args.runs + 1):
        row = one_run(args.out, n, pytest_args, args.kill_by, rng)
        rows.append(row)
        print(json.dumps(row), flush=True)
    lost = sum(r["lost"] + r["bad_lines"] for r in rows)
    left = sum(len(r["left_behind"]) for r in rows)
    kills = sum(r["killed_pid"] is not None for r in rows)
    print(
        f"soak: {len(rows)} runs, {kills} workers killed, {sum(r['records'] for r in rows)} records written, "
        f"{lost} lost, {left} processes left behind"
    )
    return 0 if lost == 0 and left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
