"""One page's report: a self-contained HTML file showing the captured page with the layout's marks drawn on it.

The page is marked (`marking`), made inert (`sanitise`) and embedded as the `srcdoc` of an iframe that
may not run scripts; the report's own script (the only one a strict CSP lets run, by its nonce) draws
the overlays into that frame and wires the legend and the side panel. Nothing is fetched from anywhere.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from lxml import etree
from lxml import html as lxml_html

from template_guard.engine.diagnostics import page_findings
from template_guard.engine.pipeline import Extraction
from template_guard.report.marking import ROLES, Mark, MarkedPage, ReportFinding, Role, mark_page
from template_guard.report.sanitise import sanitise

Status = Literal["ok", "problems", "failing"]
STATUSES: tuple[Status, ...] = ("ok", "problems", "failing")
STATUS_META = "template-guard-status"
PAGE_META = "template-guard-page"

ROLE_TITLES: dict[Role, str] = {
    "region": "Boilerplate regions",
    "field": "Fields",
    "block": "Body blocks",
    "excluded": "Excluded in the body",
    "dropped": "Dropped by drop_text",
    "finding": "Findings on blocks",
}
LEGEND: dict[Role, str] = {
    "region": "boilerplate region (removed)",
    "field": "field (body: the container)",
    "block": "body block (number, kind)",
    "excluded": "excluded inside the body",
    "dropped": "block dropped by drop_text",
    "finding": "finding",
}
# The page frame: no scripts, forms, pop-ups or navigation of the report; same origin only so that the
# report's script may draw into it.
FRAME_SANDBOX = "allow-same-origin"
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class PageReport:
    """What one page's report shows besides the page itself."""

    page_id: str  # `<layout>/<slug>`, also the report's path under the report directory
    extraction: Extraction
    findings: tuple[ReportFinding, ...] = ()  # e.g. evidence findings; diagnostics are added by `render_report`
    diff: tuple[str, ...] = ()  # the block diff of a failing snapshot (`describe_changes` lines)
    url: str | None = None


def diagnostics(extraction: Extraction) -> list[ReportFinding]:
    """The drift diagnostics of the page, as page-wide findings labelled with their status."""
    return [ReportFinding(finding.status, finding.message) for finding in page_findings(extraction)]


def page_status(report: PageReport, found: Sequence[ReportFinding]) -> Status:
    """`failing` when the snapshot differs or the layout no longer fits, `problems` when anything was found."""
    if report.diff or not report.extraction.ok or any(f.label == "error" for f in found):
        return "failing"
    return "problems" if found else "ok"


def asset(name: str) -> str:
    """The text of a file in `report/assets`."""
    return resources.files("template_guard.report").joinpath("assets", name).read_text(encoding="utf-8")


def render_report(report: PageReport) -> str:
    """The report of one page as a self-contained HTML document."""
    found = [*diagnostics(report.extraction), *report.findings]
    marked = mark_page(report.extraction, found)
    status = page_status(report, found)
    nonce = secrets.token_urlsafe(18)
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-{nonce}'; "
        "base-uri 'none'; form-action 'none'"
    )
    article = report.extraction.article
    title = f"{report.page_id}: {status}"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_attr(policy)}">',
            f'<meta name="{STATUS_META}" content="{status}">',
            f'<meta name="{PAGE_META}" content="{_attr(report.page_id)}">',
            f"<title>{_text(title)}</title>",
            f"<style>{asset('colours.css')}{asset('report.css')}</style>",
            "</head><body>",
            '<aside id="tg-panel">',
            f"<h1>{_text(report.page_id)}</h1>",
            (
                f'<p class="tg-meta"><span class="tg-status tg-status-{status}" id="tg-status">{status}</span> '
                f"{_text(article.layout)}@{_text(article.version)}, {len(article.blocks)} blocks</p>"
            ),
            *([f'<p class="tg-meta">{_text(report.url)}</p>'] if report.url else []),
            _legend(),
            _diff(report.diff),
            _notes(marked.notes),
            *(_entries(role, [m for m in marked.marks if m.role == role]) for role in ROLES),
            "</aside>",
            (
                f'<main><iframe id="tg-page" title="the captured page" sandbox="{FRAME_SANDBOX}" '
                f'srcdoc="{_attr(_page_document(marked))}"></iframe></main>'
            ),
            f'<script nonce="{nonce}">{asset("report.js")}</script>',
            "</body></html>",
            "",
        ]
    )


def _page_document(marked: MarkedPage) -> str:
    """The marked page, made inert, with its own CSP and the overlay styles."""
    root = marked.root
    sanitise(root)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    extras = [
        etree.Element("meta", charset="utf-8"),
        etree.Element("meta", {"http-equiv": "Content-Security-Policy", "content": _PAGE_POLICY}),
    ]
    style = etree.Element("style", id="tg-overlay-style")
    style.text = asset("colours.css") + asset("overlay.css")
    for position, element in enumerate([*extras, style]):
        head.insert(position, element)
    return "<!DOCTYPE html>\n" + str(lxml_html.tostring(root, encoding="unicode", method="html"))


def _legend() -> str:
    items = "".join(
        f'<li><button type="button" class="tg-legend-item tg-role-{role}" data-tg-role="{role}" aria-pressed="true">'
        f'<span class="tg-swatch"></span>{_text(LEGEND[role])}</button></li>'
        for role in ROLES
    )
    return f'<section id="tg-legend"><h2>Legend</h2><ul>{items}</ul></section>'


def _diff(lines: Sequence[str]) -> str:
    if not lines:
        return ""
    return f'<section id="tg-diff-section"><h2>Snapshot diff</h2><pre class="tg-diff" id="tg-diff">{_text(chr(10).join(lines))}</pre></section>'


def _notes(notes: Sequence[ReportFinding]) -> str:
    if not notes:
        return ""
    items = "".join(f'<li class="tg-note"><b>{_text(n.label)}</b>: {_text(n.text)}</li>' for n in notes)
    return f'<section id="tg-notes"><h2>Findings on the page</h2><ul>{items}</ul></section>'


def _entries(role: Role, marks: Sequence[Mark]) -> str:
    if not marks:
        return ""
    items = "".join(
        f'<li><button type="button" class="tg-entry tg-role-{role}" data-tg-target="{mark.id}" data-tg-role="{role}" '
        f'data-tg-label="{_attr(mark.label)}"><span class="tg-label">{_text(mark.label)}</span>'
        f'<span class="tg-text">{_text(mark.text or "(no text)")}{" (in &lt;head&gt;)" if mark.in_head else ""}</span></button></li>'
        for mark in marks
    )
    return f'<section id="tg-{role}-list"><h2>{ROLE_TITLES[role]} ({len(marks)})</h2><ul>{items}</ul></section>'


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


