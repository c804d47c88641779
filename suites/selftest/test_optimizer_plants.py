"""The optimizer-semantics check fails on each classic optimizer mix-up and passes without it."""

import pytest

from suites.selftest import runner
from suites.selftest.runner import by_test

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

# (plant "module:function" under suites.selftest, framework, optimizer form that must catch it)
PLANTS = [
    ("plants_optim:torch_adam_eps_bias_corrected", "torch", "adam_eps"),
    ("plants:torch_unit_gain_momentum", "torch", "sgd_momentum"),
    ("plants:torch_rmsprop_eps_outside_sqrt", "torch", "rmsprop_eps"),
    ("plants_optim:keras_nesterov_dropped", "keras-jax", "sgd_nesterov"),
    ("plants_optim:mxnet_adadelta_without_lr", "mxnet", "adadelta_lr"),
]


def _outcome(tmp_path, framework, form, plant=None):
    test = f"test_optimizer_matches_golden_update[{form}-{framework}]"
    env = {"DLPARITY_WORKER_HOOK": f"suites.selftest.{plant}"} if plant else {}
    proc, recs = runner.run(tmp_path, [f"suites/parity/test_optimizers.py::{test}"], env=env)
    rec = by_test(recs).get(test)
    assert rec is not None, proc.stdout[-2000:] + proc.stderr[-2000:]
    if rec["outcome"] == "skipped":
        pytest.skip(rec["reason"])
    return rec


@pytest.mark.parametrize("plant, framework, form", PLANTS, ids=[p[0].split(":")[1] for p in PLANTS])
def test_optimizer_check_catches(tmp_path, plant, framework, form):
    planted = _outcome(tmp_path / "planted", framework, form, plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by the {form} probe"
    nodes = [f"suites/parity/test_optimizers.py::test_optimizer_matches_golden_update[{o}-{f}]" for _, f, o in PLANTS]
    clean = runner.clean_record(tmp_path / "clean", nodes, nodes[PLANTS.index((plant, framework, form))])
    assert clean["outcome"] == "passed", clean["reason"]
