"""What a page says about itself in structured data: JSON-LD (NewsArticle and friends) and <meta> tags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from template_guard.engine.article import normalise_text

_ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "WebPage",
        "SocialMediaPosting",
        "BackgroundNewsArticle",
    }
)
# Meta tags a field can read, by field: (attribute, name) in order of preference.
META_SOURCES = {
    "title": (("property", "og:title"), ("name", "twitter:title")),
    "standfirst": (("property", "og:description"), ("name", "description")),
    "authors": (("name", "author"), ("property", "article:author")),
    "published": (("property", "article:published_time"), ("itemprop", "datePublished"), ("name", "pubdate")),
    "tags": (("property", "article:tag"), ("name", "news_keywords"), ("name", "keywords")),
}


@dataclass(frozen=True)
class StructuredData:
    """The article's metadata as JSON-LD and meta tags declare it (empty values when absent)."""

    headline: str = ""
    description: str = ""
    article_body: str = ""
    authors: tuple[str, ...] = ()
    published: str = ""
    keywords: tuple[str, ...] = ()
    meta: tuple[tuple[str, str, str], ...] = ()  # (attribute, name, content) of each head <meta>

    def meta_values(self, attribute: str, name: str) -> list[str]:
        """The contents of the head <meta> tags with `attribute` = `name`."""
        return [content for attr, key, content in self.meta if attr == attribute and key == name and content]


def read_structured_data(root: etree._Element) -> StructuredData:
    """Read JSON-LD and head meta tags; call before scripts are stripped."""
    article: dict[str, Any] = {}
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in _items(data):
            types = item.get("@type")
            names = set(types) if isinstance(types, list) else {types}
            if names & _ARTICLE_TYPES and (not article or "articleBody" in item or "headline" in item):
                article = item if not article or "headline" in item else article
    meta = tuple(
        (attr, str(element.get(attr)), normalise_text(element.get("content") or ""))
        for element in root.iterfind(".//head/meta")
        for attr in ("property", "name", "itemprop")
        if element.get(attr)
    )
    return StructuredData(
        headline=_text(article.get("headline")),
        description=_text(article.get("description")),
        article_body=_text(article.get("articleBody")),
        authors=tuple(_names(article.get("author"))),
        published=_text(article.get("datePublished")),
        keywords=tuple(_keywords(article.get("keywords"))),
        meta=meta,
    )


def _items(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _items(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _items(data["@graph"])


def _text(value: Any) -> str:
    return normalise_text(value) if isinstance(value, str) else ""


def _names(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for item in value:
            yield from _names(item)
    elif isinstance(value, dict):
        if name := _text(value.get("name")):
            yield name
    elif name := _text(value):
        yield name


def _keywords(value: Any) -> Iterator[str]:
    if isinstance(value, list):
        yield from (text for item in value if (text := _text(item)))
    elif isinstance(value, str):
        yield from (text for part in value.split(",") if (text := normalise_text(part)))
