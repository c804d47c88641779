"""The pytest-benchmark JSON that a run writes is read by pytest-benchmark's own tooling."""

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from suites.selftest import runner
from suites.selftest.runner import FAKE

pytestmark = pytest.mark.selftest


def test_pytest_benchmark_compare_reads_it(tmp_path):
    proc, recs = runner.run(
        tmp_path, ["suites/perf", "--framework", "fake", "--task", "mnist_mlp"], entries={"fake": FAKE}
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    doc = json.loads((tmp_path / "benchmark.json").read_text())
    assert {"machine_info", "commit_info", "benchmarks", "datetime", "version"} <= set(doc)
    bench = {b["name"]: b for b in doc["benchmarks"]}
    assert set(bench) == {"test_train[mnist_mlp-fake]", "test_infer[mnist_mlp-fake]"}
    train = bench["test_train[mnist_mlp-fake]"]
    rec = next(r for r in recs if r["kind"] == "train")
    assert train["stats"]["rounds"] == len(rec["figures"]["rounds_samples_per_s"])
    per_step = [128 / r for r in rec["figures"]["rounds_samples_per_s"]]  # seconds per step, per round
    assert train["stats"]["median"] == pytest.approx(statistics.median(per_step), rel=1e-9)
    stored = tmp_path / "0001_run.json"
    stored.write_text(json.dumps(doc))
    cli = subprocess.run(
        [str(Path(sys.executable).with_name("pytest-benchmark")), "compare", str(stored), "--columns", "median"],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert "test_train[mnist_mlp-fake]" in cli.stdout and "test_infer[mnist_mlp-fake]" in cli.stdout
