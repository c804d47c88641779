"""A model-zoo task's model is the variant its structure says, with that variant's parameter count,
and gives features of the stated shape: zoo models are not one model, and the report says which."""

import numpy as np
import pytest

from fixtures import checks
from fixtures import tasks as registry

pytestmark = [pytest.mark.parity, pytest.mark.zoo_ok, pytest.mark.tasks_with("zoo")]


def variant_of(task, facts: dict) -> str:
    """The spec variant whose stride placement and biased convs are those measured, or fail naming them."""
    module = registry.ZOO[task.zoo]
    found = [
        name
        for name, (strided, biased) in module.VARIANTS.items()
        if strided == facts["strided"] and biased == frozenset(facts["biased"])
    ]
    assert found, (
        f"{facts['zoo']}: stride on the {facts['strided']} conv, biases on {facts['biased']}: "
        f"no variant in {module.__name__} has that structure; state it there"
    )
    return found[0]


def test_zoo_model_is_a_stated_variant(task, make_rep, seed, record):
    rep = make_rep()
    variant = variant_of(task, rep.describe)
    expected = registry.ZOO[task.zoo].figures(variant, task.input_shape[1])
    record["figures"] = {"variant": variant, **expected, "trainable_params": rep.describe["trainable_params"]}
    assert rep.describe["trainable_params"] == expected["params"], (
        f"{variant}: {rep.describe['trainable_params']} trainable parameters, the spec computes {expected['params']}"
    )
    x, _ = checks.probe_batch(task, 2, seed)
    out = np.asarray(rep.predict(x))
    assert out.shape == (2, task.extra["features"]), f"features {out.shape}, not (2, {task.extra['features']})"
    assert out.dtype == np.float32 and np.all(np.isfinite(out)), f"features are {out.dtype}, or not finite"
