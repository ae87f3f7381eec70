"""One page as the evidence detectors see it: its extraction, its own structured data and its whole text."""

from __future__ import annotations

from dataclasses import dataclass

from template_guard.engine.blocks import element_text
from template_guard.engine.boilerplate import strip_noise
from template_guard.engine.parse import parse_again
from template_guard.engine.pipeline import Extraction
from template_guard.engine.structured_data import StructuredData, read_structured_data
from template_guard.errors import TemplateGuardError
from template_guard.evidence.text import key


@dataclass(frozen=True)
class PageContext:
    """An extracted page with what the detectors compare it against."""

    id: str
    extraction: Extraction
    structured: StructuredData
    page_key: str  # `key` of all the page's text (chrome included), as received
    declared_url: str | None = None  # the page's canonical URL (else og:url)

    @property
    def article(self) -> tuple[str, str | None] | str:
        """What tells this article from others: captures of one URL with one title are the same article."""
        return (self.declared_url, self.extraction.article.title) if self.declared_url else self.id


def page_context(page_id: str, extraction: Extraction) -> PageContext:
    """Re-parse the page as received (the extraction's tree has lost its scripts and its chrome)."""
    try:
        parsed = parse_again(extraction.parsed, source=extraction.source)
    except TemplateGuardError:  # it parsed once already; be safe rather than fail the evidence
        return PageContext(page_id, extraction, StructuredData(), "")
    root = parsed.root
    structured = read_structured_data(root)
    declared_url = parsed.declared_url
    strip_noise(root)
    return PageContext(page_id, extraction, structured, key(element_text(root)), declared_url)
