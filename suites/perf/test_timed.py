"""Timed training and inference at the chosen profile, recorded with their data source."""

import math

import pytest

from fixtures import tasks as task_registry
from fixtures import weights

pytestmark = pytest.mark.perf


def _rep(make_rep, task, seed):
    """Every framework starts from the same canonical weights (the spec's initializers, drawn once); a
    zoo model from its framework's own random initialisation."""
    rep = make_rep()
    if not task.zoo:
        rep.load_weights(weights.initial(task, seed))
    return rep


def _zoo_flops(task, rep, figures: dict, per_s: str, training: bool) -> None:
    """A zoo model's FLOPs are its variant's (tasks.zoo_figures, checked by test_zoo.py), not its spec's."""
    stated = task_registry.zoo_figures(task, rep.describe)
    figures["variant"] = stated["variant"]
    figures["flops_per_sample"] = 2 * stated["train_macs" if training else "macs"]
    figures["gflops_per_s"] = figures[per_s] * figures["flops_per_sample"] / 1e9


def _roofline(figures: dict, peak: dict) -> dict:
    """Achieved fraction of the framework's own matmul peak, and the epoch time that peak allows."""
    out = dict(peak)
    if peak["peak_gflops"]:
        out["peak_fraction"] = figures["gflops_per_s"] / peak["peak_gflops"]
        if "epoch_samples" in figures:
            flops = figures["flops_per_sample"] * figures["epoch_samples"]
            out["lower_bound_s_per_epoch"] = flops / (peak["peak_gflops"] * 1e9)
    return out


@pytest.mark.training
@pytest.mark.zoo_ok
@pytest.mark.record_kind("train")
def test_train(task, framework, make_rep, datasets_cache, peaks, profile, seed, record, against_baseline):
    path, data = datasets_cache(task, profile)
    record.update(data=data)
    target = None if data["synthetic"] else task.targets.get(data.get("origin", ""))
    rep = _rep(make_rep, task, seed)
    figures = rep.train_timed(profile, path, seed, target)
    record["describe"] = rep.refresh_describe()
    if task.zoo:
        _zoo_flops(task, rep, figures, "samples_per_s", training=True)
    figures.update(_roofline(figures, peaks(framework)))
    record["figures"] = figures
    assert figures["samples_per_s"] > 0
    assert figures["harness_overhead_fraction"] < 0.01, (
        f"timing an empty step costs {figures['harness_overhead_fraction']:.2%} of the fastest measured step"
    )
    assert all(math.isfinite(loss) for loss in figures["loss_per_epoch"]), f"loss diverged: {figures['loss_per_epoch']}"
    against_baseline(record)


@pytest.mark.zoo_ok
@pytest.mark.record_kind("infer")
def test_infer(task, framework, make_rep, datasets_cache, peaks, profile, seed, record, against_baseline):
    path, data = datasets_cache(task, profile)
    record.update(data=data)
    rep = _rep(make_rep, task, seed)
    figures = rep.infer_timed(profile, path)
    record["describe"] = rep.refresh_describe()
    if task.zoo:
        _zoo_flops(task, rep, figures, "images_per_s", training=False)
    figures["s_per_1000_images"] = 1000.0 / figures["images_per_s"]
    figures.update(_roofline(figures, peaks(framework)))
    record["figures"] = figures
    assert figures["images_per_s"] > 0
    against_baseline(record)
