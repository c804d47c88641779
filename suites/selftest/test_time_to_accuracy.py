"""Time-to-accuracy: training seconds up to the first epoch at the target, shown in the report."""

import json

import reports
from fixtures.timing import time_to_accuracy
from suites.selftest.test_report import rec, section, train_figures


def test_first_epoch_at_target_counts_its_own_time():
    tta = time_to_accuracy([10.0, 11.0, 12.0], [0.70, 0.86, 0.90], 0.85)
    assert tta == {"target_accuracy": 0.85, "time_to_accuracy_s": 21.0, "epochs_to_accuracy": 2}


def test_target_never_reached_or_not_set():
    assert time_to_accuracy([10.0, 11.0], [0.70, 0.80], 0.85)["time_to_accuracy_s"] is None
    assert time_to_accuracy([10.0], [0.9], None) == {}


def test_report_shows_reached_and_missed_targets(tmp_path):
    reached = {**train_figures(100.0), "target_accuracy": 0.75, "time_to_accuracy_s": 12.5, "epochs_to_accuracy": 2}
    missed = {**train_figures(90.0), "target_accuracy": 0.9, "time_to_accuracy_s": None, "epochs_to_accuracy": None}
    path = tmp_path / "results.jsonl"
    path.write_text(
        json.dumps(rec("torch", "mnist_mlp", "train", figures=reached))
        + "\n"
        + json.dumps(rec("keras-jax", "mnist_mlp", "train", figures=missed))
        + "\n"
    )
    reports.render([path], tmp_path / "index.html")
    page = section((tmp_path / "index.html").read_text(encoding="utf-8"), "training")
    assert "time to 75.0 %: 12.5 s" in page and "(epoch 2)" in page
    assert "90.0 % not reached in 3 epochs" in page
