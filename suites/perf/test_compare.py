"""A/B: entry B against entry A (two environments of one framework), alternating rounds, gated.

Runs only with ``--compare A B``; ``--gate 10%`` turns a confident slowdown past 10 %, or a parity
failure of B where A passes, or a layer default (what a layer does with an argument left out) that B
changed, into a failed test. Without ``--gate`` the verdict uses 5 %. A side that
cannot start (not importable), or B no longer running a task that A runs, fails the test: a broken
upgrade must never pass a gate as a skip. Only a task that A does not run either is skipped.
"""

import pytest

from fixtures import checks, compare, known_defaults
from fixtures.harness.pool import NotReady, worker_for
from fixtures.harness.state import STATE
from fixtures.worker import prepare, task_args

pytestmark = pytest.mark.perf


def _parity(task, w, device, seed) -> str:
    try:
        checks.check_forward(task, prepare(w, task, device, seed), seed)
        checks.check_train_step(task, prepare(w, task, device, seed, dropout=False), seed)
    except AssertionError as exc:
        return f"failed: {str(exc).splitlines()[0]}"
    return "passed"


def _sides(pool, a, b, task, device):
    """Both sides' workers; a side that cannot start, or B failing where A runs, fails the test."""
    sides, why = {}, {}
    for name, copy in ((a, ""), (b, "b" if a == b else "")):  # A/A: two processes
        try:
            sides[name + copy] = worker_for(pool, name, task, device, training=True, copy=copy)
        except NotReady as exc:
            if not exc.importable:
                pytest.fail(f"compare: {exc}", pytrace=False)
            why[name + copy] = str(exc)
    if why.get(a):
        pytest.skip(f"compare: nothing to compare with: {why[a]}")
    if why:
        pytest.fail(f"compare: {next(iter(why.values()))}, which {a} runs", pytrace=False)
    return sides.values()


def _defaults(w, task, device, seed) -> dict:
    reply, _ = w.call("layer_defaults", {**task_args(task), "device": device, "seed": seed})
    return reply.get("defaults") or {}  # {} where the framework has no layer objects


@pytest.mark.training
@pytest.mark.record_kind("compare")
def test_ab(request, task, ab, pool, device, seed, profile, datasets_cache, record):
    a, b = ab
    gate = request.config.stash[STATE]["gate"]
    wa, wb = _sides(pool, a, b, task, device)
    parity_a, parity_b = _parity(task, wa, device, seed), _parity(task, wb, device, seed)
    changed = known_defaults.differences(_defaults(wa, task, device, seed), _defaults(wb, task, device, seed), (a, b))
    path, data = datasets_cache(task, profile)
    rep_a, rep_b = (compare.loaded_rep(w, task, device, seed, path) for w in (wa, wb))
    rounds = request.config.getoption("compare_rounds")
    verdict, figures = compare.run(rep_a, rep_b, task.batch_size, rounds, gate or 0.05, seed)
    figures.update(a=a, b=b, parity_a=parity_a, parity_b=parity_b, defaults_changed=changed, gated=gate is not None)
    record.update(data=data, figures=figures)
    message = verdict.describe(a, b, task.name)
    print(message)
    if gate is not None:
        assert not (parity_a == "passed" and parity_b != "passed"), f"gate: {b} fails parity that {a} passes"
        assert not changed, f"gate: {b} changed layer defaults: " + "; ".join(changed)
        assert verdict.verdict != "slower", f"gate: {message}"
