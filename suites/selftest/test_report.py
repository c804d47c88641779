"""The HTML report (``reports``), rendered from hand-made records, in-process and as ``python -m reports``."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reports
from fixtures.results import SCHEMA, upgrade

pytestmark = pytest.mark.selftest

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MACHINE = {"cpu": "Test CPU 9000", "cores": 8, "python": "3.11.7", "platform": "Linux-test", "hostname": "box"}
WORKER = {
    "python": "/venv/bin/python",
    "pid": 1,
    "numpy": "2.0",
    "peak_rss_mb": 300.0,
    "blas": [{"internal_api": "openblas", "version": "0.3.99", "architecture": "Haswell", "num_threads": 8}],
}
VERSIONS = {
    "torch": {"framework": "torch", "version": "2.9.0+cpu", "devices": ["cpu"]},
    "keras-jax": {"framework": "keras", "version": "3.7.0", "backend": "jax", "backend_version": "0.4.99"},
    "torch-next": {"framework": "torch", "version": "2.10.0+cpu", "devices": ["cpu"]},
    "ghost": {},
    "cntk": {},
}
FAIL_REASON = "AssertionError: cifar10_cnn logits: 12 of 80 elements outside rtol=1e-05, atol=1e-05"
SKIP_REASON = "ghost: not importable by /venv/bin/python: ModuleNotFoundError: No module named 'ghost'"


def rec(framework, task, kind, outcome="passed", check="", time="2026-01-01T10:00:00+00:00", **kw):
    test = f"suites/{'parity/test_model.py' if kind == 'parity' else 'perf/test_timed.py'}::test_"
    test += f"{check or kind}[{task}-{framework}]"
    parity = kw.pop("parity", "" if kind == "parity" else "passed")
    checks = {"passed": {"passed": 3}, "failed": {"passed": 2, "failed": 1}}.get(parity, {})
    return {
        "schema": SCHEMA,
        "run_id": kw.pop("run_id", "run1"),
        "time": time,
        "test": test,
        "kind": kind,
        "check": check,
        "outcome": outcome,
        "reason": kw.pop("reason", ""),
        "framework": framework,
        "version": VERSIONS[framework],
        "task": task,
        "profile": "quick",
        "device": "cpu",
        "data": kw.pop("data", {}),
        "pair": {},
        "parity": parity,
        "parity_checks": kw.pop("parity_checks", checks),
        "figures": kw.pop("figures", {}),
        "describe": {"layout": "NCHW", "execution": "eager", "optimizer": "SGD", "threads": 8},
        "machine": MACHINE,
        "worker": {} if framework == "ghost" else WORKER,
        **kw,
    }


PEAK, NUMPY_PEAK = 600.0, 150.0  # the framework's own matmul; NumPy's (held back, e.g. OPENBLAS_CORETYPE)


def train_figures(sps, acc=(0.5, 0.7, 0.8), cv=0.05, noisy=None, outliers=0):
    noise = {} if noisy is None else {"noisy": noisy, "max_spread": 0.4 if noisy else 0.1}
    gflops = sps * 3e6 / 1e9
    return {
        **noise,
        "outliers": outliers,
        "harness_overhead_s_per_step": 2.5e-6,
        "harness_overhead_fraction": 4.2e-4,
        "peak_gflops": PEAK,
        "numpy_peak_gflops": NUMPY_PEAK,
        "peak_fraction": gflops / PEAK,
        "epoch_samples": 60000,
        "lower_bound_s_per_epoch": 3e6 * 60000 / (PEAK * 1e9),
        "first_step_s": 0.25,
        "samples_per_s": sps,
        "samples_per_s_iqr": [sps * 0.9, sps * 1.1],
        "samples_per_s_cv": cv,
        "s_per_epoch": [10.0, 11.0, 12.0],
        "s_per_epoch_median": 11.0,
        "accuracy_per_epoch": list(acc),
        "loss_per_epoch": [1.0, 0.6, 0.4],
        "accuracy": acc[-1],
        "flops_per_sample": 3e6,
        "gflops_per_s": sps * 3e6 / 1e9,
    }


def infer_figures(ms, bs=100, cv=None, noisy=None):
    extra = {} if cv is None else {"latency_ms_cv": cv}
    if noisy is not None:
        extra.update(noisy=noisy, max_spread=0.5 if noisy else 0.05, outliers=2)
    gflops = bs / (ms / 1e3) * 1e6 / 1e9
    return {
        **extra,
        "peak_gflops": PEAK,
        "numpy_peak_gflops": NUMPY_PEAK,
        "peak_fraction": gflops / PEAK,
        "cold_s": 0.5,
        "latency_ms_median": ms,
        "latency_ms_iqr": [ms * 0.95, ms * 1.05],
        "images_per_s": bs / (ms / 1e3),
        "batch_size": bs,
        "flops_per_sample": 1e6,
        "gflops_per_s": bs / (ms / 1e3) * 1e6 / 1e9,
    }


GATE_REASON = (
    "AssertionError: gate: torch-next vs torch on mnist_mlp: 18.0% slower (B/A 1.180, 95% CI 1.150-1.210, "
    "threshold 10%, 12 rounds): slower"
)


def compare_figures(a, b, ratio, ci, verdict, gated, threshold=0.1):
    return {
        "a": a,
        "b": b,
        "ratio": ratio,
        "ci": list(ci),
        "confidence": 0.95,
        "threshold": threshold,
        "verdict": verdict,
        "cv_a": 0.02,
        "cv_b": 0.03,
        "rounds": 12,
        "steps_per_round": 40,
        "round_s_a": [0.1] * 12,
        "round_s_b": [0.1 * ratio] * 12,
        "samples_per_s_a": 25600.0,
        "samples_per_s_b": 25600.0 / ratio,
        "parity_a": "passed",
        "parity_b": "passed",
        "gated": gated,
    }


def compare_records() -> list[dict]:
    """A gated A/B run that found B slower (so the test failed), and an ungated A/A run that found no change."""
    figures = compare_figures("torch", "torch-next", 1.18, (1.15, 1.21), "slower", True)
    slower = rec(
        "torch-next", "mnist_mlp", "compare", "failed", reason=GATE_REASON, data=REAL, parity="", figures=figures
    )
    figures = compare_figures("torch", "torch", 1.004, (0.981, 1.027), "same", False, threshold=0.05)
    same = rec("torch", "cifar10_cnn", "compare", data=SYNTH, parity="", figures=figures)
    for r, ident in ((slower, "mnist_mlp-torch-vs-torch-next"), (same, "cifar10_cnn-torch-vs-torch")):
        r["test"] = f"suites/perf/test_compare.py::test_ab[{ident}]"
    slower["pair"] = {"a": "torch", "b": "torch-next"}
    same["figures"].pop("a")  # a schema-1 record of a test that never ran has no figures: A is in its id
    return [slower, v1(same)]


def v1(r: dict) -> dict:
    """A schema-1 record as it was written: no pair, parity counts or declared kind of a test that ended
    before its body (results.upgrade reads them back)."""
    r = {k: v for k, v in r.items() if k not in ("pair", "parity_checks")}
    return {**r, "schema": 1}


REAL = {"source": "fashion-mnist (Debian dataset-fashion-mnist)", "synthetic": False}
SYNTH = {"source": "synthetic cifar10 of the same shapes", "synthetic": True}


def records() -> list[dict]:
    out = []
    for fw in ("torch", "keras-jax"):
        for task in ("mnist_mlp", "cifar10_cnn"):
            for check in ("parameters", "forward_matches_reference", "train_step_matches_reference"):
                failed = (fw, task, check) == ("keras-jax", "cifar10_cnn", "forward_matches_reference")
                figures = {"max_abs_err": 3e-2 if failed else 4e-7, "max_rel_err": 1e-5}
                if check == "train_step_matches_reference":
                    figures = {"max_rel_l2_err": 2e-6, "steps": 2}
                out.append(
                    rec(fw, task, "parity", "failed" if failed else "passed", check,
                        reason=FAIL_REASON if failed else "", figures=figures)
                )  # fmt: skip
    # training: torch is fastest on mnist_mlp (1000 vs 400 -> keras-jax 2.50), keras-jax on cifar10_cnn (200 vs 100)
    # stableness: keras-jax's mnist_mlp is noisy by its own flag (and CV); torch's cifar10_cnn by its flag alone;
    # torch's mnist_mlp inference has a wide CV but its flag says steady; keras-jax's inference is an old record
    # without the flag, flagged by the CV rule
    out.append(rec("torch", "mnist_mlp", "train", figures=train_figures(1000.0, noisy=False), data=REAL))
    out.append(
        rec("keras-jax", "mnist_mlp", "train", figures=train_figures(400.0, cv=0.6, noisy=True, outliers=3), data=REAL)
    )  # fmt: skip
    out.append(rec("torch", "cifar10_cnn", "train", figures=train_figures(100.0, noisy=True, outliers=1), data=SYNTH))
    out.append(
        rec("keras-jax", "cifar10_cnn", "train", figures=train_figures(200.0), data=SYNTH, parity="failed")
    )  # fmt: skip
    # an older measurement of the same cell (earlier time, other run): the latest one must win
    out.insert(0, rec("torch", "mnist_mlp", "train", figures=train_figures(50.0), time="2025-06-01T00:00:00+00:00",
                      run_id="run0", data=REAL))  # fmt: skip
    out.append(rec("torch", "mnist_mlp", "infer", figures=infer_figures(10.0, cv=0.5, noisy=False), data=REAL))
    out.append(rec("keras-jax", "mnist_mlp", "infer", figures=infer_figures(40.0, cv=0.4), data=REAL))
    out.append(rec("torch", "cifar10_cnn", "infer", figures=infer_figures(20.0), data=SYNTH))
    out.append(rec("keras-jax", "cifar10_cnn", "infer", figures={}, outcome="failed", reason="worker died: SIGSEGV"))
    # a framework that is not importable: every test skipped in setup (perf records then say kind "perf")
    for task in ("mnist_mlp", "cifar10_cnn"):
        out.append(rec("ghost", task, "parity", "skipped", "forward_matches_reference", reason=SKIP_REASON))
        for kind in ("train", "infer"):
            r = rec("ghost", task, kind, "skipped", reason=SKIP_REASON, parity="not run")
            out.append(v1({**r, "kind": "perf"}))
    out.extend(compare_records())
    return out


@pytest.fixture
def results(tmp_path) -> Path:
    path = tmp_path / "results.jsonl"
    lines = [json.dumps(r) for r in records()]
    lines.insert(3, json.dumps({"schema": 0, "framework": "torch", "task": "old"}))  # an older schema
    lines.insert(5, "{not json")
    path.write_text("\n".join(lines) + "\n\n")
    return path


def cell(page: str, kind: str, task: str, framework: str) -> str:
    m = re.search(
        rf'<td class="cell[^"]*" data-kind="{kind}" data-task="{task}" data-framework="{framework}">(.*?)</td>',
        page,
        re.S,
    )
    assert m, f"no {kind} cell for {task} x {framework}"
    return m.group(1)


def ratio(page: str, kind: str, task: str, framework: str) -> str:
    m = re.search(r'<span class="ratio">([\d.]+)</span>', cell(page, kind, task, framework))
    assert m, cell(page, kind, task, framework)
    return m.group(1)


def check_page(page: str) -> None:
    for name in ("torch", "keras-jax", "ghost", "mnist_mlp", "cifar10_cnn"):
        assert f"<th>{name}</th>" in page or f'<th class="row">{name}</th>' in page, name
    # ratio to fastest: 1.00 for the fastest, fastest/this for the others; the latest record wins
    assert ratio(page, "train", "mnist_mlp", "torch") == "1.00"
    assert ratio(page, "train", "mnist_mlp", "keras-jax") == "2.50"
    assert ratio(page, "train", "cifar10_cnn", "keras-jax") == "1.00"
    assert ratio(page, "train", "cifar10_cnn", "torch") == "2.00"
    assert ratio(page, "infer", "mnist_mlp", "torch") == "1.00"
    assert ratio(page, "infer", "mnist_mlp", "keras-jax") == "4.00"
    assert "1,000 samples/s" in cell(page, "train", "mnist_mlp", "torch")
    assert "accuracy 80.0 %" in cell(page, "train", "mnist_mlp", "torch")
    # synthetic data is marked on its cells and only there
    assert 'class="synthetic"' in cell(page, "train", "cifar10_cnn", "torch")
    assert 'class="synthetic"' in cell(page, "infer", "cifar10_cnn", "torch")
    assert 'class="synthetic"' not in cell(page, "train", "mnist_mlp", "torch")
    assert "synthetic cifar10 of the same shapes" in page
    assert "(synthetic data: meaningless)" in cell(page, "train", "cifar10_cnn", "torch")
    # a spread past the noise threshold is flagged: by the record's own flag, else (old records) by CV
    assert 'class="noisy"' in cell(page, "train", "mnist_mlp", "keras-jax")
    assert 'class="noisy"' not in cell(page, "train", "mnist_mlp", "torch")
    assert 'class="noisy"' in cell(page, "train", "cifar10_cnn", "torch")  # flag set, CV 5 %
    assert 'class="noisy"' not in cell(page, "infer", "mnist_mlp", "torch")  # flag clear, CV 50 %
    assert 'class="noisy"' in cell(page, "infer", "mnist_mlp", "keras-jax")  # no flag, CV 40 %
    assert "3 outliers" in cell(page, "train", "mnist_mlp", "keras-jax")
    assert "1 outlier<" in cell(page, "train", "cifar10_cnn", "torch")
    assert "spread 40 %" in cell(page, "train", "cifar10_cnn", "torch")
    # % of the framework's own matmul peak beside the achieved GFLOP/s (3 GFLOP/s of 600)
    assert "0.5 % of peak" in cell(page, "gflops", "mnist_mlp", "torch")
    check_roofline(page)
    check_ab(page)
    assert "no GPU" in page
    # failures and skips, with their reasons, readable without hovering
    assert 'parity <span class="bad">FAILED</span>' in cell(page, "train", "cifar10_cnn", "keras-jax")
    assert "FAIL: " + FAIL_REASON.replace("'", "&#x27;") in page
    assert 'data-check="forward_matches_reference" data-framework="keras-jax" data-task="cifar10_cnn"' in page
    ghost = cell(page, "train", "mnist_mlp", "ghost")
    assert "skip" in ghost and "ghost: not importable" in ghost
    assert "SIGSEGV" in cell(page, "infer", "cifar10_cnn", "keras-jax")
    # figures, adapter details, versions, machine
    assert "4.00e-07" in page and "2.00e-06" in page
    assert "keras 3.7.0 (backend jax 0.4.99)" in page and "torch 2.9.0+cpu" in page
    assert "Test CPU 9000" in page and "openblas 0.3.99 (Haswell, 8 threads)" in page
    assert "<td>NCHW</td>" in page
    assert "run0" in page and "run1" in page
    # the seeds' figures, labelled as not measured here
    assert "Published by the seed projects on K80/P100 GPUs — not this machine" in page
    assert "MXNet Module" in page and "s per 1000 images" in page and "Keras-MXNet" in page
    # self-contained: embedded PNG charts, no external resources
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 7  # per task: training bars, inference bars, convergence; and the A/B ratios
    for data in images:
        assert base64.b64decode(data, validate=True).startswith(PNG_MAGIC)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower()


def section(page: str, anchor: str) -> str:
    m = re.search(rf'<h2 id="{anchor}">(.*?)(?=<h2 |</body>)', page, re.S)
    assert m, f"no section {anchor}"
    return m.group(1)


def check_roofline(page: str) -> None:
    roof = section(page, "roofline")
    assert "Roofline" in roof and '<a href="#roofline">' in page
    assert "OPENBLAS_CORETYPE" in roof and "NumPy" in roof
    rows = dict(
        ((fw, task), row)
        for fw, task, row in re.findall(
            r'<tr class="roofline" data-framework="([^"]*)" data-task="([^"]*)">(.*?)</tr>', roof, re.S
        )
    )
    assert {("torch", "mnist_mlp"), ("keras-jax", "cifar10_cnn"), ("ghost", "mnist_mlp")} <= set(rows)
    tds = re.findall(r"<td>(.*?)</td>", rows[("torch", "mnist_mlp")], re.S)
    # own peak, NumPy peak, train GFLOP/s, % of peak, s/epoch, lower bound, infer GFLOP/s, % of peak, overhead
    assert tds[0] == "600" and tds[1] == "150"
    assert "<b>3</b>" in tds[2] and tds[3] == "0.5 %"
    assert tds[4] == "11" and tds[5].startswith("0.3") and "36.7 × the bound" in tds[5]
    assert "<b>10</b>" in tds[6] and tds[7] == "1.7 %"  # 10,000 images/s x 1 MFLOP
    assert tds[8] == "2.5" and "0.042 %" in tds[9]
    assert "skipped" in rows[("ghost", "mnist_mlp")]


def check_ab(page: str) -> None:
    ab = section(page, "ab")
    assert '<a href="#ab">A/B comparisons</a>' in page
    rows = {
        (task, a, b): (verdict, row)
        for task, a, b, verdict, row in re.findall(
            r'<tr class="ab" data-task="([^"]*)" data-a="([^"]*)" data-b="([^"]*)" data-verdict="([^"]*)">(.*?)</tr>',
            ab,
            re.S,
        )
    }
    assert set(rows) == {("mnist_mlp", "torch", "torch-next"), ("cifar10_cnn", "torch", "torch")}
    verdict, row = rows[("mnist_mlp", "torch", "torch-next")]
    assert verdict == "slower" and '<span class="verdict slower"' in row
    assert "1.180" in row and "95 % CI 1.150–1.210" in row and "B 18.0 % slower than A" in row
    tds = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert tds[1] == "10 %" and tds[3].startswith("12") and "× 40 steps" in tds[3]
    assert tds[4] == "25,600" and tds[5] == "21,695"
    assert "passed" in tds[6] and "passed" in tds[7] and tds[8] == "yes" and "FAIL" in tds[9]
    verdict, row = rows[("cifar10_cnn", "torch", "torch")]
    assert verdict == "same" and '<span class="verdict same"' in row
    assert "95 % CI 0.981–1.027" in row and ">no<" in row and "5 %" in row
    assert "gate: torch-next vs torch on mnist_mlp" in ab  # the failed gate's reason
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', ab)
    assert len(images) == 1 and base64.b64decode(images[0], validate=True).startswith(PNG_MAGIC)


def test_render_in_process(results, tmp_path, capsys):
    stats = reports.render([results], tmp_path / "out" / "index.html")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    check_page(page)
    err = capsys.readouterr().err
    assert "schema 0" in err and "not JSON" in err
    assert stats["outcomes"]["failed"] == 3 and stats["charts"] == 7  # 3 failed: one is the gated A/B run


def test_cli(results, tmp_path):
    out = tmp_path / "page.html"
    proc = subprocess.run(
        [sys.executable, "-m", "reports", str(results), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == str(out) and "3 failed" in lines[1] and len(lines) == 2
    assert "skipped, schema 0" in proc.stderr
    check_page(out.read_text(encoding="utf-8"))


def test_cli_missing_file_is_one_line(tmp_path):
    missing = tmp_path / "nope.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "reports", str(missing), "-o", str(tmp_path / "x.html")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip().count("\n") == 0 and str(missing) in proc.stderr, proc.stderr
    assert not (tmp_path / "x.html").exists()


def test_empty_file_says_no_records(tmp_path):
    empty = tmp_path / "results.jsonl"
    empty.write_text("")
    reports.render([empty], tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "No records" in page and "not this machine" in page


def test_missing_figures_and_unknown_keys(tmp_path):
    """Records with no figures, odd values and HTML in the reason still render, escaped."""
    r = rec("torch", "mnist_mlp", "train", figures={"samples_per_s": "fast", "samples_per_s_iqr": [1]})
    r2 = rec("torch", "mnist_mlp", "parity", "failed", "forward_matches_reference", reason="<b>x</b>", figures=None)
    del r2["describe"], r2["machine"]
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(r) + "\n" + json.dumps(r2) + "\n")
    reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert 'data-kind="train" data-task="mnist_mlp" data-framework="torch"' in page


CNTK_SKIP = (
    "cntk: not importable by /repo/.venvs/cntk/bin/python: interpreter /repo/.venvs/cntk/bin/python not found "
    "(CNTK 2.7 has wheels only for CPython 3.5/3.6: ./dlp setup builds .venvs/cntk where python3.6 exists)"
)
NO_ADAPTER_SEEDS = (
    "Keras 2 (multi-backend)",
    "Keras-CNTK",
    "Keras-Theano",
    "Keras-MXNet",
    "Caffe",
    "Caffe2",
    "Lasagne",
    "Torch7",
    "Knet",
    "DL4J",
    "Neon",
)


def framework_rows(page: str) -> dict:
    """{(matrix entry, seed framework): row html} of the framework table."""
    rows = re.findall(r'<tr data-framework="([^"]*)" data-seed="([^"]*)" data-status="([^"]*)">(.*?)</tr>', page, re.S)
    return {(entry, seed): (status, html_) for entry, seed, status, html_ in rows}


def test_framework_table_lists_every_seed_framework(tmp_path):
    """Tested entries (version, counts, skip reasons such as CNTK's), seed entries without records, and
    every seed framework that has no adapter, each with its reason."""
    from reports import seeds

    recs = [r for r in records() if r["framework"] in ("torch", "ghost")]
    for check in ("parameters", "forward_matches_reference", "train_step_matches_reference"):
        recs.append(rec("cntk", "mnist_mlp", "parity", "skipped", check, reason=CNTK_SKIP))
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = framework_rows(page)

    status, row = rows[("cntk", "CNTK")]
    assert status == "skipped" and "0 passed" in row and "3 skipped" in row
    assert "not started (no version reported)" in row
    assert "interpreter /repo/.venvs/cntk/bin/python not found" in row
    assert "CNTK 2.7 has wheels only for CPython 3.5/3.6" in row
    status, row = rows[("torch", "PyTorch")]
    assert status == "passed" and "torch 2.9.0+cpu" in row and "0 failed" in row
    assert rows[("ghost", "")][0] == "skipped"  # not a seed framework, still listed
    # seed frameworks whose entries have no records here
    for entry, seed in (("mxnet", "MXNet Gluon / MXNet Module"), ("chainer", "Chainer"), ("tensorflow", "TensorFlow")):
        status, row = rows[(entry, seed)]
        assert status == "no-records" and "did not run in these results" in row, (entry, row)
    # seed frameworks with no adapter, each with its version and reason
    no_adapter = {seed: row for (entry, seed), (status, row) in rows.items() if status == "no-adapter"}
    assert set(no_adapter) == set(NO_ADAPTER_SEEDS) == {seed for seed, _, _ in seeds.NO_ADAPTER}
    for seed, version, reason in seeds.NO_ADAPTER:
        assert reasons_in(no_adapter[seed], reason) and html.escape(version) in no_adapter[seed], seed
    assert "Keras 3" in no_adapter["Keras-CNTK"] and "CNTK" in no_adapter["Keras-CNTK"]
    assert "Python 3.11" in no_adapter["Caffe"] and "torch entry" in no_adapter["Caffe2"]
    assert "Theano" in no_adapter["Lasagne"] and "Julia" in no_adapter["Knet"] and "JVM" in no_adapter["DL4J"]
    assert "Lua" in no_adapter["Torch7"] and "discontinued" in no_adapter["Neon"]
    # every seed framework of the published tables is covered by some row
    covered = " ".join(seed for _, seed in rows)
    for name in ("PyTorch", "TensorFlow", "Keras-TF", "Chainer", "CNTK", "MXNet Gluon", "MXNet Module"):
        assert name in covered, name
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)


def reasons_in(row: str, reason: str) -> bool:
    return html.escape(reason, quote=True) in row


def test_framework_table_on_an_empty_page(tmp_path):
    empty = tmp_path / "results.jsonl"
    empty.write_text("")
    reports.render([empty], tmp_path / "index.html")
    rows = framework_rows((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert {seed for (_, seed), (status, _) in rows.items() if status == "no-adapter"} == set(NO_ADAPTER_SEEDS)
    assert rows[("cntk", "CNTK")][0] == "no-records"


def test_gpu_details(tmp_path):
    """GPU devices, CUDA and cuDNN from the worker's version, CUDA_VISIBLE_DEVICES from the controller."""
    gpu_version = {"framework": "torch", "version": "2.9.0+cu128", "devices": ["cpu", "cuda:0"], "cuda": "12.8",
                   "cudnn": 91002}  # fmt: skip
    r = rec("torch", "mnist_mlp", "train", figures=train_figures(5000.0), device="gpu")
    r.update(version=gpu_version, machine={**MACHINE, "CUDA_VISIBLE_DEVICES": "0"})
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(r) + "\n")
    reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    gpu = re.search(r'<tr class="gpu">(.*?)</tr>', page, re.S)
    assert gpu, "no GPU row"
    assert "cuda:0" in gpu.group(1) and "<td>12.8</td>" in gpu.group(1) and "91002 (9.10.2)" in gpu.group(1)
    assert "CUDA_VISIBLE_DEVICES=0" in gpu.group(1) and "no GPU" not in page
    assert "torch: cuda:0, CUDA 12.8, cuDNN 91002 (9.10.2)" in page


def scaling_figures(points: list[tuple[int, float]], cpu: bool = True) -> dict:
    """A suites/perf/test_scaling.py record's figures: (replicas, samples/s) per count."""
    base = points[0][1]
    pts = [
        {"replicas": n, "samples_per_s": s, "samples_per_s_iqr": [0.95 * s, 1.05 * s], "first_step_s": 1.5,
         "noisy": False, "throughput_ratio": s / base, "efficiency": s / base / n}
        for n, s in points
    ]  # fmt: skip
    return {"points": pts, "global_batch": 64, "cpu_virtual_devices": cpu, "not_run": {}}


def test_data_parallel_scaling_section(tmp_path):
    """Records of kind "scaling" give a table (framework x task x replicas: samples/s, ratio,
    efficiency) and an inline SVG chart per task; CPU groups are labelled an engine-overhead
    measurement, GPU groups are not; failures and skips keep their reasons."""
    skip_reason = "keras-jax: no data-parallel engine in this adapter"
    recs = [
        rec("torch", "cifar10_cnn", "scaling", figures=scaling_figures([(1, 100.0), (2, 180.0)])),
        rec("keras-jax", "cifar10_cnn", "scaling", figures=scaling_figures([(1, 200.0), (2, 150.0)])),
        rec("torch", "mnist_mlp", "scaling", "failed", reason="AssertionError: 2 replicas: no throughput"),
        rec("keras-jax", "mnist_mlp", "scaling", "skipped", reason=skip_reason),
        rec("torch", "cifar10_cnn", "scaling", device="gpu",
            figures=scaling_figures([(1, 1000.0), (2, 1900.0), (4, 3600.0)], cpu=False)),
    ]  # fmt: skip
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    stats = reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<a href="#scaling">Data-parallel scaling</a>' in page
    body = section(page, "scaling")
    cpu_part, gpu_part = re.split(r"<h3>", body)[1:3]
    assert "device <code>cpu</code>" in cpu_part and "device <code>gpu</code>" in gpu_part
    assert "engine-overhead measurement, not a speed-up" in cpu_part
    assert "engine-overhead" not in gpu_part and "speed-up" not in gpu_part.split("<svg")[0]
    rows = dict(
        ((fw, task), row)
        for fw, task, row in re.findall(
            r'<tr class="scaling" data-framework="([^"]*)" data-task="([^"]*)">(.*?)</tr>', cpu_part, re.S
        )
    )
    assert set(rows) == {("torch", "cifar10_cnn"), ("keras-jax", "cifar10_cnn"), ("torch", "mnist_mlp"),
                         ("keras-jax", "mnist_mlp")}  # fmt: skip
    assert "100 samples/s" in rows[("torch", "cifar10_cnn")] and "180 samples/s" in rows[("torch", "cifar10_cnn")]
    assert "ratio 1.80 · efficiency 90 %" in rows[("torch", "cifar10_cnn")]
    assert "ratio 0.75 · efficiency 38 %" in rows[("keras-jax", "cifar10_cnn")]
    assert "failed" in rows[("torch", "mnist_mlp")] and "no throughput" in rows[("torch", "mnist_mlp")]
    skipped = rows[("keras-jax", "mnist_mlp")]
    assert "skipped" in skipped and html.escape(skip_reason) in skipped
    assert "4 replicas" in gpu_part and "ratio 3.60 · efficiency 90 %" in gpu_part
    # one inline SVG chart per group and task with passed records, no scripts, styles or external links
    svgs = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(svgs) == 2 and stats["charts"] == 2
    assert "engine overhead" in svgs[0] and "ideal on shared cores" in svgs[0] and "linear scaling" in svgs[1]
    for svg in svgs:
        assert "<script" not in svg and "<style" not in svg and 'id="figure_1"' not in svg
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    # without scaling records the section says so
    path.write_text(json.dumps(rec("torch", "mnist_mlp", "train", figures=train_figures(500.0))) + "\n")
    reports.render(path, tmp_path / "plain.html")
    plain = (tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "No data-parallel scaling records" in section(plain, "scaling")


def test_parity_across_seeds_names_a_flaky_check(tmp_path):
    """Records of two seeds: one check failed under seed 2 only; the page counts runs per entry and
    check and names the flaky test. Records of one seed: no such section."""
    fwd = "forward_matches_reference"
    recs = [rec("torch", "mnist_mlp", "parity", "passed", fwd, seed=1, run_id="a")]
    recs += [rec("torch", "mnist_mlp", "parity", "failed", fwd, seed=2, run_id="b", reason="off by 1e-2")]
    recs += [rec("keras-jax", "mnist_mlp", "parity", "passed", fwd, seed=s, run_id=f"m{s}") for s in (1, 2)]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Parity across seeds" in page and "Parity records of 2 seeds (1, 2)" in page
    assert '<td class="cell failed">1/2</td>' in page and '<td class="cell ok">2/2</td>' in page
    assert "FLAKY: suites/parity/test_model.py::test_forward_matches_reference[mnist_mlp-torch] (seeds 2)" in page
    path.write_text("".join(json.dumps(r) + "\n" for r in recs[:1] + recs[2:3]))
    reports.render(path, tmp_path / "index.html")
    assert "Parity across seeds" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_summary_markdown_names_gate_verdicts_failures_and_expected_differences(tmp_path):
    from reports import load, summary

    records = [
        *compare_records(),
        rec("torch", "mnist_mlp", "parity", check="forward_matches_reference"),
        rec("keras-jax", "mnist_cnn", "parity", "failed", check="train_step_matches_reference", reason="max|err| 3e-2"),
        rec("keras-jax", "imdb_gru", "parity", "skipped", check="gradients", reason="expected difference (x): why"),
    ]
    text = summary.markdown([load.normalise(upgrade(r)) for r in records], "run r1")
    assert text.startswith("## run r1\n\n**FAILED**: 5 tests recorded: 2 passed, 2 failed, 1 expected difference")
    assert "| torch | torch-next | mnist_mlp | 1.180 | 1.150–1.210 | 10% | slower | yes | failed |" in text
    assert "| torch | torch | cifar10_cnn | 1.004 | 0.981–1.027 | 5% | same | no | passed |" in text
    assert (
        "| keras-jax | mnist_cnn | test_train_step_matches_reference[mnist_cnn-keras-jax] | max\\|err\\| 3e-2 |" in text
    )
    assert "| keras-jax | imdb_gru | gradients | expected difference (x): why |" in text
    clean = summary.markdown([load.normalise(records[-3])], "run r2")
    assert clean.startswith("## run r2\n\n**passed**: 1 tests recorded: 1 passed") and "###" not in clean

    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    reports.render([path], tmp_path / "index.html")
    assert (tmp_path / "summary.md").read_text().startswith("## dlparity report\n\n**FAILED**")


def test_two_machines_never_share_a_table(tmp_path):
    """Records of two machine fingerprints merged into one file: each machine keeps its own latest
    record and its own training table; neither figure replaces or sits beside the other."""
    fast = {**MACHINE, "id": "aaaaaaaaaa", "cpu": "Fast CPU", "hostname": "fast"}
    slow = {**MACHINE, "id": "bbbbbbbbbb", "cpu": "Slow CPU", "hostname": "slow"}
    recs = [
        rec("torch", "mnist_mlp", "train", figures=train_figures(9000.0), machine=fast),
        rec(
            "torch", "mnist_mlp", "train", figures=train_figures(1000.0), machine=slow, time="2026-01-02T10:00:00+00:00"
        ),  # fmt: skip
    ]
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    reports.render([path], tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    training = section(page, "training")
    heads = re.findall(r"<h3>Training: (.*?)</h3>", training)
    assert len(heads) == 2 and "aaaaaaaaaa (Fast CPU" in heads[0] and "bbbbbbbbbb (Slow CPU" in heads[1], heads
    tables = re.split(r"<h3>Training: ", training)[1:]
    assert "9,000" in tables[0] and "1,000" not in tables[0], tables[0][:2000]
    assert "1,000" in tables[1] and "9,000" not in tables[1], tables[1][:2000]


def test_verdict_comes_first_with_failures_and_skips_by_cause(tmp_path):
    """The first section answers: parity per entry x task, speed relative to the fastest, what failed
    and why (open), the skips one line per entry and cause with their count and tasks (collapsed)."""
    dp = "ghost does not train {} data-parallel on cpu: no replicas"
    recs = records() + [
        rec("ghost", t, "scaling", "skipped", reason=dp.format(t), parity="not run")
        for t in ("mnist_mlp", "cifar10_cnn")
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    reports.render(path, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<h2 id="(\w+)"', page)[0] == "verdict"
    verdict = page[page.index('id="verdict"') : page.index('id="summary"')]
    cell = re.search(r'data-task="cifar10_cnn" data-framework="keras-jax">(.*?)</td>', verdict).group(1)
    assert "FAILED 1 of 3" in cell and "t 1.00" in cell  # the fastest trainer there, parity failed
    cell = re.search(r'data-task="mnist_mlp" data-framework="torch">(.*?)</td>', verdict).group(1)
    assert "passed" in cell and "t 1.00 · i 1.00" in cell
    assert "t 2.50 · i 4.00" in re.search(
        r'data-task="mnist_mlp" data-framework="keras-jax">(.*?)</td>', verdict
    ).group(1)
    failed = re.search(r'<details class="failed" open>(.*?)</details>', verdict, re.S).group(1)
    assert html.escape(FAIL_REASON.replace("cifar10_cnn", "<task>")) in failed and "worker died" in failed
    skipped = re.search(r'<details class="skipped">(.*?)</details>', verdict, re.S).group(1)  # collapsed: no "open"
    line = [li for li in re.findall(r"<li>(.*?)</li>", skipped) if "data-parallel" in li]
    assert len(line) == 1 and "2 tests · tasks: cifar10_cnn, mnist_mlp" in line[0], line
    assert html.escape(dp.format("<task>")) in line[0]


def test_the_page_states_the_rules_the_writers_apply(results, tmp_path):
    """The noisy thresholds and the A/B statistic in the page's words are the ones fixtures/ computes."""
    from fixtures import compare, timing
    from reports import tables

    assert (tables.NOISY_SPREAD, tables.NOISY_CV, tables.AB_TRIM) == (
        timing.NOISY_SPREAD,
        compare.NOISY_CV,
        compare.TRIM,
    )
    reports.render(results, tmp_path / "index.html")
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f"spread above {timing.NOISY_SPREAD:.0%}" in page and f"CV above {compare.NOISY_CV:.0%}" in page
    assert (
        f"less the {compare.TRIM:.0%} highest and {compare.TRIM:.0%} lowest" in page
        and "median of the paired" not in page
    )
