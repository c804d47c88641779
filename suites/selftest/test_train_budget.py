"""A profile's training time budget: a slow entry trains fewer steps each epoch, at least one a round,
its figures say so, and so does the report."""

import dataclasses
import json

import numpy as np
import pytest

import reports
from fixtures import timing
from fixtures.tasks import TASKS
from fixtures.tasks.spec import QUICK_TRAIN_BUDGET_S
from suites.selftest.test_report import rec, section, train_figures

pytestmark = pytest.mark.selftest

TASK = TASKS["mnist_mlp"]
STEP_S = 0.1  # the fake clock's seconds per training step
WHOLE = 20  # steps in a whole epoch of the fake data


class SteppedClock:
    """A clock that only a training step moves, so the budget's arithmetic is exact."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeRep:
    def __init__(self, clock, compiling: int):
        self.clock, self.steps, self.compiling = clock, 0, compiling

    def train_step(self, x, y):
        self.steps += 1
        self.clock.now += STEP_S * (20 if self.steps <= self.compiling else 1)  # the first steps compile
        return 0.5

    def sync(self, handle):
        pass

    def value(self, handle):
        return handle

    def predict(self, x):
        return np.zeros((len(x), TASK.num_classes), np.float32)


def _train(monkeypatch, budget_s: float, compiling: int = 1) -> tuple:
    clock = SteppedClock()
    monkeypatch.setattr(timing, "clock", clock)
    profile = dataclasses.replace(TASK.profiles["quick"], epochs=2, warmup_steps=2, rounds=3, train_budget_s=budget_s)
    n = WHOLE * TASK.batch_size
    data = {
        "x_train": np.zeros((n, 784), np.float32),
        "y_train": np.zeros(n, np.int64),
        "x_test": np.zeros((256, 784), np.float32),
        "y_test": np.zeros(256, np.int64),
    }
    rep = FakeRep(clock, compiling)
    return timing.train(rep, TASK, profile, data, seed=0), rep.steps


def test_budget_cuts_each_epoch_to_the_steps_its_share_fits(monkeypatch):
    figures, steps = _train(monkeypatch, budget_s=1.0)  # 0.5 s an epoch at 0.1 s a step: 5 steps
    assert (figures["trained_steps_per_epoch"], figures["steps_per_epoch"]) == (5, WHOLE)
    assert steps == 1 + 2 + 2 * 5  # first step, warm-up, two cut epochs
    assert figures["epoch_fraction"] == 0.25
    assert figures["s_per_epoch"] == pytest.approx([0.5, 0.5])
    assert figures["s_per_epoch_median"] == pytest.approx(2.0)  # a whole epoch at the measured pace
    assert figures["epoch_samples"] == WHOLE * TASK.batch_size


def test_a_warm_up_step_that_still_compiles_does_not_set_the_pace(monkeypatch):
    figures, _ = _train(monkeypatch, budget_s=1.0, compiling=2)  # the first warm-up step compiles too
    assert figures["trained_steps_per_epoch"] == 5  # the mean warm-up pace (1.05 s) would leave 3
    assert figures["warmup_s"] == pytest.approx(2.0 + 0.1)


def test_budget_never_leaves_fewer_steps_than_rounds(monkeypatch):
    figures, _ = _train(monkeypatch, budget_s=0.2)  # fits 1 step an epoch; 3 rounds need 3
    assert figures["trained_steps_per_epoch"] == 3


def test_no_budget_or_a_fast_entry_trains_whole_epochs(monkeypatch):
    for budget_s in (0.0, 100.0):
        figures, steps = _train(monkeypatch, budget_s)
        assert figures["trained_steps_per_epoch"] == WHOLE and figures["epoch_fraction"] == 1
        assert steps == 1 + 2 + 2 * WHOLE


def test_every_training_quick_profile_has_the_budget_and_no_other_profile():
    assert QUICK_TRAIN_BUDGET_S > 0
    for task in TASKS.values():
        for name, profile in task.profiles.items():
            if profile.epochs:
                assert profile.train_budget_s == (QUICK_TRAIN_BUDGET_S if name == "quick" else 0.0), (task.name, name)


def test_report_says_an_epoch_was_cut(tmp_path):
    cut = {
        **train_figures(100.0),
        "epoch_fraction": 0.25,
        "trained_steps_per_epoch": 117,
        "steps_per_epoch": 468,
        "train_budget_s": 20.0,
    }
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(rec("torch", "mnist_mlp", "train", figures=cut)) + "\n")
    reports.render([path], tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    training = section(page, "training")
    assert "time budget 20 s: trained 25.0 % of each epoch (117 of 468 steps)" in training
    assert "(after 25.0 % of each epoch)" in training
    assert "epochs cut by the time budget: torch" in page
