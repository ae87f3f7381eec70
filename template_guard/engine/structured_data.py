"""What a page says about itself: JSON-LD, OpenGraph and meta tags, read robustly and within bounds.

Hostile or broken input (invalid JSON, huge scripts, deep nesting, wrong types, HTML inside strings) gives
nothing from that source, never an exception: structured data is evidence, not something a page must have.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from template_guard.engine.article import normalise_text

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "LiveBlogPosting", "BlogPosting",
        "Report", "SatiricalArticle", "ScholarlyArticle", "TechArticle",
    }
)
MAX_SCRIPT_CHARS = 2_000_000  # a JSON-LD script longer than this is skipped unread
MAX_SCRIPTS = 64
MAX_DEPTH = 32  # objects nested deeper are not visited (json itself stops at Python's recursion limit)
MAX_VALUE_CHARS = 500_000  # longer strings are cut before HTML is stripped from them
_TAG = re.compile(r"<[^<>]{0,2000}>")
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$|;\s*$")


@dataclass(frozen=True)
class StructuredData:
    """The page's own statements about its article (empty values when it makes none)."""

    documents: tuple[Any, ...] = ()  # every JSON-LD script that parsed, in document order
    headline: str | None = None
    description: str | None = None
    article_body: str | None = None
    date_published: str | None = None
    authors: tuple[str, ...] = ()
    headlines: tuple[str, ...] = ()  # every title the page gives itself: JSON-LD, og:, twitter:, <title>
    descriptions: tuple[str, ...] = ()  # every summary: JSON-LD, og:, twitter:, meta description
    keywords: tuple[str, ...] = ()  # the article's tags as the page declares them: JSON-LD keywords, article:tag, …
    meta: Mapping[str, tuple[str, ...]] | None = None  # og:*, article:*, twitter:*, name=… (lower-case keys)

    def meta_values(self, name: str) -> tuple[str, ...]:
        """The contents of every `<meta>` called `name` (property or name attribute), in document order."""
        return (self.meta or {}).get(name.lower(), ())


def read_structured_data(root: etree._Element) -> StructuredData:
    """Read JSON-LD, OpenGraph and meta tags of a page parsed as it was received (scripts still in it)."""
    documents = tuple(_jsonld_documents(root))
    meta = _meta_tags(root)
    articles = list(_typed_nodes(documents, ARTICLE_TYPES))

    def first(path: str, *fallbacks: str) -> str | None:
        for node in articles:
            for value in _values_at(node, path.split("."), numbers=False):
                return value
        for name in fallbacks:
            values = meta.get(name, ())
            if values:
                return values[0]
        return None

    def every(path: str, *names: str) -> tuple[str, ...]:
        found = [value for node in articles for value in _values_at(node, path.split("."), numbers=False)]
        found += [value for name in names for value in meta.get(name, ())]
        return tuple(dict.fromkeys(found))

    authors: list[str] = []
    for node in articles[:1]:
        for author in _as_list(node.get("author")):
            name = author.get("name") if isinstance(author, dict) else author
            text = _text(name)
            if text and text not in authors:
                authors.append(text)
    if not authors:
        authors = [value for value in meta.get("author", ()) if not value.startswith("http")]
    keywords = [
        keyword.strip()
        for value in every("keywords", "article:tag", "news_keywords", "keywords")
        for keyword in value.split(",")  # JSON-LD and meta keywords are one comma-separated string as often as a list
        if keyword.strip()
    ]
    title = root.find(".//title")
    page_title = _text(title.text) if title is not None else None
    return StructuredData(
        documents=documents,
        headline=first("headline", "og:title", "twitter:title"),
        description=first("description", "og:description", "description", "twitter:description"),
        article_body=first("articleBody"),
        date_published=first("datePublished", "article:published_time", "og:article:published_time"),
        authors=tuple(authors),
        headlines=every("headline", "og:title", "twitter:title") + ((page_title,) if page_title else ()),
        descriptions=every("description", "og:description", "twitter:description", "description"),
        keywords=tuple(dict.fromkeys(keywords)),
        meta=meta,
    )


def jsonld_values(documents: Iterable[Any], path: str, *, types: Iterable[str] | None = None) -> list[str]:
    """The strings at a dotted `path` (e.g. ``"author.name"``) of JSON-LD entities, in document order.

    Entities are the top-level objects, the items of top-level arrays and of ``@graph``; with `types`, every
    object of those ``@type``s at any depth. Arrays along the path are followed item by item; numbers
    become strings; HTML inside strings is reduced to text; anything else is skipped.
    """
    steps = [step for step in path.split(".") if step]
    nodes = _typed_nodes(documents, frozenset(types)) if types is not None else _entities(documents)
    return [value for node in nodes for value in _values_at(node, steps)]


# ---- reading ---------------------------------------------------------------------------------------


def _jsonld_documents(root: etree._Element) -> Iterator[Any]:
    scripts = root.iterfind(".//script")
    count = 0
    for script in scripts:
        kind = (script.get("type") or "").strip().lower()
        if not kind.startswith("application/ld+json"):
            continue
        count += 1
        if count > MAX_SCRIPTS:
            return
        source = script.text or ""
        if not source.strip() or len(source) > MAX_SCRIPT_CHARS:
            continue
        try:
            # strict=False: raw line breaks inside strings are common in real articleBody values.
            yield json.loads(_WRAPPERS.sub("", source), strict=False)
        except (ValueError, RecursionError):
            continue


def _meta_tags(root: etree._Element) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for element in root.iterfind(".//meta"):
        name = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = element.get("content")
        if not name or content is None:
            continue
        text = _text(content)
        if text:
            found.setdefault(name, []).append(text)
    return {name: tuple(values) for name, values in found.items()}


def _entities(documents: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for document in documents:
        for item in _as_list(document):
            if isinstance(item, dict):
                yield item
                yield from (node for node in _as_list(item.get("@graph")) if isinstance(node, dict))


def _typed_nodes(documents: Iterable[Any], types: frozenset[str]) -> Iterator[dict[str, Any]]:
    """Every object whose @type is one of `types`, depth first in document order, within MAX_DEPTH."""
    stack: list[tuple[Any, int]] = [(document, 0) for document in reversed(tuple(documents))]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            if _types_of(value) & types:
                yield value
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(list(children)) if isinstance(child, dict | list))


def _types_of(node: Mapping[str, Any]) -> set[str]:
    # "@type" may be a string, a list, or a full IRI such as "http://schema.org/NewsArticle".
    return {kind.rsplit("/", 1)[-1] for kind in _as_list(node.get("@type")) if isinstance(kind, str)}


def _values_at(node: Any, steps: list[str], *, numbers: bool = True) -> Iterator[str]:
    current = [node]
    for step in steps:
        current = [item for value in current if isinstance(value, dict) for item in _as_list(value.get(step))]
    for value in current:
        text = _text(value) if numbers or isinstance(value, str) else None
        if text:
            yield text


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A JSON value as plain text: strings without their HTML, numbers as written; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        return None
    value = value[:MAX_VALUE_CHARS]
    if "<" in value:
        value = _TAG.sub(" ", value)
    return normalise_text(html.unescape(value)) or None
