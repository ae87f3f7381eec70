"""One evidence test per captured page: no finding from outside the layout (its structured data, the other
pages of its layout version, chrome markup in its body) unless the layout accepts it with a reason.

Snapshots are not consulted, so a new page without a snapshot is checked too, and `--snapshot-update`
cannot silence a finding: only a layout edit (a fix, or a `[[versions.accept]]` entry) can.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pytest

from template_guard.engine.pipeline import Extraction, run_page
from template_guard.engine.routing import LayoutSet, layout_for_page
from template_guard.errors import TemplateGuardError
from template_guard.evidence import VersionEvidence, by_version, evidence_for
from template_guard.evidence.report import failure_message, unused_message
from template_guard.store.pages import read_page
from template_guard.testing import PageRef
from template_guard.testing.plugin import extract_or_fail, fitted, project


class UnusedAcceptWarning(UserWarning):
    """A `[[versions.accept]]` entry that matches no finding on any page of its layout version."""


@dataclass
class EvidenceCache:
    """The evidence of every layout version with captured pages, computed once per session on first use."""

    refs: tuple[PageRef, ...]
    layouts: LayoutSet
    _extractions: dict[str, Extraction] | None = None
    _versions: dict[tuple[str, str], VersionEvidence] = field(default_factory=dict)
    _warned: set[tuple[str, str]] = field(default_factory=set)

    def extractions(self) -> dict[str, Extraction]:
        if self._extractions is None:
            found = {}
            for ref in self.refs:
                try:
                    page = read_page(ref.path)
                    found[ref.id] = run_page(page, layouts=self.layouts, layout=layout_for_page(page, self.layouts).name)
                except TemplateGuardError:
                    continue  # the page's own tests report it; it gives no evidence about the others
            self._extractions = found
        return self._extractions

    def of(self, extraction: Extraction) -> VersionEvidence:
        group = (extraction.layout.name, extraction.version.name)
        if group not in self._versions:
            pages = by_version(self.extractions()).get(group, {})
            self._versions[group] = evidence_for(pages)
        return self._versions[group]

    def first_report(self, evidence: VersionEvidence) -> bool:
        """True once per version: unused accept entries are reported once, not on every page."""
        group = (evidence.layout, evidence.version)
        fresh = group not in self._warned
        self._warned.add(group)
        return fresh


@pytest.fixture(scope="session")
def evidence_cache(pytestconfig: pytest.Config, layouts: LayoutSet) -> EvidenceCache:
    """The session's evidence, per layout version."""
    return EvidenceCache(project(pytestconfig).pages, layouts)


def test_evidence(page_ref: PageRef, layouts: LayoutSet, evidence_cache: EvidenceCache) -> None:
    """Nothing outside the layout contradicts the page's extraction (or the layout accepts it, with a reason)."""
    cached = evidence_cache.extractions().get(page_ref.id)
    # A page that could not be extracted is extracted again, to fail with its error in one line.
    extraction = fitted(page_ref, cached) if cached is not None else extract_or_fail(page_ref, layouts)
    evidence = evidence_cache.of(extraction)
    if evidence.judged.unused and evidence_cache.first_report(evidence):
        warnings.warn(UnusedAcceptWarning(unused_message(evidence)), stacklevel=1)
    findings = evidence.judged.open.get(page_ref.id, ())
    if findings:
        pytest.fail(failure_message(page_ref.id, extraction, findings), pytrace=False)
