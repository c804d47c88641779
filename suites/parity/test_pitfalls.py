"""The seeds' pitfalls as checks: dropout train flag, softmax/loss pairing, gradients, label dtypes.

Each test derives a probe from the task under test (its dropout rates, its layer sequence
shrunk for gradient checks) and sends it to the framework's worker by value; an adapter that
cannot build a probe says so through ``supports`` (a skip with its reason) or fails.
"""

import pytest

from fixtures import pitfalls
from fixtures.tasks.spec import Dropout
from fixtures.worker import prepare, task_args

pytestmark = pytest.mark.parity


_BUILT: dict = {}  # (worker, probe, ...) -> RemoteRep: tests of one probe share one build (compiles are slow)


def build(worker, probe, device, seed, training, dropout=True):
    """``probe`` prepared in ``worker`` (once per session: every check starts with load_weights,
    which resets the optimizer state); a skip with the adapter's reason when it declines it."""
    ok = worker.call("supports", {**task_args(probe), "device": device, "training": training})[0]
    if not ok["ok"]:
        pytest.skip(f"{worker.name} does not run the probe {probe.name}: {ok['reason']}")
    key = (id(worker), probe.name, device, seed, dropout)  # probe names encode their configuration
    if key not in _BUILT:
        rep_id = f"{probe.name}:{seed}:{'d' if dropout else 'nd'}"
        _BUILT[key] = prepare(worker, probe, device, seed, dropout, rep_id=rep_id, keep=True)
    return _BUILT[key]


def _tiny(task):
    try:
        return pitfalls.tiny_sgd(task)
    except ValueError as exc:
        pytest.skip(str(exc))


def _rates(task):
    rates = sorted({la.rate for la in task.layers if isinstance(la, Dropout) and la.rate > 0})
    if not rates:
        pytest.skip(f"{task.name} has no dropout")
    return rates


@pytest.mark.training
def test_dropout_train_mask_rate_and_scale(task, worker, device, seed, record):
    """Each dropout rate of the task: per-element masks dropping ~rate, survivors x 1/(1-rate)."""
    figures = {}
    for rate in _rates(task):
        probe = pitfalls.dropout_probe(rate)
        figures[f"rate_{rate:g}"] = pitfalls.check_dropout_train(probe, build(worker, probe, device, seed, True))
    record["figures"] = figures


def test_dropout_off_in_eval(task, worker, device, seed, record):
    """The predict path is eval mode: dropout at the task's rates is the identity."""
    figures = {}
    for rate in _rates(task):
        probe = pitfalls.dropout_probe(rate)
        figures[f"rate_{rate:g}"] = pitfalls.check_dropout_eval(probe, build(worker, probe, device, seed, False), seed)
    record["figures"] = figures


@pytest.mark.training
def test_softmax_applied_once(task, worker, device, seed, record):
    probe = _tiny(task)
    record["figures"] = pitfalls.check_softmax_loss(probe, build(worker, probe, device, seed, True, False), seed)


@pytest.mark.training
def test_gradients(task, worker, device, seed, record):
    probe = _tiny(task)
    record["figures"] = pitfalls.check_gradients(probe, build(worker, probe, device, seed, True, False), seed)


@pytest.mark.training
def test_sparse_and_onehot_labels_agree(task, worker, seed, record):
    """The framework's own loss for sparse labels and for one-hot labels: the same golden loss."""
    logits, labels = pitfalls.label_probe(task.num_classes, seed)
    reply = worker.call("label_forms", {}, {"logits": logits, "labels": labels})[0]
    if "unsupported" in reply:
        pytest.skip(reply["unsupported"])
    record["figures"] = pitfalls.check_label_forms(f"{worker.name} {task.name}", reply, logits, labels)


@pytest.mark.training
def test_label_dtypes_and_float32(task, worker, device, seed, record):
    probe = _tiny(task)
    record["figures"] = pitfalls.check_labels_and_dtypes(probe, build(worker, probe, device, seed, True, False), seed)
