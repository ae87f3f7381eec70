"""Metadata fields (title, standfirst, authors, published, tags) from visible elements that agree with
structured data, or from the structured data itself where the loader can read it (head <meta> tags)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from template_guard.drafting.compare import text_of
from template_guard.drafting.metadata import META_SOURCES, StructuredData
from template_guard.drafting.pages import DraftPage
from template_guard.drafting.selectors import Choice, SelectorCache, choose
from template_guard.engine.article import normalise_text

Element: TypeAlias = etree._Element

_STANDFIRST_TAGS = ("p", "h2", "div", "span")
_AGREE = 0.85


@dataclass(frozen=True)
class FieldDraft:
    """A drafted field rule, how sure the draft is, and the visible elements it reads on each page."""

    name: str
    kind: str  # "css" or "xpath"
    expression: str
    attribute: str | None = None
    multiple: bool = False
    split: str | None = None
    confidence: str = "high"
    hashed: bool = False
    notes: tuple[str, ...] = ()
    elements: tuple[tuple[Element, ...], ...] = ()


def similarity(a: str, b: str) -> float:
    """How alike two texts are (0–1), case-insensitive; a text inside the other with most of its length counts."""
    a, b = normalise_text(a).lower()[:300], normalise_text(b).lower()[:300]
    if not a or not b:
        return 0.0
    if (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b)):
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _meta_rule(pages: Sequence[DraftPage], name: str) -> tuple[str, str, int] | None:
    """The preferred head <meta> source of a field present on most pages: (attribute, name, pages with it)."""
    best: tuple[str, str, int] | None = None
    for attribute, key in META_SOURCES[name]:
        count = sum(1 for page in pages if _usable_meta(page.data, attribute, key))
        if count and (best is None or count > best[2]):
            best = (attribute, key, count)
    return best


def _usable_meta(data: StructuredData, attribute: str, key: str) -> list[str]:
    return [v for v in data.meta_values(attribute, key) if not v.startswith(("http://", "https://"))]


def _meta_field(
    name: str, pages: Sequence[DraftPage], source: tuple[str, str, int], notes: list[str], **keys: object
) -> FieldDraft:
    attribute, key, count = source
    notes = [f"read from <meta {attribute}='{key}'> (present on {count} of {len(pages)} pages)", *notes]
    return FieldDraft(
        name,
        "xpath",
        f"/html/head/meta[@{attribute}='{key}']",
        attribute="content",
        confidence="high" if count == len(pages) else "low",
        notes=tuple(notes),
        **keys,  # type: ignore[arg-type]
    )


def _visible_field(
    name: str, choice: Choice, targets: Sequence[Sequence[Element]], notes: list[str], **keys: object
) -> FieldDraft:
    notes = [f"visible element, selector fits {choice.fits} of {choice.pages} pages", *notes]
    if choice.hashed:
        notes.append("only a hashed class name was found: check it survives the next deploy")
    return FieldDraft(
        name,
        "css",
        choice.css,
        confidence=choice.confidence,
        hashed=choice.hashed,
        notes=tuple(notes),
        elements=tuple(tuple(t) for t in targets),
        **keys,  # type: ignore[arg-type]
    )


def draft_title(pages: Sequence[DraftPage], cache: SelectorCache) -> FieldDraft | None:
    """The <h1> that agrees with the headline the page declares; else og:title."""
    targets: list[list[Element]] = []
    agreeing = 0
    for page in pages:
        refs = [page.data.headline, *page.data.meta_values("property", "og:title")]
        refs = [r for r in refs if r]
        scored = [
            (max((similarity(text_of(h1), r) for r in refs), default=0.5), h1)
            for h1 in page.root.iter("h1")
            if text_of(h1)
        ]
        best = max(scored, key=lambda row: row[0], default=None)
        targets.append([best[1]] if best and best[0] >= 0.5 else [])
        agreeing += bool(best and refs and best[0] >= _AGREE)
    notes = [f"structured data (JSON-LD headline / og:title) agrees on {agreeing} of {len(pages)} pages"]
    choice = choose([(p.root, t) for p, t in zip(pages, targets, strict=True)], cache) if any(targets) else None
    if choice and choice.fits == len(pages):
        return _visible_field("title", choice, targets, notes)
    source = _meta_rule(pages, "title")
    if source:
        return _meta_field(
            "title", pages, source, [*notes, "no <h1> selector fits every page; og:title may carry the site's name"]
        )
    return _visible_field("title", choice, targets, notes) if choice else None


def draft_standfirst(pages: Sequence[DraftPage], cache: SelectorCache) -> FieldDraft | None:
    """The visible element (outside the body) whose text is the description the page declares."""
    targets: list[list[Element]] = []
    for page in pages:
        refs = [
            r
            for r in (
                page.data.description,
                *page.data.meta_values("property", "og:description"),
                *page.data.meta_values("name", "description"),
            )
            if len(r) >= 30
        ]
        found = [
            e
            for e in page.root.iter(*_STANDFIRST_TAGS)
            if 30 <= len(text_of(e)) <= 600 and any(similarity(text_of(e), r) >= _AGREE for r in refs)
        ]
        # The innermost element that holds the text, not every wrapper around it.
        targets.append([e for e in found if not any(other in found for other in e.iterdescendants())][:1])
    present = sum(1 for t in targets if t)
    if present * 2 < len(pages):
        return None
    choice = choose([(p.root, t) for p, t in zip(pages, targets, strict=True)], cache)
    if choice is None or choice.fits < present:
        return None  # no one selector reads the standfirst wherever there is one
    notes = [f"agrees with the page's description (JSON-LD / og:description) on {present} of {len(pages)} pages"]
    return _visible_field("standfirst", choice, targets, notes)


def draft_authors(pages: Sequence[DraftPage], cache: SelectorCache) -> FieldDraft | None:
    """Authors from <meta name='author'> when every page has it, else the visible byline names."""
    source = _meta_rule(pages, "authors")
    agree = sum(
        1
        for page in pages
        if page.data.authors
        and source
        and {a.lower() for a in page.data.authors}
        <= {v.lower() for value in _usable_meta(page.data, source[0], source[1]) for v in _split_names(value)}
    )
    has_ld = sum(1 for page in pages if page.data.authors)
    notes = [f"JSON-LD author agrees on {agree} of {has_ld} pages"] if has_ld else []
    if source and source[2] == len(pages) and (agree == has_ld):
        return _meta_field("authors", pages, source, notes, multiple=True)
    targets = []
    for page in pages:
        names = [n.lower() for n in page.data.authors]
        if not names and source:
            names = [v.lower() for value in _usable_meta(page.data, source[0], source[1]) for v in _split_names(value)]
        targets.append(
            [
                e
                for e in page.root.iter("a", "span", "div", "li", "p")
                if (text := text_of(e).lower()) and any(text in (n, f"by {n}") for n in names)
            ]
        )
    targets = [[e for e in t if not any(o in t for o in e.iterdescendants())] for t in targets]
    if any(targets):
        choice = choose([(p.root, t) for p, t in zip(pages, targets, strict=True)], cache, exact=False)
        if choice:
            return _visible_field(
                "authors", choice, targets, [*notes, "multiple: each match is one author"], multiple=True
            )
    return _meta_field("authors", pages, source, notes, multiple=True) if source else None


def _split_names(value: str) -> list[str]:
    return [normalise_text(n) for n in value.replace(" and ", ",").split(",") if normalise_text(n)]


def draft_published(pages: Sequence[DraftPage], cache: SelectorCache) -> FieldDraft | None:
    """The publication time from article:published_time (or kin), else a visible <time datetime>."""
    source = _meta_rule(pages, "published")
    if source and source[2] == len(pages):
        agree = sum(
            1
            for page in pages
            if page.data.published
            and any(v[:10] == page.data.published[:10] for v in page.data.meta_values(source[0], source[1]))
        )
        has_ld = sum(1 for page in pages if page.data.published)
        notes = [f"JSON-LD datePublished agrees on {agree} of {has_ld} pages"] if has_ld else []
        return _meta_field("published", pages, source, notes)
    targets = [[t for t in page.root.iter("time") if t.get("datetime")][:1] for page in pages]
    if any(targets):
        choice = choose([(p.root, t) for p, t in zip(pages, targets, strict=True)], cache)
        if choice:
            field = _visible_field("published", choice, targets, ["the datetime attribute of a <time> element"])
            return FieldDraft(**{**field.__dict__, "attribute": "datetime"})
    return None


def draft_tags(pages: Sequence[DraftPage]) -> FieldDraft | None:
    """Tags from article:tag meta tags, else a comma-separated keywords meta tag."""
    source = _meta_rule(pages, "tags")
    if source is None or source[2] * 2 < len(pages):
        return None
    split = None if source[1] == "article:tag" else ","
    return _meta_field("tags", pages, source, [], multiple=True, split=split)
