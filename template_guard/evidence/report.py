"""Evidence in words, for the generated tests and `template-guard check`."""

from __future__ import annotations

from collections.abc import Sequence

from template_guard.engine.pipeline import Extraction
from template_guard.evidence import VersionEvidence
from template_guard.evidence.finding import Finding


def failure_message(page_id: str, extraction: Extraction, findings: Sequence[Finding]) -> str:
    """The generated test's failure: a head line, then one line per finding (block, evidence, layout key)."""
    head = (
        f"{page_id}: {len(findings)} finding(s) of evidence against layout {extraction.layout.name} "
        f"version {extraction.version.name} ({extraction.layout.source.name})"
    )
    advice = (
        "  Fix the layout, or accept a finding in a [[versions.accept]] entry with kind, text and reason; "
        "a snapshot update does not silence it."
    )
    return "\n".join([head, *(f"  {finding.describe()}" for finding in findings), advice])


def unused_message(evidence: VersionEvidence) -> str:
    """One line naming the accept entries of a version that matched no finding."""
    entries = "; ".join(rule.describe() for rule in evidence.judged.unused)
    return f"layout {evidence.layout} version {evidence.version}: accept entries match no finding on any page: {entries}"
