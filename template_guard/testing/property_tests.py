"""Property tests generated for every captured page: the chrome may change any way it likes, the article may not.

Collected by the pytest plugin once per captured page; the properties themselves are in
`template_guard.testing.properties` (also re-exported here, where they used to live).
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from template_guard.engine.pipeline import Extraction
from template_guard.engine.routing import LayoutSet
from template_guard.store.pages import Page
from template_guard.testing import PageRef
from template_guard.testing.budget import Budget
from template_guard.testing.plugin import fitted
from template_guard.testing.profiles import budget_settings
from template_guard.testing.properties import (
    Subject,
    assert_daily_changes,
    assert_invariance,
    assert_no_leak,
    assert_sensitivity,
)

__all__ = ["Subject", "assert_daily_changes", "assert_invariance", "assert_no_leak", "assert_sensitivity"]


# ---- The generated tests ------------------------------------------------------------------------


@pytest.fixture
def subject(page_ref: PageRef, page: Page, layouts: LayoutSet, extraction: Extraction) -> Subject:
    """The captured page under test, with its own layout version as the chrome model.

    A layout that does not fit the page (a required field or region matched nothing) fails every property
    at once, with the problem in one line: a property of a page whose title is missing proves nothing."""
    return Subject.of(page, layouts, extraction=fitted(page_ref, extraction))


@pytest.fixture
def budget(property_budget: Budget) -> settings:
    """The hypothesis settings of this page: the full profile for its version's representatives, else a small share."""
    return budget_settings(property_budget.tier)


def test_invariance(subject: Subject, budget: settings) -> None:
    """Chrome changes (text, lists, inline boxes, attributes, noise, whitespace) leave the article as it was."""
    assert_invariance(subject, settings=budget)


def test_no_leak(subject: Subject, budget: settings) -> None:
    """No text of any chrome region reaches the article."""
    assert_no_leak(subject, settings=budget)


def test_sensitivity(subject: Subject, budget: settings) -> None:
    """Each body block is read into the body and nowhere else; no metadata field is read into the body."""
    assert_sensitivity(subject, settings=budget)


def test_daily_chrome_changes(subject: Subject, budget: settings) -> None:
    """A sequence of daily chrome changes leaves the article as it was after every day."""
    assert_daily_changes(subject, settings=budget)
