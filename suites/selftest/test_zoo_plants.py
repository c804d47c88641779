"""The zoo parity test fails on a feature extractor cut at the wrong layer, or another architecture."""

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
