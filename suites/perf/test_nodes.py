"""Multi-node scaling on loopback: training samples/s per topology through each framework's launcher.

For each entry with a multi-node engine and each task that declares ``data_parallel``, one run per
topology of ``multinode.TIMING`` (nodes x local replicas: 1x1, 1x2, 2x1, 2x2) times rounds of
training steps at the task's global batch (per-replica batch = batch / replicas), every process
between barriers, rank 0's clock; the first step (compilation, the first collectives) is left out.
All nodes are processes on this machine talking over 127.0.0.1 and sharing its cores: the ideal
is no throughput lost (ratio 1, efficiency 1/N), and what falls short is the launcher's and the
collectives' overhead, never a speed-up (the record says ``loopback``; the report labels it so).
"""

import pytest

from fixtures import multinode, timing
from fixtures.harness.case import case_of
from fixtures.tasks.spec import to_json

pytestmark = [
    pytest.mark.perf,
    pytest.mark.record_kind("nodes"),
    pytest.mark.training,
    pytest.mark.tasks_with("data_parallel"),
]

STEPS_PER_ROUND = 4
LAUNCH_TIMEOUT_S = 600.0  # one topology: N*M processes importing the framework and compiling, 2 loaded cores


@pytest.fixture(scope="session")
def node_timings():
    """Finished timing runs by (entry, topology): one launch times every collected task."""
    return {}


def _launch(request, cache, pool, framework, topology, profile, seed, tmp_path_factory):
    if (framework, topology) not in cache:
        cases = [case_of(item) for item in request.session.items if item.module is request.module]
        tasks = [c.task for c in cases if c.framework == framework]
        job = {
            "seed": seed,
            "tasks": [to_json(t) for t in tasks],
            # each task its own profile's rounds (at least 3, for a median with a spread)
            "timing": {"rounds": {t.name: max(3, t.profiles[profile].rounds) for t in tasks}, "steps": STEPS_PER_ROUND},
        }
        folder = tmp_path_factory.mktemp(f"node-timing-{framework}-{topology}")
        entry = pool.entries[framework]
        try:
            cache[framework, topology] = multinode.launch(entry, entry.nodes, job, topology, folder, LAUNCH_TIMEOUT_S)
        except multinode.NodesFailed as exc:
            cache[framework, topology] = exc
    return cache[framework, topology]


def test_node_scaling(request, node_timings, task, framework, pool, device, profile, seed, tmp_path_factory, record):
    if not pool.entries[framework].nodes:
        pytest.skip(f"{framework}: no multi-node engine (fixtures/manifest.py Framework.nodes)")
    if device == "gpu":
        pytest.skip("multi-node runs are CPU processes on 127.0.0.1")
    points, not_run = [], {}
    for topology in multinode.TIMING:
        run = _launch(request, node_timings, pool, framework, topology, profile, seed, tmp_path_factory)
        if isinstance(run, Exception):
            not_run[str(topology)] = str(run).splitlines()[0]
            continue
        assert not run.left_behind, f"{framework} {topology}: the run left {run.left_behind}"
        result = run.info[0]["tasks"][task.name]
        if "unsupported" in result:
            not_run[str(topology)] = result["unsupported"]
            continue
        batch = result["global_batch"][0]
        rates = [STEPS_PER_ROUND * batch / s for s in result["round_s"][0]]
        st = timing.stats(rates)
        points.append({
            "topology": str(topology), "nodes": topology.nodes, "replicas": topology.replicas,
            "world": topology.world, "samples_per_s": st["median"], "samples_per_s_iqr": st["iqr"],
            "samples_per_s_cv": st["cv"], "noisy": st["spread"] > timing.NOISY_SPREAD,
            "rounds_samples_per_s": rates, "global_batch": batch, "launch_s": round(run.seconds, 1),
        })  # fmt: skip
    if not points or points[0]["world"] != 1:
        pytest.fail(f"{framework}: the 1x1 baseline did not run: {not_run}", pytrace=False)
    base = points[0]["samples_per_s"]
    for p in points:
        p["throughput_ratio"] = p["samples_per_s"] / base
        p["efficiency"] = p["throughput_ratio"] / p["world"]
    record["figures"] = {
        "points": points,
        "not_run": not_run,
        "loopback": True,
        "engine": run.info[0]["describe"]["engine"] if not isinstance(run, Exception) else "",
    }
    assert not not_run, f"{framework}: topologies that did not run: {not_run}"
