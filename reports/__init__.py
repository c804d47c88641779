"""Render dlparity's JSON-lines result records into one self-contained HTML page.

``python -m reports [RESULTS.jsonl ...] [-o reports/out/index.html]``; from Python, ``render``.
Modules: ``load`` (read, validate, latest per measurement), ``page`` (the HTML document: its
``SECTIONS`` in order), one module per section (``verdict``, ``overview``, ``perf``, ``flops``, …,
each a ``view.Section`` whose ``render(view)`` gives its HTML), ``tables``, ``fmt`` and ``charts``
(what sections share), ``seeds`` (the seed projects' published figures).
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_RESULTS = Path("reports/out/results.jsonl")
DEFAULT_OUTPUT = Path("reports/out/index.html")
DEFAULT_SAVED = Path(".benchmarks")  # conftest's --save-dir default


def render(paths, out=DEFAULT_OUTPUT, title: str = "dlparity report", saved=DEFAULT_SAVED) -> dict:
    """Read ``paths`` (JSON-lines files), write the page to ``out``; returns the page's stats. ``saved``:
    the folder of runs stored by ``--save`` (their history is shown; None: none).

    Raises ``FileNotFoundError`` naming the first missing results file.
    """
    from reports import load, page, summary

    paths = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"results file {p} not found (run pytest first, or name the file)")
    out = Path(out)
    loaded = load.read(paths)
    links = [("pytest.html", "test-level report (pytest-html)")] if (out.parent / "pytest.html").is_file() else []
    text, stats = page.build(loaded, title=title, extra_links=links, saved=Path(saved) if saved else None)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    (out.parent / "summary.md").write_text(summary.markdown(loaded.latest, title), encoding="utf-8")
    stats["output"] = str(out)
    return stats


def summary_line(stats: dict) -> str:
    o = stats["outcomes"]
    return (
        f"{stats['latest']} latest of {stats['records']} records from {len(stats['runs'])} run(s): "
        f"{o.get('passed', 0)} passed, {o.get('failed', 0)} failed, {o.get('skipped', 0)} skipped; "
        f"{len(stats['frameworks'])} framework(s), {len(stats['tasks'])} task(s), {stats['charts']} chart(s)"
        + (f"; {stats['skipped_lines']} line(s) skipped" if stats["skipped_lines"] else "")
    )
