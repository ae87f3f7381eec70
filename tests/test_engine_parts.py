"""The engine's shared parts: the field registry, problems as data, the block locator, hashable layout versions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import html

from template_guard import FIELD_NAMES, FIELDS, Article, Block, Layout, LayoutSet, extract_page, load_layout, run
from template_guard.engine import diagnostics
from template_guard.engine.blocks import element_text, locate_blocks
from template_guard.engine.problems import Problem, ProblemKind, render
from template_guard.engine.registry import HEADER_FIELDS, REQUIRED_BY_DEFAULT, field_spec
from template_guard.errors import TemplateGuardError, UnknownFieldError, UnknownOptionError

LAYOUT = """\
name = "parts"
domains = ["parts.example"]

[[versions]]
name = "v1"
valid_from = 2020-01-01

[versions.boilerplate.promo]
css = "aside.promo"
required = true

[versions.fields.title]
css = "h1"

[versions.fields.published]
css = "time"
date_format = "%Y-%m-%d"

[versions.fields.body]
css = "article"
exclude = [{ css = "figure" }]
blocks = [{ kind = "paragraph", css = "p" }, { kind = "quote", css = "blockquote" }]
"""

PAGE = (
    "<html><body><aside class='promo'><p>Subscribe now</p></aside><h1>Title</h1><time>1 May</time>"
    "<article><p>First paragraph.</p><figure><p>A caption.</p></figure><blockquote>A quote.</blockquote>"
    "<p>Last paragraph.</p></article></body></html>"
)


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    path = tmp_path / "parts.toml"
    path.write_text(LAYOUT, encoding="utf-8")
    return path


def test_the_registry_orders_every_rendering_of_an_article() -> None:
    article = Article("T", "S", (Block("paragraph", "B"),), ("A",), "2024-01-01", ("X",), "l", "v")
    keys = [key for key in article.to_dict() if key not in ("blocks", "layout", "version")]
    assert tuple(keys) == FIELD_NAMES == ("title", "standfirst", "body", "authors", "published", "tags")
    assert [spec.name for spec in HEADER_FIELDS] == ["authors", "published", "tags"]
    assert REQUIRED_BY_DEFAULT == {"title", "body"}
    assert {spec.name for spec in FIELDS if spec.multiple} == {"body", "authors", "tags"}
    assert [article.value(name) for name in FIELD_NAMES] == ["T", "S", ("B",), ("A",), "2024-01-01", ("X",)]
    assert field_spec("authors").describe(2) == "author 2" and field_spec("title").describe(2) == "the title"


def test_an_unknown_field_name_is_a_template_guard_error() -> None:
    with pytest.raises(UnknownFieldError, match="no field 'byline'; fields: title, standfirst") as caught:
        field_spec("byline")
    assert isinstance(caught.value, TemplateGuardError)


def test_problems_are_data_rendered_in_one_place(layout_file: Path) -> None:
    layout = load_layout(layout_file)
    page = PAGE.replace("<aside class='promo'><p>Subscribe now</p></aside>", "").replace("<h1>Title</h1>", "")
    extraction = run(page.encode(), layouts=_set(layout), layout="parts")
    kinds = [(issue.kind, issue.name, issue.key) for issue in extraction.issues]
    assert kinds == [
        (ProblemKind.REGION_MISSING, "promo", "boilerplate.promo"),
        (ProblemKind.FIELD_EMPTY, "title", "fields.title"),
        (ProblemKind.BAD_DATE, "published", "fields.published.date_format"),
    ]
    assert extraction.problems == tuple(render(issue) for issue in extraction.issues)
    assert extraction.problems[2] == "field 'published': '1 May' does not match date_format '%Y-%m-%d'"
    assert str(Problem.body_without_blocks(2)) == (
        "required field 'body' matched 2 container(s) but no block rule matched text"
    )


def test_advice_follows_the_problem_kind_not_its_wording(layout_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = load_layout(layout_file)
    page = PAGE.replace("<aside class='promo'><p>Subscribe now</p></aside>", "")
    extraction = run(page.encode(), layouts=_set(layout), layout="parts")
    monkeypatch.setattr(diagnostics, "render", lambda problem: f"reworded {problem.kind.value}")
    messages = [finding.message for finding in diagnostics.page_findings(extraction) if finding.status == "error"]
    assert messages[0].startswith("reworded region-missing: the page no longer has this chrome; fix versions[0].boilerplate.promo")
    assert messages[1] == "reworded bad-date; fix versions[0].fields.published.date_format in parts.toml"


def test_the_locator_hides_or_removes_exclusions_and_finds_the_same_blocks(layout_file: Path) -> None:
    rule = load_layout(layout_file).versions[0].body
    kept = html.document_fromstring(PAGE)
    hidden = locate_blocks(kept, rule)
    assert [element_text(e) for e in hidden.elements] == ["First paragraph.", "A quote.", "Last paragraph."]
    assert [e.tag for e in hidden.excluded] == ["figure"] and kept.find(".//figure") is not None
    assert hidden.matched_per_rule == (3, 1)  # the caption's <p> matched, but is hidden
    stripped = html.document_fromstring(PAGE)
    removed = locate_blocks(stripped, rule, remove_excluded=True)
    assert stripped.find(".//figure") is None
    text = removed.read()
    assert [(b.kind, b.text) for b in text.blocks] == [
        ("paragraph", "First paragraph."), ("quote", "A quote."), ("paragraph", "Last paragraph."),
    ]
    assert [b.text for b in text.blocks] == [element_text(e) for e in hidden.elements]


def test_a_layout_version_is_hashable_and_its_fields_read_only(layout_file: Path) -> None:
    version = load_layout(layout_file).versions[0]
    assert hash(version) == hash(load_layout(layout_file).versions[0])
    with pytest.raises(TypeError):
        version.fields["title"] = version.fields["published"]  # type: ignore[index]
    rebuilt = dataclasses.replace(version, fields=dict(version.fields))
    assert rebuilt == version and hash(rebuilt) == hash(version)


def _set(layout: Layout) -> LayoutSet:
    return LayoutSet((layout,))


def test_a_misspelt_extraction_option_is_refused_like_a_bad_keyword() -> None:
    with pytest.raises(UnknownOptionError, match="unexpected keyword argument\\(s\\): layuot") as caught:
        run(PAGE.encode(), layuot="parts")  # type: ignore[call-arg]
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, TemplateGuardError)
    with pytest.raises(UnknownOptionError, match="http_charset"):
        extract_page("page.html", http_charset="utf-8")  # type: ignore[call-arg]
