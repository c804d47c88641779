"""What every report section reads (``View``) and how a section is declared (``Section``).

A section is one module's ``SECTION = Section(anchor, title, render)``; ``render(view) -> html`` is
the section's body under its numbered heading, intro included. ``reports/page.py`` lists the
sections in page order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from reports import tables
from reports.fmt import esc
from reports.load import Loaded


@dataclass
class View:
    """The records a page shows: ``loaded`` (every record read, and the latest per measurement),
    ``saved`` (the folder of ``--save`` runs, or None); ``charts`` counts the charts sections drew."""

    loaded: Loaded
    saved: Path | None = None
    charts: int = field(default=0)

    @classmethod
    def of(cls, records: list[dict], saved: Path | None = None) -> View:
        """A view of ``records`` taken as both every record read and the latest ones."""
        return cls(Loaded(records=list(records), latest=list(records)), saved)

    @property
    def records(self) -> list[dict]:
        """The latest record per measurement (``load.KEY``)."""
        return self.loaded.latest

    @cached_property
    def grouped(self) -> dict[tuple[str, str, str], list[dict]]:
        """The latest records per (profile, device, machine): one table never holds two groups."""
        return tables.groups(self.records)


def group_title(profile: str, device: str, machine: str = "") -> str:
    """``profile quick, device cpu[, machine …]``: the heading words of one group of ``View.grouped``."""
    machine = f", machine <code>{esc(machine)}</code>" if machine else ""
    return f"profile <code>{esc(profile)}</code>, device <code>{esc(device)}</code>{machine}"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    render: Callable[[View], str]
