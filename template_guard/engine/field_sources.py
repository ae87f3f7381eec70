"""A field's sources in a layout file: css, xpath, `jsonld = "path"` or `meta = "name"`, then `fallback`s.

```toml
[versions.fields.published]
jsonld = "datePublished"                       # first source: JSON-LD of NewsArticle and friends
fallback = [{ meta = "article:published_time" }, { css = "time", attribute = "datetime" }]
```

A JSON-LD path is dotted keys (`author.name`), optionally after the schema.org type to read instead of the
article types (`WebPage:datePublished`); arrays and `@graph` are followed item by item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from template_guard.engine.layout import SOURCE_KINDS, FieldSource
from template_guard.engine.selectors import Selector
from template_guard.errors import LayoutError, SelectorSyntaxError

Fail = Callable[[str, str, str | None], LayoutError]

FALLBACK_KEYS = (*SOURCE_KINDS, "attribute")
_STEP = r"[A-Za-z_@][A-Za-z0-9_@-]*"
_JSONLD_PATH = re.compile(rf"^(?:(?P<type>[A-Za-z][A-Za-z0-9]*):)?(?P<path>{_STEP}(?:\.{_STEP})*)$")
_META_NAME = re.compile(r"^[A-Za-z0-9:._-]+$")
# The elements a JSON-LD value is read from; shown in reports, never used to read the value itself.
JSONLD_SCRIPTS = Selector.compile("xpath", "//script[@type='application/ld+json']")


@dataclass(frozen=True)
class JsonLdPath:
    """A parsed `jsonld` source: the entity types to read, and the keys to follow."""

    types: tuple[str, ...] | None  # None: the article types (NewsArticle, LiveBlogPosting, …)
    path: str


def jsonld_path(expression: str) -> JsonLdPath:
    """`expression` parsed; the layout reader has validated it."""
    found = _JSONLD_PATH.match(expression)
    if found is None:
        raise ValueError(f"not a JSON-LD path: {expression!r}")
    return JsonLdPath((found["type"],) if found["type"] else None, found["path"])


def read_source(table: Mapping[str, Any], key: str, fail: Fail) -> FieldSource:
    """The one source a field table (or a fallback table) names, validated."""
    present = [kind for kind in SOURCE_KINDS if kind in table]
    if len(present) != 1:
        problem = "needs a source: 'css', 'xpath', 'jsonld' or 'meta'" if not present else (
            "has several sources (" + ", ".join(repr(kind) for kind in present) + ")"
        )
        raise fail(key, problem, "put the others in fallback = [...], in the order to try them" if present else None)
    kind = present[0]
    where = f"{key}.{kind}" if key else kind
    expression = table[kind]
    if not isinstance(expression, str):
        raise fail(where, "must be a string", None)
    attribute = table.get("attribute")
    if attribute is not None and not isinstance(attribute, str):
        raise fail(f"{key}.attribute", "must be a string", None)
    if kind in ("jsonld", "meta") and attribute is not None:
        raise fail(f"{key}.attribute", f"a {kind} source has no attribute to read", "use it with css or xpath")
    if kind == "jsonld":
        if not _JSONLD_PATH.match(expression):
            raise fail(where, f"{expression!r} is not a JSON-LD path", "write keys joined by dots, e.g. 'author.name'")
        return FieldSource("jsonld", expression, JSONLD_SCRIPTS)
    if kind == "meta":
        if not _META_NAME.match(expression):
            raise fail(where, f"{expression!r} is not a meta name", "e.g. 'og:title' or 'article:published_time'")
        xpath = f"//meta[@property='{expression}' or @name='{expression}' or @itemprop='{expression}']"
        return FieldSource("meta", expression, Selector.compile("xpath", xpath), "content")
    try:
        selector = Selector.compile(kind, expression)  # type: ignore[arg-type]
    except SelectorSyntaxError as error:
        raise fail(where, error.problem, error.hint) from None
    return FieldSource(kind, expression, selector, attribute)  # type: ignore[arg-type]


def read_fallbacks(value: Any, key: str, fail: Fail) -> tuple[FieldSource, ...]:
    """The `fallback` list: a source table per entry, tried in order after the field's own source."""
    if not isinstance(value, list) or not value:
        raise fail(key, "must be a non-empty list of source tables", 'e.g. [{ meta = "og:title" }]')
    sources = []
    for index, entry in enumerate(value):
        entry_key = f"{key}[{index}]"
        if not isinstance(entry, dict):
            raise fail(entry_key, "must be a table", 'e.g. { jsonld = "datePublished" }')
        unknown = [name for name in entry if name not in FALLBACK_KEYS]
        if unknown:
            raise fail(f"{entry_key}.{unknown[0]}", "unknown key", "allowed: " + ", ".join(FALLBACK_KEYS))
        sources.append(read_source(entry, entry_key, fail))
    return tuple(sources)
