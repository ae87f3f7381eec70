"""Variants: templates a site serves at the same time (article and live blog, news and sport).

```toml
[[variants]]
name = "live"
url_patterns = ["https://www.example.com/news/live/*"]   # any one must match, and/or
when = { css = "main#live-blog" }                        # a page test: the selector must match

[[versions]]
name = "live-2024"
variant = "live"                                         # a version of that variant; others are the main template
extends = "2021"
valid_from = 2024-01-01
```

A page takes the first variant whose URL patterns and page test both fit, else the main template; the
capture date then picks the version among that variant's versions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from lxml import etree

from template_guard.engine.layout import Layout, LayoutVersion, Variant
from template_guard.engine.selectors import Selector
from template_guard.errors import LayoutError, SelectorSyntaxError

Fail = Callable[[str, str, str | None], LayoutError]
VARIANT_KEYS = ("name", "url_patterns", "when", "description")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class VersionChoice:
    """The version a page takes, and why: the variant that fitted (None: the main template)."""

    version: LayoutVersion
    variant: Variant | None
    reason: str  # "" for a layout without variants


def choose_version(layout: Layout, day: dt.date | None, url: str | None, root: etree._Element) -> VersionChoice:
    """The variant whose URL patterns and page test fit the page, then its version for the capture date."""
    for variant in layout.variants:
        reasons = []
        if variant.url_patterns:
            pattern = next((p for p in variant.url_patterns if url and fnmatchcase(url, p)), None)
            if pattern is None:
                continue
            reasons.append(f"the URL matches {pattern!r}")
        if variant.when is not None:
            if not variant.when.select(root):
                continue
            reasons.append(f"the page test {variant.when} matched")
        reason = f"variant {variant.name!r}: " + " and ".join(reasons)
        return VersionChoice(layout.version_for(day, variant.name), variant, reason)
    reason = "the main template: no variant fits the page" if layout.variants else ""
    return VersionChoice(layout.version_for(day), None, reason)


def read_variants(raw: Any, fail: Fail) -> tuple[Variant, ...]:
    """The top-level `[[variants]]` tables, validated."""
    if not isinstance(raw, list):
        raise fail("variants", "must be an array of tables ([[variants]])", None)
    variants: list[Variant] = []
    for index, table in enumerate(raw):
        key = f"variants[{index}]"
        if not isinstance(table, dict):
            raise fail(key, "must be a table", None)
        unknown = [name for name in table if name not in VARIANT_KEYS]
        if unknown:
            raise fail(f"{key}.{unknown[0]}", "unknown key", "allowed: " + ", ".join(VARIANT_KEYS))
        name = table.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise fail(f"{key}.name", "needs a name of lower-case letters, digits, '.', '_' or '-'", None)
        if any(variant.name == name for variant in variants):
            raise fail(f"{key}.name", f"variant {name!r} is defined twice", None)
        patterns = table.get("url_patterns", [])
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise fail(f"{key}.url_patterns", "must be a list of strings", None)
        when = _page_test(table["when"], f"{key}.when", fail) if "when" in table else None
        if not patterns and when is None:
            raise fail(key, f"variant {name!r} needs url_patterns or a page test (when)", "else it fits every page")
        variants.append(Variant(name, tuple(patterns), when))
    return tuple(variants)


def _page_test(value: Any, key: str, fail: Fail) -> Selector:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("css", "xpath"):
        raise fail(key, "must be a table with one selector", 'e.g. when = { css = "main#live-blog" }')
    kind, expression = next(iter(value.items()))
    if not isinstance(expression, str):
        raise fail(f"{key}.{kind}", "must be a string", None)
    try:
        return Selector.compile(kind, expression)
    except SelectorSyntaxError as error:
        raise fail(f"{key}.{kind}", error.problem, error.hint) from None
