"""Data-parallel training through each framework's own engine equals training on one device.

The ``devices`` axis: for N replicas (``--replicas``; 2 on CPU, 2..the visible GPUs with ``--gpu``),
from the same canonical weights and the same global batches, two optimizer steps on N replicas
(per-replica batch = global / N, the engine averaging the gradients) must change every parameter
as two steps of the framework's own single-device rep do, within the task's step tolerance.
Summing instead of averaging the replicas' gradients (the seeds' multi-GPU accuracy drop) moves
an SGD-momentum update by a factor N and fails; suites/selftest/test_replicas.py plants it.

Both reps live in the same worker: one started with ``DLPARITY_DEVICES=N`` (see fixtures/replicas.py).
"""

import numpy as np
import pytest

from fixtures import checks, replicas, weights
from fixtures.worker import prepare

pytestmark = [pytest.mark.parity, pytest.mark.training]

STEPS = 2  # two, so that momentum (and RMSprop's accumulator) carries the first step into the second
PROBE_ROWS = 32  # global batch: at least this many rows, rounded up to a multiple of N
REP_ID = "data-parallel"  # one replicated rep per worker: preparing the next one releases the last
# The loss of a step is computed before its update, from weights that agree to float32 rounding;
# per-replica means averaged vs one mean over the batch reorder a 32-term sum: ~1e-7 relative.
LOSS_RTOL = 1e-4


def check_data_parallel(task, one, many, n: int, seed: int, steps: int = STEPS) -> dict:
    """``steps`` steps of ``many`` (n replicas) vs ``one`` (one device) from the same weights and
    global batches, dropout off: per-tensor relative L2 error of the weight change, then the losses."""
    task = task.without_dropout()
    w = weights.initial(task, seed, bias_init="uniform_small")
    one.load_weights(w)
    many.load_weights(w)
    rows = n * -(-PROBE_ROWS // n)
    losses = []
    for step in range(steps):
        x, y = checks.probe_batch(task, rows, seed + 10 + step)
        losses.append((float(np.asarray(one.train_step(x, y))), float(np.asarray(many.train_step(x, y)))))
    got, ref = many.export_weights(), one.export_weights()
    tol = task.step_tol
    errors = {
        key: checks.compare_norm(
            f"{task.name} {key} change after {steps} steps on {n} replicas (vs 1 device)",
            np.asarray(got[key], np.float64) - w[key],
            np.asarray(ref[key], np.float64) - w[key],
            tol.rtol,
            tol.atol,
        )
        for key in w
    }
    for step, (loss_one, loss_many) in enumerate(losses):
        assert abs(loss_many - loss_one) <= LOSS_RTOL * max(1.0, abs(loss_one)), (
            f"{task.name} step {step}: loss on {n} replicas {loss_many} != on 1 device {loss_one}"
        )
    return {
        "max_rel_l2_err": max(errors.values()),
        "steps": steps,
        "replicas": n,
        "global_batch": rows,
        "per_replica_batch": rows // n,
        "max_loss_abs_diff": max(abs(a - b) for a, b in losses),
    }


def test_devices_match_one_device(task, framework, replicas_n, pool, device, seed, record):
    w = replicas.worker(pool, framework, task, device, replicas_n)
    one = prepare(w, task, device, seed, dropout=False, rep_id=f"{task.name}:one-device")
    many = prepare(w, task, device, seed, dropout=False, rep_id=REP_ID, replicas=replicas_n)
    # the engine goes into the figures: the record's "describe" stays the single-device adapter's
    record["figures"] = {"engine": many.describe.get("execution", "")}
    record["figures"].update(check_data_parallel(task, one, many, replicas_n, seed))
