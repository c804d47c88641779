"""Data-parallel training through each framework's own engine equals training on one device.

The ``devices`` axis: for N replicas (``--replicas``; 2 on CPU, 2..the visible GPUs with ``--gpu``),
from the same canonical weights and the same global batches, two optimizer steps on N replicas
(per-replica batch = global / N, the engine averaging the gradients) must change every parameter
as two steps of the framework's own single-device rep do, within the task's step tolerance.
Summing instead of averaging the replicas' gradients (the seeds' multi-GPU accuracy drop) moves
an SGD-momentum update by a factor N and fails; suites/selftest/test_replicas.py plants it.

Both reps live in the same worker: one started with ``DLPARITY_DEVICES=N`` (see fixtures/replicas.py).
"""

import pytest

from fixtures import checks, replicas
from fixtures.worker import prepare

pytestmark = [pytest.mark.parity, pytest.mark.training]


def test_devices_match_one_device(task, framework, replicas_n, pool, device, seed, record):
    w = replicas.worker(pool, framework, task, device, replicas_n)
    one = prepare(w, task, device, seed, dropout=False, rep_id=f"{task.name}:one-device")
    # one replicated rep per worker: preparing the next one releases the last
    many = prepare(w, task, device, seed, dropout=False, rep_id="data-parallel", replicas=replicas_n)
    # the engine goes into the figures: the record's "describe" stays the single-device adapter's
    record["figures"] = {"engine": many.describe.get("execution", "")}
    record["figures"].update(checks.check_data_parallel(task, one, many, replicas_n, seed))
