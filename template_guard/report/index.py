"""The report directory: one HTML file per page under `<layout>/<slug>.html`, and an index linking them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from template_guard.report.render import PAGE_META, STATUS_META, PageReport, Status, render_report
from template_guard.store.pages import atomic_write

INDEX = "index.html"
_HEAD_BYTES = 2048  # the report's meta tags come first in its <head>
_META = re.compile(r'<meta name="(?P<name>template-guard-[a-z]+)" content="(?P<value>[^"]*)">')
_INDEX_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_INDEX_STYLE = (
    "body{font:14px/1.5 system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{padding:2px 12px;text-align:left;border-bottom:1px solid #ddd}"
    ".failing{color:#d62728;font-weight:600}.problems{color:#b07000;font-weight:600}.ok{color:#2ca02c}"
)


@dataclass(frozen=True)
class IndexEntry:
    """A page report already written: its page id, status and file (relative to the report directory)."""

    page_id: str
    status: str
    path: str


def write_report(directory: Path, report: PageReport) -> Path:
    """Write `report` to `<directory>/<layout>/<slug>.html` and return that path."""
    path = directory.joinpath(*report.page_id.split("/")).with_suffix(".html")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, render_report(report).encode("utf-8"))
    return path


def report_entries(directory: Path) -> list[IndexEntry]:
    """Every page report under `directory`, read back from its meta tags, in page-id order."""
    entries = []
    for path in sorted(directory.glob("*/*.html")):
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES).decode("utf-8", "replace")
        found = {match["name"]: html.unescape(match["value"]) for match in _META.finditer(head)}
        if PAGE_META in found and STATUS_META in found:
            entries.append(IndexEntry(found[PAGE_META], found[STATUS_META], path.relative_to(directory).as_posix()))
    return sorted(entries, key=lambda entry: entry.page_id)


def write_index(directory: Path) -> Path:
    """Write `<directory>/index.html`, linking every page report there with its status; return its path."""
    entries = report_entries(directory)
    counts = ", ".join(f"{sum(e.status == s for e in entries)} {s}" for s in ("failing", "problems", "ok"))
    rows = "".join(
        f'<tr class="tg-row"><td><a href="{html.escape(e.path)}">{html.escape(e.page_id)}</a></td>'
        f'<td class="{html.escape(e.status)}">{html.escape(e.status)}</td></tr>'
        for e in entries
    )
    document = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_INDEX_POLICY}">'
        f"<title>template_guard report</title><style>{_INDEX_STYLE}</style></head><body>"
        f"<h1>template_guard report</h1><p>{len(entries)} pages: {counts}</p>"
        f"<table><thead><tr><th>page</th><th>status</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )
    path = directory / INDEX
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write(path, document.encode("utf-8"))
    return path


def remove_reports(directory: Path) -> int:
    """Delete the page reports and the index an earlier run left in `directory`; other files stay. Returns the count."""
    entries = report_entries(directory)
    for entry in entries:
        (directory / entry.path).unlink(missing_ok=True)
    (directory / INDEX).unlink(missing_ok=True)
    return len(entries)


__all__ = ["INDEX", "IndexEntry", "Status", "remove_reports", "report_entries", "write_index", "write_report"]
