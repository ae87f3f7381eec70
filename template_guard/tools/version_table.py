"""`check`'s history table: per layout with pages, each version's date range and the pages it extracted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from template_guard.engine.layout import Layout


@dataclass(frozen=True)
class VersionRow:
    """One version of a layout and the captured pages that chose it."""

    layout: str
    version: str
    valid_from: dt.date
    valid_until: dt.date | None
    pages: int
    first: dt.date | None  # the earliest capture date among its pages
    last: dt.date | None
    undated: int  # pages without a capture date (they take the newest version)

    @property
    def captured(self) -> str:
        """The capture dates of its pages, as a range."""
        if self.first is None or self.last is None:
            span = ""
        else:
            span = str(self.first) if self.first == self.last else f"{self.first} – {self.last}"
        undated = f"{self.undated} undated" if self.undated else ""
        return ", ".join(part for part in (span, undated) if part) or "-"


def version_rows(layouts: Iterable[Layout], used: Sequence[tuple[str, str, dt.date | None]]) -> list[VersionRow]:
    """A row per version of every layout that some page used; `used` holds (layout, version, capture date)."""
    rows: list[VersionRow] = []
    for layout in layouts:
        mine = [(version, day) for name, version, day in used if name == layout.name]
        if not mine:
            continue
        for version in layout.versions:
            days = [day for name, day in mine if name == version.name]
            dated = [day for day in days if day is not None]
            rows.append(
                VersionRow(
                    layout.name, version.name, version.valid_from, version.valid_until, len(days),
                    min(dated, default=None), max(dated, default=None), len(days) - len(dated),
                )
            )
    return rows


def render_rows(rows: Sequence[VersionRow]) -> list[str]:
    """The table as aligned text lines, a header first."""
    table = [("layout", "version", "from", "until", "pages", "captured")] + [
        (r.layout, r.version, str(r.valid_from), str(r.valid_until or "open"), str(r.pages), r.captured)
        for r in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(5)]
    lines = []
    for line in table:
        cells = [cell.rjust(width) if column == 4 else cell.ljust(width) for column, (cell, width) in enumerate(zip(line, widths))]
        lines.append("  ".join([*cells, line[5]]))
    return lines
