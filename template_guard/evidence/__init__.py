"""Evidence the layout cannot fake: checks of an extraction whose evidence comes from outside the layout.

- `structured`: the page's own JSON-LD, OpenGraph and meta tags (articleBody, headline, date, authors);
- `cross_page`: body text that recurs in other articles of the same layout version;
- `signatures`: chrome markup inside the body (links, forms, nav/aside/footer, walls, headline lists) and
  prose the body container holds but no block keeps.

`evidence_for` runs them all on the pages of one layout version; `by_version` groups extractions first.
Accepted findings are declared in the layout (`[[versions.accept]]`), never in a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from template_guard.engine.pipeline import Extraction
from template_guard.evidence.accept import Accepted, Judged, judge
from template_guard.evidence.context import PageContext, page_context
from template_guard.evidence.cross_page import cross_page_findings
from template_guard.evidence.finding import Finding
from template_guard.evidence.signatures import signature_findings
from template_guard.evidence.structured import structured_findings

__all__ = ["Accepted", "Finding", "Judged", "VersionEvidence", "by_version", "evidence_for", "findings_for_page", "page_context"]


@dataclass(frozen=True)
class VersionEvidence:
    """The judged evidence of the pages of one layout version."""

    layout: str
    version: str
    judged: Judged


def findings_for_page(context: PageContext, others: Iterable[PageContext] = ()) -> list[Finding]:
    """Every finding about one page, before acceptance; `others` are the other pages of its layout version."""
    group = [context, *(other for other in others if other.id != context.id)]
    return [*structured_findings(context), *signature_findings(context), *cross_page_findings(group)[context.id]]


def evidence_for(extractions: Mapping[str, Extraction]) -> VersionEvidence:
    """Run every detector on the pages (by id) of ONE layout version, and apply that version's accept entries."""
    contexts = [page_context(page_id, extraction) for page_id, extraction in extractions.items()]
    if not contexts:
        raise ValueError("evidence_for needs at least one page")
    first = contexts[0].extraction
    group = (first.layout.name, first.version.name)
    if any((c.extraction.layout.name, c.extraction.version.name) != group for c in contexts):
        raise ValueError("evidence_for takes the pages of one layout version: group them with by_version()")
    cross = cross_page_findings(contexts)
    findings = {
        c.id: sorted(
            [*structured_findings(c), *signature_findings(c), *cross[c.id]],
            key=lambda f: (f.block if f.block is not None else 1 << 30, f.kind),
        )
        for c in contexts
    }
    return VersionEvidence(first.layout.name, first.version.name, judge(findings, first.version.accept))


def by_version(extractions: Mapping[str, Extraction]) -> dict[tuple[str, str], dict[str, Extraction]]:
    """Extractions (by page id) grouped by (layout, version), in their order."""
    groups: dict[tuple[str, str], dict[str, Extraction]] = {}
    for page_id, extraction in extractions.items():
        groups.setdefault((extraction.layout.name, extraction.version.name), {})[page_id] = extraction
    return groups
