"""Every parity check fails on a planted defect and passes without it (real frameworks)."""

import pytest

from suites.selftest import runner

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

FORWARD, STEP = "test_forward_matches_reference", "test_train_step_matches_reference"

# (plant, framework, task, the parity test that must catch it)
PLANTS = [
    ("torch_dropout_left_on_in_eval", "torch", "mnist_mlp", FORWARD),
    ("torch_unit_gain_momentum", "torch", "cifar10_cnn", STEP),
    ("torch_rmsprop_eps_outside_sqrt", "torch", "mnist_mlp", STEP),
    ("torch_softmax_before_logits_loss", "torch", "mnist_mlp", STEP),
    ("conv_kernel_reshaped_not_transposed", "tensorflow", "cifar10_cnn", FORWARD),
    ("flatten_rows_not_permuted", "jax", "cifar10_cnn", FORWARD),
    ("images_fed_as_nwhc", "keras-jax", "cifar10_cnn", FORWARD),
    ("plants_cntk:cntk_unit_gain_momentum", "cntk", "cifar10_cnn", STEP),
]


@pytest.mark.parametrize("plant, entry, task_name, test", PLANTS, ids=[p[0] for p in PLANTS])
def test_parity_catches_planted_defect(tmp_path, plant, entry, task_name, test):
    node = f"suites/parity/test_model.py::{test}[{task_name}-{entry}]"
    planted = runner.planted_record(tmp_path / "planted", node, plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by {test}"
    nodes = [f"suites/parity/test_model.py::{t}[{k}-{f}]" for _, f, k, t in PLANTS]
    clean = runner.clean_record(tmp_path / "clean", nodes, f"suites/parity/test_model.py::{test}[{task_name}-{entry}]")
    assert clean["outcome"] == "passed", clean["reason"]
