"""The thread sweep measures what it claims: its report, and a thread control that does not take."""

import json

import pytest

import reports
from suites.selftest import runner
from suites.selftest.runner import by_test
from suites.selftest.test_report import rec, section


def sweep_figures(sps_by_threads: dict, utilisation: dict) -> dict:
    base = sps_by_threads[1]
    points = [
        {
            "threads": n,
            "samples_per_s": sps,
            "speedup": sps / base,
            "efficiency": sps / base / n,
            "cpu_utilisation": utilisation[n],
            "framework_threads": {"intra_op": n},
            "noisy": n == 2 and sps < base,
        }
        for n, sps in sorted(sps_by_threads.items())
    ]
    return {"cores": len(points), "points": points, "batch_size": 342}


def test_report_draws_the_sweep(tmp_path):
    recs = [
        rec("torch", "fcn5", "threads", figures=sweep_figures({1: 500.0, 2: 900.0}, {1: 0.99, 2: 1.9})),
        rec("keras-jax", "fcn5", "threads", figures=sweep_figures({1: 450.0, 2: 400.0}, {1: 1.0, 2: 1.2})),
    ]
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    stats = reports.render([path], tmp_path / "index.html")
    page = section((tmp_path / "index.html").read_text(encoding="utf-8"), "threads")
    assert "900 samples/s" in page and "speed-up 1.8" in page and "efficiency 90" in page
    assert "CPU busy 1.9" in page and "intra_op=2" in page
    assert page.count('<img src="data:image/png;base64,') == 1 and stats["charts"] == 1
    assert '<span class="noisy">noisy</span>' in page  # keras-jax at 2 threads, slower than at 1


def test_report_without_a_sweep_says_so(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(rec("torch", "mnist_mlp", "train")) + "\n")
    reports.render([path], tmp_path / "index.html")
    assert "No thread-sweep records" in section((tmp_path / "index.html").read_text(encoding="utf-8"), "threads")


@pytest.mark.slow
@pytest.mark.alone  # CPU busy per worker: another job on the other core would hide the extra thread
def test_sweep_catches_a_thread_control_that_does_not_take(tmp_path):
    node = "suites/perf/test_threads.py::test_thread_scaling[fcn5-torch]"
    hook = {"DLPARITY_WORKER_HOOK": "suites.selftest.plants_threads:thread_control_ignored"}
    planted = by_test(runner.run(tmp_path / "planted", [node], env=hook)[1])["test_thread_scaling[fcn5-torch]"]
    assert planted["outcome"] == "failed" and "did not take" in planted["reason"], planted["reason"]
    clean = by_test(runner.run(tmp_path / "clean", [node])[1])["test_thread_scaling[fcn5-torch]"]
    assert clean["outcome"] == "passed", clean["reason"]
    one = clean["figures"]["points"][0]
    assert one["framework_threads"]["intra_op"] == 1 and one["cpu_utilisation"] <= 1.3
