"""A finding: one piece of evidence, from outside the layout, that a body block (or field) is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from template_guard.engine.article import clip
from template_guard.engine.pipeline import Extraction

PREVIEW = 80


@dataclass(frozen=True)
class Finding:
    """What is wrong, where, the evidence in words, and the layout key to change."""

    kind: str  # one of template_guard.engine.acceptance.EVIDENCE_KINDS
    page: str  # the page id, `<layout>/<slug>` (or the page's path)
    block: int | None  # 1-based body block number; None for a field or for text no block kept
    block_kind: str | None
    text: str  # the block's (or the value's) whole text; accept entries match against it
    evidence: str
    key: str  # e.g. versions[0].fields.body.exclude

    def where(self) -> str:
        """`block 3 (paragraph) "Recommended …"`, or the text alone when no block holds it."""
        quoted = repr(clip(self.text, PREVIEW))
        return f"block {self.block} ({self.block_kind}) {quoted}" if self.block is not None else quoted

    def describe(self) -> str:
        """One line: the kind, where, the evidence and the layout key to change."""
        return f"{self.kind}: {self.where()}: {self.evidence}; change {self.key}"


def version_key(extraction: Extraction, rest: str) -> str:
    """`versions[<i>].<rest>` for the extraction's layout version."""
    names = [version.name for version in extraction.layout.versions]
    index = names.index(extraction.version.name) if extraction.version.name in names else 0
    return f"versions[{index}].{rest}"


def exclude_key(extraction: Extraction) -> str:
    """Where a leaked block is fixed: a body exclusion, or a boilerplate region around it."""
    return f"{version_key(extraction, 'fields.body.exclude')} or {version_key(extraction, 'boilerplate')} (add a region)"
