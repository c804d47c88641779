"""``pytest -n N`` (pytest-xdist): each entry's tests stay in one process, under one run id; timed
tests refuse to share the cores."""

from __future__ import annotations

import collections

import pytest

from suites.selftest import runner
from suites.selftest.runner import FAKE

pytestmark = pytest.mark.selftest
pytest.importorskip("xdist")

from fixtures.testids import entry_of  # noqa: E402

ENTRIES = ["torch", "jax", "keras-jax", "keras-torch", "tensorflow"]
TASKS = ["mnist_mlp", "resnet50_spec", "resnet50_features"]


@pytest.mark.parametrize(
    ("nodeid", "entry"),
    [
        ("suites/parity/test_model.py::test_forward[mnist_mlp-keras-jax]", "keras-jax"),
        ("suites/parity/test_model.py::test_forward[mnist_mlp-jax]", "jax"),
        ("suites/parity/test_devices.py::test_devices[resnet50_spec-keras-torch-replicas2]", "keras-torch"),
        ("suites/parity/test_layers.py::test_conv2d[tensorflow]", "tensorflow"),
        ("suites/parity/test_recurrent.py::test_recurrent_forward[gru_after_seq-keras-torch]", "keras-torch"),
        ("suites/parity/test_recurrent.py::test_recurrent_forward[lstm-torch]", "torch"),
        ("suites/perf/test_compare.py::test_ab[resnet50_features-torch-vs-jax]", "torch"),
        ("suites/selftest/test_report.py::test_page", None),
        ("suites/parity/test_model.py::test_forward[mnist_mlp-mxnet]", None),
    ],
)
def test_entry_is_read_back_from_the_test_id(nodeid, entry):
    assert entry_of(nodeid, ENTRIES, TASKS) == entry


def test_entries_stay_in_one_process_and_records_are_whole(tmp_path):
    entries = {"fake": FAKE, "fake2": FAKE, "fake3": FAKE}
    frameworks = [a for name in entries for a in ("--framework", name)]
    args = ["suites/parity/test_model.py", "suites/perf/test_timed.py", "--task", "mnist_mlp", *frameworks]
    proc, recs = runner.run(tmp_path, [*args, "-n", "2"], entries=entries)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.count("bringing up nodes") >= 1, proc.stdout[-2000:]
    serial_dir = tmp_path / "serial"
    serial_dir.mkdir()
    serial, serial_recs = runner.run(serial_dir, [*args, "-m", "parity"], entries=entries)
    assert serial.returncode == 0, serial.stdout[-3000:]
    parity = [r for r in recs if r["kind"] == "parity"]
    assert sorted(r["test"] for r in parity) == sorted(r["test"] for r in serial_recs)  # every record, whole
    assert {r["outcome"] for r in parity} == {"passed"}
    assert len({r["run_id"] for r in recs}) == 1  # the controller's run id in every process
    pids = collections.defaultdict(set)
    for r in parity:
        pids[r["framework"]].add(r["worker"]["pid"])
    assert set(pids) == set(entries) and all(len(p) == 1 for p in pids.values()), pids  # one process per entry
    timed = [r for r in recs if r["kind"] in ("train", "infer")]
    assert timed and {r["outcome"] for r in timed} == {"skipped"}
    assert all("without -n" in r["reason"] for r in timed)
