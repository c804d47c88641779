"""The gradient check's bound follows the size of the per-sample terms the batch gradient sums
(``pitfalls.summand_norms``): never below the gradient's own norm, equal to it for one sample, and
far above it where the samples' gradients cancel."""

import numpy as np
import pytest

from fixtures import pitfalls, reference, weights
from fixtures.tasks import TASKS

pytestmark = pytest.mark.selftest


@pytest.mark.parametrize("name", ["mnist_mlp", "imdb_gru"])
def test_summand_norms_bound_the_gradient_norm(name):
    task = pitfalls.tiny_sgd(TASKS[name])
    w = weights.initial(task, 3, bias_init="uniform_small")
    x, y, _ = pitfalls.probe_with_margin(task, w, 4, 8)
    _, grads = reference.loss_and_grads(task, w, x, y)
    summands = pitfalls.summand_norms(task, w, x, y)
    assert set(summands) == set(grads)
    for key, g in grads.items():
        assert summands[key] >= np.linalg.norm(g) * (1 - 1e-12), key
    _, one = reference.loss_and_grads(task, w, x[:1], y[:1])
    for key, s in pitfalls.summand_norms(task, w, x[:1], y[:1]).items():
        assert s == pytest.approx(np.linalg.norm(one[key]), rel=1e-12), key


def test_cancelling_samples_keep_their_terms_size():
    """The same input under both labels: the last bias's gradients cancel (p - 1 and p - 0 average
    to p - 1/2) while each term keeps its size."""
    task = pitfalls.tiny_sgd(TASKS["mnist_mlp"])
    w = weights.initial(task, 3, bias_init="uniform_small")
    x, _, _ = pitfalls.probe_with_margin(task, w, 1, 8)
    x2, y2 = np.concatenate([x, x]), np.array([0, 1])
    _, grads = reference.loss_and_grads(task, w, x2, y2)
    last = [k for k in grads if k.endswith(".bias")][-1]
    assert pitfalls.summand_norms(task, w, x2, y2)[last] > 2 * np.linalg.norm(grads[last])
