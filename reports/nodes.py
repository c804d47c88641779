"""Multi-node scaling on loopback: the table (framework x task x topology: samples/s, ratio,
efficiency, launch time) from records of kind "nodes" (suites/perf/test_nodes.py).

Every node is a process on the one machine that ran the suite, talking over 127.0.0.1 and sharing
its cores: the figures measure the launcher's and the collectives' overhead (ideal: no throughput
lost, efficiency 1/N), never a speed-up, and the section says so.
"""

from __future__ import annotations

from reports.fmt import Notes, esc, is_num, num, shorten, slug, table
from reports.view import Section, View, group_title

INTRO = (
    "Training samples/s with the task's global batch split over nodes × local replicas by each framework's "
    "own launcher and collectives (torchrun + DistributedDataParallel, jax.distributed + shard_map, "
    "keras.distribution, MultiWorkerMirroredStrategy); rounds of steps timed on rank 0 between barriers, "
    "first step apart. Ratio = samples/s ÷ at 1×1; efficiency = ratio ÷ replicas in all. <b>Loopback on "
    "shared cores</b>: every node is a process on this machine talking over 127.0.0.1, so the ideal is a "
    "ratio of 1.00 (efficiency 1/N) and what falls short is launcher and collective overhead, not a speed-up. "
    "Whether the nodes compute what one device does is the parity matrix's <code>test_nodes_*</code>."
)


def _points(rec: dict) -> dict[str, dict]:
    pts = rec["figures"].get("points")
    ok = [p for p in pts or [] if isinstance(p, dict) and is_num(p.get("samples_per_s")) and p.get("topology")]
    return {p["topology"]: p for p in ok}


def _cell(p: dict | None) -> str:
    if p is None:
        return '<td class="none">—</td>'
    noisy = ' <span class="noisy">noisy</span>' if p.get("noisy") else ""
    bits = ["baseline"] if p.get("world") == 1 else []
    if p.get("world", 1) > 1 and is_num(p.get("throughput_ratio")):
        bits.append(f"ratio {p['throughput_ratio']:.2f} · efficiency {100 * p['efficiency']:.0f} %")
    if is_num(p.get("launch_s")):
        bits.append(f"launch {num(p['launch_s'], ' s')}")
    return (
        f'<td class="cell ok"><span class="main">{num(p["samples_per_s"], " samples/s")}</span>{noisy}'
        f'<div class="fig">{" · ".join(bits)}</div></td>'
    )


def render(view: View) -> str:
    """The intro, then per (profile, device, machine) group one table: a row per framework x task."""
    out = [f'<p class="sub">{INTRO}</p>']
    for key, recs in view.grouped.items():
        mine = sorted((r for r in recs if r["kind"] == "nodes"), key=lambda r: (r["task"], r["framework"]))
        if not mine:
            continue
        notes = Notes(slug("nodes", *key))
        tops = sorted({t for r in mine for t in _points(r)}, key=lambda t: tuple(int(v) for v in t.split("x")))
        rows = []
        for rec in mine:
            lead = f'<th class="row">{esc(rec["framework"])}</th><th class="row">{esc(rec["task"])}</th>'
            pts = _points(rec)
            if rec["outcome"] != "passed" or not pts:
                why = rec["reason"] or "(no reason recorded)"
                ref = notes.ref(f"{rec['framework']} · {rec['task']}: {rec['outcome']} — {why}")
                rows.append(
                    f'<tr>{lead}<td class="cell {esc(rec["outcome"])}" colspan="{len(tops) + 1}">'
                    f'<span class="badge {esc(rec["outcome"])}">{esc(rec["outcome"])}</span> '
                    f'<span class="reason">{esc(shorten(why, 160))}</span>{ref}</td></tr>'
                )
                continue
            cells = "".join(_cell(pts.get(t)) for t in tops)
            rows.append(f'<tr>{lead}{cells}<td class="sub">{esc(rec["figures"].get("engine", ""))}</td></tr>')
        head = ["framework", "task", *(f"{t} (nodes × replicas)" for t in tops), "engine"]
        out.append(f"<h3>Multi-node scaling, loopback: {group_title(*key)}</h3>{table(head, rows, 'nodes')}")
        out.append(notes.html("Failures and skips"))
    if len(out) == 1:
        out.append('<p class="muted">No multi-node records (<code>suites/perf/test_nodes.py</code>).</p>')
    return "".join(out)


SECTION = Section("nodes", "Multi-node scaling (loopback)", render)
