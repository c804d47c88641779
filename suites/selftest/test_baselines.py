"""Saved baselines (fixtures/baselines.py): a run saved, a later run gated against it, machines never mixed."""

import json
import shutil

import pytest

import reports
from suites.selftest import runner
from suites.selftest.runner import FAKE, by_test

# it times runs and compares them: it needs the machine to itself (the timed part), like test_gate.py
pytestmark = [pytest.mark.selftest, pytest.mark.alone]

TRAIN = ["suites/perf/test_timed.py", "-k", "train", "--framework", "fake", "--task", "mnist_mlp", "-s"]
# steps that sleep dominate their rounds, so the rounds stay steady even beside other work: 250 ms a
# step saved, 1.25 s a step later. A smoke round is 2 steps, and the reference model's numpy step
# (~30 ms) once took 4x that in a first round: beside a 50 ms sleep that made the saved run noisy
# (round CV 0.34 > 0.25, no verdict); beside 250 ms it moves a round's CV to about 0.1
STEADY = {**FAKE, "env": {"FAKEFW_STEP_DELAY": "0.25"}}
SLOW = {**FAKE, "env": {"FAKEFW_STEP_DELAY": "1.25"}}


def _run(tmp_path, store, *args, entry=FAKE):
    tmp_path.mkdir()
    proc, recs = runner.run(tmp_path, [*TRAIN, f"--save-dir={store}", *args], entries={"fake": entry})
    return proc, proc.stdout + proc.stderr, recs


def test_saved_run_gates_a_later_one_on_this_machine_only(tmp_path):
    store = tmp_path / "store"
    proc, out, _ = _run(tmp_path / "a", store, "--save", "base", entry=STEADY)
    assert proc.returncode == 0, out[-3000:]
    (folder,) = store.iterdir()
    saved = json.loads((folder / "0001_base.json").read_text())  # pytest-benchmark's layout and JSON
    assert {"machine_info", "commit_info", "benchmarks", "version"} <= set(saved), sorted(saved)
    assert folder.name.endswith(saved["dlparity"]["machine"]["id"])
    (rec,) = saved["dlparity"]["records"]
    assert len(rec["figures"]["rounds_samples_per_s"]) >= 3

    proc, out, recs = _run(tmp_path / "b", store, "--baseline", "base", "--gate", "10%", entry=SLOW)
    assert proc.returncode == 1, out[-3000:]
    figures = by_test(recs)["test_train[mnist_mlp-fake]"]["figures"]["baseline"]
    assert figures["verdict"] == "slower" and figures["ratio"] > 1.2 and not figures["foreign"], figures
    assert "gate: fake now vs baseline 0001_base on mnist_mlp train:" in out and "Traceback" not in out
    summary = (tmp_path / "b" / "summary.md").read_text()
    assert "### Against the saved baseline" in summary and "| slower | baseline 0001_base |" in summary, summary
    reports.render([tmp_path / "b" / "results.jsonl"], tmp_path / "page.html", saved=store)
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    history = page.split('id="history"', 1)[1].split("<h2", 1)[0]
    assert "This run against its baseline" in history and "verdict slower" in history, history[:3000]
    assert f"Saved runs on machine {saved['dlparity']['machine']['id']}" in history and "0001_base" in history
    assert "samples/s<div class='fig'>95 % " in history, history[:3000]

    proc, out, _ = _run(tmp_path / "c", store, "--baseline", "nope")
    assert proc.returncode == 4 and "--baseline: no run saved as 'nope'" in out and "saved here: base" in out, out

    # the same saved run, as if another machine had saved it: refused, unless asked for, then labelled
    other = dict(saved, dlparity={**saved["dlparity"], "machine": {**saved["dlparity"]["machine"], "id": "0" * 10}})
    shutil.rmtree(folder)
    (store / "Linux-elsewhere-0000000000").mkdir()
    (store / "Linux-elsewhere-0000000000" / "0001_base.json").write_text(json.dumps(other))
    proc, out, recs = _run(tmp_path / "d", store, "--baseline", "base", "--gate", "10%")
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 4 and not recs, out[-3000:]
    assert sum("was saved on machine 0000000000" in ln and "--baseline-any-machine" in ln for ln in lines) == 1
    proc, out, recs = _run(tmp_path / "e", store, "--baseline", "base", "--baseline-any-machine")
    assert proc.returncode == 0, out[-3000:]
    figures = by_test(recs)["test_train[mnist_mlp-fake]"]["figures"]["baseline"]
    assert figures["foreign"] and "from another machine, 0000000000" in figures["message"], figures
