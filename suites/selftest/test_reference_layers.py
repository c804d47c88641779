"""The golden model's convolution and pooling backward agree with central differences of its own
forward, for dilation, pool padding, ceil mode and both average-pool divisors."""

import numpy as np
import pytest

from fixtures import reference, weights
from fixtures.tasks.spec import SGD, AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, Profile, Task, Tolerance

pytestmark = pytest.mark.selftest


def _task(count_include_pad: bool) -> Task:
    return Task(
        name="golden_pooling",
        dataset="synthetic",
        input_shape=(2, 9, 8),
        num_classes=3,
        layers=(
            Conv2D("conv", 3, kernel=(3, 2), stride=(1, 2), padding=(2, 1), dilation=(2, 1), activation="relu"),
            AvgPool2D(pool=(3, 2), stride=(2, 2), padding=(1, 1), ceil_mode=True, count_include_pad=count_include_pad),
            MaxPool2D(pool=(2, 2), stride=(2, 1), padding=(1, 0), ceil_mode=True),
            Flatten(),
            Dense("out", 3),
        ),
        optimizer=SGD(lr=0.1),
        batch_size=4,
        profiles={"smoke": Profile(train_samples=4, test_samples=4, epochs=1)},
        forward_tol=Tolerance(0, 0, "n/a"),
        step_tol=Tolerance(0, 0, "n/a"),
    )


@pytest.mark.parametrize("count_include_pad", [True, False])
def test_backward_matches_central_differences(count_include_pad):
    task = _task(count_include_pad)
    rng = np.random.default_rng(3)
    w = {k: v.astype(np.float64) for k, v in weights.initial(task, 0, bias_init="uniform_small").items()}
    x = rng.random((4, *task.input_shape))
    y = rng.integers(0, 3, 4)
    _, grads = reference.loss_and_grads(task, w, x, y)
    for _ in range(3):
        d = {k: rng.standard_normal(v.shape) for k, v in w.items()}
        eps = 1e-6
        plus = reference.loss_and_grads(task, {k: w[k] + eps * d[k] for k in w}, x, y)[0]
        minus = reference.loss_and_grads(task, {k: w[k] - eps * d[k] for k in w}, x, y)[0]
        numeric = (plus - minus) / (2 * eps)
        analytic = sum(float((grads[k] * d[k]).sum()) for k in w)
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic)), (numeric, analytic)


def test_output_shapes_follow_the_ceil_rule():
    task = _task(True)
    shapes = [out for _, _, out in task.layer_shapes()]
    # conv: (9 + 4 - 5)//1 + 1 = 9 rows, (8 + 2 - 2)//2 + 1 = 5 cols. avg, ceil: rows ceil(8/2) + 1 = 5;
    # cols ceil(5/2) + 1 = 4, but the 4th window would start at 6 >= 5 + 1 (in the padding): 3.
    # max, ceil: rows ceil(5/2) + 1 = 4, 4th starts at 6 >= 5 + 1: 3; cols (3 - 2)//1 + 1 = 2
    assert shapes[:3] == [(3, 9, 5), (3, 5, 3), (3, 3, 2)]
    x = np.random.default_rng(0).random((1, *task.input_shape))
    w = weights.initial(task, 0)
    assert reference.forward(task, w, x).shape == (1, 3)
