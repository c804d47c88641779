"""The recurrent-layer parity checks (suites/parity/test_recurrent.py) fail on planted defects and pass
without them: a swapped GRU variant (reset_after flipped) and wrong gate orders (GRU weights copied into
torch without the (z, r) -> (r, z) swap; LSTM kernels read as (i, c, f, o)), real frameworks.

Those tests are parametrized by cell x framework, not by a registered task, so they write no result
records: the outcome is read from the pytest subprocess's summary line."""

import re

import pytest

from suites.selftest import runner

pytestmark = [pytest.mark.selftest, pytest.mark.slow]

FORWARD, STEP, PARAMS = "test_recurrent_forward", "test_recurrent_train_step", "test_recurrent_parameters"

# (plant, framework, cell, the parity test that must catch it, a regex its failure message matches)
PLANTS = [  # cells of the smoke profile (suites/parity/test_recurrent.py SMOKE), the runner's default
    ("jax_gru_variant_swapped", "jax", "gru_after_seq", FORWARD, "outside rtol"),
    ("jax_gru_variant_swapped", "jax", "gru_before", FORWARD, "outside rtol"),
    ("torch_gru_gate_order_not_converted", "torch", "gru_after_seq", FORWARD, "outside rtol"),
    ("tensorflow_lstm_gates_icfo", "tensorflow", "lstm", FORWARD, "outside rtol"),
    ("torch_lstm_second_bias_trainable", "torch", "lstm", STEP, r"rnn-lstm step 1: loss|rnn\.bias change"),
    ("torch_gru_bias_exported_flat", "torch", "gru_after_seq", PARAMS, r"shapes \(got, spec\) differ"),
    # the registered hierarchical RNN (its RowEncoder reads rows): rows read as columns
    ("sequences_fed_transposed", "jax", "mnist_hrnn", "test_forward_matches_reference", "outside rtol"),
]


def _outcome(tmp_path, framework, cell, test, plant=None):
    module = "test_model.py" if test.endswith("_reference") else "test_recurrent.py"  # a registered task's test
    node = f"suites/parity/{module}::{test}[{cell}-{framework}]"
    env = {"DLPARITY_WORKER_HOOK": f"suites.selftest.plants:{plant}"} if plant else {}
    proc, _ = runner.run(tmp_path, [node, "-rs"], env=env)
    out = proc.stdout + proc.stderr
    counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|skipped|error)", out))
    if counts.get("skipped") and not (counts.get("passed") or counts.get("failed")):
        pytest.skip(f"{node} skipped: {out[-500:]}")
    assert sum(counts.values()) == 1, f"{node}: expected one outcome, got {counts}\n{out[-2000:]}"
    return next(iter(counts)), out


@pytest.mark.parametrize("plant, entry, cell, test, message", PLANTS, ids=[f"{p[0]}-{p[2]}" for p in PLANTS])
def test_recurrent_parity_catches_planted_defect(tmp_path, plant, entry, cell, test, message):
    planted, out = _outcome(tmp_path / "planted", entry, cell, test, plant)
    assert planted == "failed", f"{plant} went unnoticed by {test}[{cell}-{entry}]:\n{out[-1500:]}"
    assert re.search(message, out), f"{plant}: failed, but not with {message!r}:\n{out[-1500:]}"
    clean, out = _outcome(tmp_path / "clean", entry, cell, test)
    assert clean == "passed", out[-2000:]
