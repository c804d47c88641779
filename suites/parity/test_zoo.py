"""A model-zoo task's model is the variant its structure says, with that variant's parameter count,
and gives features of the stated shape: zoo models are not one model, and the report says which."""

import numpy as np
import pytest

from fixtures import checks
from fixtures import tasks as registry

pytestmark = [pytest.mark.parity, pytest.mark.zoo_ok, pytest.mark.tasks_with("zoo")]


def test_zoo_model_is_a_stated_variant(task, make_rep, seed, record):
    rep = make_rep()
    expected = registry.zoo_figures(task, rep.describe)
    record["figures"] = {**expected, "trainable_params": rep.describe["trainable_params"]}
    assert rep.describe["trainable_params"] == expected["params"], (
        f"{expected['variant']}: {rep.describe['trainable_params']} trainable parameters, "
        f"the spec computes {expected['params']}"
    )
    x, _ = checks.probe_batch(task, 2, seed)
    out = np.asarray(rep.predict(x))
    width = task.num_classes if task.trains else task.extra["features"]  # logits, or features
    assert out.shape == (2, width), f"output {out.shape}, not (2, {width})"
    assert out.dtype == np.float32 and np.all(np.isfinite(out)), f"output is {out.dtype}, or not finite"
    np.testing.assert_array_equal(rep.predict(x), out, err_msg="predict is not deterministic: eval mode is not on")


@pytest.mark.training
def test_zoo_model_trains(task, make_rep, seed, record):
    """The framework's own training step on its zoo model learns: repeated steps on one batch lower the loss
    (gradients reach the weights and the optimizer applies them), and predict stays in eval mode afterwards."""
    rep = make_rep()
    x, y = checks.probe_batch(task, task.batch_size, seed)
    losses = [float(np.asarray(rep.value(rep.train_step(x, y)))) for _ in range(6)]
    record["figures"] = {"losses": losses}
    assert all(np.isfinite(losses)), f"loss diverged: {losses}"
    assert losses[-1] < losses[0], f"6 steps on one batch did not lower the loss: {losses}"
    out = np.asarray(rep.predict(x))
    np.testing.assert_array_equal(rep.predict(x), out, err_msg="predict after training is not deterministic")
