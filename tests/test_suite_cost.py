"""What makes the property layer cheap must not change what it checks.

- a map per tree state: a mutation applied with the map it was drawn from changes the tree exactly as one
  applied with a fresh map;
- extraction straight from a changed tree: for every kind that is not checked through the parser, the
  article equals the one of the page's serialised bytes;
- noise goes where real pages carry snippets (inside `<head>` or `<body>`), never straight into `<html>`,
  where libxml2 would take a `<noscript>` as the start of the body and move the head's `<meta>` tags there.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from template_guard import discover_pages, load_layouts, read_page
from template_guard.testing.chrome_map import ChromeMap
from template_guard.testing.draws import MUTATION_KINDS, chrome_mutations
from template_guard.testing.invisible import InsertNoise, Noise
from template_guard.testing.mutations import serialize
from template_guard.testing.strategies import mutated_pages
from template_guard.testing.subject import ROUND_TRIP_KINDS, Subject

PAGES = discover_pages(Path(__file__).parents[1] / "pages" / "almayadeen-english")  # the bundled pages only
EXAMPLES = settings(
    max_examples=15, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TREE_KINDS = tuple(kind for kind in MUTATION_KINDS if kind not in ROUND_TRIP_KINDS)


@functools.cache
def subject(path: Path) -> Subject:
    return Subject.of(read_page(path), load_layouts())


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
@EXAMPLES
@given(data=st.data())
def test_a_mutation_applied_with_its_drawn_map_changes_the_tree_as_with_a_fresh_one(path: Path, data: st.DataObject) -> None:
    page = subject(path)
    shared, fresh = copy.deepcopy(page.tree), copy.deepcopy(page.tree)
    for _ in range(3):
        chrome_map = ChromeMap(shared, page.model)
        mutation = data.draw(chrome_mutations(shared, page.model, page=chrome_map))
        mutation.apply(shared, page.model, chrome_map)
        mutation.apply(fresh, page.model)
        assert serialize(shared) == serialize(fresh), mutation.describe()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.stem)
@EXAMPLES
@given(data=st.data())
def test_a_changed_tree_extracts_as_its_serialised_bytes(path: Path, data: st.DataObject) -> None:
    page = subject(path)
    mutated = data.draw(mutated_pages(page.tree, page.model, kinds=TREE_KINDS))
    assert page.page_after(mutated.root, mutated.changes) is mutated.root  # no round trip for these kinds
    assert page.extract(mutated.root) == page.extract(mutated.content), mutated.describe()


def test_noise_and_whitespace_changes_go_through_the_parser() -> None:
    page = subject(PAGES[0])
    noise = InsertNoise(0, 0, 0, Noise("comment", "x"))
    root = copy.deepcopy(page.tree)
    noise.apply(root, page.model)
    assert page.page_after(root, (noise,)) == serialize(root)


def test_noise_never_goes_straight_into_the_html_element() -> None:
    root = etree.fromstring("<html><head><title>t</title></head><body><p>text</p></body></html>", etree.HTMLParser())
    targets = ChromeMap(root, subject(PAGES[0]).model).noise_targets()
    assert [element.tag for element in targets] == ["head", "body", "p"]
