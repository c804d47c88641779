"""Achieved GFLOP/s and the roofline: model FLOPs x measured throughput against each framework's
own float32 matmul peak."""

from __future__ import annotations

from reports.fmt import esc, is_num, median, num, pct, table
from reports.tables import by_cell, cell_attrs, fine_pct
from reports.view import Section, View, group_title


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
            tds.append(f"<td {cell_attrs('gflops', task, fw, '')}>{''.join(parts) or '—'}</td>")
        fp = " · ".join(f"{k} {v / 1e6:,.1f} MFLOP/sample" for k, v in fps.items() if is_num(v))
        rows.append(f'<tr><th class="row">{esc(task)}<div class="sub">{esc(fp)}</div></th>{"".join(tds)}</tr>')
    return table(["task", *(esc(fw) for fw in frameworks)], rows, "perf gflops")


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


def _per_group(view: View, intro: str, heading: str, table_of) -> str:
    """The intro, then per group holding timed records its heading and table."""
    out = [f'<p class="sub">{intro}</p>']
    for key, recs in view.grouped.items():
        if any(r["kind"] in ("train", "infer") for r in recs):
            out.append(f"<h3>{heading}: {group_title(*key)}</h3>{table_of(recs)}")
    if len(out) == 1:
        out.append('<p class="muted">No records.</p>')
    return "".join(out)


def render_gflops(view: View) -> str:
    intro = (
        "Model FLOPs per sample (from the task spec: 2 × multiply-adds of conv and dense layers; training adds the "
        "weight and input gradients, ≈ 3 × forward) × measured median throughput. Element-wise work is not counted. "
        "% of peak: of the framework's own float32 matmul peak (see the roofline)."
    )
    return _per_group(view, intro, "GFLOP/s", gflops_table)


def render_roofline(view: View) -> str:
    coretypes = openblas_coretypes(view.records)
    held = f" (this machine ran with OPENBLAS_CORETYPE={', '.join(coretypes)})" if coretypes else ""
    intro = (
        "The ceiling is each framework's own float32 2048³ matmul, measured once per session in its worker: "
        "achieved GFLOP/s ÷ that peak is the fraction of peak. NumPy's BLAS peak (the same matmul in the controller) "
        "is shown beside it for reference only: NumPy's BLAS may be held back, e.g. OPENBLAS_CORETYPE pins OpenBLAS "
        f"to an older kernel set, so it is not the ceiling used{esc(held)}. Lower bound per epoch = FLOPs of an "
        "epoch ÷ the framework's matmul peak: the time the epoch would take if every counted FLOP ran at matmul "
        "speed, which no run beats. Harness overhead: the timing loop around a step that does nothing, per step, "
        "and that as a fraction of the fastest measured step (the training test fails at 1 %)."
    )
    return _per_group(view, intro, "Roofline", roofline_table)


GFLOPS = Section("gflops", "Achieved GFLOP/s", render_gflops)
ROOFLINE = Section("roofline", "Roofline", render_roofline)
