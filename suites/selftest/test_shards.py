"""The matrix across hosts: ``--shard K/N`` partitions a run by whole entries, and the hosts' results
files merge (``python -m reports.merge``) into one report that keeps each machine's figures apart."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import reports
from fixtures import shards
from fixtures.testids import entry_of
from suites.selftest import runner
from suites.selftest.runner import FAKE, ROOT

pytestmark = pytest.mark.selftest

ENTRIES = {"fa": FAKE, "fb": FAKE, "fc": FAKE, "fd": FAKE, "fe": FAKE}
FRAMEWORKS = [a for name in ENTRIES for a in ("--framework", name)]
TASKS = ["mnist_mlp", "mnist_cnn"]
TASK_ARGS = [a for t in TASKS for a in ("--task", t)]
# the self-tests are named, so they are collected beside the entries (and must land on shard 1)
PATHS = ["suites/parity/test_model.py", "suites/perf/test_timed.py", "suites/selftest/test_results_file.py"]


def collected(tmp_path, *args) -> tuple[list[str], str]:
    """(test ids, the summary line) of ``pytest --collect-only`` over PATHS with ``args``."""
    proc, _ = runner.run(tmp_path, ["--collect-only", *PATHS, *FRAMEWORKS, *TASK_ARGS, *args], entries=ENTRIES)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    return ids, next(line for line in proc.stdout.splitlines() if "collected" in line)


def entry(nodeid: str) -> str | None:
    return entry_of(nodeid, list(ENTRIES), TASKS)


def test_assignment_is_deterministic_and_balanced():
    """Costliest first, each to the least loaded shard; shard 1 carries the self-tests' cost."""
    assert shards.assign({"a": 10, "b": 10, "c": 10, "d": 10}, 2) == {"a": 1, "b": 2, "c": 1, "d": 2}
    assert shards.assign({"a": 10, "b": 10, "c": 10}, 2, shard1_cost=15) == {"a": 2, "b": 2, "c": 1}
    assert shards.assign({"big": 30, "s1": 10, "s2": 10, "s3": 10}, 2) == {"big": 1, "s1": 2, "s2": 2, "s3": 2}
    assert shards.assign({"a": 1}, 3) == {"a": 1}  # more shards than entries: the others run nothing


@pytest.mark.parametrize("n", [2, 3])
def test_shards_partition_the_run_by_whole_entries(tmp_path, n):
    full, _ = collected(tmp_path)
    assert len({entry(t) for t in full}) == len(ENTRIES) + 1  # every entry, and self-tests (None)
    parts = []
    for k in range(1, n + 1):
        ids, summary = collected(tmp_path, f"--shard={k}/{n}")
        assert f"{len(ids)}/{len(full)} tests collected ({len(full) - len(ids)} deselected)" in summary, summary
        parts.append(ids)
    assert sorted(t for ids in parts for t in ids) == sorted(full)  # every test once: a partition
    owners = {}
    for k, ids in enumerate(parts, 1):
        for t in ids:
            assert owners.setdefault(entry(t), k) == k, f"{entry(t) or 'self-tests'} split across shards: {t}"
    assert owners[None] == 1  # the self-tests run on shard 1
    assert all(ids for ids in parts), "a shard with no tests: the entries are not dealt out"


def test_both_parts_give_a_shard_the_same_entries(tmp_path):
    """./dlp runs --part untimed then --part timed: a shard's timed tests are its parity entries' ones."""
    for k in (1, 2):
        untimed, _ = collected(tmp_path, f"--shard={k}/2", "--part=untimed")
        timed, _ = collected(tmp_path, f"--shard={k}/2", "--part=timed")
        assert {entry(t) for t in timed} - {None} == {entry(t) for t in untimed} - {None}


@pytest.mark.parametrize("value", ["0/2", "3/2", "x", "1/0", "2", ""])
def test_a_bad_shard_is_one_usage_line(tmp_path, value):
    proc, _ = runner.run(tmp_path, ["--collect-only", "suites/parity/test_model.py", f"--shard={value}"])
    assert proc.returncode == 4, proc.stdout[-1000:] + proc.stderr[-1000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: --shard: expected K/N"), proc.stderr


def test_workers_of_n_2_deselect_as_one_process(tmp_path):
    """Under ``-n 2`` each process deselects the same tests: the shard's records are the serial shard's."""
    args = ["suites/parity/test_model.py", *FRAMEWORKS, "--task", "mnist_mlp", "--shard=2/2"]
    serial_dir, xdist_dir = tmp_path / "serial", tmp_path / "xdist"
    serial_dir.mkdir(), xdist_dir.mkdir()
    serial, serial_recs = runner.run(serial_dir, args, entries=ENTRIES)
    parallel, recs = runner.run(xdist_dir, [*args, "-n", "2"], entries=ENTRIES)
    assert serial.returncode == 0 and parallel.returncode == 0, parallel.stdout[-2000:]
    assert sorted(r["test"] for r in recs) == sorted(r["test"] for r in serial_recs)
    assert {r["shard"] for r in recs} == {"2/2"}  # each record says which shard made it


@pytest.fixture(scope="module")
def run_records(tmp_path_factory):
    """One fake run's records (parity and timed) with its runs.jsonl beside them."""
    tmp = tmp_path_factory.mktemp("run")
    args = ["suites/parity/test_model.py", "suites/perf/test_timed.py", "--framework", "fa", "--framework", "fb"]
    proc, recs = runner.run(tmp, [*args, "--task", "mnist_mlp"], entries=ENTRIES)
    assert proc.returncode == 0 and recs, proc.stdout[-2000:]
    return tmp


def test_two_machines_merge_into_one_report_that_keeps_them_apart(run_records, tmp_path):
    """Host A's results and host B's (the same records, another fingerprint) merge into their union,
    a repeated file kept once; the report gives each machine its own tables and one cross-machine row
    per (task, kind, entry) measured on both."""
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir(), b_dir.mkdir()
    a = [json.loads(line) for line in (run_records / "results.jsonl").read_text().splitlines()]
    b = [{**r, "machine": {**r["machine"], "id": "bbbbbbbbbb", "hostname": "host-b", "cpu": "Other CPU"}} for r in a]
    for folder, recs in ((a_dir, a), (b_dir, b)):
        (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
        (folder / "runs.jsonl").write_bytes((run_records / "runs.jsonl").read_bytes())
    out = tmp_path / "merged" / "results.jsonl"
    ins = [a_dir / "results.jsonl", b_dir / "results.jsonl", a_dir / "results.jsonl"]  # A's artifact twice
    cmd = [sys.executable, "-m", "reports.merge", str(out), *map(str, ins)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(a) + len(b)} records from 3 file(s), 2 machine(s); {len(a)} duplicate(s)" in proc.stdout
    merged = [json.loads(line) for line in out.read_text().splitlines()]

    def keys(recs):
        return sorted((r["test"], r["machine"]["id"]) for r in recs)

    assert keys(merged) == keys(a + b)
    runs = (run_records / "runs.jsonl").read_text().splitlines()
    assert (out.parent / "runs.jsonl").read_text().splitlines() == runs  # both hosts' session lines: each once

    reports.render([out], tmp_path / "index.html", saved=None)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    heads = re.findall(r"<h3>Training: (.*?)</h3>", page)
    id_a = a[0]["machine"]["id"]
    assert len(heads) == 2 and {h.count(id_a) + h.count("bbbbbbbbbb") for h in heads} == {1}, heads
    across = page[page.index('id="across"') : page.index('id="gflops"')]
    rows = re.findall(r'data-row="([^"]*)"', across)
    assert sorted(rows) == sorted(f"mnist_mlp|{k}|smoke|cpu|{fw}" for k in ("train", "infer") for fw in ("fa", "fb"))
    assert across.count("not run there") == 0 and across.count(id_a) >= 2 and "bbbbbbbbbb" in across
