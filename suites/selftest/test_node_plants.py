"""Each multi-node check of suites/parity/test_nodes.py fails on the defect it exists for.

Per entry, two planted runs of cifar10_cnn (SGD momentum, so a summed gradient moves the update by
the world size; dropout, so masks can be compared): one with four plants that each touch a
different check's mechanism (summed gradients, no initial broadcast, one dropout seed for all,
the last batch dropped on one rank), which must fail all four checks, each with its own reason;
one with every node reading the same shard, which must fail the parity check and no other.
"""

import pytest

from suites.selftest import runner
from suites.selftest.runner import by_test

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

TASK = "cifar10_cnn"
PLANTS = "suites.selftest.plants_nodes"
# check -> words its failure must say (the defect's effect, not a crash)
REASONS = {
    "test_nodes_match_one_device": "replicas",
    "test_nodes_broadcast_initial_weights": "not broadcast",
    "test_nodes_draw_their_own_dropout_masks": "same dropout masks",
    "test_nodes_read_an_uneven_epoch_alike": "steps per replica",
}


def _run(tmp_path, entry, plants):
    env = {"DLPARITY_NODE_HOOK": ",".join(f"{PLANTS}:{entry}_{p}" for p in plants)}
    args = ["suites/parity/test_nodes.py", "--framework", entry, "--task", TASK]
    proc, recs = runner.run(tmp_path, args, env=env)
    recs = {test.split("[")[0]: rec for test, rec in by_test(recs).items()}
    assert set(recs) == set(REASONS), proc.stdout[-3000:]
    return recs


FOUR = ["sum_gradients", "no_broadcast", "same_dropout_seed", "drop_last_on_one_rank"]


@pytest.mark.parametrize("entry", ["torch", "jax"])
def test_node_checks_catch_their_plants(tmp_path, entry):
    four = _run(tmp_path / "four", entry, FOUR)
    for test, words in REASONS.items():
        assert four[test]["outcome"] == "failed", f"{entry}: {test} passed with its defect planted"
        assert words in four[test]["reason"], four[test]["reason"]
    shard = _run(tmp_path / "shard", entry, ["same_shard"])
    assert shard["test_nodes_match_one_device"]["outcome"] == "failed", f"{entry}: one shard for all went unnoticed"
    assert "replicas" in shard["test_nodes_match_one_device"]["reason"]
    others = {t: r["outcome"] for t, r in shard.items() if t != "test_nodes_match_one_device"}
    assert set(others.values()) == {"passed"}, others
