"""The training and inference sections: per (profile, device, machine) a table of task x entry with
throughput, ratio to the fastest, first step, accuracy, stability and parity status."""

from __future__ import annotations

from fixtures.results import parity_summary
from reports.fmt import Notes, esc, iqr, is_num, median, num, pct, slug, table
from reports.tables import (
    NOISY_CV,
    NOISY_SPREAD,
    by_cell,
    cell_attrs,
    epoch_cut,
    outcome_badge,
    parity_counts,
    reason_cell,
    speed_ratios,
    status_text,
)
from reports.view import Section, View, group_title


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
        return (
            '<div class="sub">parity not run in this session; latest parity records: '
            f"{status_text(parity_summary(other), other)}</div>"
        )
    if not status:
        return ""
    return f'<div class="sub">parity {status_text(status, rec["parity_checks"])}</div>'


def _measured(rec: dict, notes: Notes, key: str, unit: str, iqr_unit: str = "") -> list[str]:
    """A cell's head: the outcome and reason unless passed, then the median ``key`` with the IQR
    (``<base>_iqr``) and stability (``<base>_cv``) of its rounds, ``<base>`` = ``key`` less ``_median``."""
    f, base = rec["figures"], key.removesuffix("_median")
    parts = [] if rec["outcome"] == "passed" else [outcome_badge(rec["outcome"]), reason_cell(rec, notes)]
    if is_num(f.get(key)):
        q = iqr(f.get(f"{base}_iqr"))
        parts.append(f'<div class="main">{num(f[key])} {unit}</div>')
        stability = _stability(f, f"{base}_cv")
        if q or stability:
            iqr_text = f"IQR {num(q[0])}–{num(q[1])}{iqr_unit}" if q else "rounds"
            parts.append(f'<div class="sub">{iqr_text}{stability}</div>')
    return parts


def _td(kind: str, rec: dict, parts: list[str]) -> str:
    cls = {"passed": "ok", "failed": "failed", "skipped": "skipped"}.get(rec["outcome"], "")
    return f"<td {cell_attrs(kind, rec['task'], rec['framework'], cls)}>{''.join(parts)}</td>"


def _train_cell(rec: dict, ratio: float | None, notes: Notes, latest_parity: dict) -> str:
    f = rec["figures"]
    parts = _measured(rec, notes, "samples_per_s", "samples/s")
    spe = f.get("s_per_epoch_median")
    if not is_num(spe):
        spe = median(f.get("s_per_epoch"))
    cut = epoch_cut(f)
    if is_num(spe):
        parts.append(f"<div>{num(spe)} s/epoch</div>")
    if cut:
        parts.append(
            f'<div class="sub">time budget {num(f.get("train_budget_s"))} s: trained {pct(cut)} of each epoch '
            f"({f.get('trained_steps_per_epoch')} of {f.get('steps_per_epoch')} steps), s/epoch at that pace</div>"
        )
    if ratio is not None:
        parts.append(f'<div>ratio <span class="ratio">{ratio:.2f}</span></div>')
    if is_num(f.get("first_step_s")):
        parts.append(f'<div class="sub">first step (compile) {num(f["first_step_s"])} s</div>')
    if is_num(f.get("accuracy")):
        meaningless = (
            ' <span class="muted">(synthetic data: meaningless)</span>' if rec["data"].get("synthetic") else ""
        )
        after = f' <span class="sub">(after {pct(cut)} of each epoch)</span>' if cut else ""
        parts.append(f"<div>accuracy {pct(f['accuracy'])}{after}{meaningless}</div>")
    if is_num(f.get("target_accuracy")):
        if is_num(f.get("time_to_accuracy_s")):
            epochs = f.get("epochs_to_accuracy")
            parts.append(
                f"<div>time to {pct(f['target_accuracy'])}: {num(f['time_to_accuracy_s'])} s"
                f'<span class="sub"> (epoch {epochs})</span></div>'
            )
        else:
            epochs = f.get("epochs") or len(f.get("accuracy_per_epoch") or [])
            missed = f"{pct(f['target_accuracy'])} not reached in {epochs} epochs" + (f" of {pct(cut)}" if cut else "")
            parts.append(f'<div class="muted">{missed}</div>')
    parts.append(_data(rec, notes))
    parts.append(_parity(rec, latest_parity))
    return _td("train", rec, parts)


def _infer_cell(rec: dict, ratio: float | None, notes: Notes, latest_parity: dict) -> str:
    f = rec["figures"]
    parts = _measured(rec, notes, "latency_ms_median", "ms/batch", " ms")
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
    return _td("infer", rec, parts)


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
                tds.append(f'<td {cell_attrs(kind, task, fw, "none")} title="no record">—</td>')
            else:
                tds.append(render(rec, ratios.get(fw), notes, latest_parity))
        rows.append(f'<tr><th class="row">{esc(task)}</th>{"".join(tds)}</tr>')
    return table(["task", *(esc(fw) for fw in frameworks)], rows, f"perf {kind}")


INTRO = {
    "train": "Cells: samples/s (median over rounds, inter-quartile range), s/epoch (median), ratio = fastest "
    "samples/s in the row ÷ this one (1.00 = fastest; 2.00 = half as fast), first step (tracing/compilation, timed "
    "apart), final test accuracy, parity status.",
    "infer": "Cells: latency per batch (median, IQR), images/s, ratio = fastest images/s in the row ÷ this one "
    "(1.00 = fastest), cold (first) pass, parity status.",
}
STABILITY = (
    " Stability: CV = coefficient of variation over rounds, spread = (max − min) ÷ median of the rounds, "
    'outliers = rounds outside the Tukey fences; <span class="noisy">noisy</span> marks a measurement '
    f"the machine disturbed (the record's own flag, spread above {NOISY_SPREAD:.0%}; records without "
    f"that flag: CV above {NOISY_CV:.0%}). It is reported, never gated on."
)


def _section(kind: str, heading: str) -> Section:
    def render(view: View) -> str:
        latest_parity = parity_counts(view.records)
        out = [f'<p class="sub">{INTRO[kind]}{STABILITY}</p>']
        for key, recs in view.grouped.items():
            if not any(r["kind"] == kind for r in recs):
                continue
            notes = Notes(slug(kind, *key))
            out.append(f"<h3>{heading}: {group_title(*key)}</h3>")
            out.append(perf_table(recs, kind, notes, latest_parity))
            out.append(notes.html())
        if len(out) == 1:
            out.append('<p class="muted">No records.</p>')
        return "".join(out)

    return Section(heading.lower(), heading, render)


TRAINING = _section("train", "Training")
INFERENCE = _section("infer", "Inference")
