"""``reports.sweep``: a parity check that fails under some seeds only is named as flaky."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fixtures import testids
from reports import sweep
from suites.selftest import runner
from suites.selftest.runner import FAKE, ROOT

pytestmark = pytest.mark.selftest

FORWARD = "suites/parity/test_model.py::test_forward_matches_reference[mnist_mlp-fake]"


def rec(test, seed, outcome):
    return {"kind": "parity", "test": test, "seed": seed, "outcome": outcome}


def test_flaky_failing_and_missing_checks_are_told_apart():
    records = [rec("a", s, "passed") for s in (1, 2, 3)]
    records += [rec("flaky", 1, "passed"), rec("flaky", 2, "failed"), rec("flaky", 3, "passed")]
    records += [rec("broken", s, "failed") for s in (1, 2, 3)]
    records += [rec("short", 1, "passed"), rec("short", 2, "passed")]
    records += [rec("perf", 1, "failed") | {"kind": "infer"}]
    lines, clean = sweep.summarize(records)
    assert not clean
    assert "FLAKY: flaky (seeds 2)" in lines
    assert "failed under every seed: broken (seeds 1, 2, 3)" in lines
    assert "not run under seeds 3: short" in lines
    assert lines[0] == "seed 1: 3 passed, 1 failed, 0 skipped"
    assert lines[-1].startswith("sweep: 3 seeds (1..3), 4 parity checks run: 1 flaky, 1 failing")


def test_the_checks_closest_to_their_bound_are_named():
    records = [rec("a", s, "passed") | {"figures": {"worst_of_bound": u}} for s, u in ((1, 0.2), (2, 0.93))]
    records += [rec("b", s, "passed") | {"figures": {"worst_of_bound": u}} for s, u in ((1, 0.5), (2, 0.1))]
    records += [rec("c", s, "passed") for s in (1, 2)]
    assert sweep.closest(records) == [(0.93, "a", 2), (0.5, "b", 1)]
    lines, clean = sweep.summarize(records)
    assert clean and "closest to its bound: 93 % of the tolerance, a (seed 2)" in lines


def test_clean_sweep_passes_and_a_skip_is_not_a_failure():
    records = [rec("a", s, "passed") for s in (4, 5)] + [rec("b", s, "skipped") for s in (4, 5)]
    lines, clean = sweep.summarize(records)
    assert clean, lines
    assert sweep.summarize([])[1] is False


def test_seed_dependent_defect_is_found_by_a_real_sweep(tmp_path):
    """Two seeds of the fake framework's forward check; the defect planted under seed 2 only."""
    files = {}
    for seed, wrong in ((1, "2"), (2, "2"), (3, "")):
        d = tmp_path / str(seed)
        d.mkdir()
        proc, _ = runner.run(
            d,
            [testids.module(FORWARD), "-k", "forward and mnist_mlp", "--framework", "fake", "--seed", str(seed)],
            entries={"fake": FAKE},
            env={"FAKEFW_WRONG_AT_SEEDS": wrong},
        )
        assert proc.returncode == (1 if seed == 2 else 0), proc.stdout[-2000:]
        files[seed] = str(d / "results.jsonl")

    def cli(*paths):
        return subprocess.run(
            [sys.executable, "-m", "reports.sweep", *paths], cwd=ROOT, capture_output=True, text=True, timeout=120
        )

    flaky = cli(files[1], files[2])
    assert flaky.returncode == 1 and f"FLAKY: {FORWARD} (seeds 2)" in flaky.stdout, flaky.stdout
    clean = cli(files[1], files[3])
    assert clean.returncode == 0 and "0 flaky" in clean.stdout, clean.stdout
    missing = cli(files[1], str(tmp_path / "none.jsonl"))
    assert missing.returncode == 1 and "no such file" in missing.stdout
