"""Data-parallel scaling: the table (framework x task x replicas: samples/s, efficiency) and an
inline SVG chart, from records of kind "scaling" (suites/perf/test_scaling.py).

On CPU the replicas are virtual devices sharing the same cores: those figures measure the
engine's overhead (ideal: no throughput lost, efficiency 1/N), never a speed-up, and every CPU
table and chart says so.
"""

from __future__ import annotations

import io
import re

import matplotlib

from reports import charts
from reports.fmt import Notes, esc, iqr, is_num, num, shorten, slug
from reports.view import Section, View, group_title

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

CPU_LABEL = (
    "CPU: virtual devices share the same cores — an engine-overhead measurement, not a speed-up "
    "(ideal: throughput ratio 1.00, efficiency 1/N)"
)
INTRO = (
    "Training samples/s with the task's global batch split over N data-parallel replicas by each "
    "framework's own engine (PyTorch DistributedDataParallel, TensorFlow MirroredStrategy, JAX "
    "shard_map + pmean), the 1-replica baseline run through the same engine; each count timed in the "
    "worker like the training table (first step apart, warm-up, rounds, device synchronised). "
    "Ratio = samples/s at N ÷ at 1; scaling efficiency = samples/s at N ÷ (N × samples/s at 1): 100 % "
    "is linear scaling on N real devices. <b>On CPU the N devices are virtual and share the machine's "
    "cores</b>: there the ideal is a ratio of 1.00 (efficiency 1/N) and anything below it is the "
    "engine's overhead — CPU figures are an engine-overhead measurement, not a speed-up. The "
    "data-parallel parity check (<code>test_devices_match_one_device</code>, in the parity matrix) "
    "shows whether N replicas compute what one device does."
)


def records(recs: list[dict]) -> list[dict]:
    """Every scaling record (failed and skipped ones too: the table gives their reasons)."""
    return [r for r in recs if r["kind"] == "scaling"]


def _points(rec: dict) -> list[dict]:
    pts = rec["figures"].get("points")
    if not isinstance(pts, list):
        return []
    return sorted(
        (p for p in pts if isinstance(p, dict) and is_num(p.get("replicas")) and is_num(p.get("samples_per_s"))),
        key=lambda p: p["replicas"],
    )


def _cpu(rec: dict) -> bool:
    return bool(rec["figures"].get("cpu_virtual_devices", rec["device"] == "cpu"))


def _svg(fig: Figure, salt: str) -> str:
    """The figure as an inline ``<svg>`` element (text kept as text, no XML prolog or metadata)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # inline, a <style> would apply to the whole page, and unreferenced ids (figure_1, axes_1) would
    # repeat across charts; the clip-path ids that are referenced are hashed with ``salt``
    text = re.sub(r"<metadata>.*?</metadata>|<style[^>]*>.*?</style>", "", text, flags=re.S)
    used = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', text))
    return re.sub(r' id="([^"]+)"', lambda m: m.group(0) if m.group(1) in used else "", text)


def chart(task: str, recs: list[dict], colors: dict, cpu: bool) -> str | None:
    """Samples/s and scaling efficiency against replicas, one line per framework, the ideal dashed."""
    series = [(r["framework"], _points(r)) for r in recs]
    series = [(fw, pts) for fw, pts in series if len(pts) > 1]
    if not series:
        return None
    top = max(p["replicas"] for _, pts in series for p in pts)
    with matplotlib.rc_context(charts.RC):
        fig = Figure(figsize=(7.0, 2.8))
        thr, eff = fig.subplots(1, 2)
        for fw, pts in series:
            xs = [p["replicas"] for p in pts]
            style = {"marker": "o", "markersize": 3, "label": fw, "color": colors.get(fw)}
            thr.plot(xs, [p["samples_per_s"] for p in pts], **style)
            eff.plot(xs, [100 * p["samples_per_s"] / (p["replicas"] * pts[0]["samples_per_s"]) for p in pts], **style)
        ns = list(range(1, top + 1))
        if cpu:
            eff.plot(
                ns, [100 / n for n in ns], linestyle="--", color="#999", linewidth=1, label="ideal on shared cores"
            )
        else:
            eff.plot(ns, [100] * len(ns), linestyle="--", color="#999", linewidth=1, label="linear scaling")
        thr.set_ylabel("samples/s (median)")
        eff.set_ylabel("scaling efficiency (%)")
        thr.set_title(f"{task}: training samples/s", fontsize=9)
        eff.set_title("efficiency = thr(N) / (N × thr(1))", fontsize=9)
        if cpu:
            fig.suptitle("CPU virtual devices share the cores: engine overhead, not a speed-up", fontsize=9, y=1.04)
        eff.set_ylim(bottom=0)
        for ax in (thr, eff):
            ax.set_xlabel("data-parallel replicas")
            ax.xaxis.get_major_locator().set_params(integer=True)
        thr.legend(fontsize=7, frameon=False)
        eff.legend(fontsize=7, frameon=False)
        return _svg(fig, salt=f"scaling-{task}-{'cpu' if cpu else 'gpu'}")


def _cell(p: dict | None, base: float | None) -> str:
    if p is None:
        return '<td class="none">—</td>'
    band = iqr(p.get("samples_per_s_iqr"))
    spread = f" (IQR {num(band[0])}–{num(band[1])})" if band else ""
    noisy = ' <span class="noisy">noisy</span>' if p.get("noisy") else ""
    bits = []
    if base and p["replicas"] > 1:
        ratio = p["samples_per_s"] / base
        bits.append(f"ratio {ratio:.2f} · efficiency {100 * ratio / p['replicas']:.0f} %")
    elif p["replicas"] == 1:
        bits.append("baseline")
    if is_num(p.get("first_step_s")):
        bits.append(f"first step {num(p['first_step_s'], ' s')}")
    if is_num(p.get("threads_per_replica")):
        bits.append(f"{int(p['threads_per_replica'])} thread(s)/replica")
    return (
        f'<td class="cell ok"><span class="main">{num(p["samples_per_s"], " samples/s")}</span>{noisy}'
        f'<div class="fig">{esc(spread.strip())}{"<br>" if spread else ""}{" · ".join(bits)}</div></td>'
    )


def table(recs: list[dict], notes: Notes) -> str:
    """One row per framework x task, one column per replica count."""
    counts = sorted({p["replicas"] for r in recs for p in _points(r)}) or [1]
    head = "".join(f"<th>{n} replica{'s' if n > 1 else ''}</th>" for n in counts)
    rows = []
    for rec in sorted(recs, key=lambda r: (r["task"], r["framework"])):
        pts = {p["replicas"]: p for p in _points(rec)}
        data = " <span class='synthetic'>synthetic</span>" if rec["data"].get("synthetic") else ""
        lead = f'<th class="row">{esc(rec["framework"])}{data}</th><th class="row">{esc(rec["task"])}</th>'
        attrs = f'class="scaling" data-framework="{esc(rec["framework"])}" data-task="{esc(rec["task"])}"'
        if rec["outcome"] != "passed" or not pts:
            why = rec["reason"] or "(no reason recorded)"
            ref = notes.ref(f"{rec['framework']} · {rec['task']}: {rec['outcome']} — {why}")
            rows.append(
                f'<tr {attrs}>{lead}<td class="cell {esc(rec["outcome"])}" colspan="{len(counts) + 1}">'
                f'<span class="badge {esc(rec["outcome"])}">{esc(rec["outcome"])}</span> '
                f'<span class="reason">{esc(shorten(why, 160))}</span>{ref}</td></tr>'
            )
            continue
        base = pts.get(1, {}).get("samples_per_s")
        cells = "".join(_cell(pts.get(n), base) for n in counts)
        engine = esc(rec["figures"].get("engine") or rec["describe"].get("execution", ""))
        not_run = rec["figures"].get("not_run")
        if isinstance(not_run, dict) and not_run:
            engine += notes.ref(
                f"{rec['framework']} · {rec['task']}: not run at "
                + "; ".join(f"{n} replicas: {why}" for n, why in sorted(not_run.items()))
            )
        rows.append(f'<tr {attrs}>{lead}{cells}<td class="sub">{engine}</td></tr>')
    return (
        f'<table class="scaling"><thead><tr><th>framework</th><th>task</th>{head}<th>engine</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render(view: View) -> str:
    """The intro, then per (profile, device, machine) group its table and, per task, its chart; CPU
    groups carry the engine-overhead label on the heading, table and chart."""
    out = [f'<p class="sub">{INTRO}</p>']
    for key, recs in view.grouped.items():
        mine = records(recs)
        if not mine:
            continue
        cpu = any(_cpu(r) for r in mine)
        label = f'<p class="cpu-overhead"><span class="noisy">{esc(CPU_LABEL)}</span></p>' if cpu else ""
        notes = Notes(slug("scaling", *key))
        out.append(f"<h3>Data-parallel scaling: {group_title(*key)}</h3>{label}{table(mine, notes)}")
        out.append(notes.html("Failures, skips and counts not run"))
        figs = []
        for task in sorted({r["task"] for r in mine}):
            svg = chart(
                task,
                [r for r in mine if r["task"] == task and r["outcome"] == "passed"],
                charts.palette({r["framework"] for r in view.records}),
                cpu,
            )
            if svg:
                view.charts += 1
                caption = f"{esc(task)}: data-parallel scaling, {group_title(*key)}" + (
                    f" — {esc(CPU_LABEL)}" if cpu else ""
                )
                figs.append(f'<figure class="scaling-chart">{svg}<figcaption>{caption}</figcaption></figure>')
        if figs:
            out.append(f'<div class="charts">{"".join(figs)}</div>')
    if len(out) == 1:
        out.append('<p class="muted">No data-parallel scaling records (<code>suites/perf/test_scaling.py</code>).</p>')
    return "".join(out)


SECTION = Section("scaling", "Data-parallel scaling", render)
