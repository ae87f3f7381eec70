"""One evidence test per captured page: no finding from outside the layout (its structured data, the other
pages of its layout version, chrome markup in its body) unless the layout accepts it with a reason.

Snapshots are not consulted, so a new page without a snapshot is checked too, and `--snapshot-update`
cannot silence a finding: only a layout edit (a fix, or a `[[versions.accept]]` entry) can.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pytest

from template_guard.engine.pipeline import Extraction, run_captured
from template_guard.engine.routing import LayoutSet
from template_guard.errors import TemplateGuardError
from template_guard.evidence import VersionEvidence, evidence_for
from template_guard.evidence.report import failure_message, unused_message
from template_guard.store.pages import read_page
from template_guard.testing import PageRef
from template_guard.testing.plugin import extract_or_fail, project


class UnusedAcceptWarning(UserWarning):
    """A `[[versions.accept]]` entry that matches no finding on any page of its layout version."""


@dataclass
class EvidenceCache:
    """The evidence of every layout version with captured pages, computed once per session on first use.

    Only the evidence is kept: a version's pages are extracted while its evidence is computed and let go
    after, so memory grows with the largest layout version, not with the number of pages.
    """

    refs: tuple[PageRef, ...]
    layouts: LayoutSet
    _groups: dict[str, tuple[str, str]] | None = None  # page id -> (layout, version), of the pages that extract
    _versions: dict[tuple[str, str], VersionEvidence] = field(default_factory=dict)
    _warned: set[tuple[str, str]] = field(default_factory=set)

    def group_of(self, page_id: str) -> tuple[str, str] | None:
        """The (layout, version) a page was extracted with; None for a page that does not extract."""
        if self._groups is None:
            self._groups = {}
            for ref in self.refs:
                if (extraction := self._extract(ref)) is not None:
                    self._groups[ref.id] = (extraction.layout.name, extraction.version.name)
        return self._groups.get(page_id)

    def of(self, extraction: Extraction) -> VersionEvidence:
        """The evidence of the extraction's layout version, judged over all the captured pages of that version."""
        group = (extraction.layout.name, extraction.version.name)
        if group not in self._versions:
            members = (ref for ref in self.refs if self.group_of(ref.id) == group)
            pages = {ref.id: found for ref in members if (found := self._extract(ref)) is not None}
            self._versions[group] = evidence_for(pages)
        return self._versions[group]

    def _extract(self, ref: PageRef) -> Extraction | None:
        try:
            page = read_page(ref.path)
            return run_captured(page, self.layouts)
        except TemplateGuardError:
            return None  # the page's own tests report it; it gives no evidence about the others

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
    extraction = extract_or_fail(page_ref, layouts)  # a page that does not extract fails here, in one line
    evidence = evidence_cache.of(extraction)
    if evidence.judged.unused and evidence_cache.first_report(evidence):
        warnings.warn(UnusedAcceptWarning(unused_message(evidence)), stacklevel=1)
    findings = evidence.judged.open.get(page_ref.id, ())
    if findings:
        pytest.fail(failure_message(page_ref.id, extraction, findings), pytrace=False)
