"""The A/B gate is red when a side is broken: a new version that cannot even start must never pass."""

import pytest

from suites.selftest import runner
from suites.selftest.runner import FAKE

pytestmark = pytest.mark.selftest

ENTRIES = {
    "old": FAKE,
    "unimportable": {"module": "no_such_framework_module"},
    "declines": {**FAKE, "env": {"FAKEFW_UNSUPPORTED": "mnist_mlp"}},
}


@pytest.mark.parametrize(
    "a, b, code, said",
    [
        ("old", "unimportable", 1, "compare: unimportable: not importable by"),
        ("unimportable", "old", 1, "compare: unimportable: not importable by"),
        (
            "old",
            "declines",
            1,
            "compare: declines does not run mnist_mlp on cpu: declined (FAKEFW_UNSUPPORTED), which old runs",
        ),
        ("declines", "old", 0, "compare: nothing to compare with: declines does not run mnist_mlp"),
    ],
)
def test_broken_side_fails_the_gate(tmp_path, a, b, code, said):
    args = ["suites/perf/test_compare.py", "--task", "mnist_mlp", "--compare", a, b, "--gate", "10%", "-rA"]
    proc, recs = runner.run(tmp_path, args, entries=ENTRIES)
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, out[-3000:]
    assert said in out and "Traceback" not in out, out[-3000:]
    assert [r["outcome"] for r in recs] == ["failed" if code else "skipped"]


@pytest.mark.slow
def test_changed_layer_default_fails_the_gate(tmp_path):
    """B a release whose MaxPool2d default stride became 1: every parity check passes (the suite gives
    every argument), the gate fails on the changed default with both values."""
    pytest.importorskip("torch")
    torch = {"module": "fixtures.frameworks.torch_adapter"}
    hook = {"DLPARITY_WORKER_HOOK": "suites.selftest.plants:torch_maxpool_default_stride_1"}
    entries = {"old": torch, "new": {**torch, "env": hook}}
    args = ["suites/perf/test_compare.py", "--task", "mnist_mlp", "--compare", "old", "new", "--gate", "10%"]
    proc, recs = runner.run(tmp_path, [*args, "--compare-rounds", "3"], entries=entries)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    said = 'gate: new changed layer defaults: pool_stride: old "= pool size (2)", new "1"'
    assert said in out, out[-3000:]
    assert recs[0]["figures"]["parity_b"] == "passed"
