"""The chrome-invariance and no-leak properties on real pages nobody here wrote (the fundus-eval corpus).

Skipped when ../shared/corpora/fundus-eval is absent (a fresh clone). Fewer examples per page than the
bundled pages get: there are 48 pages, and the default suite must stay fast on 2 cores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from template_guard import load_layouts
from template_guard.testing.profiles import CI, property_settings
from template_guard.testing.properties import Subject, assert_invariance, assert_no_leak
from template_guard.tools.evaluate import GoldPage, read_corpus

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpora" / "fundus-eval"
EXAMPLES_PER_PAGE = 10

pytestmark = pytest.mark.skipif(
    not (CORPUS / "gold.json").is_file(),
    reason=f"the fundus-eval corpus is not available at {CORPUS} (it lives outside the repository)",
)


def corpus_pages() -> list[GoldPage]:
    return read_corpus(CORPUS) if (CORPUS / "gold.json").is_file() else []


@pytest.fixture(scope="module")
def layouts():
    return load_layouts()


def subject_of(page: GoldPage, layouts) -> Subject:
    return Subject.from_content(
        page.path.read_bytes(), url=page.url, captured_at=page.crawl_date, layouts=layouts, page_id=page.key
    )


def bounded() -> settings:
    """The `ci` profile's settings with fewer examples; an explicitly chosen dev/thorough profile runs in full."""
    base = property_settings()
    if settings.get_current_profile_name() in ("default", CI):
        return settings(base, max_examples=EXAMPLES_PER_PAGE)
    return base


@pytest.mark.parametrize("page", corpus_pages(), ids=lambda page: page.key)
def test_chrome_changes_leave_the_article_alone(page: GoldPage, layouts) -> None:
    assert_invariance(subject_of(page, layouts), settings=bounded())


@pytest.mark.parametrize("page", corpus_pages(), ids=lambda page: page.key)
def test_chrome_text_never_reaches_the_article(page: GoldPage, layouts) -> None:
    assert_no_leak(subject_of(page, layouts), settings=bounded())
