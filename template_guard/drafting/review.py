"""After drafting: `check` the new layout on its own pages and list what a reviewer should look at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from template_guard.drafting.pages import DraftPage
from template_guard.engine.article import clip
from template_guard.engine.diagnostics import page_findings, selector_health, worst
from template_guard.engine.layout import Layout
from template_guard.engine.pipeline import Extraction, run
from template_guard.engine.routing import LayoutSet
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import read_page


@dataclass(frozen=True)
class Review:
    """The check of a drafted layout: one line per page, and the reviewer's to-do list."""

    pages: tuple[str, ...]
    todo: tuple[str, ...]
    failed: int


def review_layout(layout: Layout, pages: Sequence[DraftPage], drafted_todo: Sequence[str] = ()) -> Review:
    """Extract every page with `layout` alone, as `template-guard check` would, and gather what needs a look."""
    layouts = LayoutSet((layout,))
    lines: list[str] = []
    todo = list(drafted_todo)
    extractions: list[Extraction] = []
    failed = 0
    for draft_page in pages:
        try:
            page = read_page(draft_page.label)
            extraction = run(
                page.content,
                url=draft_page.url,
                captured_at=draft_page.captured,
                layout=layout.name,
                layouts=layouts,
                http_charset=page.meta.charset,
                source=draft_page.label,
            )
        except TemplateGuardError as error:
            failed += 1
            lines.append(f"error    {draft_page.label}: {error}")
            continue
        extractions.append(extraction)
        findings = page_findings(extraction)
        failed += any(f.status == "error" for f in findings)
        article = extraction.article
        status = worst(f.status for f in findings)
        lines.append(
            f"{status:<8} {draft_page.label}  {article.layout}@{article.version}  {len(article.blocks)} blocks  "
            f"{clip(article.title, 60)!r}"
        )
        todo.extend(f"{draft_page.label}: {f.status}: {f.message}" for f in findings)
    for row in selector_health(layout, extractions):
        if row.status != "ok" and not (row.role == "block" and row.status == "notice"):
            todo.append(f"{row.role} {row.name} ({row.selector}): {row.message}")
    return Review(tuple(lines), tuple(todo), failed)
