"""./dlp's two parts: the untimed tests under -n, then the timed ones alone, under one run id; the
timed records carry the first part's parity outcomes, every part leaves its session line, and the
progress lines name each entry and task as it starts and ends."""

import json

import pytest

from reports import suite_time
from suites.selftest import runner
from suites.selftest.runner import FAKE

pytestmark = pytest.mark.selftest

ENTRIES = {"fake": FAKE, "fakebad": {**FAKE, "env": {"FAKEFW_WRONG_AT_SEEDS": "0"}}}  # forward 1e-2 off
ARGS = ["suites/parity/test_model.py", "suites/perf/test_timed.py", "--task", "mnist_mlp"]
ARGS += [a for name in ENTRIES for a in ("--framework", name)]


def test_timed_part_carries_the_untimed_parts_parity(tmp_path):
    env = {"DLPARITY_RUN_ID": "parts-selftest"}
    untimed, first = runner.run(tmp_path, [*ARGS, "--part", "untimed", "-n", "2"], entries=ENTRIES, env=env)
    assert untimed.returncode == 1, untimed.stdout[-3000:]  # fakebad's forward check fails
    assert {r["kind"] for r in first} == {"parity"}
    timed, both = runner.run(tmp_path, [*ARGS, "--part", "timed"], entries=ENTRIES, env=env)
    assert timed.returncode == 0, timed.stdout[-3000:]
    perf = [r for r in both if r["kind"] in ("train", "infer")]
    assert {r["framework"]: r["parity"] for r in perf} == {"fake": "passed", "fakebad": "failed"}
    assert len(perf) == 4 and {r["run_id"] for r in both} == {"parts-selftest"}
    for name in ENTRIES:  # serial: one start and one done line per entry and task
        assert timed.stdout.count(f"dlp start {name} mnist_mlp: 2 tests") == 1, timed.stdout[-3000:]
        assert f"dlp done  {name} mnist_mlp: 2 passed in" in timed.stdout
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    assert [r["part"] for r in runs] == ["untimed", "timed"] and [r["workers_n"] for r in runs] == [2, 0]
    assert all(r["peak_rss_mb"] > 0 and r["wall_s"] > 0 for r in runs)
    labels = [{p["process"] for p in r["peak_largest"]} for r in runs]  # the peak's largest, named
    assert "pytest" in labels[0] | labels[1] and "pytest-xdist process" in labels[0], labels
    assert any(label.startswith("worker fakefw") for label in labels[0] | labels[1]), labels
    summary = suite_time.breakdown(both, runs)
    assert summary["run_id"] == "parts-selftest" and len(summary["parts"]) == 2
    assert set(summary["by_entry"]) == set(ENTRIES) and "worker start" in summary["by_phase"]
    saved = json.loads((tmp_path / "suite-time.json").read_text())  # written by the last part's controller
    assert saved["by_entry"].keys() == summary["by_entry"].keys()


def test_a_long_test_says_what_it_is_doing(tmp_path):
    """A test running past DLPARITY_BUSY_S says, in a progress line, which phase and worker command
    it is in (here: the fake entry's training steps, each held 1.5 s)."""
    env = {"DLPARITY_BUSY_S": "1", "FAKEFW_STEP_DELAY": "1.5"}
    args = ["suites/parity/test_model.py", "--task", "mnist_mlp", "--framework", "fake", "-k", "train_step"]
    proc, _ = runner.run(tmp_path, args, entries={"fake": runner.FAKE}, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:]
    busy = [line for line in proc.stdout.splitlines() if line.startswith("dlp busy")]
    assert busy and "now in forward and step (fake train_step mnist_mlp" in busy[0], proc.stdout[-3000:]
