"""The charts section: per task, training samples/s and inference images/s as bars (median, IQR) and
accuracy per epoch as curves, one entry one color throughout the page."""

from __future__ import annotations

from reports import charts, tables
from reports.fmt import esc, iqr
from reports.view import Section, View, group_title


def _group(recs: list[dict], key: tuple[str, ...], colors: dict) -> tuple[str, int]:
    figs, count = [], 0
    train, infer = tables.by_cell(recs, "train"), tables.by_cell(recs, "infer")
    for task in sorted({t for t, _ in train} | {t for t, _ in infer}):
        items = []
        rows = [
            (fw, r["figures"].get("samples_per_s"), iqr(r["figures"].get("samples_per_s_iqr")))
            for (t, fw), r in sorted(train.items())
            if t == task
        ]
        items.append((charts.bars(f"{task}: training", "samples/s (median, IQR)", rows, colors), "training samples/s"))
        rows = [
            (fw, r["figures"].get("images_per_s"), charts.ips_band(r["figures"]))
            for (t, fw), r in sorted(infer.items())
            if t == task
        ]
        items.append((charts.bars(f"{task}: inference", "images/s (median, IQR)", rows, colors), "inference images/s"))
        series = [
            (fw, r["figures"].get("accuracy_per_epoch") or [], r["figures"].get("loss_per_epoch") or [])
            for (t, fw), r in sorted(train.items())
            if t == task and isinstance(r["figures"].get("accuracy_per_epoch"), list)
        ]
        synthetic = [fw for (t, fw), r in sorted(train.items()) if t == task and r["data"].get("synthetic")]
        cut = [fw for (t, fw), r in sorted(train.items()) if t == task and tables.epoch_cut(r["figures"])]
        caption = "convergence" + (f" (synthetic data: {', '.join(synthetic)})" if synthetic else "")
        caption += f" (epochs cut by the time budget: {', '.join(cut)})" if cut else ""
        items.append((charts.curves(f"{task}: accuracy per epoch", series, colors), caption))
        for uri, caption in items:
            if uri:
                count += 1
                alt = f"{task} {caption}"
                figs.append(
                    f'<figure><img src="{uri}" alt="{esc(alt)}"><figcaption>{esc(alt)}, '
                    f"{group_title(*key)}</figcaption></figure>"
                )
    return ('<div class="charts">' + "".join(figs) + "</div>" if figs else ""), count


def render(view: View) -> str:
    out = []
    for key, recs in view.grouped.items():
        html_, count = _group(recs, key, charts.palette({r["framework"] for r in view.records}))
        if html_:
            view.charts += count
            out.append(f"<h3>Charts: {group_title(*key)}</h3>{html_}")
    return "".join(out) or '<p class="muted">No timed records to chart.</p>'


SECTION = Section("charts", "Charts", render)
