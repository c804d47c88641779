"""HTML tables: summary, training, inference, GFLOP/s, parity matrix, adapters, seeds, machines."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

from reports import seeds
from reports.fmt import Notes, esc, iqr, is_num, machine_label, median, num, pct, sci, shorten, table

CHECK_ORDER = ("parameters", "forward_matches_reference", "train_step_matches_reference")
OUTCOME_LABEL = {"passed": "pass", "failed": "FAIL", "skipped": "skip"}
FW_REASON_CHARS = 320  # reasons in the framework table are shown whole up to this length (else a footnote)
FW_REASONS_OPEN = 2  # an entry's skip causes in the framework table: shown open up to this many, else collapsed
# The writers' noisy rules as the report states them (test_report checks them against fixtures/):
NOISY_SPREAD = 0.25  # fixtures.timing.NOISY_SPREAD: a timed record's own flag, (max - min) / median of its rounds
NOISY_CV = 0.25  # for records without that flag: coefficient of variation over rounds; also compare.NOISY_CV
AB_TRIM = 0.2  # fixtures.compare.TRIM: the A/B ratio is the mean of the paired ratios less this fraction each end


# ---------------------------------------------------------------------------------------------
# grouping and small formatters


def groups(records: list[dict]) -> dict[tuple[str, str, str], list[dict]]:
    """Records per (profile, device, machine), in a stable order: no table ever holds two machines'
    figures. The machine is its label (id and hardware), or "" when every record is from one machine."""
    labels = machine_labels(records)
    out: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for rec in records:
        out[(rec["profile"], rec["device"], labels[rec["machine_id"]] if len(labels) > 1 else "")].append(rec)
    return dict(sorted(out.items()))


def machine_labels(records: list[dict]) -> dict[str, str]:
    """machine_id -> ``id (CPU, cores, memory, GPUs, host)``."""
    out: dict[str, str] = {}
    for rec in records:
        if rec["machine_id"] not in out:
            out[rec["machine_id"]] = machine_label(rec["machine"]) if rec["machine"].get("id") else rec["machine_id"]
    return out


def by_cell(records: list[dict], kind: str) -> dict[tuple[str, str], dict]:
    return {(r["task"], r["framework"]): r for r in records if r["kind"] == kind}


def version_text(version: dict) -> str:
    """``keras 3.6 (backend jax 0.4.35)``, ``torch 2.5.1 (cuda 12.4, cudnn 90100)``."""
    if not version:
        return "version unknown"
    text = f"{version.get('framework', '?')} {version.get('version', '?')}"
    extras = []
    if version.get("backend"):
        extras.append(f"backend {version['backend']} {version.get('backend_version', '')}".strip())
    for key, value in version.items():
        if key in ("framework", "version", "backend", "backend_version", "devices") or value in (None, "", []):
            continue
        extras.append(f"{key} {value}")
    return text + (f" ({', '.join(extras)})" if extras else "")


def blas_text(blas) -> str:
    if not isinstance(blas, list) or not blas:
        return "—"
    parts = []
    for lib in blas:
        if not isinstance(lib, dict):
            parts.append(str(lib))
            continue
        name = lib.get("internal_api") or lib.get("prefix") or "?"
        bits = [b for b in (lib.get("version"), lib.get("architecture")) if b]
        threads = lib.get("num_threads")
        text = " ".join([str(name), *(str(b) for b in bits[:1])])
        extra = [str(b) for b in bits[1:]] + ([f"{threads} threads"] if threads is not None else [])
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    return "; ".join(parts)


def _outcome_badge(outcome: str) -> str:
    return f'<span class="badge {esc(outcome)}">{esc(OUTCOME_LABEL.get(outcome, outcome))}</span>'


def _reason(rec: dict, notes: Notes) -> str:
    if not rec["reason"]:
        return ""
    full = f"{rec['framework']} · {rec['task']}: {rec['outcome']} — {rec['reason']}"
    return f'<div class="reason" title="{esc(rec["reason"])}">{esc(shorten(rec["reason"], 120))}{notes.ref(full)}</div>'


def _data(rec: dict, notes: Notes) -> str:
    data = rec["data"]
    if not data:
        return ""
    source = str(data.get("source") or "unknown source")
    sizes = [f"{k.split('_')[0]} {data[k]}" for k in ("train_samples", "test_samples") if is_num(data.get(k))]
    detail = source + (f" ({', '.join(sizes)} samples)" if sizes else "")
    if data.get("synthetic"):
        ref = notes.ref(f"synthetic data: {detail} — timings only; accuracy is meaningless")
        return f'<div><span class="synthetic" title="synthetic data: {esc(detail)}">synthetic</span>{ref}</div>'
    return f'<div class="sub" title="data: {esc(detail)}">real data{notes.ref(f"data: {detail}")}</div>'


def _noisy(figures: dict, cv_key: str) -> tuple[bool, str]:
    """(flagged, why): the record's own ``noisy`` flag (max spread of its rounds, fixtures/timing.py)
    where it has one; records written before that flag fall back to the CV rule."""
    flag = figures.get("noisy")
    if isinstance(flag, bool):
        spread = figures.get("max_spread")
        text = f"{100 * spread:.0f} %" if is_num(spread) else "too wide"
        return flag, (
            f"(max - min) / median of the rounds is {text}: the machine disturbed the measurement or the "
            "profile is too short; rerun before comparing"
        )
    cv = figures.get(cv_key)
    return is_num(cv) and cv > NOISY_CV, (
        f"coefficient of variation over rounds above {NOISY_CV:.0%} (a record without its own noisy flag): "
        "the machine was busy or the profile too short; rerun before comparing"
    )


def _stability(figures: dict, cv_key: str) -> str:
    """`` · CV 5 % · spread 12 % · 1 outlier`` and a noisy tag, as far as the record has them."""
    bits = []
    if is_num(figures.get(cv_key)):
        bits.append(f"CV {100 * figures[cv_key]:.0f} %")
    if is_num(figures.get("max_spread")):
        bits.append(f"spread {100 * figures['max_spread']:.0f} %")
    n = figures.get("outliers")
    if is_num(n):
        n = int(n)
        bits.append(
            f'<span class="outliers" title="rounds outside the Tukey fences (1.5 × IQR beyond the quartiles)">'
            f"{n} outlier{'' if n == 1 else 's'}</span>"
        )
    noisy, why = _noisy(figures, cv_key)
    flag = f' <span class="noisy" title="{esc(why)}">noisy</span>' if noisy else ""
    return (f'<span class="sub"> · {" · ".join(bits)}</span>' if bits else "") + flag


def _parity(rec: dict, latest_parity: dict) -> str:
    status = rec["parity"]
    other = latest_parity.get((rec["framework"], rec["task"]))
    if status in ("", "not run") and other:
        return f'<div class="sub">parity not run in this session; latest parity records: {_status(other)}</div>'
    if not status:
        return ""
    return f'<div class="sub">parity {_status(status)}</div>'


def _status(status: str) -> str:
    cls = {"passed": "ok", "failed": "bad"}.get(status, "muted")
    label = {"passed": "passed", "failed": "FAILED"}.get(status, status)
    return f'<span class="{cls}">{esc(label)}</span>'


def cause(rec: dict) -> str:
    """A skip or failure's cause: the record's first reason line with its task's name generalised to
    ``<task>`` ("chainer does not train <task> data-parallel …" is one cause over every task)."""
    lines = (rec["reason"] or "").strip().splitlines()
    first = lines[0] if lines else "(no reason given)"
    return first.replace(rec["task"], "<task>") if rec["task"] else first


def parity_status(records: list[dict]) -> dict[tuple[str, str], str]:
    """Overall parity per (framework, task) over the latest parity records: failed > passed > skipped."""
    seen: dict[tuple[str, str], set] = defaultdict(set)
    for r in records:
        if r["kind"] == "parity":
            seen[(r["framework"], r["task"])].add(r["outcome"])
    out = {}
    for key, outcomes in seen.items():
        out[key] = "failed" if "failed" in outcomes else "passed" if "passed" in outcomes else "skipped"
    return out


def _cell_attrs(rec_kind: str, task: str, fw: str, cls: str) -> str:
    return f'class="cell {cls}" data-kind="{esc(rec_kind)}" data-task="{esc(task)}" data-framework="{esc(fw)}"'


def speed_ratios(cells: dict, task: str, frameworks: list[str], metric) -> dict[str, float]:
    """fastest / this for every passed cell of a row with a positive metric (1.00 = fastest)."""
    vals = {}
    for fw in frameworks:
        rec = cells.get((task, fw))
        if rec and rec["outcome"] == "passed":
            v = metric(rec["figures"])
            if is_num(v) and v > 0:
                vals[fw] = v
    best = max(vals.values(), default=None)
    return {fw: best / v for fw, v in vals.items()} if best else {}


# ---------------------------------------------------------------------------------------------
# 1. summary


def summary(loaded, records: list[dict]) -> str:
    runs: dict[str, list[dict]] = defaultdict(list)
    for r in loaded.records:
        runs[r["run_id"] or "?"].append(r)
    run_rows = []
    for run_id, recs in sorted(runs.items(), key=lambda kv: min(r["time"] for r in kv[1])):
        times = sorted(r["time"] for r in recs if r["time"])
        hosts = sorted({str(r["machine"].get("hostname", "?")) for r in recs})
        shards = defaultdict(set)  # --shard K/N -> the entries that shard ran
        for r in recs:
            if r["shard"]:
                shards[r["shard"]].add(r["framework"])
        shard_text = "; ".join(f"{k}: {', '.join(sorted(fws))}" for k, fws in sorted(shards.items())) or "—"
        run_rows.append(
            f"<tr><td><code>{esc(run_id)}</code></td><td>{esc(times[0] if times else '?')} … "
            f"{esc(times[-1] if times else '?')}</td><td>{esc(', '.join(sorted({r['profile'] for r in recs})))}</td>"
            f"<td>{esc(', '.join(sorted({r['device'] for r in recs})))}</td><td>{esc(', '.join(hosts))}</td>"
            f"<td>{esc(shard_text)}</td><td>{len(recs)}</td></tr>"
        )
    counts = Counter(r["outcome"] for r in records)
    per_kind = []
    for kind in ("parity", "train", "infer", "compare"):
        c = Counter(r["outcome"] for r in records if r["kind"] == kind)
        if c:
            per_kind.append(
                f"<tr><td>{kind}</td><td class='ok'>{c['passed']}</td><td class='bad'>{c['failed']}</td>"
                f"<td class='muted'>{c['skipped']}</td></tr>"
            )
    fw_notes = Notes("frameworks")
    fw_table = frameworks_table(records, fw_notes)
    machines = {r["machine_id"]: r["machine"] for r in records}
    m_items = "".join(
        f"<li>{esc(label)}: python {esc(machines[mid].get('python', '?'))}, "
        f"{esc(machines[mid].get('platform', '?'))}</li>"
        for mid, label in machine_labels(records).items()
    )
    blas = defaultdict(set)
    for r in records:
        text = blas_text(r["worker"].get("blas"))
        if text != "—":
            blas[r["framework"]].add(text)
    blas_items = "".join(f"<li><b>{esc(fw)}</b>: {esc(' | '.join(sorted(t)))}</li>" for fw, t in sorted(blas.items()))
    tasks = sorted({r["task"] for r in records})
    return (
        f'<p class="counts"><span class="ok">{counts["passed"]} passed</span> · '
        f'<span class="bad">{counts["failed"]} failed</span> · <span class="muted">{counts["skipped"]} skipped</span> '
        f"(latest record per framework × task × kind × check × profile × device: {len(records)} of "
        f"{len(loaded.records)} records read from {esc(', '.join(loaded.sources))}"
        f"{f'; {loaded.skipped} unreadable or old-schema lines skipped' if loaded.skipped else ''})</p>"
        + table(["kind", "passed", "failed", "skipped"], per_kind, "compact")
        + "<h3>Runs</h3>"
        + table(["run id", "time (UTC)", "profiles", "devices", "hosts", "shards", "records"], run_rows, "compact")
        + f"<p><b>Tasks</b>: {esc(', '.join(tasks))} · <b>profiles</b>: "
        f"{esc(', '.join(sorted({r['profile'] for r in records})))} · <b>devices</b>: "
        f"{esc(', '.join(sorted({r['device'] for r in records})))}</p>"
        + "<h3>Frameworks: tested here, and every framework the seed projects measured</h3>"
        + fw_table
        + fw_notes.html("Reasons")
        + f"<h3>Machines</h3><ul>{m_items or '<li>unknown</li>'}</ul>"
        + f'<p><b>GPU</b>: <span class="gpusummary">{esc(gpu_summary(records))}</span></p>'
        + (f"<h3>BLAS / threading libraries (per framework worker)</h3><ul>{blas_items}</ul>" if blas_items else "")
    )


def _fw_row(entry: str, seed: str, version: str, status: str, reasons: list[str], notes: Notes, kind: str) -> str:
    cells = "".join(
        f'<div class="reason" title="{esc(r)}">{esc(shorten(r, FW_REASON_CHARS))}'
        f"{notes.ref(r) if len(' '.join(r.split())) > FW_REASON_CHARS else ''}</div>"
        for r in reasons
    )
    if len(reasons) > FW_REASONS_OPEN:
        cells = f"<details><summary>{len(reasons)} causes</summary>{cells}</details>"
    return (
        f'<tr data-framework="{esc(entry)}" data-seed="{esc(seed)}" data-status="{esc(kind)}">'
        f'<th class="row">{esc(entry or "—")}</th><td>{esc(seed or "—")}</td><td>{esc(version)}</td>'
        f"<td>{status}</td><td>{cells}</td></tr>"
    )


def frameworks_table(records: list[dict], notes: Notes) -> str:
    """One row per framework: every matrix entry with records (version, outcome counts, skip
    reasons), then every seed framework the records do not cover: those with an entry that did not
    run here, and those with no adapter at all (``reports.seeds``), each with its reason."""
    by_fw: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_fw[r["framework"]].append(r)
    seeds_of: dict[str, list[str]] = defaultdict(list)
    for seed, entries, _ in seeds.SEED_FRAMEWORKS:
        for entry in entries:
            seeds_of[entry].append(seed)
    rows = []
    for fw in sorted(by_fw):
        recs = by_fw[fw]
        versions = sorted({version_text(r["version"]) for r in recs if r["version"]})
        c = Counter(r["outcome"] for r in recs)
        status = (
            f'<span class="ok">{c["passed"]} passed</span> · <span class="bad">{c["failed"]} failed</span> · '
            f'<span class="muted">{c["skipped"]} skipped</span>'
        )
        causes = Counter(cause(r) for r in recs if r["outcome"] == "skipped" and r["reason"])
        reasons = [f"{n} × {c}" if n > 1 else c for c, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))]
        if c["failed"]:
            reasons.append(
                f"{c['failed']} failed: see the parity matrix, the timing tables and the A/B comparisons for their "
                "reasons"
            )
        version = "; ".join(versions) or "not started (no version reported)"
        kind = "failed" if c["failed"] else "passed" if c["passed"] else "skipped"
        rows.append(_fw_row(fw, ", ".join(seeds_of.get(fw, [])), version, status, reasons, notes, kind))
    for seed, entries, note in seeds.SEED_FRAMEWORKS:
        if any(e in by_fw for e in entries):
            continue
        names = ", ".join(entries)
        why = f"matrix entr{'ies' if len(entries) > 1 else 'y'} {names} did not run in these results" + (
            f" ({note})" if note else ""
        )
        status = '<span class="muted">no records</span>'
        rows.append(_fw_row(names, seed, "—", status, [why], notes, "no-records"))
    for seed, version, reason in seeds.NO_ADAPTER:
        status = '<span class="badge skipped">no adapter</span>'
        rows.append(_fw_row("", seed, version, status, [reason], notes, "no-adapter"))
    head = ["matrix entry", "seed framework", "version", "status (latest records)", "reasons"]
    return table(head, rows, "compact frameworks")


# ---------------------------------------------------------------------------------------------
# 2. / 3. training and inference tables


def _train_cell(rec: dict, ratio: float | None, notes: Notes, latest_parity: dict) -> str:
    f = rec["figures"]
    parts = []
    if rec["outcome"] != "passed":
        parts.append(_outcome_badge(rec["outcome"]))
        parts.append(_reason(rec, notes))
    if is_num(f.get("samples_per_s")):
        q = iqr(f.get("samples_per_s_iqr"))
        parts.append(f'<div class="main">{num(f["samples_per_s"])} samples/s</div>')
        stability = _stability(f, "samples_per_s_cv")
        if q or stability:
            iqr_text = f"IQR {num(q[0])}–{num(q[1])}" if q else "rounds"
            parts.append(f'<div class="sub">{iqr_text}{stability}</div>')
    spe = f.get("s_per_epoch_median")
    if not is_num(spe):
        spe = median(f.get("s_per_epoch"))
    if is_num(spe):
        parts.append(f"<div>{num(spe)} s/epoch</div>")
    if ratio is not None:
        parts.append(f'<div>ratio <span class="ratio">{ratio:.2f}</span></div>')
    if is_num(f.get("first_step_s")):
        parts.append(f'<div class="sub">first step (compile) {num(f["first_step_s"])} s</div>')
    if is_num(f.get("accuracy")):
        meaningless = (
            ' <span class="muted">(synthetic data: meaningless)</span>' if rec["data"].get("synthetic") else ""
        )
        parts.append(f"<div>accuracy {pct(f['accuracy'])}{meaningless}</div>")
    if is_num(f.get("target_accuracy")):
        if is_num(f.get("time_to_accuracy_s")):
            epochs = f.get("epochs_to_accuracy")
            parts.append(
                f"<div>time to {pct(f['target_accuracy'])}: {num(f['time_to_accuracy_s'])} s"
                f'<span class="sub"> (epoch {epochs})</span></div>'
            )
        else:
            epochs = f.get("epochs") or len(f.get("accuracy_per_epoch") or [])
            missed = f"{pct(f['target_accuracy'])} not reached in {epochs} epochs"
            parts.append(f'<div class="muted">{missed}</div>')
    parts.append(_data(rec, notes))
    parts.append(_parity(rec, latest_parity))
    cls = {"passed": "ok", "failed": "failed", "skipped": "skipped"}.get(rec["outcome"], "")
    return f"<td {_cell_attrs('train', rec['task'], rec['framework'], cls)}>{''.join(parts)}</td>"


def _infer_cell(rec: dict, ratio: float | None, notes: Notes, latest_parity: dict) -> str:
    f = rec["figures"]
    parts = []
    if rec["outcome"] != "passed":
        parts.append(_outcome_badge(rec["outcome"]))
        parts.append(_reason(rec, notes))
    if is_num(f.get("latency_ms_median")):
        q = iqr(f.get("latency_ms_iqr"))
        parts.append(f'<div class="main">{num(f["latency_ms_median"])} ms/batch</div>')
        stability = _stability(f, "latency_ms_cv")
        if q or stability:
            iqr_text = f"IQR {num(q[0])}–{num(q[1])} ms" if q else "rounds"
            parts.append(f'<div class="sub">{iqr_text}{stability}</div>')
    if is_num(f.get("images_per_s")):
        bs = f" (batch {f['batch_size']})" if is_num(f.get("batch_size")) else ""
        parts.append(f"<div>{num(f['images_per_s'])} images/s{esc(bs)}</div>")
    if is_num(f.get("s_per_1000_images")):
        parts.append(f"<div>{num(f['s_per_1000_images'])} s per 1000 images</div>")
    if ratio is not None:
        parts.append(f'<div>ratio <span class="ratio">{ratio:.2f}</span></div>')
    if is_num(f.get("cold_s")):
        parts.append(f'<div class="sub">cold pass {num(f["cold_s"])} s</div>')
    if f.get("variant"):  # a model-zoo task: not one model across frameworks, so say which
        gflop = num(f.get("flops_per_sample", 0) / 1e9)
        parts.append(f'<div class="sub">model: {esc(f["variant"])}, {gflop} GFLOP/image</div>')
    parts.append(_data(rec, notes))
    parts.append(_parity(rec, latest_parity))
    cls = {"passed": "ok", "failed": "failed", "skipped": "skipped"}.get(rec["outcome"], "")
    return f"<td {_cell_attrs('infer', rec['task'], rec['framework'], cls)}>{''.join(parts)}</td>"


def perf_table(records: list[dict], kind: str, notes: Notes, latest_parity: dict) -> str:
    """Rows = task, columns = framework, for one (profile, device)."""
    cells = by_cell(records, kind)
    if not cells:
        return '<p class="muted">No records.</p>'
    frameworks = sorted({fw for _, fw in cells})
    tasks = sorted({t for t, _ in cells})
    metric = (lambda f: f.get("samples_per_s")) if kind == "train" else (lambda f: f.get("images_per_s"))
    render = _train_cell if kind == "train" else _infer_cell
    rows = []
    for task in tasks:
        ratios = speed_ratios(cells, task, frameworks, metric)
        tds = []
        for fw in frameworks:
            rec = cells.get((task, fw))
            if rec is None:
                tds.append(f'<td {_cell_attrs(kind, task, fw, "none")} title="no record">—</td>')
            else:
                tds.append(render(rec, ratios.get(fw), notes, latest_parity))
        rows.append(f'<tr><th class="row">{esc(task)}</th>{"".join(tds)}</tr>')
    return table(["task", *(esc(fw) for fw in frameworks)], rows, f"perf {kind}")


# ---------------------------------------------------------------------------------------------
# 4. achieved GFLOP/s


def gflops_table(records: list[dict]) -> str:
    train, infer = by_cell(records, "train"), by_cell(records, "infer")
    keys = set(train) | set(infer)
    if not keys:
        return '<p class="muted">No records.</p>'
    frameworks = sorted({fw for _, fw in keys})
    rows = []
    for task in sorted({t for t, _ in keys}):
        fps = {}
        tds = []
        for fw in frameworks:
            parts = []
            for label, cells in (("train", train), ("infer", infer)):
                rec = cells.get((task, fw))
                g = rec["figures"].get("gflops_per_s") if rec else None
                if rec and is_num(rec["figures"].get("flops_per_sample")):
                    fps[label] = rec["figures"]["flops_per_sample"]
                if is_num(g):
                    frac = rec["figures"].get("peak_fraction")
                    of_peak = (
                        f' <span class="sub" title="of the framework&#x27;s own float32 matmul peak">· '
                        f"{pct(frac)} of peak</span>"
                        if is_num(frac)
                        else ""
                    )
                    parts.append(f"<div>{label} <b>{num(g)}</b>{of_peak}</div>")
                elif rec:
                    parts.append(f'<div class="muted">{label} — ({esc(rec["outcome"])})</div>')
            lb = train.get((task, fw), {}).get("figures", {}).get("lower_bound_s_per_epoch")
            if is_num(lb):
                parts.append(f'<div class="sub">lower bound {num(lb)} s/epoch</div>')
            tds.append(f"<td {_cell_attrs('gflops', task, fw, '')}>{''.join(parts) or '—'}</td>")
        fp = " · ".join(f"{k} {v / 1e6:,.1f} MFLOP/sample" for k, v in fps.items() if is_num(v))
        rows.append(f'<tr><th class="row">{esc(task)}<div class="sub">{esc(fp)}</div></th>{"".join(tds)}</tr>')
    return table(["task", *(esc(fw) for fw in frameworks)], rows, "perf gflops")


# ---------------------------------------------------------------------------------------------
# 5. roofline


def fine_pct(value) -> str:
    """A percentage to 3 significant figures, so that small fractions (harness overhead) stay readable."""
    return f"{100 * value:.3g} %" if is_num(value) else "—"


def openblas_coretypes(records: list[dict]) -> list[str]:
    """OPENBLAS_CORETYPE values the controller ran with (fixtures/results.machine_info records it)."""
    return sorted({str(r["machine"]["OPENBLAS_CORETYPE"]) for r in records if r["machine"].get("OPENBLAS_CORETYPE")})


def _first_num(key: str, *figures: dict):
    return next((f[key] for f in figures if is_num(f.get(key))), None)


def _achieved(rec: dict | None) -> tuple[str, str]:
    """(GFLOP/s cell, % of peak cell) of one train or infer record."""
    if rec is None:
        return "—", "—"
    f = rec["figures"]
    if not is_num(f.get("gflops_per_s")):
        return f'<span class="muted">— ({esc(rec["outcome"])})</span>', "—"
    return f"<b>{num(f['gflops_per_s'])}</b>", pct(f.get("peak_fraction"))


def roofline_table(records: list[dict]) -> str:
    """One row per framework x task: achieved GFLOP/s against the framework's own matmul peak (with
    NumPy's beside it), the epoch time that peak allows, and the harness's own cost per step."""
    train, infer = by_cell(records, "train"), by_cell(records, "infer")
    keys = sorted({(fw, task) for task, fw in set(train) | set(infer)})
    if not keys:
        return '<p class="muted">No records.</p>'
    rows = []
    for fw, task in keys:
        tr, inf = train.get((task, fw)), infer.get((task, fw))
        ft, fi = (tr or {}).get("figures", {}), (inf or {}).get("figures", {})
        peak = _first_num("peak_gflops", ft, fi)
        np_peak = _first_num("numpy_peak_gflops", ft, fi)
        np_cell = num(np_peak)
        if is_num(peak) and is_num(np_peak) and np_peak > peak:
            np_cell += '<div class="sub">above this framework&#x27;s own matmul</div>'
        peak_cell = num(peak) if is_num(peak) else '<span class="muted">not measured</span>'
        spe = ft.get("s_per_epoch_median")
        spe = spe if is_num(spe) else median(ft.get("s_per_epoch"))
        lb = ft.get("lower_bound_s_per_epoch")
        lb_cell = num(lb)
        if is_num(spe) and is_num(lb) and lb > 0:
            lb_cell += f'<div class="sub">measured = {spe / lb:,.1f} × the bound</div>'
        oh, oh_frac = ft.get("harness_overhead_s_per_step"), ft.get("harness_overhead_fraction")
        oh_cell = fine_pct(oh_frac)
        if is_num(oh_frac) and oh_frac >= 0.01:
            oh_cell = f'<span class="bad" title="the training test fails at 1 %">{oh_cell}</span>'
        train_g, train_p = _achieved(tr)
        infer_g, infer_p = _achieved(inf)
        cells = [
            peak_cell,
            np_cell,
            train_g,
            train_p,
            num(spe),
            lb_cell,
            infer_g,
            infer_p,
            num(oh * 1e6 if is_num(oh) else None),
            oh_cell,
        ]
        rows.append(
            f'<tr class="roofline" data-framework="{esc(fw)}" data-task="{esc(task)}"><th class="row">{esc(fw)}</th>'
            f'<th class="row">{esc(task)}</th>{"".join(f"<td>{c}</td>" for c in cells)}</tr>'
        )
    head = [
        "framework",
        "task",
        "own matmul peak GFLOP/s",
        "NumPy BLAS peak GFLOP/s",
        "train GFLOP/s",
        "train % of peak",
        "measured s/epoch",
        "lower bound s/epoch",
        "infer GFLOP/s",
        "infer % of peak",
        "harness overhead µs/step",
        "overhead / fastest step",
    ]
    return table(head, rows, "compact roofline")


# ---------------------------------------------------------------------------------------------
# A/B comparisons

VERDICT_TITLE = {
    "slower": "the whole confidence interval lies above 1 + threshold: B is slower than A",
    "faster": "the whole confidence interval lies below 1 - threshold: B is faster than A",
    "same": "the confidence interval reaches inside 1 ± threshold: no difference past the threshold",
    "noisy": f"one side's rounds spread too much (coefficient of variation above {NOISY_CV:.0%}): no verdict, rerun",
}


def ab_pair(rec: dict) -> tuple[str, str]:
    """(A, B) of an A/B record: its figures, or (a record of a test that never ran) its test id
    ``...::test_ab[TASK-A-vs-B]``."""
    f = rec["figures"]
    b = str(f.get("b") or rec["framework"])
    a = f.get("a")
    if not a:
        m = re.search(r"\[(.*)\]$", rec["test"])
        ident, prefix, suffix = (m.group(1) if m else ""), f"{rec['task']}-", f"-vs-{b}"
        a = ident[len(prefix) : -len(suffix)] if ident.startswith(prefix) and ident.endswith(suffix) else "?"
    return str(a), b


def ab_ci_text(f: dict) -> str:
    """``95 % CI 1.150–1.210`` (or an empty string)."""
    ci = iqr(f.get("ci"))
    if not ci:
        return ""
    conf = f.get("confidence")
    level = f"{100 * conf:.0f} % " if is_num(conf) else ""
    return f"{level}CI {ci[0]:.3f}–{ci[1]:.3f}"


def _verdict(verdict) -> str:
    if not verdict:
        return "—"
    v = str(verdict)
    return f'<span class="verdict {esc(v)}" title="{esc(VERDICT_TITLE.get(v, ""))}">{esc(v)}</span>'


def _ab_parity(status) -> str:
    text = str(status or "")
    if not text:
        return "—"
    if text == "passed":
        return '<span class="ok">passed</span>'
    if text.startswith("failed"):
        detail = text.removeprefix("failed").lstrip(": ")
        sub = f'<div class="reason" title="{esc(detail)}">{esc(shorten(detail, 120))}</div>' if detail else ""
        return f'<span class="bad">FAILED</span>{sub}'
    return f'<span class="muted">{esc(text)}</span>'


def ab_records(records: list[dict]) -> list[dict]:
    return sorted((r for r in records if r["kind"] == "compare"), key=lambda r: (r["task"], *ab_pair(r)))


def ab_table(records: list[dict], notes: Notes) -> str:
    """One row per A/B pair (all of one task): B/A round-time ratio with its interval, the verdict."""
    rows = []
    for rec in ab_records(records):
        f = rec["figures"]
        a, b = ab_pair(rec)
        ratio = f.get("ratio")
        if is_num(ratio):
            change = (ratio - 1) * 100
            word = "slower" if change > 0 else "faster"
            ratio_cell = (
                f'<span class="ratio">{ratio:.3f}</span> <span class="ci">({esc(ab_ci_text(f))})</span>'
                f'<div class="sub">B {abs(change):.1f} % {word} than A</div>'
            )
        else:
            ratio_cell = "—"
        rounds = f.get("rounds")
        rounds_cell = esc(rounds) if is_num(rounds) else "—"
        sub = []
        if is_num(f.get("steps_per_round")):
            sub.append(f"× {int(f['steps_per_round'])} steps")
        if is_num(f.get("cv_a")) and is_num(f.get("cv_b")):
            sub.append(f"CV A {100 * f['cv_a']:.0f} %, B {100 * f['cv_b']:.0f} %")
        if sub:
            rounds_cell += f'<div class="sub">{esc("; ".join(sub))}</div>'
        gated = f.get("gated")
        gated_cell = "—" if not isinstance(gated, bool) else "yes" if gated else '<span class="muted">no</span>'
        outcome = _outcome_badge(rec["outcome"]) + _reason(rec, notes)
        cells = [
            ratio_cell,
            fine_pct(f.get("threshold")) if is_num(f.get("threshold")) else "—",
            _verdict(f.get("verdict")),
            rounds_cell,
            num(f.get("samples_per_s_a")),
            num(f.get("samples_per_s_b")),
            _ab_parity(f.get("parity_a")),
            _ab_parity(f.get("parity_b")),
            gated_cell,
            outcome,
        ]
        rows.append(
            f'<tr class="ab" data-task="{esc(rec["task"])}" data-a="{esc(a)}" data-b="{esc(b)}" '
            f'data-verdict="{esc(f.get("verdict", ""))}"><th class="row">{esc(a)}</th><th class="row">{esc(b)}</th>'
            + "".join(f"<td>{c}</td>" for c in cells)
            + "</tr>"
        )
    head = [
        "A",
        "B",
        "ratio B/A (round time)",
        "threshold",
        "verdict",
        "rounds",
        "samples/s A",
        "samples/s B",
        "parity A",
        "parity B",
        "gated",
        "outcome",
    ]
    return table(head, rows, "compact ab")


# ---------------------------------------------------------------------------------------------
# 6. parity matrix


def _parity_figures(f: dict) -> str:
    bits = []
    if is_num(f.get("max_abs_err")):
        bits.append(f"max abs {sci(f['max_abs_err'])}")
    if is_num(f.get("max_rel_err")):
        bits.append(f"max rel {sci(f['max_rel_err'])}")
    if is_num(f.get("max_rel_l2_err")):
        steps = f" ({f['steps']} steps)" if is_num(f.get("steps")) else ""
        bits.append(f"rel L2 {sci(f['max_rel_l2_err'])}{steps}")
    if is_num(f.get("param_count")):
        bits.append(f"{f['param_count']:,} params")
    for key, value in f.items():
        if key not in ("max_abs_err", "max_rel_err", "max_rel_l2_err", "steps", "param_count") and is_num(value):
            bits.append(f"{key} {num(value)}")
    return f'<div class="fig">{esc(" · ".join(bits))}</div>' if bits else ""


def parity_matrix(records: list[dict], notes: Notes) -> str:
    cells = {(r["framework"], r["task"], r["check"]): r for r in records if r["kind"] == "parity"}
    if not cells:
        return '<p class="muted">No parity records.</p>'
    checks = sorted({c for _, _, c in cells}, key=lambda c: (CHECK_ORDER.index(c) if c in CHECK_ORDER else 99, c))
    rows = []
    for fw, task in sorted({(f, t) for f, t, _ in cells}):
        tds = []
        for check in checks:
            rec = cells.get((fw, task, check))
            if rec is None:
                tds.append(f'<td class="none" data-framework="{esc(fw)}" data-task="{esc(task)}">—</td>')
                continue
            ref = ""
            if rec["outcome"] != "passed" or rec["reason"]:
                text = f"{OUTCOME_LABEL.get(rec['outcome'], rec['outcome'])}: {rec['reason'] or '(no reason recorded)'}"
                ref = notes.ref(text)
            tds.append(
                f'<td class="cell {esc(rec["outcome"])}" data-kind="parity" data-check="{esc(check)}" '
                f'data-framework="{esc(fw)}" data-task="{esc(task)}" title="{esc(rec["reason"])}">'
                f"{_outcome_badge(rec['outcome'])}{ref}{_parity_figures(rec['figures'])}</td>"
            )
        rows.append(f'<tr><th class="row">{esc(fw)}</th><th class="row">{esc(task)}</th>{"".join(tds)}</tr>')
    return table(["framework", "task", *(esc(c) for c in checks)], rows, "parity")


# ---------------------------------------------------------------------------------------------
# 7. adapter details


def describe_table(records: list[dict]) -> str:
    best: dict[tuple, dict] = {}
    for r in records:
        if r["describe"]:
            key = (r["framework"], r["task"], r["device"])
            if key not in best or r["time"] >= best[key]["time"]:
                best[key] = r
    if not best:
        return '<p class="muted">No adapter descriptions recorded.</p>'
    first = ["layout", "execution", "optimizer", "threads", "device"]
    keys = [k for k in first if any(k in r["describe"] for r in best.values())]
    keys += sorted({k for r in best.values() for k in r["describe"]} - set(first))
    rows = []
    for (fw, task, device), r in sorted(best.items()):
        d = r["describe"]
        tds = "".join(
            f"<td>{esc(json.dumps(d[k]) if isinstance(d.get(k), dict | list) else d.get(k, '—'))}</td>" for k in keys
        )
        rows.append(f'<tr><th class="row">{esc(fw)}</th><td>{esc(task)}</td><td>{esc(device)}</td>{tds}</tr>')
    return table(["framework", "task", "record device", *(esc(k) for k in keys)], rows, "compact")


# ---------------------------------------------------------------------------------------------
# 8. the seeds' published figures


def seeds_tables() -> str:
    out = [f'<p class="seedlabel">{esc(seeds.LABEL)}. Source: the seed projects as quoted in DESIGN.md §4.</p>']
    for title, unit, task, figures, note in seeds.TABLES:
        rows = [
            f"<tr><td>{esc(name)}</td><td>{esc('—' if k80 is None else k80)}</td>"
            f"<td>{esc('—' if p100 is None else p100)}</td></tr>"
            for name, (k80, p100) in figures.items()
        ]
        here = f" — this suite's task <code>{esc(task)}</code>" if task else ""
        out.append(f"<h3>{esc(title)}{here}</h3>")
        out.append(table(["framework (seed)", f"K80, {esc(unit)}", f"P100, {esc(unit)}"], rows, "compact seeds"))
        if note:
            out.append(f'<p class="sub">{esc(note)}</p>')
    return '<div class="seeds">' + "".join(out) + "</div>"


# ---------------------------------------------------------------------------------------------
# 9. machines and versions


def _machine_cell(key: str, value) -> str:
    if key == "cpu_flags" and value:
        flags = str(value).split()
        return f"<details><summary>{len(flags)} flags</summary>{esc(' '.join(flags))}</details>"
    if key == "gpus" and isinstance(value, list):
        return esc("; ".join(", ".join(f"{k} {v}" for k, v in g.items()) for g in value) or "none")
    return esc("—" if value is None else value)


def machines_table(records: list[dict]) -> str:
    """One row per machine fingerprint (the latest record's facts), with the runs and commits on it."""
    seen: dict[str, dict] = {}
    runs: dict[str, set] = defaultdict(set)
    commits: dict[str, set] = defaultdict(set)
    for r in records:
        key = r["machine_id"]
        seen[key] = r["machine"]
        runs[key].add(r["run_id"])
        if r["commit"].get("id"):
            commits[key].add(str(r["commit"]["id"])[:10] + (" (dirty)" if r["commit"].get("dirty") else ""))
    if not seen:
        return ""
    first = ["id", "hostname", "cpu", "cores", "memory_gb", "gpus", "python", "platform"]
    keys = first + sorted({k for m in seen.values() for k in m} - set(first))
    rows = [
        "<tr>"
        + "".join(f"<td>{_machine_cell(k, m.get(k))}</td>" for k in keys)
        + f"<td>{esc(', '.join(sorted(runs[key])))}</td><td>{esc(', '.join(sorted(commits[key])) or '—')}</td></tr>"
        for key, m in seen.items()
    ]
    return table([*(esc(k) for k in keys), "runs", "dlparity commits"], rows, "compact")


def versions_table(records: list[dict]) -> str:
    rows: dict[tuple, dict] = {}
    for r in records:
        v, w = r["version"], r["worker"]
        env = (
            f"python {w.get('python_version', '?')}, {w['packages_count']} packages {w['packages_hash']}"
            if w.get("packages_hash")
            else str(w.get("python", "—"))
        )
        key = (r["framework"], json.dumps(v, sort_keys=True, default=str), r["machine_id"], env)
        row = rows.setdefault(key, {"rec": r, "rss": [], "runs": set()})
        if is_num(w.get("peak_rss_mb")):
            row["rss"].append(w["peak_rss_mb"])
        row["runs"].add(r["run_id"])
        if w and not row["rec"]["worker"]:
            row["rec"] = r
    known = {fw for (fw, v, _, _) in rows if v != "{}"}
    out = []
    for (fw, v, machine, env), row in sorted(rows.items()):
        if v == "{}" and fw in known:
            continue  # records written before that worker reported its version
        r = row["rec"]
        devices = r["version"].get("devices")
        out.append(
            f'<tr><th class="row">{esc(fw)}</th><td>{esc(version_text(r["version"]))}</td>'
            f"<td>{esc(', '.join(map(str, devices)) if isinstance(devices, list) else devices or '—')}</td>"
            f"<td>{esc(r['worker'].get('python', '—'))}</td><td>{esc(env)}</td>"
            f"<td>{esc(r['worker'].get('numpy', '—'))}</td><td>{esc(blas_text(r['worker'].get('blas')))}</td>"
            f"<td>{num(max(row['rss'])) if row['rss'] else '—'}</td><td>{esc(machine)}</td>"
            f"<td>{esc(', '.join(sorted(row['runs'])))}</td></tr>"
        )
    head = ["framework", "version", "devices", "worker python", "environment (environments.jsonl)", "numpy", "BLAS",
            "peak RSS MB", "machine", "runs"]  # fmt: skip
    return table(head, out, "compact")


GPU_KEY = re.compile(r"gpu|cuda|cudnn|driver|nvidia|rocm|hip", re.I)
GPU_DEVICE = re.compile(r"gpu|cuda|rocm", re.I)


def cudnn_text(value) -> str:
    """cuDNN's integer version (torch: 90100, 8902) decoded beside it; other values as they are."""
    if is_num(value) and int(value) == value and value >= 1000:
        v = int(value)
        major, rest = (v // 10000, v % 10000) if v >= 10000 else (v // 1000, v % 1000)
        return f"{v} ({major}.{rest // 100}.{rest % 100})"
    return str(value)


def gpu_rows(records: list[dict]) -> list[dict]:
    """GPU details the records carry: GPU devices a framework reported, its CUDA / cuDNN / driver
    versions, and GPU settings of the controller (CUDA_VISIBLE_DEVICES, ...); one entry per
    framework x version x host."""
    out: dict[tuple, dict] = {}
    for r in records:
        v, m = r["version"], r["machine"]
        devices = v.get("devices")
        gpus = [str(d) for d in devices if GPU_DEVICE.search(str(d))] if isinstance(devices, list) else []
        vkeys = {k: val for k, val in v.items() if k != "devices" and GPU_KEY.search(k) and val not in (None, "", [])}
        mkeys = {k: val for k, val in m.items() if GPU_KEY.search(k) and val not in (None, "", [])}
        if not (gpus or vkeys or mkeys):
            continue
        host = str(m.get("hostname", "?"))
        key = (r["framework"], json.dumps(v, sort_keys=True, default=str), host, json.dumps(mkeys, sort_keys=True))
        row = out.setdefault(
            key,
            {"framework": r["framework"], "host": host, "gpus": gpus, "version": vkeys, "machine": mkeys, "on": set()},
        )
        row["on"].add(r["device"])
    return [out[k] for k in sorted(out)]


def gpu_summary(records: list[dict]) -> str:
    """One line for the summary: the GPUs seen, or "no GPU"."""
    rows = gpu_rows(records)
    if not rows:
        return "no GPU (no record carries a GPU device, CUDA, cuDNN or driver version, or CUDA_VISIBLE_DEVICES)"
    parts = []
    for row in rows:
        bits = [", ".join(row["gpus"]) or "no GPU device listed"]
        if row["version"].get("cuda"):
            bits.append(f"CUDA {row['version']['cuda']}")
        if row["version"].get("cudnn"):
            bits.append(f"cuDNN {cudnn_text(row['version']['cudnn'])}")
        parts.append(f"{row['framework']}: {', '.join(bits)}")
    return "; ".join(parts)


def gpu_table(records: list[dict]) -> str:
    rows = gpu_rows(records)
    if not rows:
        return (
            '<p class="nogpu">no GPU: no record carries a GPU device, a CUDA, cuDNN or driver version, or '
            "CUDA_VISIBLE_DEVICES; every measurement here ran on the CPU.</p>"
            if all(r["device"] != "gpu" for r in records)
            else '<p class="nogpu">no GPU details: the records name no GPU device, CUDA, cuDNN or driver version.</p>'
        )
    out = []
    for row in rows:
        v = dict(row["version"])
        cuda, cudnn = v.pop("cuda", None), v.pop("cudnn", None)
        driver = [f"{k} {val}" for k, val in {**v, **row["machine"]}.items() if "driver" in k.lower()]
        other = [f"{k} {val}" for k, val in v.items() if "driver" not in k.lower()]
        other += [f"{k}={val}" for k, val in row["machine"].items() if "driver" not in k.lower()]
        out.append(
            f'<tr class="gpu"><th class="row">{esc(row["framework"])}</th><td>{esc(row["host"])}</td>'
            f"<td>{esc(', '.join(row['gpus']) or '—')}</td><td>{esc('—' if cuda is None else cuda)}</td>"
            f"<td>{esc('—' if cudnn is None else cudnn_text(cudnn))}</td><td>{esc('; '.join(driver) or '—')}</td>"
            f"<td>{esc('; '.join(other) or '—')}</td><td>{esc(', '.join(sorted(row['on'])))}</td></tr>"
        )
    head = ["framework", "host", "GPU devices (as the framework lists them)", "CUDA", "cuDNN", "driver", "other",
            "record devices"]  # fmt: skip
    return table(head, out, "compact gpus")
