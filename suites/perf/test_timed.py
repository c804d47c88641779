"""Timed training and inference at the chosen profile, recorded with their data source."""

import math

import pytest

pytestmark = pytest.mark.perf


def test_train(task, make_rep, datasets_cache, profile, seed, record):
    path, data = datasets_cache(task, profile)
    record.update(kind="train", data=data)
    figures = make_rep().train_timed(profile, path, seed)
    record["figures"] = figures
    assert figures["samples_per_s"] > 0
    assert all(math.isfinite(loss) for loss in figures["loss_per_epoch"]), f"loss diverged: {figures['loss_per_epoch']}"


def test_infer(task, make_rep, datasets_cache, profile, record):
    path, data = datasets_cache(task, profile)
    record.update(kind="infer", data=data)
    figures = make_rep().infer_timed(profile, path)
    record["figures"] = figures
    assert figures["images_per_s"] > 0
