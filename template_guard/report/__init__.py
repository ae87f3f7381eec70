"""Visual reports: each page as captured, with what its layout removed, read, kept and suspects drawn on it.

`write_report(directory, PageReport(page_id, extraction, findings=..., diff=...))` writes one page's
self-contained HTML file; `write_index(directory)` links every report there with its status.
"""

from template_guard.report.index import IndexEntry, remove_reports, report_entries, write_index, write_report
from template_guard.report.marking import Mark, MarkedPage, ReportFinding, mark_page
from template_guard.report.render import PageReport, Status, diagnostics, page_status, render_report
from template_guard.report.sanitise import clear_marks, sanitise, sanitise_css

__all__ = [
    "IndexEntry",
    "Mark",
    "MarkedPage",
    "PageReport",
    "ReportFinding",
    "Status",
    "clear_marks",
    "diagnostics",
    "mark_page",
    "page_status",
    "remove_reports",
    "render_report",
    "report_entries",
    "sanitise",
    "sanitise_css",
    "write_index",
    "write_report",
]
