"""Timed training and inference at the chosen profile, recorded with their data source."""

import math

import pytest

from fixtures import weights

pytestmark = pytest.mark.perf


def _rep(make_rep, task, seed):
    """Every framework starts from the same canonical weights (the spec's initializers, drawn once)."""
    rep = make_rep()
    rep.load_weights(weights.initial(task, seed))
    return rep


@pytest.mark.training
def test_train(task, make_rep, datasets_cache, profile, seed, record):
    path, data = datasets_cache(task, profile)
    record.update(kind="train", data=data)
    figures = _rep(make_rep, task, seed).train_timed(profile, path, seed)
    record["figures"] = figures
    assert figures["samples_per_s"] > 0
    assert all(math.isfinite(loss) for loss in figures["loss_per_epoch"]), f"loss diverged: {figures['loss_per_epoch']}"


def test_infer(task, make_rep, datasets_cache, profile, seed, record):
    path, data = datasets_cache(task, profile)
    record.update(kind="infer", data=data)
    figures = _rep(make_rep, task, seed).infer_timed(profile, path)
    record["figures"] = figures
    assert figures["images_per_s"] > 0
