"""The results file survives a cut-short write and bad lines: no good record is lost to them."""

import errno
import json
import os

import pytest

from fixtures import results
from reports import load
from suites.selftest import runner
from suites.selftest.runner import FAKE

pytestmark = pytest.mark.selftest


def _rec(n: int) -> dict:
    return {"framework": "torch", "task": "mnist_mlp", "kind": "parity", "outcome": "passed", "check": f"c{n}"}


def test_partial_line_is_cut_before_the_next_record(tmp_path, capsys):
    path = tmp_path / "results.jsonl"
    results.append(path, _rec(1))
    with open(path, "ab") as f:  # an earlier write cut short (a full disk, a kill)
        f.write(b'{"schema": 1, "framew')
    results.append(path, _rec(2))
    assert "cut a partial last line (21 bytes" in capsys.readouterr().err
    assert [r["check"] for r in results.read([path])] == ["c1", "c2"]
    loaded = load.read([path])
    assert [r["check"] for r in loaded.records] == ["c1", "c2"] and loaded.skipped == 0


def test_failed_write_is_undone(tmp_path, monkeypatch):
    path = tmp_path / "results.jsonl"
    results.append(path, _rec(1))
    size = path.stat().st_size
    real_write = os.write

    def half_then_full(fd, data):  # the disk fills halfway through the line
        if len(data) > 10:
            return real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError):
        results.append(path, _rec(2))
    monkeypatch.undo()
    assert path.stat().st_size == size
    results.append(path, _rec(3))
    assert [r["check"] for r in results.read([path])] == ["c1", "c3"]


@pytest.mark.parametrize("bad", [b"[1, 2]", b"\xff\xfe not utf-8", b'{"cut": ', b'"a string"'])
def test_a_bad_line_costs_only_itself(tmp_path, capsys, bad):
    path = tmp_path / "results.jsonl"
    good = [json.dumps({"schema": results.SCHEMA, **_rec(n)}).encode() for n in (1, 2)]
    path.write_bytes(b"\n".join([good[0], bad, good[1]]) + b"\n")
    assert [r["check"] for r in results.read([path])] == ["c1", "c2"]
    loaded = load.read([path])
    assert [r["check"] for r in loaded.records] == ["c1", "c2"] and loaded.skipped == 1
    assert f"{path}:2: skipped" in capsys.readouterr().err


def test_disk_full_mid_run_stops_the_run_and_keeps_what_was_written(tmp_path):
    """The disk fills at the second record: that test's outcome is still reported, the run stops
    with one line naming the cause and the remedy, the first record is whole, no worker is left."""
    proc, recs = runner.run(
        tmp_path,
        ["-p", "suites.selftest.diskfull", "suites/parity/test_model.py", "--framework", "fake", "--task", "mnist_mlp"],
        entries={"fake": FAKE},
        env={"DLPARITY_DISK_FULL_AFTER": "2"},  # the worker's line in environments.jsonl, then one record
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out[-3000:]  # interrupted, not green
    said = [ln for ln in out.splitlines() if "results: cannot write" in ln]
    assert len(said) == 1 and "No space left on device" in said[0] and "free space or give --results" in said[0], out
    assert "INTERNALERROR" not in out and "2 passed" in out
    assert len(recs) == 1 and (tmp_path / "results.jsonl").read_bytes().endswith(b"\n")
    pid = recs[0]["worker"]["pid"]
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()


@pytest.mark.parametrize(
    "checks, summary",
    [
        ({"passed": 5}, "passed"),
        ({"passed": 4, "skipped": 1}, "skipped"),  # passed only when every check ran and passed
        ({"passed": 3, "skipped": 1, "failed": 1}, "failed"),
        ({"skipped": 2}, "skipped"),
        ({}, "not run"),
        ({"passed": 0}, "not run"),
    ],
)
def test_parity_summary_failed_beats_skipped_beats_passed(checks, summary):
    assert results.parity_summary(checks) == summary


def test_upgrade_reads_schema_1_and_refuses_others():
    v1 = {"schema": 1, "framework": "torch-next", "task": "mnist_mlp", "outcome": "skipped", "parity": "passed"}
    ab = {**v1, "kind": "ab", "test": "suites/perf/test_compare.py::test_ab[mnist_mlp-torch-vs-torch-next]"}
    got = results.upgrade(ab)
    assert got["schema"] == results.SCHEMA and got["kind"] == "compare"
    assert got["pair"] == {"a": "torch", "b": "torch-next"} and got["parity_checks"] == {}
    assert got["parity"] == "no failure seen"  # schema 1's "passed" said only that none failed
    scaling = {**v1, "kind": "data_parallel_scaling", "test": "suites/perf/test_scaling.py::test_x[mnist_mlp-torch]"}
    assert results.upgrade(scaling)["kind"] == "scaling" and results.upgrade(scaling)["pair"] == {}
    failed = results.upgrade({**v1, "kind": "train", "parity": "failed"})
    assert failed["parity"] == "failed" and failed["kind"] == "train"
    current = {"schema": results.SCHEMA, "kind": "train", "pair": {}, "parity": "passed"}
    assert results.upgrade(current) is current
    for schema in (0, None, results.SCHEMA + 1):
        with pytest.raises(ValueError, match=f"schema {schema!r}: this version reads schemas 1 and 2"):
            results.upgrade({**v1, "schema": schema})
