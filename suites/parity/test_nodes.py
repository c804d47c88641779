"""Data-parallel training across nodes, through each framework's own launcher, equals one device.

An entry with a multi-node engine (``Entry.nodes``) runs every collected task once on
``multinode.PARITY`` (2 nodes x 2 local replicas) on 127.0.0.1 (fixtures/multinode.py); the
tests then read that run:

- after two steps from the same canonical weights and global batches (dropout off), every replica
  of every node holds the weights two steps of the framework's single-device rep give, within the
  task's step tolerance (gradients summed instead of averaged across nodes, or every node reading
  the same data shard, fail it);
- every replica starts from the same weights when each process initialises with its own seed
  (an initialisation on rank 0 without a broadcast fails it);
- with dropout on and the same rows on every replica, no two replicas have the same loss: each
  draws its own masks (every rank seeded alike fails it);
- in an epoch whose last global batch is uneven, every replica takes the same number of steps and
  every sample is read (the last batch dropped on one rank only fails it);
- no process of the run and no listening port is left behind.

suites/selftest/test_node_plants.py plants each of those defects.
"""

import numpy as np
import pytest

from fixtures import checks, multinode
from fixtures.harness.case import case_of
from fixtures.tasks.spec import to_json
from fixtures.worker import prepare

pytestmark = [pytest.mark.parity, pytest.mark.training]

LAUNCH_TIMEOUT_S = 900.0  # every collected task (JAX compiles 3 functions each) on a loaded 2-core box


@pytest.fixture(scope="session")
def node_runs(tmp_path_factory):
    """Finished runs (or the error that ended them) by entry: one launch serves all of its tests."""
    return {}


@pytest.fixture
def node_run(request, node_runs, pool, framework, task, device, seed, tmp_path_factory):
    entry = pool.entries[framework]
    if not entry.nodes:
        pytest.skip(f"{framework}: no multi-node engine (fixtures/manifest.py Framework.nodes)")
    if device == "gpu":
        pytest.skip("multi-node runs are CPU processes on 127.0.0.1 (gloo, jax's CPU collectives)")
    if framework not in node_runs:
        cases = [case_of(item) for item in request.session.items if item.module is request.module]
        tasks = {c.task.name: c.task for c in cases if c.framework == framework}
        job = {"seed": seed, "tasks": [to_json(t) for t in tasks.values()]}
        folder = tmp_path_factory.mktemp(f"nodes-{framework}")
        try:
            node_runs[framework] = multinode.launch(
                entry, entry.nodes, job, multinode.PARITY, folder, LAUNCH_TIMEOUT_S, pool.cache_env(framework)
            )
        except multinode.NodesFailed as exc:
            node_runs[framework] = exc
    run = node_runs[framework]
    if isinstance(run, Exception):
        pytest.fail(f"{framework} on {multinode.PARITY} nodes: {run}", pytrace=False)
    assert not run.left_behind, f"{framework}: the run left {run.left_behind}"
    result = run.info[min(run.info)]["tasks"][task.name]
    if "unsupported" in result:
        pytest.skip(f"{framework} does not train {task.name} on {multinode.PARITY} nodes: {result['unsupported']}")
    return run


def test_nodes_match_one_device(node_run, worker, task, device, seed, record):
    one = prepare(worker, task, device, seed, dropout=False, rep_id=f"{task.name}:one-device")
    record["figures"] = {
        "engine": node_run.info[0]["describe"]["engine"],
        "topology": str(node_run.topology),
        "launch_s": round(node_run.seconds, 1),
    }
    replayed = multinode.Replayed(node_run, task.name)
    record["figures"].update(checks.check_data_parallel(task, one, replayed, node_run.topology.world, seed))


def test_nodes_broadcast_initial_weights(node_run, task, record):
    initial = node_run.weights(task.name, "initial")
    first = initial[min(initial)]
    for replica, other in initial.items():
        for key, value in first.items():
            assert np.array_equal(value, other[key]), (
                f"{task.name}: replica {replica} starts from another {key} than replica 0 "
                f"(max difference {np.abs(value - other[key]).max():.3g}): rank 0's weights were not broadcast"
            )
    record["figures"] = {"replicas": len(initial), "tensors": len(first)}


@pytest.mark.tasks_with("has_dropout")
def test_nodes_draw_their_own_dropout_masks(node_run, task, record):
    losses = node_run.replicas(task.name, "same_rows_losses")
    same = [(a, b) for a in losses for b in losses if a < b and losses[a] == losses[b]]
    assert not same, (
        f"{task.name}: replicas {same} trained on the same rows with dropout on and got the same loss: "
        f"they drew the same dropout masks ({losses})"
    )
    record["figures"] = {"losses": list(losses.values())}


def test_nodes_read_an_uneven_epoch_alike(node_run, task, record):
    plans = node_run.replicas(task.name, "epoch")
    samples = node_run.replicas(task.name, "epoch_samples")[0]
    steps = {replica: len(plan) for replica, plan in plans.items()}
    assert len(set(steps.values())) == 1, (
        f"{task.name}: an epoch of {samples} samples takes {steps} steps per replica: a replica that stops "
        "early leaves the others waiting in a collective, or skips an update they make"
    )
    read = {i for plan in plans.values() for batch in plan for i in batch}
    missing = sorted(set(range(samples)) - read)
    assert not missing, f"{task.name}: samples {missing[:10]} of the epoch's {samples} were read by no replica"
    record["figures"] = {"samples": samples, "steps": steps[0], "replicas": len(plans)}
