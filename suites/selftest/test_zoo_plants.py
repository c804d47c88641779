"""The zoo parity tests fail on a feature extractor cut at the wrong layer, another architecture, or a
training step whose updates never reach the weights."""

import pytest

from suites.selftest import runner
from suites.selftest.runner import by_test

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

TEST = "test_zoo_model_is_a_stated_variant[resnet50_features-keras-jax]"


def _outcome(tmp_path, plant=None):
    env = {"DLPARITY_WORKER_HOOK": f"suites.selftest.plants_zoo:{plant}"} if plant else {}
    proc, recs = runner.run(tmp_path, [f"suites/parity/test_zoo.py::{TEST}"], env=env)
    rec = by_test(recs).get(TEST)
    assert rec is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    return rec


@pytest.mark.parametrize("plant", ["keras_resnet50_without_pooling", "keras_resnet50_v2_for_v1"])
def test_zoo_check_catches(tmp_path, plant):
    planted = _outcome(tmp_path / "planted", plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed"
    clean = runner.clean_record(tmp_path / "clean", [f"suites/parity/test_zoo.py::{TEST}"], TEST)
    assert clean["outcome"] == "passed", clean["reason"]


DENSENET = {
    "keras_densenet169_for_121": "test_zoo_model_is_a_stated_variant[densenet121_train-keras-torch]",
    "keras_adam_learning_rate_zero": "test_zoo_model_trains[densenet121_train-keras-torch]",
}


@pytest.mark.parametrize("plant", sorted(DENSENET))
def test_trained_zoo_checks_catch(tmp_path, plant):
    test = DENSENET[plant]
    env = {"DLPARITY_WORKER_HOOK": f"suites.selftest.plants_zoo:{plant}"}
    proc, recs = runner.run(tmp_path / "planted", [f"suites/parity/test_zoo.py::{test}"], env=env)
    planted = by_test(recs).get(test)
    assert planted is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by {test}"
    clean = runner.clean_record(
        tmp_path / "clean", [f"suites/parity/test_zoo.py::{v}" for v in DENSENET.values()], test
    )
    assert clean["outcome"] == "passed", clean["reason"]
