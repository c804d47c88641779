"""The golden model's BatchNorm, Residual and global pooling, and the spec-built ResNet-50: the same
variant, parameter count and multiply-adds as the zoo's torchvision ResNet-50 figures, BatchNorm
statistics fitted so that its features stay O(1), and no training form."""

import numpy as np
import pytest

from fixtures import checks, reference, weights
from fixtures.tasks import get
from fixtures.tasks import resnet50_features as zoo
from fixtures.tasks.spec import (
    SGD,
    BatchNorm,
    Conv2D,
    Dense,
    Flatten,
    GlobalAvgPool2D,
    Profile,
    ReLU,
    Residual,
    Task,
    Tolerance,
)

pytestmark = pytest.mark.selftest


def _task(layers, shape=(3, 6, 6)) -> Task:
    return Task(
        name="golden_resnet_block",
        dataset="synthetic",
        input_shape=shape,
        num_classes=4,
        layers=layers,
        optimizer=SGD(lr=0.0),
        batch_size=2,
        profiles={"smoke": Profile(train_samples=0, test_samples=2, epochs=0)},
        forward_tol=Tolerance(0, 0, "n/a"),
        step_tol=Tolerance(0, 0, "n/a"),
    )


def test_batch_norm_is_the_inference_formula():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5, 5))
    gamma, beta, mean, var = rng.random(3) + 0.5, rng.standard_normal(3), rng.standard_normal(3), rng.random(3) + 0.5
    got = reference.batch_norm(x, gamma, beta, mean, var, 1e-3)
    for c in range(3):
        want = gamma[c] * (x[:, c] - mean[c]) / np.sqrt(var[c] + 1e-3) + beta[c]
        np.testing.assert_allclose(got[:, c], want, rtol=1e-12)


def test_residual_is_the_paths_summed_then_activated():
    body = (Conv2D("a", 3, (3, 3), padding=(1, 1), bias=False), BatchNorm("a_bn"), ReLU())
    short = (Conv2D("s", 3, (1, 1), bias=False), BatchNorm("s_bn"))
    task = _task((Residual(body, short), GlobalAvgPool2D()))
    assert task.output_shape == (3,)
    assert set(task.param_shapes()) == {
        "a.weight", "s.weight", *(f"{n}.{k}" for n in ("a_bn", "s_bn") for k in ("gamma", "beta", "mean", "var"))
    }  # fmt: skip
    w = weights.initial(task, 0, bias_init="uniform_small")
    x = np.random.default_rng(1).random((2, 3, 6, 6))
    bn = {n: [w[f"{n}.{k}"] for k in ("gamma", "beta", "mean", "var")] for n in ("a_bn", "s_bn")}
    a = np.maximum(reference.batch_norm(reference.conv2d(x, w["a.weight"], padding=(1, 1)), *bn["a_bn"], 1e-5), 0)
    s = reference.batch_norm(reference.conv2d(x, w["s.weight"]), *bn["s_bn"], 1e-5)
    np.testing.assert_allclose(reference.forward(task, w, x), np.maximum(a + s, 0).mean(axis=(2, 3)), rtol=1e-12)
    identity = _task((Residual(body, ()),))  # an empty shortcut is the identity
    np.testing.assert_allclose(reference.forward(identity, w, x), np.maximum(a + x, 0), rtol=1e-12)


def test_mismatched_paths_and_training_are_refused():
    with pytest.raises(ValueError, match="must agree"):
        _ = _task((Residual((Conv2D("a", 4, (1, 1)),), ()),)).output_shape
    task = _task((Conv2D("c", 2, (1, 1)), BatchNorm("bn"), Flatten(), Dense("out", 4)))
    w = weights.initial(task, 0)
    x, y = np.zeros((2, 3, 6, 6)), np.zeros(2, np.int64)
    with pytest.raises(TypeError, match="does not train through BatchNorm"):
        reference.loss_and_grads(task, w, x, y)


def test_spec_resnet50_is_the_torchvision_variant():
    task = get("resnet50_spec")
    figures = zoo.figures("v1.5, no conv bias (torchvision)")
    assert task.param_count(trainable=True) == figures["params"] == 23_508_032
    assert task.flops_per_sample() == 2 * figures["macs"]
    assert task.output_shape == (2048,) and not task.trains
    assert task.param_count() - task.param_count(trainable=True) == 53_120  # running mean and var of 53 BatchNorms


def test_fitted_statistics_keep_features_order_one():
    task = get("resnet50_spec")
    w = checks.probe_weights(task, 0)
    fresh = weights.initial(task, 0)
    assert np.all(fresh["stem_bn.mean"] == 0) and np.all(fresh["stem_bn.var"] == 1)
    assert not np.allclose(w["stem_bn.mean"], 0) and not np.allclose(w["res5c_expand_bn.var"], 1)
    x, _ = checks.probe_batch(task, 2, 1)
    out = checks.golden_forward(task, w, x)
    assert 0.1 < np.abs(out).mean() < 10, f"features mean |x| {np.abs(out).mean():.3g}"
