"""A worker reuses a released rep for the next identical build only where ``reset`` returns it to
exactly the state it was built in: the symbolic adapters (every piece of state a shared variable)."""

import numpy as np
import pytest

from fixtures import weights
from fixtures.checks import probe_batch
from fixtures.tasks import TASKS

pytestmark = pytest.mark.selftest


def _state(rep) -> list:
    """Every shared variable of the rep's compiled functions, as values (a generator: its state)."""
    out = []
    for fn in (rep._train, rep._infer):
        for var in fn.get_shared():
            value = var.get_value()
            out.append(value.bit_generator.state if hasattr(value, "bit_generator") else np.asarray(value))
    return out


def _run(rep, task):
    """Canonical weights, then three training steps with dropout on: losses and weights."""
    rep.load_weights(weights.initial(task, 0))
    losses = [float(rep.train_step(*probe_batch(task, 16, s))) for s in range(3)]
    return losses, rep.export_weights()


@pytest.mark.parametrize("plant", [None, "skip_optimizer_slots", "skip_dropout_generator"])
def test_a_reset_rep_is_its_fresh_build(plant):
    pytest.importorskip("pytensor")
    from fixtures.frameworks.pytensor_adapter import ADAPTER

    task = TASKS["mnist_mlp"]  # dropout (a generator) and RMSprop (a slot per parameter)
    fresh, used = ADAPTER().prepare(task, "cpu", 0), ADAPTER().prepare(task, "cpu", 0)
    _run(used, task)
    if plant == "skip_optimizer_slots":
        used._initial = [(v, x) for v, x in used._initial if not v.name or not v.name.endswith(".slot")]
    if plant == "skip_dropout_generator":
        used._initial = [(v, x) for v, x in used._initial if v.name != "dropout_rng"]
    used.reset()
    built, now = _state(fresh), _state(used)
    same_state = len(built) == len(now) and all(
        np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b for a, b in zip(built, now, strict=True)
    )
    if plant is None:
        assert same_state, "reset left some shared variable as training made it"
        losses_fresh, w_fresh = _run(fresh, task)
        losses_used, w_used = _run(used, task)
        assert losses_used == losses_fresh and all(np.array_equal(w_used[k], w_fresh[k]) for k in w_fresh)
    else:
        assert not same_state, f"{plant}: the state check did not notice"


class _Resettable:
    resettable = True

    def reset(self):
        pass


def _holds_its_memory_bound(worker, monkeypatch) -> None:
    """Under SOFT_MB a worker keeps the KEEP newest reps and KEEP spares; above it, no spare and only the
    MIN newest, never one built with ``keep``."""
    rss = {"mb": 0.0}
    monkeypatch.setattr(worker, "_rss_mb", lambda: rss["mb"])
    reps = worker._Reps()
    reps.add("probe", (_Resettable(), None), keep=True, build="probe")
    for i in range(6):
        reps.add(f"r{i}", (_Resettable(), None), keep=False, build=f"b{i}")
    assert list(reps) == ["probe", "r2", "r3", "r4", "r5"] and list(reps.spares) == ["b0", "b1"]
    rss["mb"] = worker._Reps.SOFT_MB + 1
    reps.add("r6", (_Resettable(), None), keep=False, build="b6")
    assert list(reps) == ["probe", "r4", "r5", "r6"] and not reps.spares, (list(reps), list(reps.spares))
    with pytest.raises(KeyError, match="above"):
        reps["r3"]


@pytest.mark.parametrize("plant", [None, "no_memory_bound"])
def test_a_worker_above_its_memory_bound_keeps_only_what_a_test_uses(monkeypatch, plant):
    """A Keras-on-JAX worker grew to 5.5 GB in the quick parity run, with ResNet-sized reps and spares kept."""
    from fixtures import worker

    if plant is None:
        _holds_its_memory_bound(worker, monkeypatch)
        return
    monkeypatch.setattr(worker._Reps, "MIN", worker._Reps.KEEP)
    with pytest.raises(AssertionError):
        _holds_its_memory_bound(worker, monkeypatch)
