"""Recurrent layers alone (issue 3, item 7): gate order and the GRU variant, per framework.

Each cell kind/variant is a tiny ad-hoc task, input (T=5, F=3) -> LSTM/GRU(4) -> Dense(3) logits
(or return_sequences=True -> Flatten -> Dense(3)), sent to the worker by value. Under the same
canonical weights (Keras layout and gate order: LSTM (i, f, c, o), GRU (z, r, h); GRU biases (2, 3U)
when ``reset_after``) the framework's logits must match the float64 golden cell
(fixtures/reference.py), and two SGD-momentum steps must move every parameter as the golden
backpropagation through time does. A framework whose layer cannot compute a variant declines it
through ``supports`` with its reason (a skip naming it), never computes another cell silently: a
swapped GRU variant or a wrong gate order moves the logits by O(0.1) (see
suites/selftest/test_recurrent_plants.py, which plants both).

These tests are parametrized by cell x framework (not by the registered tasks): ids like
``test_recurrent_forward[gru_after-torch]``.
"""

import dataclasses

import pytest

from fixtures import checks
from fixtures.harness.pool import ready_worker
from fixtures.tasks.spec import GRU, LSTM, SGD, Dense, Flatten, Profile, Task, Tolerance
from fixtures.worker import prepare

pytestmark = [pytest.mark.parity, pytest.mark.probe_task]  # the task: a cell probe; the harness adds frameworks

FORWARD_TOL = Tolerance(
    rtol=1e-4,
    atol=1e-5,
    reason="float32 cells of 5 steps, each a sum of F+U = 7 products per gate, against float64: "
    "measured max abs error <= 1.2e-7 on every adapter (CPU); a wrong gate order or GRU variant "
    "moves logits by O(0.1) (the plants in suites/selftest/test_recurrent_plants.py)",
)
STEP_TOL = Tolerance(
    rtol=1e-4,
    atol=0.0,
    reason="relative L2 error per tensor of the weight change after two SGD-momentum steps; float32 "
    "backpropagation through 5 steps measures 1.4e-7..5.2e-6 against float64 (every adapter, CPU, "
    "seed 0). A wrong gate derivative, or a bias held twice (torch/MXNet/Chainer keep an input and a "
    "recurrent bias: both trainable for a one-bias LSTM moves it twice as fast), is off by O(1)",
)
_PROFILES = {p: Profile(train_samples=64, test_samples=64, epochs=1) for p in ("smoke", "quick", "full")}

# the smoke profile (CI, 2 cores) runs three cells that still cover LSTM and both GRU variants, the last
# step and whole sequences: the symbolic adapters compile each probe for ~20 s
SMOKE = ("lstm", "gru_after_seq", "gru_before")
CELLS = {
    "lstm": LSTM("rnn", 4),
    "lstm_seq": LSTM("rnn", 4, return_sequences=True),
    "gru_after": GRU("rnn", 4, reset_after=True),
    "gru_after_seq": GRU("rnn", 4, reset_after=True, return_sequences=True),
    "gru_before": GRU("rnn", 4, reset_after=False),
    "gru_before_seq": GRU("rnn", 4, reset_after=False, return_sequences=True),
}


def cell_task(cell: str) -> Task:
    """The ad-hoc task of ``cell``: (5, 3) sequences -> cell -> [Flatten] -> Dense(3) logits."""
    layer = CELLS[cell]
    tail = (Flatten(), Dense("out", 3)) if layer.return_sequences else (Dense("out", 3),)
    return Task(
        name=f"rnn-{cell}",
        dataset="none",
        input_shape=(5, 3),
        num_classes=3,
        layers=(layer, *tail),
        optimizer=SGD(lr=0.1, momentum=0.9),
        batch_size=8,
        profiles=_PROFILES,
        forward_tol=FORWARD_TOL,
        step_tol=STEP_TOL,
        description=f"recurrent cell probe: {layer}",
    )


def pytest_generate_tests(metafunc):
    if "cell" in metafunc.fixturenames:
        cells = SMOKE if metafunc.config.getoption("profile") == "smoke" else list(CELLS)
        metafunc.parametrize("cell", cells)


@pytest.fixture
def task(cell) -> Task:
    """The cell's probe task (the records name it, e.g. rnn-gru_before)."""
    return cell_task(cell)


_BUILT: dict = {}


def _rep(pool, framework, cell, device, seed, training):
    task = cell_task(cell)
    worker = ready_worker(pool, framework, task, device, training)  # skips with the adapter's reason
    key = (framework, cell, device, seed)
    if key not in _BUILT:
        _BUILT[key] = prepare(worker, task, device, seed, True, rep_id=f"{task.name}:{seed}", keep=True)
    return task, _BUILT[key]


def test_recurrent_parameters(cell, task, framework, pool, device, seed, record):
    _, rep = _rep(pool, framework, cell, device, seed, False)
    record["figures"] = checks.check_parameters(task, rep.export_weights())
    assert record["figures"]["param_count"] == task.param_count()


def test_recurrent_forward(cell, task, framework, pool, device, seed, record):
    _, rep = _rep(pool, framework, cell, device, seed, False)
    record["figures"] = checks.check_forward(task, rep, seed)


@pytest.mark.training
def test_recurrent_train_step(cell, task, framework, pool, device, seed, record):
    _, rep = _rep(pool, framework, cell, device, seed, True)
    record["figures"] = checks.check_train_step(task, rep, seed)


def test_cells_cover_both_variants():
    """The probe set pins both GRU variants and both output modes (a guard against trimming it)."""
    kinds = {(type(la).__name__, getattr(la, "reset_after", None), la.return_sequences) for la in CELLS.values()}
    assert len(kinds) == 6
    assert all(dataclasses.is_dataclass(la) for la in CELLS.values())
