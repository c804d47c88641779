"""The data-parallel parity check fails when the replicas' gradients are summed instead of averaged
(the seeds' multi-GPU accuracy drop) and passes without that defect (real frameworks, 2 replicas).

cifar10_cnn trains with SGD momentum, whose update scales with the gradient: summing over 2
replicas doubles it. (RMSprop divides the gradient by its own running RMS, so mnist_mlp's update
hardly moves when every gradient doubles: a summing bug is caught there only through eps.)
"""

import sys

import pytest

from fixtures.tasks import TASKS
from fixtures.worker import Worker, prepare
from suites.selftest import runner
from suites.selftest.runner import by_test

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

TEST, TASK = "test_devices_match_one_device", "cifar10_cnn"

# (plant in suites/selftest/plants.py, matrix entry)
PLANTS = [
    ("torch_ddp_sums_gradients", "torch"),
    ("tensorflow_mirrored_sums_gradients", "tensorflow"),
    ("jax_pmean_as_psum", "jax"),
    ("mxnet_kvstore_sums_gradients", "mxnet"),
]


def _run(tmp_path, framework, plant=None):
    node = f"suites/parity/test_devices.py::{TEST}[{TASK}-{framework}-replicas2]"
    env = {"DLPARITY_WORKER_HOOK": f"suites.selftest.plants:{plant}"} if plant else {}
    proc, recs = runner.run(tmp_path, [node, "--replicas", "2"], env=env)
    rec = by_test(recs).get(f"{TEST}[{TASK}-{framework}-replicas2]")
    if rec and rec["outcome"] == "skipped":
        pytest.skip(rec["reason"])
    assert rec is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    return rec


@pytest.mark.parametrize("plant, entry", PLANTS, ids=[p[0] for p in PLANTS])
def test_devices_parity_catches_summed_gradients(tmp_path, plant, entry):
    planted = _run(tmp_path / "planted", entry, plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by {TEST}"
    assert "replicas" in planted["reason"], planted["reason"]  # the weight change on N replicas, not a crash
    nodes = [f"suites/parity/test_devices.py::{TEST}[{TASK}-{f}-replicas2]" for _, f in PLANTS]
    clean = runner.clean_record(tmp_path / "clean", nodes, f"{TEST}[{TASK}-{entry}-replicas2]", ("--replicas", "2"))
    assert clean["outcome"] == "passed", clean["reason"]


def test_torch_ddp_group_leaves_no_temporary_directory(tmp_path):
    """A worker's DDP process group keeps its file store in a temporary directory while it lives; the
    controller's shutdown of the worker stops the group and removes it (before, every worker that
    used a group left one in /tmp: the controller kills a worker right after its shutdown reply)."""
    pytest.importorskip("torch")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    worker = Worker("torch-ddp-tmp", "fixtures.frameworks.torch_adapter", sys.executable, {"TMPDIR": str(tmp)},
                    tmp_path / "worker.log", 300)  # fmt: skip
    try:
        prepare(worker, TASKS["mnist_mlp"], "cpu", 0, replicas=2)
        assert list(tmp.glob("dlparity-ddp-*")), "the group's store is not where this test looks"
    finally:
        worker.close()
    assert not list(tmp.glob("dlparity-ddp-*")), "the worker exited and left its DDP store's directory"
