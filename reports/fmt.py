"""Small HTML and number-formatting helpers; everything from a record goes through ``esc``."""

from __future__ import annotations

import html
import math


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def table(head: list[str], rows: list[str], cls: str = "") -> str:
    """An HTML table from header cells (HTML) and row strings (``<tr>...</tr>``)."""
    ths = "".join(f"<th>{h}</th>" for h in head)
    return f'<table class="{cls}"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def machine_label(m: dict) -> str:
    """``3f2a9c01de (AMD EPYC, 2 cores, 23.4 GB, host ci-1)``: a machine fingerprint (fixtures/fingerprint.py)
    for headings and messages."""
    gpus = ", ".join(str(g.get("model", "?")) for g in m.get("gpus") or [] if isinstance(g, dict))
    bits = [str(m.get("cpu", "?")), f"{m.get('cores', '?')} cores"]
    bits += [f"{m['memory_gb']} GB"] if m.get("memory_gb") else []
    bits += [gpus] if gpus else []
    bits += [f"host {m['hostname']}"] if m.get("hostname") else []
    return f"{m.get('id') or 'unfingerprinted'} ({', '.join(bits)})"


def is_num(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def num(value, unit: str = "") -> str:
    """A readable number (3 significant figures below 100, grouped integers above), or an em dash."""
    if not is_num(value):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text}{unit}"


def sci(value) -> str:
    return f"{value:.2e}" if is_num(value) else "—"


def pct(value) -> str:
    return f"{100 * value:.1f} %" if is_num(value) else "—"


def iqr(pair) -> tuple[float, float] | None:
    if isinstance(pair, list | tuple) and len(pair) == 2 and all(is_num(v) for v in pair):
        return float(pair[0]), float(pair[1])
    return None


def median(values) -> float | None:
    vals = sorted(v for v in values if is_num(v)) if isinstance(values, list | tuple) else []
    if not vals:
        return None
    mid = len(vals) // 2
    return vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Notes:
    """Numbered footnotes for one table; identical texts share a number."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.items: list[str] = []

    def ref(self, text: str) -> str:
        if text not in self.items:
            self.items.append(text)
        n = self.items.index(text) + 1
        return f'<sup class="ref"><a href="#{self.prefix}-{n}">[{n}]</a></sup>'

    def html(self, title: str = "Notes") -> str:
        if not self.items:
            return ""
        lis = "".join(f'<li id="{self.prefix}-{i}">{esc(t)}</li>' for i, t in enumerate(self.items, 1))
        return f'<div class="notes"><b>{esc(title)}</b><ol>{lis}</ol></div>'


def slug(*parts) -> str:
    return "-".join("".join(c if c.isalnum() else "_" for c in str(p)) for p in parts)
