"""The kill-matrix benchmark's mutant generator: valid one-change layouts, and a working equivalence test.

Only the cheap part of `benchmarks/kill_matrix.py` runs here, its `benchmarks/layout_mutants.py` (no pytest
subprocesses): the TOML writer, the selector edits, the mutants of the packaged layouts, and equivalence
on one captured page.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from template_guard import load_layout
from template_guard.engine.routing import PACKAGED_LAYOUTS


def _load_benchmark() -> ModuleType:
    path = Path(__file__).parents[1] / "benchmarks" / "layout_mutants.py"
    spec = importlib.util.spec_from_file_location("layout_mutants", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


km = _load_benchmark()
LAYOUT = "almayadeen-english"
LAYOUT_TEXT = (PACKAGED_LAYOUTS / f"{LAYOUT}.toml").read_text(encoding="utf-8")
PAGE = Path(__file__).parents[1] / "pages" / LAYOUT / "over-5000-arrested.html"
PACKAGED = sorted(PACKAGED_LAYOUTS.glob("*.toml"))


@pytest.mark.parametrize("path", PACKAGED, ids=[p.stem for p in PACKAGED])
def test_the_toml_writer_reads_back_every_packaged_layout(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert tomllib.loads(km.dump_toml(raw)) == raw


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text() | st.lists(st.text(), max_size=3), max_size=4))
def test_the_toml_writer_escapes_any_key_and_string(table: dict[str, Any]) -> None:
    document = {"versions": [{"fields": {"title": table}}], "name": "x"}
    assert tomllib.loads(km.dump_toml(document)) == document


def test_selector_edits_keep_the_context_and_respect_brackets() -> None:
    assert km.top_level_split("li:is(.a, .b), p[title='x, y']", ",") == ["li:is(.a, .b)", "p[title='x, y']"]
    assert km.loosen_css("ul.article-meta li:is(.source, .shares)") == "ul.article-meta li"
    assert km.loosen_css("body > div.ticker, header .brand") == "body > div, header *"
    assert km.loosen_xpath("descendant::div[@a][not(p[1])] | //p[@q]") == "descendant::div | //p"
    assert km.tightened({"css": "a.logo, div.brand"}) == ("only its first selector", {"css": "a.logo"})
    how, table = km.tightened({"xpath": "//div[@id='x']", "items": "li"})
    assert how == "matching nothing" and table["items"] == "li" and table["xpath"] != "//div[@id='x']"


@pytest.fixture(scope="module")
def mutants() -> list[Any]:
    return list(km.generate_mutants(LAYOUT_TEXT))


def test_every_mutant_is_a_valid_layout_that_differs_from_the_original(mutants: list[Any], tmp_path: Path) -> None:
    accepted, rejected = km.valid_mutants(LAYOUT, mutants, tmp_path)
    assert accepted == mutants, rejected
    original = tomllib.loads(LAYOUT_TEXT)
    texts = {m.text for m in mutants}
    assert len(texts) == len(mutants) == len({m.id for m in mutants})  # no two mutants alike
    for mutant in mutants:
        assert tomllib.loads(mutant.text) != original, mutant.description
        assert km.layout_from_text(LAYOUT, mutant.text, tmp_path).name == LAYOUT


def test_every_rule_of_the_layout_is_mutated(mutants: list[Any]) -> None:
    version = tomllib.loads(LAYOUT_TEXT)["versions"][0]
    descriptions = [m.description for m in mutants]
    for region in version["boilerplate"]:
        assert f"delete region {region}" in descriptions
        assert any(d.startswith(f"tighten region {region}:") for d in descriptions), region
    body = version["fields"]["body"]
    for index in range(len(body["blocks"])):
        assert any(d.startswith(f"drop block rule {index} ") for d in descriptions)
    assert any(d.startswith("drop exclude rule 0 ") for d in descriptions)
    for name in version["fields"]:
        assert any(d.startswith(f"point field {name} at ") for d in descriptions), name


def test_a_rejected_mutant_is_reported_not_raised(tmp_path: Path) -> None:
    text = LAYOUT_TEXT.replace('css = "nav.main-nav"', 'css = "nav"\nxpath = "//nav"')
    broken = km.Mutant("m99", "a region with two selectors", text)
    accepted, rejected = km.valid_mutants(LAYOUT, [broken], tmp_path)
    assert accepted == [] and rejected[0][0] is broken and "navigation" in rejected[0][1]


def test_equivalence_is_judged_by_the_extraction(mutants: list[Any], tmp_path: Path) -> None:
    pages = [PAGE]
    reference = km.signature(load_layout(PACKAGED_LAYOUTS / f"{LAYOUT}.toml"), pages)
    by_description = {m.description: m for m in mutants}

    def signature_of(description: str) -> tuple[object, ...]:
        layout = km.layout_from_text(LAYOUT, by_description[description].text, tmp_path)
        return tuple(km.signature(layout, pages))

    # The footer lies outside every field: deleting its region changes no extraction.
    assert signature_of("delete region footer") == reference
    # The title read from the standfirst's element changes the article's title, and only that.
    pointed: Any = signature_of("point field title at standfirst's selector")[0]
    (article, problems), original = pointed, reference[0][0]
    assert article.title == original.standfirst != original.title
    assert article.body == original.body and not problems
