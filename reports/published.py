"""The seed projects' published figures (``reports.seeds``), labelled with their hardware: context for
the reader, never a baseline for this machine."""

from __future__ import annotations

from reports import seeds
from reports.fmt import esc, table
from reports.view import Section, View


def tables_html() -> str:
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


def render(view: View) -> str:
    return tables_html()


SECTION = Section("seeds", "The seeds' published figures", render)
