"""CPU thread scaling: the sweep's table (framework x threads) and its chart."""

from __future__ import annotations

import matplotlib

from reports import charts
from reports.fmt import esc, is_num, num
from reports.view import Section, View, group_title

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402


def records(recs: list[dict]) -> list[dict]:
    return [r for r in recs if r["kind"] == "threads" and r["outcome"] == "passed" and r["figures"].get("points")]


def chart(task: str, sweep: list[dict], colors: dict) -> str | None:
    """Samples/s against threads, and speed-up against the ideal line, one line per framework."""
    if not sweep:
        return None
    with matplotlib.rc_context(charts.RC):
        fig = Figure(figsize=(7.0, 2.8))
        thr, spd = fig.subplots(1, 2)
        top = 1
        for rec in sweep:
            pts = [p for p in rec["figures"]["points"] if is_num(p.get("samples_per_s"))]
            xs = [p["threads"] for p in pts]
            top = max([top, *xs])
            style = {"marker": "o", "markersize": 3, "label": rec["framework"], "color": colors.get(rec["framework"])}
            thr.plot(xs, [p["samples_per_s"] for p in pts], **style)
            spd.plot(xs, [p["speedup"] for p in pts], **style)
        spd.plot([1, top], [1, top], linestyle="--", color="#999", linewidth=1, label="ideal")
        thr.set_ylabel("samples/s (median)")
        spd.set_ylabel("speed-up over 1 thread")
        thr.set_title(f"{task}: training throughput", fontsize=9)
        spd.set_title(f"{task}: scaling", fontsize=9)
        for ax in (thr, spd):
            ax.set_xlabel("CPU threads")
            ax.xaxis.get_major_locator().set_params(integer=True)
        thr.legend(fontsize=7, frameon=False)
        return charts._png(fig)


def table(sweep: list[dict]) -> str:
    counts = sorted({p["threads"] for r in sweep for p in r["figures"]["points"]})
    head = "".join(f"<th>{n} thread{'s' if n > 1 else ''}</th>" for n in counts)
    rows = []
    for rec in sorted(sweep, key=lambda r: r["framework"]):
        by_n = {p["threads"]: p for p in rec["figures"]["points"]}
        cells = []
        for n in counts:
            p = by_n.get(n)
            if p is None:
                cells.append('<td class="none">—</td>')
                continue
            noisy = ' <span class="noisy">noisy</span>' if p.get("noisy") else ""
            cells.append(
                f'<td class="cell"><span class="main">{num(p["samples_per_s"], " samples/s")}</span>{noisy}'
                f'<div class="fig">speed-up {num(p.get("speedup"))}× · efficiency {num(100 * p.get("efficiency", 0))} %'
                f"<br>CPU busy {num(p.get('cpu_utilisation'))} s/s · framework: "
                f"{esc(', '.join(f'{k}={v}' for k, v in (p.get('framework_threads') or {}).items()))}</div></td>"
            )
        data = " <span class='synthetic'>synthetic</span>" if rec["data"].get("synthetic") else ""
        rows.append(f'<tr><th class="row">{esc(rec["framework"])}{data}</th>{"".join(cells)}</tr>')
    return (
        f'<table class="threads"><thead><tr><th>framework</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


INTRO = (
    "Training throughput with the framework held to 1, 2, … CPU threads (its own controls, plus OMP/BLAS "
    "variables and threadpoolctl), one fresh worker per count, run one at a time. CPU busy: the worker's CPU "
    "seconds per wall second while timed — how many threads really worked."
)


def render(view: View) -> str:
    """The intro, then for every (profile, device, machine) group holding sweep records a table and a
    chart per task."""
    out = []
    for key, recs in view.grouped.items():
        sweep = records(recs)
        for task in sorted({r["task"] for r in sweep}):
            mine = [r for r in sweep if r["task"] == task]
            uri = chart(task, mine, charts.palette({r["framework"] for r in view.records}))
            out.append(f"<h3>{esc(task)}: {group_title(*key)}</h3>{table(mine)}")
            if uri:
                view.charts += 1
                alt = f"{task} thread scaling"
                out.append(
                    f'<div class="charts"><figure><img src="{uri}" alt="{esc(alt)}">'
                    f"<figcaption>{esc(alt)}, {group_title(*key)}</figcaption></figure></div>"
                )
    body = (
        "".join(out)
        or '<p class="muted">No thread-sweep records (tasks with <code>thread_sweep</code>, e.g. fcn5).</p>'
    )
    return f'<p class="sub">{INTRO}</p>{body}'


SECTION = Section("threads", "CPU thread scaling", render)
