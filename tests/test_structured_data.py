"""The structured-data reader: JSON-LD in its real shapes, OpenGraph and meta; hostile input gives nothing."""

from __future__ import annotations

import json

import pytest
from evidence_pages import ARTICLES, extract, page_html, tiny_layouts
from lxml import html as lxml_html

from template_guard.engine.structured_data import jsonld_values, read_structured_data
from template_guard.evidence.context import page_context
from template_guard.evidence.structured import structured_findings


def read(markup: str):
    return read_structured_data(lxml_html.document_fromstring(markup))


def scripts(*documents: object) -> str:
    tags = "".join(
        f'<script type="application/ld+json">{d if isinstance(d, str) else json.dumps(d)}</script>' for d in documents
    )
    return f"<html><head>{tags}</head><body><p>x</p></body></html>"


def test_a_news_article_in_a_graph_with_author_objects_and_html_in_strings() -> None:
    data = read(
        scripts(
            {"@context": "https://schema.org", "@graph": [
                {"@type": "WebPage", "name": "Page"},
                {"@type": ["NewsArticle"], "headline": "Floods <b>hit</b> the town", "datePublished": "2024-03-01",
                 "author": [{"@type": "Person", "name": "Jane Doe"}, "John Roe", {"name": 7}],
                 "articleBody": "<p>First &amp; second.</p><p>Third.</p>"},
            ]}
        )
    )
    assert data.headline == "Floods hit the town"
    assert data.article_body == "First & second. Third."
    assert data.date_published == "2024-03-01"
    assert data.authors == ("Jane Doe", "John Roe", "7")


def test_types_as_iris_arrays_of_documents_and_main_entity() -> None:
    data = read(
        scripts(
            [{"@type": "BreadcrumbList"}, {"@type": "http://schema.org/ReportageNewsArticle", "headline": "One"}],
            {"@type": "WebPage", "mainEntity": {"@type": "LiveBlogPosting", "headline": "Two"}},
        )
    )
    assert data.headlines[:2] == ("One", "Two")


def test_opengraph_and_meta_fill_what_json_ld_lacks() -> None:
    data = read(
        "<html><head><title>Site title</title><meta property='og:title' content='OG title'>"
        "<meta name='description' content='A summary.'><meta property='article:published_time' content='2024-01-02'>"
        "<meta name='author' content='Ann Other'></head><body></body></html>"
    )
    assert (data.headline, data.description, data.date_published, data.authors) == (
        "OG title", "A summary.", "2024-01-02", ("Ann Other",)
    )
    assert data.headlines == ("OG title", "Site title")
    assert data.meta_values("og:title") == ("OG title",)


def test_jsonld_values_follow_a_dotted_path_in_document_order() -> None:
    documents = read(
        scripts(
            {"@type": "NewsArticle", "author": [{"name": "A"}, {"name": "B"}], "datePublished": "2024-01-01"},
            {"@graph": [{"@type": "Article", "author": {"name": "C"}}]},
        )
    ).documents
    assert jsonld_values(documents, "author.name") == ["A", "B", "C"]
    assert jsonld_values(documents, "datePublished") == ["2024-01-01"]
    assert jsonld_values(documents, "headline") == []
    nested = read(scripts({"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "author": {"name": "D"}}})).documents
    assert jsonld_values(nested, "author.name") == []  # not a top-level entity …
    assert jsonld_values(nested, "author.name", types={"NewsArticle"}) == ["D"]  # … but an article anywhere


HOSTILE = {
    "invalid JSON": '{"@type": "NewsArticle", "headline": ',
    "10 MB": json.dumps({"@type": "NewsArticle", "headline": "x", "articleBody": "y" * 10_000_000}),
    "100k-deep nesting": "[" * 100_000 + "]" * 100_000,
    "100k-deep objects": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "wrong types": json.dumps({"@type": 5, "headline": ["a", {"b": 1}], "author": 3.5, "articleBody": {"x": 1}}),
    "article with wrong types": json.dumps({"@type": "NewsArticle", "headline": {"x": 1}, "articleBody": [1, 2],
                                            "author": {"name": {"first": "x"}}, "datePublished": None}),
    "not an object": '"just a string"',
    "empty": "   ",
    "html comment wrapper and trailing semicolon": '<!-- {"@type": "NewsArticle"}; -->',
}


@pytest.mark.parametrize("script", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_ld_gives_no_finding_and_no_exception(script: str, tmp_path) -> None:
    layouts = tiny_layouts(tmp_path)
    extraction = extract(layouts, page_html(ARTICLES[0], jsonld=script))
    context = page_context("tiny/hostile", extraction)
    assert context.structured.article_body is None
    assert structured_findings(context) == []


def test_deeply_nested_but_valid_json_ld_is_walked_within_bounds() -> None:
    deep: dict[str, object] = {"@type": "NewsArticle", "headline": "Deep"}
    for _ in range(500):
        deep = {"child": deep}
    data = read(scripts(deep))  # json parses it; the walk stops at MAX_DEPTH instead of recursing
    assert data.headline is None
