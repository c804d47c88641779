"""Each multi-node check of suites/parity/test_nodes.py fails on the defect it exists for.

Per entry, two planted runs of cifar10_cnn (SGD momentum, so a summed gradient moves the update by
the world size; dropout, so masks can be compared): one with a plant per check, each touching
only that check's mechanism (summed gradients, no initial broadcast, one dropout seed for all,
the last batch dropped on one rank), which must fail every planted check with its own reason;
one with every node reading the same shard, which must fail the parity check and no other.
"""

import pytest

from fixtures import testids
from suites.selftest import plants_nodes, runner
from suites.selftest.runner import by_test

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

TASK = "cifar10_cnn"
# plant (a function of suites/selftest/plants_nodes.py, after the entry's prefix) -> the check it
# must fail and words its failure says (the defect's effect, not a crash)
PLANTS = {
    "sum_gradients": ("test_nodes_match_one_device", "replicas"),
    "no_broadcast": ("test_nodes_broadcast_initial_weights", "not broadcast"),
    "same_dropout_seed": ("test_nodes_draw_their_own_dropout_masks", "same dropout masks"),
    "drop_last_on_one_rank": ("test_nodes_read_an_uneven_epoch_alike", "steps per replica"),
}
CHECKS = {check for check, _ in PLANTS.values()}


def _run(tmp_path, entry, plants):
    env = {"DLPARITY_NODE_HOOK": ",".join(f"{plants_nodes.__name__}:{p}" for p in plants)}
    args = ["suites/parity/test_nodes.py", "--framework", entry, "--task", TASK]
    proc, recs = runner.run(tmp_path, args, env=env)
    recs = {testids.base(test): rec for test, rec in by_test(recs).items()}
    assert set(recs) == CHECKS, proc.stdout[-3000:]
    return recs


def _declared(rec) -> bool:
    """An expected failure (expectations/<entry>.txt), as the records write it."""
    return rec["outcome"] == "skipped" and rec["reason"].startswith("expected")


@pytest.mark.parametrize("entry", ["torch", "jax", "keras-jax", "tensorflow", "mxnet"])
def test_node_checks_catch_their_plants(tmp_path, entry):
    prefix = entry.replace("-", "_")
    planted = {p: PLANTS[p] for p in PLANTS if hasattr(plants_nodes, f"{prefix}_{p}")}
    run = _run(tmp_path / "planted", entry, [f"{prefix}_{p}" for p in planted])
    for plant, (check, words) in planted.items():
        assert run[check]["outcome"] == "failed", f"{entry}: {check} passed with {plant} planted"
        assert words in run[check]["reason"], run[check]["reason"]
    # a check without a plant fails on the framework itself: declared in expectations/<entry>.txt
    for check in CHECKS - {c for c, _ in planted.values()}:
        assert _declared(run[check]), f"{entry}: {check} has no plant and is not a declared failure"
    shard = _run(tmp_path / "shard", entry, [f"{prefix}_same_shard"])
    assert shard["test_nodes_match_one_device"]["outcome"] == "failed", f"{entry}: one shard for all went unnoticed"
    assert "replicas" in shard["test_nodes_match_one_device"]["reason"]
    others = {t: r for t, r in shard.items() if t != "test_nodes_match_one_device"}
    assert all(r["outcome"] == "passed" or _declared(r) for r in others.values()), others
