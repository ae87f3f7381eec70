"""Properties that do not trust the layout, generated for every captured page.

- body structure: the body rules are checked against the page (its text, its nesting, synthetic elements
  for every block kind and exclude rule), see `template_guard.testing.body_structure`;
- undeclared chrome: what the evidence finds to be chrome (chrome markup, text on every other page of the
  version) is changed like declared chrome, and the article must not change (`evidence_chrome`).

A page the layout does not fit fails here at once, with the problem in one line (see `fitted`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from lxml import etree

from template_guard.engine.parse import parse_html
from template_guard.engine.pipeline import Extraction
from template_guard.engine.routing import LayoutSet, layout_for_page
from template_guard.errors import TemplateGuardError
from template_guard.store.pages import Page, read_page
from template_guard.testing import PageRef
from template_guard.testing.body_structure import assert_body_structure
from template_guard.testing.budget import Budget
from template_guard.testing.evidence_chrome import repeated_lines, with_evidence_chrome
from template_guard.testing.plugin import fitted, project
from template_guard.testing.profiles import budget_settings
from template_guard.testing.properties import assert_invariance, assert_no_leak
from template_guard.testing.subject import Subject

EVIDENCE_KINDS = ("text", "attributes", "inline")  # what changes in undeclared chrome (no list items are known)


@dataclass
class VersionTrees:
    """The parsed pages of every layout version, read once per session on first use."""

    refs: tuple[PageRef, ...]
    layouts: LayoutSet
    _groups: dict[str, tuple[str, str]] | None = None
    _trees: dict[str, etree._Element] = field(default_factory=dict)

    def others(self, page_id: str) -> list[etree._Element]:
        """The trees of the other pages of `page_id`'s layout version."""
        if self._groups is None:
            self._groups = {}
            for ref in self.refs:
                try:
                    page = read_page(ref.path)
                    layout = layout_for_page(page, self.layouts)
                    self._groups[ref.id] = (layout.name, layout.version_for(page.meta.capture_date).name)
                    self._trees[ref.id] = parse_html(page.content, page.meta.charset).root
                except TemplateGuardError:
                    continue  # the page's own tests report it; it says nothing about the others
        group = self._groups.get(page_id)
        return [self._trees[other] for other, g in self._groups.items() if g == group and other != page_id]


@pytest.fixture(scope="session")
def version_trees(pytestconfig: pytest.Config, layouts: LayoutSet) -> VersionTrees:
    """The session's parsed pages, by layout version."""
    return VersionTrees(project(pytestconfig).pages, layouts)


@pytest.fixture
def fitted_subject(page_ref: PageRef, page: Page, layouts: LayoutSet, extraction: Extraction) -> Subject:
    """The captured page under test; the test fails in one line when its layout does not fit it."""
    return Subject.of(page, layouts, extraction=fitted(page_ref, extraction))


def test_body_structure(fitted_subject: Subject, property_budget: Budget) -> None:
    """All the body's text is read or removed; wrapped blocks, block copies and excluded elements behave."""
    assert_body_structure(fitted_subject, settings=budget_settings(property_budget.tier))


def test_undeclared_chrome(
    fitted_subject: Subject, page_ref: PageRef, property_budget: Budget, version_trees: VersionTrees
) -> None:
    """Chrome the evidence finds but the layout does not declare changes freely, and the article does not."""
    marked, found = with_evidence_chrome(fitted_subject, repeated_lines(version_trees.others(page_ref.id)))
    if not found:
        pytest.skip("no undeclared chrome on the page: no chrome marks, no text on every other page of the version")
    budget = budget_settings(property_budget.tier)
    assert_invariance(marked, settings=budget, kinds=EVIDENCE_KINDS)
    assert_no_leak(marked, settings=budget, kinds=EVIDENCE_KINDS)
