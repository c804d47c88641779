"""The defaults/initialiser/gradient-state/layout parity checks fail on a planted defect and pass without it."""

import pytest

from suites.selftest import runner

pytestmark = pytest.mark.selftest

DEFAULTS = "suites/parity/test_defaults.py"
MODEL = "suites/parity/test_model.py"

# (plant, framework, task, module, the parity test that must catch it)
PLANTS = [
    ("torch_glorot_fans_without_receptive_field", "torch", "cifar10_cnn", DEFAULTS, "test_spec_initializers"),
    ("torch_orthogonal_gain_1_1", "torch", "mnist_hrnn", DEFAULTS, "test_spec_initializers"),
    ("torch_embedding_default_normal", "torch", "babi_rnn", DEFAULTS, "test_spec_initializers"),
    ("torch_maxpool_stride_1", "torch", "cifar10_cnn", DEFAULTS, "test_model_layers_match_spec"),
    ("keras_pool_padding_same", "keras-torch", "cifar10_cnn", DEFAULTS, "test_model_layers_match_spec"),
    # a release changing a default the suite never relies on (it gives every argument): reviewed defaults
    ("torch_maxpool_default_stride_1", "torch", "mnist_mlp", DEFAULTS, "test_layer_defaults"),
    ("torch_inference_without_no_grad", "torch", "mnist_mlp", DEFAULTS, "test_no_gradient_state_at_eval"),
    ("jax_inference_through_grad", "jax", "mnist_mlp", DEFAULTS, "test_no_gradient_state_at_eval"),
    ("torch_channels_last_input_reshaped", "torch", "cifar10_cnn", DEFAULTS, "test_layouts_agree"),
    # DLF's np.swapaxes(x, 1, 3) (N, W, H, C) bug: caught by forward parity, not by the layout check
    ("images_fed_as_nwhc", "torch", "cifar10_cnn", MODEL, "test_forward_matches_reference"),
    # BatchNorm's inference form (resnet50_spec): batch statistics at inference, another eps
    ("torch_batch_norm_left_in_training_mode", "torch", "resnet50_spec", MODEL, "test_forward_matches_reference"),
    ("torch_batch_norm_keras_eps", "torch", "resnet50_spec", MODEL, "test_forward_matches_reference"),
]


@pytest.mark.slow
@pytest.mark.parametrize("plant, entry, task_name, module, test", PLANTS, ids=[p[0] for p in PLANTS])
def test_check_catches_planted_defect(tmp_path, plant, entry, task_name, module, test):
    planted = runner.planted_record(tmp_path / "planted", f"{module}::{test}[{task_name}-{entry}]", plant)
    assert planted["outcome"] == "failed", f"{plant} went unnoticed by {test}"
    nodes = [f"{m}::{t}[{k}-{f}]" for _, f, k, m, t in PLANTS]
    clean = runner.clean_record(tmp_path / "clean", nodes, f"{module}::{test}[{task_name}-{entry}]")
    assert clean["outcome"] == "passed", clean["reason"]


def _rec(framework, check, figures, outcome="passed", reason="", task="cifar10_cnn"):
    return {
        "kind": "parity",
        "check": check,
        "framework": framework,
        "task": task,
        "outcome": outcome,
        "reason": reason,
        "figures": figures,
    }


def test_defaults_report_section():
    """reports/defaults.py names the defaults from the records (and gives a skip's reason) in its four tables."""
    from reports import defaults
    from reports.view import View

    uniform = {"name": "kaiming_uniform(a=sqrt(5))", "not_rejected": ["kaiming_uniform(a=sqrt(5))"], "p": 0.5}
    bias = {"name": "U(±1/sqrt(fan_in))", "not_rejected": ["U(±1/sqrt(fan_in))"], "p": 0.4}
    layer = {"type": "conv2d", "built": "torch.nn.Conv2d(3, 50, (3, 3))", "fan_in": 27, "fan_out": 450}
    records = [
        _rec("torch", "default_initializers", {"default_init": {"conv1": {**layer, "weight": uniform, "bias": bias}}}),
        _rec("torch", "layer_defaults", {"layer_defaults": {"conv_kernel_3": [3, 3], "pool_stride": "1"}}),
        _rec("tensorflow", "layer_defaults", {}, "skipped", "native TF has no layer objects"),
        _rec("torch", "no_gradient_state_at_eval", {"eval_grad_state": {"grad_state": False, "how": "grad_fn"}}),
        _rec("torch", "layouts_agree", {"layouts": ["NCHW", "NHWC"], "NHWC_vs_NCHW": {"max_abs_err": 1e-7}}),
    ]
    html = defaults.render(View.of(records))
    for text in ("kaiming_uniform(a=sqrt(5))", "U(±1/sqrt(fan_in))", "3×3", "native TF has no layer objects"):
        assert text in html.replace("&#x27;", "'"), text
    assert "NCHW and NHWC agree" in html
    assert "No records" in defaults.render(View.of([]))
