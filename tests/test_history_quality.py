"""Extraction quality on the committed redesign histories (pages/<layout>/, gold in tests/gold/), without ../shared.

Every page listed in tests/gold/*.json is read with template_guard.read_page from pages/<layout>/<slug>.html.gz
(or .html) and must score ROUGE-LSum F1 >= THRESHOLD_PAGE_F1 against its reviewed gold; the mean over all of
them must reach THRESHOLD_MEAN_F1. Set TEMPLATE_GUARD_HISTORY_PAGES=DIR to read the pages from DIR/<layout>/
instead (plain .html copies with sidecars). The scoring is benchmarks/history_quality.py's.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from template_guard.tools.evaluate import THRESHOLD_MEAN_F1, THRESHOLD_PAGE_F1

REPO = Path(__file__).parents[1]
PAGES_ENV = "TEMPLATE_GUARD_HISTORY_PAGES"

pytest.importorskip(
    "rouge_score.rouge_scorer", reason="rouge-score is not installed (pip install 'template_guard[eval]')"
)


def _load_scorer() -> ModuleType:
    path = REPO / "benchmarks" / "history_quality.py"
    spec = importlib.util.spec_from_file_location("history_quality", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


history = _load_scorer()
PAGES = history.read_gold()


def pages_dir() -> Path:
    return Path(os.environ.get(PAGES_ENV) or REPO / "pages")


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    """Every gold page scored once: page id -> PageResult."""
    scored = history.score_all(PAGES, history.committed_reader(pages_dir()))
    return {result.page.page_id: result for result in scored}


def test_the_gold_lists_pages() -> None:
    assert PAGES, f"no gold pages in {history.GOLD_DIR}"
    assert len({page.page_id for page in PAGES}) == len(PAGES)


@pytest.mark.parametrize("page_id", [page.page_id for page in PAGES])
def test_page_quality(page_id: str, results: dict[str, Any]) -> None:
    result = results[page_id]
    if result.error and "does not read .html.gz" in result.error:
        pytest.skip(f"{result.error}; set {PAGES_ENV} to a directory of plain .html copies")
    assert result.score is not None, result.error
    assert result.score.f1 >= THRESHOLD_PAGE_F1, (
        f"{page_id} ({result.page.source}, layout version {result.version}):"
        f" F1 {result.score.f1:.3f} < {THRESHOLD_PAGE_F1}"
    )


def test_mean_quality(results: dict[str, Any], record_property: Callable[[str, object], None]) -> None:
    scored = [result for result in results.values() if result.score is not None]
    if not scored:
        pytest.skip(f"no page could be read from {pages_dir()}; set {PAGES_ENV} to plain .html copies")
    mean = history.mean_score(scored)
    record_property("history_mean_f1", round(mean.f1, 4))
    assert len(scored) == len(results), "some pages could not be scored: the mean would not be comparable"
    assert mean.f1 >= THRESHOLD_MEAN_F1, f"mean F1 {mean.f1:.3f} over {len(scored)} pages < {THRESHOLD_MEAN_F1}"
