"""Charts as self-contained ``data:image/png;base64`` URIs (matplotlib, Agg, no pyplot state)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from reports.fmt import iqr, is_num  # noqa: E402

RC = {"text.parse_math": False, "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def bars(
    title: str, ylabel: str, rows: list[tuple[str, float, tuple[float, float] | None]], colors: dict | None = None
) -> str | None:
    """One bar per (label, median, (q1, q3) or None) with asymmetric IQR error bars."""
    rows = [r for r in rows if is_num(r[1])]
    if not rows:
        return None
    colors = colors or {}
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(max(3.2, 0.9 * len(rows) + 1.6), 2.8))
        ax = fig.add_subplot()
        labels = [r[0] for r in rows]
        meds = [r[1] for r in rows]
        lo = [max(0.0, r[1] - r[2][0]) if r[2] else 0.0 for r in rows]
        hi = [max(0.0, r[2][1] - r[1]) if r[2] else 0.0 for r in rows]
        ax.bar(
            range(len(rows)),
            meds,
            yerr=[lo, hi],
            capsize=4,
            color=[colors.get(lab, "#9ecae1") for lab in labels],
            edgecolor="#333",
            linewidth=0.5,
        )
        tilt = len(rows) > 3
        ax.set_xticks(range(len(rows)), labels, rotation=20 if tilt else 0, ha="right" if tilt else "center")
        for i, (m, h) in enumerate(zip(meds, hi, strict=True)):
            text = f"{m:,.0f}" if m >= 100 else f"{m:.3g}"
            ax.annotate(
                text, (i, m + h), ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points"
            )
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        ax.set_ylim(0, max(m + h for m, h in zip(meds, hi, strict=True)) * 1.15 or 1)
        return _png(fig)


def palette(labels) -> dict:
    """A stable colour per framework for every chart of the page."""
    cycle = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]
    return {lab: cycle[i % len(cycle)] for i, lab in enumerate(sorted(labels))}


def curves(title: str, series: list[tuple[str, list[float], list[float]]], colors: dict | None = None) -> str | None:
    """Accuracy (and loss, where recorded) per epoch, one line per (label, accuracies, losses)."""
    series = [(lab, acc, loss) for lab, acc, loss in series if len([a for a in acc if is_num(a)]) > 1]
    if not series:
        return None
    colors = colors or {}
    has_loss = any(len([v for v in loss if is_num(v)]) > 1 for _, _, loss in series)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(7.0 if has_loss else 3.8, 2.8))
        axes = fig.subplots(1, 2) if has_loss else [fig.add_subplot()]
        for label, acc, loss in series:
            xs = [i + 1 for i, a in enumerate(acc) if is_num(a)]
            axes[0].plot(
                xs, [a for a in acc if is_num(a)], marker="o", markersize=3, label=label, color=colors.get(label)
            )
            if has_loss:
                xl = [i + 1 for i, v in enumerate(loss) if is_num(v)]
                axes[1].plot(
                    xl, [v for v in loss if is_num(v)], marker="o", markersize=3, label=label, color=colors.get(label)
                )
        axes[0].set_ylabel("test accuracy")
        axes[0].set_title(title, fontsize=9)
        if has_loss:
            axes[1].set_ylabel("last-batch loss")
            axes[1].set_title("loss", fontsize=9)
        for ax in axes:
            ax.set_xlabel("epoch")
            ax.xaxis.get_major_locator().set_params(integer=True)
        axes[0].legend(fontsize=7, frameon=False)
        return _png(fig)


def ips_band(figures: dict) -> tuple[float, float] | None:
    """images/s quartiles from latency quartiles (a high latency quartile is a low throughput one)."""
    q = iqr(figures.get("latency_ms_iqr"))
    bs = figures.get("batch_size")
    if not q or not is_num(bs) or q[0] <= 0 or q[1] <= 0:
        return None
    return bs * 1e3 / q[1], bs * 1e3 / q[0]


VERDICT_COLORS = {"slower": "#b00020", "faster": "#16691e", "same": "#333333", "noisy": "#999999"}


def ab_ratios(title: str, rows: list[tuple[str, float, tuple[float, float] | None, float | None, str]]) -> str | None:
    """A/B ratios B/A, one row per (label, ratio, (ci lo, ci hi) or None, threshold or None, verdict):
    a point with its confidence interval, a line at 1 (no change) and a shaded band at 1 ± threshold."""
    rows = [r for r in rows if is_num(r[1])]
    if not rows:
        return None
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(6.4, 0.45 * len(rows) + 1.3))
        ax = fig.add_subplot()
        banded = False
        for i, (_, ratio, ci, threshold, verdict) in enumerate(rows):
            y = len(rows) - 1 - i  # first row on top
            if is_num(threshold):
                ax.fill_betweenx(
                    [y - 0.4, y + 0.4],
                    1 - threshold,
                    1 + threshold,
                    color="#dfe6ee",
                    linewidth=0,
                    label=None if banded else "1 ± threshold",
                )
                banded = True
            lo, hi = (ratio - ci[0], ci[1] - ratio) if ci else (0.0, 0.0)
            color = VERDICT_COLORS.get(verdict, "#1f77b4")
            ax.errorbar(
                [ratio], [y], xerr=[[max(0.0, lo)], [max(0.0, hi)]], fmt="o", color=color, capsize=4, markersize=5
            )
            ax.annotate(
                f"{ratio:.3f} {verdict}", (ratio, y), xytext=(0, 6), textcoords="offset points", ha="center",
                fontsize=7, color=color,
            )  # fmt: skip
        ax.axvline(1.0, color="#555", linewidth=1, linestyle="--")
        ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlabel("round time B / A (median, confidence interval); > 1: B slower")
        ax.set_title(title, fontsize=9)
        if banded:
            ax.legend(fontsize=7, frameon=False, loc="best")
        return _png(fig)
