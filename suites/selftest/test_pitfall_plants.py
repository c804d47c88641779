"""Every pitfall and layer-conformance check fails on a planted defect and passes without it."""

import pytest

from suites.selftest import runner

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

PITFALLS, LAYERS = "suites/parity/test_pitfalls.py", "suites/parity/test_layers.py"

# (plant, framework, task, test file, the test that must catch it)
PLANTS = [
    ("torch_dropout_not_inverted", "torch", "mnist_mlp", PITFALLS, "test_dropout_train_mask_rate_and_scale"),
    ("torch_dropout_left_on_in_eval", "torch", "mnist_mlp", PITFALLS, "test_dropout_off_in_eval"),
    ("torch_softmax_before_logits_loss", "torch", "mnist_mlp", PITFALLS, "test_softmax_applied_once"),
    ("tensorflow_softmax_before_logits_loss", "tensorflow", "mnist_mlp", PITFALLS, "test_softmax_applied_once"),
    ("torch_relu_backward_passes_negatives", "torch", "cifar10_cnn", PITFALLS, "test_gradients"),
    ("torch_float64_leak", "torch", "mnist_mlp", PITFALLS, "test_label_dtypes_and_float32"),
    ("torch_onehot_labels_smoothed", "torch", "mnist_mlp", PITFALLS, "test_sparse_and_onehot_labels_agree"),
    ("torch_maxpool_stride_1", "torch", "cifar10_cnn", LAYERS, "test_maxpool2d"),
]


@pytest.mark.parametrize("plant, entry, task_name, path, test", PLANTS, ids=[p[0] for p in PLANTS])
def test_pitfall_check_catches_planted_defect(tmp_path, plant, entry, task_name, path, test):
    planted = runner.planted_record(tmp_path / "planted", f"{path}::{test}[{task_name}-{entry}]", plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by {test}"
    nodes = [f"{p_}::{t}[{k}-{f}]" for _, f, k, p_, t in PLANTS]
    clean = runner.clean_record(tmp_path / "clean", nodes, f"{path}::{test}[{task_name}-{entry}]")
    assert clean["outcome"] == "passed", clean["reason"]


def test_double_softmax_moves_loss_and_gradient_measurably(tmp_path):
    """The planted double softmax fails on the loss, and the recorded figures show the gap."""
    node = f"{PITFALLS}::test_softmax_applied_once[mnist_mlp-torch]"
    rec = runner.planted_record(tmp_path, node, "torch_softmax_before_logits_loss")
    assert rec["outcome"] == "failed" and "double softmax would give" in rec["reason"], rec["reason"]
