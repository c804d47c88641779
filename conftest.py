"""dlparity's pytest wiring: options, the framework x task matrix, workers, result records."""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
import uuid
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fixtures import baselines, compare, fingerprint, matrix, phases, results, shards  # noqa: E402
from fixtures import tasks as task_registry  # noqa: E402
from fixtures.worker import CommandFailed, RemoteRep, Worker, WorkerDied, task_args  # noqa: E402

PROFILES = ("smoke", "quick", "full")
PARTS = ("all", "untimed", "timed")
STATE = pytest.StashKey[dict]()
RECORD = pytest.StashKey[dict]()


def _number(kind, low: float, what: str):
    """An option type: ``kind`` (int or float), finite and at least ``low``; else argparse's one-line error."""
    import argparse

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not math.isfinite(value) or value < low:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


def pytest_addoption(parser):
    g = parser.getgroup("dlparity")
    g.addoption("--profile", choices=PROFILES, default="smoke", help="work size per task (default: smoke)")
    g.addoption("--gpu", action="store_true", help="run on the GPU; combinations without one are skipped")
    g.addoption(
        "--framework",
        action="append",
        default=[],
        metavar="NAME",
        help="matrix entry to run (repeatable; default: all)",
    )
    g.addoption("--task", action="append", default=[], metavar="NAME", help="task to run (repeatable; default: all)")
    g.addoption(
        "--seed",
        type=_number(int, 0, "an integer >= 0"),
        default=0,
        help="seed for weights, probes and data order (default: 0)",
    )
    g.addoption(
        "--replicas",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="data-parallel replica counts compared with 1 device (repeatable; default: 2 on CPU, "
        "2..the GPUs visible with --gpu; see fixtures/replicas.py)",
    )
    g.addoption("--workers", default=None, metavar="TOML", help="worker config: interpreters and env per entry")
    g.addoption(
        "--results",
        default=str(ROOT / "reports" / "out" / "results.jsonl"),
        metavar="PATH",
        help="JSON-lines file the records are appended to",
    )
    g.addoption(
        "--worker-timeout",
        type=_number(float, 1e-3, "a finite number of seconds > 0"),
        default=900.0,
        metavar="S",
        help="seconds a worker may take for one command before it is killed as hung (default: 900)",
    )
    g.addoption(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="A/B: time entry B against entry A (e.g. two tox envs of one framework), alternating rounds",
    )
    g.addoption(
        "--gate",
        default=None,
        metavar="PCT",
        help="with --compare: fail when B is slower than A beyond PCT (e.g. 10%%) with 95%% confidence, "
        "or when B fails parity that A passes; with --baseline: when this run is slower than the saved one",
    )
    g.addoption(
        "--save",
        default=None,
        metavar="NAME",
        help="store this run (records with their rounds, pytest-benchmark JSON) as NNNN_NAME.json in the "
        "machine's folder of --save-dir (fixtures/baselines.py)",
    )
    g.addoption(
        "--baseline",
        default=None,
        metavar="NAME",
        help="judge each timed test against the run saved as NAME on this machine (with --gate: fail when "
        "slower beyond PCT with 95%% confidence)",
    )
    g.addoption(
        "--baseline-any-machine",
        action="store_true",
        help="allow a --baseline saved on another machine fingerprint (every verdict says so)",
    )
    g.addoption(
        "--save-dir",
        default=str(ROOT / ".benchmarks"),
        metavar="DIR",
        help="where --save stores runs and --baseline finds them (default: .benchmarks)",
    )
    g.addoption(
        "--compare-rounds",
        type=_number(int, 3, "an integer >= 3 (a verdict needs 3 paired rounds)"),
        default=30,
        metavar="N",
        help="paired rounds per A/B task (default 30)",
    )
    g.addoption(
        "--part",
        choices=PARTS,
        default="all",
        help="untimed: every test but those that need the machine alone (perf, marked alone), e.g. under -n 2; "
        "timed: only those; all (default): both. ./dlp runs untimed with -n 2, then timed, under one run id",
    )
    g.addoption(
        "--shard",
        default=None,
        metavar="K/N",
        help="run shard K of N: whole matrix entries dealt by test count, self-tests on shard 1 "
        "(fixtures/shards.py); the other shards run on other hosts",
    )
    g.addoption("--download", action="store_true", help="download missing real datasets (pooch, sha256-checked)")
    g.addoption("--data-dir", default=None, metavar="DIR", help="dataset cache (default: $DLPARITY_DATA)")


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"{signal.Signals(signum).name} received")


def pytest_configure(config):
    # SIGTERM (CI cancelling, timeout(1)) and SIGHUP end the run as Ctrl-C does: tests stop, records
    # already written stay, the session's teardown closes every worker (a busy one is killed)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
    try:
        known = matrix.entries(config.getoption("workers"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    chosen = config.getoption("framework") or list(known)
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise pytest.UsageError(f"--framework: unknown {', '.join(unknown)}; known: {', '.join(known)}")
    why = results.unwritable(Path(config.getoption("results")))
    if why:  # before any work: the pages, benchmark.json and worker logs go beside the records
        raise pytest.UsageError(f"--results: cannot write the results there ({why}); give a writable --results=PATH")
    from datasets import cache

    data_dir = cache.resolve_cache_dir(config.getoption("data_dir"))
    if data_dir.exists() and not data_dir.is_dir():
        given = "--data-dir" if config.getoption("data_dir") else f"${cache.ENV_VAR}"
        raise pytest.UsageError(f"{given}: {data_dir} is a file; the dataset cache is a folder: name a folder")
    task_names = config.getoption("task") or list(task_registry.TASKS)
    bad = [t for t in task_names if t not in task_registry.TASKS]
    if bad:
        raise pytest.UsageError(f"--task: unknown {', '.join(bad)}; known: {', '.join(task_registry.TASKS)}")
    if config.pluginmanager.hasplugin("html") and not getattr(config.option, "htmlpath", None):
        part = config.getoption("part")  # ./dlp's two parts each keep their page
        name = "pytest.html" if part == "all" else f"pytest-{part}.html"
        config.option.htmlpath = str(Path(config.getoption("results")).parent / name)
        config.option.self_contained_html = True
    compare_pair = config.getoption("compare")
    for name in compare_pair or ():
        if name not in known:
            raise pytest.UsageError(f"--compare: unknown entry {name}; known: {', '.join(known)}")
    gate = config.getoption("gate")
    try:
        gate = compare.parse_threshold(gate) if gate is not None else None
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if gate is not None and not (compare_pair or config.getoption("baseline")):
        raise pytest.UsageError("--gate needs --compare A B or --baseline NAME")
    if config.getoption("save") and not baselines.NAME.match(config.getoption("save")):
        raise pytest.UsageError(f"--save: {config.getoption('save')!r}: a name is letters, digits, '.', '_', '-'")
    shard = config.getoption("shard")
    try:
        shard = shards.parse(shard) if shard is not None else None
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if compare_pair:
        chosen = list(dict.fromkeys([*chosen, *compare_pair]))
    config.stash[STATE] = {
        "gate": gate,
        "shard": shard,  # (K, N) of --shard, or None
        "entries": {name: known[name] for name in chosen},
        "tasks": [task_registry.get(t).at(config.getoption("profile")) for t in task_names],
        # under pytest-xdist every process writes its records under the controller's run id
        # one run id for every process (xdist) and part (./dlp) of a run
        "run_id": getattr(config, "workerinput", {}).get("dlparity_run_id")
        or os.environ.get("DLPARITY_RUN_ID")
        or uuid.uuid4().hex[:12],
        "machine": getattr(config, "workerinput", {}).get("dlparity_machine") or fingerprint.machine(),
        "commit": getattr(config, "workerinput", {}).get("dlparity_commit") or fingerprint.commit(ROOT),
        "environments": set(),  # packages hashes written to environments.jsonl by this process
        "parity": {},
    }
    state = config.stash[STATE]
    if config.getoption("baseline"):
        try:
            state["baseline"] = baselines.find(
                Path(config.getoption("save_dir")),
                config.getoption("baseline"),
                state["machine"],
                config.getoption("baseline_any_machine"),
            )
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    path = Path(config.getoption("results"))
    if os.environ.get("DLPARITY_RUN_ID") and path.is_file():  # an earlier part's parity outcomes
        for rec in results.read([path]):
            if rec.get("run_id") == state["run_id"] and rec.get("kind") == "parity":
                _note_parity(state, rec["task"], rec["framework"], rec["outcome"] == "failed")
    if not hasattr(config, "workerinput"):  # the controller: progress lines, the run's time and memory
        from fixtures import progress

        plugin = progress.Progress(config, state["run_id"], list(state["entries"]), task_names)
        config.pluginmanager.register(plugin, "dlparity-progress")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, in the controller: each process it starts writes under the controller's run id,
    machine fingerprint and commit (found once)."""
    node.workerinput["dlparity_run_id"] = node.config.stash[STATE]["run_id"]
    node.workerinput["dlparity_machine"] = node.config.stash[STATE]["machine"]
    node.workerinput["dlparity_commit"] = node.config.stash[STATE]["commit"]


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """``pytest -n N``: all tests of one matrix entry go to one process (fixtures/parallel.py)."""
    if config.getvalue("dist") != "load":  # an explicit --dist is the user's choice
        return None
    from fixtures import parallel

    state = config.stash[STATE]
    config.option.loadscopereorder = False  # scopes in the collected order: costliest first (fixtures/ordering.py)
    return parallel.EntryScheduling(config, log, list(state["entries"]), [t.name for t in state["tasks"]])


def pytest_generate_tests(metafunc):
    if "ab" in metafunc.fixturenames:
        state, pair = metafunc.config.stash[STATE], metafunc.config.getoption("compare")
        if not pair:
            skip = pytest.mark.skip(reason="A/B comparisons run only with --compare A B")
            metafunc.parametrize(["task", "ab"], [pytest.param(None, None, marks=skip)], ids=["no-compare"])
            return
        combos = [(t, tuple(pair)) for t in state["tasks"]]
        metafunc.parametrize(["task", "ab"], combos, ids=[f"{t.name}-{a}-vs-{b}" for t, (a, b) in combos])
    elif "framework" in metafunc.fixturenames and metafunc.definition.get_closest_marker("probe_task"):
        entries = list(metafunc.config.stash[STATE]["entries"])
        metafunc.parametrize("framework", entries, ids=entries)
    elif {"task", "framework"} <= set(metafunc.fixturenames):
        state = metafunc.config.stash[STATE]
        wanted = metafunc.definition.get_closest_marker("tasks_with")
        zoo_ok = metafunc.definition.get_closest_marker("zoo_ok") is not None
        trains = metafunc.definition.get_closest_marker("training") is not None  # inference-only tasks never
        tasks = [
            t
            for t in state["tasks"]
            if (zoo_ok or not t.zoo) and (t.trains or not trains) and (not wanted or getattr(t, wanted.args[0]))
        ]
        combos = [(t, f) for t in tasks for f in state["entries"]]
        if not combos:
            why = f"no selected task declares {wanted.args[0]}" if wanted else "nothing selected"
            skip = pytest.mark.skip(reason=why)
            metafunc.parametrize(["task", "framework"], [pytest.param(None, None, marks=skip)], ids=["none"])
            return
        metafunc.parametrize(["task", "framework"], combos, ids=[f"{t.name}-{f}" for t, f in combos])
        if "replicas_n" in metafunc.fixturenames:  # the devices axis of data-parallel tests, after task-framework
            from fixtures import replicas

            counts = replicas.counts(metafunc.config)
            metafunc.parametrize("replicas_n", counts, ids=[f"replicas{n}" for n in counts])


# ---------------------------------------------------------------------------------------------
# fixtures


class Pool:
    """One worker per framework entry per session, started on first use."""

    def __init__(self, config):
        state = config.stash[STATE]
        self.entries, self.workers = state["entries"], {}
        self.timeout = config.getoption("worker_timeout")
        self.logs = Path(config.getoption("results")).parent / "workers"
        self.run_id = state["run_id"]
        self.compile_cache = config.getoption("part") == "untimed"  # nothing is timed: use compile caches
        self.deaths: dict[str, int] = {}

    DEATHS = 3  # a worker that died in this many tests in a row is not restarted again

    def get(self, name: str, copy: str = "", env: dict | None = None) -> Worker:
        """The entry's worker; a non-empty ``copy`` starts a second, independent process (A/A runs,
        or a process that needs ``env`` at start: a thread count, a number of virtual devices).
        A worker that died in a test (crashed, killed, or killed as hung: that test failed with the
        cause) is replaced by a fresh process for the next test; not one that never started (it
        would fail the same way). After DEATHS deaths in a row (each hang cost --worker-timeout)
        the entry's remaining tests skip with the cause."""
        key = f"{name}#{copy}" if copy else name
        old = self.workers.get(key)
        if old is not None and old.info is not None:
            if not old.gone():
                self.deaths[key] = 0  # a test ran on it and left it alive
            elif self.deaths.get(key, 0) + 1 >= self.DEATHS:
                pytest.skip(f"{name}: its worker died in {self.DEATHS} tests in a row; the last: {old.cause()}")
            else:
                self.deaths[key] = self.deaths.get(key, 0) + 1
                old.close()
                del self.workers[key]
        if key not in self.workers:
            e = self.entries[name]
            log = self.logs / f"{self.run_id}-{key}.log"
            cache = e.compile_cache_env if self.compile_cache else {}
            self.workers[key] = Worker(name, e.module, e.python, {**cache, **e.env, **(env or {})}, log, self.timeout)
        return self.workers[key]

    def close(self):
        for w in self.workers.values():
            w.close()

    def close_except(self, keep: set) -> None:
        """Close every worker (copies included) of entries not in ``keep``; ``get`` starts them afresh."""
        for key in [k for k in self.workers if k.split("#")[0] not in keep]:
            self.workers.pop(key).close()


@pytest.fixture(scope="session")
def pool(request):
    p = Pool(request.config)
    yield p
    p.close()


@pytest.fixture(scope="session")
def profile(request) -> str:
    return request.config.getoption("profile")


@pytest.fixture(scope="session")
def device(request) -> str:
    return "gpu" if request.config.getoption("gpu") else "cpu"


@pytest.fixture(scope="session")
def seed(request) -> int:
    return request.config.getoption("seed")


@pytest.fixture
def record(request) -> dict:
    """What a test measured; written as its JSON line when the test ends."""
    rec = request.node.stash.setdefault(RECORD, {})
    return rec


class NotReady(Exception):
    """An entry's worker cannot run a task: ``importable`` is False when it does not even start."""

    def __init__(self, why: str, importable: bool):
        super().__init__(why)
        self.importable = importable


def worker_for(
    pool: Pool, framework: str, task, device: str, training: bool, copy: str = "", env: dict | None = None
) -> Worker:
    """The entry's worker once it proved importable and said it supports task x device; else :class:`NotReady`."""
    w = pool.get(framework, copy, env)
    info = w.start()
    if not info.get("importable"):
        hint = pool.entries[framework].advice(str(info.get("error")))
        why = f"{framework}: not importable by {w.python}: {info.get('error')}" + (f" ({hint})" if hint else "")
        raise NotReady(why, importable=False)
    ok = w.call("supports", {**task_args(task), "device": device, "training": training})[0]
    if not ok["ok"]:
        raise NotReady(f"{framework} does not run {task.name} on {device}: {ok['reason']}", importable=True)
    return w


def ready_worker(
    pool: Pool, framework: str, task, device: str, training: bool, copy: str = "", env: dict | None = None
) -> Worker:
    """:func:`worker_for`, skipping the test where the entry cannot run the task."""
    try:
        return worker_for(pool, framework, task, device, training, copy, env)
    except NotReady as exc:
        pytest.skip(str(exc))


@pytest.fixture
def worker(request, record, pool, framework, task, device) -> Worker:
    """The framework's worker, after it proved importable and said it supports task x device
    (and training, for tests marked ``training``)."""
    return ready_worker(pool, framework, task, device, request.node.get_closest_marker("training") is not None)


@pytest.fixture
def make_rep(worker, task, device, seed, record):
    """``make_rep(dropout=True)`` builds the task in the worker and returns its RemoteRep."""

    def make(dropout: bool = True) -> RemoteRep:
        rep_id = f"{task.name}:{'d' if dropout else 'nd'}:{seed}"
        reply = worker.call(
            "prepare", {"rep": rep_id, **task_args(task), "dropout": dropout, "device": device, "seed": seed}
        )[0]
        record["describe"] = reply["describe"]
        return RemoteRep(worker, rep_id, reply["describe"])

    return make


@pytest.fixture(scope="session")
def peaks(pool, device):
    """``peaks(framework)`` -> {"peak_gflops": its own float32 2048^3 matmul, "numpy_peak_gflops": NumPy's},
    each measured once per session (the roofline's ceiling; NumPy's BLAS may be held back, e.g. by
    OPENBLAS_CORETYPE, so a framework's own matmul is the peak it is measured against)."""
    cache: dict = {}

    def get(framework: str) -> dict:
        if "numpy" not in cache:
            cache["numpy"] = _numpy_peak()
        if framework not in cache:
            try:
                reply = pool.get(framework).call("peak_matmul", {"n": 2048, "device": device})[0]
                cache[framework] = reply["gflops"]
            except CommandFailed:
                cache[framework] = None
        return {"peak_gflops": cache[framework], "numpy_peak_gflops": cache["numpy"]}

    return get


@phases.timed("peak matmul")
def _numpy_peak(n: int = 2048) -> float:
    from fixtures import timing

    a, b = np.random.default_rng(0).random((2, n, n), dtype=np.float32)
    return timing.matmul_gflops(lambda: a @ b, n)


@pytest.fixture(scope="session")
def datasets_cache(request, tmp_path_factory):
    """``get(task, profile)`` -> (npz path, data source) for the worker, built once per session."""
    import datasets

    cache, cfg = {}, request.config
    out = tmp_path_factory.mktemp("data")

    def get(task, profile_name):
        key = (task.dataset, profile_name, tuple(task.input_shape))
        if key not in cache:
            p = task.profiles[profile_name]
            ds = datasets.load(
                task.dataset,
                p.train_samples,
                p.test_samples,
                seed=cfg.getoption("seed"),
                cache_dir=cfg.getoption("data_dir"),
                download=cfg.getoption("download"),
            )
            path = out / f"{task.dataset}-{profile_name}-{'x'.join(map(str, task.input_shape))}.npz"
            shape = tuple(task.input_shape)  # the spec's per-sample view: MNIST as 784 pixels or 1x28x28
            np.savez(
                path,
                x_train=ds.x_train.reshape((-1, *shape)),
                y_train=ds.y_train,
                x_test=ds.x_test.reshape((-1, *shape)),
                y_test=ds.y_test,
            )
            cache[key] = (
                str(path),
                {
                    "source": ds.source,
                    "synthetic": bool(ds.synthetic),
                    "origin": ds.origin,
                    "train_samples": len(ds.x_train),
                    "test_samples": len(ds.x_test),
                    "made_from": ds.meta.get("made_from", {}),
                    "notes": list(ds.notes),
                },
            )
        return cache[key]

    return get


# ---------------------------------------------------------------------------------------------
# records and failure messages


def _kind(item) -> str | None:
    """The record kind a test declares: "parity" (parity marker) or its ``record_kind`` marker's; None
    when it declares none (pytest_collection_modifyitems refuses such a perf test)."""
    if item.get_closest_marker("parity"):
        return "parity"
    marker = item.get_closest_marker("record_kind")
    return marker.args[0] if marker and marker.args else None


SETUP_S = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    phases.begin()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "setup":
        item.stash[SETUP_S] = report.duration
    if call.excinfo is not None and call.excinfo.errisinstance((WorkerDied, CommandFailed)):
        # one clear message instead of a harness traceback
        report.longrepr = str(call.excinfo.value)
        if call.excinfo.errisinstance(CommandFailed) and call.excinfo.value.remote_traceback:
            report.longrepr += "\n--- in the worker ---\n" + call.excinfo.value.remote_traceback
    params = getattr(getattr(item, "callspec", None), "params", {})
    ab = params.get("ab")
    framework = params.get("framework") or (ab[1] if isinstance(ab, tuple) else None)  # A/B belongs to B
    task = getattr(item, "funcargs", {}).get("task") or params.get("task")  # a probe task: the module's own
    if framework is None or not hasattr(task, "name"):  # e.g. an empty --compare set
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        try:
            _write_record(item, report, task, framework)
        except OSError as exc:  # a full disk: every later record would be lost too, so the run ends here
            path = item.config.getoption("results")
            item.session.shouldstop = (
                f"results: cannot write {item.nodeid}'s record to {path} ({exc.strerror or exc}); "
                "run stopped, the records before it are whole: free space or give --results=PATH"
            )


def _reason(report) -> str:
    if getattr(report, "wasxfail", None):  # an expected difference: its expectations line says why
        return f"expected: {report.wasxfail}"
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")] or text.splitlines()
        return lines[0].removeprefix("E").strip() if lines else ""
    return ""


def _note_parity(state: dict, task: str, framework: str, failed: bool) -> None:
    """An entry x task's parity summary: failed once any of its parity checks failed, else passed."""
    if failed or state["parity"].get((task, framework)) != "failed":
        state["parity"][(task, framework)] = "failed" if failed else "passed"


def _write_record(item, report, task, framework):
    config = item.config
    state = config.stash[STATE]
    rec = item.stash.get(RECORD, {})
    kind = _kind(item)
    check = item.originalname.removeprefix("test_") if kind == "parity" else ""
    if kind == "parity":
        _note_parity(state, task.name, framework, report.failed)
    worker = item.session.config.stash.get(POOL, None)
    winfo = {}
    if worker is not None and framework in worker.workers:
        w = worker.workers[framework]
        info = w.info or {}
        winfo = {
            "python": w.python,
            "python_version": info.get("python_version"),
            **_environment(state, info.get("packages"), Path(config.getoption("results")).parent),
            "pid": info.get("pid"),
            "numpy": info.get("numpy"),
            "blas": info.get("blas"),
            "peak_rss_mb": w.peak_rss_mb,
            "gpu_peak_mb": w.gpu_peak_mb,
        }
        version = info.get("version") or {}
    else:
        version = {}
    figures = rec.get("figures", {})
    results.append(
        Path(config.getoption("results")),
        {
            "run_id": state["run_id"],
            "time": results.now(),
            "test": item.nodeid,
            "kind": kind,
            "check": check,
            "outcome": report.outcome,
            "reason": _reason(report),
            "framework": framework,
            "version": version,
            "task": task.name,
            "profile": config.getoption("profile"),
            "seed": config.getoption("seed"),
            "device": "gpu" if config.getoption("gpu") else "cpu",
            "data": rec.get("data", {}),
            "parity": state["parity"].get((task.name, framework), "not run") if kind != "parity" else "",
            "figures": {k: v for k, v in figures.items() if not (isinstance(v, float) and math.isnan(v))},
            "describe": rec.get("describe", {}),
            "machine": state["machine"],
            "commit": {k: state["commit"].get(k) for k in ("id", "dirty", "branch")},
            "shard": "{}/{}".format(*state["shard"]) if state["shard"] else "",
            "worker": winfo,
            "seconds": round(item.stash.get(SETUP_S, 0.0) + (report.duration if report.when == "call" else 0.0), 3),
            "phases": phases.take(),
        },
    )


def _environment(state: dict, packages, folder: Path) -> dict:
    """A worker's package set as a hash and count for its records; the list itself goes once per hash
    to ``environments.jsonl`` beside the records."""
    if not isinstance(packages, list):
        return {}
    digest = fingerprint.packages_hash(packages)
    if digest not in state["environments"]:
        results.append(folder / "environments.jsonl", {"packages_hash": digest, "packages": packages})
        state["environments"].add(digest)
    return {"packages_hash": digest, "packages_count": len(packages)}


@pytest.fixture
def against_baseline(request, task, framework, profile, device, seed):
    """``check(record)`` for a timed test: with ``--baseline``, its verdict against the saved run goes
    into ``record["figures"]["baseline"]``, and under ``--gate`` a ``slower`` one fails the test."""
    state = request.config.stash[STATE]

    def check(record: dict) -> None:
        if state.get("baseline") is None:
            return
        facts = {"kind": _kind(request.node), "framework": framework, "task": task.name, "profile": profile}
        mine = {**record, **facts, "device": device}
        found = baselines.judge(state["baseline"], mine, state["gate"] or 0.05, seed)
        record["figures"]["baseline"] = found
        print(found.get("message") or found["missing"])
        if state["gate"] is not None and found.get("verdict") == "slower":
            pytest.fail(f"gate: {found['message']}", pytrace=False)

    return check


POOL = pytest.StashKey["Pool"]()


@pytest.fixture(scope="session", autouse=True)
def _expose_pool(request, pool):
    request.config.stash[POOL] = pool
    yield


def pytest_sessionfinish(session, exitstatus):
    """This run's timed tests also go out in pytest-benchmark's JSON format (benchmark.json), and its
    verdicts (every part of the run so far) as Markdown for a CI job summary (summary.md)."""
    state = session.config.stash.get(STATE, None)
    path = Path(session.config.getoption("results"))
    if state is None or not path.is_file() or hasattr(session.config, "workerinput"):  # xdist: the controller
        return
    from reports import load, summary

    run = [r for r in results.read([path]) if r.get("run_id") == state["run_id"]]
    timed = [r for r in run if r["kind"] in ("train", "infer")]
    if timed:
        from fixtures import benchjson

        out = path.parent / "benchmark.json"
        out.write_text(json.dumps(benchjson.build(timed, state["machine"], state["commit"]), indent=1, default=str))
    if run:
        text = summary.markdown([load.normalise(r) for r in run], f"dlparity run {state['run_id']}")
        (path.parent / "summary.md").write_text(text, encoding="utf-8")
    name = session.config.getoption("save")
    if name and run:
        where = Path(session.config.getoption("save_dir"))
        saved = baselines.save(where, name, run, state["machine"], state["commit"], state["run_id"])
        print(f"\ndlparity: saved this run as {saved} (compare a later run with --baseline {name})")


def pytest_report_header(config):
    state = config.stash[STATE]
    m = state["machine"]
    return [
        f"dlparity: profile={config.getoption('profile')} device={'gpu' if config.getoption('gpu') else 'cpu'} "
        f"frameworks={','.join(state['entries'])} results={config.getoption('results')}"
        + (" shard={}/{}".format(*state["shard"]) if state["shard"] else ""),
        f"machine: {fingerprint.label(m)}, python {m['python']}",
    ]


def pytest_collection_modifyitems(config, items):
    """Known differences from ``expectations/<framework>.txt`` become strict xfails or skips, with
    their reasons; a line matching no collected test warns (see fixtures/expectations.py)."""
    from fixtures import expectations, ordering

    state = config.stash[STATE]
    try:
        entries = expectations.load(state["entries"])
    except ValueError as exc:
        raise pytest.UsageError(f"expectations: {exc}") from None
    expectations.apply(items, entries, [t.name for t in state["tasks"]])
    undeclared = sorted(
        {
            item.nodeid.split("[")[0]
            for item in items
            if item.get_closest_marker("perf") and _kind(item) not in results.KINDS
        }
    )
    if undeclared:
        raise pytest.UsageError(
            f"{undeclared[0]}: a perf test declares the kind of record it writes with "
            f"@pytest.mark.record_kind(KIND), KIND one of {', '.join(results.KINDS)} (fixtures/results.py)"
        )
    narrowed = config.getoption("framework") or config.getoption("task")
    named = config.args if config.args_source == pytest.Config.ArgsSource.ARGS else []
    if narrowed and not any("selftest" in arg for arg in named):
        # --framework/--task ask for those entries' and tasks' verdict: the harness's own self-tests
        # (no entry; about 25 minutes on 2 cores) run when named, as `pytest suites/selftest`
        own = [item for item in items if item.nodeid.startswith("suites/selftest/")]
        if own:
            config.hook.pytest_deselected(items=own)
            items[:] = [item for item in items if not item.nodeid.startswith("suites/selftest/")]
    if state["shard"]:  # before --part: both parts of a run give this host the same entries
        items[:], dropped, _ = shards.split(items, *state["shard"])
        config.hook.pytest_deselected(items=dropped)
    part = config.getoption("part")
    if part != "all":
        keep = [item for item in items if _alone(item) == (part == "timed")]
        config.hook.pytest_deselected(items=[item for item in items if _alone(item) != (part == "timed")])
        items[:] = keep
    past = ordering.past_seconds(Path(config.getoption("results")).parent / "runs.jsonl")
    items[:] = ordering.order(items, [t.name for t in state["tasks"]], past)
    if getattr(config, "workerinput", {}).get("workercount", 1) > 1:
        skip = pytest.mark.skip(reason="pytest -n: timings would share the cores with other tests; run perf without -n")
        for item in items:
            if _alone(item):
                item.add_marker(skip)


def _alone(item) -> bool:
    """Needs the machine to itself: a timed test, or a self-test marked ``alone`` (gate calibration)."""
    return bool(item.get_closest_marker("perf") or item.get_closest_marker("alone"))


def _entries_of(item) -> set:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return set(params.get("ab") or ()) | ({params["framework"]} if params.get("framework") else set())


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """Close the workers the next test does not use once the run leaves their entry, its copies (replicas,
    thread counts, A/A) included: their memory, up to ~4 GB for a Keras worker, is freed. A copy lives
    as long as its entry's group (fixtures/ordering.py), whose modules alternate task by task."""
    pool = item.config.stash.get(POOL, None)
    if pool is not None and _entries_of(item) - (_entries_of(nextitem) if nextitem else set()):
        pool.close_except(_entries_of(nextitem) if nextitem else set())
