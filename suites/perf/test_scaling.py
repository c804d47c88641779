"""Data-parallel scaling: training samples/s at 1 and N replicas through each framework's own engine.

Each count runs in the entry's worker started with ``DLPARITY_DEVICES=N`` (fixtures/replicas.py),
the 1-replica baseline included: the same engine at 1 replica (a DDP group of one process, a
MirroredStrategy over one device, a one-device mesh), so the ratio isolates what the replicas add.
The global batch is the task's batch size at every count (per-replica batch = batch / N), and
each count is timed by the same in-worker machinery as the training table (fixtures/timing.py:
first step apart, warm-up, rounds, device synchronised). Scaling efficiency = samples/s at N /
(N x samples/s at 1).

On CPU the N devices are virtual and share the same cores: the ideal there is no loss of
throughput (ratio 1, efficiency 1/N), and what falls short of it is the engine's overhead
(``cpu_virtual_devices`` in the record; the report labels it so). Only GPUs can show a speed-up.
"""

import pytest

from fixtures import replicas, timing, weights
from fixtures.worker import prepare

pytestmark = [
    pytest.mark.perf,
    pytest.mark.record_kind("scaling"),
    pytest.mark.training,
    pytest.mark.tasks_with("data_parallel"),
]

REP_ID = "data-parallel"  # the parity test's id: one replicated rep per worker at a time


def measure(rep, task, profile, path: str, seed: int) -> dict:
    """Samples/s of ``rep`` over the profile's rounds of training steps on the task's data, each
    round timed in the worker (``train_window``: batches gathered before the clock, device
    synchronised at both ends); the first step (tracing, compilation, DDP's first all-reduce) and
    the warm-up steps are timed apart, as in the training table, and the rounds together train what
    one of its epochs does (under the profile's time budget, ``timing.epoch_steps``)."""
    rep.load_data(path, seed)
    first = rep.train_window(1)
    warmup = [rep.train_window(1) for _ in range(profile.warmup_steps)]  # each step apart
    epoch = timing.epoch_steps(profile, profile.train_samples // task.batch_size, warmup)
    steps = max(1, epoch // profile.rounds)
    rounds = [steps * task.batch_size / rep.train_window(steps) for _ in range(max(3, profile.rounds))]
    st = timing.stats(rounds)
    return {
        "samples_per_s": st["median"],
        "samples_per_s_iqr": st["iqr"],
        "samples_per_s_cv": st["cv"],
        "max_spread": st["spread"],
        "noisy": st["spread"] > timing.NOISY_SPREAD,
        "outliers": st["outliers"],
        "rounds_samples_per_s": rounds,
        "steps_per_round": steps,
        "first_step_s": first,
        "warmup_s": sum(warmup),
    }


def test_data_parallel_scaling(request, task, framework, pool, device, profile, seed, datasets_cache, record):
    path, data = datasets_cache(task, profile)
    record.update(data=data)
    points, not_run = [], {}
    for n in [1, *replicas.counts(request.config)]:
        if task.batch_size % n:
            not_run[str(n)] = f"global batch {task.batch_size} is not divisible by {n} replicas"
            continue
        try:
            w = replicas.worker(pool, framework, task, device, n)
        except pytest.skip.Exception as exc:
            if n == 1:
                raise
            not_run[str(n)] = str(exc)
            continue
        rep = prepare(w, task, device, seed, rep_id=REP_ID, replicas=n)
        rep.load_weights(weights.initial(task, seed))
        engine = rep.describe  # kept in the figures: the record's "describe" stays the single-device adapter's
        point = {"replicas": n, "threads_per_replica": engine.get("threads_per_replica")}  # None: one shared pool
        points.append({**point, **measure(rep, task, task.profiles[profile], path, seed)})
    if len(points) < 2:
        pytest.skip(f"{framework}: no replica count beyond 1 ran: {not_run}")
    base = points[0]["samples_per_s"]
    for p in points:
        p["throughput_ratio"] = p["samples_per_s"] / base
        p["efficiency"] = p["throughput_ratio"] / p["replicas"]
    record["figures"] = {
        "points": points,
        "global_batch": task.batch_size,
        "cpu_virtual_devices": device == "cpu",
        "not_run": not_run,
        "engine": engine.get("execution", ""),
    }
    for p in points:
        assert p["samples_per_s"] > 0, f"{p['replicas']} replicas: no throughput"
