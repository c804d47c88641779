"""The harness itself, driven by the fake framework in real subprocess runs."""

import signal
import sys
import time
from pathlib import Path

import pytest

from fixtures import results
from fixtures.tasks import TASKS
from fixtures.worker import Worker, WorkerDied
from suites.selftest import runner
from suites.selftest.runner import FAKE, by_test

pytestmark = pytest.mark.selftest


def test_matrix_crosses_tasks_and_frameworks(tmp_path):
    proc, _ = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "--collect-only", "--framework", "fake", "--framework", "torch"],
        entries={"fake": FAKE},
    )
    ids = [ln for ln in proc.stdout.splitlines() if "::" in ln]
    for task in ("mnist_mlp", "cifar10_cnn"):
        for fw in ("fake", "torch"):
            assert f"suites/parity/test_model.py::test_forward_matches_reference[{task}-{fw}]" in ids
    # forward and parameters for every spec-built task, the training step for those that train
    assert len(ids) == sum(2 + t.trains for t in TASKS.values() if not t.zoo) * 2


@pytest.mark.parametrize("paths", [[], ["suites/selftest/test_matrix.py"]], ids=["no path", "a self-test named"])
def test_framework_narrows_the_run_to_that_entry(tmp_path, paths):
    """`pytest --framework X` is X's verdict: the self-tests (no entry) run only when named."""
    proc, _ = runner.run(tmp_path, [*paths, "--collect-only", "--framework", "fake"], entries={"fake": FAKE})
    ids = [ln for ln in proc.stdout.splitlines() if "::" in ln]
    own = [i for i in ids if i.startswith("suites/selftest/")]
    assert any("-fake]" in i for i in ids) != bool(paths), ids[:5]
    assert bool(own) == bool(paths), own[:5]


def test_k_selects_through_ids(tmp_path):
    proc, _ = runner.run(tmp_path, ["suites/parity/test_model.py", "--collect-only", "-k", "cifar10_cnn and keras-jax"])
    ids = [ln for ln in proc.stdout.splitlines() if "::" in ln]
    assert ids and all("[cifar10_cnn-keras-jax]" in i for i in ids), ids
    assert len(ids) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--profile", "huge"], "invalid choice: 'huge'"),
        (["--framework", "nosuch"], "--framework: unknown nosuch; known: torch"),
        (["--task", "nosuch"], "--task: unknown nosuch"),
        (["--workers", "/nonexistent.toml"], "worker config /nonexistent.toml"),
        (["--results=README.md/r.jsonl"], "--results: cannot write the results there (README.md is a file"),
        (["--data-dir=README.md"], "--data-dir: README.md is a file; the dataset cache is a folder"),
        (["--seed", "-1"], "--seed: expected an integer >= 0, got '-1'"),
        (["--worker-timeout", "0"], "--worker-timeout: expected a finite number of seconds > 0"),
        (["--worker-timeout", "nan"], "--worker-timeout: expected a finite number of seconds > 0"),
        (["--worker-timeout", "inf"], "--worker-timeout: expected a finite number of seconds > 0"),
        (["--compare-rounds", "0"], "--compare-rounds: expected an integer >= 3"),
    ],
)
def test_bad_flag_is_one_line_usage_error(tmp_path, args, message):
    proc, _ = runner.run(tmp_path, ["suites/parity/test_model.py", "--collect-only", *args])
    assert proc.returncode == 4
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert sum(message in ln for ln in lines) == 1 and len(lines) <= 4, proc.stderr  # no traceback


def test_fake_framework_passes_parity_and_records(tmp_path):
    proc, recs = runner.run(
        tmp_path, ["suites/parity/test_model.py", "--framework", "fake", "--task", "mnist_mlp"], entries={"fake": FAKE}
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    got = by_test(recs)
    assert {r["outcome"] for r in recs} == {"passed"} and len(recs) == 3
    rec = got["test_forward_matches_reference[mnist_mlp-fake]"]
    assert rec["kind"] == "parity" and rec["version"]["framework"] == "fake"
    assert rec["figures"]["max_abs_err"] < 1e-5 and rec["machine"]["cores"] >= 1
    # the fingerprint: machine (py-cpuinfo's flags through pytest-benchmark), commit, worker environment
    assert len(rec["machine"]["id"]) == 10 and rec["machine"]["cpu_flags"] and len(rec["commit"]["id"]) == 40
    envs = results.read([tmp_path / "environments.jsonl"])
    assert [e["packages_hash"] for e in envs] == [rec["worker"]["packages_hash"]]
    assert len(envs[0]["packages"]) == rec["worker"]["packages_count"] and any(
        "numpy==" in p for p in envs[0]["packages"]
    )
    summary = (tmp_path / "summary.md").read_text()  # the run's verdicts for a CI job summary
    assert summary.startswith(f"## dlparity run {rec['run_id']}\n\n**passed**: 3 tests recorded: 3 passed")


def test_missing_framework_skips_with_reason(tmp_path):
    entries = {
        "ghost": {"module": "no_such_framework_module"},
        "py36": {"module": "suites.selftest.fakefw", "python": "/nonexistent/python3.6"},
    }
    proc, recs = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "--framework", "ghost", "--framework", "py36", "--task", "mnist_mlp"],
        entries=entries,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert len(recs) == 6 and {r["outcome"] for r in recs} == {"skipped"}
    reasons = {r["framework"]: r["reason"] for r in recs}
    assert "ghost: not importable" in reasons["ghost"]
    assert "ModuleNotFoundError: No module named 'no_such_framework_module'" in reasons["ghost"]
    assert "interpreter /nonexistent/python3.6 not found" in reasons["py36"]


@pytest.mark.parametrize("how", ["crash", "hang"])
def test_dead_worker_fails_only_its_own_tests(tmp_path, how):
    entries = {"fake": FAKE, "broken": {**FAKE, "env": {"FAKEFW_FAIL": f"train_step:{how}"}}}
    proc, recs = runner.run(
        tmp_path,
        [
            "suites/parity",
            "--framework",
            "broken",
            "--framework",
            "fake",
            "--task",
            "mnist_mlp",
            "--worker-timeout",
            "10",
        ],
        entries=entries,
    )
    assert proc.returncode == 1
    got = by_test(recs)
    assert all(
        got[f"{t}[mnist_mlp-fake]"]["outcome"] == "passed"
        for t in ("test_parameters", "test_forward_matches_reference", "test_train_step_matches_reference")
    )
    died = next(r for r in recs if r["framework"] == "broken" and r["outcome"] == "failed")
    assert ("exited (exit code 3)" if how == "crash" else "gave no answer within 10 s") in died["reason"]
    assert f"fakefw: simulated {how} in train_step" in proc.stdout
    # each death fails its own test; after three in a row (each hang cost the timeout) the rest skip
    broken = [r for r in recs if r["framework"] == "broken"]
    first = next(i for i, r in enumerate(broken) if r["outcome"] == "failed")
    died_in = [r for r in broken if r["outcome"] == "failed"]
    assert len(died_in) == 3, [(r["test"], r["outcome"]) for r in broken]
    later = [r for r in broken[first:] if r not in died_in]
    # every later test skips with the cause, but those that never ask for a worker (no multi-node engine)
    worker_died = "its worker died in 3 tests in a row"
    assert later and all(worker_died in r["reason"] or "no multi-node engine" in r["reason"] for r in later)
    assert any(worker_died in r["reason"] for r in later), later[:2]


def test_killed_worker_is_replaced_for_the_next_tests(tmp_path):
    """A worker killed once mid-test (kill -9, the OOM killer): that test fails, every later one runs."""
    env = {"FAKEFW_FAIL": "train_step:crash-once", "FAKEFW_ONCE": str(tmp_path / "crashed")}
    args = ["suites/parity", "--framework", "fake", "--task", "mnist_mlp"]  # "fake": its expectations apply
    proc, recs = runner.run(tmp_path, args, entries={"fake": {**FAKE, "env": env}})
    failed = [r["test"] for r in recs if r["outcome"] == "failed"]
    assert len(failed) == 1 and proc.returncode == 1, failed
    later = recs[[r["test"] for r in recs].index(failed[0]) + 1 :]
    assert later and {r["outcome"] for r in later} <= {"passed", "skipped"}
    assert any(r["outcome"] == "passed" and "train" in r["test"] for r in later)
    assert not any("died" in r["reason"] for r in later)


def test_command_error_fails_one_test_and_worker_goes_on(tmp_path):
    entries = {"flaky": {**FAKE, "env": {"FAKEFW_FAIL": "infer:raise"}}}
    proc, recs = runner.run(
        tmp_path, ["suites/parity/test_model.py", "--framework", "flaky", "--task", "mnist_mlp"], entries=entries
    )
    got = by_test(recs)
    assert got["test_forward_matches_reference[mnist_mlp-flaky]"]["outcome"] == "failed"
    reason = got["test_forward_matches_reference[mnist_mlp-flaky]"]["reason"]
    assert "RuntimeError: fakefw: simulated error in infer" in reason
    assert got["test_train_step_matches_reference[mnist_mlp-flaky]"]["outcome"] == "passed"


def test_interrupted_run_keeps_its_records(tmp_path):
    entries = {"slow": {**FAKE, "env": {"FAKEFW_STEP_DELAY": "0.2"}}}
    proc = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "suites/perf", "--framework", "slow", "--task", "mnist_mlp"],
        entries=entries,
        wait=False,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(runner.records(tmp_path)) < 2:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    recs = runner.records(tmp_path)
    assert len(recs) >= 2 and all(r["test"] and r["outcome"] for r in recs)


def test_gpu_flag_skips_frameworks_without_one(tmp_path):
    proc, recs = runner.run(
        tmp_path,
        [
            "suites/parity/test_model.py",
            "suites/perf/test_timed.py",
            "--gpu",
            "--framework",
            "fake",
            "--task",
            "mnist_mlp",
        ],
        entries={"fake": FAKE},
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert len(recs) == 5 and {r["outcome"] for r in recs} == {"skipped"}
    assert all("fake does not run mnist_mlp on gpu: the fake framework has no GPU" in r["reason"] for r in recs)
    assert {r["device"] for r in recs} == {"gpu"}


def test_perf_records_figures_data_source_and_parity(tmp_path):
    proc, recs = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "suites/perf", "--framework", "fake", "--task", "mnist_mlp"],
        entries={"fake": FAKE},
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    train = by_test(recs)["test_train[mnist_mlp-fake]"]
    assert train["kind"] == "train" and train["parity"] == "passed" and train["parity_checks"] == {"passed": 3}
    assert train["data"]["source"] and isinstance(train["data"]["synthetic"], bool)
    fig = train["figures"]
    assert fig["samples_per_s"] > 0 and fig["first_step_s"] > 0 and len(fig["rounds_samples_per_s"]) >= 2
    assert fig["gflops_per_s"] == pytest.approx(fig["samples_per_s"] * fig["flops_per_sample"] / 1e9)
    infer = by_test(recs)["test_infer[mnist_mlp-fake]"]
    assert infer["kind"] == "infer" and infer["figures"]["images_per_s"] > 0


def test_a_skipped_parity_check_makes_the_summary_skipped(tmp_path):
    """Perf records say "passed" only when every parity check of the entry and task ran and passed."""
    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "fake.txt").write_text("# not comparable here (a planted skip)\nskip: test_parameters[mnist_mlp-fake]\n")
    proc, recs = runner.run(
        tmp_path,
        ["suites/parity/test_model.py", "suites/perf/test_timed.py", "--framework", "fake", "--task", "mnist_mlp",
         "-k", "not infer"],
        entries={"fake": FAKE},
        env={"DLPARITY_EXPECTATIONS": str(exp)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:]
    train = by_test(recs)["test_train[mnist_mlp-fake]"]
    assert train["parity"] == "skipped" and train["parity_checks"] == {"passed": 2, "skipped": 1}, train


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_signal_ends_the_run_and_its_workers(tmp_path, sig):
    """CI cancelling a job (SIGTERM), a closed terminal (SIGHUP) or the OOM killer (SIGKILL) on pytest while
    its worker is mid-command: no worker outlives the run, and the records written before stay."""
    entries = {"broken": {**FAKE, "env": {"FAKEFW_FAIL": "train_step:hang"}}}
    args = ["suites/parity/test_model.py", "--framework", "broken", "--task", "mnist_mlp", "--worker-timeout", "120"]
    proc = runner.run(tmp_path, args, entries=entries, wait=False)
    deadline = time.monotonic() + 120
    while not any("simulated hang" in p.read_text(errors="replace") for p in (tmp_path / "workers").glob("*.log")):
        assert proc.poll() is None and time.monotonic() < deadline, "the planted hang never started"
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if _alive(p)], f"workers left running after {sig.name}"
    assert {r["outcome"] for r in runner.records(tmp_path)} >= {"passed"}  # the tests before the hang


def test_a_perf_test_skipped_before_its_body_writes_its_declared_kind(tmp_path):
    """The kind comes from the test's record_kind marker, not from how far its body ran: a node-scaling
    test skipped at its first line (the fake framework has no node engine) still writes "nodes"."""
    args = ["suites/perf/test_nodes.py", "--framework", "fake", "--task", "mnist_mlp", "--part", "timed"]
    proc, recs = runner.run(tmp_path, args, entries={"fake": FAKE})
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert [(r["kind"], r["outcome"]) for r in recs] == [("nodes", "skipped")], recs
    assert "no multi-node engine" in recs[0]["reason"]


@pytest.mark.parametrize("end", ["close", "death"])
def test_a_worker_temporary_files_go_with_it(tmp_path, end):
    """A framework's leftovers in the temporary directory are the worker's own and go when it ends,
    closed or dead (before: 2581 PyTensor numba sources in /tmp after one run)."""
    hook = {"DLPARITY_WORKER_HOOK": "suites.selftest.plants:leave_a_temporary_file"}
    worker = Worker("fake", "suites.selftest.fakefw", sys.executable, hook, tmp_path / "worker.log", 60)
    worker.start()
    folder = Path(worker.tmp)
    assert [p.name[:15] for p in folder.iterdir()] == ["dlparity-plant-"], "the file is not where this test looks"
    if end == "close":
        worker.close()
    else:
        worker.proc.kill()
        with pytest.raises(WorkerDied):
            worker.call("hello")
    assert not folder.exists(), f"the worker ended ({end}) and left {list(folder.iterdir())}"
